/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aggregation both svmtrace sources share: the module's tracepoints
 * (svmtrace.bpf.c) and the kernel's own functions (svmtrace_kernel.bpf.c)
 * feed stage ends, migration ends, map paths and IOVA use into the same
 * maps, counters and records, so every command reads either the same way.
 * Included once by each BPF object.
 */
#ifndef SVMTRACE_AGGREGATE_BPF_H
#define SVMTRACE_AGGREGATE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* Only the uapi header's constants are needed; its includes would clash
 * with vmlinux.h. */
#define _LINUX_TYPES_H
#define _LINUX_IOCTL_H
#include <uapi/svm_pagemap.h>

#include "svmtrace.h"

#define PAGE_SIZE_BYTES 4096

const volatile bool per_pid;
const volatile bool per_cgroup;
const volatile bool record_events;
const volatile bool track_processes;	/* svmtop, export: per-process totals */
const volatile bool track_devices;	/* svmtop, export: per-device totals */
const volatile __u32 filter_pid;
const volatile __u64 filter_cgroup;
const volatile __u32 filter_device = SVMTRACE_ALL;
const volatile __u32 filter_direction = SVMTRACE_ALL;
const volatile __u64 pingpong_k = 3;
const volatile __u64 pingpong_window_ns = 1000000000ull;
const volatile __u32 hist_pool_size = 256;

/*
 * Counters are global data, read by user space through the skeleton's
 * mmapped .bss; every update is one atomic add.
 */
__u64 svmtrace_event_counts[SVMTRACE_EV_MAX];
__u64 svmtrace_counters[SVMTRACE_CNT_MAX];

/*
 * Latency histograms.  A sample is two atomic adds on the shared value (its
 * bucket and the sum; the count is the buckets' total, summed in user space)
 * and a compare-and-swap only when it raises the maximum.  Per-CPU values
 * would need no atomics but cannot be created reliably from a tracepoint
 * (their per-CPU allocation is refilled asynchronously) and cost the value
 * size times the CPUs.  max_entries is the key cap (svmtrace --max-keys).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct svmtrace_bpf_hist_key);
	__type(value, struct svmtrace_hist);
} svmtrace_hists SEC(".maps");

/*
 * Without per-process or per-cgroup keys (what hist, gate and export ask by
 * default) a key packs into an index of svmtrace_hist_slots
 * (svmtrace_hist_slot_of), whose slot holds the key's sum and max and
 * names the blocks of svmtrace_hist_pool its groups of buckets took, each
 * on its first sample (struct svmtrace_hist_slot).  Both are arrays: the
 * verifier inlines their lookups, so a sample costs no hashing, and the
 * seven samples of a migration touch few pages: their slots' and the
 * blocks their stages took side by side.  Under emulation and on a busy
 * machine alike, the pages a program touches are what it pays for.  User
 * space maps both.  hist_pool_size keys' worth of blocks is the key cap of
 * this path.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SVMTRACE_HIST_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, u32);
	__type(value, struct svmtrace_hist_slot);
} svmtrace_hist_slots SEC(".maps");

/* Sized by user space: hist_pool_size * SVMTRACE_HIST_GROUPS blocks. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256 * SVMTRACE_HIST_GROUPS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, u32);
	__type(value, struct svmtrace_hist_block);
} svmtrace_hist_pool SEC(".maps");

__u64 svmtrace_hist_pool_used;

/* A zeroed histogram to create new keys from (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct svmtrace_hist);
} svmtrace_zero_hist SEC(".maps");

/* Sized down to one entry by user space unless track_processes is set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, struct svmtrace_proc);
} svmtrace_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SVMTRACE_MAX_DEVICES);
	__type(key, u32);
	__type(value, struct svmtrace_device);
} svmtrace_devices SEC(".maps");

/*
 * Ranges seen migrating, for ping-pong: a direct-mapped table in an array,
 * a range's entry picked by a multiplicative hash of its tag.  A range
 * whose entry another range took starts counting again, as a range evicted
 * from an LRU map would; with 8192 entries, that takes thousands of ranges
 * migrating within T.  One entry and no choice between two keep the code
 * short, which is what a program pays for most under emulation.  Entries
 * are updated without locks: two CPUs racing on one range can lose a flip.
 */
#define PINGPONG_ENTRIES_LOG2	13
#define PINGPONG_ENTRIES	(1u << PINGPONG_ENTRIES_LOG2)

struct pingpong_entry {
	u64 tag;		/* pingpong_tag(): the range, 0 when free */
	u64 window_start;	/* of the current window of T */
	u32 last_direction;
	u16 flips;
	u16 flagged;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PINGPONG_ENTRIES);
	__type(key, u32);
	__type(value, struct pingpong_entry);
} svmtrace_pingpong SEC(".maps");

/* Sized down to one page by user space unless record_events is set. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} svmtrace_records SEC(".maps");

/* barrier_var: the check must stay on the index the access uses. */
static __always_inline void counter_add(u32 idx, u64 delta)
{
	barrier_var(idx);
	if (idx < SVMTRACE_CNT_MAX)
		__sync_fetch_and_add(&svmtrace_counters[idx], delta);
}

static __always_inline void count_event(u32 event)
{
	barrier_var(event);
	if (event < SVMTRACE_EV_MAX)
		__sync_fetch_and_add(&svmtrace_event_counts[event], 1);
}

static __always_inline u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/*
 * The process an event ran in: @carried, the tgid the event brought along
 * (svm_migrate_end's stage times), or 0 to ask the helper.  The helper
 * reads the task, lines the event has not touched: under emulation that
 * is a tenth of svm_migrate_end's program.
 */
static __always_inline u32 tgid_of(u32 carried)
{
	return carried ? carried : current_tgid();
}

static __always_inline bool selected(u32 tgid, u32 device, u32 direction)
{
	if (filter_pid && tgid_of(tgid) != filter_pid)
		return false;
	if (filter_cgroup && bpf_get_current_cgroup_id() != filter_cgroup)
		return false;
	if (filter_device != SVMTRACE_ALL && device != filter_device)
		return false;
	if (filter_direction != SVMTRACE_ALL && direction != filter_direction)
		return false;
	return true;
}

/* The histogram of a key with a process or cgroup in it, created on first sight. */
static __always_inline struct svmtrace_hist *hist_by_hash(u32 stage, u32 direction, u32 trigger,
							  u32 path, u32 device, u32 tgid)
{
	struct svmtrace_bpf_hist_key key = {
		.stage = stage,
		.direction = direction,
		.trigger = trigger,
		.path = path,
		.device = device,
	};
	struct svmtrace_hist *h, *init;
	u32 zero = 0;

	if (per_pid)
		key.pid = tgid_of(tgid);
	if (per_cgroup)
		key.cgroup = bpf_get_current_cgroup_id();
	h = bpf_map_lookup_elem(&svmtrace_hists, &key);
	if (h)
		return h;
	init = bpf_map_lookup_elem(&svmtrace_zero_hist, &zero);
	if (!init)
		return NULL;
	/* fails with -EEXIST when another CPU created it first */
	bpf_map_update_elem(&svmtrace_hists, &key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&svmtrace_hists, &key);
}

/*
 * A sample's bucket.  A global function, verified once: the branches of
 * svmtrace_log2 would otherwise multiply the paths of every program that
 * records samples on several paths (the kernel source's collect exit).
 */
__noinline u32 svmtrace_bucket_of(u64 ns)
{
	return svmtrace_hist_index(ns);
}

/* A sample's sum and max. */
static __always_inline void sum_max_add(u64 *sum, u64 *max_ns, u64 ns)
{
	u32 tries = 4;
	u64 max;

	__sync_fetch_and_add(sum, ns);
	max = *max_ns;
	while (ns > max) {
		u64 seen = __sync_val_compare_and_swap(max_ns, max, ns);

		if (seen == max || --tries == 0)
			break;
		max = seen;
	}
}

/* One sample into a histogram's buckets, sum and max. */
static __always_inline bool hist_sample(struct svmtrace_hist *h, u64 ns)
{
	u32 idx = svmtrace_bucket_of(ns);

	barrier_var(idx);
	if (idx >= SVMTRACE_HIST_BUCKETS)
		return false;
	__sync_fetch_and_add(&h->slots[idx], 1);
	sum_max_add(&h->sum, &h->max, ns);
	return true;
}

/*
 * One sample into the slot of a key without process or cgroup: its bucket's
 * group takes the next free block of the pool on its first sample.
 * hist_pool_size keys' worth of blocks make the key cap of this path.
 */
static __always_inline bool slot_sample(u32 index, u64 ns)
{
	struct svmtrace_hist_slot *slot = bpf_map_lookup_elem(&svmtrace_hist_slots, &index);
	u32 idx = svmtrace_bucket_of(ns), group, block;
	struct svmtrace_hist_block *b;
	u64 taken;

	barrier_var(idx);
	if (!slot || idx >= SVMTRACE_HIST_BUCKETS)
		return false;
	group = idx / SVMTRACE_HIST_SUB;
	block = slot->block[group];
	if (!block) {
		taken = __sync_fetch_and_add(&svmtrace_hist_pool_used, 1) + 1;
		if (taken > (u64)hist_pool_size * SVMTRACE_HIST_GROUPS)
			return false;
		block = __sync_val_compare_and_swap(&slot->block[group], 0, (u32)taken);
		/* another CPU took one first: its block stands, this one stays unused */
		if (!block)
			block = taken;
	}
	block--;
	b = bpf_map_lookup_elem(&svmtrace_hist_pool, &block);
	if (!b)
		return false;
	__sync_fetch_and_add(&b->slots[idx % SVMTRACE_HIST_SUB], 1);
	sum_max_add(&slot->sum, &slot->max, ns);
	return true;
}

/* A latency sample; false when its key found no room (the key cap). */
static __always_inline bool latency_add(u32 stage, u32 direction, u32 trigger, u32 path,
					u32 device, u64 ns, u32 tgid)
{
	struct svmtrace_hist *h;
	bool added;

	if (per_pid || per_cgroup) {
		h = hist_by_hash(stage, direction, trigger, path, device, tgid);
		added = h && hist_sample(h, ns);
	} else {
		added = slot_sample(svmtrace_hist_slot_of(stage, direction, trigger, path, device),
				    ns);
	}
	if (!added)
		counter_add(SVMTRACE_CNT_KEYS_OVERFLOW, 1);
	return added;
}

static __always_inline struct svmtrace_proc *proc_entry(u32 tgid)
{
	struct svmtrace_proc zero = {}, *p;
	u32 pid = tgid_of(tgid);

	p = bpf_map_lookup_elem(&svmtrace_procs, &pid);
	if (p)
		return p;
	bpf_get_current_comm(zero.comm, sizeof(zero.comm));
	bpf_map_update_elem(&svmtrace_procs, &pid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&svmtrace_procs, &pid);
}

static __always_inline struct svmtrace_device *device_entry(u32 device)
{
	return bpf_map_lookup_elem(&svmtrace_devices, &device);
}

static __always_inline void emit_record(u32 event, u64 id, u32 device, u32 stage, u32 direction,
					u32 trigger, u32 path, u64 start, u64 npages, u64 bytes,
					u64 duration_ns, s32 result, u32 tgid)
{
	struct svmtrace_record *r;

	r = bpf_ringbuf_reserve(&svmtrace_records, sizeof(*r), 0);
	if (!r) {
		counter_add(SVMTRACE_CNT_RECORDS_LOST, 1);
		return;
	}
	r->ts_ns = bpf_ktime_get_ns();
	r->id = id;
	r->start = start;
	r->npages = npages;
	r->bytes = bytes;
	r->duration_ns = duration_ns;
	r->event = event;
	r->pid = tgid_of(tgid);
	r->device = device;
	r->stage = stage;
	r->direction = direction;
	r->trigger = trigger;
	r->path = path;
	r->result = result;
	r->cgroup = bpf_get_current_cgroup_id();
	bpf_ringbuf_submit(r, 0);
}

extern unsigned int CONFIG_HZ __kconfig __weak;

/*
 * The time of ping-pong windows where the event does not carry one (the
 * module's svm_migrate_end does: its stage times' end_ns; the kernel source
 * has its own clock read): jiffies (the tick, no clocksource read)
 * where the kernel's config says how long one is.  A window of T (a second
 * by default) needs no finer time, and reading the clocksource costs more
 * than the rest of the program where it is slow (HPET, or under TCG: 6 us
 * of svm_migrate_end's 25).  The coarse ktime helper is not allowed in
 * tracing programs.
 */
static __always_inline u64 pingpong_now(void)
{
	if (CONFIG_HZ)
		return bpf_jiffies64() * (1000000000ull / CONFIG_HZ);
	return bpf_ktime_get_ns();
}

/* A range's identity: its page and its process, exact (pid_max is at most 2^22). */
static __always_inline u64 pingpong_tag(u32 pid, u64 start)
{
	return (start >> 12) << 22 | (pid & ((1u << 22) - 1));
}

/* One range bouncing RAM <-> device more than K times within T is ping-pong. */
static __always_inline void pingpong_track(u32 tgid, u32 direction, u64 start, u64 now)
{
	u64 tag = pingpong_tag(tgid_of(tgid), start);
	struct pingpong_entry *e;
	struct svmtrace_proc *p;
	u32 index;

	if (direction != SVM_PAGEMAP_DIR_TO_DEV && direction != SVM_PAGEMAP_DIR_TO_RAM)
		return;
	index = (tag * 0x9E3779B97F4A7C15ull) >> (64 - PINGPONG_ENTRIES_LOG2);
	e = bpf_map_lookup_elem(&svmtrace_pingpong, &index);
	if (!e)
		return;
	if (e->tag != tag || now - e->window_start > pingpong_window_ns) {
		e->tag = tag;
		e->window_start = now;
		e->last_direction = direction;
		e->flips = 0;
		e->flagged = 0;
		return;
	}
	if (direction == e->last_direction)
		return;
	e->last_direction = direction;
	if (e->flips < 0xffff)
		e->flips++;
	/* K round trips are 2K direction changes. */
	if (!e->flagged && e->flips > 2 * pingpong_k) {
		e->flagged = 1;
		counter_add(SVMTRACE_CNT_PINGPONG_RANGES, 1);
		if (track_processes) {
			p = proc_entry(tgid);
			if (p)
				__sync_fetch_and_add(&p->pingpong, 1);
		}
	}
}

/* An IOVA allocation tried: its outcome, the bytes in use and their peak. */
static __always_inline void svmtrace_iova_allocated(u64 size, u32 reason)
{
	u64 cur;

	if (reason < SVM_PAGEMAP_IOVA_COUNT)
		counter_add(SVMTRACE_CNT_IOVA_REASON0 + reason, 1);
	if (reason != SVM_PAGEMAP_IOVA_OK)
		return;
	cur = __sync_add_and_fetch(&svmtrace_counters[SVMTRACE_CNT_IOVA_NOW], size);
	if (cur > svmtrace_counters[SVMTRACE_CNT_IOVA_PEAK])
		svmtrace_counters[SVMTRACE_CNT_IOVA_PEAK] = cur;
}

static __always_inline void svmtrace_iova_freed(u64 size)
{
	counter_add(SVMTRACE_CNT_IOVA_NOW, -size);
}

/*
 * @end_ns: when it ended, in the source's clock for ping-pong windows; 0
 * when not known (a migration that began before svmtrace attached): no
 * ping-pong step for it.
 * @total_sampled: its duration is already in the histograms
 * (svmtrace_sample_taken, with the stages of the migration).
 * @tgid: its process as the event carried it, 0 when it did not (tgid_of).
 */
static __always_inline int svmtrace_migration_ended(u64 id, u32 device, u32 direction, u32 trigger,
					      u32 path, u64 start, u64 npages, u64 migrated,
					      s32 result, u64 duration_ns, u64 end_ns,
					      bool total_sampled, u32 tgid)
{
	u32 dir = direction & 3;

	/* Keep the masked index in a register the verifier can bound. */
	barrier_var(dir);
	counter_add(SVMTRACE_CNT_MIGRATIONS, 1);
	if (result < 0)
		counter_add(SVMTRACE_CNT_MIGRATIONS_FAILED, 1);
	counter_add(SVMTRACE_CNT_PAGES_DIR0 + dir, migrated);
	counter_add(SVMTRACE_CNT_BYTES_DIR0 + dir, migrated * PAGE_SIZE_BYTES);
	if (track_devices) {
		struct svmtrace_device *dev = device_entry(device);

		if (dev) {
			__sync_fetch_and_add(&dev->migrations, 1);
			__sync_fetch_and_add(&dev->pages[dir], migrated);
		}
	}
	if (!selected(tgid, device, direction))
		return 0;
	if (!total_sampled)
		latency_add(SVMTRACE_STAGE_TOTAL, direction, trigger, path, device, duration_ns,
			    tgid);
	if (track_processes) {
		struct svmtrace_proc *p = proc_entry(tgid);

		if (p) {
			__sync_fetch_and_add(&p->migrations, 1);
			__sync_fetch_and_add(&p->pages[dir], migrated);
		}
	}
	if (result >= 0 && migrated && end_ns)
		pingpong_track(tgid, direction, start, end_ns);
	if (record_events)
		emit_record(SVM_PAGEMAP_EV_MIGRATE_END, id, device, SVMTRACE_STAGE_TOTAL,
			    direction, trigger, path, start, npages,
			    migrated * PAGE_SIZE_BYTES, duration_ns, result, tgid);
	return 0;
}

/*
 * With no filter, every svm_stage_end is a histogram sample, and user space
 * counts the events by adding up the stage histograms
 * (svmtrace_read_event_counts): the hot path touches no counter page.  The
 * events that make no sample (no room for their key, a stage out of range)
 * are counted here.
 */
#define stage_ends_in_hists()							\
	(!filter_pid && !filter_cgroup && filter_device == SVMTRACE_ALL &&	\
	 filter_direction == SVMTRACE_ALL)

/*
 * A latency sample of @stage, or of a migration's total
 * (SVMTRACE_STAGE_TOTAL), counted as its event is: a stage sample is an
 * svm_stage_end.  @tgid as in svmtrace_migration_ended.  Returns whether
 * the filters select it.
 */
static __always_inline bool svmtrace_sample_taken(u32 stage, u32 device, u32 direction,
						  u32 trigger, u32 path, u64 duration_ns, u32 tgid)
{
	bool is_stage = stage < SVMTRACE_STAGE_TOTAL;
	bool counted_by_hists = stage_ends_in_hists() && is_stage;

	if (is_stage && !counted_by_hists)
		count_event(SVM_PAGEMAP_EV_STAGE_END);
	if (!selected(tgid, device, direction))
		return false;
	if (!latency_add(stage, direction, trigger, path, device, duration_ns, tgid) &&
	    counted_by_hists)
		count_event(SVM_PAGEMAP_EV_STAGE_END);
	return true;
}

static __always_inline int svmtrace_stage_ended(u64 id, u32 device, u32 stage, u32 direction,
					    u32 trigger, u32 path, u64 npages, u64 bytes,
					    u64 duration_ns, s32 error)
{
	if (stage >= SVMTRACE_STAGE_TOTAL) {
		count_event(SVM_PAGEMAP_EV_STAGE_END);
		return 0;
	}
	if (svmtrace_sample_taken(stage, device, direction, trigger, path, duration_ns, 0) &&
	    record_events)
		emit_record(SVM_PAGEMAP_EV_STAGE_END, id, device, stage, direction, trigger, path,
			    0, npages, bytes, duration_ns, error, 0);
	return 0;
}

#endif /* SVMTRACE_AGGREGATE_BPF_H */
