/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The migration vocabulary of svm_pagemap and svmtrace, defined once.
 *
 * Every list below is an X-macro in the shape of include/trace/events/migrate.h:
 * SVM_PAGEMAP_<LIST> expands SVM_PAGEMAP_VOCAB(constant, "name", "meaning")
 * for each entry but the last and SVM_PAGEMAP_VOCAB_LAST(...) for the last
 * one, both defined by the includer right before it expands a list (the last
 * one differs so that a comma-separated initialiser can end without a comma,
 * as __print_symbolic needs).  Entry values are their positions, from 0.
 *
 * Everything that names these things takes the names from here: the uapi
 * enums and counts (svm_pagemap.h), the tracepoints' symbolic printing
 * (kmod/svm_pagemap_trace.h), the BPF programs, and every svmtrace layer
 * (names, filters, gate rules, the perf script reader, Prometheus labels,
 * the renderers).  docs/tracepoints.md lists the same tables; a test
 * compares them.
 */
#ifndef _UAPI_SVM_PAGEMAP_VOCAB_H
#define _UAPI_SVM_PAGEMAP_VOCAB_H

/* Keeps each list one expression (and the kernel's checkpatch content). */
#define SVM_PAGEMAP_VOCAB_LIST(...)	__VA_ARGS__

/* Migration direction (tracepoint field "direction", stats index). */
#define SVM_PAGEMAP_DIRECTIONS SVM_PAGEMAP_VOCAB_LIST(					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_DIR_TO_DEV, "to_dev",				\
	  "system pages into a device")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_DIR_TO_RAM, "to_ram",				\
	  "CPU fault: device pages back to RAM")					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_DIR_EVICT, "evict",				\
	  "a device allocation back to RAM without the mmap lock")			\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_DIR_PEER, "peer",				\
	  "another device's pages into a device (device to device)"))

/* What started a migration (tracepoint field "trigger"). */
#define SVM_PAGEMAP_TRIGGERS SVM_PAGEMAP_VOCAB_LIST(					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_TRIGGER_DEVICE_FAULT, "device_fault",		\
	  "a device page fault (SVM_PAGEMAP_IOC_FAULT)")				\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_TRIGGER_PREFETCH, "prefetch",			\
	  "a prefetch (SVM_PAGEMAP_IOC_MIGRATE, or IOC_FAULT with FAULT_PREFETCH)")	\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_TRIGGER_CPU_FAULT, "cpu_fault",			\
	  "migrate_to_ram on a CPU access")						\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_TRIGGER_EVICTION, "eviction",		\
	  "eviction (SVM_PAGEMAP_IOC_EVICT)"))

/* Migration stages (svm_stage_end field "stage"). */
#define SVM_PAGEMAP_STAGES SVM_PAGEMAP_VOCAB_LIST(					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_STAGE_COLLECT, "collect",				\
	  "migrate_vma_setup, or migrate_device_pfns/_range for eviction")		\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_STAGE_POPULATE, "populate",			\
	  "destination pages allocated")						\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_STAGE_MAP, "map",					\
	  "DMA mapping of system pages, device_map of device pages")			\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_STAGE_COPY, "copy", "the copy engine")		\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_STAGE_FINALIZE, "finalize",			\
	  "migrate_vma_pages + migrate_vma_finalize (or migrate_device_*)")		\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_STAGE_UNMAP, "unmap", "undoing the map stage"))

/* How source/destination pages were mapped (field "path"). */
#define SVM_PAGEMAP_PATHS SVM_PAGEMAP_VOCAB_LIST(					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_PATH_IOVA, "iova",				\
	  "one dma_iova_try_alloc per migration, dma_iova_link per page, one dma_iova_sync") \
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_PATH_PAGE, "page", "dma_map_page per page")	\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_PATH_PEER, "peer",				\
	  "another device's pages, through its device_map")				\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_PATH_LOCAL, "local",				\
	  "this device's pages (same-pagemap), through its own device_map"))

/* IOVA allocation outcome (svm_iova_alloc field "reason"). */
#define SVM_PAGEMAP_IOVA_REASONS SVM_PAGEMAP_VOCAB_LIST(				\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_IOVA_OK, "ok",					\
	  "allocated: the IOVA path is used")						\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_IOVA_NO_API, "no_api",				\
	  "kernel without dma_iova_*")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_IOVA_NO_IOMMU, "no_iommu",			\
	  "the DMA device has no IOMMU DMA domain")					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_IOVA_ALLOC_FAILED, "alloc_failed",		\
	  "IOMMU present, allocation failed")						\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_IOVA_DISABLED, "disabled", "module parameter iova=0"))

/* Why an ioctl was refused (svm_reject field "reason"). */
#define SVM_PAGEMAP_REJECT_REASONS SVM_PAGEMAP_VOCAB_LIST(				\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_BAD_POINTER, "bad_pointer",		\
	  "EFAULT: ioctl argument or buffer not accessible")				\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_UNALIGNED, "unaligned",			\
	  "EINVAL: start or size not page aligned")					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_ZERO_LENGTH, "zero_length",		\
	  "EINVAL: size 0")								\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_OVERFLOW, "overflow",			\
	  "EOVERFLOW: start + size wraps or passes the user address space")		\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_TOO_BIG, "too_big",			\
	  "E2BIG: size above max_migrate_mib")						\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_UNMAPPED, "unmapped",			\
	  "ENOENT: no VMA at start")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_CROSS_VMA, "cross_vma",			\
	  "ERANGE: the range runs past its VMA")					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_NOT_ANON, "not_anon",			\
	  "EOPNOTSUPP: not private anonymous memory")					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_FOREIGN_MM, "foreign_mm",			\
	  "EPERM: the fd belongs to another address space")				\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_BAD_FLAGS, "bad_flags",			\
	  "EINVAL: unknown or conflicting flags")					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_REASON_RESERVED, "reserved",			\
	  "EINVAL: reserved field not zero")						\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_REASON_BAD_TIMESLICE, "bad_timeslice",	\
	  "EINVAL: timeslice above 10000 ms"))

/* Why a migration was tried again (svm_retry / svm_evict_retry "reason"). */
#define SVM_PAGEMAP_RETRY_REASONS SVM_PAGEMAP_VOCAB_LIST(				\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_RETRY_BUSY, "busy",				\
	  "a migration collected fewer pages than asked (-EBUSY)")			\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_RETRY_NOT_DETACHED, "not_detached",		\
	  "eviction: pages of the allocation are still on the device")			\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_RETRY_ERROR, "error",			\
	  "eviction: a stage of the attempt failed"))

/* Fault-injection points (svm_inject field "point"). */
#define SVM_PAGEMAP_INJECT_POINTS SVM_PAGEMAP_VOCAB_LIST(				\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_INJECT_POPULATE, "populate", "ENOMEM")		\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_INJECT_MAP, "map", "EFAULT")			\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_INJECT_COPY, "copy", "EIO")			\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_INJECT_FINALIZE, "finalize", "EIO"))

/* Where a device fault left the range (svm_device_fault "placement"). */
#define SVM_PAGEMAP_PLACEMENTS SVM_PAGEMAP_VOCAB_LIST(					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_PLACEMENT_NONE, "none",				\
	  "the device fault failed")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_PLACEMENT_DEVMEM, "devmem",			\
	  "the range is in this device's memory")					\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_PLACEMENT_SYSTEM, "system",			\
	  "the device mapped the system pages (fallback or policy)"))

/* The tracepoints of trace system svm_pagemap, in kmod/svm_pagemap_trace.h. */
#define SVM_PAGEMAP_EVENTS SVM_PAGEMAP_VOCAB_LIST(					\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_IOCTL, "svm_ioctl", "an ioctl finished")	\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_REJECT, "svm_reject", "an ioctl was refused")	\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_MIGRATE_BEGIN, "svm_migrate_begin",		\
	  "a migration started")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_MIGRATE_END, "svm_migrate_end",		\
	  "a migration ended")								\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_STAGE_END, "svm_stage_end", "a stage ended")	\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_MAP, "svm_map", "pages mapped for a copy")	\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_IOVA_ALLOC, "svm_iova_alloc",			\
	  "an IOVA range was tried")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_IOVA_FREE, "svm_iova_free",			\
	  "an IOVA range was freed")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_RETRY, "svm_retry", "a device fault retried")	\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_TIMESLICE_HOLD, "svm_timeslice_hold",		\
	  "a CPU fault left pages on the device inside the timeslice")			\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_EVICT_RETRY, "svm_evict_retry",		\
	  "an eviction pass retried")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_DEVICE_FAULT, "svm_device_fault",		\
	  "a device fault settled")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_INJECT, "svm_inject",				\
	  "an injected failure fired")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_DEVMEM_ALLOC, "svm_devmem_alloc",		\
	  "device memory allocated")							\
	SVM_PAGEMAP_VOCAB(SVM_PAGEMAP_EV_DEVMEM_RELEASE, "svm_devmem_release",		\
	  "device memory released")							\
	SVM_PAGEMAP_VOCAB_LAST(SVM_PAGEMAP_EV_VERIFY, "svm_verify",			\
	  "a mapping was verified through edu"))

#endif /* _UAPI_SVM_PAGEMAP_VOCAB_H */
