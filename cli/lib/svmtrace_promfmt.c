// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition (format 0.0.4) of svmtrace's BPF maps.
 *
 * Conventions: base units (seconds, bytes), counters end in _total, every
 * family has HELP and TYPE, histograms are cumulative and gap-filled (every
 * series carries every bound, so rate() and histogram_quantile() see the
 * same buckets on every scrape), +Inf equals _count.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "svmtrace_names.h"
#include "svmtrace_promfmt.h"

/* 512 ns (2^9) to 2^34 ns, two bounds per power of two. */
#define BOUND_FIRST_LOG2 9
#define BOUND_LAST_LOG2 34
#define N_BOUNDS (2 * (BOUND_LAST_LOG2 - BOUND_FIRST_LOG2) + 1)

static uint64_t bounds_ns[N_BOUNDS];

size_t svmtrace_prom_bounds_ns(const uint64_t **bounds)
{
	unsigned int k, i = 0;

	if (!bounds_ns[0]) {
		for (k = BOUND_FIRST_LOG2; k <= BOUND_LAST_LOG2; k++) {
			bounds_ns[i++] = (1ull << k) - 1;
			if (k < BOUND_LAST_LOG2)
				bounds_ns[i++] = (3ull << (k - 1)) - 1;
		}
	}
	*bounds = bounds_ns;
	return N_BOUNDS;
}

uint64_t svmtrace_prom_count_le(const struct svmtrace_hist *h, uint64_t bound_ns)
{
	uint32_t first_above = svmtrace_hist_index(bound_ns + 1), i;
	uint64_t n = 0;

	for (i = 0; i < first_above && i < SVMTRACE_HIST_BUCKETS; i++)
		n += h->slots[i];
	return n;
}

void svmtrace_prom_label_value(FILE *out, const char *value)
{
	const char *p;

	for (p = value; *p; p++) {
		switch (*p) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '"':
			fputs("\\\"", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

struct label {
	const char *name;
	const char *value;
};

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{labels...[,extra="..."]} without the value. */
static void series(FILE *out, const char *name, const char *suffix, const struct label *labels,
		   size_t n, const char *extra_name, const char *extra_value)
{
	size_t i;

	fprintf(out, "%s%s", name, suffix);
	if (!n && !extra_name)
		return;
	fputc('{', out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", labels[i].name);
		svmtrace_prom_label_value(out, labels[i].value);
		fputc('"', out);
	}
	if (extra_name) {
		fprintf(out, "%s%s=\"", n ? "," : "", extra_name);
		svmtrace_prom_label_value(out, extra_value);
		fputc('"', out);
	}
	fputc('}', out);
}

static void sample_u64(FILE *out, const char *name, const struct label *labels, size_t n,
		       uint64_t value)
{
	series(out, name, "", labels, n, NULL, NULL);
	fprintf(out, " %" PRIu64 "\n", value);
}

/* The shortest decimal that reads back as @value (as Go clients print). */
static void print_double(FILE *out, double value)
{
	char buf[32];
	int precision;

	for (precision = 15; precision < 17; precision++) {
		snprintf(buf, sizeof(buf), "%.*g", precision, value);
		if (strtod(buf, NULL) == value)
			break;
	}
	fprintf(out, " %.*g\n", precision, value);
}

static void sample_double(FILE *out, const char *name, const struct label *labels, size_t n,
			  double value)
{
	series(out, name, "", labels, n, NULL, NULL);
	print_double(out, value);
}

/* One histogram series in seconds, from a log-linear ns histogram. */
static void latency_series(FILE *out, const char *name, const struct label *labels, size_t n,
			   const struct svmtrace_hist *h)
{
	const uint64_t *bounds;
	size_t nb = svmtrace_prom_bounds_ns(&bounds), b;
	uint64_t cumulative = 0, total = 0;
	uint32_t slot = 0, i;
	char le[32];

	/* _count from the buckets, not h->count: a scrape racing an update
	 * must still show +Inf == _count. */
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++)
		total += h->slots[i];
	for (b = 0; b < nb; b++) {
		uint32_t end = svmtrace_hist_index(bounds[b] + 1);

		for (; slot < end; slot++)
			cumulative += h->slots[slot];
		snprintf(le, sizeof(le), "%.10g", bounds[b] / 1e9);
		series(out, name, "_bucket", labels, n, "le", le);
		fprintf(out, " %" PRIu64 "\n", cumulative);
	}
	series(out, name, "_bucket", labels, n, "le", "+Inf");
	fprintf(out, " %" PRIu64 "\n", total);
	series(out, name, "_sum", labels, n, NULL, NULL);
	print_double(out, h->sum / 1e9);
	series(out, name, "_count", labels, n, NULL, NULL);
	fprintf(out, " %" PRIu64 "\n", total);
}

static void latency_families(FILE *out, const struct svmtrace_prom_snapshot *s)
{
	size_t i;

	family(out, "svmtrace_stage_duration_seconds", "histogram",
	       "Time spent in one migration stage (collect, populate, map, copy, finalize, unmap).");
	for (i = 0; i < s->n_hists; i++) {
		const struct svmtrace_hist_key *k = &s->hists[i].key;
		char device[24];
		struct label l[] = {
			{ "stage", svmtrace_stage_name(k->stage) },
			{ "direction", svmtrace_direction_name(k->direction) },
			{ "trigger", svmtrace_trigger_name(k->trigger) },
			{ "path", svmtrace_path_name(k->path) },
			{ "device", device },
		};

		if (k->stage >= SVMTRACE_STAGE_TOTAL)
			continue;
		snprintf(device, sizeof(device), "%u", k->device);
		latency_series(out, "svmtrace_stage_duration_seconds", l, 5, &s->hists[i].hist);
	}

	family(out, "svmtrace_migration_duration_seconds", "histogram",
	       "Time of whole migrations, from before collect to the end of unmap.");
	for (i = 0; i < s->n_hists; i++) {
		const struct svmtrace_hist_key *k = &s->hists[i].key;
		char device[24];
		struct label l[] = {
			{ "direction", svmtrace_direction_name(k->direction) },
			{ "trigger", svmtrace_trigger_name(k->trigger) },
			{ "path", svmtrace_path_name(k->path) },
			{ "device", device },
		};

		if (k->stage != SVMTRACE_STAGE_TOTAL)
			continue;
		snprintf(device, sizeof(device), "%u", k->device);
		latency_series(out, "svmtrace_migration_duration_seconds", l, 4, &s->hists[i].hist);
	}
}

/* A counter family with one label taking the names of @count enum values. */
static void counter_by(FILE *out, const char *name, const char *help, const char *label,
		       const char *(*name_of)(unsigned int), const uint64_t *values,
		       unsigned int count)
{
	unsigned int i;

	family(out, name, "counter", help);
	for (i = 0; i < count; i++) {
		struct label l = { label, name_of(i) };

		sample_u64(out, name, &l, 1, values[i]);
	}
}

static void counter_families(FILE *out, const struct svmtrace_prom_snapshot *s)
{
	const uint64_t *c = s->counters;
	int64_t iova_now = (int64_t)c[SVMTRACE_CNT_IOVA_NOW];
	unsigned int i;

	family(out, "svmtrace_migrations_total", "counter", "Migrations that ended, any result.");
	sample_u64(out, "svmtrace_migrations_total", NULL, 0, c[SVMTRACE_CNT_MIGRATIONS]);
	family(out, "svmtrace_migrations_failed_total", "counter",
	       "Migrations that ended with an error (-EBUSY included).");
	sample_u64(out, "svmtrace_migrations_failed_total", NULL, 0, c[SVMTRACE_CNT_MIGRATIONS_FAILED]);
	counter_by(out, "svmtrace_migrated_pages_total", "Pages migrated, per direction.",
		   "direction", svmtrace_direction_name, &c[SVMTRACE_CNT_PAGES_DIR0], 4);
	counter_by(out, "svmtrace_migrated_bytes_total", "Bytes migrated, per direction.",
		   "direction", svmtrace_direction_name, &c[SVMTRACE_CNT_BYTES_DIR0], 4);
	counter_by(out, "svmtrace_map_calls_total",
		   "Map stages per DMA map path (iova: one IOVA range, page: dma_map_page per page).",
		   "path", svmtrace_path_name, &c[SVMTRACE_CNT_PATH0], 4);
	family(out, "svmtrace_iova_allocations_total", "counter",
	       "IOVA ranges allocated for a migration's map stage.");
	sample_u64(out, "svmtrace_iova_allocations_total", NULL, 0, c[SVMTRACE_CNT_IOVA_REASON0]);
	family(out, "svmtrace_iova_fallbacks_total", "counter",
	       "Map stages that fell back to the page path, per reason.");
	for (i = SVM_PAGEMAP_IOVA_OK + 1; i < SVM_PAGEMAP_IOVA_COUNT; i++) {
		struct label l = { "reason", svmtrace_iova_reason_name(i) };

		sample_u64(out, "svmtrace_iova_fallbacks_total", &l, 1, c[SVMTRACE_CNT_IOVA_REASON0 + i]);
	}
	family(out, "svmtrace_retries_total", "counter",
	       "Device-fault migrations retried, per reason (busy: fewer pages collected than asked).");
	{
		struct label l = { "reason", svmtrace_retry_reason_name(SVM_PAGEMAP_RETRY_BUSY) };

		sample_u64(out, "svmtrace_retries_total", &l, 1,
			   c[SVMTRACE_CNT_RETRY0 + SVM_PAGEMAP_RETRY_BUSY]);
	}
	family(out, "svmtrace_eviction_retries_total", "counter",
	       "Eviction attempts that left the allocation attached, per reason.");
	for (i = SVM_PAGEMAP_RETRY_NOT_DETACHED; i < SVM_PAGEMAP_RETRY_COUNT; i++) {
		struct label l = { "reason", svmtrace_retry_reason_name(i) };

		sample_u64(out, "svmtrace_eviction_retries_total", &l, 1, c[SVMTRACE_CNT_EVICT_RETRY0 + i]);
	}
	family(out, "svmtrace_timeslice_holds_total", "counter",
	       "CPU faults on device pages held back by the allocation's timeslice.");
	sample_u64(out, "svmtrace_timeslice_holds_total", NULL, 0, c[SVMTRACE_CNT_TIMESLICE_HOLDS]);
	family(out, "svmtrace_pingpong_ranges_total", "counter",
	       "Ranges moved to a device and back more than K times within the ping-pong window.");
	sample_u64(out, "svmtrace_pingpong_ranges_total", NULL, 0, c[SVMTRACE_CNT_PINGPONG_RANGES]);

	/* An exporter started while ranges were held sees frees without
	 * their allocations: the difference can dip below zero. */
	family(out, "svmtrace_iova_in_use_bytes", "gauge",
	       "IOVA space held by migrations now (allocated since the exporter started, not yet freed).");
	sample_u64(out, "svmtrace_iova_in_use_bytes", NULL, 0, iova_now > 0 ? (uint64_t)iova_now : 0);
	family(out, "svmtrace_iova_peak_bytes", "gauge", "Highest IOVA space in use seen.");
	sample_u64(out, "svmtrace_iova_peak_bytes", NULL, 0, c[SVMTRACE_CNT_IOVA_PEAK]);

	family(out, "svmtrace_events_total", "counter", "svm_pagemap tracepoint hits, per event.");
	for (i = 0; i < SVMTRACE_EV_MAX; i++) {
		struct label l = { "event", svmtrace_event_name(i) };

		sample_u64(out, "svmtrace_events_total", &l, 1, s->events[i]);
	}
}

static void device_families(FILE *out, const struct svmtrace_prom_snapshot *s)
{
	char device[24];
	unsigned int dir;
	size_t d;

	family(out, "svmtrace_device_migrations_total", "counter",
	       "Migrations into or out of a device that ended.");
	for (d = 0; d < s->n_devices; d++) {
		struct label l = { "device", device };

		snprintf(device, sizeof(device), "%zu", d);
		sample_u64(out, "svmtrace_device_migrations_total", &l, 1, s->devices[d].migrations);
	}
	family(out, "svmtrace_device_migrated_bytes_total", "counter",
	       "Bytes migrated into or out of a device, per direction.");
	for (d = 0; d < s->n_devices; d++) {
		for (dir = 0; dir < SVM_PAGEMAP_DIR_COUNT; dir++) {
			struct label l[] = { { "device", device },
					     { "direction", svmtrace_direction_name(dir) } };

			snprintf(device, sizeof(device), "%zu", d);
			sample_u64(out, "svmtrace_device_migrated_bytes_total", l, 2,
				   s->devices[d].pages[dir] * 4096);
		}
	}
	family(out, "svmtrace_device_retries_total", "counter", "Device-fault retries, per device.");
	for (d = 0; d < s->n_devices; d++) {
		struct label l = { "device", device };

		snprintf(device, sizeof(device), "%zu", d);
		sample_u64(out, "svmtrace_device_retries_total", &l, 1, s->devices[d].retries);
	}
	family(out, "svmtrace_device_timeslice_holds_total", "counter",
	       "Timeslice holds, per device.");
	for (d = 0; d < s->n_devices; d++) {
		struct label l = { "device", device };

		snprintf(device, sizeof(device), "%zu", d);
		sample_u64(out, "svmtrace_device_timeslice_holds_total", &l, 1,
			   s->devices[d].timeslice_holds);
	}
}

static void self_families(FILE *out, const struct svmtrace_prom_snapshot *s)
{
	struct label info[] = { { "programs", s->programs ? s->programs : "unknown" },
				{ "source", s->source ? s->source : "unknown" } };
	size_t i;

	family(out, "svmtrace_exporter_info", "gauge",
	       "Always 1; the labels say which source and BPF program flavour are attached.");
	sample_u64(out, "svmtrace_exporter_info", info, 2, 1);
	family(out, "svmtrace_exporter_bpf_run_seconds_total", "counter",
	       "Time svmtrace's BPF programs ran (kernel BPF stats; 0 where they are unavailable).");
	sample_double(out, "svmtrace_exporter_bpf_run_seconds_total", NULL, 0, s->bpf_run_ns / 1e9);
	family(out, "svmtrace_exporter_bpf_runs_total", "counter",
	       "Runs of svmtrace's BPF programs (kernel BPF stats).");
	sample_u64(out, "svmtrace_exporter_bpf_runs_total", NULL, 0, s->bpf_run_cnt);
	family(out, "svmtrace_exporter_bpf_stats_enabled", "gauge",
	       "1 when the kernel's BPF run-time statistics are on, so the BPF run metrics move.");
	sample_u64(out, "svmtrace_exporter_bpf_stats_enabled", NULL, 0, s->bpf_stats);
	family(out, "svmtrace_exporter_bpf_missed_events_total", "counter",
	       "Tracepoint hits a BPF program skipped because it was already running on that CPU "
	       "(kernel recursion protection): events not aggregated.");
	for (i = 0; i < s->n_missed; i++) {
		struct label l = { "event", s->missed[i].event };

		sample_u64(out, "svmtrace_exporter_bpf_missed_events_total", &l, 1, s->missed[i].missed);
	}
	family(out, "svmtrace_exporter_keys_overflowed_total", "counter",
	       "Histogram updates dropped because the histogram map was full.");
	sample_u64(out, "svmtrace_exporter_keys_overflowed_total", NULL, 0,
		   s->counters[SVMTRACE_CNT_KEYS_OVERFLOW]);
	family(out, "svmtrace_exporter_histogram_keys", "gauge", "Latency histograms held in the kernel.");
	sample_u64(out, "svmtrace_exporter_histogram_keys", NULL, 0, s->n_hists);
	family(out, "svmtrace_exporter_histogram_keys_max", "gauge",
	       "Key cap of the histogram map (--max-keys).");
	sample_u64(out, "svmtrace_exporter_histogram_keys_max", NULL, 0, s->hist_keys_max);
	family(out, "svmtrace_exporter_collect_duration_seconds", "gauge",
	       "Time this exposition took to read the BPF maps.");
	sample_double(out, "svmtrace_exporter_collect_duration_seconds", NULL, 0, s->collect_seconds);
}

int svmtrace_prom_write(FILE *out, const struct svmtrace_prom_snapshot *s)
{
	latency_families(out, s);
	counter_families(out, s);
	device_families(out, s);
	self_families(out, s);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
