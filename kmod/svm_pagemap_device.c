// SPDX-License-Identifier: GPL-2.0
/*
 * Software devices: device-private memory in memremap_pages() chunks, a page
 * allocator over it, device allocations (struct svm_devmem) and their
 * zone-device data (struct svm_zdd), as in drm_pagemap.
 *
 * Lifetime: a migration into device memory creates one svm_devmem for the
 * pages it needs and one svm_zdd holding a reference per device page plus
 * one for the migration itself.  When the last page is freed the zdd goes,
 * the allocation is "detached" (evictors wait for that) and a work item
 * returns its pages to the allocator.  Every allocation holds a module
 * reference, so the module cannot go while pages are on a device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/ioport.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

static void svm_page_free(struct page *page);

SVM_DEFINE_PAGEMAP_FREE(svm_pagemap_free, svm_page_free)

const struct dev_pagemap_ops svm_pagemap_ops = {
	SVM_PAGEMAP_FREE_OP(svm_pagemap_free),
	.migrate_to_ram = svm_migrate_to_ram,
};

/**
 * svm_page_is_ours() - is @page device-private memory of svm_pagemap?
 * @page: any page
 *
 * Return: true for a page of one of this module's devices.
 */
bool svm_page_is_ours(struct page *page)
{
	/*
	 * The pagemap operations are the engine's (drm_pagemap's own on that
	 * engine, shared with any other drm_pagemap driver); the owner is
	 * this module's alone.
	 */
	return is_device_private_page(page) &&
	       svm_compat_page_pgmap(page)->owner == svm_owner;
}

/**
 * svm_page_charge_moved() - has a device page handed its memcg charge on?
 * @page: a device page, locked for migration
 *
 * A device folio whose data a migration moved to another device page, and
 * that is not freed yet, has handed its memcg charge to the new page.  An
 * eviction finding it by its pfn (drm_pagemap retires the folios it moved
 * to RAM, not those it moved device to device; the native engine finds them
 * by allocation) must not move it: the RAM folio it moved into would carry
 * no charge, and on 7.3 folio_add_lru() spins forever on such a folio
 * (folio_lruvec_lock_irqsave() retries while the folio's memcg, none, is
 * not its lruvec's, the root).  Its data is stale anyway; the eviction
 * leaves it and retries, and finds it freed.
 *
 * Return: true when memcg is in use and the page's folio has no charge.
 */
bool svm_page_charge_moved(struct page *page)
{
#ifdef CONFIG_MEMCG
	return !mem_cgroup_disabled() && !folio_memcg_charged(page_folio(page));
#else
	return false;
#endif
}

/**
 * svm_page_chunk() - the chunk a device page belongs to
 * @page: a page for which svm_page_is_ours() holds
 *
 * Return: the chunk.
 */
struct svm_chunk *svm_page_chunk(struct page *page)
{
	return container_of(svm_compat_page_pgmap(page), struct svm_chunk, pgmap);
}

static unsigned long svm_page_index(struct page *page)
{
	struct svm_chunk *chunk = svm_page_chunk(page);

	return chunk->index * chunk->sdev->chunk_pages +
	       (page_to_pfn(page) - chunk->pfn_first);
}

static unsigned long svm_index_pfn(struct svm_device *sdev, unsigned long idx)
{
	struct svm_chunk *chunk = sdev->chunks[idx / sdev->chunk_pages];

	return chunk->pfn_first + idx % sdev->chunk_pages;
}

/**
 * svm_page_dpa() - device-physical address of a device page
 * @page: a page for which svm_page_is_ours() holds
 *
 * Return: offset of the page in its device's memory.
 */
u64 svm_page_dpa(struct page *page)
{
	return (u64)svm_page_index(page) << PAGE_SHIFT;
}

/**
 * svm_dpa_backing() - the storage behind a device-physical address
 * @sdev: device
 * @dpa: page-aligned device-physical address within @sdev
 *
 * Return: kernel address of the page's contents, NULL when out of range.
 */
void *svm_dpa_backing(struct svm_device *sdev, u64 dpa)
{
	unsigned long idx = dpa >> PAGE_SHIFT;
	struct svm_chunk *chunk;

	if (idx >= sdev->total_pages)
		return NULL;
	chunk = sdev->chunks[idx / sdev->chunk_pages];
	return chunk->backing + ((idx % sdev->chunk_pages) << PAGE_SHIFT);
}

/**
 * svm_page_backing() - the storage behind a device page
 * @page: a page for which svm_page_is_ours() holds
 *
 * Return: kernel address of the page's contents.
 */
void *svm_page_backing(struct page *page)
{
	struct svm_chunk *chunk = svm_page_chunk(page);

	return chunk->backing + ((page_to_pfn(page) - chunk->pfn_first) << PAGE_SHIFT);
}

/*
 * The first free run of @n pages aligned to @align pages (a power of two)
 * within its chunk, which it does not cross.  Chunks start section-aligned
 * (request_free_mem_region), so the run is as aligned in pfn space.
 * Returns sdev->total_pages when there is none.  alloc_lock held.
 */
static unsigned long svm_find_run(struct svm_device *sdev, unsigned long n,
				  unsigned long align)
{
	unsigned long mask = align - 1;
	unsigned long c, first, end, start;

	for (c = 0; c < sdev->nchunks; c++) {
		first = c * sdev->chunk_pages;
		end = min(first + sdev->chunk_pages, sdev->total_pages);
		start = bitmap_find_next_zero_area_off(sdev->bitmap, end, first,
						       n, mask,
						       (align - (first & mask)) & mask);
		if (start < end)
			return start;
	}
	return sdev->total_pages;
}

/*
 * Allocate @n device pages into @pfns.  Without @align: one contiguous run
 * when there is one (so the copy engine gets long runs), else whatever is
 * free.  With @align: only one contiguous run whose first page is aligned to
 * @align pages in pfn space (a device folio of that order).
 */
static int svm_alloc_pages(struct svm_device *sdev, unsigned long n,
			   unsigned long align, unsigned long *pfns)
{
	unsigned long start, idx, i;
	unsigned long flags;

	spin_lock_irqsave(&sdev->alloc_lock, flags);
	if (sdev->free_pages < n) {
		spin_unlock_irqrestore(&sdev->alloc_lock, flags);
		return -ENOMEM;
	}
	if (align) {
		start = svm_find_run(sdev, n, align);
		if (start >= sdev->total_pages) {
			/* Enough pages, but no aligned run: fragmented. */
			spin_unlock_irqrestore(&sdev->alloc_lock, flags);
			return -ENOSPC;
		}
	} else {
		start = bitmap_find_next_zero_area(sdev->bitmap,
						   sdev->total_pages,
						   sdev->hint, n, 0);
		if (start >= sdev->total_pages)
			start = bitmap_find_next_zero_area(sdev->bitmap,
							   sdev->total_pages,
							   0, n, 0);
	}
	if (start < sdev->total_pages) {
		bitmap_set(sdev->bitmap, start, n);
		for (i = 0; i < n; i++)
			pfns[i] = svm_index_pfn(sdev, start + i);
		sdev->hint = start + n;
	} else {
		idx = sdev->hint;
		for (i = 0; i < n; i++) {
			idx = find_next_zero_bit(sdev->bitmap, sdev->total_pages, idx);
			if (idx >= sdev->total_pages)
				idx = find_first_zero_bit(sdev->bitmap,
							  sdev->total_pages);
			__set_bit(idx, sdev->bitmap);
			pfns[i] = svm_index_pfn(sdev, idx);
		}
		sdev->hint = idx + 1;
	}
	if (sdev->hint >= sdev->total_pages)
		sdev->hint = 0;
	sdev->free_pages -= n;
	spin_unlock_irqrestore(&sdev->alloc_lock, flags);
	return 0;
}

static void svm_free_pages(struct svm_device *sdev, const unsigned long *pfns,
			   unsigned long n)
{
	unsigned long flags, i;

	spin_lock_irqsave(&sdev->alloc_lock, flags);
	for (i = 0; i < n; i++)
		__clear_bit(svm_page_index(pfn_to_page(pfns[i])), sdev->bitmap);
	sdev->free_pages += n;
	spin_unlock_irqrestore(&sdev->alloc_lock, flags);
}

/**
 * svm_device_alloc_pages() - allocate device pages for an engine
 * @sdev: device
 * @n: pages wanted
 * @align: 0, or a power of two: one contiguous run of @n pages starting at a
 *	pfn aligned to @align pages (for a device folio of that size)
 * @pfns: (out) the @n pfns, in order
 *
 * Released allocations still returning their pages are waited for once
 * before giving up.
 *
 * Return: 0, -ENOMEM when fewer than @n pages are free, -ENOSPC when enough
 * are free but no aligned run of them exists.
 */
int svm_device_alloc_pages(struct svm_device *sdev, unsigned long n,
			   unsigned long align, unsigned long *pfns)
{
	int ret = svm_alloc_pages(sdev, n, align, pfns);

	if (ret) {
		svm_device_flush();
		ret = svm_alloc_pages(sdev, n, align, pfns);
	}
	return ret;
}

/**
 * svm_device_release_pages() - return pages of svm_device_alloc_pages()
 * @sdev: device
 * @pfns: their pfns
 * @n: how many
 */
void svm_device_release_pages(struct svm_device *sdev,
			      const unsigned long *pfns, unsigned long n)
{
	svm_free_pages(sdev, pfns, n);
}

/**
 * svm_device_flush() - wait for pending allocation releases
 *
 * Releases run from a work item; after this call every allocation whose
 * pages were all freed before it has returned its pages to the allocator.
 */
void svm_device_flush(void)
{
	flush_workqueue(svm_wq);
}

/**
 * svm_device_free_pages() - free device pages, pending releases included
 * @sdev: device
 *
 * Return: number of free pages.
 */
unsigned long svm_device_free_pages(struct svm_device *sdev)
{
	unsigned long flags, n;

	svm_device_flush();
	spin_lock_irqsave(&sdev->alloc_lock, flags);
	n = sdev->free_pages;
	spin_unlock_irqrestore(&sdev->alloc_lock, flags);
	return n;
}

static void svm_devmem_free(struct kref *ref)
{
	struct svm_devmem *devmem = container_of(ref, struct svm_devmem, ref);

	kvfree(devmem->pfns);
	kfree(devmem);
}

/**
 * svm_devmem_put() - drop a reference to a device allocation
 * @devmem: the allocation
 */
void svm_devmem_put(struct svm_devmem *devmem)
{
	kref_put(&devmem->ref, svm_devmem_free);
}

static void svm_devmem_release_work(struct work_struct *work)
{
	struct svm_devmem *devmem = container_of(work, struct svm_devmem,
						 release_work);
	struct svm_device *sdev = devmem->sdev;

	spin_lock(&sdev->devmem_lock);
	list_del_init(&devmem->link);
	spin_unlock(&sdev->devmem_lock);
	down_write(&sdev->evict_sem);
	svm_free_pages(sdev, devmem->pfns, devmem->npages);
	up_write(&sdev->evict_sem);
	svm_trace(svm_devmem_release, devmem->id, sdev->id, devmem->npages,
		  devmem->start);
	svm_stat_inc(sdev, SVM_STAT(devmem_releases));
	mmdrop(devmem->mm);
	svm_devmem_put(devmem);
	/* The workqueue is destroyed, and waits for us, before the code goes. */
	module_put(THIS_MODULE);
}

static void svm_zdd_destroy(struct kref *ref)
{
	struct svm_zdd *zdd = container_of(ref, struct svm_zdd, ref);
	struct svm_devmem *devmem = zdd->devmem;

	/* May run where the last page reference went: no sleeping here. */
	complete_all(&devmem->detached);
	queue_work(svm_wq, &devmem->release_work);
	kfree(zdd);
}

/**
 * svm_zdd_put() - drop a reference to zone-device data
 * @zdd: the zdd
 *
 * The last reference detaches the allocation and schedules its release.
 */
void svm_zdd_put(struct svm_zdd *zdd)
{
	kref_put(&zdd->ref, svm_zdd_destroy);
}

static void svm_page_free(struct page *page)
{
	struct svm_zdd *zdd = page->zone_device_data;

	page->zone_device_data = NULL;
	if (zdd)
		svm_zdd_put(zdd);
}

/**
 * svm_devmem_create() - allocate device memory for a migration
 * @sdev: device
 * @mm: address space the memory is for
 * @start: first virtual address of the migrated range
 * @end: end of the migrated range
 * @npages: device pages needed
 *
 * The allocation starts with one zdd reference, owned by the caller, which
 * drops it with svm_zdd_put(devmem->zdd) once the pages are in place (or the
 * migration was aborted).
 *
 * Return: the allocation or an ERR_PTR(): -ENOMEM when the device memory
 * (or kernel memory) is exhausted.
 */
struct svm_devmem *svm_devmem_create(struct svm_device *sdev,
				     struct mm_struct *mm, unsigned long start,
				     unsigned long end, unsigned long npages)
{
	struct svm_devmem *devmem;
	struct svm_zdd *zdd;
	int ret = -ENOMEM;

	devmem = kzalloc_obj(*devmem, GFP_KERNEL);
	if (!devmem)
		return ERR_PTR(-ENOMEM);
	zdd = kzalloc_obj(*zdd, GFP_KERNEL);
	if (!zdd)
		goto err_devmem;
	devmem->pfns = kvmalloc_array(npages, sizeof(*devmem->pfns), GFP_KERNEL);
	if (!devmem->pfns)
		goto err_zdd;
	ret = svm_alloc_pages(sdev, npages, 0, devmem->pfns);
	if (ret == -ENOMEM) {
		/* Released allocations may still be returning their pages. */
		svm_device_flush();
		ret = svm_alloc_pages(sdev, npages, 0, devmem->pfns);
	}
	if (ret)
		goto err_pfns;

	kref_init(&devmem->ref);
	devmem->sdev = sdev;
	devmem->id = svm_next_id();
	devmem->mm = mm;
	mmgrab(mm);
	devmem->start = start;
	devmem->end = end;
	devmem->npages = npages;
	init_completion(&devmem->detached);
	INIT_WORK(&devmem->release_work, svm_devmem_release_work);
	devmem->zdd = zdd;
	kref_init(&zdd->ref);
	zdd->devmem = devmem;
	zdd->owner = svm_owner;

	__module_get(THIS_MODULE);
	spin_lock(&sdev->devmem_lock);
	list_add_tail(&devmem->link, &sdev->devmem_list);
	spin_unlock(&sdev->devmem_lock);
	svm_trace(svm_devmem_alloc, devmem->id, sdev->id, npages, start);
	svm_stat_inc(sdev, SVM_STAT(devmem_allocs));
	return devmem;

err_pfns:
	kvfree(devmem->pfns);
err_zdd:
	kfree(zdd);
err_devmem:
	kfree(devmem);
	return ERR_PTR(ret);
}

/**
 * svm_devmem_page_init() - hand out one page of an allocation
 * @devmem: the allocation
 * @page: one of its pages
 *
 * The page comes back locked with one reference, its zone_device_data
 * pointing at the allocation's zdd (which gains a reference).
 */
void svm_devmem_page_init(struct svm_devmem *devmem, struct page *page)
{
	svm_compat_zone_device_page_init(page, svm_compat_page_pgmap(page));
	kref_get(&devmem->zdd->ref);
	page->zone_device_data = devmem->zdd;
}

static int svm_chunk_create(struct svm_device *sdev, unsigned int index,
			    unsigned long npages)
{
	unsigned long bytes = npages << PAGE_SHIFT;
	struct svm_chunk *chunk;
	void *addr;
	int ret;

	chunk = kzalloc_obj(*chunk, GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	chunk->sdev = sdev;
	chunk->index = index;
	chunk->backing = vzalloc(bytes);
	if (!chunk->backing) {
		ret = -ENOMEM;
		goto err_free;
	}
	chunk->res = request_free_mem_region(&iomem_resource, bytes,
					     "svm_pagemap");
	if (IS_ERR(chunk->res)) {
		ret = PTR_ERR(chunk->res);
		goto err_backing;
	}
	chunk->pgmap.type = MEMORY_DEVICE_PRIVATE;
	chunk->pgmap.range.start = chunk->res->start;
	chunk->pgmap.range.end = chunk->res->end;
	chunk->pgmap.nr_range = 1;
	chunk->pgmap.ops = svm_engine->pagemap_ops();
	chunk->pgmap.owner = svm_owner;
	addr = memremap_pages(&chunk->pgmap, NUMA_NO_NODE);
	if (IS_ERR(addr)) {
		ret = PTR_ERR(addr);
		goto err_release;
	}
	chunk->pfn_first = PHYS_PFN(chunk->res->start);
	sdev->chunks[index] = chunk;
	return 0;

err_release:
	release_mem_region(chunk->res->start, resource_size(chunk->res));
err_backing:
	vfree(chunk->backing);
err_free:
	kfree(chunk);
	return ret;
}

static void svm_chunk_destroy(struct svm_chunk *chunk)
{
	memunmap_pages(&chunk->pgmap);
	release_mem_region(chunk->res->start, resource_size(chunk->res));
	vfree(chunk->backing);
	kfree(chunk);
}

/**
 * svm_device_create() - create one software device
 * @id: device index
 * @out: where the device is stored; set before the character device
 *	appears, so an open() never sees a half-built device
 *
 * Return: 0 or a negative errno; nothing is left behind on failure.
 */
int svm_device_create(unsigned int id, struct svm_device **out)
{
	struct platform_device_info pinfo = {
		.name = "svm_pagemap",
		.id = id,
		.dma_mask = DMA_BIT_MASK(64),
	};
	unsigned long remaining;
	struct svm_device *sdev;
	unsigned int i;
	int ret;

	sdev = kzalloc_obj(*sdev, GFP_KERNEL);
	if (!sdev)
		return -ENOMEM;
	sdev->id = id;
	spin_lock_init(&sdev->alloc_lock);
	spin_lock_init(&sdev->devmem_lock);
	INIT_LIST_HEAD(&sdev->devmem_list);
	init_rwsem(&sdev->evict_sem);

	sdev->pdev = platform_device_register_full(&pinfo);
	if (IS_ERR(sdev->pdev)) {
		ret = PTR_ERR(sdev->pdev);
		goto err_free;
	}

	sdev->chunk_pages = (unsigned long)svm_chunk_mib << (20 - PAGE_SHIFT);
	sdev->total_pages = (unsigned long)svm_device_mib << (20 - PAGE_SHIFT);
	sdev->nchunks = DIV_ROUND_UP(sdev->total_pages, sdev->chunk_pages);
	sdev->free_pages = sdev->total_pages;
	sdev->bitmap = bitmap_zalloc(sdev->total_pages, GFP_KERNEL);
	sdev->chunks = kcalloc(sdev->nchunks, sizeof(*sdev->chunks), GFP_KERNEL);
	if (!sdev->bitmap || !sdev->chunks) {
		ret = -ENOMEM;
		goto err_arrays;
	}
	remaining = sdev->total_pages;
	for (i = 0; i < sdev->nchunks; i++) {
		ret = svm_chunk_create(sdev, i, min(remaining, sdev->chunk_pages));
		if (ret)
			goto err_chunks;
		remaining -= min(remaining, sdev->chunk_pages);
	}

	snprintf(sdev->name, sizeof(sdev->name), SVM_PAGEMAP_DEV_PREFIX "%u", id);
	sdev->misc.minor = MISC_DYNAMIC_MINOR;
	sdev->misc.name = sdev->name;
	sdev->misc.fops = &svm_fops;
	sdev->misc.mode = 0600;
	if (svm_engine->device_init) {
		ret = svm_engine->device_init(sdev);
		if (ret)
			goto err_chunks;
	}
	*out = sdev;
	ret = misc_register(&sdev->misc);
	if (ret)
		goto err_unpublish;
	return 0;

err_unpublish:
	*out = NULL;
	if (svm_engine->device_fini)
		svm_engine->device_fini(sdev);
err_chunks:
	while (i--)
		svm_chunk_destroy(sdev->chunks[i]);
err_arrays:
	kfree(sdev->chunks);
	bitmap_free(sdev->bitmap);
	platform_device_unregister(sdev->pdev);
err_free:
	kfree(sdev);
	return ret;
}

/**
 * svm_device_destroy() - tear a software device down
 * @sdev: device without allocations (guaranteed by the module references
 *	they hold)
 */
void svm_device_destroy(struct svm_device *sdev)
{
	unsigned int i;

	misc_deregister(&sdev->misc);
	svm_device_flush();
	if (svm_engine->device_fini)
		svm_engine->device_fini(sdev);
	for (i = 0; i < sdev->nchunks; i++)
		svm_chunk_destroy(sdev->chunks[i]);
	kfree(sdev->chunks);
	bitmap_free(sdev->bitmap);
	platform_device_unregister(sdev->pdev);
	kfree(sdev);
}
