// SPDX-License-Identifier: GPL-2.0
/*
 * The device fault handler, shaped like xe_svm_handle_pagefault(), shared by
 * both engines: a policy decides whether the range migrates to device memory
 * (through the engine's migrate operation); a migration that
 * fails with -EBUSY (pages held by a racing CPU fault or migration) is
 * retried with a doubled timeslice up to fault_retries times; when it still
 * fails the device maps the system pages instead (also retried up to
 * fault_retries times when the range keeps changing under it), unless the
 * fault is devmem-only (as atomic faults are on xe), which then fails.
 */
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

/* The migration policy: what the fault's flags ask for. */
static bool svm_policy_migrate(u64 flags)
{
	return !(flags & SVM_PAGEMAP_FAULT_NO_MIGRATE);
}

/**
 * svm_device_fault() - handle a device fault (or prefetch) on a range
 * @sdev: the faulting device
 * @mm: the address space (referenced by the caller)
 * @start: page-aligned start, validated
 * @end: page-aligned end
 * @args: flags and timeslice in; placement, attempts, pages, id out
 *
 * Return: 0 when the device can access the range (in its memory or through
 * mapped system pages), else the migration's error (devmem-only) or the
 * mapping's.
 */
int svm_device_fault(struct svm_device *sdev, struct mm_struct *mm,
		     unsigned long start, unsigned long end,
		     struct svm_fault_args *args)
{
	bool devmem_only = args->flags & SVM_PAGEMAP_FAULT_DEVMEM_ONLY;
	u32 ts = args->timeslice_ms;
	int err = 0;

	args->placement = SVM_PAGEMAP_PLACEMENT_NONE;
	if (svm_policy_migrate(args->flags)) {
		for (;;) {
			struct svm_migrate_args ma = {
				.trigger = args->flags & SVM_PAGEMAP_FAULT_PREFETCH ?
					   SVM_PAGEMAP_TRIGGER_PREFETCH :
					   SVM_PAGEMAP_TRIGGER_DEVICE_FAULT,
				.timeslice_ms = ts,
			};

			err = svm_engine->migrate(sdev, mm, start, end, &ma);
			args->attempts++;
			args->npages += ma.npages;
			if (ma.id)
				args->id = ma.id;
			if (err != -EBUSY ||
			    args->attempts > READ_ONCE(svm_fault_retries))
				break;
			ts = min_t(u32, max_t(u32, ts * 2, 1),
				   READ_ONCE(svm_max_timeslice_ms));
			svm_trace(svm_retry, ma.id, sdev->id, SVM_PAGEMAP_RETRY_BUSY,
				  args->attempts, ts);
			svm_stat_inc(sdev, SVM_STAT(retries[SVM_PAGEMAP_RETRY_BUSY]));
		}
		if (!err)
			args->placement = SVM_PAGEMAP_PLACEMENT_DEVMEM;
	}
	if (args->placement == SVM_PAGEMAP_PLACEMENT_NONE && !devmem_only) {
		unsigned int tries = 0;

		/*
		 * The snapshot of the range is invalidated by every migration
		 * or CPU fault that touches it (also through other processes
		 * sharing its pages); after a second of that hmm gives up
		 * with -EBUSY.  A contended range gets as many tries as a
		 * contended migration does.
		 */
		do {
			err = svm_device_map_system(sdev, mm, start, end, true);
		} while (err == -EBUSY && tries++ < READ_ONCE(svm_fault_retries));
		if (!err)
			args->placement = SVM_PAGEMAP_PLACEMENT_SYSTEM;
	}
	svm_trace(svm_device_fault, sdev->id, start, (end - start) >> PAGE_SHIFT,
		  args->flags, args->placement, args->attempts, err);
	svm_stat_inc(sdev, SVM_STAT(device_faults[args->placement]));
	return err;
}
