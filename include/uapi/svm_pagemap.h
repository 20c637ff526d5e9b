/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svm_pagemap: user-space ABI of the software GPU-SVM migration engine.
 *
 * One character device per software device, /dev/svm_pagemap<N>, mode 0600.
 * Every ioctl takes a struct whose __u64 fields are marked (in) or (out);
 * reserved fields must be zero.  SVM_PAGEMAP_ABI_VERSION grows when a
 * structure or ioctl changes meaning; user space checks it with
 * SVM_PAGEMAP_IOC_INFO before anything else.
 *
 * A file descriptor belongs to the address space (mm) of the process that
 * opened it: ranges are always virtual addresses of that process, and an
 * ioctl issued from another address space (e.g. a child after fork()) fails
 * with EPERM (reason SVM_PAGEMAP_REASON_FOREIGN_MM).
 *
 * Errors of the range ioctls (MIGRATE, FAULT, EVICT, READ, WRITE), each also
 * traced by svm_pagemap:svm_reject with its reason:
 *   EFAULT     the ioctl argument (or READ/WRITE buffer) is not accessible
 *   EINVAL     start or size not page aligned, size zero, unknown flag,
 *              reserved field not zero, timeslice over the limit
 *   EOVERFLOW  start + size wraps or ends above the user address space
 *   E2BIG      size above the module's max_migrate_mib
 *   ENOENT     no VMA at start (unmapped)
 *   ERANGE     the range crosses the end of its VMA
 *   EOPNOTSUPP the VMA is not private anonymous memory
 *   EPERM      the fd belongs to another address space
 * and from the migration itself:
 *   EBUSY      fewer pages could be collected than asked (racing migration
 *              or CPU fault); retry
 *   ENOMEM     device memory exhausted (MIGRATE, FAULT with DEVMEM_ONLY)
 *   EIO, EFAULT, ENOMEM  an injected failure (see the fail_* parameters)
 */
#ifndef _UAPI_SVM_PAGEMAP_H
#define _UAPI_SVM_PAGEMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "svm_pagemap_vocab.h"

#define SVM_PAGEMAP_ABI_VERSION	2
#define SVM_PAGEMAP_DEV_PREFIX	"svm_pagemap"

/*
 * The migration vocabulary (directions, triggers, stages, map paths, IOVA,
 * reject and retry reasons, injection points, placements, events) is defined
 * once, as X-macro lists, in svm_pagemap_vocab.h; these enums and counts are
 * built from it.
 */
#define SVM_PAGEMAP_VOCAB(c, ...)	c,
#define SVM_PAGEMAP_VOCAB_LAST(c, ...)	c,
enum { SVM_PAGEMAP_DIRECTIONS SVM_PAGEMAP_DIR_COUNT };
enum { SVM_PAGEMAP_TRIGGERS SVM_PAGEMAP_TRIGGER_COUNT };
enum { SVM_PAGEMAP_STAGES SVM_PAGEMAP_STAGE_COUNT };
enum { SVM_PAGEMAP_PATHS SVM_PAGEMAP_PATH_COUNT };
enum { SVM_PAGEMAP_IOVA_REASONS SVM_PAGEMAP_IOVA_COUNT };
enum { SVM_PAGEMAP_REJECT_REASONS SVM_PAGEMAP_REASON_COUNT };
enum { SVM_PAGEMAP_RETRY_REASONS SVM_PAGEMAP_RETRY_COUNT };
enum { SVM_PAGEMAP_INJECT_POINTS SVM_PAGEMAP_INJECT_COUNT };
enum { SVM_PAGEMAP_PLACEMENTS SVM_PAGEMAP_PLACEMENT_COUNT };
enum { SVM_PAGEMAP_EVENTS SVM_PAGEMAP_EV_COUNT };
#undef SVM_PAGEMAP_VOCAB
#undef SVM_PAGEMAP_VOCAB_LAST

/* Field "path" of svm_stage_end and svm_migrate_end before anything was mapped. */
#define SVM_PAGEMAP_PATH_NONE		15

/**
 * struct svm_pagemap_stage_times - the stages one migration reached
 * @ns: duration of each stage (SVM_PAGEMAP_STAGE_*), as its svm_stage_end
 *      carried it (0 when it was not timed)
 * @path: the map path (SVM_PAGEMAP_PATH_*) its svm_stage_end carried
 * @reached: bit s set when stage s ended, i.e. its svm_stage_end fired
 * @tgid: process (thread group id, in the initial namespace) of the task the
 *        migration ended in: what bpf_get_current_pid_tgid() >> 32 would
 *        return, without the helper call and the task's cache lines
 * @end_ns: CLOCK_MONOTONIC ns when the migration ended (what its duration_ns
 *          was measured against), 0 when it was not timed
 *
 * The last argument of svm_migrate_end, passed by pointer to BPF programs
 * only (tp_btf, raw_tp; not in the trace record): one program run per
 * migration can take every stage's sample, instead of one run per stage.
 * A stage ends at most once per migration.
 */
struct svm_pagemap_stage_times {
	__u64 ns[SVM_PAGEMAP_STAGE_COUNT];
	__u8 path[SVM_PAGEMAP_STAGE_COUNT];
	__u32 reached;
	__u32 tgid;
	__u64 end_ns;
};

/**
 * struct svm_pagemap_info - SVM_PAGEMAP_IOC_INFO
 * @abi_version: (out) SVM_PAGEMAP_ABI_VERSION of the module
 * @device_id: (out) index of this software device
 * @ndevices: (out) number of software devices the module created
 * @total_pages: (out) device-private pages of this device
 * @free_pages: (out) of which free now (released allocations included)
 * @reserved: (in) must be zero
 */
struct svm_pagemap_info {
	__u64 abi_version;
	__u64 device_id;
	__u64 ndevices;
	__u64 total_pages;
	__u64 free_pages;
	__u64 reserved[3];
};

/* svm_pagemap_migrate.flags */
#define SVM_PAGEMAP_MIGRATE_SAME_PAGEMAP	(1ULL << 0) /* re-migrate pages already here */

/**
 * struct svm_pagemap_migrate - SVM_PAGEMAP_IOC_MIGRATE: one migration attempt
 * of [start, start + size) of the caller into this device (trigger prefetch),
 * no retry and no fallback.  Pages of other software devices in the range are
 * migrated device-to-device (direction peer); pages already on this device
 * are skipped unless SVM_PAGEMAP_MIGRATE_SAME_PAGEMAP.
 * @start: (in) page-aligned virtual address
 * @size: (in) page-aligned length in bytes
 * @flags: (in) SVM_PAGEMAP_MIGRATE_*
 * @timeslice_ms: (in) CPU faults within this time after the migration leave
 *	the pages on the device (livelock guard); at most 10000
 * @id: (out) migration id (the tracepoints' "id"), 0 if none started
 * @npages: (out) pages migrated into this device
 * @peer_pages: (out) of which came from another device
 * @reserved: (in) must be zero
 */
struct svm_pagemap_migrate {
	__u64 start;
	__u64 size;
	__u64 flags;
	__u64 timeslice_ms;
	__u64 id;
	__u64 npages;
	__u64 peer_pages;
	__u64 reserved[2];
};

/* svm_pagemap_fault.flags */
#define SVM_PAGEMAP_FAULT_PREFETCH	(1ULL << 0) /* a prefetch, not a fault */
#define SVM_PAGEMAP_FAULT_DEVMEM_ONLY	(1ULL << 1) /* fail rather than map system pages */
#define SVM_PAGEMAP_FAULT_NO_MIGRATE	(1ULL << 2) /* policy hint: keep in system memory */

/**
 * struct svm_pagemap_fault - SVM_PAGEMAP_IOC_FAULT: a device page fault (or
 * prefetch) on a range, handled like xe: the policy migrates to device memory,
 * -EBUSY is retried with a doubled timeslice up to fault_retries times, then
 * (unless DEVMEM_ONLY) the system pages are mapped for the device instead.
 * @start: (in) page-aligned virtual address
 * @size: (in) page-aligned length in bytes
 * @flags: (in) SVM_PAGEMAP_FAULT_*
 * @timeslice_ms: (in) initial timeslice, at most 10000
 * @placement: (out) SVM_PAGEMAP_PLACEMENT_*
 * @attempts: (out) migration attempts made
 * @npages: (out) pages migrated into this device
 * @id: (out) id of the last migration attempt, 0 if none
 * @reserved: (in) must be zero
 */
struct svm_pagemap_fault {
	__u64 start;
	__u64 size;
	__u64 flags;
	__u64 timeslice_ms;
	__u64 placement;
	__u64 attempts;
	__u64 npages;
	__u64 id;
	__u64 reserved[2];
};

/* svm_pagemap_evict.flags */
#define SVM_PAGEMAP_EVICT_ALL	(1ULL << 0) /* every allocation of the device; start, size 0 */

/**
 * struct svm_pagemap_evict - SVM_PAGEMAP_IOC_EVICT: evict device allocations
 * to RAM without the mmap lock (migrate_device_pfns/range), retrying
 * evict_retries times.  Without EVICT_ALL, every allocation of this device
 * made for the caller's address space that overlaps [start, start + size) is
 * evicted as a whole.  EBUSY when an allocation could not be detached.
 * @start: (in) page-aligned virtual address
 * @size: (in) page-aligned length in bytes
 * @flags: (in) SVM_PAGEMAP_EVICT_*
 * @nallocs: (out) allocations evicted
 * @npages: (out) pages migrated to RAM
 * @reserved: (in) must be zero
 */
struct svm_pagemap_evict {
	__u64 start;
	__u64 size;
	__u64 flags;
	__u64 nallocs;
	__u64 npages;
	__u64 reserved[3];
};

/**
 * struct svm_pagemap_rw - SVM_PAGEMAP_IOC_READ / SVM_PAGEMAP_IOC_WRITE: the
 * device's view of [start, start + size): pages in this device's memory are
 * accessed there, pages of another software device through that device's
 * memory (peer access), system pages are faulted in and accessed in RAM.
 * Nothing migrates.
 * @start: (in) page-aligned virtual address
 * @size: (in) page-aligned length in bytes
 * @buf: (in) user buffer of @size bytes, destination (READ) or source (WRITE)
 * @flags: (in) must be zero
 * @device_pages: (out) pages found in this device's memory
 * @peer_pages: (out) pages found in another device's memory
 * @system_pages: (out) pages found in system memory
 * @reserved: (in) must be zero
 */
struct svm_pagemap_rw {
	__u64 start;
	__u64 size;
	__u64 buf;
	__u64 flags;
	__u64 device_pages;
	__u64 peer_pages;
	__u64 system_pages;
	__u64 reserved;
};

/**
 * struct svm_pagemap_stats - SVM_PAGEMAP_IOC_STATS: counters of this device
 * since the module was loaded.  Each counter moves together with one
 * tracepoint (docs/tracepoints.md), so trace counts can be checked against it.
 * Arrays are indexed by the SVM_PAGEMAP_* constants above.
 * @flags: (in) must be zero
 * @size: (out) sizeof(struct svm_pagemap_stats) of the module
 * @migrations: (out) svm_migrate_begin per direction
 * @migrations_failed: (out) svm_migrate_end with result != 0, per direction
 * @pages: (out) pages migrated per direction
 * @triggers: (out) svm_migrate_begin per trigger
 * @stage_calls: (out) svm_stage_end per stage
 * @stage_errors: (out) svm_stage_end with error != 0, per stage
 * @stage_pages: (out) sum of svm_stage_end npages, per stage
 * @map_calls: (out) svm_map per path
 * @map_pages: (out) pages mapped per path
 * @iova_allocs: (out) svm_iova_alloc per reason (OK = IOVA path taken)
 * @iova_frees: (out) svm_iova_free
 * @rejects: (out) svm_reject per reason
 * @retries: (out) svm_retry per reason
 * @evict_retries: (out) svm_evict_retry
 * @timeslice_holds: (out) svm_timeslice_hold
 * @device_faults: (out) svm_device_fault per placement
 * @injected: (out) svm_inject per point
 * @devmem_allocs: (out) svm_devmem_alloc
 * @devmem_releases: (out) svm_devmem_release
 * @verify_ok: (out) svm_verify with result 0
 * @verify_failed: (out) svm_verify with result != 0
 * @ioctls: (out) svm_ioctl fired before this call
 * @reserved: (out) zero
 */
struct svm_pagemap_stats {
	__u64 flags;
	__u64 size;
	__u64 migrations[8];
	__u64 migrations_failed[8];
	__u64 pages[8];
	__u64 triggers[8];
	__u64 stage_calls[8];
	__u64 stage_errors[8];
	__u64 stage_pages[8];
	__u64 map_calls[8];
	__u64 map_pages[8];
	__u64 iova_allocs[8];
	__u64 iova_frees;
	__u64 rejects[16];
	__u64 retries[8];
	__u64 evict_retries;
	__u64 timeslice_holds;
	__u64 device_faults[4];
	__u64 injected[8];
	__u64 devmem_allocs;
	__u64 devmem_releases;
	__u64 verify_ok;
	__u64 verify_failed;
	__u64 ioctls;
	__u64 reserved[15];
};

#define SVM_PAGEMAP_IOC_MAGIC	'S'
#define SVM_PAGEMAP_IOC_INFO	_IOWR(SVM_PAGEMAP_IOC_MAGIC, 0x00, struct svm_pagemap_info)
#define SVM_PAGEMAP_IOC_MIGRATE	_IOWR(SVM_PAGEMAP_IOC_MAGIC, 0x01, struct svm_pagemap_migrate)
#define SVM_PAGEMAP_IOC_FAULT	_IOWR(SVM_PAGEMAP_IOC_MAGIC, 0x02, struct svm_pagemap_fault)
#define SVM_PAGEMAP_IOC_EVICT	_IOWR(SVM_PAGEMAP_IOC_MAGIC, 0x03, struct svm_pagemap_evict)
#define SVM_PAGEMAP_IOC_READ	_IOWR(SVM_PAGEMAP_IOC_MAGIC, 0x04, struct svm_pagemap_rw)
#define SVM_PAGEMAP_IOC_WRITE	_IOWR(SVM_PAGEMAP_IOC_MAGIC, 0x05, struct svm_pagemap_rw)
#define SVM_PAGEMAP_IOC_STATS	_IOWR(SVM_PAGEMAP_IOC_MAGIC, 0x06, struct svm_pagemap_stats)

#endif /* _UAPI_SVM_PAGEMAP_H */
