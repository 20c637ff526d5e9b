// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario "integrity": data survives every path at once.  -s bytes
 * (default 2 MiB) of private anonymous memory are rewritten page by page,
 * in numbered generations, by two writer threads (each the only writer of
 * its pages), while -P mover threads (default 4) migrate ranges of it into
 * the devices (device to device when they are elsewhere), device-fault and
 * evict them, and read them through the devices and the CPU; a forker takes
 * snapshots now and then, in children that check their copy.  Runs -n
 * seconds.
 *
 * Every read is checked against a per-page sequence count kept in memory
 * that never migrates, a seqlock: odd while the page's writer writes it.  A
 * page read while its count was even and unchanged must be exactly that
 * generation, every word in place; a read that overlapped a write is
 * skipped (and counted).  At the end every page must hold its last
 * generation, read by the CPU and through every device.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svmbench.h"

#define IT_PAGE		4096u
#define IT_WORDS	(IT_PAGE / 8)
#define IT_WRITERS	2
#define IT_MAX_RUN	64	/* pages per move or read */
#define IT_MAX_DEVICES	8

struct it_state {
	char *buf;			/* the pages under test */
	size_t npages;
	atomic_ullong *seq;		/* per page, never migrated */
	pthread_rwlock_t fork_lock;	/* writers read-hold it; fork write-holds */
	int fds[IT_MAX_DEVICES];
	unsigned int ndev;
	uint64_t deadline_ns;
	atomic_int stop;
	atomic_ullong writes, moves, verified, torn, errors, forks;
};

/* A thread's state and its index among writers or movers. */
struct it_thread {
	struct it_state *t;
	unsigned int index;
};


/* Word i of page p in generation gen: any misplaced or stale word differs. */
static uint64_t it_word(size_t p, uint64_t gen, size_t i)
{
	uint64_t x;

	if (i == 0)
		return p;
	if (i == 1)
		return gen;
	x = (p << 40 ^ gen << 12 ^ i) * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static void it_fill(uint64_t *w, size_t p, uint64_t gen)
{
	size_t i;

	for (i = 0; i < IT_WORDS; i++)
		w[i] = it_word(p, gen, i);
}

/* A copy of page p read between seq counts s1 and s2: checked if it can be. */
static void it_check(struct it_state *t, const uint64_t *w, size_t p, uint64_t s1,
		     uint64_t s2, const char *how)
{
	uint64_t gen = s1 / 2;
	size_t i;

	if (s1 != s2 || (s1 & 1)) {
		atomic_fetch_add(&t->torn, 1);
		return;
	}
	for (i = 0; i < IT_WORDS; i++) {
		if (w[i] == it_word(p, gen, i))
			continue;
		if (atomic_fetch_add(&t->errors, 1) < 5)
			fprintf(stderr, "svmbench: integrity: page %zu read %s: word %zu is %#llx, "
				"generation %llu wants %#llx (page says generation %llu)\n",
				p, how, i, (unsigned long long)w[i], (unsigned long long)gen,
				(unsigned long long)it_word(p, gen, i),
				(unsigned long long)w[1]);
		return;
	}
	atomic_fetch_add(&t->verified, 1);
}

static void *it_writer(void *arg)
{
	const struct it_thread *me = arg;
	struct it_state *t = me->t;
	uint64_t s = (sb_o->seed + me->index) * 0x9e3779b97f4a7c15ULL | 1;

	/* pages index, index + IT_WRITERS, ... are this writer's alone */
	while (!atomic_load(&t->stop)) {
		size_t p = sb_pick_r(&s, t->npages / IT_WRITERS) * IT_WRITERS + me->index;
		uint64_t sq;

		if (p >= t->npages)
			continue;
		pthread_rwlock_rdlock(&t->fork_lock);
		sq = atomic_load_explicit(&t->seq[p], memory_order_relaxed);
		atomic_store_explicit(&t->seq[p], sq + 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		it_fill((uint64_t *)(t->buf + p * IT_PAGE), p, sq / 2 + 1);
		atomic_store_explicit(&t->seq[p], sq + 2, memory_order_release);
		pthread_rwlock_unlock(&t->fork_lock);
		atomic_fetch_add(&t->writes, 1);
		usleep(sb_pick_r(&s, 300));
	}
	return NULL;
}

/* Read [p, p + n) through device fd (READ ioctl) and check every page. */
static void it_device_read(struct it_state *t, int fd, size_t p, size_t n, uint64_t *copy)
{
	uint64_t s1[IT_MAX_RUN], s2[IT_MAX_RUN];
	size_t i;

	for (i = 0; i < n; i++)
		s1[i] = atomic_load_explicit(&t->seq[p + i], memory_order_acquire);
	if (sb_devrw(fd, t->buf + p * IT_PAGE, n * IT_PAGE, copy, 0, NULL))
		return;
	for (i = 0; i < n; i++)
		s2[i] = atomic_load_explicit(&t->seq[p + i], memory_order_acquire);
	for (i = 0; i < n; i++)
		it_check(t, copy + i * IT_WORDS, p + i, s1[i], s2[i], "through a device");
}

/* The same by the CPU, page by page (device pages fault back to RAM). */
static void it_cpu_read(struct it_state *t, size_t p, size_t n, uint64_t *copy)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t s1 = atomic_load_explicit(&t->seq[p + i], memory_order_acquire), s2;

		memcpy(copy, t->buf + (p + i) * IT_PAGE, IT_PAGE);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&t->seq[p + i], memory_order_relaxed);
		it_check(t, copy, p + i, s1, s2, "by the CPU");
	}
}

static void *it_mover(void *arg)
{
	const struct it_thread *me = arg;
	struct it_state *t = me->t;
	uint64_t s = (sb_o->seed + 100 + me->index) * 0x2545f4914f6cdd1dULL | 1;
	uint64_t *copy = malloc(IT_MAX_RUN * IT_PAGE);

	if (!copy)
		return NULL;
	while (!atomic_load(&t->stop) && sb_now_ns() < t->deadline_ns) {
		size_t p = sb_pick_r(&s, t->npages);
		size_t n = 1 + sb_pick_r(&s, IT_MAX_RUN);
		int fd = t->fds[sb_pick_r(&s, t->ndev)];
		char *at;

		if (n > t->npages - p)
			n = t->npages - p;
		at = t->buf + p * IT_PAGE;
		switch (sb_pick_r(&s, 6)) {
		case 0:
			sb_migrate(fd, at, n * IT_PAGE, sb_pick_r(&s, 3), 0, NULL);
			break;
		case 1:
			sb_fault(fd, at, n * IT_PAGE, sb_pick_r(&s, 2) ? SVM_PAGEMAP_FAULT_PREFETCH : 0,
				 sb_pick_r(&s, 3), NULL);
			break;
		case 2:
			sb_evict(fd, at, n * IT_PAGE, 0, NULL);
			break;
		case 3:
			/* the whole range, so whole allocations move */
			sb_migrate(fd, t->buf, t->npages * IT_PAGE, 0, 0, NULL);
			break;
		case 4:
			it_device_read(t, fd, p, n, copy);
			break;
		default:
			it_cpu_read(t, p, n, copy);
			break;
		}
		atomic_fetch_add(&t->moves, 1);
	}
	free(copy);
	return NULL;
}

/*
 * A snapshot: with the writers held, fork; the child owns a copy-on-write
 * image of the pages (device pages shared until touched) and of the counts,
 * every count even, and checks every page of it.
 */
static int it_fork_check(struct it_state *t)
{
	int status, bad = 0;
	pid_t pid;
	size_t p;

	pthread_rwlock_wrlock(&t->fork_lock);
	pid = fork();
	if (pid == 0) {
		for (p = 0; p < t->npages; p++) {
			const uint64_t *w = (const uint64_t *)(t->buf + p * IT_PAGE);
			uint64_t sq = atomic_load(&t->seq[p]);
			size_t i;

			for (i = 0; i < IT_WORDS; i++)
				if (w[i] != it_word(p, sq / 2, i) || (sq & 1)) {
					bad++;
					break;
				}
		}
		_exit(bad ? 1 : 0);
	}
	pthread_rwlock_unlock(&t->fork_lock);
	if (pid < 0)
		return 0;
	atomic_fetch_add(&t->forks, 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "svmbench: integrity: a forked snapshot %s\n",
			WIFSIGNALED(status) ? "died of a signal" : "found wrong pages");
		return 1;
	}
	return 0;
}

int sb_integrity(void)
{
	struct it_state t = { 0 };
	unsigned int i, movers = sb_o->procs ? sb_o->procs : 1;
	struct it_thread wargs[IT_WRITERS], *margs;
	pthread_t writers[IT_WRITERS], *movs;
	struct svm_pagemap_info info;
	uint64_t *copy;
	int fails = 0;
	size_t p;

	if (sb_o->size % IT_PAGE || !sb_o->size) {
		fprintf(stderr, "svmbench: integrity: -s must be whole pages\n");
		return 1;
	}
	t.npages = sb_o->size / IT_PAGE;
	t.buf = sb_alloc(sb_o->size);
	t.seq = mmap(NULL, t.npages * sizeof(*t.seq), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	copy = malloc(IT_MAX_RUN * IT_PAGE);
	movs = calloc(movers, sizeof(*movs));
	margs = calloc(movers, sizeof(*margs));
	if (!t.buf || t.seq == MAP_FAILED || !copy || !movs || !margs)
		return 1;
	t.fds[0] = sb_open(0);
	if (t.fds[0] < 0 || sb_info(t.fds[0], &info))
		return 1;
	t.ndev = info.ndevices < IT_MAX_DEVICES ? info.ndevices : IT_MAX_DEVICES;
	for (i = 1; i < t.ndev; i++) {
		t.fds[i] = sb_open(i);
		if (t.fds[i] < 0)
			return 1;
	}
	for (p = 0; p < t.npages; p++)
		it_fill((uint64_t *)(t.buf + p * IT_PAGE), p, 0);
	pthread_rwlock_init(&t.fork_lock, NULL);
	t.deadline_ns = sb_now_ns() + sb_o->iterations * 1000000000ULL;

	for (i = 0; i < IT_WRITERS; i++) {
		wargs[i] = (struct it_thread){ .t = &t, .index = i };
		if (pthread_create(&writers[i], NULL, it_writer, &wargs[i]))
			return 1;
	}
	for (i = 0; i < movers; i++) {
		margs[i] = (struct it_thread){ .t = &t, .index = i };
		if (pthread_create(&movs[i], NULL, it_mover, &margs[i]))
			return 1;
	}
	while (sb_now_ns() < t.deadline_ns) {
		usleep(200000);
		fails += it_fork_check(&t);
	}
	atomic_store(&t.stop, 1);
	for (i = 0; i < IT_WRITERS; i++)
		pthread_join(writers[i], NULL);
	for (i = 0; i < movers; i++)
		pthread_join(movs[i], NULL);

	/* Quiet now: every page must hold its last generation, everywhere. */
	for (p = 0; p < t.npages; p += IT_MAX_RUN) {
		size_t n = t.npages - p < IT_MAX_RUN ? t.npages - p : IT_MAX_RUN;

		sb_migrate(t.fds[p / IT_MAX_RUN % t.ndev], t.buf + p * IT_PAGE, n * IT_PAGE,
			   0, 0, NULL);
		for (i = 0; i < t.ndev; i++)
			it_device_read(&t, t.fds[i], p, n, copy);
		it_cpu_read(&t, p, n, copy);
	}
	sb_c.integrity_writes = t.writes;
	sb_c.integrity_moves = t.moves;
	sb_c.integrity_torn_skipped = t.torn;
	sb_c.verified_pages = t.verified;
	sb_c.verify_errors = t.errors;
	fails += t.errors;
	if (!t.writes || !t.verified || !t.forks) {
		fprintf(stderr, "svmbench: integrity: %llu writes, %llu pages verified, %llu snapshots: "
			"too little was exercised\n", (unsigned long long)t.writes,
			(unsigned long long)t.verified, (unsigned long long)t.forks);
		fails++;
	}
	free(copy);
	free(movs);
	free(margs);
	return fails;
}
