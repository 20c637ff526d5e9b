// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench: the workload driver for svm_pagemap.ko.  Runs one scenario,
 * verifies a data pattern after every round trip and prints its own counts
 * and throughput, plain or as JSON.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "svmbench.h"

struct sb_counts sb_c;
const struct sb_opts *sb_o;

unsigned int sb_case_count(void);
const char *sb_case_name(unsigned int i, int *expect, int *got);

/*
 * Scenario "info": SVM_PAGEMAP_IOC_INFO N times, the smallest action with a
 * known event count (one svm_ioctl each), for cross-checking svmtrace, perf
 * and the module.
 */
static int sb_info_scenario(void)
{
	struct svm_pagemap_info info;
	uint64_t i;
	int fd;

	fd = sb_open(sb_o->device);
	if (fd < 0)
		return 1;
	for (i = 0; i < sb_o->iterations; i++) {
		if (sb_info(fd, &info)) {
			perror("svmbench: SVM_PAGEMAP_IOC_INFO");
			return 1;
		}
	}
	if (!sb_o->json)
		printf("info: %llu queries, device %llu of %llu, %llu pages (%llu free), abi %llu\n",
		       (unsigned long long)sb_o->iterations,
		       (unsigned long long)info.device_id,
		       (unsigned long long)info.ndevices,
		       (unsigned long long)info.total_pages,
		       (unsigned long long)info.free_pages,
		       (unsigned long long)info.abi_version);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(void);
	const char *help;
} sb_scenarios[] = {
	{ "info", sb_info_scenario, "query the device N times (one svm_ioctl event each)" },
	{ "roundtrip", sb_roundtrip, "migrate to the device and fault back, timed, vs memcpy" },
	{ "seq", sb_roundtrip, "alias of roundtrip" },
	{ "random", sb_random, "random ranges/sizes/devices/ops until N migrations" },
	{ "contend", sb_contend, "processes device-fault one shared range (retries, timeslice)" },
	{ "peer", sb_peer, "device-to-device migration through the peer map path" },
	{ "evict", sb_evict_pressure, "fill device memory (-ENOMEM), evict while a child faults" },
	{ "forkmunmap", sb_forkmunmap, "fork and munmap during migration" },
	{ "errors", sb_errors, "every bad input gets its errno" },
	{ "nomem", sb_nomem, "full device: -ENOMEM, fault falls back to system pages" },
	{ "hold", sb_hold, "keep a range on the device, fd closed, until SIGUSR1" },
	{ "evictone", sb_evictone, "migrate then evict the range, checked" },
	{ "evictall", sb_evictall, "evict every allocation of the device" },
	{ "stats", sb_stats, "print the module's counters of every device" },
	{ "fuzz", sb_fuzz, "random ioctls under mapping churn and forks for N seconds" },
	{ "integrity", sb_integrity, "versioned writers vs migrate/evict/fault/read for N s" },
};

static void sb_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: svmbench SCENARIO [OPTIONS]\n"
		"Drive svm_pagemap.ko: migrations between system memory and the\n"
		"software devices, with the data verified after every round trip.\n\n"
		"Scenarios:\n");
	for (i = 0; i < sizeof(sb_scenarios) / sizeof(sb_scenarios[0]); i++)
		fprintf(f, "  %-11s %s\n", sb_scenarios[i].name, sb_scenarios[i].help);
	fprintf(f,
		"\nOptions:\n"
		"  -d, --device N      device index (default 0)\n"
		"  -p, --peer N        peer device for 'peer' (default 1)\n"
		"  -s, --size SIZE     range size, K/M suffix (default 2M)\n"
		"  -n, --iterations N  rounds, migrations for 'random', seconds for 'fuzz'\n"
		"                      and 'integrity' (default 10)\n"
		"  -P, --procs N       processes for 'contend' and 'fuzz', movers for\n"
		"                      'integrity' (default 4)\n"
		"  -t, --timeslice MS  timeslice of migrations (default 0; contend 5)\n"
		"  -m, --max-size SIZE buffer of 'random' (default 8M)\n"
		"  -S, --seed N        pattern/random seed (default 1)\n"
		"  -j, --json          JSON output\n"
		"  -v, --verbose       report mismatches and progress\n"
		"  -h, --help          this text\n\n"
		"Examples:\n"
		"  svmbench -s 2M -n 20 roundtrip     # 2 MiB sys->dev / dev->sys vs memcpy\n"
		"  svmbench -n 10000 -m 4M random     # 10,000 random migrations, verified\n"
		"  svmbench -P 4 -t 10 contend        # -EBUSY retries and timeslice holds\n"
		"  svmbench --json errors             # errno of every bad input\n");
}

/* A decimal or 0x number up to @max; complains naming @what. */
static int sb_parse_num(const char *s, const char *what, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (!*s || *s == '-' || *end || errno || *out > max) {
		fprintf(stderr, "svmbench: invalid %s '%s' (0-%llu)\n", what, s,
			(unsigned long long)max);
		return -1;
	}
	return 0;
}

static int sb_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K':
		v <<= 10;
		end++;
		break;
	case 'm': case 'M':
		v <<= 20;
		end++;
		break;
	case 'g': case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end || !v || v % 4096)
		return -1;
	*out = v;
	return 0;
}

static double sb_mib_s(double bytes, double ns)
{
	return ns > 0 ? bytes / (1 << 20) / (ns / 1e9) : 0;
}

#define SB_COUNTS(X)							\
	X(migrate_ioctls) X(migrate_ok) X(migrate_busy) X(migrate_nomem)\
	X(migrate_other_err) X(pages_to_dev) X(peer_pages)		\
	X(fault_ioctls) X(fault_attempts) X(fault_devmem) X(fault_system)\
	X(fault_failed) X(evict_ioctls) X(evict_busy) X(evicted_pages)	\
	X(dev_reads) X(dev_writes) X(cpu_faultbacks) X(verified_pages)	\
	X(verify_errors) X(round_trips) X(last_error)			\
	X(fuzz_calls) X(fuzz_ok) X(fuzz_einval) X(fuzz_efault) X(fuzz_ebusy)	\
	X(fuzz_enomem) X(fuzz_enotty) X(fuzz_other_errno) X(fuzz_churn_ops)	\
	X(fuzz_forks) X(integrity_writes) X(integrity_moves)		\
	X(integrity_torn_skipped)

static void sb_print_json(const char *scenario, int fails)
{
	struct json_object *root = json_object_new_object();
	struct json_object *counts = json_object_new_object();
	struct json_object *tput = json_object_new_object();
	unsigned int i, n = sb_case_count();

	json_object_object_add(root, "scenario", json_object_new_string(scenario));
	json_object_object_add(root, "ok", json_object_new_boolean(!fails));
	json_object_object_add(root, "failures", json_object_new_int(fails));
#define X(f) json_object_object_add(counts, #f, json_object_new_uint64(sb_c.f));
	SB_COUNTS(X)
#undef X
	json_object_object_add(root, "counts", counts);
	json_object_object_add(tput, "to_dev_mib_s",
			       json_object_new_double(sb_mib_s(sb_c.to_dev_bytes, sb_c.to_dev_ns)));
	json_object_object_add(tput, "to_ram_mib_s",
			       json_object_new_double(sb_mib_s(sb_c.to_ram_bytes, sb_c.to_ram_ns)));
	json_object_object_add(tput, "memcpy_mib_s",
			       json_object_new_double(sb_mib_s(sb_c.memcpy_bytes, sb_c.memcpy_ns)));
	json_object_object_add(root, "throughput", tput);
	if (n) {
		struct json_object *cases = json_object_new_array();

		for (i = 0; i < n; i++) {
			struct json_object *c = json_object_new_object();
			int expect, got;
			const char *name = sb_case_name(i, &expect, &got);

			json_object_object_add(c, "name", json_object_new_string(name));
			json_object_object_add(c, "expect", json_object_new_int(expect));
			json_object_object_add(c, "got", json_object_new_int(got));
			json_object_object_add(c, "ok", json_object_new_boolean(expect == got));
			json_object_array_add(cases, c);
		}
		json_object_object_add(root, "cases", cases);
	}
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
}

static void sb_print_plain(const char *scenario, int fails)
{
	printf("scenario %s: %s (%d failures)\n", scenario, fails ? "FAILED" : "ok",
	       fails);
#define X(f) if (sb_c.f) printf("  %-18s %llu\n", #f, (unsigned long long)sb_c.f);
	SB_COUNTS(X)
#undef X
	if (sb_c.to_dev_ns)
		printf("  to_dev   %10.1f MiB/s\n", sb_mib_s(sb_c.to_dev_bytes, sb_c.to_dev_ns));
	if (sb_c.to_ram_ns)
		printf("  to_ram   %10.1f MiB/s\n", sb_mib_s(sb_c.to_ram_bytes, sb_c.to_ram_ns));
	if (sb_c.memcpy_ns)
		printf("  memcpy   %10.1f MiB/s\n", sb_mib_s(sb_c.memcpy_bytes, sb_c.memcpy_ns));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "peer", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'P' },
		{ "timeslice", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct sb_opts o = {
		.peer = 1, .size = 2 << 20, .iterations = 10, .procs = 4,
		.seed = 1, .max_size = 8 << 20,
	};
	int c, fails, ts_set = 0;
	uint64_t v;
	size_t i;

	while ((c = getopt_long(argc, argv, "d:p:s:n:P:t:m:S:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (sb_parse_num(optarg, "device", 255, &v))
				return 2;
			o.device = v;
			break;
		case 'p':
			if (sb_parse_num(optarg, "peer device", 255, &v))
				return 2;
			o.peer = v;
			break;
		case 's':
			if (sb_parse_size(optarg, &o.size))
				goto bad;
			break;
		case 'n':
			if (sb_parse_num(optarg, "count", 1ULL << 40, &o.iterations))
				return 2;
			break;
		case 'P':
			if (sb_parse_num(optarg, "process count", 256, &v))
				return 2;
			o.procs = v;
			break;
		case 't':
			if (sb_parse_num(optarg, "timeslice", 60000, &v))
				return 2;
			o.timeslice_ms = v;
			ts_set = 1;
			break;
		case 'm':
			if (sb_parse_size(optarg, &o.max_size))
				goto bad;
			break;
		case 'S':
			if (sb_parse_num(optarg, "seed", UINT64_MAX, &o.seed))
				return 2;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			sb_usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc - 1)
		goto bad;
	o.scenario = argv[optind];
	if (!strcmp(o.scenario, "contend") && !ts_set)
		o.timeslice_ms = 5;
	sb_o = &o;
	sb_srand(o.seed);
	for (i = 0; i < sizeof(sb_scenarios) / sizeof(sb_scenarios[0]); i++) {
		if (strcmp(o.scenario, sb_scenarios[i].name))
			continue;
		fails = sb_scenarios[i].run();
		if (o.json && sb_scenarios[i].run != sb_stats)
			sb_print_json(o.scenario, fails);
		else if (sb_scenarios[i].run != sb_info_scenario &&
			 sb_scenarios[i].run != sb_stats)
			sb_print_plain(o.scenario, fails);
		return fails ? 1 : 0;
	}
	fprintf(stderr, "svmbench: unknown scenario '%s'\n", o.scenario);
bad:
	sb_usage(stderr);
	return 2;
}
