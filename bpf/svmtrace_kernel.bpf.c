// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace's kernel source: the migrations of the kernel's own code (drm_pagemap
 * in drm_gpusvm_helper, amdkfd, nouveau, test_hmm, svm_pagemap) rebuilt from
 * fentry/fexit programs on the core mm and DMA calls every driver goes
 * through, in the vocabulary of the module's tracepoints, into the same maps
 * (svmtrace_aggregate.bpf.h).  docs/kernel-source.md says which call makes
 * which stage.
 *
 * One migration per task at a time, in phases:
 *   collect   migrate_vma_setup, or migrate_device_range/_pfns (eviction)
 *   map       DMA calls between collect and migrate_*_pages: dma_map_page_attrs
 *             (path page) or dma_iova_try_alloc + dma_iova_link/sync (path iova)
 *   copy      from the last map call to the first unmap call or to
 *             migrate_*_pages, whichever comes first: the driver's copy
 *   finalize  migrate_*_pages to the end of migrate_*_finalize
 *   unmap     dma_unmap_page_attrs / dma_iova_unlink + free (or destroy),
 *             before migrate_*_pages (drm_pagemap) or after finalize (amdkfd,
 *             svm_pagemap), until every mapped page is unmapped
 * A migration that mapped nothing ends with finalize.  Populate (the driver's
 * allocation of destination pages) has no core call to show it.
 */
#include "svmtrace_aggregate.bpf.h"

/* include/linux/migrate.h; stable since device migration exists */
#define SVM_MIGRATE_PFN_VALID		(1UL << 0)
#define SVM_MIGRATE_PFN_MIGRATE		(1UL << 1)
#define SVM_MIGRATE_PFN_COMPOUND	(1UL << 4)	/* 7.3: one entry, a PMD-sized folio */
#define SVM_MIGRATE_PFN_SHIFT		6
#define SVM_PMD_PAGES			512		/* x86-64, 4 KiB pages */
#define SVM_MIGRATE_VMA_SELECT_SYSTEM	(1 << 0)
#define SVM_DMA_IOVA_USE_SWIOTLB	(1ULL << 63)
#define SVM_EBUSY			16

/* A BTF older than the IOVA API lacks the type: the fields CO-RE reads. */
struct dma_iova_state___svm {
	u64 addr;
	u64 __size;
} __attribute__((preserve_access_index));

/*
 * Whether a device maps through dma-iommu: a flag bit in 7.x's struct
 * device flags, a bitfield before.  CO-RE picks whichever the kernel has.
 */
enum struct_device_flags___svm {
	DEV_FLAG_DMA_IOMMU___svm = 2,
};

struct device___flags {
	unsigned long flags[1];
} __attribute__((preserve_access_index));

struct device___bitfield {
	bool dma_iommu:1;
} __attribute__((preserve_access_index));

static __always_inline bool dev_maps_through_iommu(struct device *dev)
{
	struct device___flags *f = (void *)dev;
	struct device___bitfield *b = (void *)dev;

	if (bpf_core_field_exists(f->flags) &&
	    bpf_core_enum_value_exists(enum struct_device_flags___svm, DEV_FLAG_DMA_IOMMU___svm))
		return (BPF_CORE_READ(f, flags[0]) >>
			bpf_core_enum_value(enum struct_device_flags___svm,
					    DEV_FLAG_DMA_IOMMU___svm)) & 1;
	if (bpf_core_field_exists(b->dma_iommu))
		return BPF_CORE_READ_BITFIELD_PROBED(b, dma_iommu);
	return false;
}

enum kmig_phase {
	KMIG_COLLECTING,
	KMIG_COLLECTED,
	KMIG_FINALIZING,
	KMIG_UNMAPPING,
};

/**
 * struct kmig - the migration a task is in
 * @id: an id of the kernel source's own (the kernel has none)
 * @t_begin: start of collect
 * @t_mark: end of collect, then of the last map call, then start of finalize
 * @t_map_first: first map call (0: none yet)
 * @t_copy_end: the first unmap call when it came before migrate_*_pages
 * @t_unmap_first: first unmap call (0: none yet)
 * @t_unmap_last: end of the last unmap call
 * @start: first virtual address (0 for eviction)
 * @npages: pages asked for
 * @cpages: pages collected
 * @device_pages: of which device pages (a device-to-device migration)
 * @migrated: pages that moved
 * @page_mapped: pages mapped by dma_map_page_attrs
 * @page_unmapped: of which unmapped again
 * @iova_mapped: bytes linked into the migration's IOVA range
 * @iova_size: size of the migration's IOVA range, 0 when none is live
 * @direction: SVM_PAGEMAP_DIR_*
 * @trigger: SVM_PAGEMAP_TRIGGER_*
 * @path: SVM_PAGEMAP_PATH_* or SVMTRACE_PATH_NONE
 * @device: index of the pagemap owner (svmtrace_kernel_owners)
 * @phase: enum kmig_phase
 * @depth: nested collect calls (migrate_device_range calls the pfns variant)
 * @by_range: begun by migrate_device_range, whose collect can nest
 */
struct kmig {
	u64 id;
	u64 t_begin;
	u64 t_mark;
	u64 t_map_first;
	u64 t_copy_end;
	u64 t_unmap_first;
	u64 t_unmap_last;
	u64 start;
	u64 npages;
	u64 cpages;
	u64 device_pages;
	u64 migrated;
	u64 page_mapped;
	u64 page_unmapped;
	u64 iova_mapped;
	u64 iova_size;
	u32 direction;
	u32 trigger;
	u32 path;
	u32 device;
	u32 phase;
	u32 depth;
	u32 by_range;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, u32);
	__type(value, struct kmig);
} svmtrace_kernel_migs SEC(".maps");

/* pgmap_owner pointer -> device index, in order of first sight. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SVMTRACE_MAX_DEVICES);
	__type(key, u64);
	__type(value, u32);
} svmtrace_kernel_owners SEC(".maps");

__u64 svmtrace_kernel_next_id;
__u32 svmtrace_kernel_next_device;

static __always_inline u32 current_tid(void)
{
	return (u32)bpf_get_current_pid_tgid();
}

/* The drm_pagemap call a task is in (drm-aware programs below). */
enum dpm_call {
	DPM_TO_DEVMEM,
	DPM_TO_RAM,
	DPM_EVICT,
};

struct dpm_ctx {
	u32 call;	/* enum dpm_call */
	u32 collects;	/* collects begun inside the call */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, u32);
	__type(value, struct dpm_ctx);
} svmtrace_kernel_dpm SEC(".maps");

static __always_inline bool in_dpm_call(void)
{
	u32 tid = current_tid();

	return bpf_map_lookup_elem(&svmtrace_kernel_dpm, &tid) != NULL;
}

static __always_inline struct kmig *kmig_of_task(void)
{
	u32 tid = current_tid();

	return bpf_map_lookup_elem(&svmtrace_kernel_migs, &tid);
}

static __always_inline u32 owner_index(u64 owner)
{
	u32 *idx, next;

	if (!owner)
		return 0;
	idx = bpf_map_lookup_elem(&svmtrace_kernel_owners, &owner);
	if (idx)
		return *idx;
	next = __sync_fetch_and_add(&svmtrace_kernel_next_device, 1);
	if (next >= SVMTRACE_MAX_DEVICES)
		next = SVMTRACE_MAX_DEVICES - 1;
	bpf_map_update_elem(&svmtrace_kernel_owners, &owner, &next, BPF_NOEXIST);
	idx = bpf_map_lookup_elem(&svmtrace_kernel_owners, &owner);
	return idx ? *idx : next;
}

static __always_inline void stage(struct kmig *k, u32 which, u64 ns, u64 npages, s32 error)
{
	svmtrace_stage_ended(k->id, k->device, which, k->direction, k->trigger, k->path, npages,
			     npages * PAGE_SIZE_BYTES, ns, error);
}

/*
 * The end of a migration: its unmap stage if it had one, then the total.
 * A global function, verified once on its own: inlined into each of its
 * callers' paths, the aggregation behind it would make the verifier walk
 * every combination of both (too many states for migrate_vma_setup's exit).
 */
__noinline int kmig_end(struct kmig *k, u64 now, s32 result)
{
	u32 tid = current_tid();

	if (!k)
		return 0;

	if (k->t_unmap_first)
		stage(k, SVM_PAGEMAP_STAGE_UNMAP, k->t_unmap_last - k->t_unmap_first,
		      k->page_unmapped + k->iova_mapped / PAGE_SIZE_BYTES, 0);
	count_event(SVM_PAGEMAP_EV_MIGRATE_END);
	svmtrace_migration_ended(k->id, k->device, k->direction, k->trigger, k->path, k->start,
				 k->npages, k->migrated, result, now - k->t_begin, now, false, 0);
	bpf_map_delete_elem(&svmtrace_kernel_migs, &tid);
	return 0;
}

/*
 * A new migration on this task; one still waiting for unmaps ends first.
 * @nested: the call can run inside a collect (migrate_device_pfns, which
 * migrate_device_range calls).  Any other collect that finds the task still
 * collecting means the last collect's exit program was skipped (the
 * recursion guard, counted in missed_events): that migration is dropped,
 * so one skipped run loses one migration, not every later one of the task.
 */
static __always_inline struct kmig *kmig_begin(u32 direction, u32 trigger, u64 start,
					       u64 npages, u32 device, bool nested)
{
	struct kmig *k = kmig_of_task(), init = {};
	u32 tid = current_tid();
	u64 now = bpf_ktime_get_ns();

	if (k && k->phase == KMIG_COLLECTING && nested && k->by_range) {
		k->depth++;
		return NULL;
	}
	if (k && k->phase != KMIG_COLLECTING)
		kmig_end(k, k->t_unmap_last ? k->t_unmap_last : k->t_mark, 0);
	init.id = __sync_add_and_fetch(&svmtrace_kernel_next_id, 1);
	init.t_begin = now;
	init.start = start;
	init.npages = npages;
	init.direction = direction;
	init.trigger = trigger;
	init.path = SVMTRACE_PATH_NONE;
	init.device = device;
	init.phase = KMIG_COLLECTING;
	init.by_range = direction == SVM_PAGEMAP_DIR_EVICT && !nested;
	count_event(SVM_PAGEMAP_EV_MIGRATE_BEGIN);
	bpf_map_update_elem(&svmtrace_kernel_migs, &tid, &init, BPF_ANY);
	return kmig_of_task();
}

/* The end of collect; false when the outermost collect call is not over. */
static __always_inline bool kmig_collected(struct kmig *k, u64 cpages, s32 ret)
{
	u64 now = bpf_ktime_get_ns();

	if (k->phase != KMIG_COLLECTING)
		return false;
	if (k->depth) {
		k->depth--;
		return false;
	}
	k->cpages = cpages;
	k->t_mark = now;
	k->phase = KMIG_COLLECTED;
	stage(k, SVM_PAGEMAP_STAGE_COLLECT, now - k->t_begin, cpages,
	      ret ? ret : cpages != k->npages ? -SVM_EBUSY : 0);
	/*
	 * Nothing collected, nothing to move: every driver gives up here
	 * (drm_pagemap, amdkfd, nouveau), so the migration ends now, not at
	 * the task's next one.  Inside a drm_pagemap call, that call's return
	 * value ends it instead (dpm_leave).
	 */
	if (ret || (!cpages && !in_dpm_call()))
		kmig_end(k, now, ret);
	return true;
}

/* migrate_*_pages: the map and copy stages are over. */
static __always_inline void kmig_finalizing(void)
{
	struct kmig *k = kmig_of_task();
	u64 now = bpf_ktime_get_ns();

	if (!k || k->phase != KMIG_COLLECTED)
		return;
	if (k->t_map_first) {
		count_event(SVM_PAGEMAP_EV_MAP);
		if (k->path < SVM_PAGEMAP_PATH_COUNT)
			counter_add(SVMTRACE_CNT_PATH0 + k->path, 1);
		stage(k, SVM_PAGEMAP_STAGE_MAP, k->t_mark - k->t_map_first,
		      k->page_mapped + k->iova_mapped / PAGE_SIZE_BYTES, 0);
		stage(k, SVM_PAGEMAP_STAGE_COPY, (k->t_copy_end ?: now) - k->t_mark, k->cpages, 0);
	} else if (k->direction == SVM_PAGEMAP_DIR_PEER) {
		/*
		 * The source driver maps its pages for the copy (device_map),
		 * no DMA call shows it: map, copy and unmap are one stage.
		 */
		stage(k, SVM_PAGEMAP_STAGE_COPY, now - k->t_mark, k->cpages, 0);
	}
	k->t_mark = now;
	k->phase = KMIG_FINALIZING;
}

struct count_ctx {
	unsigned long *src;
	unsigned long *dst;
	u64 migrated;
};

static long count_migrated(u64 i, void *data)
{
	struct count_ctx *c = data;
	unsigned long s = 0, d = 0;

	bpf_probe_read_kernel(&s, sizeof(s), c->src + i);
	bpf_probe_read_kernel(&d, sizeof(d), c->dst + i);
	if ((s & SVM_MIGRATE_PFN_MIGRATE) && (d & SVM_MIGRATE_PFN_VALID))
		c->migrated += s & SVM_MIGRATE_PFN_COMPOUND ? SVM_PMD_PAGES : 1;
	return 0;
}

/* migrate_*_finalize entry: the pages that moved, as the drivers count them. */
static __always_inline void kmig_count_migrated(unsigned long *src, unsigned long *dst, u64 npages)
{
	struct kmig *k = kmig_of_task();
	struct count_ctx c = { .src = src, .dst = dst };

	if (!k || k->phase != KMIG_FINALIZING)
		return;
	bpf_loop(npages, count_migrated, &c, 0);
	k->migrated = c.migrated;
}

static __always_inline void kmig_finalized(void)
{
	struct kmig *k = kmig_of_task();
	u64 now = bpf_ktime_get_ns();

	if (!k || k->phase != KMIG_FINALIZING)
		return;
	stage(k, SVM_PAGEMAP_STAGE_FINALIZE, now - k->t_mark, k->migrated, 0);
	k->t_mark = now;
	/* unmapped before migrate_*_pages, or nothing mapped: over */
	if (k->page_unmapped >= k->page_mapped && !k->iova_size) {
		kmig_end(k, now, 0);
		return;
	}
	k->phase = KMIG_UNMAPPING;
}

/*
 * After finalize, every mapped page unmapped and the IOVA range freed: the
 * migration is over.  Before it, finalize ends it.
 */
static __always_inline void kmig_maybe_unmapped(struct kmig *k, u64 now)
{
	k->t_unmap_last = now;
	if (k->phase == KMIG_UNMAPPING && k->page_unmapped >= k->page_mapped && !k->iova_size)
		kmig_end(k, now, 0);
}

/*
 * ---- drm_pagemap (drm_gpusvm_helper.ko), where it is loaded ----
 * What the core calls cannot say: a CPU fault held by the timeslice (it
 * returns before collecting), eviction passes, and -EBUSY from a migration
 * into the device (the caller retries).  A migration drm_pagemap gives up
 * after collect (nothing collected) ends here too.
 */
static __always_inline void dpm_enter(u32 call)
{
	struct dpm_ctx ctx = { .call = call };
	u32 tid = current_tid();

	bpf_map_update_elem(&svmtrace_kernel_dpm, &tid, &ctx, BPF_ANY);
}

/* The call's context, removed; a migration it left unfinished ends with it. */
static __always_inline struct dpm_ctx dpm_leave(int ret)
{
	struct dpm_ctx *c, ctx = {};
	struct kmig *k = kmig_of_task();
	u32 tid = current_tid();

	c = bpf_map_lookup_elem(&svmtrace_kernel_dpm, &tid);
	if (c) {
		ctx = *c;
		bpf_map_delete_elem(&svmtrace_kernel_dpm, &tid);
	}
	if (k && k->phase == KMIG_COLLECTED)
		kmig_end(k, bpf_ktime_get_ns(), ret);
	return ctx;
}

/* Called by kmig_begin's callers through the collect programs. */
static __always_inline void dpm_collect_begun(void)
{
	u32 tid = current_tid();
	struct dpm_ctx *c = bpf_map_lookup_elem(&svmtrace_kernel_dpm, &tid);

	if (c)
		c->collects++;
}

/* ---- collect ---- */

/*
 * The end of system RAM: device-private memory sits above it (its range
 * comes from devm_request_free_mem_region, which takes the highest free
 * physical addresses), so a collected page above it is another device's.
 */
extern const void max_pfn __ksym __weak;

static __always_inline u64 ram_end_pfn(void)
{
	u64 end = 0;

	if (&max_pfn)
		bpf_probe_read_kernel(&end, sizeof(end), &max_pfn);
	return end;
}

/*
 * Pages collected, from the source entries: a compound entry (a PMD folio,
 * which migrate_vma's cpages counts once) counts its pages; of which device
 * pages (above ram_end, when known).  The sums go to the migration's map
 * value, which the verifier does not track: sums on the stack would be
 * precise values it walks the loop body once for each.
 */
struct collect_ctx {
	unsigned long *src;
	struct kmig *k;
	u64 ram_end;
};

static long count_collected(u64 i, void *data)
{
	struct collect_ctx *c = data;
	struct kmig *k = c->k;
	unsigned long s = 0;
	u64 n;

	bpf_probe_read_kernel(&s, sizeof(s), c->src + i);
	if (!(s & SVM_MIGRATE_PFN_MIGRATE))
		return 0;
	n = s & SVM_MIGRATE_PFN_COMPOUND ? SVM_PMD_PAGES : 1;
	k->cpages += n;
	if (c->ram_end && (s >> SVM_MIGRATE_PFN_SHIFT) > c->ram_end)
		k->device_pages += n;
	return 0;
}

/* The source entries of a collect that returned: count them, then end collect. */
static __always_inline void collect_counted(struct kmig *k, unsigned long *src, u64 npages,
					    int ret)
{
	struct collect_ctx c = { .src = src, .k = k };

	k->cpages = 0;
	k->device_pages = 0;
	if (!ret) {
		if (k->direction == SVM_PAGEMAP_DIR_TO_DEV)
			c.ram_end = ram_end_pfn();
		bpf_loop(npages, count_collected, &c, 0);
	}
	/* into a device, every page from a device: device to device */
	if (k->device_pages && k->device_pages == k->cpages) {
		k->direction = SVM_PAGEMAP_DIR_PEER;
		k->path = SVM_PAGEMAP_PATH_PEER;
	}
	kmig_collected(k, k->cpages, ret);
}

SEC("fentry/migrate_vma_setup")
int BPF_PROG(kernel_migrate_vma_setup_entry, struct migrate_vma *args)
{
	u64 start = BPF_CORE_READ(args, start), end = BPF_CORE_READ(args, end);
	u64 flags = BPF_CORE_READ(args, flags);
	bool cpu_fault = BPF_CORE_READ(args, fault_page) != NULL;

	dpm_collect_begun();
	kmig_begin(flags & SVM_MIGRATE_VMA_SELECT_SYSTEM ? SVM_PAGEMAP_DIR_TO_DEV :
		   SVM_PAGEMAP_DIR_TO_RAM,
		   cpu_fault ? SVM_PAGEMAP_TRIGGER_CPU_FAULT : SVM_PAGEMAP_TRIGGER_DEVICE_FAULT,
		   start, (end - start) / PAGE_SIZE_BYTES,
		   owner_index((u64)BPF_CORE_READ(args, pgmap_owner)), false);
	return 0;
}

SEC("fexit/migrate_vma_setup")
int BPF_PROG(kernel_migrate_vma_setup_exit, struct migrate_vma *args, int ret)
{
	struct kmig *k = kmig_of_task();

	if (!k || k->phase != KMIG_COLLECTING)
		return 0;
	if (k->depth) {
		kmig_collected(k, 0, ret);
		return 0;
	}
	collect_counted(k, BPF_CORE_READ(args, src), BPF_CORE_READ(args, npages), ret);
	return 0;
}

static __always_inline void evict_collected(unsigned long *src_pfns, u64 npages, int ret)
{
	struct kmig *k = kmig_of_task();

	if (!k || k->phase != KMIG_COLLECTING)
		return;
	if (k->depth) {
		kmig_collected(k, 0, ret);
		return;
	}
	collect_counted(k, src_pfns, npages, ret);
}

SEC("fentry/migrate_device_range")
int BPF_PROG(kernel_migrate_device_range_entry, unsigned long *src_pfns, unsigned long start,
	     unsigned long npages)
{
	dpm_collect_begun();
	kmig_begin(SVM_PAGEMAP_DIR_EVICT, SVM_PAGEMAP_TRIGGER_EVICTION, 0, npages, 0, false);
	return 0;
}

SEC("fexit/migrate_device_range")
int BPF_PROG(kernel_migrate_device_range_exit, unsigned long *src_pfns, unsigned long start,
	     unsigned long npages, int ret)
{
	evict_collected(src_pfns, npages, ret);
	return 0;
}

SEC("fentry/migrate_device_pfns")
int BPF_PROG(kernel_migrate_device_pfns_entry, unsigned long *src_pfns, unsigned long npages)
{
	dpm_collect_begun();
	kmig_begin(SVM_PAGEMAP_DIR_EVICT, SVM_PAGEMAP_TRIGGER_EVICTION, 0, npages, 0, true);
	return 0;
}

SEC("fexit/migrate_device_pfns")
int BPF_PROG(kernel_migrate_device_pfns_exit, unsigned long *src_pfns, unsigned long npages,
	     int ret)
{
	evict_collected(src_pfns, npages, ret);
	return 0;
}

/* ---- map ---- */

static __always_inline struct kmig *mapping(void)
{
	struct kmig *k = kmig_of_task();

	if (!k || k->phase != KMIG_COLLECTED)
		return NULL;
	if (!k->t_map_first)
		k->t_map_first = bpf_ktime_get_ns();
	return k;
}

static __always_inline void mapped(struct kmig *k, u32 path)
{
	k->t_mark = bpf_ktime_get_ns();
	/* as the module: the system pages' path wins over none */
	if (k->path == SVMTRACE_PATH_NONE || path == SVM_PAGEMAP_PATH_IOVA)
		k->path = path;
}

SEC("fentry/dma_map_page_attrs")
int BPF_PROG(kernel_dma_map_page_entry, struct device *dev, struct page *page, size_t offset,
	     size_t size)
{
	mapping();
	return 0;
}

SEC("fexit/dma_map_page_attrs")
int BPF_PROG(kernel_dma_map_page_exit, struct device *dev, struct page *page, size_t offset,
	     size_t size, int dir, unsigned long attrs, dma_addr_t ret)
{
	struct kmig *k = kmig_of_task();

	if (!k || k->phase != KMIG_COLLECTED)
		return 0;
	k->page_mapped += (size + PAGE_SIZE_BYTES - 1) / PAGE_SIZE_BYTES;
	mapped(k, SVM_PAGEMAP_PATH_PAGE);
	return 0;
}

SEC("fentry/dma_iova_try_alloc")
int BPF_PROG(kernel_dma_iova_try_alloc_entry, struct device *dev,
	     struct dma_iova_state___svm *state, phys_addr_t phys, size_t size)
{
	mapping();
	return 0;
}

SEC("fexit/dma_iova_try_alloc")
int BPF_PROG(kernel_dma_iova_try_alloc_exit, struct device *dev,
	     struct dma_iova_state___svm *state, phys_addr_t phys, size_t size, bool ret)
{
	struct kmig *k = kmig_of_task();

	if (!k || k->phase != KMIG_COLLECTED)
		return 0;
	count_event(SVM_PAGEMAP_EV_IOVA_ALLOC);
	/*
	 * false: the device does not map through dma-iommu, or it does and
	 * no IOVA range was found (exhausted or fragmented space; swiotlb
	 * bouncing an unaligned range also lands here).
	 */
	svmtrace_iova_allocated(size, ret ? SVM_PAGEMAP_IOVA_OK :
				dev_maps_through_iommu(dev) ? SVM_PAGEMAP_IOVA_ALLOC_FAILED :
				SVM_PAGEMAP_IOVA_NO_IOMMU);
	if (ret) {
		k->iova_size = size;
		mapped(k, SVM_PAGEMAP_PATH_IOVA);
	}
	k->t_mark = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/dma_iova_link")
int BPF_PROG(kernel_dma_iova_link_exit, struct device *dev, struct dma_iova_state___svm *state,
	     phys_addr_t phys, size_t offset, size_t size, int dir, unsigned long attrs, int ret)
{
	struct kmig *k = kmig_of_task();

	if (!k || k->phase != KMIG_COLLECTED)
		return 0;
	if (!ret)
		k->iova_mapped += size;
	mapped(k, SVM_PAGEMAP_PATH_IOVA);
	return 0;
}

SEC("fexit/dma_iova_sync")
int BPF_PROG(kernel_dma_iova_sync_exit, struct device *dev, struct dma_iova_state___svm *state,
	     size_t offset, size_t size, int ret)
{
	struct kmig *k = kmig_of_task();

	if (k && k->phase == KMIG_COLLECTED)
		mapped(k, SVM_PAGEMAP_PATH_IOVA);
	return 0;
}

/* ---- finalize ---- */

SEC("fentry/migrate_vma_pages")
int BPF_PROG(kernel_migrate_vma_pages_entry, struct migrate_vma *args)
{
	kmig_finalizing();
	return 0;
}

SEC("fentry/migrate_device_pages")
int BPF_PROG(kernel_migrate_device_pages_entry, unsigned long *src_pfns, unsigned long *dst_pfns,
	     unsigned long npages)
{
	kmig_finalizing();
	return 0;
}

SEC("fentry/migrate_vma_finalize")
int BPF_PROG(kernel_migrate_vma_finalize_entry, struct migrate_vma *args)
{
	kmig_count_migrated(BPF_CORE_READ(args, src), BPF_CORE_READ(args, dst),
			    BPF_CORE_READ(args, npages));
	return 0;
}

SEC("fexit/migrate_vma_finalize")
int BPF_PROG(kernel_migrate_vma_finalize_exit, struct migrate_vma *args)
{
	kmig_finalized();
	return 0;
}

SEC("fentry/migrate_device_finalize")
int BPF_PROG(kernel_migrate_device_finalize_entry, unsigned long *src_pfns,
	     unsigned long *dst_pfns, unsigned long npages)
{
	kmig_count_migrated(src_pfns, dst_pfns, npages);
	return 0;
}

SEC("fexit/migrate_device_finalize")
int BPF_PROG(kernel_migrate_device_finalize_exit, unsigned long *src_pfns,
	     unsigned long *dst_pfns, unsigned long npages)
{
	kmig_finalized();
	return 0;
}

/* ---- unmap ---- */

/* An unmap call of the migration's mappings: before or after finalize. */
static __always_inline struct kmig *unmapping(void)
{
	struct kmig *k = kmig_of_task();
	u64 now;

	if (!k || k->phase == KMIG_COLLECTING || !(k->page_mapped || k->iova_size))
		return NULL;
	if (!k->t_unmap_first) {
		now = bpf_ktime_get_ns();
		k->t_unmap_first = now;
		if (k->phase == KMIG_COLLECTED)
			k->t_copy_end = now;
	}
	return k;
}

SEC("fentry/dma_unmap_page_attrs")
int BPF_PROG(kernel_dma_unmap_page_entry, struct device *dev, dma_addr_t addr, size_t size)
{
	unmapping();
	return 0;
}

SEC("fexit/dma_unmap_page_attrs")
int BPF_PROG(kernel_dma_unmap_page_exit, struct device *dev, dma_addr_t addr, size_t size)
{
	struct kmig *k = kmig_of_task();

	if (!k || !k->t_unmap_first)
		return 0;
	k->page_unmapped += (size + PAGE_SIZE_BYTES - 1) / PAGE_SIZE_BYTES;
	kmig_maybe_unmapped(k, bpf_ktime_get_ns());
	return 0;
}

SEC("fentry/dma_iova_unlink")
int BPF_PROG(kernel_dma_iova_unlink_entry, struct device *dev)
{
	unmapping();
	return 0;
}

SEC("fentry/dma_iova_destroy")
int BPF_PROG(kernel_dma_iova_destroy_entry, struct device *dev)
{
	unmapping();
	return 0;
}

/* dma_iova_destroy frees through dma_iova_free too: the range ends here. */
SEC("fentry/dma_iova_free")
int BPF_PROG(kernel_dma_iova_free_entry, struct device *dev, struct dma_iova_state___svm *state)
{
	struct kmig *k = unmapping();

	if (!k || !k->iova_size)
		return 0;
	count_event(SVM_PAGEMAP_EV_IOVA_FREE);
	svmtrace_iova_freed(k->iova_size);
	k->iova_size = 0;
	return 0;
}

SEC("fexit/dma_iova_free")
int BPF_PROG(kernel_dma_iova_free_exit, struct device *dev)
{
	struct kmig *k = kmig_of_task();

	if (k && k->t_unmap_first)
		kmig_maybe_unmapped(k, bpf_ktime_get_ns());
	return 0;
}

/*
 * A caller's retry of an eviction: drm_pagemap_evict_to_ram() called again
 * by the task that evicted the allocation last, with no migration into the
 * device on it since (a new allocation at the same address starts with one).
 * Keyed by allocation, not by a global count of migrations, so other
 * threads' migrations between two of a caller's tries hide none of them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);	/* struct drm_pagemap_devmem * */
	__type(value, u32);	/* the task that evicted it last */
} svmtrace_kernel_last_evictor SEC(".maps");

/*
 * A retry is the caller trying again: a task's migration into the device
 * gave up with -EBUSY, and the same task asks drm_pagemap for a migration
 * into the device again before it maps system pages for the device instead
 * (hmm_range_fault: the driver has given up migrating, and its next
 * migration is a new one).  Not only on the range that failed: a driver
 * migrating a range in chunks starts again from its first chunk.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);	/* task */
	__type(value, u8);	/* unused: the key's presence is the mark */
} svmtrace_kernel_busy SEC(".maps");

SEC("fentry/hmm_range_fault")
int BPF_PROG(kernel_hmm_range_fault_entry)
{
	u32 tid = current_tid();

	bpf_map_delete_elem(&svmtrace_kernel_busy, &tid);
	return 0;
}

SEC("fentry/drm_pagemap_migrate_to_devmem")
int BPF_PROG(kernel_dpm_to_devmem_entry, void *devmem, void *mm, unsigned long start)
{
	u32 tid = current_tid();
	u64 alloc = (u64)devmem;

	if (bpf_map_lookup_elem(&svmtrace_kernel_busy, &tid)) {
		count_event(SVM_PAGEMAP_EV_RETRY);
		counter_add(SVMTRACE_CNT_RETRY0 + SVM_PAGEMAP_RETRY_BUSY, 1);
		bpf_map_delete_elem(&svmtrace_kernel_busy, &tid);
	}
	bpf_map_delete_elem(&svmtrace_kernel_last_evictor, &alloc);
	dpm_enter(DPM_TO_DEVMEM);
	return 0;
}

SEC("fexit/drm_pagemap_migrate_to_devmem")
int BPF_PROG(kernel_dpm_to_devmem_exit, void *devmem, void *mm, unsigned long start,
	     unsigned long end, void *mdetails, int ret)
{
	u32 tid = current_tid();
	u8 mark = 1;

	dpm_leave(ret);
	if (ret == -SVM_EBUSY)
		bpf_map_update_elem(&svmtrace_kernel_busy, &tid, &mark, BPF_ANY);
	return 0;
}

SEC("fentry/__drm_pagemap_migrate_to_ram")
int BPF_PROG(kernel_dpm_to_ram_entry)
{
	dpm_enter(DPM_TO_RAM);
	return 0;
}

SEC("fexit/__drm_pagemap_migrate_to_ram")
int BPF_PROG(kernel_dpm_to_ram_exit, void *vas, void *page, unsigned long fault_addr,
	     unsigned long size, int ret)
{
	struct dpm_ctx call = dpm_leave(ret);

	/* returned before collecting: the pages stay inside their timeslice */
	if (!ret && !call.collects) {
		count_event(SVM_PAGEMAP_EV_TIMESLICE_HOLD);
		counter_add(SVMTRACE_CNT_TIMESLICE_HOLDS, 1);
	}
	return 0;
}

static __always_inline void evict_retry_counted(void)
{
	count_event(SVM_PAGEMAP_EV_EVICT_RETRY);
	counter_add(SVMTRACE_CNT_EVICT_RETRY0 + SVM_PAGEMAP_RETRY_NOT_DETACHED, 1);
}

SEC("fentry/drm_pagemap_evict_to_ram")
int BPF_PROG(kernel_dpm_evict_entry, void *devmem)
{
	u64 alloc = (u64)devmem;
	u32 *evictor = bpf_map_lookup_elem(&svmtrace_kernel_last_evictor, &alloc);

	if (evictor && *evictor == current_tid())
		evict_retry_counted();
	dpm_enter(DPM_EVICT);
	return 0;
}

SEC("fexit/drm_pagemap_evict_to_ram")
int BPF_PROG(kernel_dpm_evict_exit, void *devmem, int ret)
{
	struct dpm_ctx call = dpm_leave(ret);
	u32 i, tid = current_tid();
	u64 alloc = (u64)devmem;

	/* every pass after the first is a retry: the allocation was still attached */
	for (i = 1; i < call.collects && i < 8; i++)
		evict_retry_counted();
	bpf_map_update_elem(&svmtrace_kernel_last_evictor, &alloc, &tid, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
