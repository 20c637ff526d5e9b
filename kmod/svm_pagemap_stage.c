// SPDX-License-Identifier: GPL-2.0
/*
 * Migration bookkeeping: every migration fires svm_migrate_begin, one
 * svm_stage_end per stage it reaches and svm_migrate_end, and moves the
 * matching counters of struct svm_pagemap_stats at the same places, so that
 * trace counts and the module's statistics always agree.  Durations are
 * measured only while the event that carries them is enabled.
 */
#include <linux/ktime.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

/**
 * svm_mig_begin() - start accounting a migration
 * @m: the migration, filled in here
 * @sdev: device doing the migration
 * @dir: SVM_PAGEMAP_DIR_*
 * @trigger: SVM_PAGEMAP_TRIGGER_*
 * @start: first virtual address, 0 for eviction
 * @npages: pages in the range
 * @src_device: device the pages come from, -1 for system memory
 *
 * @m->id and @m->t_begin may already be set (the caller measured the collect
 * stage before the direction was known); they are kept then.
 */
void svm_mig_begin(struct svm_mig *m, struct svm_device *sdev, u32 dir,
		   u32 trigger, unsigned long start, unsigned long npages,
		   int src_device)
{
	if (!m->id)
		m->id = svm_next_id();
	if (!m->t_begin && trace_svm_migrate_end_enabled())
		m->t_begin = ktime_get_ns();
	m->sdev = sdev;
	m->dir = dir;
	m->trigger = trigger;
	m->start = start;
	m->npages = npages;
	trace_svm_migrate_begin(m->id, sdev->id, dir, trigger, start, npages,
				src_device);
	svm_stat_inc(sdev, SVM_STAT(migrations[dir]));
	svm_stat_inc(sdev, SVM_STAT(triggers[trigger]));
}

/**
 * svm_mig_end() - finish accounting a migration
 * @m: the migration
 * @migrated: pages that moved
 * @result: 0 or a negative errno
 */
void svm_mig_end(struct svm_mig *m, unsigned long migrated, int result)
{
	u64 dur = 0;

	if (m->t_begin && trace_svm_migrate_end_enabled())
		dur = ktime_get_ns() - m->t_begin;
	trace_svm_migrate_end(m->id, m->sdev->id, m->dir, m->trigger, m->start,
			      m->npages, migrated, result, dur);
	if (result)
		svm_stat_inc(m->sdev, SVM_STAT(migrations_failed[m->dir]));
	svm_stat_add(m->sdev, SVM_STAT(pages[m->dir]), migrated);
}

/**
 * svm_stage_start() - timestamp for a stage
 *
 * Return: ktime in ns when svm_stage_end is enabled, else 0.
 */
u64 svm_stage_start(void)
{
	return trace_svm_stage_end_enabled() ? ktime_get_ns() : 0;
}

/**
 * svm_stage_done() - account and trace the end of one stage
 * @m: the migration
 * @stage: SVM_PAGEMAP_STAGE_*
 * @t0: svm_stage_start() of the stage
 * @npages: pages the stage handled
 * @err: 0 or a negative errno
 */
void svm_stage_done(struct svm_mig *m, u32 stage, u64 t0,
		    unsigned long npages, int err)
{
	u64 dur = t0 ? ktime_get_ns() - t0 : 0;

	trace_svm_stage_end(m->id, m->sdev->id, stage, m->dir, m->trigger,
			    npages, (u64)npages << PAGE_SHIFT, dur, err);
	svm_stat_inc(m->sdev, SVM_STAT(stage_calls[stage]));
	svm_stat_add(m->sdev, SVM_STAT(stage_pages[stage]), npages);
	if (err)
		svm_stat_inc(m->sdev, SVM_STAT(stage_errors[stage]));
}
