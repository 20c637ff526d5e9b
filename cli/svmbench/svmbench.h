/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmbench: workload driver for svm_pagemap.ko.  Shared declarations of the
 * scenario files.
 */
#ifndef SVMBENCH_H
#define SVMBENCH_H

#include <stddef.h>
#include <stdint.h>

#include <uapi/svm_pagemap.h>

struct sb_opts {
	const char *scenario;
	unsigned int device;
	unsigned int peer;
	uint64_t size;
	uint64_t iterations;
	unsigned int procs;
	unsigned int timeslice_ms;
	uint64_t seed;
	uint64_t max_size;
	int json;
	int verbose;
};

/* What svmbench itself counted; printed and cross-checked by the tests. */
struct sb_counts {
	uint64_t migrate_ioctls;	/* MIGRATE ioctls that started a migration */
	uint64_t migrate_ok;
	uint64_t migrate_busy;
	uint64_t migrate_nomem;
	uint64_t migrate_other_err;
	uint64_t pages_to_dev;		/* npages returned by MIGRATE/FAULT */
	uint64_t peer_pages;
	uint64_t fault_ioctls;
	uint64_t fault_attempts;
	uint64_t fault_devmem;
	uint64_t fault_system;
	uint64_t fault_failed;
	uint64_t evict_ioctls;
	uint64_t evict_busy;
	uint64_t evicted_pages;
	uint64_t dev_reads;
	uint64_t dev_writes;
	uint64_t cpu_faultbacks;	/* ranges touched by the CPU after a migration */
	uint64_t verified_pages;
	uint64_t verify_errors;
	uint64_t round_trips;
	uint64_t last_error;		/* errno of the last failed MIGRATE */
	uint64_t fuzz_calls;		/* fuzz: ioctls made, and what they returned */
	uint64_t fuzz_ok, fuzz_einval, fuzz_efault, fuzz_ebusy, fuzz_enomem;
	uint64_t fuzz_enotty, fuzz_other_errno;
	uint64_t fuzz_churn_ops, fuzz_forks;
	uint64_t integrity_writes;	/* integrity: page generations written */
	uint64_t integrity_moves;	/* ioctls moving or reading the pages */
	uint64_t integrity_torn_skipped; /* reads overlapping a write, not checked */
	double to_dev_bytes, to_dev_ns;
	double to_ram_bytes, to_ram_ns;
	double memcpy_bytes, memcpy_ns;
};

extern struct sb_counts sb_c;
extern const struct sb_opts *sb_o;

/* svmbench_helpers.c */
int sb_open(unsigned int dev);
uint64_t sb_now_ns(void);
void *sb_alloc(size_t size);
void sb_fill(void *p, size_t len, uint64_t tag, size_t off);
size_t sb_check(const void *p, size_t len, uint64_t tag, size_t off);
int sb_migrate(int fd, void *p, size_t len, unsigned int ts, uint64_t flags,
	       struct svm_pagemap_migrate *out);
int sb_fault(int fd, void *p, size_t len, uint64_t flags, unsigned int ts,
	     struct svm_pagemap_fault *out);
int sb_evict(int fd, void *p, size_t len, uint64_t flags,
	     struct svm_pagemap_evict *out);
int sb_devrw(int fd, void *p, size_t len, void *buf, int write,
	     struct svm_pagemap_rw *out);
int sb_info(int fd, struct svm_pagemap_info *info);
void sb_touch_read(const void *p, size_t len);
uint64_t sb_rand(void);
uint64_t sb_rand_r(uint64_t *state);
uint64_t sb_pick_r(uint64_t *state, uint64_t n);
void sb_srand(uint64_t seed);

/* scenarios (svmbench_scenarios.c) */
int sb_roundtrip(void);
int sb_random(void);
int sb_contend(void);
int sb_peer(void);
int sb_evict_pressure(void);
int sb_forkmunmap(void);
int sb_errors(void);
int sb_nomem(void);
int sb_stats(void);
int sb_hold(void);
int sb_evictone(void);
int sb_evictall(void);
int sb_fuzz(void);		/* svmbench_fuzz.c */
int sb_integrity(void);		/* svmbench_integrity.c */

#endif /* SVMBENCH_H */
