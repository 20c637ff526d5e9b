// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace hist: migration latency histograms per stage, aggregated in the
 * kernel, with percentiles read from log-linear buckets, plus the IOVA,
 * livelock and throughput counters of the same window.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "svmtrace_cli.h"
#include "svmtrace_histo.h"
#include "svmtrace.skel.h"

/* Dimensions a histogram can be keyed by (--by). */
enum hist_dim { DIM_STAGE, DIM_DIRECTION, DIM_TRIGGER, DIM_PATH, DIM_DEVICE, DIM_PID, DIM_CGROUP, DIM_MAX };
static const char *const dim_names[DIM_MAX] = {
	"stage", "direction", "trigger", "path", "device", "pid", "cgroup",
};

enum hist_view { VIEW_SUMMARY, VIEW_LOG2, VIEW_FINE };

struct hist_options {
	struct svmtrace_session_opts session;
	bool by[DIM_MAX];
	int stage;		/* -1: all */
	double interval;
	long count;		/* intervals; -1: until interrupted */
	char **command;
	bool json;
	enum hist_view view;
	const char *unit;
	double unit_ns;
	const char *output;
};

struct hist_entry {
	struct svmtrace_hist_key key;
	struct svmtrace_hist hist;
};

static const char hist_doc[] =
	"Migration latency histograms per stage, aggregated in the kernel.\n"
	"Collects around COMMAND, every INTERVAL seconds (COUNT times), or until Ctrl-C.\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtrace hist -- svmbench roundtrip     # stages of one run\n"
	"    svmtrace hist 1 10                      # ten 1-second windows\n"
	"    svmtrace hist -S map --by stage,path    # the map stage, IOVA vs page path\n"
	"    svmtrace hist --log2 -m -D to_ram       # log2 view in ms, CPU faults only\n"
	"    svmtrace hist --by stage,pid -j -- ./app  # per process, JSON\n";

enum { OPT_LOG2 = 1000, OPT_FINE, OPT_MAX_KEYS, OPT_BY, OPT_RAW_TP, OPT_PP_K, OPT_PP_MS };

static const struct argp_option hist_argp_options[] = {
	{ "by", OPT_BY, "DIMS", 0, "key histograms by DIMS, comma-separated from stage, direction, "
	  "trigger, path, device, pid, cgroup (default stage,direction,path)", 0 },
	{ "stage", 'S', "STAGE", 0, "only STAGE: collect, populate, map, copy, finalize, unmap, total", 0 },
	{ "direction", 'D', "DIR", 0, "only DIR: to_dev, to_ram, evict, peer", 0 },
	{ "device", 'd', "N", 0, "only software device N", 0 },
	{ "pid", 'p', "PID", 0, "only process PID", 0 },
	{ "cgroup", 'c', "PATH", 0, "only the cgroup at PATH (cgroup2)", 0 },
	{ "milliseconds", 'm', NULL, 0, "print times in ms", 0 },
	{ "microseconds", 'u', NULL, 0, "print times in us (default)", 0 },
	{ "nanoseconds", 'n', NULL, 0, "print times in ns", 0 },
	{ "log2", OPT_LOG2, NULL, 0, "draw log2 histograms", 0 },
	{ "fine", OPT_FINE, NULL, 0, "list the fine (log-linear) buckets", 0 },
	{ "json", 'j', NULL, 0, "print JSON", 0 },
	{ "output", 'o', "FILE", 0, "write to FILE instead of stdout", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0, "cap on histogram keys in the kernel (default 1024)", 0 },
	{ "pingpong-k", OPT_PP_K, "K", 0, "round trips that make a range ping-pong (default 3)", 0 },
	{ "pingpong-ms", OPT_PP_MS, "MS", 0, "... within MS milliseconds (default 1000)", 0 },
	{ "raw-tp", OPT_RAW_TP, NULL, 0, "attach the raw_tp programs even where module BTF exists", 0 },
	{ "verbose", 'v', NULL, 0, "show libbpf's messages", 0 },
	{},
};

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int parse_by(struct hist_options *o, char *arg)
{
	char *save = NULL, *tok;
	int d;

	memset(o->by, 0, sizeof(o->by));
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (d = 0; d < DIM_MAX; d++)
			if (!strcmp(tok, dim_names[d]))
				break;
		if (d == DIM_MAX)
			return -1;
		o->by[d] = true;
	}
	return 0;
}

static error_t hist_parse(int key, char *arg, struct argp_state *state)
{
	struct hist_options *o = state->input;
	uint64_t v;
	char *end;

	switch (key) {
	case OPT_BY: {
		char copy[128];

		snprintf(copy, sizeof(copy), "%s", arg);
		if (parse_by(o, copy))
			argp_error(state, "invalid --by '%s': use stage, direction, trigger, path, "
				   "device, pid, cgroup", arg);
		break;
	}
	case 'S':
		o->stage = svmtrace_parse_stage(arg);
		if (o->stage < 0)
			argp_error(state, "unknown stage '%s'", arg);
		break;
	case 'D': {
		int dir = svmtrace_parse_direction(arg);

		if (dir < 0)
			argp_error(state, "unknown direction '%s': to_dev, to_ram, evict or peer", arg);
		o->session.direction = dir;
		break;
	}
	case 'd':
		if (parse_u64(arg, 255, &v))
			argp_error(state, "invalid device '%s'", arg);
		o->session.device = v;
		break;
	case 'p':
		if (parse_u64(arg, UINT32_MAX, &v) || !v)
			argp_error(state, "invalid pid '%s'", arg);
		o->session.pid = v;
		break;
	case 'c':
		o->session.cgroup = svmtrace_cgroup_id(arg);
		if (!o->session.cgroup)
			argp_error(state, "cannot use cgroup '%s': %s", arg, strerror(errno));
		break;
	case 'm':
		o->unit = "ms";
		o->unit_ns = 1e6;
		break;
	case 'u':
		o->unit = "us";
		o->unit_ns = 1e3;
		break;
	case 'n':
		o->unit = "ns";
		o->unit_ns = 1;
		break;
	case OPT_LOG2:
		o->view = VIEW_LOG2;
		break;
	case OPT_FINE:
		o->view = VIEW_FINE;
		break;
	case 'j':
		o->json = true;
		break;
	case 'o':
		o->output = arg;
		break;
	case OPT_MAX_KEYS:
		if (parse_u64(arg, 1 << 20, &v) || !v)
			argp_error(state, "invalid --max-keys '%s' (1-1048576)", arg);
		o->session.max_keys = v;
		break;
	case OPT_PP_K:
		if (parse_u64(arg, 1 << 20, &v) || !v)
			argp_error(state, "invalid --pingpong-k '%s'", arg);
		o->session.pingpong_k = v;
		break;
	case OPT_PP_MS:
		if (parse_u64(arg, 3600000, &v) || !v)
			argp_error(state, "invalid --pingpong-ms '%s'", arg);
		o->session.pingpong_ms = v;
		break;
	case OPT_RAW_TP:
		svmtrace_force_raw_tp = true;
		break;
	case 'v':
		svmtrace_verbose = true;
		break;
	case ARGP_KEY_ARG:
		/* Positional: [interval [count]] unless a command follows "--". */
		if (state->arg_num == 0) {
			errno = 0;
			o->interval = strtod(arg, &end);
			if (errno || *end || !(o->interval > 0) || o->interval > 1e6)
				argp_error(state, "invalid interval '%s': want seconds > 0", arg);
		} else if (state->arg_num == 1) {
			if (parse_u64(arg, 1 << 30, &v) || !v)
				argp_error(state, "invalid count '%s'", arg);
			o->count = v;
		} else {
			argp_error(state, "unexpected argument '%s' (a command goes after --)", arg);
		}
		break;
	case ARGP_KEY_END:
		if (o->command && o->interval > 0)
			argp_error(state, "give either an interval or a command, not both");
		if (o->by[DIM_PID])
			o->session.per_pid = true;
		if (o->by[DIM_CGROUP])
			o->session.per_cgroup = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Keep the dimensions asked for; the rest are merged away. */
static void project_key(const struct hist_options *o, struct svmtrace_hist_key *k)
{
	if (!o->by[DIM_STAGE])
		k->stage = SVMTRACE_ALL;
	if (!o->by[DIM_DIRECTION])
		k->direction = SVMTRACE_ALL;
	if (!o->by[DIM_TRIGGER])
		k->trigger = SVMTRACE_ALL;
	if (!o->by[DIM_PATH])
		k->path = SVMTRACE_ALL;
	if (!o->by[DIM_DEVICE])
		k->device = SVMTRACE_ALL;
	if (!o->by[DIM_PID])
		k->pid = 0;
	if (!o->by[DIM_CGROUP])
		k->cgroup = 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct svmtrace_hist_key *x = &((const struct hist_entry *)a)->key;
	const struct svmtrace_hist_key *y = &((const struct hist_entry *)b)->key;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->cgroup != y->cgroup)
		return x->cgroup < y->cgroup ? -1 : 1;
	if (x->device != y->device)
		return x->device < y->device ? -1 : 1;
	if (x->direction != y->direction)
		return x->direction < y->direction ? -1 : 1;
	if (x->trigger != y->trigger)
		return x->trigger < y->trigger ? -1 : 1;
	if (x->path != y->path)
		return x->path < y->path ? -1 : 1;
	if (x->stage != y->stage)
		return x->stage < y->stage ? -1 : 1;
	return 0;
}

struct collect_ctx {
	const struct hist_options *o;
	struct hist_entry *entries;
	size_t n, cap;
	int err;
};

static void collect_one(const struct svmtrace_hist_key *raw, const struct svmtrace_hist *h, void *arg)
{
	struct collect_ctx *c = arg;
	struct svmtrace_hist_key key = *raw;
	struct hist_entry *e;
	size_t i;

	if (c->err || (c->o->stage >= 0 && key.stage != (uint32_t)c->o->stage))
		return;
	project_key(c->o, &key);
	for (i = 0; i < c->n; i++)
		if (!memcmp(&c->entries[i].key, &key, sizeof(key)))
			break;
	if (i == c->n) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			e = realloc(c->entries, c->cap * sizeof(*e));
			if (!e) {
				c->err = -ENOMEM;
				return;
			}
			c->entries = e;
		}
		memset(&c->entries[i], 0, sizeof(c->entries[i]));
		c->entries[i].key = key;
		c->n++;
	}
	svmtrace_histo_merge(&c->entries[i].hist, h);
}

/*
 * Read every kernel histogram, project its key to the --by dimensions and
 * merge equal keys.  Returns the number of entries in *out (sorted), or a
 * negative errno.
 */
static int collect_hists(struct svmtrace_session *s, const struct hist_options *o,
			 struct hist_entry **out)
{
	struct collect_ctx c = { .o = o };
	int err = svmtrace_for_each_hist(s, collect_one, &c);

	if (err || c.err) {
		free(c.entries);
		return err ? err : c.err;
	}
	qsort(c.entries, c.n, sizeof(*c.entries), key_cmp);
	*out = c.entries;
	return (int)c.n;
}

static void describe_key(const struct svmtrace_hist_key *k, char *buf, size_t len)
{
	size_t off = 0;

#define KEY_PART(cond, fmt, ...) \
	do { if (cond) off += snprintf(buf + off, off < len ? len - off : 0, fmt, __VA_ARGS__); } while (0)
	KEY_PART(k->stage != SVMTRACE_ALL, "stage=%s ", svmtrace_stage_name(k->stage));
	KEY_PART(k->direction != SVMTRACE_ALL, "direction=%s ", svmtrace_direction_name(k->direction));
	KEY_PART(k->trigger != SVMTRACE_ALL, "trigger=%s ", svmtrace_trigger_name(k->trigger));
	KEY_PART(k->path != SVMTRACE_ALL, "path=%s ", svmtrace_path_name(k->path));
	KEY_PART(k->device != SVMTRACE_ALL, "device=%u ", k->device);
	KEY_PART(k->pid, "pid=%u ", k->pid);
	KEY_PART(k->cgroup, "cgroup=%llu ", (unsigned long long)k->cgroup);
#undef KEY_PART
	if (off && off <= len)
		buf[off - 1] = '\0';
	else if (!off)
		snprintf(buf, len, "all");
}

static const double summary_pcts[] = { 50, 90, 99, 99.9 };
static const char *const summary_json_names[] = { "p50_ns", "p90_ns", "p99_ns", "p999_ns" };

static void print_stars(FILE *out, uint64_t val, uint64_t max, int width)
{
	int n = max ? (int)((double)val * width / (double)max + 0.5) : 0, i;

	for (i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', out);
}

static void print_entry_plain(FILE *out, const struct hist_options *o, const struct hist_entry *e)
{
	const struct svmtrace_hist *h = &e->hist;
	char name[192];
	unsigned int i;

	describe_key(&e->key, name, sizeof(name));
	fprintf(out, "\n%s\n", name);
	if (o->view == VIEW_LOG2) {
		uint64_t slots[SVMTRACE_LOG2_SLOTS], max = 0;
		int first = -1, last = -1;

		svmtrace_histo_log2(h, slots);
		for (i = 0; i < SVMTRACE_LOG2_SLOTS; i++) {
			if (!slots[i])
				continue;
			if (first < 0)
				first = i;
			last = i;
			if (slots[i] > max)
				max = slots[i];
		}
		fprintf(out, "%24s : %-10s |%-40s|\n", "ns", "count", "distribution");
		for (i = first < 0 ? 0 : first; (int)i <= last; i++) {
			uint64_t lo = i ? 1ull << (i - 1) : 0, hi = i ? (1ull << i) - 1 : 0;

			fprintf(out, "%11llu -> %-10llu : %-10llu |", (unsigned long long)lo,
				(unsigned long long)hi, (unsigned long long)slots[i]);
			print_stars(out, slots[i], max, 40);
			fprintf(out, "|\n");
		}
	} else if (o->view == VIEW_FINE) {
		fprintf(out, "%24s : %s\n", "ns", "count");
		for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++)
			if (h->slots[i])
				fprintf(out, "%11llu -> %-10llu : %llu\n",
					(unsigned long long)svmtrace_hist_lower(i),
					(unsigned long long)(svmtrace_hist_lower(i) + svmtrace_hist_width(i) - 1),
					(unsigned long long)h->slots[i]);
	}
	fprintf(out, "  count %llu  avg %.3f%s", (unsigned long long)h->count,
		h->count ? (double)h->sum / h->count / o->unit_ns : 0.0, o->unit);
	for (i = 0; i < sizeof(summary_pcts) / sizeof(summary_pcts[0]); i++)
		fprintf(out, "  p%g %.3f%s", summary_pcts[i],
			svmtrace_histo_percentile(h, summary_pcts[i]) / o->unit_ns, o->unit);
	fprintf(out, "  max %.3f%s\n", (double)h->max / o->unit_ns, o->unit);
}

static void print_counters_plain(FILE *out, const uint64_t *c)
{
	unsigned int i;

	fprintf(out, "\nmigrations %llu (failed %llu)\n", (unsigned long long)c[SVMTRACE_CNT_MIGRATIONS],
		(unsigned long long)c[SVMTRACE_CNT_MIGRATIONS_FAILED]);
	fprintf(out, "throughput:");
	for (i = 0; i < 4; i++)
		fprintf(out, "  %s %llu pages / %llu bytes", svmtrace_direction_name(i),
			(unsigned long long)c[SVMTRACE_CNT_PAGES_DIR0 + i],
			(unsigned long long)c[SVMTRACE_CNT_BYTES_DIR0 + i]);
	fprintf(out, "\nmap paths:");
	for (i = 0; i < 4; i++)
		fprintf(out, "  %s %llu", svmtrace_path_name(i), (unsigned long long)c[SVMTRACE_CNT_PATH0 + i]);
	fprintf(out, "\niova: in use %llu bytes, peak %llu bytes; allocations:",
		(unsigned long long)c[SVMTRACE_CNT_IOVA_NOW], (unsigned long long)c[SVMTRACE_CNT_IOVA_PEAK]);
	for (i = 0; i < 5; i++)
		fprintf(out, "  %s %llu", svmtrace_iova_reason_name(i),
			(unsigned long long)c[SVMTRACE_CNT_IOVA_REASON0 + i]);
	fprintf(out, "\nlivelock: timeslice holds %llu, ping-pong ranges %llu, retries:",
		(unsigned long long)c[SVMTRACE_CNT_TIMESLICE_HOLDS],
		(unsigned long long)c[SVMTRACE_CNT_PINGPONG_RANGES]);
	for (i = 0; i < 3; i++)
		fprintf(out, "  %s %llu", svmtrace_retry_reason_name(i),
			(unsigned long long)c[SVMTRACE_CNT_RETRY0 + i]);
	fprintf(out, "; evict retries:");
	for (i = 0; i < 3; i++)
		fprintf(out, "  %s %llu", svmtrace_retry_reason_name(i),
			(unsigned long long)c[SVMTRACE_CNT_EVICT_RETRY0 + i]);
	fprintf(out, "\n");
	if (c[SVMTRACE_CNT_KEYS_OVERFLOW])
		fprintf(out, "warning: %llu updates dropped: histogram key cap reached (raise --max-keys)\n",
			(unsigned long long)c[SVMTRACE_CNT_KEYS_OVERFLOW]);
}

static json_object *json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *entry_json(const struct hist_options *o, const struct hist_entry *e)
{
	const struct svmtrace_hist *h = &e->hist;
	const struct svmtrace_hist_key *k = &e->key;
	json_object *j = json_object_new_object(), *buckets = json_object_new_array();
	uint64_t slots[SVMTRACE_LOG2_SLOTS];
	json_object *log2 = json_object_new_array();
	unsigned int i;

	if (k->stage != SVMTRACE_ALL)
		json_object_object_add(j, "stage", json_object_new_string(svmtrace_stage_name(k->stage)));
	if (k->direction != SVMTRACE_ALL)
		json_object_object_add(j, "direction",
				       json_object_new_string(svmtrace_direction_name(k->direction)));
	if (k->trigger != SVMTRACE_ALL)
		json_object_object_add(j, "trigger", json_object_new_string(svmtrace_trigger_name(k->trigger)));
	if (k->path != SVMTRACE_ALL)
		json_object_object_add(j, "path", json_object_new_string(svmtrace_path_name(k->path)));
	if (k->device != SVMTRACE_ALL)
		json_object_object_add(j, "device", json_object_new_int(k->device));
	if (o->by[DIM_PID])
		json_object_object_add(j, "pid", json_object_new_int64(k->pid));
	if (o->by[DIM_CGROUP])
		json_object_object_add(j, "cgroup", json_u64(k->cgroup));
	json_object_object_add(j, "count", json_u64(h->count));
	json_object_object_add(j, "sum_ns", json_u64(h->sum));
	json_object_object_add(j, "max_ns", json_u64(h->max));
	for (i = 0; i < sizeof(summary_pcts) / sizeof(summary_pcts[0]); i++)
		json_object_object_add(j, summary_json_names[i],
				       json_object_new_double(svmtrace_histo_percentile(h, summary_pcts[i])));
	/* Fine buckets as [lower_ns, upper_ns, count], non-empty only. */
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++) {
		json_object *b;

		if (!h->slots[i])
			continue;
		b = json_object_new_array();
		json_object_array_add(b, json_u64(svmtrace_hist_lower(i)));
		json_object_array_add(b, json_u64(svmtrace_hist_lower(i) + svmtrace_hist_width(i) - 1));
		json_object_array_add(b, json_u64(h->slots[i]));
		json_object_array_add(buckets, b);
	}
	json_object_object_add(j, "buckets", buckets);
	svmtrace_histo_log2(h, slots);
	for (i = 0; i < SVMTRACE_LOG2_SLOTS; i++)
		json_object_array_add(log2, json_u64(slots[i]));
	json_object_object_add(j, "log2", log2);
	return j;
}

static json_object *counters_json(const uint64_t *c)
{
	json_object *j = json_object_new_object(), *sub;
	unsigned int i;

	json_object_object_add(j, "migrations", json_u64(c[SVMTRACE_CNT_MIGRATIONS]));
	json_object_object_add(j, "migrations_failed", json_u64(c[SVMTRACE_CNT_MIGRATIONS_FAILED]));
	sub = json_object_new_object();
	for (i = 0; i < 4; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "pages", json_u64(c[SVMTRACE_CNT_PAGES_DIR0 + i]));
		json_object_object_add(d, "bytes", json_u64(c[SVMTRACE_CNT_BYTES_DIR0 + i]));
		json_object_object_add(sub, svmtrace_direction_name(i), d);
	}
	json_object_object_add(j, "throughput", sub);
	sub = json_object_new_object();
	for (i = 0; i < 4; i++)
		json_object_object_add(sub, svmtrace_path_name(i), json_u64(c[SVMTRACE_CNT_PATH0 + i]));
	json_object_object_add(j, "map_paths", sub);
	sub = json_object_new_object();
	json_object_object_add(sub, "in_use_bytes", json_u64(c[SVMTRACE_CNT_IOVA_NOW]));
	json_object_object_add(sub, "peak_bytes", json_u64(c[SVMTRACE_CNT_IOVA_PEAK]));
	for (i = 0; i < 5; i++)
		json_object_object_add(sub, svmtrace_iova_reason_name(i),
				       json_u64(c[SVMTRACE_CNT_IOVA_REASON0 + i]));
	json_object_object_add(j, "iova", sub);
	sub = json_object_new_object();
	json_object_object_add(sub, "timeslice_holds", json_u64(c[SVMTRACE_CNT_TIMESLICE_HOLDS]));
	json_object_object_add(sub, "pingpong_ranges", json_u64(c[SVMTRACE_CNT_PINGPONG_RANGES]));
	for (i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "retries_%s", svmtrace_retry_reason_name(i));
		json_object_object_add(sub, name, json_u64(c[SVMTRACE_CNT_RETRY0 + i]));
		snprintf(name, sizeof(name), "evict_retries_%s", svmtrace_retry_reason_name(i));
		json_object_object_add(sub, name, json_u64(c[SVMTRACE_CNT_EVICT_RETRY0 + i]));
	}
	json_object_object_add(j, "livelock", sub);
	json_object_object_add(j, "keys_overflowed", json_u64(c[SVMTRACE_CNT_KEYS_OVERFLOW]));
	return j;
}

static int report_window(FILE *out, struct svmtrace_session *s, const struct hist_options *o,
			 double seconds)
{
	uint64_t counters[SVMTRACE_CNT_MAX], events[SVMTRACE_EV_MAX];
	struct hist_entry *entries = NULL;
	int n, i, err;

	n = collect_hists(s, o, &entries);
	if (n < 0)
		return n;
	err = svmtrace_read_counters(s, counters);
	if (!err)
		err = svmtrace_read_event_counts(s, events);
	if (err) {
		free(entries);
		return err;
	}
	if (o->json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();
		json_object *ev = json_object_new_object();
		unsigned int e;

		json_object_object_add(root, "seconds", json_object_new_double(seconds));
		json_object_object_add(root, "programs",
				       json_object_new_string(s->raw_tp ? "raw_tp" : "tp_btf"));
		for (i = 0; i < n; i++)
			json_object_array_add(arr, entry_json(o, &entries[i]));
		json_object_object_add(root, "histograms", arr);
		json_object_object_add(root, "counters", counters_json(counters));
		for (e = 0; e < SVMTRACE_EV_MAX; e++)
			json_object_object_add(ev, svmtrace_event_name(e), json_u64(events[e]));
		json_object_object_add(root, "events", ev);
		fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		fprintf(out, "svm_pagemap migration latency over %.3f s (%s programs, times in %s)\n",
			seconds, s->raw_tp ? "raw_tp" : "tp_btf", o->unit);
		if (!n)
			fprintf(out, "\nno migrations\n");
		for (i = 0; i < n; i++)
			print_entry_plain(out, o, &entries[i]);
		print_counters_plain(out, counters);
	}
	fflush(out);
	free(entries);
	return 0;
}

int svmtrace_cmd_hist(int argc, char **argv)
{
	static const struct argp argp = {
		.options = hist_argp_options,
		.parser = hist_parse,
		.args_doc = "[INTERVAL [COUNT]] | [-- COMMAND [ARG...]]",
		.doc = hist_doc,
	};
	struct hist_options o = {
		.session = SVMTRACE_SESSION_OPTS_DEFAULT,
		.stage = -1,
		.count = -1,
		.unit = "us",
		.unit_ns = 1e3,
	};
	struct svmtrace_session s;
	FILE *out = stdout;
	int err, status = 0;
	double start;

	int i;

	o.by[DIM_STAGE] = o.by[DIM_DIRECTION] = o.by[DIM_PATH] = true;
	/* Everything after "--" is the command, never interval or count. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (i + 1 < argc)
				o.command = argv + i + 1;
			argv[i] = NULL;
			argc = i;
			break;
		}
	}
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	if (o.output) {
		out = fopen(o.output, "w");
		if (!out) {
			fprintf(stderr, "svmtrace hist: cannot write '%s': %s\n", o.output, strerror(errno));
			return 2;
		}
	}
	err = svmtrace_session_open(&s, &o.session);
	if (err)
		goto out_close;
	svmtrace_catch_signals();

	if (o.interval > 0) {
		long done = 0;

		while (o.count < 0 || done < o.count) {
			start = svmtrace_now();
			if (!svmtrace_sleep(o.interval) && !done)
				o.count = done + 1;	/* interrupted: report this window and stop */
			err = report_window(out, &s, &o, svmtrace_now() - start);
			if (err)
				break;
			svmtrace_reset_hists(&s);
			done++;
			if (svmtrace_interrupted)
				break;
		}
	} else {
		start = svmtrace_now();
		status = svmtrace_window(o.command, 0);
		err = report_window(out, &s, &o, svmtrace_now() - start);
	}
	if (err)
		fprintf(stderr, "svmtrace hist: reading the BPF maps failed: %s\n", strerror(-err));
	svmtrace_session_close(&s);
out_close:
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "svmtrace hist: writing '%s' failed: %s\n", o.output, strerror(errno));
		err = err ? err : -EIO;
	}
	if (err)
		return 1;
	return o.command ? status : 0;
}
