// SPDX-License-Identifier: GPL-2.0
/*
 * Device memory back to RAM.
 *
 * CPU fault (dev_pagemap_ops.migrate_to_ram): inside the allocation's
 * timeslice the fault does not migrate (the livelock guard of drm_pagemap:
 * the device keeps the pages a little while; the CPU faults again).  After
 * it, the allocation's range around the fault is migrated: collect with
 * migrate_vma_setup(fault_page), populate RAM pages, map, copy, finalize,
 * unmap.  Only pages of the faulting allocation move.
 *
 * Eviction (drm_pagemap_evict_to_ram): a whole allocation, found by its
 * device pfns (migrate_device_pfns, or migrate_device_range per contiguous
 * run on 6.12), without the mmap lock, retried evict_retries times until
 * the allocation is detached (no device page in use), else -EBUSY.
 */
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/pagemap.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

/**
 * struct svm_ram_bufs - per-migration arrays
 * @src: source migrate pfns (device pages)
 * @dst: destination migrate pfns (system pages)
 * @addrs: DMA addresses of the destination pages
 * @spages: source device pages that move, NULL elsewhere
 * @buf: the single allocation behind all of them
 */
struct svm_ram_bufs {
	unsigned long *src;
	unsigned long *dst;
	struct svm_addr *addrs;
	struct page **spages;
	void *buf;
};

static int svm_ram_bufs_alloc(struct svm_ram_bufs *b, unsigned long npages)
{
	b->buf = kvcalloc(npages, 2 * sizeof(unsigned long) +
			  sizeof(struct svm_addr) + sizeof(struct page *),
			  GFP_KERNEL);
	if (!b->buf)
		return -ENOMEM;
	b->src = b->buf;
	b->dst = b->src + npages;
	b->addrs = (struct svm_addr *)(b->dst + npages);
	b->spages = (struct page **)(b->addrs + npages);
	return 0;
}

/* Does the collected entry @mpfn move?  @zdd limits it to one allocation. */
static bool svm_ram_moves(unsigned long mpfn, struct svm_zdd *zdd)
{
	struct page *page = migrate_pfn_to_page(mpfn);

	if (!page || !(mpfn & MIGRATE_PFN_MIGRATE) || !svm_page_is_ours(page) ||
	    svm_page_charge_moved(page))
		return false;
	return !zdd || page->zone_device_data == zdd;
}

static void svm_ram_release_dst(struct svm_ram_bufs *b, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *page = migrate_pfn_to_page(b->dst[i]);

		if (!page)
			continue;
		unlock_page(page);
		put_page(page);
		b->dst[i] = 0;
		b->spages[i] = NULL;
	}
}

/*
 * populate stage: a locked RAM page for every device page that moves.  With
 * a VMA the pages are allocated for their address (NUMA policy), without
 * (eviction) anywhere.
 */
static int svm_ram_populate(struct svm_mig *m, struct svm_ram_bufs *b,
			    unsigned long npages, struct vm_area_struct *vma,
			    unsigned long start, struct svm_zdd *zdd,
			    unsigned long *need)
{
	unsigned long i, n = 0;
	u64 t0 = svm_stage_start();
	int err = 0;

	for (i = 0; i < npages; i++)
		if (svm_ram_moves(b->src[i], zdd))
			n++;
	if (svm_inject(m, SVM_PAGEMAP_INJECT_POPULATE)) {
		err = svm_inject_errno(SVM_PAGEMAP_INJECT_POPULATE);
		goto out;
	}
	for (i = 0; i < npages; i++) {
		struct page *page;

		if (!svm_ram_moves(b->src[i], zdd))
			continue;
		if (vma)
			page = alloc_page_vma(GFP_HIGHUSER, vma,
					      start + (i << PAGE_SHIFT));
		else
			page = alloc_page(GFP_HIGHUSER);
		if (!page) {
			err = -ENOMEM;
			svm_ram_release_dst(b, npages);
			goto out;
		}
		lock_page(page);
		b->dst[i] = migrate_pfn(page_to_pfn(page));
		b->spages[i] = migrate_pfn_to_page(b->src[i]);
	}
out:
	*need = err ? 0 : n;
	svm_stage_done(m, SVM_PAGEMAP_STAGE_POPULATE, t0, *need, err);
	return err;
}

/* Count what finalize moved. */
static unsigned long svm_ram_migrated(struct svm_ram_bufs *b,
				      unsigned long npages)
{
	unsigned long i, n = 0;

	for (i = 0; i < npages; i++)
		if ((b->dst[i] & MIGRATE_PFN_VALID) &&
		    (b->src[i] & MIGRATE_PFN_MIGRATE))
			n++;
	return n;
}

/*
 * The CPU-fault migration of [start, end) of @vma: the pages of @zdd's
 * allocation move to RAM.
 */
static int svm_fault_to_ram(struct svm_device *sdev, struct vm_area_struct *vma,
			    struct page *fault_page, struct svm_zdd *zdd,
			    unsigned long start, unsigned long end,
			    unsigned long addr, struct svm_mig *m, bool *moved)
{
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	struct svm_map_state st = { .dir = DMA_FROM_DEVICE };
	unsigned long i, need = 0, migrated = 0;
	struct migrate_vma mv = { };
	struct svm_ram_bufs b;
	bool mapped = false;
	int err, fin_err = 0;
	u64 t0;

	*moved = false;
	err = svm_ram_bufs_alloc(&b, npages);
	if (err)
		return err;
	svm_mig_begin(m, sdev, SVM_PAGEMAP_DIR_TO_RAM,
		      SVM_PAGEMAP_TRIGGER_CPU_FAULT, start, npages, -1);

	t0 = svm_stage_start();
	mv.vma = vma;
	mv.start = start;
	mv.end = end;
	mv.src = b.src;
	mv.dst = b.dst;
	mv.pgmap_owner = svm_owner;
	mv.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
	mv.fault_page = fault_page;
	err = migrate_vma_setup(&mv);
	svm_stage_done(m, SVM_PAGEMAP_STAGE_COLLECT, t0, err ? 0 : mv.cpages, err);
	if (err)
		goto out;
	/* Raced with another fault or migration: nothing left to do. */
	if (!mv.cpages)
		goto finalize;

	err = svm_ram_populate(m, &b, npages, vma, start, zdd, &need);
	if (err || !need)
		goto finalize;
	m->dma_dev = svm_dma_get(sdev);
	mapped = true;
	err = svm_map_pages(m, &st, b.addrs, b.dst, npages, false);
	if (!err)
		err = svm_copy_to_ram(m, b.spages, b.addrs, npages);

finalize:
	t0 = svm_stage_start();
	if (!err && need && svm_inject(m, SVM_PAGEMAP_INJECT_FINALIZE))
		fin_err = svm_inject_errno(SVM_PAGEMAP_INJECT_FINALIZE);
	if (fin_err)
		err = fin_err;
	if (err)
		svm_ram_release_dst(&b, npages);
	migrate_vma_pages(&mv);
	migrated = svm_ram_migrated(&b, npages);
	i = (addr - start) >> PAGE_SHIFT;
	*moved = (b.dst[i] & MIGRATE_PFN_VALID) && (b.src[i] & MIGRATE_PFN_MIGRATE);
	migrate_vma_finalize(&mv);
	svm_stage_done(m, SVM_PAGEMAP_STAGE_FINALIZE, t0, migrated, fin_err);
	if (mapped) {
		svm_unmap_pages(m, &st, b.addrs, npages);
		svm_dma_put(m->dma_dev);
	}
out:
	svm_mig_end(m, migrated, err);
	kvfree(b.buf);
	return err;
}

/**
 * svm_migrate_to_ram() - dev_pagemap_ops.migrate_to_ram
 * @vmf: the CPU fault on a device page (locked, referenced by the caller)
 *
 * Return: 0 (the CPU retries the access: the page moved, or the timeslice
 * keeps it on the device, or an injected failure aborted the migration),
 * VM_FAULT_OOM when RAM is exhausted, VM_FAULT_SIGBUS on other failures.
 */
vm_fault_t svm_migrate_to_ram(struct vm_fault *vmf)
{
	struct svm_zdd *zdd = vmf->page->zone_device_data;
	struct svm_devmem *devmem = zdd->devmem;
	struct svm_device *sdev = devmem->sdev;
	struct vm_area_struct *vma = vmf->vma;
	u64 now = get_jiffies_64();
	u64 expires = READ_ONCE(devmem->timeslice_expiration);
	unsigned long start, end, addr = vmf->address & PAGE_MASK;
	struct svm_mig m = { };
	bool moved;
	int err;

	if (time_before64(now, expires)) {
		svm_trace(svm_timeslice_hold, devmem->id, sdev->id, addr,
			  jiffies_to_nsecs(expires - now));
		svm_stat_inc(sdev, SVM_STAT(timeslice_holds));
		cond_resched();
		return 0;
	}

	start = max(devmem->start, vma->vm_start);
	end = min(devmem->end, vma->vm_end);
	/* The range moved (mremap) or shrank: migrate the faulting page. */
	if (addr < start || addr >= end) {
		start = addr;
		end = addr + PAGE_SIZE;
	}
	err = svm_fault_to_ram(sdev, vma, vmf->page, zdd, start, end, addr, &m,
			       &moved);
	/*
	 * The faulting page did not move: other CPUs faulting on it hold
	 * references that make migration fail.  Back off a tick before the
	 * CPU retries, or they can keep each other from ever migrating it.
	 */
	if (!moved && (!err || m.injected))
		schedule_timeout_uninterruptible(1);
	if (!err || m.injected)
		return 0;
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/* One eviction attempt of @devmem: a migration in direction evict. */
static int svm_evict_once(struct svm_devmem *devmem, struct svm_mig *m,
			  unsigned long *moved)
{
	struct svm_map_state st = { .dir = DMA_FROM_DEVICE };
	struct svm_device *sdev = devmem->sdev;
	unsigned long npages = devmem->npages;
	unsigned long i, cpages = 0, need = 0;
	struct svm_ram_bufs b;
	bool mapped = false;
	int err, fin_err = 0;
	u64 t0;

	*moved = 0;
	err = svm_ram_bufs_alloc(&b, npages);
	if (err)
		return err;
	svm_mig_begin(m, sdev, SVM_PAGEMAP_DIR_EVICT,
		      SVM_PAGEMAP_TRIGGER_EVICTION, devmem->start, npages, -1);

	t0 = svm_stage_start();
	err = svm_compat_migrate_device_pfns(b.src, devmem->pfns, npages);
	for (i = 0; i < npages; i++)
		if (b.src[i] & MIGRATE_PFN_MIGRATE)
			cpages++;
	svm_stage_done(m, SVM_PAGEMAP_STAGE_COLLECT, t0, cpages, err);
	if (err || !cpages)
		goto finalize;

	err = svm_ram_populate(m, &b, npages, NULL, 0, NULL, &need);
	if (err || !need)
		goto finalize;
	m->dma_dev = svm_dma_get(sdev);
	mapped = true;
	err = svm_map_pages(m, &st, b.addrs, b.dst, npages, false);
	if (!err)
		err = svm_copy_to_ram(m, b.spages, b.addrs, npages);

finalize:
	t0 = svm_stage_start();
	if (!err && need && svm_inject(m, SVM_PAGEMAP_INJECT_FINALIZE))
		fin_err = svm_inject_errno(SVM_PAGEMAP_INJECT_FINALIZE);
	if (fin_err)
		err = fin_err;
	if (err)
		svm_ram_release_dst(&b, npages);
	migrate_device_pages(b.src, b.dst, npages);
	*moved = svm_ram_migrated(&b, npages);
	migrate_device_finalize(b.src, b.dst, npages);
	svm_stage_done(m, SVM_PAGEMAP_STAGE_FINALIZE, t0, *moved, fin_err);
	if (mapped) {
		svm_unmap_pages(m, &st, b.addrs, npages);
		svm_dma_put(m->dma_dev);
	}
	svm_mig_end(m, *moved, err);
	kvfree(b.buf);
	return err;
}

/**
 * svm_devmem_evict() - evict a device allocation to RAM
 * @devmem: the allocation, referenced by the caller
 * @npages: (out) pages moved to RAM
 *
 * Return: 0 once the allocation is detached, -EBUSY (or the last attempt's
 * error) when it still has pages on the device after evict_retries retries.
 */
int svm_devmem_evict(struct svm_devmem *devmem, unsigned long *npages)
{
	struct svm_device *sdev = devmem->sdev;
	unsigned int attempt;
	unsigned long moved;
	int err = 0;

	*npages = 0;
	for (attempt = 0; ; attempt++) {
		struct svm_mig m = { };

		/* Pages of a detached allocation may already serve another. */
		down_read(&sdev->evict_sem);
		if (completion_done(&devmem->detached)) {
			up_read(&sdev->evict_sem);
			return 0;
		}
		err = svm_evict_once(devmem, &m, &moved);
		up_read(&sdev->evict_sem);
		*npages += moved;
		if (completion_done(&devmem->detached))
			return 0;
		if (attempt >= READ_ONCE(svm_evict_retries))
			break;
		svm_trace(svm_evict_retry, devmem->id, m.id, sdev->id,
			  err ? SVM_PAGEMAP_RETRY_ERROR :
				SVM_PAGEMAP_RETRY_NOT_DETACHED,
			  attempt + 1, err);
		svm_stat_inc(sdev, SVM_STAT(evict_retries));
		cond_resched();
	}
	return err ?: -EBUSY;
}

/**
 * svm_device_evict() - evict allocations of a device
 * @sdev: the device
 * @mm: only allocations made for this address space; NULL for all
 * @start: with @mm, only allocations overlapping [@start, @end)
 * @end: end of that range
 * @nallocs: (out) allocations evicted
 * @npages: (out) pages moved to RAM
 *
 * Return: 0, or -EBUSY (or another error) when an allocation could not be
 * evicted; the others are evicted all the same.
 */
int svm_device_evict(struct svm_device *sdev, struct mm_struct *mm,
		     unsigned long start, unsigned long end,
		     unsigned long *nallocs, unsigned long *npages)
{
	struct svm_devmem **list, *devmem;
	unsigned int n = 0, cap = 0, i;
	unsigned long moved;
	int err, ret = 0;

	*nallocs = 0;
	*npages = 0;
	spin_lock(&sdev->devmem_lock);
	list_for_each_entry(devmem, &sdev->devmem_list, link)
		cap++;
	spin_unlock(&sdev->devmem_lock);
	if (!cap)
		return 0;
	list = kvmalloc_array(cap, sizeof(*list), GFP_KERNEL);
	if (!list)
		return -ENOMEM;

	spin_lock(&sdev->devmem_lock);
	list_for_each_entry(devmem, &sdev->devmem_list, link) {
		if (n == cap)
			break;
		if (mm && (devmem->mm != mm || devmem->end <= start ||
			   devmem->start >= end))
			continue;
		if (kref_get_unless_zero(&devmem->ref))
			list[n++] = devmem;
	}
	spin_unlock(&sdev->devmem_lock);

	for (i = 0; i < n; i++) {
		err = svm_devmem_evict(list[i], &moved);
		*npages += moved;
		if (err)
			ret = ret ?: err;
		else
			(*nallocs)++;
		svm_devmem_put(list[i]);
	}
	kvfree(list);
	/* Evicted allocations have their pages back when this returns. */
	svm_device_flush();
	return ret;
}
