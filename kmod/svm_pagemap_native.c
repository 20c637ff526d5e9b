// SPDX-License-Identifier: GPL-2.0
/*
 * The native engine: svm_pagemap's own migration code (svm_pagemap_migrate.c,
 * _ram.c, _map.c, _copy.c) behind struct svm_engine_ops, with a tracepoint
 * at every stage.  The device memory uses svm_pagemap_ops; the device fault
 * policy and device reads/writes are shared with the other engine.
 */
#include <linux/mm.h>

#include "svm_pagemap.h"

static const struct dev_pagemap_ops *svm_native_pagemap_ops(void)
{
	return &svm_pagemap_ops;
}

/* One migration attempt; the VMA is looked up again under the lock. */
static int svm_native_migrate(struct svm_device *sdev, struct mm_struct *mm,
			      unsigned long start, unsigned long end,
			      struct svm_migrate_args *args)
{
	struct vm_area_struct *vma;
	int err;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, start);
	if (!vma)
		err = -ENOENT;
	else if (end > vma->vm_end)
		err = -ERANGE;
	else if (!vma_is_anonymous(vma))
		err = -EOPNOTSUPP;
	else
		err = svm_migrate_to_devmem(sdev, mm, start, end, args);
	mmap_read_unlock(mm);
	return err;
}

/* The module's own migration engine (engine=native). */
const struct svm_engine_ops svm_native_engine = {
	.name = "native",
	.pagemap_ops = svm_native_pagemap_ops,
	.migrate = svm_native_migrate,
	.fault = svm_device_fault,
	.evict = svm_device_evict,
	.rw = svm_device_rw,
};
