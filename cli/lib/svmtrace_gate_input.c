// SPDX-License-Identifier: GPL-2.0
/*
 * The runs svmtrace gate judges, read from files: the JSON of hist -j or
 * report -j (and of gate --write-baseline, which writes the same shape),
 * or a record file replayed with report's code so that percentiles are
 * exact.  Counters keep hist -j's names, flattened with dots.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svmtrace_names.h"
#include "svmtrace_gate_io.h"
#include "svmtrace_histogram.h"
#include "svmtrace_recfile.h"

static const char *const pct_fields[4] = { "p50_ns", "p90_ns", "p99_ns", "p999_ns" };

static int say(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A count or a sum must fit in a double without rounding: percentiles and
 * means are computed in doubles, and a value near 2^64 would round up past
 * every unsigned integer it is converted back to.  2^53 ns is 104 days.
 */
#define GATE_JSON_MAX ((double)(1ull << 53))

/* Is @v a number a counter can hold?  JSON has no NaN, but json-c reads one. */
static bool counter_value_ok(double v)
{
	return isfinite(v) && v >= 0 && v <= GATE_JSON_MAX;
}

/*
 * Numbers under "counters" become counters named by their dotted path.
 * Anything else is refused naming the member: gate compares these numbers,
 * and a file that holds something else is not hist -j's output.
 */
static int add_counters(struct gate_input *in, json_object *obj, const char *prefix,
			char *msg, size_t len)
{
	char name[128];
	double v;

	json_object_object_foreach(obj, key, val) {
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
		switch (json_object_get_type(val)) {
		case json_type_object:
			if (add_counters(in, val, name, msg, len))
				return -1;
			break;
		case json_type_int:
		case json_type_double:
			v = json_object_get_double(val);
			if (!counter_value_ok(v))
				return say(msg, len, "counter %s is %s: a counter is a whole number "
					   "from 0 to 2^53", name, json_object_to_json_string(val));
			if (gate_input_add_counter(in, name, v))
				return say(msg, len, "out of memory");
			break;
		default:
			return say(msg, len, "counter %s is %s, not a number", name,
				   json_type_to_name(json_object_get_type(val)));
		}
	}
	return 0;
}

int gate_input_add_counters_json(struct gate_input *in, json_object *obj, const char *prefix)
{
	char msg[256];

	if (!json_object_is_type(obj, json_type_object))
		return -EINVAL;
	if (!add_counters(in, obj, prefix, msg, sizeof(msg)))
		return 0;
	return strcmp(msg, "out of memory") ? -EINVAL : -ENOMEM;
}

/* Take over @e (and its values): the run's histogram for e->key. */
int gate_input_add_entry(struct gate_input *in, struct svmtrace_hist_entry *e)
{
	struct gate_hist *h = gate_input_add_hist(in, &e->key);

	if (!h)
		return -ENOMEM;
	h->entry = *e;
	e->values = NULL;
	return 0;
}

static int name_index(const char *s, const char *(*name)(unsigned int), unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, name(i)))
			return i;
	return -1;
}

/* A whole number from 0 to 2^53 in @field of histogram @idx; -1 after saying what is wrong. */
static int get_u64(json_object *o, const char *field, uint64_t *v, size_t idx, char *msg, size_t len)
{
	json_object *f;

	if (!json_object_object_get_ex(o, field, &f))
		return say(msg, len, "histogram %zu: count, sum_ns or max_ns missing (no \"%s\")",
			   idx, field);
	if (!json_object_is_type(f, json_type_int))
		return say(msg, len, "histogram %zu: %s is %s, not a whole number", idx, field,
			   json_type_to_name(json_object_get_type(f)));
	if (json_object_get_int64(f) < 0 || json_object_get_uint64(f) > (1ull << 53))
		return say(msg, len, "histogram %zu: %s is %s: want a whole number from 0 to 2^53",
			   idx, field, json_object_to_json_string(f));
	*v = json_object_get_uint64(f);
	return 0;
}

/* Bucket member @m of histogram @idx's bucket @b, a whole number from 0 to 2^53. */
static int get_bucket_u64(json_object *bucket, size_t m, uint64_t *v, size_t idx, size_t b,
			  char *msg, size_t len)
{
	static const char *const what[3] = { "lower bound", "upper bound", "count" };
	json_object *f = json_object_array_get_idx(bucket, m);

	if (!json_object_is_type(f, json_type_int) || json_object_get_int64(f) < 0 ||
	    json_object_get_uint64(f) > (1ull << 53))
		return say(msg, len, "histogram %zu: bucket %zu: %s %s is not a whole number from 0 "
			   "to 2^53", idx, b, what[m], json_object_to_json_string(f));
	*v = json_object_get_uint64(f);
	return 0;
}

/* One label of a histogram object: absent means the histogram merges it. */
static int read_label(json_object *o, const char *field, const char *(*name)(unsigned int),
		      unsigned int n, uint32_t *out, char *msg, size_t len, size_t idx)
{
	json_object *f;
	int v;

	*out = SVMTRACE_ALL;
	if (!json_object_object_get_ex(o, field, &f))
		return 0;
	if (!name) {
		int64_t num = json_object_get_int64(f);

		if (!json_object_is_type(f, json_type_int) || num < 0 || num >= SVMTRACE_ALL)
			return say(msg, len, "histogram %zu: %s is not a number", idx, field);
		*out = num;
		return 0;
	}
	if (!json_object_is_type(f, json_type_string))
		return say(msg, len, "histogram %zu: %s is not a name", idx, field);
	v = name_index(json_object_get_string(f), name, n);
	if (v < 0 && name == svmtrace_path_name && !strcmp(json_object_get_string(f), "none"))
		v = SVMTRACE_PATH_NONE;
	if (v < 0)
		return say(msg, len, "histogram %zu: unknown %s '%s'", idx, field, json_object_get_string(f));
	*out = v;
	return 0;
}

static int read_hist(struct gate_input *in, json_object *o, size_t idx, char *msg, size_t len)
{
	struct svmtrace_hist_key key = { 0 };
	struct gate_hist *h;
	json_object *buckets, *f;
	uint64_t in_buckets = 0, count, sum, max;
	size_t i, nb;

	if (!json_object_is_type(o, json_type_object))
		return say(msg, len, "histogram %zu is not an object", idx);
	if (read_label(o, "stage", svmtrace_stage_name, SVMTRACE_STAGE_MAX, &key.stage, msg, len, idx) ||
	    read_label(o, "direction", svmtrace_direction_name, 4, &key.direction, msg, len, idx) ||
	    read_label(o, "trigger", svmtrace_trigger_name, 4, &key.trigger, msg, len, idx) ||
	    read_label(o, "path", svmtrace_path_name, 4, &key.path, msg, len, idx) ||
	    read_label(o, "device", NULL, 0, &key.device, msg, len, idx) ||
	    read_label(o, "pid", NULL, 0, &key.pid, msg, len, idx))
		return -1;
	if (key.pid == SVMTRACE_ALL)
		key.pid = 0;
	h = gate_input_add_hist(in, &key);
	if (!h)
		return say(msg, len, "out of memory");
	if (get_u64(o, "count", &count, idx, msg, len) || get_u64(o, "sum_ns", &sum, idx, msg, len) ||
	    get_u64(o, "max_ns", &max, idx, msg, len))
		return -1;
	h->entry.hist.count = count;
	h->entry.hist.sum = sum;
	h->entry.hist.max = max;
	if (!json_object_object_get_ex(o, "buckets", &buckets) ||
	    !json_object_is_type(buckets, json_type_array))
		return say(msg, len, "histogram %zu: no \"buckets\" array", idx);
	nb = json_object_array_length(buckets);
	for (i = 0; i < nb; i++) {
		json_object *b = json_object_array_get_idx(buckets, i);
		uint64_t lo, hi, c;
		uint32_t slot;

		if (!json_object_is_type(b, json_type_array) || json_object_array_length(b) != 3)
			return say(msg, len, "histogram %zu: bucket %zu is not [lower, upper, count]", idx, i);
		if (get_bucket_u64(b, 0, &lo, idx, i, msg, len) ||
		    get_bucket_u64(b, 1, &hi, idx, i, msg, len) ||
		    get_bucket_u64(b, 2, &c, idx, i, msg, len))
			return -1;
		slot = svmtrace_hist_index(lo);
		if (lo != svmtrace_hist_lower(slot) ||
		    hi != svmtrace_hist_lower(slot) + svmtrace_hist_width(slot) - 1)
			return say(msg, len, "histogram %zu: bucket [%llu, %llu] is not one of "
				   "svmtrace's buckets", idx, (unsigned long long)lo,
				   (unsigned long long)hi);
		/* Each term is at most 2^53, so the sum cannot wrap before it is caught. */
		in_buckets += c;
		if (in_buckets > count)
			break;
		h->entry.hist.slots[slot] += c;
	}
	if (in_buckets > count)
		return say(msg, len, "histogram %zu: its buckets hold more values than its count (%llu)",
			   idx, (unsigned long long)count);
	if (in_buckets != h->entry.hist.count)
		return say(msg, len, "histogram %zu: its buckets hold %llu values but its count is %llu",
			   idx, (unsigned long long)in_buckets, (unsigned long long)h->entry.hist.count);
	h->stored = true;
	for (i = 0; i < 4; i++) {
		if (!json_object_object_get_ex(o, pct_fields[i], &f)) {
			h->stored = false;	/* hist -j before percentiles were stored */
			continue;
		}
		if (!(json_object_is_type(f, json_type_double) || json_object_is_type(f, json_type_int)) ||
		    !counter_value_ok(json_object_get_double(f)))
			return say(msg, len, "histogram %zu: %s is %s: want a number of ns from 0 to 2^53",
				   idx, pct_fields[i], json_object_to_json_string(f));
		h->stored_pct[i] = json_object_get_double(f);
	}
	return 0;
}

static char *slurp(const char *path, size_t *size, char *msg, size_t len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *nb;
	size_t cap = 0, n;

	*size = 0;
	if (!f) {
		say(msg, len, "cannot open: %s", strerror(errno));
		return NULL;
	}
	do {
		if (*size + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			nb = realloc(buf, cap);
			if (!nb) {
				say(msg, len, "out of memory");
				goto fail;
			}
			buf = nb;
		}
		n = fread(buf + *size, 1, cap - *size - 1, f);
		*size += n;
	} while (n);
	if (ferror(f)) {
		say(msg, len, "cannot read: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[*size] = '\0';
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

static int line_of(const char *buf, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off && buf[i]; i++)
		line += buf[i] == '\n';
	return line;
}

/* A run from hist -j or report -j output; 0, or -1 with @msg saying why. */
int gate_input_from_json(struct gate_input *in, const char *path, char *msg, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = NULL, *hists, *sub;
	enum json_tokener_error jerr;
	size_t size, i, end;
	char *buf;
	int ret = -1;

	if (!tok)
		return say(msg, len, "out of memory");
	buf = slurp(path, &size, msg, len);
	if (!buf)
		goto out;
	if (!size) {
		say(msg, len, "empty file (want the output of svmtrace hist -j)");
		goto out;
	}
	root = json_tokener_parse_ex(tok, buf, size);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		say(msg, len, "not JSON: the text ends inside a value");
		goto out;
	}
	if (jerr != json_tokener_success) {
		say(msg, len, "not JSON: %s at line %d", json_tokener_error_desc(jerr), line_of(buf, end));
		goto out;
	}
	while (end < size && strchr(" \t\r\n", buf[end]))
		end++;
	if (end < size) {
		say(msg, len, "more than one JSON document (line %d): hist with an interval writes one "
		    "per window; gate takes one run (hist around a command)", line_of(buf, end));
		goto out;
	}
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "histograms", &hists) ||
	    !json_object_is_type(hists, json_type_array)) {
		say(msg, len, "no \"histograms\" array: not the output of svmtrace hist -j");
		goto out;
	}
	for (i = 0; i < json_object_array_length(hists); i++)
		if (read_hist(in, json_object_array_get_idx(hists, i), i + 1, msg, len))
			goto out;
	for (i = 0; i < 2; i++) {
		static const char *const member[2] = { "counters", "events" };

		if (!json_object_object_get_ex(root, member[i], &sub))
			continue;
		/* json-c walks a member that is not an object as if it were one. */
		if (!json_object_is_type(sub, json_type_object)) {
			say(msg, len, "\"%s\" is %s, not an object of counters", member[i],
			    json_type_to_name(json_object_get_type(sub)));
			goto out;
		}
		/* hist -j's counters keep their own names; events get "events." */
		if (add_counters(in, sub, i ? "events" : "", msg, len))
			goto out;
	}
	if (json_object_object_get_ex(root, "seconds", &sub)) {
		double sec = json_object_get_double(sub);

		if (!(json_object_is_type(sub, json_type_double) || json_object_is_type(sub, json_type_int)) ||
		    !isfinite(sec) || sec < 0 || sec * 1e9 > GATE_JSON_MAX) {
			say(msg, len, "\"seconds\" is %s: want the run's length in seconds",
			    json_object_to_json_string(sub));
			goto out;
		}
		if (gate_input_add_counter(in, "duration", sec * 1e9)) {
			say(msg, len, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	json_object_put(root);
	json_tokener_free(tok);
	free(buf);
	return ret;
}

/* A run from a record file: every value kept, so percentiles are exact. */
int gate_input_from_record(struct gate_input *in, const char *path, char *msg, size_t len)
{
	struct svmtrace_render_opts by_all = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter all = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_hist_entry *entries = NULL;
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs = NULL;
	uint64_t ends = 0, stage_ends = 0, r;
	size_t n = 0, i;
	json_object *counters;
	int ret;

	ret = svmtrace_recfile_read(path, &info, &recs, msg, len);
	if (ret == SVMTRACE_RECFILE_ERR_TRUNCATED) {
		char why[256];

		snprintf(why, sizeof(why), "%s", msg);
		free(recs);
		return say(msg, len, "%s: gate needs a finished recording (svmtrace report "
			   "--partial shows what this one holds)", why);
	}
	if (ret)
		return -1;
	by_all.by[SVMTRACE_DIM_TRIGGER] = by_all.by[SVMTRACE_DIM_DEVICE] = true;
	if (svmtrace_entries_from_records(recs, info.record_count, &all, &by_all, &entries, &n)) {
		free(recs);
		return say(msg, len, "out of memory for %llu records", (unsigned long long)info.record_count);
	}
	for (r = 0; r < info.record_count; r++) {
		ends += recs[r].event == SVM_PAGEMAP_EV_MIGRATE_END;
		stage_ends += recs[r].event == SVM_PAGEMAP_EV_STAGE_END;
	}
	free(recs);
	ret = 0;
	for (i = 0; i < n && !ret; i++)
		ret = gate_input_add_entry(in, &entries[i]);
	svmtrace_entries_free(entries, n);
	counters = svmtrace_render_counters_json(info.counters);
	if (!ret)
		ret = gate_input_add_counters_json(in, counters, "");
	json_object_put(counters);
	if (!ret)
		ret = gate_input_add_counter(in, "events.svm_migrate_end", ends);
	if (!ret)
		ret = gate_input_add_counter(in, "events.svm_stage_end", stage_ends);
	if (!ret && info.end_monotonic_ns > info.start_monotonic_ns)
		ret = gate_input_add_counter(in, "duration",
					     (double)(info.end_monotonic_ns - info.start_monotonic_ns));
	if (ret)
		return say(msg, len, "out of memory");
	if (info.lost)
		fprintf(stderr, "svmtrace gate: warning: %s: %llu records were lost while recording: "
			"its histograms miss them\n", path, (unsigned long long)info.lost);
	return 0;
}

/* Put @value at the dotted @name under @root, creating objects on the way. */
static void put_dotted(json_object *root, const char *name, double value)
{
	char part[128];
	const char *dot;
	json_object *sub;

	while ((dot = strchr(name, '.'))) {
		snprintf(part, sizeof(part), "%.*s", (int)(dot - name), name);
		if (!json_object_object_get_ex(root, part, &sub)) {
			sub = json_object_new_object();
			json_object_object_add(root, part, sub);
		}
		root = sub;
		name = dot + 1;
	}
	json_object_object_add(root, name, json_object_new_uint64((uint64_t)value));
}

/* The run in hist -j's shape, which gate --json and --baseline read back. */
json_object *gate_input_to_json(const struct gate_input *in)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	json_object *counters = json_object_new_object(), *events = json_object_new_object();
	size_t i, p;

	o.by[SVMTRACE_DIM_TRIGGER] = o.by[SVMTRACE_DIM_DEVICE] = true;
	for (i = 0; i < in->nhists; i++)
		o.by[SVMTRACE_DIM_PID] |= in->hists[i].entry.key.pid != 0;
	for (i = 0; i < in->ncounters; i++) {
		const struct gate_counter *c = &in->counters[i];

		if (!strcmp(c->name, "duration"))
			json_object_object_add(root, "seconds", json_object_new_double(c->value / 1e9));
		else if (!strncmp(c->name, "events.", 7))
			put_dotted(events, c->name + 7, c->value);
		else
			put_dotted(counters, c->name, c->value);
	}
	for (i = 0; i < in->nhists; i++) {
		const struct gate_hist *h = &in->hists[i];
		json_object *j = svmtrace_render_entry_json(&o, &h->entry);

		for (p = 0; h->stored && p < 4; p++)
			json_object_object_add(j, pct_fields[p], json_object_new_double(h->stored_pct[p]));
		json_object_array_add(arr, j);
	}
	json_object_object_add(root, "histograms", arr);
	json_object_object_add(root, "counters", counters);
	json_object_object_add(root, "events", events);
	return root;
}

/* Write @root (released) to @path through PATH.tmp, so no half file ever has the name. */
int gate_write_json_file(const char *path, json_object *root, char *msg, size_t len)
{
	char tmp[4096];
	FILE *f;
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		json_object_put(root);
		return say(msg, len, "cannot write '%s': %s", tmp, strerror(errno));
	}
	svmtrace_json_print(f, root);
	if (ferror(f) | fclose(f))
		ret = say(msg, len, "writing '%s' failed: %s", tmp, strerror(errno));
	else if (rename(tmp, path))
		ret = say(msg, len, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
	if (ret)
		unlink(tmp);
	return ret;
}
