// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench stats: the module's counters (SVM_PAGEMAP_IOC_STATS) of every
 * device and their sum, as JSON or text.  Tests diff two snapshots against
 * tracepoint counts and svmbench's own counts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <json-c/json.h>

#include "svmbench.h"

#define F(name, n) { #name, offsetof(struct svm_pagemap_stats, name) / 8, n }
static const struct {
	const char *name;
	size_t idx;
	unsigned int n;
} sb_fields[] = {
	F(migrations, SVM_PAGEMAP_DIR_COUNT),
	F(migrations_failed, SVM_PAGEMAP_DIR_COUNT),
	F(pages, SVM_PAGEMAP_DIR_COUNT),
	F(triggers, SVM_PAGEMAP_TRIGGER_COUNT),
	F(stage_calls, SVM_PAGEMAP_STAGE_COUNT),
	F(stage_errors, SVM_PAGEMAP_STAGE_COUNT),
	F(stage_pages, SVM_PAGEMAP_STAGE_COUNT),
	F(map_calls, SVM_PAGEMAP_PATH_COUNT),
	F(map_pages, SVM_PAGEMAP_PATH_COUNT),
	F(iova_allocs, SVM_PAGEMAP_IOVA_COUNT),
	F(iova_frees, 0),
	F(rejects, SVM_PAGEMAP_REASON_COUNT),
	F(retries, SVM_PAGEMAP_RETRY_COUNT),
	F(evict_retries, 0),
	F(timeslice_holds, 0),
	F(device_faults, SVM_PAGEMAP_PLACEMENT_COUNT),
	F(injected, SVM_PAGEMAP_INJECT_COUNT),
	F(devmem_allocs, 0),
	F(devmem_releases, 0),
	F(verify_ok, 0),
	F(verify_failed, 0),
	F(ioctls, 0),
};
#undef F

#define SB_NFIELDS (sizeof(sb_fields) / sizeof(sb_fields[0]))

static struct json_object *sb_stats_json(const uint64_t *v)
{
	struct json_object *o = json_object_new_object();
	size_t i;
	unsigned int k;

	for (i = 0; i < SB_NFIELDS; i++) {
		if (!sb_fields[i].n) {
			json_object_object_add(o, sb_fields[i].name,
					       json_object_new_uint64(v[sb_fields[i].idx]));
			continue;
		}
		struct json_object *a;

		a = json_object_new_array();

		for (k = 0; k < sb_fields[i].n; k++)
			json_object_array_add(a, json_object_new_uint64(v[sb_fields[i].idx + k]));
		json_object_object_add(o, sb_fields[i].name, a);
	}
	return o;
}

static void sb_stats_text(const char *who, const uint64_t *v)
{
	size_t i;
	unsigned int k;

	printf("%s:\n", who);
	for (i = 0; i < SB_NFIELDS; i++) {
		printf("  %-18s", sb_fields[i].name);
		if (!sb_fields[i].n)
			printf(" %llu", (unsigned long long)v[sb_fields[i].idx]);
		for (k = 0; k < sb_fields[i].n; k++)
			printf(" %llu", (unsigned long long)v[sb_fields[i].idx + k]);
		printf("\n");
	}
}

int sb_stats(void)
{
	struct json_object *root = json_object_new_object();
	struct json_object *devs = json_object_new_array();
	uint64_t sum[sizeof(struct svm_pagemap_stats) / 8] = { 0 };
	uint64_t free_sum = 0, total_sum = 0;
	struct svm_pagemap_info info;
	unsigned int d, ndev = 1;
	size_t i;

	for (d = 0; d < ndev; d++) {
		struct svm_pagemap_stats st;
		const uint64_t *v = (const uint64_t *)&st;
		struct json_object *o;
		char who[96];
		int fd = sb_open(d);

		if (fd < 0 || sb_info(fd, &info))
			return 1;
		ndev = info.ndevices;
		memset(&st, 0, sizeof(st));
		if (ioctl(fd, SVM_PAGEMAP_IOC_STATS, &st)) {
			perror("svmbench: SVM_PAGEMAP_IOC_STATS");
			return 1;
		}
		close(fd);
		for (i = 0; i < sizeof(st) / 8; i++)
			sum[i] += v[i];
		free_sum += info.free_pages;
		total_sum += info.total_pages;
		o = sb_stats_json(v);
		json_object_object_add(o, "device", json_object_new_int(d));
		json_object_object_add(o, "free_pages", json_object_new_uint64(info.free_pages));
		json_object_object_add(o, "total_pages", json_object_new_uint64(info.total_pages));
		json_object_array_add(devs, o);
		if (!sb_o->json) {
			snprintf(who, sizeof(who), "device %u (%llu/%llu pages free)", d,
				 (unsigned long long)info.free_pages,
				 (unsigned long long)info.total_pages);
			sb_stats_text(who, v);
		}
	}
	json_object_object_add(root, "devices", devs);
	{
		struct json_object *s = sb_stats_json(sum);

		json_object_object_add(s, "free_pages", json_object_new_uint64(free_sum));
		json_object_object_add(s, "total_pages", json_object_new_uint64(total_sum));
		json_object_object_add(root, "sum", s);
	}
	if (sb_o->json)
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return 0;
}
