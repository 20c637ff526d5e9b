// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection at the populate, map, copy and finalize stages of every
 * migration direction.  Per point two writable module parameters:
 *
 *   fail_<point>_nth=N   the Nth call from the write on fails (once);
 *                        writing resets the call count, 0 disables
 *   fail_<point>_rate=P  every call fails with probability P/1000
 *
 * An injected failure aborts the migration exactly like a real one would:
 * the destination pages are released and the data stays in the source pages.
 * Errors: populate -ENOMEM, map -EFAULT, copy -EIO, finalize -EIO.
 */
#include <linux/moduleparam.h>
#include <linux/random.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

/**
 * struct svm_inject_point - state of one injection point
 * @calls: calls since fail_<point>_nth was written
 * @nth: the failing call, 0 = off
 * @rate: failure probability in 1/1000
 */
struct svm_inject_point {
	atomic_t calls;
	unsigned int nth;
	unsigned int rate;
};

static struct svm_inject_point svm_points[SVM_PAGEMAP_INJECT_COUNT];

static int svm_nth_set(const char *val, const struct kernel_param *kp)
{
	struct svm_inject_point *p = kp->arg;
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	atomic_set(&p->calls, 0);
	WRITE_ONCE(p->nth, v);
	return 0;
}

static int svm_nth_get(char *buf, const struct kernel_param *kp)
{
	struct svm_inject_point *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(p->nth));
}

static const struct kernel_param_ops svm_nth_ops = {
	.set = svm_nth_set,
	.get = svm_nth_get,
};

static int svm_rate_set(const char *val, const struct kernel_param *kp)
{
	struct svm_inject_point *p = kp->arg;
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v > 1000)
		return -EINVAL;
	WRITE_ONCE(p->rate, v);
	return 0;
}

static int svm_rate_get(char *buf, const struct kernel_param *kp)
{
	struct svm_inject_point *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(p->rate));
}

static const struct kernel_param_ops svm_rate_ops = {
	.set = svm_rate_set,
	.get = svm_rate_get,
};

/* fail_<name>_<kind> (kind nth or rate) on svm_points[point] */
#define SVM_INJECT_PARAM(name, kind, point, desc)			\
	module_param_cb(fail_##name##_##kind, &svm_##kind##_ops,	\
			&svm_points[point], 0644);			\
	MODULE_PARM_DESC(fail_##name##_##kind, desc)

#define SVM_NTH_DESC(name)	"fail the Nth " name " call from now (0 = off)"
#define SVM_RATE_DESC(name)	"fail " name " calls with this probability in 1/1000"

SVM_INJECT_PARAM(populate, nth, SVM_PAGEMAP_INJECT_POPULATE, SVM_NTH_DESC("populate"));
SVM_INJECT_PARAM(populate, rate, SVM_PAGEMAP_INJECT_POPULATE, SVM_RATE_DESC("populate"));
SVM_INJECT_PARAM(map, nth, SVM_PAGEMAP_INJECT_MAP, SVM_NTH_DESC("map"));
SVM_INJECT_PARAM(map, rate, SVM_PAGEMAP_INJECT_MAP, SVM_RATE_DESC("map"));
SVM_INJECT_PARAM(copy, nth, SVM_PAGEMAP_INJECT_COPY, SVM_NTH_DESC("copy"));
SVM_INJECT_PARAM(copy, rate, SVM_PAGEMAP_INJECT_COPY, SVM_RATE_DESC("copy"));
SVM_INJECT_PARAM(finalize, nth, SVM_PAGEMAP_INJECT_FINALIZE, SVM_NTH_DESC("finalize"));
SVM_INJECT_PARAM(finalize, rate, SVM_PAGEMAP_INJECT_FINALIZE, SVM_RATE_DESC("finalize"));

/**
 * svm_inject_errno() - the error an injection point reports
 * @point: SVM_PAGEMAP_INJECT_*
 *
 * Return: a negative errno.
 */
int svm_inject_errno(u32 point)
{
	switch (point) {
	case SVM_PAGEMAP_INJECT_POPULATE:
		return -ENOMEM;
	case SVM_PAGEMAP_INJECT_MAP:
		return -EFAULT;
	default:
		return -EIO;
	}
}

/**
 * svm_inject() - should this call of an injection point fail?
 * @m: the migration calling
 * @point: SVM_PAGEMAP_INJECT_*
 *
 * Fires svm_inject and counts it when it does.
 *
 * Return: true to fail the stage with svm_inject_errno(@point).
 */
bool svm_inject(struct svm_mig *m, u32 point)
{
	struct svm_inject_point *p = &svm_points[point];
	unsigned int nth = READ_ONCE(p->nth);
	unsigned int rate = READ_ONCE(p->rate);
	bool fire = false;

	if (!nth && !rate)
		return false;
	if (nth && atomic_inc_return(&p->calls) == nth)
		fire = true;
	if (!fire && rate && get_random_u32_below(1000) < rate)
		fire = true;
	if (!fire)
		return false;
	m->injected = true;
	svm_trace(svm_inject, m->id, m->sdev->id, point, svm_inject_errno(point));
	svm_stat_inc(m->sdev, SVM_STAT(injected[point]));
	return true;
}
