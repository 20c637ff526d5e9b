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

/* Every stats array has room for its list of the vocabulary. */
#define SVM_STATS_HOLD(field, count)					\
	static_assert(ARRAY_SIZE_OF_MEMBER(field) >= (count))
#define ARRAY_SIZE_OF_MEMBER(field)					\
	(sizeof_field(struct svm_pagemap_stats, field) / sizeof(u64))

SVM_STATS_HOLD(migrations, SVM_PAGEMAP_DIR_COUNT);
SVM_STATS_HOLD(migrations_failed, SVM_PAGEMAP_DIR_COUNT);
SVM_STATS_HOLD(pages, SVM_PAGEMAP_DIR_COUNT);
SVM_STATS_HOLD(triggers, SVM_PAGEMAP_TRIGGER_COUNT);
SVM_STATS_HOLD(stage_calls, SVM_PAGEMAP_STAGE_COUNT);
SVM_STATS_HOLD(stage_errors, SVM_PAGEMAP_STAGE_COUNT);
SVM_STATS_HOLD(stage_pages, SVM_PAGEMAP_STAGE_COUNT);
SVM_STATS_HOLD(map_calls, SVM_PAGEMAP_PATH_COUNT);
SVM_STATS_HOLD(map_pages, SVM_PAGEMAP_PATH_COUNT);
SVM_STATS_HOLD(iova_allocs, SVM_PAGEMAP_IOVA_COUNT);
SVM_STATS_HOLD(rejects, SVM_PAGEMAP_REASON_COUNT);
SVM_STATS_HOLD(retries, SVM_PAGEMAP_RETRY_COUNT);
SVM_STATS_HOLD(device_faults, SVM_PAGEMAP_PLACEMENT_COUNT);
SVM_STATS_HOLD(injected, SVM_PAGEMAP_INJECT_COUNT);

/*
 * tgid took a hole of the layout: BPF programs built before it read every
 * other field of svm_migrate_end's stage times where they were.
 */
static_assert(offsetof(struct svm_pagemap_stage_times, end_ns) == 64 &&
	      sizeof(struct svm_pagemap_stage_times) == 72);

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
	m->path = SVM_PAGEMAP_PATH_NONE;
	m->start = start;
	m->npages = npages;
	memset(&m->stages, 0, sizeof(m->stages));
	svm_trace(svm_migrate_begin, m->id, sdev->id, dir, trigger, start, npages,
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

	if (trace_svm_migrate_end_enabled()) {
		m->stages.tgid = current->tgid;
		if (m->t_begin) {
			m->stages.end_ns = ktime_get_ns();
			dur = m->stages.end_ns - m->t_begin;
		}
	}
	svm_trace(svm_migrate_end, m->id, m->sdev->id, m->dir, m->trigger,
		  m->path, m->start, m->npages, migrated, result, dur, &m->stages);
	if (result)
		svm_stat_inc(m->sdev, SVM_STAT(migrations_failed[m->dir]));
	svm_stat_add(m->sdev, SVM_STAT(pages[m->dir]), migrated);
}

/**
 * svm_stage_start() - timestamp for a stage
 *
 * Stages are timed for svm_migrate_end too: it carries every stage's
 * duration to BPF programs (struct svm_pagemap_stage_times).
 *
 * Return: ktime in ns when svm_stage_end or svm_migrate_end is enabled,
 * else 0.
 */
u64 svm_stage_start(void)
{
	if (trace_svm_stage_end_enabled() || trace_svm_migrate_end_enabled())
		return ktime_get_ns();
	return 0;
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

	if (stage < SVM_PAGEMAP_STAGE_COUNT) {
		m->stages.ns[stage] = dur;
		m->stages.path[stage] = m->path;
		m->stages.reached |= BIT(stage);
	}
	svm_trace(svm_stage_end, m->id, m->sdev->id, stage, m->dir, m->trigger,
		  m->path, npages, (u64)npages << PAGE_SHIFT, dur, err);
	svm_stat_inc(m->sdev, SVM_STAT(stage_calls[stage]));
	svm_stat_add(m->sdev, SVM_STAT(stage_pages[stage]), npages);
	if (err)
		svm_stat_inc(m->sdev, SVM_STAT(stage_errors[stage]));
}
