/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm_pagemap internals shared by the module's files.
 */
#ifndef _SVM_PAGEMAP_H
#define _SVM_PAGEMAP_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <uapi/svm_pagemap.h>

#include "svm_pagemap_compat.h"

/*
 * svm_trace() - fire tracepoint @event with preemption disabled.
 *
 * BPF runs a program once per CPU at a time and counts a hit that finds it
 * already running as missed.  Tracepoints are preemptible on 7.x, so a
 * consumer preempted inside its program would lose the next hit of the event
 * on that CPU; with preemption off around the call that cannot happen.  The
 * static key keeps this free while no consumer is attached.
 */
#define svm_trace(event, ...)						\
	do {								\
		if (trace_##event##_enabled()) {			\
			preempt_disable();				\
			trace_##event(__VA_ARGS__);			\
			preempt_enable();				\
		}							\
	} while (0)

#define SVM_MAX_DEVICES		8
#define SVM_MAX_TIMESLICE_MS	10000
#define SVM_MAX_DEVICE_MIB	4096
#define SVM_MAX_RETRIES		100

/* Module parameters (svm_pagemap_main.c). */
extern unsigned int svm_ndevices;
extern unsigned int svm_device_mib;
extern unsigned int svm_chunk_mib;
extern unsigned int svm_copy_chunk_mib;
extern unsigned int svm_max_migrate_mib;
extern unsigned int svm_evict_retries;
extern unsigned int svm_fault_retries;
extern unsigned int svm_max_timeslice_ms;
extern bool svm_iova_enable;
extern bool svm_edu_enable;
extern unsigned int svm_verify_every;

extern struct workqueue_struct *svm_wq;

/* The pgmap owner shared by all software devices: they are peers. */
extern void *svm_owner;

#define SVM_STAT_NR	(sizeof(struct svm_pagemap_stats) / sizeof(__u64))
#define SVM_STAT(field)	(offsetof(struct svm_pagemap_stats, field) / sizeof(__u64))

/**
 * struct svm_chunk - one memremap_pages() region of a device's memory
 * @pgmap: the MEMORY_DEVICE_PRIVATE pagemap of this chunk
 * @res: the physical address range reserved for @pgmap
 * @sdev: the device owning the chunk
 * @index: position of the chunk in the device memory
 * @pfn_first: first pfn of @pgmap
 * @backing: the chunk's contents (device memory is emulated in vmalloc space)
 */
struct svm_chunk {
	struct dev_pagemap pgmap;
	struct resource *res;
	struct svm_device *sdev;
	unsigned int index;
	unsigned long pfn_first;
	void *backing;
};

/**
 * struct svm_device - one software device
 * @id: index, also the suffix of the character device name
 * @misc: the character device /dev/svm_pagemap<id>
 * @name: storage for @misc's name
 * @pdev: platform device used for DMA mapping when edu is not bound
 * @chunks: the device memory, @nchunks chunks of @chunk_pages pages
 * @nchunks: number of entries in @chunks
 * @chunk_pages: pages per chunk
 * @total_pages: device pages in all chunks
 * @alloc_lock: protects @bitmap, @free_pages and @hint
 * @bitmap: allocator bitmap, bit set = page in use, indexed by device page
 * @free_pages: free device pages
 * @hint: where the next search of @bitmap starts
 * @devmem_lock: protects @devmem_list
 * @devmem_list: live device allocations (struct svm_devmem)
 * @evict_sem: held for read by an eviction attempt, for write while a
 *	released allocation returns its pages (so an evictor never collects
 *	pages that already belong to another allocation)
 * @engine_data: the engine's per-device state (svm_engine_ops.device_init)
 * @stats: counters, laid out as struct svm_pagemap_stats
 */
struct svm_device {
	unsigned int id;
	struct miscdevice misc;
	char name[32];
	struct platform_device *pdev;
	struct svm_chunk **chunks;
	unsigned int nchunks;
	unsigned long chunk_pages;
	unsigned long total_pages;
	spinlock_t alloc_lock;	/* guards bitmap, free_pages, hint */
	unsigned long *bitmap;
	unsigned long free_pages;
	unsigned long hint;
	spinlock_t devmem_lock;	/* guards devmem_list */
	struct list_head devmem_list;
	struct rw_semaphore evict_sem;
	void *engine_data;
	atomic64_t stats[SVM_STAT_NR];
};

/**
 * struct svm_devmem - a device memory allocation (what xe backs with a BO)
 * @ref: references: the device list, the zdd, evictors
 * @sdev: the device the memory belongs to
 * @link: entry in @sdev's devmem_list
 * @id: allocation id (tracepoint alloc_id)
 * @mm: address space the allocation was made for (identity only, grabbed)
 * @start: first virtual address migrated into the allocation
 * @end: end of that range
 * @npages: number of device pages in @pfns
 * @pfns: device pfns of the allocation
 * @timeslice_expiration: jiffies before which CPU faults do not migrate
 * @detached: completed once no device page of the allocation is in use
 * @release_work: returns the pages to the allocator, outside any atomic context
 * @zdd: the zone-device data of the pages
 */
struct svm_devmem {
	struct kref ref;
	struct svm_device *sdev;
	struct list_head link;
	u64 id;
	struct mm_struct *mm;
	unsigned long start;
	unsigned long end;
	unsigned long npages;
	unsigned long *pfns;
	u64 timeslice_expiration;
	struct completion detached;
	struct work_struct release_work;
	struct svm_zdd *zdd;
};

/**
 * struct svm_zdd - zone-device data installed in page->zone_device_data
 * @ref: one reference per device page of the allocation, plus one held by
 *	the migration filling it
 * @devmem: the device allocation the pages belong to
 * @owner: device-private page owner
 */
struct svm_zdd {
	struct kref ref;
	struct svm_devmem *devmem;
	void *owner;
};

/* Address protocols of struct svm_addr. */
enum svm_proto {
	SVM_PROTO_NONE = 0,
	SVM_PROTO_SYSTEM,	/* a DMA address of @dev */
	SVM_PROTO_DEVICE,	/* a device address: page of device @device */
};

/**
 * struct svm_addr - where the copy engine finds one page
 * @addr: DMA address (SYSTEM) or device-physical address (DEVICE)
 * @proto: enum svm_proto
 * @device: device index for SVM_PROTO_DEVICE
 */
struct svm_addr {
	dma_addr_t addr;
	u8 proto;
	u8 device;
};

/**
 * struct svm_mig - one migration in flight
 * @id: migration id
 * @sdev: the device doing the migration (destination for to_dev/peer,
 *	source for to_ram/evict)
 * @dir: SVM_PAGEMAP_DIR_*
 * @trigger: SVM_PAGEMAP_TRIGGER_*
 * @path: how its system pages were mapped (SVM_PAGEMAP_PATH_*), peer or
 *	local when only device pages were, SVM_PAGEMAP_PATH_NONE before the
 *	map stage or when nothing was mapped
 * @start: first virtual address (0 for eviction)
 * @npages: pages in the range
 * @t_begin: ktime of the beginning, 0 unless svm_migrate_end is enabled
 * @injected: a fault-injection point fired
 * @dma_dev: device used for DMA mapping
 * @stages: what each stage's svm_stage_end carried, for svm_migrate_end
 */
struct svm_mig {
	u64 id;
	struct svm_device *sdev;
	u32 dir;
	u32 trigger;
	u32 path;
	unsigned long start;
	unsigned long npages;
	u64 t_begin;
	bool injected;
	struct device *dma_dev;
	struct svm_pagemap_stage_times stages;
};

/**
 * struct svm_map_state - DMA mapping state of one migration
 * @dir: DMA direction of the system pages
 * @iova: the IOVA range, when the IOVA path is used
 * @iova_offset: bytes linked into @iova
 * @iova_tried: dma_iova_try_alloc() was called
 * @use_iova: the IOVA path is used
 * @sys_pages: system pages mapped
 * @dev_pages: device pages mapped through a device_map op
 */
struct svm_map_state {
	enum dma_data_direction dir;
	struct svm_iova_state iova;
	size_t iova_offset;
	bool iova_tried;
	bool use_iova;
	unsigned long sys_pages;
	unsigned long dev_pages;
};

/* svm_pagemap_main.c */
struct svm_device *svm_device_get_by_id(unsigned int id);
u64 svm_next_id(void);

/* svm_pagemap_device.c */
int svm_device_create(unsigned int id, struct svm_device **out);
void svm_device_destroy(struct svm_device *sdev);
extern const struct dev_pagemap_ops svm_pagemap_ops;
struct svm_devmem *svm_devmem_create(struct svm_device *sdev,
				     struct mm_struct *mm, unsigned long start,
				     unsigned long end, unsigned long npages);
void svm_devmem_page_init(struct svm_devmem *devmem, struct page *page);
void svm_devmem_put(struct svm_devmem *devmem);
void svm_zdd_put(struct svm_zdd *zdd);
unsigned long svm_device_free_pages(struct svm_device *sdev);
int svm_device_alloc_pages(struct svm_device *sdev, unsigned long n,
			   unsigned long align, unsigned long *pfns);
void svm_device_release_pages(struct svm_device *sdev,
			      const unsigned long *pfns, unsigned long n);
void svm_device_flush(void);
struct svm_chunk *svm_page_chunk(struct page *page);
void *svm_page_backing(struct page *page);
u64 svm_page_dpa(struct page *page);
void *svm_dpa_backing(struct svm_device *sdev, u64 dpa);
bool svm_page_is_ours(struct page *page);
bool svm_page_charge_moved(struct page *page);

/* statistics */
static inline void svm_stat_add(struct svm_device *sdev, size_t idx, u64 v)
{
	atomic64_add(v, &sdev->stats[idx]);
}

static inline void svm_stat_inc(struct svm_device *sdev, size_t idx)
{
	atomic64_inc(&sdev->stats[idx]);
}

/* svm_pagemap_stage.c: begin/end/stage accounting and tracing */
void svm_mig_begin(struct svm_mig *m, struct svm_device *sdev, u32 dir,
		   u32 trigger, unsigned long start, unsigned long npages,
		   int src_device);
void svm_mig_end(struct svm_mig *m, unsigned long migrated, int result);
u64 svm_stage_start(void);
void svm_stage_done(struct svm_mig *m, u32 stage, u64 t0,
		    unsigned long npages, int err);
bool svm_inject(struct svm_mig *m, u32 point);
int svm_inject_errno(u32 point);

/* svm_pagemap_map.c */
int svm_map_pages(struct svm_mig *m, struct svm_map_state *st,
		  struct svm_addr *addrs, const unsigned long *mpfns,
		  unsigned long npages, bool same_pagemap);
void svm_unmap_pages(struct svm_mig *m, struct svm_map_state *st,
		     struct svm_addr *addrs, unsigned long npages);

/* svm_pagemap_copy.c */
int svm_copy_to_devmem(struct svm_mig *m, struct page **dpages,
		       const struct svm_addr *addrs, unsigned long npages);
int svm_copy_to_ram(struct svm_mig *m, struct page **spages,
		    const struct svm_addr *addrs, unsigned long npages);
void *svm_addr_to_ptr(struct device *dev, const struct svm_addr *a,
		      bool *kmapped);

/* svm_pagemap_migrate.c */

/**
 * struct svm_migrate_args - parameters of a migration into device memory
 * @trigger: SVM_PAGEMAP_TRIGGER_DEVICE_FAULT or _PREFETCH
 * @timeslice_ms: livelock guard after the migration
 * @same_pagemap: also migrate pages already in this device
 * @id: (out) migration id
 * @npages: (out) pages migrated
 * @peer_pages: (out) of which came from another device
 */
struct svm_migrate_args {
	u32 trigger;
	u32 timeslice_ms;
	bool same_pagemap;
	u64 id;
	unsigned long npages;
	unsigned long peer_pages;
};

int svm_migrate_to_devmem(struct svm_device *sdev, struct mm_struct *mm,
			  unsigned long start, unsigned long end,
			  struct svm_migrate_args *args);

/* svm_pagemap_ram.c */
vm_fault_t svm_migrate_to_ram(struct vm_fault *vmf);
int svm_devmem_evict(struct svm_devmem *devmem, unsigned long *npages);
int svm_device_evict(struct svm_device *sdev, struct mm_struct *mm,
		     unsigned long start, unsigned long end,
		     unsigned long *nallocs, unsigned long *npages);

/* svm_pagemap_fault.c */

/**
 * struct svm_fault_args - a device fault on a range
 * @flags: SVM_PAGEMAP_FAULT_*
 * @timeslice_ms: initial timeslice
 * @placement: (out) SVM_PAGEMAP_PLACEMENT_*
 * @attempts: (out) migration attempts
 * @npages: (out) pages migrated
 * @id: (out) last migration id
 */
struct svm_fault_args {
	u64 flags;
	u32 timeslice_ms;
	u32 placement;
	u32 attempts;
	unsigned long npages;
	u64 id;
};

int svm_device_fault(struct svm_device *sdev, struct mm_struct *mm,
		     unsigned long start, unsigned long end,
		     struct svm_fault_args *args);

/* svm_pagemap_rw.c */

/**
 * struct svm_rw_result - what a device read/write found
 * @device_pages: pages in the accessing device's memory
 * @peer_pages: pages in another device's memory
 * @system_pages: pages in system memory
 */
struct svm_rw_result {
	unsigned long device_pages;
	unsigned long peer_pages;
	unsigned long system_pages;
};

int svm_device_rw(struct svm_device *sdev, struct mm_struct *mm,
		  unsigned long start, unsigned long end, void __user *ubuf,
		  bool write, struct svm_rw_result *res);
int svm_device_map_system(struct svm_device *sdev, struct mm_struct *mm,
			  unsigned long start, unsigned long end, bool write);

/**
 * struct svm_engine_ops - who migrates: the module's own code or the kernel's
 * drm_pagemap.  One engine is chosen at module load (parameter engine=);
 * the character devices reach it only through these operations, so the
 * ioctl layer does not know which one runs.  Range operations get validated
 * page-aligned ranges of @mm inside one private anonymous VMA, and are
 * called without the mmap lock (each takes it as its code needs).
 * @name: the value of the engine= parameter
 * @one_pagemap: the device memory must be one dev_pagemap (chunk_mib is
 *	set to device_mib)
 * @pagemap_ops: the dev_pagemap_ops of the device memory
 * @device_init: optional, set up a device once its memory exists and before
 *	its character device appears; 0 or a negative errno
 * @device_fini: optional, undo @device_init; no allocation is left
 * @open: optional, a file of the device is opened; 0 or a negative errno
 * @release: optional, a file opened with @open is closed
 * @migrate: one migration attempt of [start, end) into the device
 *	(SVM_PAGEMAP_IOC_MIGRATE and each attempt of a device fault)
 * @fault: a device fault (SVM_PAGEMAP_IOC_FAULT)
 * @evict: evict device allocations (SVM_PAGEMAP_IOC_EVICT)
 * @rw: the device reads or writes the range (SVM_PAGEMAP_IOC_READ/WRITE)
 */
struct svm_engine_ops {
	const char *name;
	bool one_pagemap;
	const struct dev_pagemap_ops *(*pagemap_ops)(void);
	int (*device_init)(struct svm_device *sdev);
	void (*device_fini)(struct svm_device *sdev);
	int (*open)(struct svm_device *sdev);
	void (*release)(struct svm_device *sdev);
	int (*migrate)(struct svm_device *sdev, struct mm_struct *mm,
		       unsigned long start, unsigned long end,
		       struct svm_migrate_args *args);
	int (*fault)(struct svm_device *sdev, struct mm_struct *mm,
		     unsigned long start, unsigned long end,
		     struct svm_fault_args *args);
	int (*evict)(struct svm_device *sdev, struct mm_struct *mm,
		     unsigned long start, unsigned long end,
		     unsigned long *nallocs, unsigned long *npages);
	int (*rw)(struct svm_device *sdev, struct mm_struct *mm,
		  unsigned long start, unsigned long end, void __user *ubuf,
		  bool write, struct svm_rw_result *res);
};

/* The engine in use, chosen once in module init (svm_pagemap_main.c). */
extern const struct svm_engine_ops *svm_engine;

/* svm_pagemap_native.c */
extern const struct svm_engine_ops svm_native_engine;

/*
 * svm_pagemap_drm.c, built only where the kernel has the drm_pagemap API:
 * reach it through svm_compat_drm_engine().
 */
extern const struct svm_engine_ops svm_drm_engine;

/* svm_pagemap_ioctl.c */
extern const struct file_operations svm_fops;

/* svm_pagemap_edu.c */
int svm_edu_init(void);
void svm_edu_exit(void);
struct device *svm_dma_get(struct svm_device *sdev);
void svm_dma_put(struct device *dev);
void svm_edu_verify(struct svm_mig *m, const struct svm_addr *addrs,
		    struct page **dpages, unsigned long npages, bool to_dev);

#endif /* _SVM_PAGEMAP_H */
