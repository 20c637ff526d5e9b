// SPDX-License-Identifier: GPL-2.0
/*
 * Printing latency histograms, the same for svmtrace hist and svmtrace
 * report: per key a summary line (count, avg, p50/p90/p99, max) over its
 * distribution drawn as log2 bars, as bcc's tools and bpftrace's hist()
 * draw them, or as bars of the fine buckets; or, with --table, the summary
 * lines alone (with p99.9, and for an entry that holds every value, as
 * report's do, the bucket estimates next to its exact percentiles); or one
 * JSON object per key, the same whatever the view.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svmtrace_names.h"
#include "svmtrace_histogram.h"
#include "svmtrace_render.h"

static const char *const dim_names[SVMTRACE_DIM_MAX] = {
	"stage", "direction", "trigger", "path", "device", "pid", "cgroup",
};

enum { OPT_BY = 1100, OPT_LOG2, OPT_FINE, OPT_TABLE };

static const struct argp_option render_options[] = {
	{ "by", OPT_BY, "DIMS", 0, "key histograms by DIMS, comma-separated from stage, direction, "
	  "trigger, path, device, pid, cgroup (default stage,direction,path)", 0 },
	{ "milliseconds", 'm', NULL, 0, "print times in ms", 0 },
	{ "microseconds", 'u', NULL, 0, "print times in us (default)", 0 },
	{ "nanoseconds", 'n', NULL, 0, "print times in ns", 0 },
	{ "log2", OPT_LOG2, NULL, 0, "draw log2 bars under each summary line (the default)", 0 },
	{ "fine", OPT_FINE, NULL, 0, "draw the non-empty fine (log-linear) buckets instead", 0 },
	{ "table", OPT_TABLE, NULL, 0, "no bars: one summary line per key, with p99.9 (the last "
	  "of --log2, --fine, --table wins)", 0 },
	{ "json", 'j', NULL, 0, "print JSON", 0 },
	{},
};

static int parse_by(struct svmtrace_render_opts *o, char *arg)
{
	char *save = NULL, *tok;
	int d;

	memset(o->by, 0, sizeof(o->by));
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (d = 0; d < SVMTRACE_DIM_MAX; d++)
			if (!strcmp(tok, dim_names[d]))
				break;
		if (d == SVMTRACE_DIM_MAX)
			return -1;
		o->by[d] = true;
	}
	return 0;
}

static error_t render_parse(int key, char *arg, struct argp_state *state)
{
	struct svmtrace_render_opts *o = state->input;

	switch (key) {
	case OPT_BY: {
		char copy[128];

		snprintf(copy, sizeof(copy), "%s", arg);
		if (parse_by(o, copy))
			argp_error(state, "invalid --by '%s': use stage, direction, trigger, path, "
				   "device, pid, cgroup", arg);
		break;
	}
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
		o->view = SVMTRACE_VIEW_LOG2;
		break;
	case OPT_FINE:
		o->view = SVMTRACE_VIEW_FINE;
		break;
	case OPT_TABLE:
		o->view = SVMTRACE_VIEW_TABLE;
		break;
	case 'j':
		o->json = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp svmtrace_render_argp = {
	.options = render_options,
	.parser = render_parse,
};

/* Keep the dimensions asked for; the rest are merged away. */
void svmtrace_project_key(const struct svmtrace_render_opts *o, struct svmtrace_hist_key *k)
{
	if (!o->by[SVMTRACE_DIM_STAGE])
		k->stage = SVMTRACE_ALL;
	if (!o->by[SVMTRACE_DIM_DIRECTION])
		k->direction = SVMTRACE_ALL;
	if (!o->by[SVMTRACE_DIM_TRIGGER])
		k->trigger = SVMTRACE_ALL;
	if (!o->by[SVMTRACE_DIM_PATH])
		k->path = SVMTRACE_ALL;
	if (!o->by[SVMTRACE_DIM_DEVICE])
		k->device = SVMTRACE_ALL;
	if (!o->by[SVMTRACE_DIM_PID])
		k->pid = 0;
	if (!o->by[SVMTRACE_DIM_CGROUP])
		k->cgroup = 0;
}

/* The order histograms are printed in: by process, cgroup, device, ..., stage. */
int svmtrace_hist_key_cmp(const struct svmtrace_hist_key *x, const struct svmtrace_hist_key *y)
{
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

static int key_cmp(const void *a, const void *b)
{
	return svmtrace_hist_key_cmp(&((const struct svmtrace_hist_entry *)a)->key,
				     &((const struct svmtrace_hist_entry *)b)->key);
}

void svmtrace_entries_sort(struct svmtrace_hist_entry *entries, size_t n)
{
	if (n)
		qsort(entries, n, sizeof(*entries), key_cmp);
}

void svmtrace_entries_free(struct svmtrace_hist_entry *entries, size_t n)
{
	size_t i;

	for (i = 0; i < n && entries; i++)
		free(entries[i].values);
	free(entries);
}

/* The entry for @key, appended (zeroed) when new; NULL when out of memory. */
struct svmtrace_hist_entry *svmtrace_entries_find(struct svmtrace_hist_entry **entries, size_t *n,
						  size_t *cap, const struct svmtrace_hist_key *key)
{
	struct svmtrace_hist_entry *e;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!memcmp(&(*entries)[i].key, key, sizeof(*key)))
			return &(*entries)[i];
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;

		e = realloc(*entries, ncap * sizeof(*e));
		if (!e)
			return NULL;
		*entries = e;
		*cap = ncap;
	}
	e = &(*entries)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->key = *key;
	return e;
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

const double svmtrace_summary_pcts[4] = { 50, 90, 99, 99.9 };
static const char *const summary_json_names[] = { "p50_ns", "p90_ns", "p99_ns", "p999_ns" };
static const char *const bucket_json_names[] = {
	"bucket_p50_ns", "bucket_p90_ns", "bucket_p99_ns", "bucket_p999_ns",
};
#define NPCTS (sizeof(svmtrace_summary_pcts) / sizeof(svmtrace_summary_pcts[0]))

/* Exact when the entry holds every value, else read from the buckets. */
double svmtrace_entry_percentile(const struct svmtrace_hist_entry *e, double pct)
{
	if (e->values)
		return svmtrace_exact_percentile(e->values, e->nvalues, pct);
	return svmtrace_histo_percentile(&e->hist, pct);
}

static void print_stars(FILE *out, uint64_t val, uint64_t max, int width)
{
	int n = max ? (int)((double)val * width / (double)max + 0.5) : 0, i;

	for (i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', out);
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* One row of bars: the values lo..hi (ns) were seen count times. */
struct bar_row {
	uint64_t lo, hi, count;
};

/*
 * Rows as bcc's print_log2_hist draws them, "lo -> hi : count |***|", but
 * with the columns sized to the widest label and count (the last bucket's
 * labels have 13 digits, 2^42 ns; a count up to 20) and the bar narrowed
 * by what they take, so that no row passes SVMTRACE_RENDER_COLS.
 */
static void print_bars(FILE *out, const struct bar_row *rows, unsigned int n)
{
	int lw = 10, cw = 8, bar;
	uint64_t max = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (digits(rows[i].hi) > lw)
			lw = digits(rows[i].hi);
		if (digits(rows[i].count) > cw)
			cw = digits(rows[i].count);
		if (rows[i].count > max)
			max = rows[i].count;
	}
	/* "lo -> hi : count |" and the closing "|" */
	bar = SVMTRACE_RENDER_COLS - (2 * lw + 4 + 3 + cw + 2 + 1);
	if (bar > 40)
		bar = 40;
	fprintf(out, "%*s%-*s : %-*s distribution\n", lw / 2, "", 2 * lw + 4 - lw / 2, "ns",
		cw, "count");
	for (i = 0; i < n; i++) {
		fprintf(out, "%*llu -> %-*llu : %-*llu |", lw, (unsigned long long)rows[i].lo,
			lw, (unsigned long long)rows[i].hi, cw, (unsigned long long)rows[i].count);
		print_stars(out, rows[i].count, max, bar);
		fputs("|\n", out);
	}
}

/*
 * The powers of two from the first non-empty one to the last, empty ones
 * between them kept so that the shape shows, as biolatency prints them
 * (though it also prints the empty ones from 0 up: in ns that would be a
 * dozen empty rows over every histogram).
 */
static void print_log2(FILE *out, const struct svmtrace_hist *h)
{
	uint64_t slots[SVMTRACE_LOG2_SLOTS];
	struct bar_row rows[SVMTRACE_LOG2_SLOTS];
	int first = -1, last = -1, i;
	unsigned int n = 0;

	svmtrace_histo_log2(h, slots);
	for (i = 0; i < SVMTRACE_LOG2_SLOTS; i++) {
		if (!slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
	}
	if (first < 0)
		return;
	for (i = first; i <= last; i++) {
		rows[n].lo = i ? 1ull << (i - 1) : 0;
		rows[n].hi = i ? (1ull << (i - 1)) * 2 - 1 : 0;
		rows[n++].count = slots[i];
	}
	print_bars(out, rows, n);
}

/*
 * The non-empty fine buckets only: 32 per power of two, so keeping the
 * empty ones between would make hundreds of rows of a wide distribution.
 */
static void print_fine(FILE *out, const struct svmtrace_hist *h)
{
	struct bar_row *rows;
	unsigned int i, n = 0;

	rows = malloc(SVMTRACE_HIST_BUCKETS * sizeof(*rows));
	if (!rows)
		return;
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++) {
		if (!h->slots[i])
			continue;
		rows[n].lo = svmtrace_hist_lower(i);
		rows[n].hi = svmtrace_hist_lower(i) + svmtrace_hist_width(i) - 1;
		rows[n++].count = h->slots[i];
	}
	if (n)
		print_bars(out, rows, n);
	free(rows);
}

/*
 * Four significant digits, in the unit asked for and, from 10000 of it up,
 * in the next larger one, so that the summary line over the bars keeps
 * inside 80 columns even in ns: a bucket percentile is only within 3%
 * anyway, and --table and -j keep every digit.
 */
static const char *fmt_time(char *buf, size_t len, double ns, const struct svmtrace_render_opts *o)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };
	const char *unit = o->unit;
	double v = ns / o->unit_ns;
	unsigned int i;
	int prec;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (units[i].ns < o->unit_ns)
			continue;
		if (ns / units[i].ns < 9999.5 || i == sizeof(units) / sizeof(units[0]) - 1) {
			/* the unit asked for, or the first one the value fits in 4 digits */
			if (units[i].ns != o->unit_ns) {
				unit = units[i].name;
				v = ns / units[i].ns;
			}
			break;
		}
	}
	prec = v >= 999.95 ? 0 : v >= 99.995 ? 1 : v >= 9.9995 ? 2 : 3;
	snprintf(buf, len, "%.*f%s", prec, v, unit);
	return buf;
}

/* The summary line over the bars: count, avg, p50, p90, p99, max. */
static void print_summary(FILE *out, const struct svmtrace_render_opts *o,
			  const struct svmtrace_hist_entry *e)
{
	static const double pcts[] = { 50, 90, 99 };
	const struct svmtrace_hist *h = &e->hist;
	char buf[48];
	unsigned int i;

	fprintf(out, "  count %llu", (unsigned long long)h->count);
	fprintf(out, "  avg %s", fmt_time(buf, sizeof(buf),
					 h->count ? (double)h->sum / h->count : 0.0, o));
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		fprintf(out, "  p%g %s", pcts[i],
			fmt_time(buf, sizeof(buf), svmtrace_entry_percentile(e, pcts[i]), o));
	fprintf(out, "  max %s\n", fmt_time(buf, sizeof(buf), (double)h->max, o));
}

/* --table: the line of every percentile, and report's bucket estimates under it. */
static void print_table_line(FILE *out, const struct svmtrace_render_opts *o,
			     const struct svmtrace_hist_entry *e)
{
	const struct svmtrace_hist *h = &e->hist;
	unsigned int i;

	fprintf(out, "  count %llu  avg %.3f%s", (unsigned long long)h->count,
		h->count ? (double)h->sum / h->count / o->unit_ns : 0.0, o->unit);
	for (i = 0; i < NPCTS; i++)
		fprintf(out, "  p%g %.3f%s", svmtrace_summary_pcts[i],
			svmtrace_entry_percentile(e, svmtrace_summary_pcts[i]) / o->unit_ns, o->unit);
	fprintf(out, "  max %.3f%s%s\n", (double)h->max / o->unit_ns, o->unit,
		e->values ? "  (exact)" : "");
	if (!e->values)
		return;
	fprintf(out, "  from buckets:");
	for (i = 0; i < NPCTS; i++)
		fprintf(out, "  p%g %.3f%s", svmtrace_summary_pcts[i],
			svmtrace_histo_percentile(h, svmtrace_summary_pcts[i]) / o->unit_ns, o->unit);
	fprintf(out, "\n");
}

void svmtrace_render_entry(FILE *out, const struct svmtrace_render_opts *o,
			   const struct svmtrace_hist_entry *e)
{
	char name[192];

	describe_key(&e->key, name, sizeof(name));
	fprintf(out, "\n%s\n", name);
	switch (o->view) {
	case SVMTRACE_VIEW_TABLE:
		print_table_line(out, o, e);
		break;
	case SVMTRACE_VIEW_FINE:
		print_summary(out, o, e);
		print_fine(out, &e->hist);
		break;
	default:
		print_summary(out, o, e);
		print_log2(out, &e->hist);
		break;
	}
}

static json_object *json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

json_object *svmtrace_render_entry_json(const struct svmtrace_render_opts *o,
					const struct svmtrace_hist_entry *e)
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
	if (o->by[SVMTRACE_DIM_PID])
		json_object_object_add(j, "pid", json_object_new_int64(k->pid));
	if (o->by[SVMTRACE_DIM_CGROUP])
		json_object_object_add(j, "cgroup", json_u64(k->cgroup));
	json_object_object_add(j, "count", json_u64(h->count));
	json_object_object_add(j, "sum_ns", json_u64(h->sum));
	json_object_object_add(j, "max_ns", json_u64(h->max));
	json_object_object_add(j, "percentiles", json_object_new_string(e->values ? "exact" : "buckets"));
	for (i = 0; i < NPCTS; i++)
		json_object_object_add(j, summary_json_names[i],
				       json_object_new_double(svmtrace_entry_percentile(e, svmtrace_summary_pcts[i])));
	if (e->values)
		for (i = 0; i < NPCTS; i++)
			json_object_object_add(j, bucket_json_names[i],
					       json_object_new_double(svmtrace_histo_percentile(h, svmtrace_summary_pcts[i])));
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

void svmtrace_render_counters(FILE *out, const uint64_t *c)
{
	unsigned int i;

	fprintf(out, "\nmigrations %llu (failed %llu)\n", (unsigned long long)c[SVMTRACE_CNT_MIGRATIONS],
		(unsigned long long)c[SVMTRACE_CNT_MIGRATIONS_FAILED]);
	fprintf(out, "throughput:");
	for (i = 0; i < SVM_PAGEMAP_DIR_COUNT; i++)
		fprintf(out, "  %s %llu pages / %llu bytes", svmtrace_direction_name(i),
			(unsigned long long)c[SVMTRACE_CNT_PAGES_DIR0 + i],
			(unsigned long long)c[SVMTRACE_CNT_BYTES_DIR0 + i]);
	fprintf(out, "\nmap paths:");
	for (i = 0; i < SVM_PAGEMAP_PATH_COUNT; i++)
		fprintf(out, "  %s %llu", svmtrace_path_name(i), (unsigned long long)c[SVMTRACE_CNT_PATH0 + i]);
	fprintf(out, "\niova: in use %llu bytes, peak %llu bytes; allocations:",
		(unsigned long long)c[SVMTRACE_CNT_IOVA_NOW], (unsigned long long)c[SVMTRACE_CNT_IOVA_PEAK]);
	for (i = 0; i < SVM_PAGEMAP_IOVA_COUNT; i++)
		fprintf(out, "  %s %llu", svmtrace_iova_reason_name(i),
			(unsigned long long)c[SVMTRACE_CNT_IOVA_REASON0 + i]);
	fprintf(out, "\nlivelock: timeslice holds %llu, ping-pong ranges %llu, retries:",
		(unsigned long long)c[SVMTRACE_CNT_TIMESLICE_HOLDS],
		(unsigned long long)c[SVMTRACE_CNT_PINGPONG_RANGES]);
	for (i = 0; i < SVM_PAGEMAP_RETRY_COUNT; i++)
		fprintf(out, "  %s %llu", svmtrace_retry_reason_name(i),
			(unsigned long long)c[SVMTRACE_CNT_RETRY0 + i]);
	fprintf(out, "; evict retries:");
	for (i = 0; i < SVM_PAGEMAP_RETRY_COUNT; i++)
		fprintf(out, "  %s %llu", svmtrace_retry_reason_name(i),
			(unsigned long long)c[SVMTRACE_CNT_EVICT_RETRY0 + i]);
	fprintf(out, "\n");
	if (c[SVMTRACE_CNT_KEYS_OVERFLOW])
		fprintf(out, "warning: %llu updates dropped: histogram key cap reached (raise --max-keys)\n",
			(unsigned long long)c[SVMTRACE_CNT_KEYS_OVERFLOW]);
}

json_object *svmtrace_render_counters_json(const uint64_t *c)
{
	json_object *j = json_object_new_object(), *sub;
	unsigned int i;

	json_object_object_add(j, "migrations", json_u64(c[SVMTRACE_CNT_MIGRATIONS]));
	json_object_object_add(j, "migrations_failed", json_u64(c[SVMTRACE_CNT_MIGRATIONS_FAILED]));
	sub = json_object_new_object();
	for (i = 0; i < SVM_PAGEMAP_DIR_COUNT; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "pages", json_u64(c[SVMTRACE_CNT_PAGES_DIR0 + i]));
		json_object_object_add(d, "bytes", json_u64(c[SVMTRACE_CNT_BYTES_DIR0 + i]));
		json_object_object_add(sub, svmtrace_direction_name(i), d);
	}
	json_object_object_add(j, "throughput", sub);
	sub = json_object_new_object();
	for (i = 0; i < SVM_PAGEMAP_PATH_COUNT; i++)
		json_object_object_add(sub, svmtrace_path_name(i), json_u64(c[SVMTRACE_CNT_PATH0 + i]));
	json_object_object_add(j, "map_paths", sub);
	sub = json_object_new_object();
	json_object_object_add(sub, "in_use_bytes", json_u64(c[SVMTRACE_CNT_IOVA_NOW]));
	json_object_object_add(sub, "peak_bytes", json_u64(c[SVMTRACE_CNT_IOVA_PEAK]));
	for (i = 0; i < SVM_PAGEMAP_IOVA_COUNT; i++)
		json_object_object_add(sub, svmtrace_iova_reason_name(i),
				       json_u64(c[SVMTRACE_CNT_IOVA_REASON0 + i]));
	json_object_object_add(j, "iova", sub);
	sub = json_object_new_object();
	json_object_object_add(sub, "timeslice_holds", json_u64(c[SVMTRACE_CNT_TIMESLICE_HOLDS]));
	json_object_object_add(sub, "pingpong_ranges", json_u64(c[SVMTRACE_CNT_PINGPONG_RANGES]));
	for (i = 0; i < SVM_PAGEMAP_RETRY_COUNT; i++) {
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

/* Print and release @root. */
void svmtrace_json_print(FILE *out, json_object *root)
{
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
