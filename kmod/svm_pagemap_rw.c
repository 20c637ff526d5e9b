// SPDX-License-Identifier: GPL-2.0
/*
 * The device's view of a range, through hmm_range_fault() like a GPU page
 * table fill (drm_gpusvm_range_get_pages): pages in device memory of any
 * software device come back as device pfns (the devices share one pgmap
 * owner), system pages are faulted in.  Reads and writes then go to the
 * page's storage while an interval notifier guarantees that nothing moved.
 * This serves SVM_PAGEMAP_IOC_READ/WRITE and the device-fault fallback that
 * maps system pages for the device.
 */
#include <linux/hmm.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

#define SVM_RW_BATCH	512UL	/* pages per hmm_range_fault() call */

/**
 * struct svm_hmm - a device mirror of one range, for one operation
 * @notifier: interval notifier on the range
 * @lock: held while the device accesses pages; invalidations take it
 */
struct svm_hmm {
	struct mmu_interval_notifier notifier;
	struct mutex lock;	/* device access vs. invalidation */
};

static bool svm_hmm_invalidate(struct mmu_interval_notifier *mni,
			       const struct mmu_notifier_range *range,
			       unsigned long cur_seq)
{
	struct svm_hmm *h = container_of(mni, struct svm_hmm, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&h->lock);
	else if (!mutex_trylock(&h->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&h->lock);
	return true;
}

static const struct mmu_interval_notifier_ops svm_hmm_ops = {
	.invalidate = svm_hmm_invalidate,
};

/*
 * The page behind entry @i of a range starting at @start, for an entry that
 * hmm reports mapped at an order above zero (a PMD): the page at the
 * address's offset in its folio.  7.3's hmm_range_fault() gives every entry
 * of a device-private PMD entry the pfns counted from the folio's head,
 * however far into the PMD the range starts (hmm_vma_handle_absent_pmd()),
 * so a range starting mid-PMD would reach another page's data; for a PMD
 * that hmm counts right (system THP) this gives the same page.
 */
static void svm_hmm_fix_order(unsigned long *pfns, unsigned long n,
			      unsigned long start)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		unsigned int order = hmm_pfn_to_map_order(pfns[i]);
		unsigned long addr = start + (i << PAGE_SHIFT);
		struct folio *folio;
		unsigned long idx;

		if (!order || !(pfns[i] & HMM_PFN_VALID))
			continue;
		folio = page_folio(hmm_pfn_to_page(pfns[i]));
		idx = (addr & ((PAGE_SIZE << order) - 1)) >> PAGE_SHIFT;
		if (idx >= folio_nr_pages(folio))
			continue;	/* mapped larger than its folio: leave it */
		pfns[i] = (pfns[i] & HMM_PFN_FLAGS) |
			  page_to_pfn(folio_page(folio, idx));
	}
}

/* Called with h->lock held and the pfns valid. */
typedef int (*svm_hmm_fn)(void *ctx, unsigned long idx,
			  const unsigned long *pfns, unsigned long n);

/*
 * Fault [start, end) of @mm for the device in batches and call @fn on each
 * batch while the snapshot is valid.
 */
static int svm_hmm_walk(struct mm_struct *mm, unsigned long start,
			unsigned long end, bool write, svm_hmm_fn fn,
			void *ctx)
{
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	unsigned long *pfns, done, n;
	struct hmm_range range = { };
	struct svm_hmm h;
	int ret;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	pfns = kvmalloc_array(min(npages, SVM_RW_BATCH), sizeof(*pfns),
			      GFP_KERNEL);
	if (!pfns) {
		ret = -ENOMEM;
		goto out_mm;
	}
	mutex_init(&h.lock);
	ret = mmu_interval_notifier_insert(&h.notifier, mm, start, end - start,
					   &svm_hmm_ops);
	if (ret)
		goto out_pfns;

	range.notifier = &h.notifier;
	range.hmm_pfns = pfns;
	range.default_flags = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0);
	range.dev_private_owner = svm_owner;
	for (done = 0; done < npages; done += n) {
		unsigned long timeout = jiffies +
			msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);

		n = min(npages - done, SVM_RW_BATCH);
		range.start = start + (done << PAGE_SHIFT);
		range.end = range.start + (n << PAGE_SHIFT);
again:
		range.notifier_seq = mmu_interval_read_begin(&h.notifier);
		mmap_read_lock(mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(mm);
		if (ret == -EBUSY && time_before(jiffies, timeout)) {
			cond_resched();
			goto again;
		}
		if (ret)
			break;
		mutex_lock(&h.lock);
		if (mmu_interval_read_retry(&h.notifier, range.notifier_seq)) {
			mutex_unlock(&h.lock);
			/* Invalidated again: the same time limit as above. */
			if (time_before(jiffies, timeout)) {
				cond_resched();
				goto again;
			}
			ret = -EBUSY;
			break;
		}
		svm_hmm_fix_order(pfns, n, range.start);
		ret = fn(ctx, done, pfns, n);
		mutex_unlock(&h.lock);
		if (ret)
			break;
	}
	mmu_interval_notifier_remove(&h.notifier);
out_pfns:
	kvfree(pfns);
out_mm:
	mmput(mm);
	return ret;
}

/**
 * struct svm_rw_ctx - one device read or write
 * @sdev: the accessing device
 * @bounce: kernel copy of the user buffer
 * @write: write @bounce into the pages (else read them into it)
 * @res: what was found
 */
struct svm_rw_ctx {
	struct svm_device *sdev;
	u8 *bounce;
	bool write;
	struct svm_rw_result *res;
};

static int svm_rw_batch(void *data, unsigned long idx,
			const unsigned long *pfns, unsigned long n)
{
	struct svm_rw_ctx *ctx = data;
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct page *page = hmm_pfn_to_page(pfns[i]);
		u8 *buf = ctx->bounce + ((idx % SVM_RW_BATCH + i) << PAGE_SHIFT);
		bool kmapped = false;
		void *p;

		if (!svm_page_is_ours(page) && is_zone_device_page(page))
			return -EFAULT;
		if (svm_page_is_ours(page)) {
			p = svm_page_backing(page);
			if (svm_page_chunk(page)->sdev == ctx->sdev)
				ctx->res->device_pages++;
			else
				ctx->res->peer_pages++;
		} else {
			p = kmap_local_page(page);
			kmapped = true;
			ctx->res->system_pages++;
		}
		if (ctx->write)
			memcpy(p, buf, PAGE_SIZE);
		else
			memcpy(buf, p, PAGE_SIZE);
		if (kmapped)
			kunmap_local(p);
	}
	return 0;
}

/**
 * svm_device_rw() - the device reads or writes a range of @mm
 * @sdev: the accessing device
 * @mm: the address space
 * @start: page-aligned start
 * @end: page-aligned end
 * @ubuf: user buffer of end - start bytes
 * @write: write @ubuf into the range (else read the range into it)
 * @res: (out) where the pages were
 *
 * Nothing migrates; system pages are faulted in.
 *
 * Return: 0, -EFAULT when @ubuf or the range is not accessible, another
 * negative errno on failure.
 */
int svm_device_rw(struct svm_device *sdev, struct mm_struct *mm,
		  unsigned long start, unsigned long end, void __user *ubuf,
		  bool write, struct svm_rw_result *res)
{
	struct svm_rw_ctx ctx = { .sdev = sdev, .write = write, .res = res };
	unsigned long off, len;
	int ret = 0;

	ctx.bounce = kvmalloc(min(end - start, SVM_RW_BATCH << PAGE_SHIFT),
			      GFP_KERNEL);
	if (!ctx.bounce)
		return -ENOMEM;
	for (off = 0; off < end - start; off += len) {
		len = min(end - start - off, SVM_RW_BATCH << PAGE_SHIFT);
		if (write && copy_from_user(ctx.bounce, ubuf + off, len)) {
			ret = -EFAULT;
			break;
		}
		ret = svm_hmm_walk(mm, start + off, start + off + len, write,
				   svm_rw_batch, &ctx);
		if (ret)
			break;
		if (!write && copy_to_user(ubuf + off, ctx.bounce, len)) {
			ret = -EFAULT;
			break;
		}
	}
	kvfree(ctx.bounce);
	return ret;
}

/**
 * struct svm_sysmap_ctx - the device maps system pages of a range
 * @dev: DMA device
 * @sys_pages: system pages mapped
 * @dev_pages: pages found in device memory
 */
struct svm_sysmap_ctx {
	struct device *dev;
	unsigned long sys_pages;
	unsigned long dev_pages;
};

static int svm_sysmap_batch(void *data, unsigned long idx,
			    const unsigned long *pfns, unsigned long n)
{
	struct svm_sysmap_ctx *ctx = data;
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct page *page = hmm_pfn_to_page(pfns[i]);
		dma_addr_t dma;

		if (is_zone_device_page(page)) {
			ctx->dev_pages++;
			continue;
		}
		/*
		 * A GPU would now write the address into its page table; the
		 * software device has none, so the mapping ends here.
		 */
		dma = dma_map_page(ctx->dev, page, 0, PAGE_SIZE,
				   DMA_BIDIRECTIONAL);
		if (dma_mapping_error(ctx->dev, dma))
			return -EFAULT;
		dma_unmap_page(ctx->dev, dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
		ctx->sys_pages++;
	}
	return 0;
}

/**
 * svm_device_map_system() - map a range's system pages for the device
 * @sdev: the device
 * @mm: the address space
 * @start: page-aligned start
 * @end: page-aligned end
 * @write: fault for writing
 *
 * The device-fault path when the policy or a failed migration keeps the
 * range in system memory (drm_gpusvm_range_get_pages).
 *
 * Return: 0 or a negative errno.
 */
int svm_device_map_system(struct svm_device *sdev, struct mm_struct *mm,
			  unsigned long start, unsigned long end, bool write)
{
	struct svm_sysmap_ctx ctx = { };
	int ret;

	ctx.dev = svm_dma_get(sdev);
	ret = svm_hmm_walk(mm, start, end, write, svm_sysmap_batch, &ctx);
	svm_dma_put(ctx.dev);
	return ret;
}
