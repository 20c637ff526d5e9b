/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm_pagemap tracepoints.  Arguments are scalars only (ids, sizes, enums,
 * durations) so BPF can attach as tp_btf or raw_tp and no kernel pointer
 * reaches user space.  docs/tracepoints.md is the contract for every field;
 * the enum values are the SVM_PAGEMAP_* constants of uapi/svm_pagemap.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM svm_pagemap

#if !defined(_SVM_PAGEMAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SVM_PAGEMAP_TRACE_H

#include <linux/tracepoint.h>

#include <uapi/svm_pagemap.h>

/*
 * The enum fields print by name, from the one vocabulary table
 * (uapi/svm_pagemap_vocab.h); TRACE_DEFINE_ENUM puts the values into the
 * format files so perf and trace-cmd can print them too.
 */
/*
 * Each entry opens its declarations, so every list ends with the semicolon;
 * each constant fits the u32 field that carries it.
 */
#undef SVM_PAGEMAP_VOCAB
#undef SVM_PAGEMAP_VOCAB_LAST
#define SVM_PAGEMAP_VOCAB(c, ...)					\
	; TRACE_DEFINE_ENUM(c); static_assert(sizeof(c) <= sizeof(u32))
#define SVM_PAGEMAP_VOCAB_LAST(c, ...)	SVM_PAGEMAP_VOCAB(c)
SVM_PAGEMAP_DIRECTIONS;
SVM_PAGEMAP_TRIGGERS;
SVM_PAGEMAP_STAGES;
SVM_PAGEMAP_PATHS;
SVM_PAGEMAP_IOVA_REASONS;
SVM_PAGEMAP_REJECT_REASONS;
SVM_PAGEMAP_RETRY_REASONS;
SVM_PAGEMAP_INJECT_POINTS;
SVM_PAGEMAP_PLACEMENTS;

/* From here on the lists expand to __print_symbolic()'s { value, name } pairs. */
#undef SVM_PAGEMAP_VOCAB
#undef SVM_PAGEMAP_VOCAB_LAST
#define SVM_PAGEMAP_VOCAB(c, name, ...)		{ c, name },
#define SVM_PAGEMAP_VOCAB_LAST(c, name, ...)	{ c, name }

#define svm_tp_show(list, v)	__print_symbolic(v, list)
#define svm_tp_show_path(v)						\
	__print_symbolic(v, SVM_PAGEMAP_PATHS, { SVM_PAGEMAP_PATH_NONE, "none" })

/**
 * svm_ioctl - an ioctl on a software device finished
 * @device: software device index
 * @cmd: ioctl number (_IOC_NR of the command)
 * @result: 0 or a negative errno
 */
TRACE_EVENT(svm_ioctl,
	    TP_PROTO(u32 device, u32 cmd, s32 result),
	    TP_ARGS(device, cmd, result),
	    TP_STRUCT__entry(__field(u32, device)
			     __field(u32, cmd)
			     __field(s32, result)),
	    TP_fast_assign(__entry->device = device;
			   __entry->cmd = cmd;
			   __entry->result = result;),
	    TP_printk("device=%u cmd=%u result=%d",
		      __entry->device, __entry->cmd, __entry->result)
);

TRACE_EVENT(svm_reject,
	    TP_PROTO(u32 device, u32 cmd, u32 reason, s32 error, u64 start, u64 size),
	    TP_ARGS(device, cmd, reason, error, start, size),
	    TP_STRUCT__entry(__field(u32, device)
			     __field(u32, cmd)
			     __field(u32, reason)
			     __field(s32, error)
			     __field(u64, start)
			     __field(u64, size)),
	    TP_fast_assign(__entry->device = device;
			   __entry->cmd = cmd;
			   __entry->reason = reason;
			   __entry->error = error;
			   __entry->start = start;
			   __entry->size = size;),
	    TP_printk("device=%u cmd=%u reason=%s error=%d start=0x%llx size=%llu",
		      __entry->device, __entry->cmd,
		      svm_tp_show(SVM_PAGEMAP_REJECT_REASONS, __entry->reason),
		      __entry->error,
		      __entry->start, __entry->size)
);

TRACE_EVENT(svm_migrate_begin,
	    TP_PROTO(u64 id, u32 device, u32 direction, u32 trigger, u64 start,
		     u64 npages, s32 src_device),
	    TP_ARGS(id, device, direction, trigger, start, npages, src_device),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u32, direction)
			     __field(u32, trigger)
			     __field(s32, src_device)
			     __field(u64, start)
			     __field(u64, npages)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->direction = direction;
			   __entry->trigger = trigger;
			   __entry->src_device = src_device;
			   __entry->start = start;
			   __entry->npages = npages;),
	    TP_printk("id=%llu device=%u direction=%s trigger=%s src_device=%d start=0x%llx npages=%llu",
		      __entry->id, __entry->device,
		      svm_tp_show(SVM_PAGEMAP_DIRECTIONS, __entry->direction),
		      svm_tp_show(SVM_PAGEMAP_TRIGGERS, __entry->trigger),
		      __entry->src_device, __entry->start,
		      __entry->npages)
);

/*
 * @stages reaches BPF programs only (see struct svm_pagemap_stage_times):
 * the trace record keeps its fields, and perf users read svm_stage_end.
 */
TRACE_EVENT(svm_migrate_end,
	    TP_PROTO(u64 id, u32 device, u32 direction, u32 trigger, u32 path,
		     u64 start, u64 npages, u64 migrated, s32 result,
		     u64 duration_ns,
		     const struct svm_pagemap_stage_times *stages),
	    TP_ARGS(id, device, direction, trigger, path, start, npages, migrated,
		    result, duration_ns, stages),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u32, direction)
			     __field(u32, trigger)
			     __field(u32, path)
			     __field(s32, result)
			     __field(u64, start)
			     __field(u64, npages)
			     __field(u64, migrated)
			     __field(u64, duration_ns)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->direction = direction;
			   __entry->trigger = trigger;
			   __entry->path = path;
			   __entry->result = result;
			   __entry->start = start;
			   __entry->npages = npages;
			   __entry->migrated = migrated;
			   __entry->duration_ns = duration_ns;),
	    TP_printk("id=%llu device=%u direction=%s trigger=%s path=%s start=0x%llx npages=%llu migrated=%llu result=%d duration_ns=%llu",
		      __entry->id, __entry->device,
		      svm_tp_show(SVM_PAGEMAP_DIRECTIONS, __entry->direction),
		      svm_tp_show(SVM_PAGEMAP_TRIGGERS, __entry->trigger),
		      svm_tp_show_path(__entry->path), __entry->start,
		      __entry->npages,
		      __entry->migrated, __entry->result, __entry->duration_ns)
);

TRACE_EVENT(svm_stage_end,
	    TP_PROTO(u64 id, u32 device, u32 stage, u32 direction, u32 trigger,
		     u32 path, u64 npages, u64 bytes, u64 duration_ns, s32 error),
	    TP_ARGS(id, device, stage, direction, trigger, path, npages, bytes,
		    duration_ns, error),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u32, stage)
			     __field(u32, direction)
			     __field(u32, trigger)
			     __field(u32, path)
			     __field(u64, npages)
			     __field(u64, bytes)
			     __field(u64, duration_ns)
			     __field(s32, error)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->stage = stage;
			   __entry->direction = direction;
			   __entry->trigger = trigger;
			   __entry->path = path;
			   __entry->npages = npages;
			   __entry->bytes = bytes;
			   __entry->duration_ns = duration_ns;
			   __entry->error = error;),
	    TP_printk("id=%llu device=%u stage=%s direction=%s trigger=%s path=%s npages=%llu bytes=%llu duration_ns=%llu error=%d",
		      __entry->id, __entry->device,
		      svm_tp_show(SVM_PAGEMAP_STAGES, __entry->stage),
		      svm_tp_show(SVM_PAGEMAP_DIRECTIONS, __entry->direction),
		      svm_tp_show(SVM_PAGEMAP_TRIGGERS, __entry->trigger),
		      svm_tp_show_path(__entry->path), __entry->npages,
		      __entry->bytes, __entry->duration_ns, __entry->error)
);

TRACE_EVENT(svm_map,
	    TP_PROTO(u64 id, u32 device, u32 path, u32 direction, u64 npages,
		     u64 bytes, u64 iova_bytes),
	    TP_ARGS(id, device, path, direction, npages, bytes, iova_bytes),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u32, path)
			     __field(u32, direction)
			     __field(u64, npages)
			     __field(u64, bytes)
			     __field(u64, iova_bytes)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->path = path;
			   __entry->direction = direction;
			   __entry->npages = npages;
			   __entry->bytes = bytes;
			   __entry->iova_bytes = iova_bytes;),
	    TP_printk("id=%llu device=%u path=%s direction=%s npages=%llu bytes=%llu iova_bytes=%llu",
		      __entry->id, __entry->device,
		      svm_tp_show(SVM_PAGEMAP_PATHS, __entry->path),
		      svm_tp_show(SVM_PAGEMAP_DIRECTIONS, __entry->direction),
		      __entry->npages, __entry->bytes,
		      __entry->iova_bytes)
);

TRACE_EVENT(svm_iova_alloc,
	    TP_PROTO(u64 id, u32 device, u64 size, u64 align, u32 reason),
	    TP_ARGS(id, device, size, align, reason),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u32, reason)
			     __field(u64, size)
			     __field(u64, align)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->reason = reason;
			   __entry->size = size;
			   __entry->align = align;),
	    TP_printk("id=%llu device=%u size=%llu align=%llu reason=%s",
		      __entry->id, __entry->device, __entry->size, __entry->align,
		      svm_tp_show(SVM_PAGEMAP_IOVA_REASONS, __entry->reason))
);

TRACE_EVENT(svm_iova_free,
	    TP_PROTO(u64 id, u32 device, u64 size, u64 linked),
	    TP_ARGS(id, device, size, linked),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u64, size)
			     __field(u64, linked)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->size = size;
			   __entry->linked = linked;),
	    TP_printk("id=%llu device=%u size=%llu linked=%llu",
		      __entry->id, __entry->device, __entry->size, __entry->linked)
);

TRACE_EVENT(svm_retry,
	    TP_PROTO(u64 id, u32 device, u32 reason, u32 attempt, u32 timeslice_ms),
	    TP_ARGS(id, device, reason, attempt, timeslice_ms),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u32, reason)
			     __field(u32, attempt)
			     __field(u32, timeslice_ms)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->reason = reason;
			   __entry->attempt = attempt;
			   __entry->timeslice_ms = timeslice_ms;),
	    TP_printk("id=%llu device=%u reason=%s attempt=%u timeslice_ms=%u",
		      __entry->id, __entry->device,
		      svm_tp_show(SVM_PAGEMAP_RETRY_REASONS, __entry->reason),
		      __entry->attempt, __entry->timeslice_ms)
);

TRACE_EVENT(svm_timeslice_hold,
	    TP_PROTO(u64 alloc_id, u32 device, u64 address, u64 remaining_ns),
	    TP_ARGS(alloc_id, device, address, remaining_ns),
	    TP_STRUCT__entry(__field(u64, alloc_id)
			     __field(u32, device)
			     __field(u64, address)
			     __field(u64, remaining_ns)),
	    TP_fast_assign(__entry->alloc_id = alloc_id;
			   __entry->device = device;
			   __entry->address = address;
			   __entry->remaining_ns = remaining_ns;),
	    TP_printk("alloc_id=%llu device=%u address=0x%llx remaining_ns=%llu",
		      __entry->alloc_id, __entry->device, __entry->address,
		      __entry->remaining_ns)
);

TRACE_EVENT(svm_evict_retry,
	    TP_PROTO(u64 alloc_id, u64 id, u32 device, u32 reason, u32 attempt,
		     s32 error),
	    TP_ARGS(alloc_id, id, device, reason, attempt, error),
	    TP_STRUCT__entry(__field(u64, alloc_id)
			     __field(u64, id)
			     __field(u32, device)
			     __field(u32, reason)
			     __field(u32, attempt)
			     __field(s32, error)),
	    TP_fast_assign(__entry->alloc_id = alloc_id;
			   __entry->id = id;
			   __entry->device = device;
			   __entry->reason = reason;
			   __entry->attempt = attempt;
			   __entry->error = error;),
	    TP_printk("alloc_id=%llu id=%llu device=%u reason=%s attempt=%u error=%d",
		      __entry->alloc_id, __entry->id, __entry->device,
		      svm_tp_show(SVM_PAGEMAP_RETRY_REASONS, __entry->reason),
		      __entry->attempt, __entry->error)
);

TRACE_EVENT(svm_device_fault,
	    TP_PROTO(u32 device, u64 start, u64 npages, u32 flags, u32 placement,
		     u32 attempts, s32 result),
	    TP_ARGS(device, start, npages, flags, placement, attempts, result),
	    TP_STRUCT__entry(__field(u32, device)
			     __field(u32, flags)
			     __field(u32, placement)
			     __field(u32, attempts)
			     __field(s32, result)
			     __field(u64, start)
			     __field(u64, npages)),
	    TP_fast_assign(__entry->device = device;
			   __entry->flags = flags;
			   __entry->placement = placement;
			   __entry->attempts = attempts;
			   __entry->result = result;
			   __entry->start = start;
			   __entry->npages = npages;),
	    TP_printk("device=%u start=0x%llx npages=%llu flags=0x%x placement=%s attempts=%u result=%d",
		      __entry->device, __entry->start, __entry->npages,
		      __entry->flags,
		      svm_tp_show(SVM_PAGEMAP_PLACEMENTS, __entry->placement),
		      __entry->attempts,
		      __entry->result)
);

TRACE_EVENT(svm_inject,
	    TP_PROTO(u64 id, u32 device, u32 point, s32 error),
	    TP_ARGS(id, device, point, error),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(u32, point)
			     __field(s32, error)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->point = point;
			   __entry->error = error;),
	    TP_printk("id=%llu device=%u point=%s error=%d",
		      __entry->id, __entry->device,
		      svm_tp_show(SVM_PAGEMAP_INJECT_POINTS, __entry->point),
		      __entry->error)
);

DECLARE_EVENT_CLASS(svm_devmem,
		    TP_PROTO(u64 alloc_id, u32 device, u64 npages, u64 start),
		    TP_ARGS(alloc_id, device, npages, start),
		    TP_STRUCT__entry(__field(u64, alloc_id)
				     __field(u32, device)
				     __field(u64, npages)
				     __field(u64, start)),
		    TP_fast_assign(__entry->alloc_id = alloc_id;
				   __entry->device = device;
				   __entry->npages = npages;
				   __entry->start = start;),
		    TP_printk("alloc_id=%llu device=%u npages=%llu start=0x%llx",
			      __entry->alloc_id, __entry->device, __entry->npages,
			      __entry->start)
);

DEFINE_EVENT(svm_devmem, svm_devmem_alloc,
	     TP_PROTO(u64 alloc_id, u32 device, u64 npages, u64 start),
	     TP_ARGS(alloc_id, device, npages, start)
);

DEFINE_EVENT(svm_devmem, svm_devmem_release,
	     TP_PROTO(u64 alloc_id, u32 device, u64 npages, u64 start),
	     TP_ARGS(alloc_id, device, npages, start)
);

TRACE_EVENT(svm_verify,
	    TP_PROTO(u64 id, u32 device, u64 dma_addr, u64 bytes, s32 result),
	    TP_ARGS(id, device, dma_addr, bytes, result),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u32, device)
			     __field(s32, result)
			     __field(u64, dma_addr)
			     __field(u64, bytes)),
	    TP_fast_assign(__entry->id = id;
			   __entry->device = device;
			   __entry->result = result;
			   __entry->dma_addr = dma_addr;
			   __entry->bytes = bytes;),
	    TP_printk("id=%llu device=%u dma_addr=0x%llx bytes=%llu result=%d",
		      __entry->id, __entry->device, __entry->dma_addr,
		      __entry->bytes, __entry->result)
);

#endif /* _SVM_PAGEMAP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE svm_pagemap_trace
#include <trace/define_trace.h>
