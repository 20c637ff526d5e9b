// SPDX-License-Identifier: GPL-2.0
/*
 * Migration of a range of a process into device memory, the
 * drm_pagemap_migrate_to_devmem() flow:
 *
 *   collect   migrate_vma_setup() on the range; -EBUSY unless every page was
 *             collected (cpages != npages: something else holds some of them)
 *   populate  allocate device pages for the pages that move (pages already on
 *             this device stay unless same-pagemap migration was asked for)
 *   map       DMA-map the system pages (IOVA or page path); pages of another
 *             device go through its device_map (peer migration)
 *   copy      the copy engine, in runs of contiguous device pages
 *   finalize  migrate_vma_pages() + migrate_vma_finalize()
 *   unmap     undo the map stage
 *
 * Any failure before finalize releases the destination pages, so the data
 * stays in the source pages.  A successful migration records the timeslice
 * during which CPU faults leave the pages on the device.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/pagemap.h>
#include <linux/slab.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

/* Does source entry @mpfn need a new device page? */
static bool svm_needs_page(struct svm_device *sdev, unsigned long mpfn,
			   bool same_pagemap)
{
	struct page *page = migrate_pfn_to_page(mpfn);

	if (!(mpfn & MIGRATE_PFN_MIGRATE))
		return false;
	if (page && is_device_private_page(page) && svm_page_is_ours(page) &&
	    svm_page_chunk(page)->sdev == sdev)
		return same_pagemap;
	return true;
}

static int svm_populate_devmem(struct svm_mig *m, struct migrate_vma *mv,
			       struct mm_struct *mm, bool same_pagemap,
			       struct page **dpages, unsigned long *map_src,
			       struct svm_devmem **out, unsigned long *need)
{
	unsigned long i, k = 0, n = 0;
	struct svm_devmem *devmem;

	for (i = 0; i < m->npages; i++)
		if (svm_needs_page(m->sdev, mv->src[i], same_pagemap))
			n++;
	*need = n;
	if (svm_inject(m, SVM_PAGEMAP_INJECT_POPULATE))
		return svm_inject_errno(SVM_PAGEMAP_INJECT_POPULATE);
	if (!n)
		return 0;
	devmem = svm_devmem_create(m->sdev, mm, mv->start, mv->end, n);
	if (IS_ERR(devmem))
		return PTR_ERR(devmem);

	for (i = 0; i < m->npages; i++) {
		unsigned long pfn;
		struct page *dpage;

		if (!svm_needs_page(m->sdev, mv->src[i], same_pagemap))
			continue;
		pfn = devmem->pfns[k++];
		dpage = pfn_to_page(pfn);
		svm_devmem_page_init(devmem, dpage);
		dpages[i] = dpage;
		mv->dst[i] = migrate_pfn(pfn);
		if ((mv->src[i] & MIGRATE_PFN_WRITE) ||
		    (!migrate_pfn_to_page(mv->src[i]) &&
		     (mv->vma->vm_flags & VM_WRITE)))
			mv->dst[i] |= MIGRATE_PFN_WRITE;
		map_src[i] = mv->src[i];
	}
	*out = devmem;
	return 0;
}

/* Release the destination pages of an aborted migration. */
static void svm_release_dst(struct migrate_vma *mv, struct page **dpages,
			    unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		if (!dpages[i])
			continue;
		unlock_page(dpages[i]);
		put_page(dpages[i]);
		dpages[i] = NULL;
		mv->dst[i] = 0;
	}
}

/**
 * svm_migrate_to_devmem() - migrate a range of @mm into device memory
 * @sdev: destination device
 * @mm: the address space, mmap lock held for read
 * @start: page-aligned start, inside one anonymous VMA with @end
 * @end: page-aligned end
 * @args: trigger, timeslice, same-pagemap flag in; id and counts out
 *
 * Return: 0 when the range is in device memory (pages that were already
 * there count as done), -EBUSY when not every page could be collected,
 * -ENOMEM when device memory is exhausted, another negative errno on
 * failure; the data is intact in its source pages whenever this fails.
 */
int svm_migrate_to_devmem(struct svm_device *sdev, struct mm_struct *mm,
			  unsigned long start, unsigned long end,
			  struct svm_migrate_args *args)
{
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	struct svm_map_state st = { .dir = DMA_TO_DEVICE };
	unsigned long i, need = 0, migrated = 0, peer = 0;
	struct svm_devmem *devmem = NULL;
	struct migrate_vma mv = { };
	struct vm_area_struct *vma;
	struct svm_mig m = { };
	unsigned long *map_src;
	struct svm_addr *addrs;
	struct page **dpages;
	bool collected = false, mapped = false;
	int src_dev = -1, err, fin_err = 0;
	void *buf;
	u64 t0;

	mmap_assert_locked(mm);
	vma = vma_lookup(mm, start);
	if (!vma || end > vma->vm_end || !vma_is_anonymous(vma))
		return -EINVAL;

	buf = kvcalloc(npages, 3 * sizeof(unsigned long) + sizeof(*addrs) +
		       sizeof(*dpages), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mv.src = buf;
	mv.dst = mv.src + npages;
	map_src = mv.dst + npages;
	addrs = (struct svm_addr *)(map_src + npages);
	dpages = (struct page **)(addrs + npages);

	/* collect; the direction (to_dev or peer) is known once it is done */
	m.id = svm_next_id();
	if (trace_svm_migrate_end_enabled())
		m.t_begin = ktime_get_ns();
	t0 = svm_stage_start();
	mv.vma = vma;
	mv.start = start;
	mv.end = end;
	mv.pgmap_owner = svm_owner;
	mv.flags = MIGRATE_VMA_SELECT_SYSTEM | MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
	err = migrate_vma_setup(&mv);
	if (!err) {
		collected = true;
		for (i = 0; i < npages; i++) {
			struct page *page = migrate_pfn_to_page(mv.src[i]);

			if (page && is_device_private_page(page) &&
			    svm_page_is_ours(page) &&
			    svm_page_chunk(page)->sdev != sdev) {
				peer++;
				src_dev = svm_page_chunk(page)->sdev->id;
			}
		}
	}
	svm_mig_begin(&m, sdev, peer ? SVM_PAGEMAP_DIR_PEER : SVM_PAGEMAP_DIR_TO_DEV,
		      args->trigger, start, npages, src_dev);
	if (!err && mv.cpages != npages)
		err = -EBUSY;
	svm_stage_done(&m, SVM_PAGEMAP_STAGE_COLLECT, t0, mv.cpages, err);
	if (err)
		goto finalize;

	t0 = svm_stage_start();
	err = svm_populate_devmem(&m, &mv, mm, args->same_pagemap, dpages,
				  map_src, &devmem, &need);
	svm_stage_done(&m, SVM_PAGEMAP_STAGE_POPULATE, t0, err ? 0 : need, err);
	if (err || !need)
		goto finalize;

	m.dma_dev = svm_dma_get(sdev);
	mapped = true;
	err = svm_map_pages(&m, &st, addrs, map_src, npages, args->same_pagemap);
	if (!err)
		err = svm_copy_to_devmem(&m, dpages, addrs, npages);
	if (!err)
		svm_edu_verify(&m, addrs, dpages, npages, true);

finalize:
	if (collected) {
		t0 = svm_stage_start();
		if (!err && need && svm_inject(&m, SVM_PAGEMAP_INJECT_FINALIZE))
			fin_err = svm_inject_errno(SVM_PAGEMAP_INJECT_FINALIZE);
		if (fin_err)
			err = fin_err;
		if (err)
			svm_release_dst(&mv, dpages, npages);
		else if (devmem)
			devmem->timeslice_expiration = get_jiffies_64() +
				msecs_to_jiffies(args->timeslice_ms);
		migrate_vma_pages(&mv);
		for (i = 0; i < npages; i++) {
			struct page *page;

			if (!(mv.dst[i] & MIGRATE_PFN_VALID) ||
			    !(mv.src[i] & MIGRATE_PFN_MIGRATE))
				continue;
			migrated++;
			page = migrate_pfn_to_page(mv.src[i]);
			if (page && is_device_private_page(page))
				args->peer_pages++;
		}
		migrate_vma_finalize(&mv);
		svm_stage_done(&m, SVM_PAGEMAP_STAGE_FINALIZE, t0, migrated,
			       fin_err);
	}
	if (mapped) {
		svm_unmap_pages(&m, &st, addrs, npages);
		svm_dma_put(m.dma_dev);
	}
	/* Drop the migration's zdd reference: the pages hold the rest. */
	if (devmem)
		svm_zdd_put(devmem->zdd);
	svm_mig_end(&m, migrated, err);
	args->id = m.id;
	args->npages = migrated;
	kvfree(buf);
	return err;
}
