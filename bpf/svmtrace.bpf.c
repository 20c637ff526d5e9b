// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace in-kernel aggregation of the svm_pagemap tracepoints
 * (docs/tracepoints.md): latency histograms per stage and per migration,
 * IOVA usage, livelock signals (retries, timeslice holds, ping-pong), per
 * process and per device totals (only for the commands that show them), and
 * per-event records for svmtrace record.  A stage sample is two inlined
 * array lookups and two atomic adds (the bucket, the sum) on two pages
 * (svmtrace_aggregate.bpf.h).  Unless events are recorded, no program runs
 * on svm_stage_end: svm_migrate_end carries every stage's duration, and its
 * one run per migration takes all of the migration's samples.
 *
 * Every handler comes as a tp_btf program (arguments typed from the module's
 * BTF) and a raw_tp twin for kernels or builds without module BTF; user
 * space autoloads one of the two.
 */
#include "svmtrace_aggregate.bpf.h"

/* Set by user space when the svm_stage_end programs are not loaded. */
const volatile bool stage_samples_at_end;

static __always_inline int on_svm_ioctl(u32 device, u32 cmd, s32 result)
{
	count_event(SVM_PAGEMAP_EV_IOCTL);
	return 0;
}

static __always_inline int on_svm_reject(u32 device, u32 cmd, u32 reason, s32 error, u64 start,
					 u64 size)
{
	count_event(SVM_PAGEMAP_EV_REJECT);
	return 0;
}

static __always_inline int on_svm_migrate_begin(u64 id, u32 device, u32 direction, u32 trigger,
						u64 start, u64 npages, s32 src_device)
{
	count_event(SVM_PAGEMAP_EV_MIGRATE_BEGIN);
	return 0;
}

/*
 * Every stage a migration reached and its total, sampled from
 * svm_migrate_end's stage times (stage_samples_at_end: svmtrace records no
 * event, so no program runs on svm_stage_end): one program run per
 * migration instead of one per stage, each stage taken as its svm_stage_end
 * would be.  Pages, bytes and error only go into records, which are not
 * kept then.
 *
 * One copy of the sample code runs in a loop over the seven: under
 * emulation (TCG) a program's run time grows with the code it runs through
 * as much as with the data it touches: unrolled, with the total sampled
 * apart, the program took nearly twice as long (README "Benchmarks").
 * A tp_btf argument is read at constant offsets only: the times are copied
 * to the stack first.
 */
static __always_inline void stages_ended(const struct svm_pagemap_stage_times *t, u32 device,
					 u32 direction, u32 trigger, u32 path, u64 duration_ns,
					 u32 tgid)
{
	u64 ns[SVMTRACE_STAGE_MAX];
	u8 paths[SVMTRACE_STAGE_MAX];
	u32 reached = t->reached | 1u << SVMTRACE_STAGE_TOTAL, s;

#pragma unroll
	for (s = 0; s < SVM_PAGEMAP_STAGE_COUNT; s++) {
		ns[s] = t->ns[s];
		paths[s] = t->path[s];
	}
	ns[SVMTRACE_STAGE_TOTAL] = duration_ns;
	paths[SVMTRACE_STAGE_TOTAL] = path;
#pragma clang loop unroll(disable)
	for (s = 0; s < SVMTRACE_STAGE_MAX; s++)
		if (reached & (1u << s))
			svmtrace_sample_taken(s, device, direction, trigger, paths[s], ns[s], tgid);
}

static __always_inline int on_svm_migrate_end(u64 id, u32 device, u32 direction, u32 trigger,
					      u32 path, u64 start, u64 npages, u64 migrated,
					      s32 result, u64 duration_ns,
					      const struct svm_pagemap_stage_times *t)
{
	bool at_end = stage_samples_at_end && t;
	u32 tgid = t ? t->tgid : 0;

	count_event(SVM_PAGEMAP_EV_MIGRATE_END);
	if (at_end)
		stages_ended(t, device, direction, trigger, path, duration_ns, tgid);
	/* the module reads the clock at the end anyway: its time costs no clock read here */
	return svmtrace_migration_ended(id, device, direction, trigger, path, start, npages,
					migrated, result, duration_ns,
					t ? t->end_ns : pingpong_now(), at_end, tgid);
}

static __always_inline int on_svm_stage_end(u64 id, u32 device, u32 stage, u32 direction,
					    u32 trigger, u32 path, u64 npages, u64 bytes,
					    u64 duration_ns, s32 error)
{
	return svmtrace_stage_ended(id, device, stage, direction, trigger, path, npages, bytes,
				    duration_ns, error);
}

static __always_inline int on_svm_map(u64 id, u32 device, u32 path, u32 direction, u64 npages,
				      u64 bytes, u64 iova_bytes)
{
	count_event(SVM_PAGEMAP_EV_MAP);
	if (path < SVM_PAGEMAP_PATH_COUNT)
		counter_add(SVMTRACE_CNT_PATH0 + path, 1);
	return 0;
}

static __always_inline int on_svm_iova_alloc(u64 id, u32 device, u64 size, u64 align, u32 reason)
{
	count_event(SVM_PAGEMAP_EV_IOVA_ALLOC);
	svmtrace_iova_allocated(size, reason);
	return 0;
}

static __always_inline int on_svm_iova_free(u64 id, u32 device, u64 size, u64 linked)
{
	count_event(SVM_PAGEMAP_EV_IOVA_FREE);
	svmtrace_iova_freed(size);
	return 0;
}

static __always_inline int on_svm_retry(u64 id, u32 device, u32 reason, u32 attempt,
					u32 timeslice_ms)
{
	count_event(SVM_PAGEMAP_EV_RETRY);
	if (reason < SVM_PAGEMAP_RETRY_COUNT)
		counter_add(SVMTRACE_CNT_RETRY0 + reason, 1);
	if (track_devices) {
		struct svmtrace_device *dev = device_entry(device);

		if (dev)
			__sync_fetch_and_add(&dev->retries, 1);
	}
	if (track_processes) {
		struct svmtrace_proc *p = proc_entry(0);

		if (p)
			__sync_fetch_and_add(&p->retries, 1);
	}
	return 0;
}

static __always_inline int on_svm_timeslice_hold(u64 alloc_id, u32 device, u64 address,
						 u64 remaining_ns)
{
	count_event(SVM_PAGEMAP_EV_TIMESLICE_HOLD);
	counter_add(SVMTRACE_CNT_TIMESLICE_HOLDS, 1);
	if (track_devices) {
		struct svmtrace_device *dev = device_entry(device);

		if (dev)
			__sync_fetch_and_add(&dev->timeslice_holds, 1);
	}
	if (track_processes) {
		struct svmtrace_proc *p = proc_entry(0);

		if (p)
			__sync_fetch_and_add(&p->timeslice_holds, 1);
	}
	return 0;
}

static __always_inline int on_svm_evict_retry(u64 alloc_id, u64 id, u32 device, u32 reason,
					      u32 attempt, s32 error)
{
	count_event(SVM_PAGEMAP_EV_EVICT_RETRY);
	if (reason < SVM_PAGEMAP_RETRY_COUNT)
		counter_add(SVMTRACE_CNT_EVICT_RETRY0 + reason, 1);
	return 0;
}

static __always_inline int on_svm_device_fault(u32 device, u64 start, u64 npages, u32 flags,
					       u32 placement, u32 attempts, s32 result)
{
	count_event(SVM_PAGEMAP_EV_DEVICE_FAULT);
	return 0;
}

static __always_inline int on_svm_inject(u64 id, u32 device, u32 point, s32 error)
{
	count_event(SVM_PAGEMAP_EV_INJECT);
	return 0;
}

static __always_inline int on_svm_devmem_alloc(u64 alloc_id, u32 device, u64 npages, u64 start)
{
	count_event(SVM_PAGEMAP_EV_DEVMEM_ALLOC);
	return 0;
}

static __always_inline int on_svm_devmem_release(u64 alloc_id, u32 device, u64 npages, u64 start)
{
	count_event(SVM_PAGEMAP_EV_DEVMEM_RELEASE);
	return 0;
}

static __always_inline int on_svm_verify(u64 id, u32 device, u64 dma_addr, u64 bytes, s32 result)
{
	count_event(SVM_PAGEMAP_EV_VERIFY);
	return 0;
}

#define SVMTRACE_UNPAREN(...) __VA_ARGS__

/* A tp_btf program and its raw_tp twin calling the same handler. */
#define SVMTRACE_TWIN(event, proto, args)					\
	SEC("tp_btf/" #event)							\
	int BPF_PROG(event##_btf, SVMTRACE_UNPAREN proto)			\
	{									\
		return on_##event args;						\
	}									\
	SEC("raw_tp/" #event)							\
	int BPF_PROG(event##_raw, SVMTRACE_UNPAREN proto)			\
	{									\
		return on_##event args;						\
	}

SVMTRACE_TWIN(svm_ioctl, (u32 device, u32 cmd, s32 result), (device, cmd, result))
SVMTRACE_TWIN(svm_reject, (u32 device, u32 cmd, u32 reason, s32 error, u64 start, u64 size),
	      (device, cmd, reason, error, start, size))
SVMTRACE_TWIN(svm_migrate_begin,
	      (u64 id, u32 device, u32 direction, u32 trigger, u64 start, u64 npages, s32 src),
	      (id, device, direction, trigger, start, npages, src))
/*
 * svm_migrate_end's twins differ: the raw_tp one sees its stage times as a
 * plain number and reads them into the stack first.
 */
SEC("tp_btf/svm_migrate_end")
int BPF_PROG(svm_migrate_end_btf, u64 id, u32 device, u32 direction, u32 trigger, u32 path,
	     u64 start, u64 npages, u64 migrated, s32 result, u64 duration_ns,
	     const struct svm_pagemap_stage_times *stages)
{
	return on_svm_migrate_end(id, device, direction, trigger, path, start, npages, migrated,
				  result, duration_ns, stages);
}

SEC("raw_tp/svm_migrate_end")
int BPF_PROG(svm_migrate_end_raw, u64 id, u32 device, u32 direction, u32 trigger, u32 path,
	     u64 start, u64 npages, u64 migrated, s32 result, u64 duration_ns,
	     const struct svm_pagemap_stage_times *stages)
{
	const struct svm_pagemap_stage_times *t = NULL;
	struct svm_pagemap_stage_times copy;

	if (stages && !bpf_probe_read_kernel(&copy, sizeof(copy), stages))
		t = &copy;
	return on_svm_migrate_end(id, device, direction, trigger, path, start, npages, migrated,
				  result, duration_ns, t);
}
SVMTRACE_TWIN(svm_stage_end,
	      (u64 id, u32 device, u32 stage, u32 direction, u32 trigger, u32 path, u64 npages,
	       u64 bytes, u64 duration_ns, s32 error),
	      (id, device, stage, direction, trigger, path, npages, bytes, duration_ns, error))
SVMTRACE_TWIN(svm_map,
	      (u64 id, u32 device, u32 path, u32 direction, u64 npages, u64 bytes, u64 iova_bytes),
	      (id, device, path, direction, npages, bytes, iova_bytes))
SVMTRACE_TWIN(svm_iova_alloc, (u64 id, u32 device, u64 size, u64 align, u32 reason),
	      (id, device, size, align, reason))
SVMTRACE_TWIN(svm_iova_free, (u64 id, u32 device, u64 size, u64 linked),
	      (id, device, size, linked))
SVMTRACE_TWIN(svm_retry, (u64 id, u32 device, u32 reason, u32 attempt, u32 timeslice_ms),
	      (id, device, reason, attempt, timeslice_ms))
SVMTRACE_TWIN(svm_timeslice_hold, (u64 alloc_id, u32 device, u64 address, u64 remaining_ns),
	      (alloc_id, device, address, remaining_ns))
SVMTRACE_TWIN(svm_evict_retry,
	      (u64 alloc_id, u64 id, u32 device, u32 reason, u32 attempt, s32 error),
	      (alloc_id, id, device, reason, attempt, error))
SVMTRACE_TWIN(svm_device_fault,
	      (u32 device, u64 start, u64 npages, u32 flags, u32 placement, u32 attempts,
	       s32 result),
	      (device, start, npages, flags, placement, attempts, result))
SVMTRACE_TWIN(svm_inject, (u64 id, u32 device, u32 point, s32 error), (id, device, point, error))
SVMTRACE_TWIN(svm_devmem_alloc, (u64 alloc_id, u32 device, u64 npages, u64 start),
	      (alloc_id, device, npages, start))
SVMTRACE_TWIN(svm_devmem_release, (u64 alloc_id, u32 device, u64 npages, u64 start),
	      (alloc_id, device, npages, start))
SVMTRACE_TWIN(svm_verify, (u64 id, u32 device, u64 dma_addr, u64 bytes, s32 result),
	      (id, device, dma_addr, bytes, result))

char LICENSE[] SEC("license") = "GPL";
