/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the svmtrace BPF programs and the svmtrace CLI: fixed-width
 * types only (the includer provides __u32/__u64 and the uapi constants of
 * svm_pagemap.h), no kernel or libc headers.  The enum values of direction,
 * trigger, stage and path are the module's, from the vocabulary table
 * include/uapi/svm_pagemap_vocab.h.
 */
#ifndef SVMTRACE_H
#define SVMTRACE_H

#include <uapi/svm_pagemap.h>

#include "svmtrace_hist.h"

/* Events counted one by one, to cross-check against perf and the module:
 * the module's tracepoints, from the one vocabulary table. */
#define SVMTRACE_EV_MAX		SVM_PAGEMAP_EV_COUNT

/* Histogram "stage" beyond the module's: the whole migration. */
#define SVMTRACE_STAGE_TOTAL	SVM_PAGEMAP_STAGE_COUNT
#define SVMTRACE_STAGE_MAX	(SVMTRACE_STAGE_TOTAL + 1)
/* Histogram "path" when the migration mapped nothing (or not yet). */
#define SVMTRACE_PATH_NONE	SVM_PAGEMAP_PATH_NONE
/* Devices (pagemaps) svmtrace tells apart. */
#define SVMTRACE_MAX_DEVICES	64
#define SVMTRACE_ALL		0xffffffffu

/* Global counters (array map svmtrace_counters). */
enum svmtrace_counter {
	SVMTRACE_CNT_MIGRATIONS,	/* svm_migrate_end, any result */
	SVMTRACE_CNT_MIGRATIONS_FAILED,	/* ... with result < 0 */
	SVMTRACE_CNT_IOVA_NOW,		/* IOVA bytes allocated right now */
	SVMTRACE_CNT_IOVA_PEAK,		/* highest IOVA_NOW seen */
	SVMTRACE_CNT_KEYS_OVERFLOW,	/* histogram updates dropped: key cap reached */
	SVMTRACE_CNT_TIMESLICE_HOLDS,
	SVMTRACE_CNT_PINGPONG_RANGES,	/* ranges that bounced more than K times in T */
	SVMTRACE_CNT_RECORDS_LOST,	/* ring buffer full: records dropped */
	/* per direction: pages and bytes migrated (migrated pages x PAGE_SIZE) */
	SVMTRACE_CNT_PAGES_DIR0,
	SVMTRACE_CNT_BYTES_DIR0 = SVMTRACE_CNT_PAGES_DIR0 + SVM_PAGEMAP_DIR_COUNT,
	/* map path use, per path */
	SVMTRACE_CNT_PATH0 = SVMTRACE_CNT_BYTES_DIR0 + SVM_PAGEMAP_DIR_COUNT,
	/* svm_iova_alloc outcomes, per reason */
	SVMTRACE_CNT_IOVA_REASON0 = SVMTRACE_CNT_PATH0 + SVM_PAGEMAP_PATH_COUNT,
	/* svm_retry by reason */
	SVMTRACE_CNT_RETRY0 = SVMTRACE_CNT_IOVA_REASON0 + SVM_PAGEMAP_IOVA_COUNT,
	/* svm_evict_retry by reason */
	SVMTRACE_CNT_EVICT_RETRY0 = SVMTRACE_CNT_RETRY0 + SVM_PAGEMAP_RETRY_COUNT,
	SVMTRACE_CNT_MAX = SVMTRACE_CNT_EVICT_RETRY0 + SVM_PAGEMAP_RETRY_COUNT,
};

/**
 * struct svmtrace_hist_key - what one latency histogram aggregates
 * @stage: a module stage (0-5) or SVMTRACE_STAGE_TOTAL
 * @direction: SVM_PAGEMAP_DIR_*
 * @trigger: SVM_PAGEMAP_TRIGGER_*
 * @path: the migration's map path (SVM_PAGEMAP_PATH_*) or SVMTRACE_PATH_NONE
 * @device: software device index
 * @pid: process (tgid) when aggregating per process, else 0
 * @cgroup: cgroup id when aggregating per cgroup, else 0
 */
struct svmtrace_hist_key {
	__u32 stage;
	__u32 direction;
	__u32 trigger;
	__u32 path;
	__u32 device;
	__u32 pid;
	__u64 cgroup;
};

/*
 * The slot of a key without process or cgroup (svmtrace_hist_slots): every
 * part within its range.  Out of range: SVMTRACE_HIST_SLOTS, which no slot
 * has.  The device is the outermost part and the stage the innermost, and
 * path "none" (the stages before the map stage) comes before the real
 * paths: the slots of one migration's stages lie within a page or two.
 */
#define SVMTRACE_HIST_PATHS	(SVM_PAGEMAP_PATH_COUNT + 1)
#define SVMTRACE_HIST_DEVICE_SLOTS (SVM_PAGEMAP_DIR_COUNT * SVM_PAGEMAP_TRIGGER_COUNT *	\
				    SVMTRACE_HIST_PATHS * SVMTRACE_STAGE_MAX)
#define SVMTRACE_HIST_SLOTS	(SVMTRACE_HIST_DEVICE_SLOTS * SVMTRACE_MAX_DEVICES)

static inline __u32 svmtrace_hist_slot_of(__u32 stage, __u32 direction, __u32 trigger,
					  __u32 path, __u32 device)
{
	if (path == SVMTRACE_PATH_NONE)
		path = 0;
	else if (path < SVM_PAGEMAP_PATH_COUNT)
		path++;
	else
		return SVMTRACE_HIST_SLOTS;
	if (stage >= SVMTRACE_STAGE_MAX || direction >= SVM_PAGEMAP_DIR_COUNT ||
	    trigger >= SVM_PAGEMAP_TRIGGER_COUNT || path >= SVMTRACE_HIST_PATHS ||
	    device >= SVMTRACE_MAX_DEVICES)
		return SVMTRACE_HIST_SLOTS;
	return (((device * SVM_PAGEMAP_DIR_COUNT + direction) * SVM_PAGEMAP_TRIGGER_COUNT +
		 trigger) * SVMTRACE_HIST_PATHS + path) * SVMTRACE_STAGE_MAX + stage;
}

/* The key of slot @index: svmtrace_hist_slot_of backwards (user space). */
static inline void svmtrace_hist_slot_key(__u32 index, struct svmtrace_hist_key *k)
{
	k->pid = 0;
	k->cgroup = 0;
	k->stage = index % SVMTRACE_STAGE_MAX;
	index /= SVMTRACE_STAGE_MAX;
	k->path = index % SVMTRACE_HIST_PATHS;
	k->path = k->path ? k->path - 1 : SVMTRACE_PATH_NONE;
	index /= SVMTRACE_HIST_PATHS;
	k->trigger = index % SVM_PAGEMAP_TRIGGER_COUNT;
	index /= SVM_PAGEMAP_TRIGGER_COUNT;
	k->direction = index % SVM_PAGEMAP_DIR_COUNT;
	k->device = index / SVM_PAGEMAP_DIR_COUNT;
}

/**
 * struct svmtrace_bpf_hist_key - the key of svmtrace_hists in the kernel:
 * struct svmtrace_hist_key packed into 24 bytes, so the hash is short
 * @stage: as in struct svmtrace_hist_key
 * @direction: as in struct svmtrace_hist_key
 * @trigger: as in struct svmtrace_hist_key
 * @path: as in struct svmtrace_hist_key
 * @device: as in struct svmtrace_hist_key
 * @pid: as in struct svmtrace_hist_key
 * @pad: zero
 * @cgroup: as in struct svmtrace_hist_key
 */
struct svmtrace_bpf_hist_key {
	__u8 stage;
	__u8 direction;
	__u8 trigger;
	__u8 path;
	__u32 device;
	__u32 pid;
	__u32 pad;
	__u64 cgroup;
};

/**
 * struct svmtrace_hist - one latency histogram, in ns
 * @count: values recorded (left 0 by the BPF side: the sum of @slots)
 * @sum: their sum
 * @max: the largest
 * @slots: counts per log-linear bucket (svmtrace_hist.h)
 */
struct svmtrace_hist {
	__u64 count;
	__u64 sum;
	__u64 max;
	__u64 slots[SVMTRACE_HIST_BUCKETS];
};

/* A histogram's buckets in groups of one power of two (svmtrace_hist.h). */
#define SVMTRACE_HIST_GROUPS	(SVMTRACE_HIST_BUCKETS / SVMTRACE_HIST_SUB)

/**
 * struct svmtrace_hist_slot - a key without process or cgroup in
 * svmtrace_hist_slots: its sum and max, and where its buckets are
 * @sum: as in struct svmtrace_hist
 * @max: as in struct svmtrace_hist
 * @block: per group of buckets, 1 + the index of its block in
 *	   svmtrace_hist_pool, 0 before the group's first sample
 *
 * A key's 1216 buckets (9.7 KB) would put every stage of a migration on
 * a page of its own; a sample's cost is mostly the pages it touches.
 * Blocks are taken in the order samples first need them, so the groups a
 * workload's stages actually use lie side by side, a migration's seven
 * samples on one or two pages.  The slots of one migration's stages are
 * neighbours too (the stage is the innermost part of the slot index).
 */
struct svmtrace_hist_slot {
	__u64 sum;
	__u64 max;
	__u32 block[SVMTRACE_HIST_GROUPS];
};

/**
 * struct svmtrace_hist_block - one group of a histogram's buckets in the pool
 * @slots: buckets SVMTRACE_HIST_SUB * group .. + SVMTRACE_HIST_SUB - 1 of
 *	   struct svmtrace_hist's
 */
struct svmtrace_hist_block {
	__u64 slots[SVMTRACE_HIST_SUB];
};

/**
 * struct svmtrace_proc - per-process totals (hash map svmtrace_procs)
 * @migrations: migrations that ended
 * @pages: pages migrated, per direction
 * @retries: svm_retry events
 * @timeslice_holds: CPU faults held back by the timeslice
 * @pingpong: ranges of this process that bounced more than K times in T
 * @comm: process name
 */
struct svmtrace_proc {
	__u64 migrations;
	__u64 pages[SVM_PAGEMAP_DIR_COUNT];
	__u64 retries;
	__u64 timeslice_holds;
	__u64 pingpong;
	char comm[16];
};


/**
 * struct svmtrace_device - per-device totals (array map svmtrace_devices)
 * @migrations: migrations into or out of this device that ended
 * @pages: pages migrated, per direction
 * @retries: svm_retry events
 * @timeslice_holds: CPU faults held back by the timeslice
 */
struct svmtrace_device {
	__u64 migrations;
	__u64 pages[SVM_PAGEMAP_DIR_COUNT];
	__u64 retries;
	__u64 timeslice_holds;
};

/* Per-event record for svmtrace record (ring buffer svmtrace_records). */
struct svmtrace_record {
	__u64 ts_ns;
	__u64 id;
	__u64 start;
	__u64 npages;
	__u64 bytes;
	__u64 duration_ns;
	__u32 event;		/* enum svmtrace_event */
	__u32 pid;
	__u32 device;
	__u32 stage;
	__u32 direction;
	__u32 trigger;
	__u32 path;
	__s32 result;
	__u64 cgroup;		/* cgroup v2 id of the process */
};

#endif /* SVMTRACE_H */
