// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench scenarios.  Each returns the number of failures (data mismatches,
 * unexpected errors); counts go to sb_c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svmbench.h"

#define PG 4096UL

static int sb_fail(const char *what, int err)
{
	fprintf(stderr, "svmbench: %s: %s\n", what, err ? strerror(-err) : "failed");
	return 1;
}

static uint64_t sb_ndevices(int fd)
{
	struct svm_pagemap_info info;

	if (sb_info(fd, &info))
		return 1;
	return info.ndevices;
}

/*
 * Sequential round trips: fill, migrate to the device (timed), read through
 * the device and check, touch from the CPU so the range faults back (timed),
 * check; a memcpy of the same size is timed alongside as the baseline.
 */
int sb_roundtrip(void)
{
	size_t size = sb_o->size, npages = size / PG;
	struct svm_pagemap_migrate m;
	struct svm_pagemap_rw rw;
	int fd, err, fails = 0;
	uint64_t r, t0, t1;
	void *buf, *copy;

	fd = sb_open(sb_o->device);
	if (fd < 0)
		return 1;
	buf = sb_alloc(size);
	copy = sb_alloc(size);
	if (!buf || !copy)
		return 1;
	for (r = 0; r < sb_o->iterations; r++) {
		uint64_t tag = sb_o->seed + r + 1;

		sb_fill(buf, size, tag, 0);
		t0 = sb_now_ns();
		err = sb_migrate(fd, buf, size, sb_o->timeslice_ms, 0, &m);
		t1 = sb_now_ns();
		if (err || m.npages != npages) {
			/* A failed migration leaves the data where it was. */
			fails += sb_fail("migrate to device", err);
			sb_c.verify_errors += sb_check(buf, size, tag, 0);
			sb_c.verified_pages += npages;
			continue;
		}
		sb_c.to_dev_bytes += size;
		sb_c.to_dev_ns += t1 - t0;

		memset(copy, 0, size);
		err = sb_devrw(fd, buf, size, copy, 0, &rw);
		if (err || rw.device_pages != npages)
			fails += sb_fail("device read", err);
		sb_c.verify_errors += sb_check(copy, size, tag, 0);

		t0 = sb_now_ns();
		sb_touch_read(buf, size);
		t1 = sb_now_ns();
		sb_c.cpu_faultbacks++;
		sb_c.to_ram_bytes += size;
		sb_c.to_ram_ns += t1 - t0;
		sb_c.verify_errors += sb_check(buf, size, tag, 0);
		sb_c.verified_pages += npages;

		t0 = sb_now_ns();
		memcpy(copy, buf, size);
		t1 = sb_now_ns();
		sb_c.memcpy_bytes += size;
		sb_c.memcpy_ns += t1 - t0;
		sb_c.round_trips++;
	}
	munmap(buf, size);
	munmap(copy, size);
	close(fd);
	return fails + (sb_c.verify_errors ? 1 : 0);
}

/* Per-page tags of the random scenario: what each page must hold. */
static uint64_t *sb_tags;

static void sb_fill_pages(char *base, size_t first, size_t n, uint64_t tag)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		sb_fill(base + i * PG, PG, tag, i * PG);
		sb_tags[i] = tag;
	}
}

static size_t sb_check_pages(const char *data, size_t first, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		bad += sb_check(data + i * PG, PG, sb_tags[first + i],
				(first + i) * PG);
	return bad;
}

/* A log-uniform size in pages between 1 and max. */
static size_t sb_rand_pages(size_t max)
{
	unsigned int bits = 0;
	size_t n;

	while ((1UL << (bits + 1)) <= max)
		bits++;
	n = 1UL << (sb_rand() % (bits + 1));
	n += sb_rand() % n;
	return n > max ? max : n;
}

/*
 * Random ranges and sizes: migrations to random devices (so also peer
 * migrations), CPU reads and writes, device reads and writes, evictions,
 * until the asked number of migrations ran; every access is checked against
 * the pattern each page must hold.
 */
int sb_random(void)
{
	size_t size = sb_o->max_size, total = size / PG;
	unsigned int ndev, d;
	int fds[8] = { -1 };
	uint64_t tag = sb_o->seed << 20;
	struct svm_pagemap_migrate m;
	struct svm_pagemap_evict ev;
	int fails = 0, err;
	char *buf, *tmp;

	fds[0] = sb_open(0);
	if (fds[0] < 0)
		return 1;
	ndev = sb_ndevices(fds[0]);
	if (ndev > 8)
		ndev = 8;
	for (d = 1; d < ndev; d++) {
		fds[d] = sb_open(d);
		if (fds[d] < 0)
			return 1;
	}
	buf = sb_alloc(size);
	tmp = sb_alloc(size);
	sb_tags = calloc(total, sizeof(*sb_tags));
	if (!buf || !tmp || !sb_tags)
		return 1;
	sb_fill_pages(buf, 0, total, ++tag);

	while (sb_c.migrate_ioctls < sb_o->iterations) {
		size_t n = sb_rand_pages(total);
		size_t first = sb_rand() % (total - n + 1);
		char *p = buf + first * PG;
		unsigned int op = sb_rand() % 100;
		struct svm_pagemap_rw rw;

		d = sb_rand() % ndev;
		if (op < 55) {
			err = sb_migrate(fds[d], p, n * PG, 0, 0, &m);
			if (err == -ENOMEM) {
				/* Device full: evict it all and go on. */
				sb_evict(fds[d], NULL, 0, SVM_PAGEMAP_EVICT_ALL, &ev);
			} else if (err && err != -EBUSY) {
				/*
				 * -EBUSY is the one attempt the ioctl makes
				 * finding a page busy (khugepaged, an LRU
				 * drain): counted in migrate_busy, not a
				 * failure.
				 */
				fails += sb_fail("random migrate", err);
			}
		} else if (op < 70) {
			sb_c.cpu_faultbacks++;
			sb_c.verify_errors += sb_check_pages(p, first, n);
			sb_c.verified_pages += n;
		} else if (op < 80) {
			sb_fill_pages(buf, first, n, ++tag);
		} else if (op < 90) {
			err = sb_devrw(fds[d], p, n * PG, tmp, 0, &rw);
			if (err)
				fails += sb_fail("device read", err);
			else
				sb_c.verify_errors += sb_check_pages(tmp, first, n);
			sb_c.verified_pages += n;
		} else if (op < 95) {
			size_t i;

			++tag;
			for (i = 0; i < n; i++)
				sb_fill(tmp + i * PG, PG, tag, (first + i) * PG);
			err = sb_devrw(fds[d], p, n * PG, tmp, 1, &rw);
			if (err) {
				fails += sb_fail("device write", err);
			} else {
				for (i = 0; i < n; i++)
					sb_tags[first + i] = tag;
			}
		} else {
			err = sb_evict(fds[d], p, n * PG, 0, &ev);
			if (err && err != -EBUSY)
				fails += sb_fail("evict", err);
		}
		if (sb_o->verbose && sb_c.migrate_ioctls % 1000 == 0)
			fprintf(stderr, "svmbench: %llu migrations\n",
				(unsigned long long)sb_c.migrate_ioctls);
	}
	/* Everything back through the CPU, checked. */
	sb_c.verify_errors += sb_check_pages(buf, 0, total);
	sb_c.verified_pages += total;
	munmap(buf, size);
	munmap(tmp, size);
	free(sb_tags);
	for (d = 0; d < ndev; d++)
		close(fds[d]);
	return fails + (sb_c.verify_errors ? 1 : 0);
}

/*
 * Several processes contend on one range: the pages are shared (copy on
 * write, never written after the fork), every process device-faults the
 * range into the same device with a timeslice and reads it back from the
 * CPU.  The kernel retries -EBUSY and holds pages within the timeslice.
 */
int sb_contend(void)
{
	size_t size = sb_o->size;
	unsigned int i, procs = sb_o->procs ? sb_o->procs : 4;
	struct sb_counts *shared;
	int fails = 0, status;
	char *buf;

	buf = sb_alloc(size);
	shared = mmap(NULL, sizeof(*shared) * procs, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!buf || shared == MAP_FAILED)
		return 1;
	memset(shared, 0, sizeof(*shared) * procs);
	sb_fill(buf, size, sb_o->seed + 7, 0);

	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return sb_fail("fork", -errno);
		if (!pid) {
			int fd = sb_open(sb_o->device);
			uint64_t r;

			memset(&sb_c, 0, sizeof(sb_c));
			if (fd < 0)
				_exit(1);
			for (r = 0; r < sb_o->iterations; r++) {
				int err = sb_fault(fd, buf, size, 0,
						   sb_o->timeslice_ms, NULL);

				if (err)
					fails++;
				sb_c.cpu_faultbacks++;
				sb_c.verify_errors += sb_check(buf, size,
							       sb_o->seed + 7, 0);
				sb_c.verified_pages += size / PG;
			}
			shared[i] = sb_c;
			_exit(fails || sb_c.verify_errors ? 1 : 0);
		}
	}
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			fails++;
	}
	for (i = 0; i < procs; i++) {
		sb_c.fault_ioctls += shared[i].fault_ioctls;
		sb_c.fault_attempts += shared[i].fault_attempts;
		sb_c.fault_devmem += shared[i].fault_devmem;
		sb_c.fault_system += shared[i].fault_system;
		sb_c.fault_failed += shared[i].fault_failed;
		sb_c.pages_to_dev += shared[i].pages_to_dev;
		sb_c.cpu_faultbacks += shared[i].cpu_faultbacks;
		sb_c.verified_pages += shared[i].verified_pages;
		sb_c.verify_errors += shared[i].verify_errors;
	}
	munmap(shared, sizeof(*shared) * procs);
	munmap(buf, size);
	return fails;
}

/*
 * Device-to-device: into the device, then into the peer (direction peer,
 * through the peer map path), checked through both devices' views and the
 * CPU.
 */
int sb_peer(void)
{
	size_t size = sb_o->size, npages = size / PG;
	struct svm_pagemap_migrate m;
	struct svm_pagemap_rw rw;
	int fd, pfd, err, fails = 0;
	char *buf, *tmp;
	uint64_t r;

	fd = sb_open(sb_o->device);
	pfd = sb_open(sb_o->peer);
	buf = sb_alloc(size);
	tmp = sb_alloc(size);
	if (fd < 0 || pfd < 0 || !buf || !tmp)
		return 1;
	for (r = 0; r < sb_o->iterations; r++) {
		uint64_t tag = sb_o->seed + 100 + r;

		sb_fill(buf, size, tag, 0);
		err = sb_migrate(fd, buf, size, 0, 0, &m);
		if (err || m.npages != npages || m.peer_pages)
			fails += sb_fail("migrate to device", err);
		err = sb_migrate(pfd, buf, size, 0, 0, &m);
		if (err || m.npages != npages || m.peer_pages != npages)
			fails += sb_fail("peer migration", err);
		err = sb_devrw(pfd, buf, size, tmp, 0, &rw);
		if (err || rw.device_pages != npages)
			fails += sb_fail("peer device read", err);
		sb_c.verify_errors += sb_check(tmp, size, tag, 0);
		err = sb_devrw(fd, buf, size, tmp, 0, &rw);
		if (err || rw.peer_pages != npages)
			fails += sb_fail("read through the peer", err);
		sb_c.verify_errors += sb_check(tmp, size, tag, 0);
		sb_c.cpu_faultbacks++;
		sb_c.verify_errors += sb_check(buf, size, tag, 0);
		sb_c.verified_pages += 3 * npages;
		sb_c.round_trips++;
	}
	close(fd);
	close(pfd);
	munmap(buf, size);
	munmap(tmp, size);
	return fails + (sb_c.verify_errors ? 1 : 0);
}

/*
 * Device memory pressure: migrate buffers until the device is full
 * (-ENOMEM), evict everything while a child process keeps faulting its
 * copy-on-write view of the same pages, then check that device memory is
 * free again and all data intact.
 */
int sb_evict_pressure(void)
{
	size_t size = sb_o->size;
	struct svm_pagemap_info info;
	struct svm_pagemap_evict ev;
	unsigned int i, nbufs;
	int fd, err, fails = 0, status, nomem = 0;
	char **bufs;
	pid_t pid;
	uint64_t r;

	fd = sb_open(sb_o->device);
	if (fd < 0 || sb_info(fd, &info))
		return 1;
	nbufs = info.total_pages * PG / size + 2;
	bufs = calloc(nbufs, sizeof(*bufs));
	if (!bufs)
		return 1;
	for (i = 0; i < nbufs; i++) {
		bufs[i] = sb_alloc(size);
		if (!bufs[i])
			return 1;
		sb_fill(bufs[i], size, sb_o->seed + 1000 + i, 0);
	}
	/* Pressure: fill the device until it says -ENOMEM, then evict all. */
	for (i = 0; i < nbufs; i++) {
		err = sb_migrate(fd, bufs[i], size, 0, 0, NULL);
		if (err == -ENOMEM)
			nomem++;
		else if (err)
			fails += sb_fail("migrate under pressure", err);
	}
	err = sb_evict(fd, NULL, 0, SVM_PAGEMAP_EVICT_ALL, &ev);
	if (err)
		fails += sb_fail("evict all", err);
	if (sb_info(fd, &info) || info.free_pages != info.total_pages)
		fails += sb_fail("device memory not free after eviction", 0);

	/* Eviction while another process faults the same pages. */
	pid = fork();
	if (pid < 0)
		return sb_fail("fork", -errno);
	if (!pid) {
		size_t bad = 0;

		for (r = 0; r < sb_o->iterations * 4; r++)
			for (i = 0; i < nbufs; i++)
				bad += sb_check(bufs[i], size,
						sb_o->seed + 1000 + i, 0);
		_exit(bad ? 1 : 0);
	}
	for (r = 0; r < sb_o->iterations; r++) {
		for (i = 0; i < nbufs; i++) {
			err = sb_migrate(fd, bufs[i], size, 0, 0, NULL);
			if (err && err != -ENOMEM && err != -EBUSY)
				fails += sb_fail("migrate while faulting", err);
		}
		err = sb_evict(fd, NULL, 0, SVM_PAGEMAP_EVICT_ALL, &ev);
		if (err && err != -EBUSY)
			fails += sb_fail("evict all", err);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fails += sb_fail("faulting child", 0);
	/* Whatever the last round left on the device goes now. */
	if (sb_evict(fd, NULL, 0, SVM_PAGEMAP_EVICT_ALL, &ev))
		fails += sb_fail("final eviction", 0);
	for (i = 0; i < nbufs; i++) {
		sb_c.verify_errors += sb_check(bufs[i], size,
					       sb_o->seed + 1000 + i, 0);
		sb_c.verified_pages += size / PG;
		munmap(bufs[i], size);
	}
	if (!nomem)
		fails += sb_fail("device memory never ran out", 0);
	if (sb_info(fd, &info) || info.free_pages != info.total_pages)
		fails += sb_fail("device memory not free after eviction", 0);
	free(bufs);
	close(fd);
	return fails + (sb_c.verify_errors ? 1 : 0);
}

struct sb_unmapper {
	char *buf;
	size_t size;
	volatile int stop;
	uint64_t remaps;
};

static void *sb_unmap_thread(void *arg)
{
	struct sb_unmapper *u = arg;

	while (!u->stop) {
		usleep(500);
		/* Replace the range under the migrating thread's feet. */
		if (mmap(u->buf, u->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		u->remaps++;
	}
	return NULL;
}

/*
 * fork() and munmap() during migration: children inherit device pages and
 * fault them back on their side; a thread replaces the range while another
 * migrates it.  Nothing may crash or leak; data seen is either the pattern
 * or zeros (fresh mapping).
 */
int sb_forkmunmap(void)
{
	size_t size = sb_o->size;
	struct sb_unmapper u = { .size = size };
	int fd, fails = 0, status;
	pthread_t th;
	uint64_t r;
	char *buf;

	fd = sb_open(sb_o->device);
	buf = sb_alloc(size);
	if (fd < 0 || !buf)
		return 1;
	for (r = 0; r < sb_o->iterations; r++) {
		pid_t pid;

		sb_fill(buf, size, sb_o->seed + r, 0);
		if (sb_migrate(fd, buf, size, 0, 0, NULL))
			fails += sb_fail("migrate before fork", 0);
		pid = fork();
		if (pid < 0)
			return sb_fail("fork", -errno);
		if (!pid)
			_exit(sb_check(buf, size, sb_o->seed + r, 0) ? 1 : 0);
		sb_c.verify_errors += sb_check(buf, size, sb_o->seed + r, 0);
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			sb_c.verify_errors++;
		sb_c.verified_pages += 2 * size / PG;
	}

	u.buf = buf;
	if (pthread_create(&th, NULL, sb_unmap_thread, &u))
		return sb_fail("pthread_create", -errno);
	for (r = 0; r < sb_o->iterations * 4; r++) {
		int err;

		memset(buf, 0x5a, PG);
		err = sb_migrate(fd, buf, size, 0, 0, NULL);
		if (err && err != -EBUSY && err != -ENOENT && err != -ERANGE)
			fails += sb_fail("migrate while unmapping", err);
	}
	u.stop = 1;
	pthread_join(th, NULL);
	munmap(buf, size);
	close(fd);
	return fails + (sb_c.verify_errors ? 1 : 0);
}

/* Bad input: every case must fail with its errno. */
struct sb_case {
	const char *name;
	int expect;
	int got;
};

static struct sb_case sb_cases[32];
static unsigned int sb_ncases;

static int sb_expect(const char *name, int expect, int got)
{
	struct sb_case *c = &sb_cases[sb_ncases++];

	c->name = name;
	c->expect = expect;
	c->got = got;
	if (!sb_o->json)
		printf("case %-24s expect %-10s got %-10s %s\n", name,
		       strerrorname_np(expect) ?: "0", got ? strerrorname_np(got) : "0",
		       got == expect ? "ok" : "FAIL");
	return got != expect;
}

static int sb_ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

int sb_errors(void)
{
	struct svm_pagemap_migrate m;
	struct svm_pagemap_fault f;
	struct svm_pagemap_evict e;
	struct svm_pagemap_rw rw;
	int fd, fails = 0, status;
	char *buf, *hole, *shared, *two;
	pid_t pid;

	fd = sb_open(sb_o->device);
	buf = sb_alloc(16 * PG);
	hole = sb_alloc(PG);
	shared = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	two = sb_alloc(2 * PG);
	if (fd < 0 || !buf || !hole || shared == MAP_FAILED || !two)
		return 1;
	memset(buf, 1, 16 * PG);
	munmap(hole, PG);
	/* Two VMAs side by side: different protections do not merge. */
	mprotect(two + PG, PG, PROT_READ);

#define MIG(field_init) ({ memset(&m, 0, sizeof(m)); m.start = (uintptr_t)buf; \
	m.size = PG; field_init; sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_MIGRATE, &m); })
	fails += sb_expect("migrate_ok", 0, MIG((void)0));
	fails += sb_expect("unaligned_start", EINVAL, MIG(m.start += 8));
	fails += sb_expect("unaligned_size", EINVAL, MIG(m.size = 100));
	fails += sb_expect("zero_length", EINVAL, MIG(m.size = 0));
	fails += sb_expect("overflow", EOVERFLOW, MIG(m.start = ~0xfffULL; m.size = 2 * PG));
	fails += sb_expect("above_user_space", EOVERFLOW, MIG(m.start = 1ULL << 60));
	fails += sb_expect("too_big", E2BIG, MIG(m.size = 1ULL << 40));
	fails += sb_expect("unmapped", ENOENT, MIG(m.start = (uintptr_t)hole));
	fails += sb_expect("cross_vma", ERANGE, MIG(m.start = (uintptr_t)two; m.size = 2 * PG));
	fails += sb_expect("not_anonymous", EOPNOTSUPP, MIG(m.start = (uintptr_t)shared));
	fails += sb_expect("bad_flags", EINVAL, MIG(m.flags = 1ULL << 40));
	fails += sb_expect("reserved", EINVAL, MIG(m.reserved[1] = 1));
	fails += sb_expect("timeslice", EINVAL, MIG(m.timeslice_ms = 1000000));
	fails += sb_expect("bad_pointer", EFAULT,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_MIGRATE, (void *)8));
	fails += sb_expect("unknown_ioctl", ENOTTY,
			   sb_ioctl_errno(fd, _IO(SVM_PAGEMAP_IOC_MAGIC, 0x7f), NULL));
#undef MIG

	memset(&f, 0, sizeof(f));
	f.start = (uintptr_t)buf;
	f.size = PG;
	f.flags = SVM_PAGEMAP_FAULT_DEVMEM_ONLY | SVM_PAGEMAP_FAULT_NO_MIGRATE;
	fails += sb_expect("fault_flag_conflict", EINVAL,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_FAULT, &f));
	f.flags = 0;
	f.start = (uintptr_t)hole;
	fails += sb_expect("fault_unmapped", ENOENT,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_FAULT, &f));
	f.start = (uintptr_t)shared;
	fails += sb_expect("fault_not_anonymous", EOPNOTSUPP,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_FAULT, &f));

	memset(&e, 0, sizeof(e));
	e.flags = SVM_PAGEMAP_EVICT_ALL;
	e.start = (uintptr_t)buf;
	fails += sb_expect("evict_all_with_range", EINVAL,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_EVICT, &e));
	e.flags = 0;
	e.size = 0;
	fails += sb_expect("evict_zero_length", EINVAL,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_EVICT, &e));

	memset(&rw, 0, sizeof(rw));
	rw.start = (uintptr_t)buf;
	rw.size = PG;
	rw.buf = 1ULL << 62;
	fails += sb_expect("read_bad_buffer", EFAULT,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_READ, &rw));
	rw.buf = (uintptr_t)(buf + 8 * PG);
	rw.start += 4;
	fails += sb_expect("read_unaligned", EINVAL,
			   sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_READ, &rw));

	/* The fd belongs to this address space; a child's is another one. */
	pid = fork();
	if (pid == 0) {
		memset(&m, 0, sizeof(m));
		m.start = (uintptr_t)buf;
		m.size = PG;
		_exit(sb_ioctl_errno(fd, SVM_PAGEMAP_IOC_MIGRATE, &m));
	}
	waitpid(pid, &status, 0);
	fails += sb_expect("foreign_mm", EPERM,
			   WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	munmap(buf, 16 * PG);
	munmap(shared, PG);
	munmap(two, 2 * PG);
	close(fd);
	return fails;
}

/* For the JSON writer of svmbench_main.c. */
unsigned int sb_case_count(void);
const char *sb_case_name(unsigned int i, int *expect, int *got);

unsigned int sb_case_count(void)
{
	return sb_ncases;
}

const char *sb_case_name(unsigned int i, int *expect, int *got)
{
	*expect = sb_cases[i].expect;
	*got = sb_cases[i].got;
	return sb_cases[i].name;
}

/*
 * Device memory exhausted: a device fault falls back to mapping system
 * pages, a devmem-only fault and a plain migration get -ENOMEM.
 */
int sb_nomem(void)
{
	struct svm_pagemap_info info;
	struct svm_pagemap_fault f;
	struct svm_pagemap_evict ev;
	size_t size, small = 16 * PG;
	int fd, err, fails = 0;
	char *big, *buf;

	fd = sb_open(sb_o->device);
	if (fd < 0 || sb_info(fd, &info))
		return 1;
	size = info.free_pages * PG;
	big = sb_alloc(size);
	buf = sb_alloc(small);
	if (!big || !buf)
		return 1;
	sb_fill(big, size, sb_o->seed + 50, 0);
	sb_fill(buf, small, sb_o->seed + 51, 0);
	/* Fill the device in max_migrate-sized steps. */
	for (size_t off = 0; off < size; off += 64UL << 20) {
		size_t len = size - off < (64UL << 20) ? size - off : 64UL << 20;

		err = sb_migrate(fd, big + off, len, 0, 0, NULL);
		if (err)
			fails += sb_fail("filling the device", err);
	}
	err = sb_migrate(fd, buf, small, 0, 0, NULL);
	if (err != -ENOMEM)
		fails += sb_fail("migration into a full device did not get ENOMEM", err);
	err = sb_fault(fd, buf, small, SVM_PAGEMAP_FAULT_DEVMEM_ONLY, 0, &f);
	if (err != -ENOMEM || f.placement != SVM_PAGEMAP_PLACEMENT_NONE)
		fails += sb_fail("devmem-only fault did not get ENOMEM", err);
	err = sb_fault(fd, buf, small, 0, 0, &f);
	if (err || f.placement != SVM_PAGEMAP_PLACEMENT_SYSTEM)
		fails += sb_fail("fault did not fall back to system pages", err);
	sb_c.verify_errors += sb_check(buf, small, sb_o->seed + 51, 0);
	if (sb_evict(fd, NULL, 0, SVM_PAGEMAP_EVICT_ALL, &ev))
		fails += sb_fail("evict all", 0);
	err = sb_fault(fd, buf, small, SVM_PAGEMAP_FAULT_DEVMEM_ONLY, 0, &f);
	if (err || f.placement != SVM_PAGEMAP_PLACEMENT_DEVMEM)
		fails += sb_fail("devmem-only fault after eviction", err);
	sb_c.verify_errors += sb_check(big, size, sb_o->seed + 50, 0);
	sb_c.verify_errors += sb_check(buf, small, sb_o->seed + 51, 0);
	sb_c.verified_pages += size / PG + 2 * small / PG;
	munmap(big, size);
	munmap(buf, small);
	close(fd);
	return fails + (sb_c.verify_errors ? 1 : 0);
}

/*
 * Migrate a range to the device, close the device and wait for SIGUSR1 with
 * the pages on the device (no file of the module open); then check the data
 * (wherever it is by then) and exit.  Prints "ready <free pages>" once set.
 */
int sb_hold(void)
{
	size_t size = sb_o->size;
	struct svm_pagemap_info info;
	sigset_t set;
	int fd, sig;
	char *buf;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = sb_open(sb_o->device);
	buf = sb_alloc(size);
	if (fd < 0 || !buf)
		return 1;
	sb_fill(buf, size, sb_o->seed + 77, 0);
	if (sb_migrate(fd, buf, size, 0, 0, NULL) || sb_info(fd, &info))
		return sb_fail("migrate to hold", 0);
	close(fd);
	printf("ready %llu\n", (unsigned long long)info.free_pages);
	fflush(stdout);
	sigwait(&set, &sig);
	sb_c.verify_errors += sb_check(buf, size, sb_o->seed + 77, 0);
	sb_c.verified_pages += size / PG;
	return sb_c.verify_errors ? 1 : 0;
}

/* Migrate, evict the range (direction evict), check the data. */
int sb_evictone(void)
{
	size_t size = sb_o->size, npages = size / PG;
	struct svm_pagemap_evict ev;
	int fd, err, fails = 0;
	uint64_t r;
	char *buf;

	fd = sb_open(sb_o->device);
	buf = sb_alloc(size);
	if (fd < 0 || !buf)
		return 1;
	for (r = 0; r < sb_o->iterations; r++) {
		sb_fill(buf, size, sb_o->seed + 300 + r, 0);
		err = sb_migrate(fd, buf, size, 0, 0, NULL);
		if (err)
			fails += sb_fail("migrate", err);
		err = sb_evict(fd, buf, size, 0, &ev);
		if (err || ev.npages != npages || ev.nallocs != 1)
			fails += sb_fail("evict range", err);
		sb_c.verify_errors += sb_check(buf, size, sb_o->seed + 300 + r, 0);
		sb_c.verified_pages += npages;
		sb_c.round_trips++;
	}
	munmap(buf, size);
	close(fd);
	return fails + (sb_c.verify_errors ? 1 : 0);
}

/* Evict everything on the device (any process's allocations). */
int sb_evictall(void)
{
	struct svm_pagemap_evict ev;
	int fd = sb_open(sb_o->device);
	int err;

	if (fd < 0)
		return 1;
	err = sb_evict(fd, NULL, 0, SVM_PAGEMAP_EVICT_ALL, &ev);
	close(fd);
	return err ? sb_fail("evict all", err) : 0;
}
