// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench helpers: device access, data patterns, timing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "svmbench.h"

static uint64_t sb_state = 0x9e3779b97f4a7c15ULL;

void sb_srand(uint64_t seed)
{
	sb_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* xorshift64* on caller-held state: threads each keep their own. */
uint64_t sb_rand_r(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/* A number below @n (0 when @n is 0) from @state. */
uint64_t sb_pick_r(uint64_t *state, uint64_t n)
{
	return n ? sb_rand_r(state) % n : 0;
}

/* The process-wide sequence, reproducible from --seed. */
uint64_t sb_rand(void)
{
	return sb_rand_r(&sb_state);
}

uint64_t sb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int sb_open(unsigned int dev)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/" SVM_PAGEMAP_DEV_PREFIX "%u", dev);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "svmbench: open %s: %s%s\n", path, strerror(errno),
			errno == ENOENT ? " (is svm_pagemap loaded?)" : "");
	return fd;
}

/* Private anonymous memory, written so every page exists. */
void *sb_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("svmbench: mmap");
		return NULL;
	}
	return p;
}

/*
 * The data pattern: every 8-byte word holds a function of its offset in the
 * buffer and a tag that changes every round, so stale or misplaced pages
 * (and pages of another round) are caught.
 */
static inline uint64_t sb_word(uint64_t tag, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL ^ tag;

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

void sb_fill(void *p, size_t len, uint64_t tag, size_t off)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = sb_word(tag, off + i * 8);
}

/* Returns the number of 4 KiB pages with at least one wrong word. */
size_t sb_check(const void *p, size_t len, uint64_t tag, size_t off)
{
	const uint64_t *w = p;
	size_t i, bad = 0, lastbad = (size_t)-1;

	for (i = 0; i < len / 8; i++) {
		if (w[i] == sb_word(tag, off + i * 8))
			continue;
		if ((i * 8) / 4096 != lastbad) {
			lastbad = (i * 8) / 4096;
			if (bad < 3 && sb_o->verbose)
				fprintf(stderr,
					"svmbench: mismatch at offset %zu: %#llx != %#llx\n",
					off + i * 8, (unsigned long long)w[i],
					(unsigned long long)sb_word(tag, off + i * 8));
			bad++;
		}
	}
	return bad;
}

void sb_touch_read(const void *p, size_t len)
{
	const volatile char *c = p;
	size_t i;

	for (i = 0; i < len; i += 4096)
		(void)c[i];
}

int sb_migrate(int fd, void *p, size_t len, unsigned int ts, uint64_t flags,
	       struct svm_pagemap_migrate *out)
{
	struct svm_pagemap_migrate m = {
		.start = (uintptr_t)p, .size = len, .flags = flags,
		.timeslice_ms = ts,
	};
	int ret = ioctl(fd, SVM_PAGEMAP_IOC_MIGRATE, &m) ? -errno : 0;

	if (m.id)
		sb_c.migrate_ioctls++;
	if (ret)
		sb_c.last_error = -ret;
	if (!ret) {
		sb_c.migrate_ok++;
		sb_c.pages_to_dev += m.npages;
		sb_c.peer_pages += m.peer_pages;
	} else if (ret == -EBUSY) {
		sb_c.migrate_busy++;
	} else if (ret == -ENOMEM) {
		sb_c.migrate_nomem++;
	} else {
		sb_c.migrate_other_err++;
	}
	if (out)
		*out = m;
	return ret;
}

int sb_fault(int fd, void *p, size_t len, uint64_t flags, unsigned int ts,
	     struct svm_pagemap_fault *out)
{
	struct svm_pagemap_fault f = {
		.start = (uintptr_t)p, .size = len, .flags = flags,
		.timeslice_ms = ts,
	};
	int ret = ioctl(fd, SVM_PAGEMAP_IOC_FAULT, &f) ? -errno : 0;

	sb_c.fault_ioctls++;
	sb_c.fault_attempts += f.attempts;
	sb_c.pages_to_dev += f.npages;
	if (f.placement == SVM_PAGEMAP_PLACEMENT_DEVMEM)
		sb_c.fault_devmem++;
	else if (f.placement == SVM_PAGEMAP_PLACEMENT_SYSTEM)
		sb_c.fault_system++;
	else
		sb_c.fault_failed++;
	if (out)
		*out = f;
	return ret;
}

int sb_evict(int fd, void *p, size_t len, uint64_t flags,
	     struct svm_pagemap_evict *out)
{
	struct svm_pagemap_evict e = {
		.start = (uintptr_t)p, .size = len, .flags = flags,
	};
	int ret = ioctl(fd, SVM_PAGEMAP_IOC_EVICT, &e) ? -errno : 0;

	sb_c.evict_ioctls++;
	sb_c.evicted_pages += e.npages;
	if (ret == -EBUSY)
		sb_c.evict_busy++;
	if (out)
		*out = e;
	return ret;
}

int sb_devrw(int fd, void *p, size_t len, void *buf, int write,
	     struct svm_pagemap_rw *out)
{
	struct svm_pagemap_rw r = {
		.start = (uintptr_t)p, .size = len, .buf = (uintptr_t)buf,
	};
	int ret = ioctl(fd, write ? SVM_PAGEMAP_IOC_WRITE : SVM_PAGEMAP_IOC_READ,
			&r) ? -errno : 0;

	if (write)
		sb_c.dev_writes++;
	else
		sb_c.dev_reads++;
	if (out)
		*out = r;
	return ret;
}

int sb_info(int fd, struct svm_pagemap_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, SVM_PAGEMAP_IOC_INFO, info) ? -errno : 0;
}
