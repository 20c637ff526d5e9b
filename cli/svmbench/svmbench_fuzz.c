// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario "fuzz": hostile use of svm_pagemap's ioctls for -n seconds.
 *
 * -P worker processes (default 2), each with two threads:
 *  - the caller issues random commands on random device files: the valid
 *    command numbers, and numbers with a wrong size, direction, magic or
 *    index; argument words biased to values that sit on the checks' edges
 *    (0, one page, 2 MiB, unaligned, huge, ~0, kernel addresses) and to the
 *    process's own mappings, passed through a valid pointer, NULL, an
 *    unmapped address or one whose struct runs into a PROT_NONE page
 *    (whatever the kernel may write to, a write-back or a WRITE's range, is
 *    kept off the fuzzer's own memory: corrupting itself would test nothing);
 *  - the churner changes those mappings under it: mmap (private and
 *    shared anonymous), munmap, holes punched in the middle, mprotect,
 *    MADV_DONTNEED, CPU writes (faulting device pages back), reopening
 *    the device files, and forks whose child faults the device pages it
 *    inherited and calls the ioctls on the inherited files, whose address
 *    space is not its own.
 *
 * svmbench checks only that every call returns and no process dies of a
 * signal (a SIGBUS on a page a device holds would be the module's); what
 * the kernel owes afterwards (no WARN, device pages back, the module
 * unloadable) is for the guest suite (tests/guest/kmod_fuzz.sh) to check.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svmbench.h"

#define FZ_REGIONS	8
#define FZ_MAX_DEVICES	8
#define FZ_SCRATCH	(4u << 20)
/*
 * PROT_NONE after the scratch buffer, larger than any READ the module
 * accepts: a READ of a wrong size stops there (EFAULT) instead of writing
 * over the fuzzer's own memory.
 */
#define FZ_GUARD	(512u << 20)
#define FZ_PAGE		4096u
/* Argument buffer: room for the largest struct and a wrong size past it. */
#define FZ_ARG_WORDS	512

/* What every worker counted, in memory shared with the parent. */
struct fz_shared {
	atomic_ullong calls, ok, einval, efault, ebusy, enomem, enotty, other;
	atomic_ullong churn_ops, forks, child_failures, worker_failures;
};

struct fz_region {
	_Atomic(uintptr_t) base;	/* 0: not mapped */
	_Atomic(size_t) size;
	/* the churner's own view: CPU access is safe only when both allow it */
	int holey;			/* [hole_off, + hole_len) of it is unmapped */
	int read_write;			/* last mprotect left it PROT_READ|WRITE */
	/*
	 * A later mapping may land in the hole: the region's span is then no
	 * longer its own, so it is unmapped piece by piece and never
	 * mprotected whole again.
	 */
	size_t hole_off, hole_len;
};

static int fz_writable(const struct fz_region *r)
{
	return !r->holey && r->read_write;
}

struct fz_worker {
	struct fz_shared *sh;
	struct fz_region regions[FZ_REGIONS];
	_Atomic int fds[FZ_MAX_DEVICES];
	unsigned int ndev;
	void *scratch;			/* READ/WRITE buffer, a guard after it */
	void *edge;			/* a page followed by a PROT_NONE page */
	uint64_t deadline_ns;
	atomic_int stop;
};


static void fz_count(struct fz_shared *sh, int ret)
{
	atomic_fetch_add(&sh->calls, 1);
	switch (ret) {
	case 0: atomic_fetch_add(&sh->ok, 1); break;
	case EINVAL: atomic_fetch_add(&sh->einval, 1); break;
	case EFAULT: atomic_fetch_add(&sh->efault, 1); break;
	case EBUSY: atomic_fetch_add(&sh->ebusy, 1); break;
	case ENOMEM: atomic_fetch_add(&sh->enomem, 1); break;
	case ENOTTY: atomic_fetch_add(&sh->enotty, 1); break;
	default: atomic_fetch_add(&sh->other, 1); break;
	}
}

/* An address: mostly in (or just around) one of the process's mappings. */
static uint64_t fz_addr(struct fz_worker *w, uint64_t *s)
{
	struct fz_region *r = &w->regions[sb_pick_r(s, FZ_REGIONS)];
	uintptr_t base = atomic_load(&r->base);
	size_t size = atomic_load(&r->size);

	switch (sb_pick_r(s, 10)) {
	case 0: return 0;
	case 1: return 0xffff888000000000ULL;	/* the kernel's direct map */
	case 2: return -(uint64_t)FZ_PAGE;
	case 3: return (uintptr_t)w->scratch;
	case 4: return sb_rand_r(s) & ~(uint64_t)(FZ_PAGE - 1);
	case 5: return base + sb_pick_r(s, 4096);	/* often unaligned */
	default:
		if (!base)
			return (uintptr_t)w->scratch;
		return base + (sb_pick_r(s, size / FZ_PAGE + 2) - 1) * FZ_PAGE;
	}
}

/*
 * An address the kernel may write to without hurting the fuzzer: none of
 * its own memory (a wrong write-back there would corrupt the fuzzer, not
 * test the module).
 */
static uint64_t fz_foreign_addr(struct fz_worker *w, uint64_t *s)
{
	switch (sb_pick_r(s, 4)) {
	case 0: return 0;
	case 1: return 0xffff888000000000ULL;
	case 2: return (uintptr_t)w->scratch + FZ_SCRATCH + sb_pick_r(s, FZ_GUARD / FZ_PAGE) * FZ_PAGE;
	default: return -(uint64_t)FZ_PAGE * (1 + sb_pick_r(s, 16));
	}
}

static uint64_t fz_size(uint64_t *s)
{
	switch (sb_pick_r(s, 10)) {
	case 0: return 0;
	case 1: return FZ_PAGE;
	case 2: return 2u << 20;
	case 3: return 1ULL << 40;
	case 4: return ~0ULL;
	case 5: return sb_pick_r(s, 1 << 22);	/* unaligned */
	case 6: return -(uint64_t)FZ_PAGE;
	default: return (1 + sb_pick_r(s, 1024)) * FZ_PAGE;
	}
}

static uint64_t fz_small(uint64_t *s, uint64_t valid_bits)
{
	switch (sb_pick_r(s, 8)) {
	case 0: return sb_rand_r(s);
	case 1: return 1ULL << sb_pick_r(s, 64);
	default: return sb_rand_r(s) & valid_bits;
	}
}

/* The argument words, laid out as every struct of the uapi begins. */
static void fz_args(struct fz_worker *w, uint64_t *s, unsigned int nr, uint64_t *a)
{
	unsigned int i;

	memset(a, 0, FZ_ARG_WORDS * sizeof(*a));
	for (i = 0; i < 16; i++)
		a[i] = sb_pick_r(s, 16) ? 0 : sb_rand_r(s);	/* reserved words, mostly 0 */
	a[0] = fz_addr(w, s);
	a[1] = fz_size(s);
	switch (nr) {
	case 0x01: case 0x02:		/* MIGRATE, FAULT: flags, timeslice_ms */
		a[2] = fz_small(s, 7);
		a[3] = sb_pick_r(s, 4) ? sb_pick_r(s, 20) : fz_small(s, 0x3fff);
		break;
	case 0x03:			/* EVICT: flags */
		a[2] = fz_small(s, 1);
		if (a[2] & SVM_PAGEMAP_EVICT_ALL && sb_pick_r(s, 2))
			a[0] = a[1] = 0;
		break;
	case 0x05:			/* WRITE stores into [start, start + size) */
		if (sb_pick_r(s, 4)) {
			struct fz_region *r = &w->regions[sb_pick_r(s, FZ_REGIONS)];
			uintptr_t base = atomic_load(&r->base);
			size_t size = atomic_load(&r->size);
			size_t off = sb_pick_r(s, size / FZ_PAGE) * FZ_PAGE;

			a[0] = base ? base + off : (uintptr_t)w->scratch;
			a[1] = base ? FZ_PAGE * (1 + sb_pick_r(s, (size - off) / FZ_PAGE)) : FZ_PAGE;
		} else {
			a[0] = fz_foreign_addr(w, s);
		}
		/* fall through */
	case 0x04:			/* READ, WRITE: buf, flags */
		/*
		 * READ writes there: only the guarded scratch buffer or
		 * addresses that are not ours, never memory the fuzzer lives in.
		 */
		switch (sb_pick_r(s, 6)) {
		case 0: a[2] = 0; break;
		case 1: a[2] = 0xffff888000000000ULL; break;
		case 2: a[2] = (uintptr_t)w->scratch + FZ_SCRATCH + FZ_GUARD / 2; break;
		default: a[2] = (uintptr_t)w->scratch + sb_pick_r(s, 4) * FZ_PAGE; break;
		}
		a[3] = sb_pick_r(s, 8) ? 0 : sb_rand_r(s);
		if (sb_pick_r(s, 2) && a[1] > FZ_SCRATCH)
			a[1] = FZ_SCRATCH;
		break;
	}
}

/* A command: valid mostly, else wrong in one of the ways the checks see. */
static unsigned long fz_cmd(uint64_t *s, unsigned int *nr)
{
	static const unsigned int sizes[] = {
		sizeof(struct svm_pagemap_info), sizeof(struct svm_pagemap_migrate),
		sizeof(struct svm_pagemap_fault), sizeof(struct svm_pagemap_evict),
		sizeof(struct svm_pagemap_rw), sizeof(struct svm_pagemap_rw),
		sizeof(struct svm_pagemap_stats),
	};
	unsigned int size, dir = _IOC_READ | _IOC_WRITE, type = SVM_PAGEMAP_IOC_MAGIC;

	_Static_assert(sizeof(struct svm_pagemap_stats) + 8 <= FZ_ARG_WORDS * 8,
		       "the argument buffer must hold what the kernel may write back");

	*nr = sb_pick_r(s, 7);
	size = sizes[*nr];
	switch (sb_pick_r(s, 12)) {
	case 0: size += 8; break;
	case 1: size -= 8; break;
	case 2: dir = sb_pick_r(s, 3); break;
	case 3: type = sb_pick_r(s, 256); break;
	case 4: *nr = 7 + sb_pick_r(s, 249); break;
	}
	return _IOC(dir, type, *nr, size & _IOC_SIZEMASK);
}

static void fz_one_call(struct fz_worker *w, uint64_t *s, int fd)
{
	uint64_t a[FZ_ARG_WORDS];
	unsigned int nr;
	unsigned long cmd = fz_cmd(s, &nr);
	void *argp = a;
	int ret;

	fz_args(w, s, nr, a);
	switch (sb_pick_r(s, 16)) {
	case 0: argp = NULL; break;
	case 1: argp = (void *)(uintptr_t)fz_foreign_addr(w, s); break;
	case 2:	/* the struct runs into the PROT_NONE page after w->edge */
		argp = (char *)w->edge + FZ_PAGE - 8 * (1 + sb_pick_r(s, 8));
		memcpy(argp, a, (char *)w->edge + FZ_PAGE - (char *)argp);
		break;
	}
	ret = ioctl(fd, cmd, argp) ? errno : 0;
	fz_count(w->sh, ret);
}

static void *fz_caller(void *arg)
{
	struct fz_worker *w = arg;
	uint64_t s = (sb_o->seed * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid() << 20) | 1;

	while (!atomic_load(&w->stop)) {
		int fd = atomic_load(&w->fds[sb_pick_r(&s, w->ndev)]);

		fz_one_call(w, &s, fd);
		if (sb_now_ns() > w->deadline_ns)
			break;
	}
	return NULL;
}

static void fz_write_pages(void *p, size_t len, uint64_t tag)
{
	size_t off;

	for (off = 0; off < len; off += FZ_PAGE)
		*(volatile uint64_t *)((char *)p + off) = tag + off;
}

static void fz_map(struct fz_region *r, uint64_t *s)
{
	static const size_t sizes[] = { 64u << 10, 2u << 20, 4u << 20, 12u << 10 };
	size_t size = sizes[sb_pick_r(s, 4)];
	int shared = !sb_pick_r(s, 8);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	fz_write_pages(p, size, sb_rand_r(s));
	r->holey = 0;
	r->read_write = 1;
	atomic_store(&r->size, size);
	atomic_store(&r->base, (uintptr_t)p);
}

static void fz_unmap(struct fz_region *r)
{
	uintptr_t base = atomic_exchange(&r->base, 0);

	size_t size = atomic_load(&r->size);

	if (!base)
		return;
	if (!r->holey) {
		munmap((void *)base, size);
		return;
	}
	munmap((void *)base, r->hole_off);
	munmap((void *)(base + r->hole_off + r->hole_len), size - r->hole_off - r->hole_len);
}

/*
 * The child of a fork: fault in what it inherited (device pages come back
 * through the CPU-fault path in its own address space) and call the ioctls
 * on files opened by its parent.  Only async-signal-safe calls.
 */
static void fz_child(struct fz_worker *w, uint64_t *s)
{
	unsigned int i;

	for (i = 0; i < FZ_REGIONS; i++) {
		uintptr_t base = atomic_load(&w->regions[i].base);

		if (base && fz_writable(&w->regions[i]))
			sb_touch_read((void *)base, atomic_load(&w->regions[i].size));
	}
	for (i = 0; i < 50; i++)
		fz_one_call(w, s, atomic_load(&w->fds[sb_pick_r(s, w->ndev)]));
	_exit(0);
}

static void fz_churn_once(struct fz_worker *w, uint64_t *s)
{
	struct fz_region *r = &w->regions[sb_pick_r(s, FZ_REGIONS)];
	uintptr_t base = atomic_load(&r->base);
	size_t size = atomic_load(&r->size);
	size_t pages = size / FZ_PAGE, off, len;
	char path[64];
	unsigned int d;
	int status;
	pid_t pid;

	atomic_fetch_add(&w->sh->churn_ops, 1);
	if (!base) {
		fz_map(r, s);
		return;
	}
	off = sb_pick_r(s, pages) * FZ_PAGE;
	switch (sb_pick_r(s, 9)) {
	case 0:
		fz_unmap(r);
		break;
	case 1:	/* a hole: the range is no longer whole */
		if (r->holey || !off)
			break;
		len = FZ_PAGE * (1 + sb_pick_r(s, 4));
		len = len < size - off ? len : size - off;
		if (munmap((void *)(base + off), len))
			break;
		r->holey = 1;
		r->hole_off = off;
		r->hole_len = len;
		break;
	case 2:
		if (!r->holey &&
		    !mprotect((void *)base, size, sb_pick_r(s, 2) ? PROT_READ : PROT_NONE))
			r->read_write = 0;
		break;
	case 3:
		if (!r->holey && !mprotect((void *)base, size, PROT_READ | PROT_WRITE))
			r->read_write = 1;
		break;
	case 4:
		if (!r->holey)
			madvise((void *)(base + off), size - off, MADV_DONTNEED);
		break;
	case 5:
		d = sb_pick_r(s, w->ndev);
		snprintf(path, sizeof(path), "/dev/" SVM_PAGEMAP_DEV_PREFIX "%u", d);
		close(atomic_exchange(&w->fds[d], open(path, O_RDWR | O_CLOEXEC)));
		break;
	case 6:
		pid = fork();
		if (pid == 0)
			fz_child(w, s);
		if (pid < 0)
			break;
		atomic_fetch_add(&w->sh->forks, 1);
		if (waitpid(pid, &status, 0) == pid &&
		    (!WIFEXITED(status) || WEXITSTATUS(status))) {
			atomic_fetch_add(&w->sh->child_failures, 1);
			fprintf(stderr, "svmbench: fuzz: a forked child %s %d\n",
				WIFSIGNALED(status) ? "died of signal" : "exited",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
		break;
	default:	/* CPU writes: device pages come back */
		if (fz_writable(r))
			fz_write_pages((void *)base, size, sb_rand_r(s));
		break;
	}
}

/* One worker process: its files, mappings and two threads. */
static int fz_worker_run(struct fz_shared *sh, unsigned int ndev, uint64_t deadline_ns)
{
	struct fz_worker *w = calloc(1, sizeof(*w));
	uint64_t s = sb_o->seed ^ (uint64_t)getpid() * 0x2545f4914f6cdd1dULL;
	pthread_t caller;
	unsigned int i;
	char *edge;

	if (!w)
		return 1;
	w->sh = sh;
	w->ndev = ndev;
	w->deadline_ns = deadline_ns;
	for (i = 0; i < ndev; i++) {
		int fd = sb_open(i);

		if (fd < 0)
			return 1;
		atomic_store(&w->fds[i], fd);
	}
	w->scratch = mmap(NULL, FZ_SCRATCH + FZ_GUARD, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	edge = mmap(NULL, 2 * FZ_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->scratch == MAP_FAILED || mprotect(w->scratch, FZ_SCRATCH, PROT_READ | PROT_WRITE) ||
	    edge == MAP_FAILED || mprotect(edge + FZ_PAGE, FZ_PAGE, PROT_NONE))
		return 1;
	w->edge = edge;
	for (i = 0; i < FZ_REGIONS / 2; i++)
		fz_map(&w->regions[i], &s);
	if (pthread_create(&caller, NULL, fz_caller, w))
		return 1;
	while (sb_now_ns() < deadline_ns) {
		fz_churn_once(w, &s);
		usleep(sb_pick_r(&s, 2000));
	}
	atomic_store(&w->stop, 1);
	pthread_join(caller, NULL);
	return 0;
}

int sb_fuzz(void)
{
	struct fz_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t deadline = sb_now_ns() + sb_o->iterations * 1000000000ULL;
	struct svm_pagemap_info info;
	unsigned int i, ndev, procs = sb_o->procs ? sb_o->procs : 1;
	int fd, status, fails = 0;

	fd = sb_open(0);
	if (fd < 0 || sb_info(fd, &info) || sh == MAP_FAILED)
		return 1;
	close(fd);
	ndev = info.ndevices < FZ_MAX_DEVICES ? info.ndevices : FZ_MAX_DEVICES;
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(fz_worker_run(sh, ndev, deadline));
		if (pid < 0) {
			perror("svmbench: fork");
			fails++;
		}
	}
	while (wait(&status) > 0) {
		if (WIFEXITED(status) && !WEXITSTATUS(status))
			continue;
		atomic_fetch_add(&sh->worker_failures, 1);
		fprintf(stderr, "svmbench: fuzz: a worker %s %d\n",
			WIFSIGNALED(status) ? "died of signal" : "exited",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	sb_c.fuzz_calls = sh->calls;
	sb_c.fuzz_ok = sh->ok;
	sb_c.fuzz_einval = sh->einval;
	sb_c.fuzz_efault = sh->efault;
	sb_c.fuzz_ebusy = sh->ebusy;
	sb_c.fuzz_enomem = sh->enomem;
	sb_c.fuzz_enotty = sh->enotty;
	sb_c.fuzz_other_errno = sh->other;
	sb_c.fuzz_churn_ops = sh->churn_ops;
	sb_c.fuzz_forks = sh->forks;
	fails += sh->child_failures + sh->worker_failures;
	if (!sh->calls || !sh->ok) {
		fprintf(stderr, "svmbench: fuzz: %llu calls, %llu succeeded: nothing was exercised\n",
			(unsigned long long)sh->calls, (unsigned long long)sh->ok);
		fails++;
	}
	return fails;
}
