// SPDX-License-Identifier: GPL-2.0
/*
 * The drm_pagemap engine (engine=drm_pagemap): the software devices register
 * with the kernel's own drm_pagemap (drm_gpusvm_helper.ko) and every
 * migration runs through its code, as on a GPU driven by xe:
 *
 *   to the device    drm_pagemap_populate_mm() -> our populate_mm op, which
 *                    allocates device memory per aligned chunk of the range
 *                    and hands it to drm_pagemap_devmem_init() and
 *                    drm_pagemap_migrate_to_devmem()
 *   CPU fault        drm_pagemap's own dev_pagemap_ops (migrate_to_ram)
 *   eviction         drm_pagemap_evict_to_ram() per allocation
 *
 * Only the device-specific callbacks are ours: populate_mm, device_map and
 * device_unmap, destroy (struct drm_pagemap_ops), and populate_devmem_pfn,
 * copy_to_devmem, copy_to_ram and devmem_release (struct
 * drm_pagemap_devmem_ops).  The kernel's code has no tracepoints, so of the
 * module's events this engine fires those that belong to code of ours:
 * svm_devmem_alloc/release around device memory, svm_inject in our
 * callbacks, and the ioctl layer's and the device fault handler's events
 * (docs/engines.md).
 *
 * Device memory: one dev_pagemap per device (drm_pagemap initialises device
 * pages with its drm_pagemap's pagemap), its operations drm_pagemap's.
 * page->zone_device_data belongs to drm_pagemap, so the allocation owning a
 * device page is found in a table indexed by device page.  An allocation
 * covers a naturally aligned power-of-two chunk of virtual addresses (the
 * CPU fault migrates ALIGN_DOWN(address, size) of it back), at most 2 MiB,
 * and a 2 MiB one is one aligned pfn run: it may become a device folio.
 *
 * Lifetime: each drm_pagemap holds a reference on the drm device and on this
 * module until drm_pagemap releases it (from a work item of its own), and
 * every device page holds a reference on its drm_pagemap.  The files of a
 * device share one reference, taken at the first open and dropped at the last
 * close, so the module can be removed once no file is open and no page is on
 * a device; a later open reuses a drm_pagemap still alive or creates one.
 *
 * DMA: the device mapping system pages is edu's when bound (behind the
 * IOMMU, so drm_pagemap takes its IOVA path), else the software device's
 * platform device with a 64-bit mask (dma-direct: the DMA address is the
 * physical address).  The copy callbacks resolve DMA addresses through the
 * IOMMU domain of that device.  Pages of another software device are reached
 * by their device-physical address (device_map): protocol
 * SVM_DRM_PROTO_DEVICE + the device's index.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_pagemap.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

/* drm_pagemap_addr.proto of a software device's page: this + its index */
#define SVM_DRM_PROTO_DEVICE	(DRM_INTERCONNECT_DRIVER + 1)

/* Largest allocation: one PMD, the largest device folio. */
#define SVM_DRM_MAX_CHUNK	SZ_2M
/* What a 2 MiB chunk is cut into when no aligned run is free (as xe's 64K). */
#define SVM_DRM_SMALL_CHUNK	SZ_64K

/**
 * struct svm_drm_ctx - an operation of ours that drm_pagemap calls back into
 * @link: entry in the device's list of running migrations
 * @task: the task running it (callbacks run synchronously in that task)
 * @id: id of the operation (svm_inject, svm_retry, the ioctl's "id")
 * @npages: (out) pages copied into the device (migration) or to RAM (eviction)
 * @peer_pages: (out) of which came from another device
 * @passes: (eviction) populate_devmem_pfn calls: one per pass of
 *	drm_pagemap_evict_to_ram(), which retries itself
 */
struct svm_drm_ctx {
	struct list_head link;
	struct task_struct *task;
	u64 id;
	unsigned long npages;
	unsigned long peer_pages;
	unsigned int passes;
};

/**
 * struct svm_drm_device - per-device state of the drm_pagemap engine
 * @sdev: the software device
 * @drm: the drm device drm_pagemap needs (never registered)
 * @lock: guards @dpagemap; taken where drm_pagemap destroys one (any context)
 * @dpagemap: the live drm_pagemap of the device, NULL when none
 * @ctx_lock: guards @ctxs
 * @ctxs: running migrations (struct svm_drm_ctx)
 * @open_lock: guards @nopen and @files_ref
 * @nopen: open files of the device
 * @files_ref: the open files' reference on a drm_pagemap
 * @devmem_lock: guards @devmems
 * @devmems: live allocations (struct svm_drm_devmem)
 * @owner: the allocation owning each device page, indexed by device page
 * @max_chunk: largest allocation (2 MiB, or 64 KiB if the device memory
 *	does not start 2 MiB aligned in pfn space or drm_device_folios=0)
 */
struct svm_drm_device {
	struct svm_device *sdev;
	struct drm_device *drm;
	spinlock_t lock;	/* guards dpagemap */
	struct drm_pagemap *dpagemap;
	spinlock_t ctx_lock;	/* guards ctxs */
	struct list_head ctxs;
	struct mutex open_lock;	/* guards nopen, files_ref */
	unsigned int nopen;
	struct drm_pagemap *files_ref;
	spinlock_t devmem_lock;	/* guards devmems */
	struct list_head devmems;
	struct svm_drm_devmem **owner;
	unsigned long max_chunk;
};

/**
 * struct svm_drm_pagemap - a drm_pagemap of a software device
 * @dpagemap: the drm_pagemap
 * @dd: the device
 */
struct svm_drm_pagemap {
	struct drm_pagemap dpagemap;
	struct svm_drm_device *dd;
};

/**
 * struct svm_drm_devmem - a device memory allocation (what xe backs with a BO)
 * @base: drm_pagemap's view of it
 * @ref: references: drm_pagemap's (dropped by the release work), and those
 *	of our code looking at it
 * @sdev: the device
 * @link: entry in the device's @devmems
 * @id: allocation id (svm_devmem_alloc/release alloc_id)
 * @start: first virtual address it was made for
 * @npages: its pages
 * @pfns: their pfns, in virtual address order
 * @mig_ctx: the migration filling it, while drm_pagemap_migrate_to_devmem()
 *	runs
 * @evict_ctx: the eviction emptying it, while drm_pagemap_evict_to_ram() runs
 * @evict_lock: one eviction of the allocation at a time
 * @release_work: returns the pages to the allocator (devmem_release may be
 *	called in atomic context)
 */
struct svm_drm_devmem {
	struct drm_pagemap_devmem base;
	struct kref ref;
	struct svm_device *sdev;
	struct list_head link;
	u64 id;
	unsigned long start;
	unsigned long npages;
	unsigned long *pfns;
	struct svm_drm_ctx *mig_ctx;
	struct svm_drm_ctx *evict_ctx;
	struct mutex evict_lock;	/* one eviction at a time */
	struct work_struct release_work;
};

static const struct drm_pagemap_devmem_ops svm_drm_devmem_ops;
static const struct drm_pagemap_ops svm_drm_pagemap_ops;

/*
 * With device folios off, no allocation exceeds 64 KiB and drm_pagemap
 * never makes a 2 MiB device folio.  On 7.3 its device-private THP
 * migration can leave a PMD migration entry behind under concurrent
 * forks, splits and evictions (the ioctl fuzzer's finding, docs/engines.md):
 * this keeps the rest of the engine testable without that path.
 */
static bool svm_drm_device_folios = true;
module_param_named(drm_device_folios, svm_drm_device_folios, bool, 0444);
MODULE_PARM_DESC(drm_device_folios,
		 "engine=drm_pagemap: 2 MiB allocations may become device folios (default 1; 0: at most 64 KiB)");

static unsigned long svm_drm_page_index(struct page *page)
{
	return svm_page_dpa(page) >> PAGE_SHIFT;
}

/* The allocation a device page of ours belongs to, NULL when free. */
static struct svm_drm_devmem *svm_drm_page_devmem(struct page *page)
{
	struct svm_drm_device *dd = svm_page_chunk(page)->sdev->engine_data;

	return READ_ONCE(dd->owner[svm_drm_page_index(page)]);
}

/* The allocation a device-physical address of @sdev (checked) belongs to. */
static struct svm_drm_devmem *svm_drm_dpa_devmem(struct svm_device *sdev,
						 u64 dpa)
{
	struct svm_drm_device *dd = sdev->engine_data;

	return READ_ONCE(dd->owner[dpa >> PAGE_SHIFT]);
}

static void svm_drm_devmem_free(struct kref *ref)
{
	struct svm_drm_devmem *d = container_of(ref, struct svm_drm_devmem, ref);

	kvfree(d->pfns);
	kfree(d);
}

static void svm_drm_devmem_put(struct svm_drm_devmem *d)
{
	kref_put(&d->ref, svm_drm_devmem_free);
}

static void svm_drm_release_work(struct work_struct *work)
{
	struct svm_drm_devmem *d = container_of(work, struct svm_drm_devmem,
						release_work);
	struct svm_device *sdev = d->sdev;
	struct svm_drm_device *dd = sdev->engine_data;
	unsigned long i;

	spin_lock(&dd->devmem_lock);
	list_del_init(&d->link);
	spin_unlock(&dd->devmem_lock);
	down_write(&sdev->evict_sem);
	for (i = 0; i < d->npages; i++)
		WRITE_ONCE(dd->owner[svm_drm_page_index(pfn_to_page(d->pfns[i]))],
			   NULL);
	svm_device_release_pages(sdev, d->pfns, d->npages);
	up_write(&sdev->evict_sem);
	svm_trace(svm_devmem_release, d->id, sdev->id, d->npages, d->start);
	svm_stat_inc(sdev, SVM_STAT(devmem_releases));
	mmdrop(d->base.mm);
	put_device(d->base.dev);
	svm_drm_devmem_put(d);
	/* The workqueue is destroyed, and waits for us, before the code goes. */
	module_put(THIS_MODULE);
}

/* devmem_release: no page of the allocation is in use any more. */
static void svm_drm_devmem_release(struct drm_pagemap_devmem *base)
{
	struct svm_drm_devmem *d = container_of(base, struct svm_drm_devmem, base);

	/* drm_pagemap's error path calls us without completing it. */
	complete_all(&base->detached);
	queue_work(svm_wq, &d->release_work);
}

/* A fault-injection point of a migration into the device. */
static bool svm_drm_inject(struct svm_drm_devmem *d, u32 point)
{
	struct svm_drm_ctx *ctx = READ_ONCE(d->mig_ctx);
	struct svm_mig m = { .sdev = d->sdev };

	if (!ctx || ctx->task != current)
		return false;
	m.id = ctx->id;
	return svm_inject(&m, point);
}

static int svm_drm_populate_devmem_pfn(struct drm_pagemap_devmem *base,
				       unsigned long npages, unsigned long *pfn)
{
	struct svm_drm_devmem *d = container_of(base, struct svm_drm_devmem, base);
	struct svm_drm_ctx *evicting = READ_ONCE(d->evict_ctx);

	/*
	 * The eviction's only callback that runs on every one of its passes.
	 * A migration into this allocation, still running in another thread
	 * while the eviction began, calls it too: not a pass.
	 */
	if (evicting && evicting->task == current)
		evicting->passes++;
	if (npages != d->npages)
		return -EINVAL;
	if (svm_drm_inject(d, SVM_PAGEMAP_INJECT_POPULATE))
		return svm_inject_errno(SVM_PAGEMAP_INJECT_POPULATE);
	memcpy(pfn, d->pfns, npages * sizeof(*pfn));
	return 0;
}

/* Pages copied: counted into the operation of ours that asked for them. */
static void svm_drm_count(struct svm_drm_ctx *ctx, unsigned long n, bool peer)
{
	if (!ctx || ctx->task != current)
		return;
	ctx->npages += n;
	if (peer)
		ctx->peer_pages += n;
}

/*
 * Where entry @a of a copy reaches memory, page @j of it: a device page of
 * ours (another device's, or this one's when a range moves within it), or a
 * system page through @d's DMA device.  *@kmapped: release with
 * kunmap_local().
 */
static void *svm_drm_resolve(struct svm_drm_devmem *d,
			     const struct drm_pagemap_addr *a, unsigned long j,
			     struct svm_device *peer, bool *kmapped)
{
	struct svm_addr sa = {
		.addr = a->addr + (j << PAGE_SHIFT),
		.proto = SVM_PROTO_SYSTEM,
	};

	*kmapped = false;
	if (peer)
		return svm_dpa_backing(peer, sa.addr);
	return svm_addr_to_ptr(d->base.dev, &sa, kmapped);
}

/*
 * The copy engine of both directions.  @pages are device pages of ours, the
 * destination (to_dev) or the source; @addrs the other side, one entry per
 * folio (its order says how many pages follow).  An entry without address
 * is a hole: to the device it reads as zeros, to RAM it does not move.
 */
static int svm_drm_copy(struct page **pages, struct drm_pagemap_addr *addrs,
			unsigned long npages, bool to_dev)
{
	unsigned long i, j, n;
	bool inject_tried = false;

	for (i = 0; i < npages; i += n) {
		const struct drm_pagemap_addr *a = &addrs[i];
		struct svm_device *peer = NULL;
		struct page *page = pages[i];
		struct svm_drm_devmem *d, *dst;
		bool hole, kmapped;
		void *dev, *other;

		n = 1;
		if (!page)
			continue;
		hole = a->proto == DRM_INTERCONNECT_SYSTEM && !a->addr;
		if (hole && !to_dev)
			continue;
		if (!svm_page_is_ours(page))
			return -EFAULT;
		d = svm_drm_page_devmem(page);
		if (!d)
			return -EFAULT;
		if (!hole)
			n = 1UL << a->order;
		else if (folio_page(page_folio(page), 0) == page)
			n = folio_nr_pages(page_folio(page));
		n = min(n, npages - i);
		if (a->proto >= SVM_DRM_PROTO_DEVICE) {
			peer = svm_device_get_by_id(a->proto - SVM_DRM_PROTO_DEVICE);
			if (!peer || to_dev)
				return -EFAULT;
		} else if (a->proto != DRM_INTERCONNECT_SYSTEM) {
			return -EFAULT;
		} else if (!to_dev && svm_page_charge_moved(page)) {
			return -EBUSY;
		}
		/* The injection point is the call: its first run may fail. */
		if (to_dev && !inject_tried) {
			inject_tried = true;
			if (svm_drm_inject(d, SVM_PAGEMAP_INJECT_COPY))
				return svm_inject_errno(SVM_PAGEMAP_INJECT_COPY);
		}

		for (j = 0; j < n; j++) {
			dev = svm_page_backing(page) + (j << PAGE_SHIFT);
			if (hole) {
				memset(dev, 0, PAGE_SIZE);
				continue;
			}
			other = svm_drm_resolve(d, a, j, peer, &kmapped);
			if (!other)
				return -EFAULT;
			if (to_dev)
				memcpy(dev, other, PAGE_SIZE);
			else
				memcpy(other, dev, PAGE_SIZE);
			if (kmapped)
				kunmap_local(other);
		}

		if (to_dev) {
			svm_drm_count(READ_ONCE(d->mig_ctx), n, false);
		} else if (peer) {
			/* Into another device (or within this one): its migration. */
			dst = svm_drm_dpa_devmem(peer, a->addr);
			if (dst)
				svm_drm_count(READ_ONCE(dst->mig_ctx), n,
					      peer != d->sdev);
		} else {
			svm_drm_count(READ_ONCE(d->evict_ctx), n, false);
		}
		cond_resched();
	}
	return 0;
}

static int svm_drm_copy_to_devmem(struct page **pages,
				  struct drm_pagemap_addr *pagemap_addr,
				  unsigned long npages,
				  struct dma_fence *pre_migrate_fence)
{
	return svm_drm_copy(pages, pagemap_addr, npages, true);
}

static int svm_drm_copy_to_ram(struct page **pages,
			       struct drm_pagemap_addr *pagemap_addr,
			       unsigned long npages,
			       struct dma_fence *pre_migrate_fence)
{
	return svm_drm_copy(pages, pagemap_addr, npages, false);
}

static const struct drm_pagemap_devmem_ops svm_drm_devmem_ops = {
	.devmem_release = svm_drm_devmem_release,
	.populate_devmem_pfn = svm_drm_populate_devmem_pfn,
	.copy_to_devmem = svm_drm_copy_to_devmem,
	.copy_to_ram = svm_drm_copy_to_ram,
};

/*
 * Device memory for [start, start + size) of @mm: a 2 MiB allocation is one
 * aligned run (-ENOSPC when there is none, though enough pages are free).
 */
static struct svm_drm_devmem *
svm_drm_devmem_create(struct svm_drm_device *dd, struct drm_pagemap *dpagemap,
		      struct mm_struct *mm, unsigned long start,
		      unsigned long size, struct svm_drm_ctx *ctx)
{
	unsigned long i, npages = size >> PAGE_SHIFT;
	struct svm_device *sdev = dd->sdev;
	struct svm_drm_devmem *d;
	struct device *dma_dev;
	int err;

	d = kzalloc_obj(*d, GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->pfns = kvmalloc_array(npages, sizeof(*d->pfns), GFP_KERNEL);
	if (!d->pfns) {
		err = -ENOMEM;
		goto err_free;
	}
	err = svm_device_alloc_pages(sdev, npages,
				     size >= SVM_DRM_MAX_CHUNK ? npages : 0,
				     d->pfns);
	if (err)
		goto err_pfns;

	kref_init(&d->ref);
	d->sdev = sdev;
	d->id = svm_next_id();
	d->start = start;
	d->npages = npages;
	d->mig_ctx = ctx;
	mutex_init(&d->evict_lock);
	INIT_WORK(&d->release_work, svm_drm_release_work);
	dma_dev = svm_dma_get(sdev);
	get_device(dma_dev);
	svm_dma_put(dma_dev);
	/* drm_pagemap keeps the mm without a reference; the release drops it. */
	mmgrab(mm);
	drm_pagemap_devmem_init(&d->base, dma_dev, mm, &svm_drm_devmem_ops,
				dpagemap, size, NULL);
	for (i = 0; i < npages; i++)
		WRITE_ONCE(dd->owner[svm_drm_page_index(pfn_to_page(d->pfns[i]))],
			   d);
	__module_get(THIS_MODULE);
	spin_lock(&dd->devmem_lock);
	list_add_tail(&d->link, &dd->devmems);
	spin_unlock(&dd->devmem_lock);
	svm_trace(svm_devmem_alloc, d->id, sdev->id, npages, start);
	svm_stat_inc(sdev, SVM_STAT(devmem_allocs));
	return d;

err_pfns:
	kvfree(d->pfns);
err_free:
	kfree(d);
	return ERR_PTR(err);
}

/* The largest naturally aligned power-of-two chunk at @addr within @end. */
static unsigned long svm_drm_chunk(struct svm_drm_device *dd,
				   unsigned long addr, unsigned long end)
{
	unsigned long size = dd->max_chunk;

	while (size > PAGE_SIZE && (!IS_ALIGNED(addr, size) || end - addr < size))
		size >>= 1;
	return size;
}

/* The migration of ours running in this task, if any. */
static struct svm_drm_ctx *svm_drm_ctx_find(struct svm_drm_device *dd)
{
	struct svm_drm_ctx *ctx, *found = NULL;

	spin_lock(&dd->ctx_lock);
	list_for_each_entry(ctx, &dd->ctxs, link) {
		if (ctx->task == current) {
			found = ctx;
			break;
		}
	}
	spin_unlock(&dd->ctx_lock);
	return found;
}

/*
 * populate_mm: called by drm_pagemap_populate_mm() with the mmap lock held
 * for read.  Each naturally aligned chunk of the range gets an allocation of
 * its own, migrated by drm_pagemap_migrate_to_devmem(); the first failure
 * ends the walk (chunks before it stay migrated).
 */
static int svm_drm_populate_mm(struct drm_pagemap *dpagemap,
			       unsigned long start, unsigned long end,
			       struct mm_struct *mm, unsigned long timeslice_ms)
{
	struct svm_drm_pagemap *sp = container_of(dpagemap,
						  struct svm_drm_pagemap,
						  dpagemap);
	struct drm_pagemap_migrate_details md = {
		.timeslice_ms = timeslice_ms,
		/* a range partly here already moves whole, as on native */
		.can_migrate_same_pagemap = 1,
	};
	struct svm_drm_device *dd = sp->dd;
	struct svm_drm_ctx *ctx = svm_drm_ctx_find(dd);
	struct vm_area_struct *vma;
	unsigned long addr, size;
	int err = 0;

	mmap_assert_locked(mm);
	/* The module's errnos for a range that changed since the ioctl looked. */
	vma = vma_lookup(mm, start);
	if (!vma)
		return -ENOENT;
	if (end > vma->vm_end)
		return -ERANGE;
	if (!vma_is_anonymous(vma))
		return -EOPNOTSUPP;

	for (addr = start; addr < end; addr += size) {
		struct svm_drm_devmem *d;

		size = svm_drm_chunk(dd, addr, end);
		d = svm_drm_devmem_create(dd, dpagemap, mm, addr, size, ctx);
		if (IS_ERR(d) && PTR_ERR(d) == -ENOSPC) {
			/* No aligned run for a device folio: smaller pieces. */
			size = SVM_DRM_SMALL_CHUNK;
			d = svm_drm_devmem_create(dd, dpagemap, mm, addr, size,
						  ctx);
		}
		if (IS_ERR(d)) {
			err = PTR_ERR(d) == -ENOSPC ? -ENOMEM : PTR_ERR(d);
			break;
		}
		kref_get(&d->ref);
		/* Consumes drm_pagemap's reference, also on failure. */
		err = drm_pagemap_migrate_to_devmem(&d->base, mm, addr,
						    addr + size, &md);
		WRITE_ONCE(d->mig_ctx, NULL);
		svm_drm_devmem_put(d);
		if (err)
			break;
	}
	return err;
}

/* device_map: our pages are reached by their device-physical address. */
static struct drm_pagemap_addr
svm_drm_device_map(struct drm_pagemap *dpagemap, struct device *dev,
		   struct page *page, unsigned int order,
		   enum dma_data_direction dir)
{
	struct svm_device *sdev = svm_page_chunk(page)->sdev;

	return drm_pagemap_addr_encode(svm_page_dpa(page),
				       SVM_DRM_PROTO_DEVICE + sdev->id, order,
				       dir);
}

/* device_unmap: device-physical addresses need no unmapping. */
static void svm_drm_device_unmap(struct drm_pagemap *dpagemap,
				 struct device *dev,
				 const struct drm_pagemap_addr *addr)
{
}

/* destroy: called by drm_pagemap, in any context, once unreferenced. */
static void svm_drm_pagemap_destroy(struct drm_pagemap *dpagemap,
				    bool is_atomic_or_reclaim)
{
	struct svm_drm_pagemap *sp = container_of(dpagemap,
						  struct svm_drm_pagemap,
						  dpagemap);
	struct svm_drm_device *dd = sp->dd;
	unsigned long flags;

	spin_lock_irqsave(&dd->lock, flags);
	if (dd->dpagemap == dpagemap)
		dd->dpagemap = NULL;
	spin_unlock_irqrestore(&dd->lock, flags);
	kfree(sp);
}

static const struct drm_pagemap_ops svm_drm_pagemap_ops = {
	.device_map = svm_drm_device_map,
	.device_unmap = svm_drm_device_unmap,
	.populate_mm = svm_drm_populate_mm,
	.destroy = svm_drm_pagemap_destroy,
};

/* A reference on the device's live drm_pagemap, NULL when there is none. */
static struct drm_pagemap *svm_drm_pagemap_get(struct svm_drm_device *dd)
{
	struct drm_pagemap *dpagemap;
	unsigned long flags;

	spin_lock_irqsave(&dd->lock, flags);
	dpagemap = drm_pagemap_get_unless_zero(dd->dpagemap);
	spin_unlock_irqrestore(&dd->lock, flags);
	return dpagemap;
}

static struct drm_pagemap *svm_drm_pagemap_create(struct svm_drm_device *dd)
{
	struct svm_drm_pagemap *sp;
	unsigned long flags;
	int err;

	sp = kzalloc_obj(*sp, GFP_KERNEL);
	if (!sp)
		return ERR_PTR(-ENOMEM);
	sp->dd = dd;
	err = drm_pagemap_init(&sp->dpagemap, &dd->sdev->chunks[0]->pgmap,
			       dd->drm, &svm_drm_pagemap_ops);
	if (err) {
		kfree(sp);
		return ERR_PTR(err);
	}
	spin_lock_irqsave(&dd->lock, flags);
	dd->dpagemap = &sp->dpagemap;
	spin_unlock_irqrestore(&dd->lock, flags);
	return &sp->dpagemap;
}

static int svm_drm_open(struct svm_device *sdev)
{
	struct svm_drm_device *dd = sdev->engine_data;
	struct drm_pagemap *dpagemap;
	int err = 0;

	mutex_lock(&dd->open_lock);
	if (!dd->nopen) {
		dpagemap = svm_drm_pagemap_get(dd);
		if (!dpagemap)
			dpagemap = svm_drm_pagemap_create(dd);
		if (IS_ERR(dpagemap)) {
			err = PTR_ERR(dpagemap);
			goto out;
		}
		dd->files_ref = dpagemap;
	}
	dd->nopen++;
out:
	mutex_unlock(&dd->open_lock);
	return err;
}

static void svm_drm_release(struct svm_device *sdev)
{
	struct svm_drm_device *dd = sdev->engine_data;
	struct drm_pagemap *dpagemap = NULL;

	mutex_lock(&dd->open_lock);
	if (!--dd->nopen) {
		dpagemap = dd->files_ref;
		dd->files_ref = NULL;
	}
	mutex_unlock(&dd->open_lock);
	drm_pagemap_put(dpagemap);
}

/* One migration attempt into the device: drm_pagemap_populate_mm(). */
static int svm_drm_migrate(struct svm_device *sdev, struct mm_struct *mm,
			   unsigned long start, unsigned long end,
			   struct svm_migrate_args *args)
{
	struct svm_drm_device *dd = sdev->engine_data;
	struct svm_drm_ctx ctx = { .task = current, .id = svm_next_id() };
	struct drm_pagemap *dpagemap;
	int err;

	/* The caller's open file holds one. */
	dpagemap = svm_drm_pagemap_get(dd);
	if (!dpagemap)
		return -ENODEV;
	spin_lock(&dd->ctx_lock);
	list_add(&ctx.link, &dd->ctxs);
	spin_unlock(&dd->ctx_lock);
	err = drm_pagemap_populate_mm(dpagemap, start, end, mm,
				      args->timeslice_ms);
	spin_lock(&dd->ctx_lock);
	list_del(&ctx.link);
	spin_unlock(&dd->ctx_lock);
	drm_pagemap_put(dpagemap);
	args->id = ctx.id;
	args->npages = ctx.npages;
	args->peer_pages = ctx.peer_pages;
	return err;
}

/*
 * Every pass after the first is a retry, whether drm_pagemap_evict_to_ram()
 * made it (it tries three times itself) or we did by calling it again: the
 * same count the kernel source reads from the helper's calls.
 */
static void svm_drm_evict_passes(struct svm_drm_devmem *d, struct svm_drm_ctx *ctx,
				 unsigned int *counted)
{
	while (*counted + 1 < ctx->passes) {
		++*counted;
		svm_trace(svm_evict_retry, d->id, 0, d->sdev->id,
			  SVM_PAGEMAP_RETRY_NOT_DETACHED, *counted, 0);
		svm_stat_inc(d->sdev, SVM_STAT(evict_retries));
	}
}

/*
 * Evict one allocation with drm_pagemap_evict_to_ram() (which tries three
 * times itself), evict_retries more times until no page of it is in use.
 */
static int svm_drm_devmem_evict(struct svm_drm_devmem *d, unsigned long *moved)
{
	struct svm_drm_ctx ctx = { .task = current, .id = d->id };
	struct svm_device *sdev = d->sdev;
	unsigned int attempt, counted = 0;
	int err = 0;

	mutex_lock(&d->evict_lock);
	for (attempt = 0; ; attempt++) {
		/* Pages of a detached allocation may serve another one. */
		down_read(&sdev->evict_sem);
		if (completion_done(&d->base.detached)) {
			up_read(&sdev->evict_sem);
			err = 0;
			break;
		}
		/*
		 * A new call is a retry (its first pass; svm_drm_evict_passes
		 * skips it), counted only once it is made: the allocation may
		 * have been detached since the last call returned.
		 */
		if (attempt) {
			counted++;
			svm_trace(svm_evict_retry, d->id, 0, sdev->id,
				  err ? SVM_PAGEMAP_RETRY_ERROR :
					SVM_PAGEMAP_RETRY_NOT_DETACHED,
				  counted, err);
			svm_stat_inc(sdev, SVM_STAT(evict_retries));
		}
		WRITE_ONCE(d->evict_ctx, &ctx);
		err = drm_pagemap_evict_to_ram(&d->base);
		WRITE_ONCE(d->evict_ctx, NULL);
		up_read(&sdev->evict_sem);
		svm_drm_evict_passes(d, &ctx, &counted);
		/* An exiting process frees the pages itself: wait for that. */
		if (err == -EFAULT && !atomic_read(&d->base.mm->mm_users))
			wait_for_completion_timeout(&d->base.detached, HZ);
		if (completion_done(&d->base.detached)) {
			err = 0;
			break;
		}
		if (attempt >= READ_ONCE(svm_evict_retries)) {
			err = err ?: -EBUSY;
			break;
		}
		cond_resched();
	}
	mutex_unlock(&d->evict_lock);
	*moved = ctx.npages;
	return err;
}

static int svm_drm_evict(struct svm_device *sdev, struct mm_struct *mm,
			 unsigned long start, unsigned long end,
			 unsigned long *nallocs, unsigned long *npages)
{
	struct svm_drm_device *dd = sdev->engine_data;
	struct svm_drm_devmem **list, *d;
	unsigned int n = 0, cap = 0, i;
	unsigned long moved;
	int err, ret = 0;

	*nallocs = 0;
	*npages = 0;
	spin_lock(&dd->devmem_lock);
	list_for_each_entry(d, &dd->devmems, link)
		cap++;
	spin_unlock(&dd->devmem_lock);
	if (!cap)
		return 0;
	list = kvmalloc_array(cap, sizeof(*list), GFP_KERNEL);
	if (!list)
		return -ENOMEM;

	spin_lock(&dd->devmem_lock);
	list_for_each_entry(d, &dd->devmems, link) {
		if (n == cap)
			break;
		if (mm && (d->base.mm != mm || d->start >= end ||
			   d->start + (d->npages << PAGE_SHIFT) <= start))
			continue;
		if (completion_done(&d->base.detached))
			continue;
		if (kref_get_unless_zero(&d->ref))
			list[n++] = d;
	}
	spin_unlock(&dd->devmem_lock);

	for (i = 0; i < n; i++) {
		err = svm_drm_devmem_evict(list[i], &moved);
		*npages += moved;
		if (err)
			ret = ret ?: err;
		else
			(*nallocs)++;
		svm_drm_devmem_put(list[i]);
	}
	kvfree(list);
	/* Evicted allocations have their pages back when this returns. */
	svm_device_flush();
	return ret;
}

static const struct file_operations svm_drm_fops = {
	/* drm_pagemap pins the module owning the drm driver's fops */
	.owner = THIS_MODULE,
};

static const struct drm_driver svm_drm_driver = {
	.name = "svm_pagemap",
	.desc = "svm_pagemap software device",
	.fops = &svm_drm_fops,
};

static int svm_drm_device_init(struct svm_device *sdev)
{
	struct svm_drm_device *dd;
	int err;

	dd = kzalloc_obj(*dd, GFP_KERNEL);
	if (!dd)
		return -ENOMEM;
	dd->sdev = sdev;
	spin_lock_init(&dd->lock);
	spin_lock_init(&dd->ctx_lock);
	INIT_LIST_HEAD(&dd->ctxs);
	mutex_init(&dd->open_lock);
	spin_lock_init(&dd->devmem_lock);
	INIT_LIST_HEAD(&dd->devmems);
	dd->max_chunk = svm_drm_device_folios &&
			IS_ALIGNED(sdev->chunks[0]->pfn_first,
				   SVM_DRM_MAX_CHUNK >> PAGE_SHIFT) ?
			SVM_DRM_MAX_CHUNK : SVM_DRM_SMALL_CHUNK;
	dd->owner = kvcalloc(sdev->total_pages, sizeof(*dd->owner), GFP_KERNEL);
	if (!dd->owner) {
		err = -ENOMEM;
		goto err_free;
	}
	/* Never registered: drm_pagemap only needs it to exist. */
	dd->drm = drm_dev_alloc(&svm_drm_driver, &sdev->pdev->dev);
	if (IS_ERR(dd->drm)) {
		err = PTR_ERR(dd->drm);
		goto err_owner;
	}
	sdev->engine_data = dd;
	return 0;

err_owner:
	kvfree(dd->owner);
err_free:
	kfree(dd);
	return err;
}

static void svm_drm_device_fini(struct svm_device *sdev)
{
	struct svm_drm_device *dd = sdev->engine_data;

	/* No file is open and no drm_pagemap left: they pin the module. */
	drm_dev_put(dd->drm);
	kvfree(dd->owner);
	kfree(dd);
	sdev->engine_data = NULL;
}

/* The kernel's drm_pagemap driven by the software devices (engine=drm_pagemap). */
const struct svm_engine_ops svm_drm_engine = {
	.name = "drm_pagemap",
	.one_pagemap = true,
	.pagemap_ops = drm_pagemap_pagemap_ops_get,
	.device_init = svm_drm_device_init,
	.device_fini = svm_drm_device_fini,
	.open = svm_drm_open,
	.release = svm_drm_release,
	.migrate = svm_drm_migrate,
	.fault = svm_device_fault,
	.evict = svm_drm_evict,
	.rw = svm_device_rw,
};
