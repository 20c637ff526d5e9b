// SPDX-License-Identifier: GPL-2.0
/*
 * DMA mapping of the pages a migration copies from or to.
 *
 * System pages: the IOVA path when the kernel has the dma_iova_* API and the
 * DMA device sits behind an IOMMU (one dma_iova_try_alloc per migration,
 * 2 MiB aligned when the range allows, one dma_iova_link per page, one
 * dma_iova_sync; dma_iova_unlink + dma_iova_free at the end), otherwise
 * dma_map_page per page.  Device-private pages of another software device
 * (and of this one, for same-pagemap migration) go through that device's
 * device_map: their device-physical address over the devices' interconnect.
 */
#include <linux/iommu.h>
#include <linux/sizes.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

static u32 svm_iova_fail_reason(struct device *dev)
{
	struct iommu_domain *domain;

	if (!SVM_IOVA_API)
		return SVM_PAGEMAP_IOVA_NO_API;
	if (!READ_ONCE(svm_iova_enable))
		return SVM_PAGEMAP_IOVA_DISABLED;
	domain = iommu_get_domain_for_dev(dev);
	if (!domain || !iommu_is_dma_domain(domain))
		return SVM_PAGEMAP_IOVA_NO_IOMMU;
	return SVM_PAGEMAP_IOVA_ALLOC_FAILED;
}

/* One IOVA range for what is left of the migration, from its first page. */
static void svm_iova_try(struct svm_mig *m, struct svm_map_state *st,
			 unsigned long left)
{
	size_t size = left << PAGE_SHIFT;
	size_t align = size >= SZ_2M ? SZ_2M : 0;
	u32 reason;

	st->iova_tried = true;
	if (SVM_IOVA_API && READ_ONCE(svm_iova_enable) &&
	    svm_iova_try_alloc(m->dma_dev, &st->iova, align, size)) {
		st->use_iova = true;
		reason = SVM_PAGEMAP_IOVA_OK;
		size = svm_iova_size(&st->iova);
	} else {
		reason = svm_iova_fail_reason(m->dma_dev);
	}
	svm_trace(svm_iova_alloc, m->id, m->sdev->id, size, align, reason);
	svm_stat_inc(m->sdev, SVM_STAT(iova_allocs[reason]));
}

/*
 * The device_map op of a software device: its pages are reached by their
 * device-physical address, tagged with the device.
 */
static void svm_device_map(struct page *page, struct svm_addr *a)
{
	a->addr = svm_page_dpa(page);
	a->proto = SVM_PROTO_DEVICE;
	a->device = svm_page_chunk(page)->sdev->id;
}

static void svm_map_trace(struct svm_mig *m, u32 path, unsigned long n,
			  u64 iova_bytes)
{
	if (!n)
		return;
	/*
	 * A migration's path is how its system pages were mapped; peer and
	 * local name it only when nothing else was mapped.
	 */
	if (m->path == SVM_PAGEMAP_PATH_NONE || path == SVM_PAGEMAP_PATH_IOVA ||
	    path == SVM_PAGEMAP_PATH_PAGE)
		m->path = path;
	svm_trace(svm_map, m->id, m->sdev->id, path, m->dir, n,
		  (u64)n << PAGE_SHIFT, iova_bytes);
	svm_stat_inc(m->sdev, SVM_STAT(map_calls[path]));
	svm_stat_add(m->sdev, SVM_STAT(map_pages[path]), n);
}

/**
 * svm_map_pages() - map stage: DMA-map the pages to copy from or to
 * @m: the migration (m->dma_dev is the DMA device)
 * @st: mapping state, zeroed by the caller; st->dir set
 * @addrs: per page, the address the copy engine will use (out)
 * @mpfns: migrate pfns of the pages to map; entries without a page are
 *	skipped
 * @npages: entries in @mpfns and @addrs
 * @same_pagemap: map pages of this device too (else they are skipped)
 *
 * Whatever was mapped, also on failure, is undone by svm_unmap_pages().
 *
 * Return: 0, -EFAULT when a mapping failed (or was injected to fail).
 */
int svm_map_pages(struct svm_mig *m, struct svm_map_state *st,
		  struct svm_addr *addrs, const unsigned long *mpfns,
		  unsigned long npages, bool same_pagemap)
{
	unsigned long i, peer = 0, local = 0;
	u64 t0 = svm_stage_start();
	int err = 0;

	for (i = 0; i < npages; i++) {
		struct page *page = migrate_pfn_to_page(mpfns[i]);
		dma_addr_t dma;

		if (!page)
			continue;
		if (is_device_private_page(page)) {
			if (!svm_page_is_ours(page)) {
				err = -EFAULT;
				break;
			}
			if (svm_page_chunk(page)->sdev == m->sdev) {
				if (!same_pagemap)
					continue;
				local++;
			} else {
				peer++;
			}
			svm_device_map(page, &addrs[i]);
			st->dev_pages++;
			continue;
		}
		if (!st->iova_tried)
			svm_iova_try(m, st, npages - i);
		if (st->use_iova) {
			err = svm_iova_link(m->dma_dev, &st->iova,
					    page_to_phys(page), st->iova_offset,
					    PAGE_SIZE, st->dir);
			if (err)
				break;
			dma = svm_iova_addr(&st->iova) + st->iova_offset;
			st->iova_offset += PAGE_SIZE;
		} else {
			dma = dma_map_page(m->dma_dev, page, 0, PAGE_SIZE, st->dir);
			if (dma_mapping_error(m->dma_dev, dma)) {
				err = -EFAULT;
				break;
			}
		}
		addrs[i].addr = dma;
		addrs[i].proto = SVM_PROTO_SYSTEM;
		st->sys_pages++;
	}
	if (!err && st->use_iova && st->iova_offset)
		err = svm_iova_sync(m->dma_dev, &st->iova, 0, st->iova_offset);
	if (!err && svm_inject(m, SVM_PAGEMAP_INJECT_MAP))
		err = svm_inject_errno(SVM_PAGEMAP_INJECT_MAP);

	if (st->use_iova)
		svm_map_trace(m, SVM_PAGEMAP_PATH_IOVA, st->sys_pages,
			      svm_iova_size(&st->iova));
	else
		svm_map_trace(m, SVM_PAGEMAP_PATH_PAGE, st->sys_pages, 0);
	svm_map_trace(m, SVM_PAGEMAP_PATH_PEER, peer, 0);
	svm_map_trace(m, SVM_PAGEMAP_PATH_LOCAL, local, 0);
	svm_stage_done(m, SVM_PAGEMAP_STAGE_MAP, t0,
		       st->sys_pages + st->dev_pages, err);
	return err;
}

/**
 * svm_unmap_pages() - unmap stage: undo svm_map_pages()
 * @m: the migration
 * @st: the mapping state svm_map_pages() filled
 * @addrs: the addresses it produced
 * @npages: entries in @addrs
 */
void svm_unmap_pages(struct svm_mig *m, struct svm_map_state *st,
		     struct svm_addr *addrs, unsigned long npages)
{
	u64 t0 = svm_stage_start();
	unsigned long i;

	if (st->use_iova) {
		u64 size = svm_iova_size(&st->iova);

		svm_iova_unlink_free(m->dma_dev, &st->iova, st->iova_offset,
				     st->dir);
		svm_trace(svm_iova_free, m->id, m->sdev->id, size, st->iova_offset);
		svm_stat_inc(m->sdev, SVM_STAT(iova_frees));
	} else {
		for (i = 0; i < npages; i++)
			if (addrs[i].proto == SVM_PROTO_SYSTEM)
				dma_unmap_page(m->dma_dev, addrs[i].addr,
					       PAGE_SIZE, st->dir);
	}
	/* Device addresses need no unmapping: device_unmap is a no-op. */
	svm_stage_done(m, SVM_PAGEMAP_STAGE_UNMAP, t0,
		       st->sys_pages + st->dev_pages, 0);
}
