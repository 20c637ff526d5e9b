// SPDX-License-Identifier: GPL-2.0
/*
 * The copy engine.  Like xe_svm_copy() it walks the migration's pages,
 * gathers physically contiguous runs of device pages and issues one copy
 * command per run, at most copy_chunk_mib long.  The "hardware" is the CPU,
 * but it reaches system memory only through the DMA addresses the map stage
 * produced: through the IOMMU's page table when the DMA device has a DMA
 * domain, directly otherwise.  A wrong or missing mapping therefore shows up
 * as a failed copy or wrong data, as it would on a real device.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/sched.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

static struct iommu_domain *svm_dma_domain(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && iommu_is_dma_domain(domain) ? domain : NULL;
}

/*
 * Resolve an address of the map stage to a kernel pointer.  System pages are
 * kmapped (*kpage set, release with kunmap_local()); device addresses point
 * into the owning device's memory.
 */
static void *svm_resolve(struct iommu_domain *domain, const struct svm_addr *a,
			 bool *kmapped)
{
	struct svm_device *peer;
	phys_addr_t phys;

	*kmapped = false;
	if (a->proto == SVM_PROTO_DEVICE) {
		peer = svm_device_get_by_id(a->device);
		return peer ? svm_dpa_backing(peer, a->addr) : NULL;
	}
	if (a->proto != SVM_PROTO_SYSTEM)
		return NULL;
	phys = domain ? iommu_iova_to_phys(domain, a->addr) : a->addr;
	if (!phys || !pfn_valid(PHYS_PFN(phys)))
		return NULL;
	*kmapped = true;
	return kmap_local_page(pfn_to_page(PHYS_PFN(phys))) + offset_in_page(phys);
}

/**
 * svm_addr_to_ptr() - resolve an address of the map stage for the CPU
 * @dev: DMA device the address belongs to
 * @a: the address
 * @kmapped: (out) the pointer must be released with kunmap_local()
 *
 * Return: kernel pointer to the page's bytes, NULL when it does not resolve.
 */
void *svm_addr_to_ptr(struct device *dev, const struct svm_addr *a,
		      bool *kmapped)
{
	return svm_resolve(svm_dma_domain(dev), a, kmapped);
}

/* Length of the run of physically contiguous device pages from @i. */
static unsigned long svm_run(struct page **dpages, unsigned long i,
			     unsigned long npages, unsigned long max)
{
	u64 dpa = svm_page_dpa(dpages[i]);
	struct svm_chunk *chunk = svm_page_chunk(dpages[i]);
	unsigned long n = 1;

	while (i + n < npages && n < max && dpages[i + n] &&
	       svm_page_chunk(dpages[i + n]) == chunk &&
	       svm_page_dpa(dpages[i + n]) == dpa + ((u64)n << PAGE_SHIFT))
		n++;
	return n;
}

static int svm_copy(struct svm_mig *m, struct page **dpages,
		    const struct svm_addr *addrs, unsigned long npages,
		    bool to_dev)
{
	unsigned long max = (unsigned long)READ_ONCE(svm_copy_chunk_mib) <<
			    (20 - PAGE_SHIFT);
	struct iommu_domain *domain = svm_dma_domain(m->dma_dev);
	unsigned long i, k, n, copied = 0;
	u64 t0 = svm_stage_start();
	int err = 0;

	if (!max)
		max = 1;
	if (svm_inject(m, SVM_PAGEMAP_INJECT_COPY)) {
		err = svm_inject_errno(SVM_PAGEMAP_INJECT_COPY);
		goto out;
	}
	for (i = 0; i < npages; i += n) {
		n = 1;
		if (!dpages[i])
			continue;
		n = svm_run(dpages, i, npages, max);
		/* One copy command for the run. */
		for (k = i; k < i + n; k++) {
			void *dev = svm_page_backing(dpages[k]);
			bool kmapped;
			void *sys;

			if (addrs[k].proto == SVM_PROTO_NONE) {
				/* No source page (a hole): device memory reads as zero. */
				if (to_dev) {
					memset(dev, 0, PAGE_SIZE);
					copied++;
				}
				continue;
			}
			sys = svm_resolve(domain, &addrs[k], &kmapped);
			if (!sys) {
				err = -EFAULT;
				goto out;
			}
			if (to_dev)
				memcpy(dev, sys, PAGE_SIZE);
			else
				memcpy(sys, dev, PAGE_SIZE);
			if (kmapped)
				kunmap_local(sys);
			copied++;
		}
		cond_resched();
	}
out:
	svm_stage_done(m, SVM_PAGEMAP_STAGE_COPY, t0, copied, err);
	return err;
}

/**
 * svm_copy_to_devmem() - copy stage into device memory
 * @m: the migration
 * @dpages: destination device pages, NULL where nothing migrates
 * @addrs: source addresses (system DMA or peer/local device addresses);
 *	SVM_PROTO_NONE for a hole, which is zero-filled
 * @npages: entries
 *
 * Return: 0 or a negative errno.
 */
int svm_copy_to_devmem(struct svm_mig *m, struct page **dpages,
		       const struct svm_addr *addrs, unsigned long npages)
{
	return svm_copy(m, dpages, addrs, npages, true);
}

/**
 * svm_copy_to_ram() - copy stage out of device memory
 * @m: the migration
 * @spages: source device pages, NULL where nothing migrates
 * @addrs: destination DMA addresses of the system pages
 * @npages: entries
 *
 * Return: 0 or a negative errno.
 */
int svm_copy_to_ram(struct svm_mig *m, struct page **spages,
		    const struct svm_addr *addrs, unsigned long npages)
{
	return svm_copy(m, spages, addrs, npages, false);
}
