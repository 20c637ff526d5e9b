// SPDX-License-Identifier: GPL-2.0
/* Names of the module's enums as svmtrace prints and parses them. */
#include <string.h>
#include <strings.h>

#include "svmtrace_names.h"

static const char *const stage_names[SVMTRACE_STAGE_MAX] = {
	"collect", "populate", "map", "copy", "finalize", "unmap", "total",
};
static const char *const direction_names[] = { "to_dev", "to_ram", "evict", "peer" };
static const char *const trigger_names[] = { "device_fault", "prefetch", "cpu_fault", "eviction" };
static const char *const path_names[] = { "iova", "page", "peer", "local" };
static const char *const iova_reason_names[] = { "ok", "no_api", "no_iommu", "alloc_failed", "disabled" };
static const char *const retry_reason_names[] = { "busy", "not_detached", "error" };

#define NAME_OF(table, v) ((v) < sizeof(table) / sizeof(table[0]) ? table[v] : "?")

const char *svmtrace_stage_name(unsigned int v) { return NAME_OF(stage_names, v); }
const char *svmtrace_direction_name(unsigned int v) { return NAME_OF(direction_names, v); }
const char *svmtrace_trigger_name(unsigned int v) { return NAME_OF(trigger_names, v); }
const char *svmtrace_iova_reason_name(unsigned int v) { return NAME_OF(iova_reason_names, v); }
const char *svmtrace_retry_reason_name(unsigned int v) { return NAME_OF(retry_reason_names, v); }

const char *svmtrace_path_name(unsigned int v)
{
	return v == SVMTRACE_PATH_NONE ? "none" : NAME_OF(path_names, v);
}

static int lookup(const char *const *table, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(table[i], name))
			return (int)i;
	return -1;
}

int svmtrace_parse_stage(const char *name)
{
	return lookup(stage_names, SVMTRACE_STAGE_MAX, name);
}

int svmtrace_parse_direction(const char *name)
{
	return lookup(direction_names, sizeof(direction_names) / sizeof(direction_names[0]), name);
}

static const char *const svmtrace_event_names[SVMTRACE_EV_MAX] = {
	[SVMTRACE_EV_IOCTL] = "svm_ioctl",
	[SVMTRACE_EV_REJECT] = "svm_reject",
	[SVMTRACE_EV_MIGRATE_BEGIN] = "svm_migrate_begin",
	[SVMTRACE_EV_MIGRATE_END] = "svm_migrate_end",
	[SVMTRACE_EV_STAGE_END] = "svm_stage_end",
	[SVMTRACE_EV_MAP] = "svm_map",
	[SVMTRACE_EV_IOVA_ALLOC] = "svm_iova_alloc",
	[SVMTRACE_EV_IOVA_FREE] = "svm_iova_free",
	[SVMTRACE_EV_RETRY] = "svm_retry",
	[SVMTRACE_EV_TIMESLICE_HOLD] = "svm_timeslice_hold",
	[SVMTRACE_EV_EVICT_RETRY] = "svm_evict_retry",
	[SVMTRACE_EV_DEVICE_FAULT] = "svm_device_fault",
	[SVMTRACE_EV_INJECT] = "svm_inject",
	[SVMTRACE_EV_DEVMEM_ALLOC] = "svm_devmem_alloc",
	[SVMTRACE_EV_DEVMEM_RELEASE] = "svm_devmem_release",
	[SVMTRACE_EV_VERIFY] = "svm_verify",
};

const char *svmtrace_event_name(unsigned int event)
{
	return event < SVMTRACE_EV_MAX ? svmtrace_event_names[event] : "?";
}
