/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels svm_pagemap supports (6.12 and
 * later).  Kbuild detects each feature from the headers being built against
 * and defines SVM_HAVE_*; nothing else in the module tests kernel versions.
 *
 *   SVM_HAVE_FOLIO_FREE             dev_pagemap_ops.folio_free (else page_free)
 *   SVM_HAVE_ZONE_DEVICE_PAGE_INIT_1 zone_device_page_init(page) (6.12)
 *   SVM_HAVE_DMA_IOVA               dma_iova_try_alloc/link/sync/unlink/free
 *   SVM_HAVE_MIGRATE_DEVICE_PFNS    migrate_device_pfns()
 *   SVM_HAVE_PAGE_PGMAP             page_pgmap() (else page->pgmap)
 *   SVM_HAVE_KZALLOC_OBJ            kzalloc_obj() (else kzalloc(sizeof()))
 *   SVM_HAVE_DRM_PAGEMAP            the drm_pagemap API of 7.3 and
 *                                   CONFIG_DRM_GPUSVM: svm_pagemap_drm.c,
 *                                   the drm_pagemap engine, is built
 */
#ifndef _SVM_PAGEMAP_COMPAT_H
#define _SVM_PAGEMAP_COMPAT_H

#include <linux/dma-mapping.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/slab.h>

/*
 * kzalloc_obj(*ptr, gfp): a zeroed object of ptr's type.  Kernels before it
 * get the kzalloc() it stands for.
 */
#ifndef SVM_HAVE_KZALLOC_OBJ
#define kzalloc_obj(obj, gfp)	kzalloc(sizeof(obj), gfp)
#endif

/*
 * 6.12 initialises a device page with zone_device_page_init(page); later
 * kernels take the pagemap and a folio order.  Both return the page locked
 * with one reference.
 */
static inline void svm_compat_zone_device_page_init(struct page *page,
						    struct dev_pagemap *pgmap)
{
#ifdef SVM_HAVE_ZONE_DEVICE_PAGE_INIT_1
	zone_device_page_init(page);
#else
	zone_device_page_init(page, pgmap, 0);
#endif
}

/* The pagemap of a ZONE_DEVICE page. */
static inline struct dev_pagemap *svm_compat_page_pgmap(struct page *page)
{
#ifdef SVM_HAVE_PAGE_PGMAP
	return page_pgmap(page);
#else
	return page->pgmap;
#endif
}

/*
 * The pagemap "free" callback: folio_free(struct folio *) on 7.x,
 * page_free(struct page *) on 6.12.  SVM_DEFINE_PAGEMAP_FREE(name, fn)
 * defines the callback @name calling void fn(struct page *) with the head
 * page; SVM_PAGEMAP_FREE_OP(name) is its initialiser in dev_pagemap_ops.
 */
#ifdef SVM_HAVE_FOLIO_FREE
#define SVM_DEFINE_PAGEMAP_FREE(name, fn)				\
	static void name(struct folio *folio)				\
	{								\
		fn(&folio->page);					\
	}
#define SVM_PAGEMAP_FREE_OP(name)	.folio_free = (name)
#else
#define SVM_DEFINE_PAGEMAP_FREE(name, fn)				\
	static void name(struct page *page)				\
	{								\
		fn(page);						\
	}
#define SVM_PAGEMAP_FREE_OP(name)	.page_free = (name)
#endif

/*
 * Collect device pages for eviction without the mmap lock.  @pfns holds the
 * device pfns (not necessarily contiguous), @src receives migrate pfns.
 * Without migrate_device_pfns() (6.12) each physically contiguous run goes
 * through migrate_device_range(), which fills its slice of @src the same way.
 */
static inline int svm_compat_migrate_device_pfns(unsigned long *src,
						 const unsigned long *pfns,
						 unsigned long npages)
{
#ifdef SVM_HAVE_MIGRATE_DEVICE_PFNS
	unsigned long i;

	for (i = 0; i < npages; i++)
		src[i] = pfns[i];
	return migrate_device_pfns(src, npages);
#else
	unsigned long i, run;
	int ret;

	for (i = 0; i < npages; i += run) {
		for (run = 1; i + run < npages; run++)
			if (pfns[i + run] != pfns[i] + run)
				break;
		ret = migrate_device_range(src + i, pfns[i], run);
		if (ret)
			return ret;
	}
	return 0;
#endif
}

/*
 * The IOVA API (dma_iova_try_alloc and friends).  Without it every call says
 * "not available" and the caller takes the dma_map_page path.
 */
#ifdef SVM_HAVE_DMA_IOVA
#define SVM_IOVA_API	1

/**
 * struct svm_iova_state - one IOVA range of a migration
 * @st: the DMA layer's state
 */
struct svm_iova_state {
	struct dma_iova_state st;
};

static inline bool svm_iova_try_alloc(struct device *dev,
				      struct svm_iova_state *s,
				      phys_addr_t phys, size_t size)
{
	return dma_iova_try_alloc(dev, &s->st, phys, size);
}

static inline bool svm_iova_in_use(struct svm_iova_state *s)
{
	return dma_use_iova(&s->st);
}

static inline dma_addr_t svm_iova_addr(struct svm_iova_state *s)
{
	return s->st.addr;
}

static inline size_t svm_iova_size(struct svm_iova_state *s)
{
	return dma_iova_size(&s->st);
}

static inline int svm_iova_link(struct device *dev, struct svm_iova_state *s,
				phys_addr_t phys, size_t offset, size_t size,
				enum dma_data_direction dir)
{
	return dma_iova_link(dev, &s->st, phys, offset, size, dir, 0);
}

static inline int svm_iova_sync(struct device *dev, struct svm_iova_state *s,
				size_t offset, size_t size)
{
	return dma_iova_sync(dev, &s->st, offset, size);
}

static inline void svm_iova_unlink_free(struct device *dev,
					struct svm_iova_state *s,
					size_t linked,
					enum dma_data_direction dir)
{
	if (linked)
		dma_iova_unlink(dev, &s->st, 0, linked, dir, 0);
	dma_iova_free(dev, &s->st);
}
#else
#define SVM_IOVA_API	0

/**
 * struct svm_iova_state - placeholder where the kernel has no IOVA API
 * @unused: nothing
 */
struct svm_iova_state {
	int unused;
};

static inline bool svm_iova_try_alloc(struct device *dev,
				      struct svm_iova_state *s,
				      phys_addr_t phys, size_t size)
{
	return false;
}

static inline bool svm_iova_in_use(struct svm_iova_state *s)
{
	return false;
}

static inline dma_addr_t svm_iova_addr(struct svm_iova_state *s)
{
	return DMA_MAPPING_ERROR;
}

static inline size_t svm_iova_size(struct svm_iova_state *s)
{
	return 0;
}

static inline int svm_iova_link(struct device *dev, struct svm_iova_state *s,
				phys_addr_t phys, size_t offset, size_t size,
				enum dma_data_direction dir)
{
	return -EOPNOTSUPP;
}

static inline int svm_iova_sync(struct device *dev, struct svm_iova_state *s,
				size_t offset, size_t size)
{
	return -EOPNOTSUPP;
}

static inline void svm_iova_unlink_free(struct device *dev,
					struct svm_iova_state *s,
					size_t linked,
					enum dma_data_direction dir)
{
}
#endif

/*
 * The drm_pagemap engine (struct svm_engine_ops of svm_pagemap_drm.c) where
 * it is built, else NULL: engine=drm_pagemap then refuses to load.
 */
#ifdef SVM_HAVE_DRM_PAGEMAP
#define svm_compat_drm_engine()	(&svm_drm_engine)
#else
#define svm_compat_drm_engine()	NULL
#endif

#endif /* _SVM_PAGEMAP_COMPAT_H */
