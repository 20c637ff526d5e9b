// SPDX-License-Identifier: GPL-2.0
/*
 * svm_pagemap: a GPU shared-virtual-memory migration engine over software
 * device-private memory, instrumented with tracepoints at every stage.
 *
 * This file holds the module parameters, the device table and module
 * init/exit.  The engine follows the drm_pagemap design:
 *
 *  - svm_pagemap_native.c / _drm.c: the two engines (struct svm_engine_ops):
 *    the module's own migration code, or the kernel's drm_pagemap
 *  - svm_pagemap_device.c: devices, memory chunks, page allocator, zdd
 *  - svm_pagemap_migrate.c: migration of a range into device memory
 *  - svm_pagemap_ram.c: CPU faults (migrate_to_ram) and eviction
 *  - svm_pagemap_map.c / _copy.c: DMA mapping and the copy engine
 *  - svm_pagemap_fault.c: the device fault handler and its policy
 *  - svm_pagemap_rw.c: device reads and writes of a range
 *  - svm_pagemap_ioctl.c: the character devices and input validation
 *  - svm_pagemap_stage.c / _inject.c: stage tracing and fault injection
 *  - svm_pagemap_edu.c: optional binding to QEMU's edu device
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "svm_pagemap.h"

#define CREATE_TRACE_POINTS
#include "svm_pagemap_trace.h"

unsigned int svm_ndevices = 2;
module_param_named(ndevices, svm_ndevices, uint, 0444);
MODULE_PARM_DESC(ndevices, "number of software devices (1-8, default 2)");

unsigned int svm_device_mib = 64;
module_param_named(device_mib, svm_device_mib, uint, 0444);
MODULE_PARM_DESC(device_mib, "device-private memory per device in MiB (default 64)");

unsigned int svm_chunk_mib = 16;
module_param_named(chunk_mib, svm_chunk_mib, uint, 0444);
MODULE_PARM_DESC(chunk_mib, "size of one memremap_pages() chunk in MiB (default 16)");

unsigned int svm_copy_chunk_mib = 8;
module_param_named(copy_chunk_mib, svm_copy_chunk_mib, uint, 0644);
MODULE_PARM_DESC(copy_chunk_mib, "largest copy command in MiB (default 8, as xe)");

/*
 * A writable limit is checked when written: a value outside [min, max] is
 * refused, so the code reading it never sees one.
 */
static int svm_param_set_limit(const char *val, const struct kernel_param *kp,
			       unsigned int min, unsigned int max)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v < min || v > max)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

/*
 * No range larger than a device's memory can migrate, and the per-page
 * arrays of a migration stay far below kvmalloc()'s INT_MAX (which WARNs).
 */
static int svm_max_migrate_set(const char *val, const struct kernel_param *kp)
{
	return svm_param_set_limit(val, kp, 1, SVM_MAX_DEVICE_MIB);
}

static const struct kernel_param_ops svm_max_migrate_ops = {
	.set = svm_max_migrate_set,
	.get = param_get_uint,
};

unsigned int svm_max_migrate_mib = 64;
module_param_cb(max_migrate_mib, &svm_max_migrate_ops, &svm_max_migrate_mib, 0644);
MODULE_PARM_DESC(max_migrate_mib, "largest range one ioctl may migrate in MiB (1-4096, default 64)");

/* Retries are bounded so that no ioctl can keep a task in the kernel. */
static int svm_retries_set(const char *val, const struct kernel_param *kp)
{
	return svm_param_set_limit(val, kp, 0, SVM_MAX_RETRIES);
}

static const struct kernel_param_ops svm_retries_ops = {
	.set = svm_retries_set,
	.get = param_get_uint,
};

unsigned int svm_evict_retries = 2;
module_param_cb(evict_retries, &svm_retries_ops, &svm_evict_retries, 0644);
MODULE_PARM_DESC(evict_retries, "eviction retries before -EBUSY (0-100, default 2)");

unsigned int svm_fault_retries = 3;
module_param_cb(fault_retries, &svm_retries_ops, &svm_fault_retries, 0644);
MODULE_PARM_DESC(fault_retries, "device-fault migration retries on -EBUSY (0-100, default 3)");

/* The doubled timeslice stays within what an ioctl may ask for. */
static int svm_max_timeslice_set(const char *val, const struct kernel_param *kp)
{
	return svm_param_set_limit(val, kp, 0, SVM_MAX_TIMESLICE_MS);
}

static const struct kernel_param_ops svm_max_timeslice_ops = {
	.set = svm_max_timeslice_set,
	.get = param_get_uint,
};

unsigned int svm_max_timeslice_ms = 1000;
module_param_cb(max_timeslice_ms, &svm_max_timeslice_ops, &svm_max_timeslice_ms, 0644);
MODULE_PARM_DESC(max_timeslice_ms, "cap of the doubled timeslice on retries (0-10000, default 1000)");

bool svm_iova_enable = true;
module_param_named(iova, svm_iova_enable, bool, 0644);
MODULE_PARM_DESC(iova, "use the dma_iova_* path where the kernel and an IOMMU allow (default 1)");

bool svm_edu_enable = true;
module_param_named(edu, svm_edu_enable, bool, 0444);
MODULE_PARM_DESC(edu, "bind QEMU's edu PCI device behind an IOMMU for DMA mapping (default 1)");

unsigned int svm_verify_every;
module_param_named(verify, svm_verify_every, uint, 0644);
MODULE_PARM_DESC(verify, "DMA-read a sampled page through edu every Nth migration (0 = off)");

/*
 * engine=drm_pagemap drives the kernel's own drm_pagemap (drm_gpusvm_helper)
 * where the headers have its API.  Either way the module refers to
 * drm_pagemap_* and drm_* symbols when built with it, so modprobe loads
 * drm_gpusvm_helper and drm before svm_pagemap even for engine=native; on
 * 7.3 both ship with the kernel (CONFIG_DRM_GPUSVM=m), which is accepted.
 */
static char *svm_engine_name = "native";
module_param_named(engine, svm_engine_name, charp, 0444);
MODULE_PARM_DESC(engine, "who migrates: native (the module's own code, default) or drm_pagemap (the kernel's)");

const struct svm_engine_ops *svm_engine;

/* Any unique address will do as the device-private page owner. */
static int svm_owner_token;
void *svm_owner = &svm_owner_token;

static struct svm_device *svm_devices[SVM_MAX_DEVICES];
struct workqueue_struct *svm_wq;
static atomic64_t svm_ids = ATOMIC64_INIT(0);

/**
 * svm_device_get_by_id() - look up a software device
 * @id: device index
 *
 * Return: the device, or NULL when @id is out of range.
 */
struct svm_device *svm_device_get_by_id(unsigned int id)
{
	if (id >= svm_ndevices)
		return NULL;
	return svm_devices[id];
}

/**
 * svm_next_id() - a fresh id for a migration or an allocation
 *
 * Return: a positive id, unique for the module's lifetime.
 */
u64 svm_next_id(void)
{
	return atomic64_inc_return(&svm_ids);
}

/* The engine named by the engine= parameter, or why there is none. */
static const struct svm_engine_ops *svm_engine_select(const char *name)
{
	const struct svm_engine_ops *drm = svm_compat_drm_engine();

	if (sysfs_streq(name, "native"))
		return &svm_native_engine;
	if (sysfs_streq(name, "drm_pagemap")) {
		if (drm)
			return drm;
		pr_err("engine=drm_pagemap: built against kernel headers without the drm_pagemap API of 7.3 (include/drm/drm_pagemap.h, CONFIG_DRM_GPUSVM); only engine=native is available\n");
		return ERR_PTR(-EOPNOTSUPP);
	}
	pr_err("engine=%s: unknown engine (native or drm_pagemap)\n", name);
	return ERR_PTR(-EINVAL);
}

static int __init svm_init(void)
{
	unsigned int i;
	int ret;

	/* An engine this build lacks is the first thing to say. */
	svm_engine = svm_engine_select(svm_engine_name);
	if (IS_ERR(svm_engine))
		return PTR_ERR(svm_engine);
	/*
	 * memremap_pages() WARNs and fails for device-private memory on a
	 * kernel built without it (Debian's 6.12 is): refuse cleanly instead.
	 */
	if (!IS_ENABLED(CONFIG_DEVICE_PRIVATE)) {
		pr_err("kernel built without CONFIG_DEVICE_PRIVATE: no device-private memory to migrate to\n");
		return -EOPNOTSUPP;
	}
	if (!svm_ndevices || svm_ndevices > SVM_MAX_DEVICES) {
		pr_err("ndevices=%u out of range 1-%d\n", svm_ndevices, SVM_MAX_DEVICES);
		return -EINVAL;
	}
	if (!svm_device_mib || svm_device_mib > SVM_MAX_DEVICE_MIB) {
		pr_err("device_mib=%u out of range 1-%d\n", svm_device_mib,
		       SVM_MAX_DEVICE_MIB);
		return -EINVAL;
	}
	if (!svm_chunk_mib || svm_chunk_mib > svm_device_mib ||
	    svm_engine->one_pagemap)
		svm_chunk_mib = svm_device_mib;
	if (!svm_copy_chunk_mib)
		svm_copy_chunk_mib = 8;

	svm_wq = alloc_workqueue("svm_pagemap", WQ_UNBOUND, 0);
	if (!svm_wq)
		return -ENOMEM;
	ret = svm_edu_init();
	if (ret)
		goto err_wq;

	for (i = 0; i < svm_ndevices; i++) {
		ret = svm_device_create(i, &svm_devices[i]);
		if (ret)
			goto err_unwind;
	}
	pr_info("%u devices of %u MiB device-private memory, IOVA API %s, engine %s\n",
		svm_ndevices, svm_device_mib, SVM_IOVA_API ? "present" : "absent",
		svm_engine->name);
	return 0;

err_unwind:
	while (i--) {
		svm_device_destroy(svm_devices[i]);
		svm_devices[i] = NULL;
	}
	svm_edu_exit();
err_wq:
	destroy_workqueue(svm_wq);
	return ret;
}

static void __exit svm_exit(void)
{
	unsigned int i;

	/*
	 * Every device allocation holds a module reference, so no page is on
	 * a device any more: rmmod is refused while one is.
	 */
	for (i = 0; i < svm_ndevices; i++) {
		if (svm_devices[i])
			svm_device_destroy(svm_devices[i]);
		svm_devices[i] = NULL;
	}
	svm_edu_exit();
	destroy_workqueue(svm_wq);
}

module_init(svm_init);
module_exit(svm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Software GPU-SVM page migration engine with tracepoints");
