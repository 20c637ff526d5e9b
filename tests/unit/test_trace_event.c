// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace report --trace-event: synthetic records (two overlapping
 * migrations of one process, a retry, an eviction, an -EBUSY end, an IOVA
 * range, a stage sticking out of its migration, two stages whose computed
 * times overlap, stages without a migration end) written as Trace Event
 * Format and read back with json-c: every event has ph/ts/pid/tid, the
 * slices of a thread nest, the tracks are named, the counter is in time
 * order with exact values, and every time is the record's to the ns.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "svmtrace_perfscript.h"
#include "svmtrace_trace_event.h"

#define DEV(d) (SVMTRACE_TRACE_EVENT_DEVICE_PID + (d))
#define EV_STAGE SVM_PAGEMAP_EV_STAGE_END
#define EV_MIG SVM_PAGEMAP_EV_MIGRATE_END

static struct svmtrace_record stage(uint32_t pid, uint32_t dev, uint64_t id, uint32_t st,
				    uint32_t path, uint64_t end, uint64_t dur, uint64_t bytes)
{
	return (struct svmtrace_record){
		.ts_ns = end, .id = id, .npages = bytes / 4096, .bytes = bytes, .duration_ns = dur,
		.event = EV_STAGE, .pid = pid, .device = dev, .stage = st, .direction = 0,
		.trigger = 0, .path = path,
	};
}

static struct svmtrace_record mig(uint32_t pid, uint32_t dev, uint64_t id, uint32_t dir,
				  uint32_t trig, uint64_t end, uint64_t dur, int32_t result)
{
	return (struct svmtrace_record){
		.ts_ns = end, .id = id, .start = 0x7f0000000000ull + id * 0x10000, .npages = 16,
		.bytes = 65536, .duration_ns = dur, .event = EV_MIG, .pid = pid, .device = dev,
		.stage = SVMTRACE_STAGE_TOTAL, .direction = dir, .trigger = trig,
		.path = SVM_PAGEMAP_PATH_IOVA, .result = result,
	};
}

/* The records of the tests: times in ns from 0, in ring-buffer order. */
static size_t records(struct svmtrace_record *r)
{
	size_t n = 0;

	/* A: pid 100 device 0, id 1, [900, 2700], IOVA path 8192 bytes */
	r[n++] = stage(100, 0, 1, SVM_PAGEMAP_STAGE_COLLECT, SVMTRACE_PATH_NONE, 1200, 200, 8192);
	/* B: pid 100 device 1, id 2, [1100, 3000], its collect starts at 1050: widened by 50 */
	r[n++] = stage(100, 1, 2, SVM_PAGEMAP_STAGE_COLLECT, SVMTRACE_PATH_NONE, 1300, 250, 4096);
	r[n++] = stage(100, 0, 1, SVM_PAGEMAP_STAGE_MAP, SVM_PAGEMAP_PATH_IOVA, 1500, 300, 8192);
	r[n++] = stage(100, 0, 1, SVM_PAGEMAP_STAGE_COPY, SVM_PAGEMAP_PATH_IOVA, 2500, 1000, 8192);
	r[n++] = (struct svmtrace_record){	/* a retry of migration 1, as perf gives it */
		.ts_ns = 2000, .id = 1, .npages = 1, .duration_ns = 20000000,
		.event = SVM_PAGEMAP_EV_RETRY, .pid = 100, .device = 0,
		.stage = SVMTRACE_STAGE_TOTAL, .direction = SVMTRACE_ALL, .trigger = SVMTRACE_ALL,
		.path = SVM_PAGEMAP_RETRY_BUSY,
	};
	r[n++] = stage(100, 0, 1, SVM_PAGEMAP_STAGE_UNMAP, SVM_PAGEMAP_PATH_IOVA, 2600, 100, 8192);
	r[n++] = mig(100, 0, 1, SVM_PAGEMAP_DIR_TO_DEV, SVM_PAGEMAP_TRIGGER_DEVICE_FAULT, 2700, 1800, 0);
	r[n++] = stage(100, 1, 2, SVM_PAGEMAP_STAGE_COPY, SVM_PAGEMAP_PATH_PAGE, 2900, 1000, 4096);
	r[n++] = mig(100, 1, 2, SVM_PAGEMAP_DIR_TO_DEV, SVM_PAGEMAP_TRIGGER_PREFETCH, 3000, 1900, 0);
	/* an eviction of device 0 by pid 200, [4000, 5000] */
	r[n++] = mig(200, 0, 3, SVM_PAGEMAP_DIR_EVICT, SVM_PAGEMAP_TRIGGER_EVICTION, 5000, 1000, 0);
	/* an -EBUSY CPU fault of pid 200, [6000, 6500] */
	r[n++] = mig(200, 0, 4, SVM_PAGEMAP_DIR_TO_RAM, SVM_PAGEMAP_TRIGGER_CPU_FAULT, 6500, 500, -16);
	/* pid 300, id 5, [6900, 7400]: populate computes [6950, 7300], before collect's end 7200 */
	r[n++] = stage(300, 0, 5, SVM_PAGEMAP_STAGE_COLLECT, SVMTRACE_PATH_NONE, 7200, 200, 4096);
	r[n++] = stage(300, 0, 5, SVM_PAGEMAP_STAGE_POPULATE, SVMTRACE_PATH_NONE, 7300, 350, 4096);
	r[n++] = mig(300, 0, 5, SVM_PAGEMAP_DIR_TO_DEV, SVM_PAGEMAP_TRIGGER_DEVICE_FAULT, 7400, 500, 0);
	/* pid 400, id 6: stages, no end recorded */
	r[n++] = stage(400, 0, 6, SVM_PAGEMAP_STAGE_COLLECT, SVMTRACE_PATH_NONE, 8200, 200, 4096);
	r[n++] = stage(400, 0, 6, SVM_PAGEMAP_STAGE_POPULATE, SVMTRACE_PATH_NONE, 8300, 100, 4096);
	/* not a timeline event */
	r[n] = stage(100, 0, 9, 0, 0, 9000, 10, 0);
	r[n++].event = SVM_PAGEMAP_EV_IOCTL;
	return n;
}

struct out {
	json_object *root, *events;
	struct svmtrace_trace_event_stats st;
	char *text;
};

static void write_parse(struct out *o, const struct svmtrace_filter *f)
{
	struct svmtrace_record r[32];
	struct svmtrace_trace_event_opts opts = { .filter = f, .source = "test", .file = "mem" };
	size_t n = records(r), len = 0;
	FILE *m = open_memstream(&o->text, &len);

	assert_non_null(m);
	assert_int_equal(svmtrace_trace_event_write(m, r, n, &opts, &o->st), 0);
	fclose(m);
	o->root = json_tokener_parse(o->text);
	assert_non_null(o->root);
	assert_true(json_object_object_get_ex(o->root, "traceEvents", &o->events));
	assert_true(json_object_is_type(o->events, json_type_array));
	assert_int_equal(json_object_array_length(o->events), o->st.events);
}

static void out_free(struct out *o)
{
	json_object_put(o->root);
	free(o->text);
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

static const char *str(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	return v ? json_object_get_string(v) : "";
}

/* A time in us back to ns: exact for these small times. */
static int64_t ns(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	assert_non_null(v);
	return llround(json_object_get_double(v) * 1000.0);
}

static int64_t arg_int(json_object *ev, const char *k)
{
	json_object *v = get(get(ev, "args"), k);

	assert_non_null(v);
	return json_object_get_int64(v);
}

static bool has_arg(json_object *ev, const char *k)
{
	return get(get(ev, "args"), k) != NULL;
}

/* The first event of phase @ph named @name on process @pid (any pid: 0), from @from. */
static json_object *find(const struct out *o, const char *ph, const char *name, int64_t pid,
			 size_t *from)
{
	size_t i, n = json_object_array_length(o->events);

	for (i = from ? *from : 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(o->events, i);

		if (!strcmp(str(e, "ph"), ph) && !strcmp(str(e, "name"), name) &&
		    (!pid || json_object_get_int64(get(e, "pid")) == pid)) {
			if (from)
				*from = i + 1;
			return e;
		}
	}
	return NULL;
}

static size_t count(const struct out *o, const char *ph, const char *name)
{
	size_t i, c = 0, n = json_object_array_length(o->events);

	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(o->events, i);

		if (!strcmp(str(e, "ph"), ph) && (!name || !strcmp(str(e, "name"), name)))
			c++;
	}
	return c;
}

static void test_every_event_has_the_fields(void **state)
{
	struct out o;
	size_t i, n;

	(void)state;
	write_parse(&o, NULL);
	n = json_object_array_length(o.events);
	assert_true(n > 20);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(o.events, i);
		const char *ph = str(e, "ph");

		assert_non_null(get(e, "ph"));
		assert_non_null(get(e, "ts"));
		assert_non_null(get(e, "pid"));
		assert_non_null(get(e, "tid"));
		assert_non_null(get(e, "name"));
		assert_true(strchr("XiCM", ph[0]) && ph[1] == '\0');
		if (ph[0] == 'X')
			assert_true(ns(e, "dur") >= 0);
		if (ph[0] == 'i')
			assert_string_equal(str(e, "s"), "t");
	}
	/* each migration twice (process and device track); its stages too */
	assert_int_equal(o.st.migrations, 6);
	assert_int_equal(o.st.stages, 10);
	assert_int_equal(count(&o, "X", NULL), 2 * (6 + 10));
	assert_string_equal(str(get(o.root, "otherData"), "source"), "test");
	out_free(&o);
}

struct span { int64_t pid, tid, start, end; };

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

/* On each thread, a slice starting inside another ends inside it too. */
static void test_slices_nest(void **state)
{
	struct span s[64], stack[8];
	struct out o;
	size_t i, n = 0, depth = 0, len;

	(void)state;
	write_parse(&o, NULL);
	len = json_object_array_length(o.events);
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(o.events, i);

		if (strcmp(str(e, "ph"), "X"))
			continue;
		assert_true(n < 64);
		s[n++] = (struct span){
			json_object_get_int64(get(e, "pid")), json_object_get_int64(get(e, "tid")),
			ns(e, "ts"), ns(e, "ts") + ns(e, "dur"),
		};
	}
	qsort(s, n, sizeof(*s), cmp_span);
	for (i = 0; i < n; i++) {
		if (i && (s[i].pid != s[i - 1].pid || s[i].tid != s[i - 1].tid))
			depth = 0;
		while (depth && stack[depth - 1].end <= s[i].start)
			depth--;
		if (depth)
			assert_true(s[i].end <= stack[depth - 1].end);
		assert_true(depth < 2);	/* migration > stage, nothing deeper */
		stack[depth++] = s[i];
	}
	out_free(&o);
}

static void test_overlapping_migrations_get_lanes(void **state)
{
	json_object *a, *b;
	struct out o;
	size_t from = 0;

	(void)state;
	write_parse(&o, NULL);
	a = find(&o, "X", "to_dev device_fault", 100, &from);
	b = find(&o, "X", "to_dev prefetch", 100, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(arg_int(a, "id"), 1);
	assert_int_equal(arg_int(b, "id"), 2);
	/* they overlap in time, so they are on two threads of pid 100 */
	assert_true(ns(b, "ts") < ns(a, "ts") + ns(a, "dur"));
	assert_int_equal(json_object_get_int64(get(a, "tid")), 2);
	assert_int_equal(json_object_get_int64(get(b, "tid")), 3);
	assert_int_equal(o.st.lanes_max, 2);
	/* on their devices each is alone: lane 1 */
	a = find(&o, "X", "to_dev device_fault", DEV(0), NULL);
	b = find(&o, "X", "to_dev prefetch", DEV(1), NULL);
	assert_int_equal(json_object_get_int64(get(a, "tid")), 2);
	assert_int_equal(json_object_get_int64(get(b, "tid")), 2);
	/* in the file, in order of start: A (900) before B (1050) */
	from = 0;
	find(&o, "X", "to_dev device_fault", 100, &from);
	assert_non_null(find(&o, "X", "to_dev prefetch", 100, &from));
	out_free(&o);
}

static void test_times_are_exact(void **state)
{
	json_object *a, *c;
	struct out o;
	size_t from;

	(void)state;
	write_parse(&o, NULL);
	a = find(&o, "X", "to_dev device_fault", 100, NULL);
	assert_int_equal(ns(a, "ts"), 900);
	assert_int_equal(ns(a, "dur"), 1800);
	assert_int_equal(arg_int(a, "start_ns"), 900);
	assert_int_equal(arg_int(a, "end_ns"), 2700);
	assert_int_equal(arg_int(a, "duration_ns"), 1800);
	assert_string_equal(str(get(a, "args"), "direction"), "to_dev");
	assert_string_equal(str(get(a, "args"), "trigger"), "device_fault");
	assert_string_equal(str(get(a, "args"), "path"), "iova");
	assert_int_equal(arg_int(a, "pages"), 16);
	assert_int_equal(arg_int(a, "result"), 0);
	assert_false(has_arg(a, "widened_ns"));
	/* the text itself has the ns digits: "ts":0.900 */
	assert_non_null(strstr(o.text, "\"ts\":0.900,\"dur\":1.800"));
	from = 0;
	c = find(&o, "X", "copy", 100, &from);
	assert_int_equal(ns(c, "ts"), 1500);
	assert_int_equal(ns(c, "dur"), 1000);
	assert_int_equal(arg_int(c, "bytes"), 8192);
	assert_string_equal(str(get(c, "args"), "path"), "iova");
	out_free(&o);
}

/* A stage sticking out widens its migration, which says by how much. */
static void test_stage_out_of_migration(void **state)
{
	json_object *b, *col;
	struct out o;
	size_t from = 0;

	(void)state;
	write_parse(&o, NULL);
	b = find(&o, "X", "to_dev prefetch", 100, NULL);
	assert_int_equal(ns(b, "ts"), 1050);
	assert_int_equal(ns(b, "dur"), 1950);
	assert_int_equal(arg_int(b, "widened_ns"), 50);
	assert_int_equal(arg_int(b, "start_ns"), 1100);	/* the record's own */
	assert_int_equal(arg_int(b, "duration_ns"), 1900);
	col = find(&o, "X", "collect", 100, &from);	/* A's */
	col = find(&o, "X", "collect", 100, &from);	/* B's */
	assert_int_equal(arg_int(col, "id"), 2);
	assert_int_equal(ns(col, "ts"), 1050);
	assert_int_equal(o.st.widened, 1);
	assert_int_equal(o.st.widened_max_ns, 50);
	out_free(&o);
}

/* A stage computed to start before the previous one ends is drawn from that end. */
static void test_stage_overlapping_previous(void **state)
{
	json_object *p;
	struct out o;

	(void)state;
	write_parse(&o, NULL);
	p = find(&o, "X", "populate", 300, NULL);
	assert_non_null(p);
	assert_int_equal(ns(p, "ts"), 7200);
	assert_int_equal(ns(p, "dur"), 100);
	assert_int_equal(arg_int(p, "shifted_ns"), 250);
	assert_int_equal(arg_int(p, "start_ns"), 6950);
	assert_int_equal(arg_int(p, "duration_ns"), 350);
	assert_int_equal(o.st.shifted, 1);
	out_free(&o);
}

static void test_unended_migration(void **state)
{
	json_object *u;
	struct out o;

	(void)state;
	write_parse(&o, NULL);
	u = find(&o, "X", "to_dev device_fault", 400, NULL);
	assert_non_null(u);
	assert_int_equal(ns(u, "ts"), 8000);
	assert_int_equal(ns(u, "dur"), 300);
	assert_false(json_object_get_boolean(get(get(u, "args"), "end_recorded")));
	assert_int_equal(o.st.unended, 1);
	out_free(&o);
}

static void test_track_names(void **state)
{
	const char *want[] = { "pid 100", "pid 200", "pid 300", "pid 400", "svm device 0",
			       "svm device 1" };
	struct out o;
	size_t i, from;

	(void)state;
	write_parse(&o, NULL);
	for (i = 0; i < 6; i++) {
		json_object *e;
		bool seen = false;

		from = 0;
		while ((e = find(&o, "M", "process_name", 0, &from)))
			seen |= !strcmp(str(get(e, "args"), "name"), want[i]);
		assert_true(seen);
	}
	assert_int_equal(count(&o, "M", "process_name"), 6);
	from = 0;
	assert_string_equal(str(get(find(&o, "M", "thread_name", 100, &from), "args"), "name"),
			    "events");
	assert_string_equal(str(get(find(&o, "M", "thread_name", 100, &from), "args"), "name"),
			    "migrations");
	assert_string_equal(str(get(find(&o, "M", "thread_name", 100, &from), "args"), "name"),
			    "migrations, lane 2");
	out_free(&o);
}

static void test_instants(void **state)
{
	json_object *e;
	struct out o;

	(void)state;
	write_parse(&o, NULL);
	e = find(&o, "i", "retry", 100, NULL);
	assert_non_null(e);
	assert_int_equal(ns(e, "ts"), 2000);
	assert_int_equal(json_object_get_int64(get(e, "tid")), 1);
	assert_string_equal(str(get(e, "args"), "reason"), "busy");
	assert_int_equal(arg_int(e, "attempt"), 1);
	assert_int_equal(arg_int(e, "next_timeslice_ms"), 20);
	e = find(&o, "i", "eviction", DEV(0), NULL);
	assert_non_null(e);
	assert_int_equal(ns(e, "ts"), 4000);
	assert_int_equal(arg_int(e, "pid"), 200);
	e = find(&o, "i", "busy", 200, NULL);
	assert_non_null(e);
	assert_int_equal(ns(e, "ts"), 6500);
	assert_int_equal(arg_int(e, "id"), 4);
	assert_int_equal(count(&o, "i", NULL), 3);
	assert_int_equal(o.st.instants, 3);
	out_free(&o);
}

static void test_iova_counter(void **state)
{
	int64_t last = -1, want_ts[] = { 1200, 2600 }, want_v[] = { 8192, 0 };
	struct out o;
	size_t i, k = 0, n;

	(void)state;
	write_parse(&o, NULL);
	n = json_object_array_length(o.events);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(o.events, i);

		if (strcmp(str(e, "ph"), "C"))
			continue;
		assert_string_equal(str(e, "name"), "IOVA bytes in use");
		assert_int_equal(json_object_get_int64(get(e, "pid")), DEV(0));
		assert_true(ns(e, "ts") >= last);
		last = ns(e, "ts");
		assert_true(k < 2);
		assert_int_equal(ns(e, "ts"), want_ts[k]);
		assert_int_equal(arg_int(e, "bytes"), want_v[k]);
		k++;
	}
	assert_int_equal(k, 2);
	out_free(&o);
}

static void test_filters(void **state)
{
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct out o;

	(void)state;
	f.pid = 200;
	write_parse(&o, &f);
	assert_int_equal(o.st.migrations, 2);
	assert_int_equal(count(&o, "M", "process_name"), 2);	/* pid 200, device 0 */
	assert_null(find(&o, "X", "to_dev device_fault", 100, NULL));
	assert_non_null(find(&o, "i", "eviction", DEV(0), NULL));
	out_free(&o);

	f = (struct svmtrace_filter)SVMTRACE_FILTER_DEFAULT;
	f.stage = SVMTRACE_STAGE_TOTAL;	/* -S total: the migrations alone */
	write_parse(&o, &f);
	assert_int_equal(o.st.migrations, 5);	/* pid 400's had only stages */
	assert_int_equal(o.st.stages, 0);
	assert_int_equal(count(&o, "C", NULL), 0);
	out_free(&o);

	f = (struct svmtrace_filter)SVMTRACE_FILTER_DEFAULT;
	f.device = 1;
	write_parse(&o, &f);
	assert_int_equal(o.st.migrations, 1);
	assert_int_equal(o.st.lanes_max, 1);
	out_free(&o);
}

static void test_empty(void **state)
{
	struct svmtrace_trace_event_opts opts = { 0 };
	struct svmtrace_trace_event_stats st;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	json_object *root, *ev;

	(void)state;
	assert_int_equal(svmtrace_trace_event_write(m, NULL, 0, &opts, &st), 0);
	fclose(m);
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "traceEvents", &ev));
	assert_int_equal(json_object_array_length(ev), 0);
	json_object_put(root);
	free(text);
}

/* perf script side events become records only when asked. */
static void test_perfscript_side_events(void **state)
{
	static const char text[] =
		"svmbench 172/172 [001] 248.405228: svm_pagemap:svm_retry: id=23 device=0 reason=busy attempt=1 timeslice_ms=10\n"
		"svmbench 170/170 [000] 248.410592: svm_pagemap:svm_timeslice_hold: alloc_id=31 device=0 address=0x7f3894b32000 remaining_ns=8000000\n"
		"svmbench 170/170 [000] 248.410600: svm_pagemap:svm_evict_retry: alloc_id=31 id=40 device=1 reason=not_detached attempt=2 error=-16\n";
	struct svmtrace_perfscript_info info;
	struct svmtrace_record *r;
	uint64_t n;
	char msg[256];
	FILE *in;

	(void)state;
	in = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(svmtrace_perfscript_read(in, false, &info, &r, &n, msg, sizeof(msg)), 0);
	fclose(in);
	assert_int_equal(n, 0);
	free(r);
	in = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(svmtrace_perfscript_read_ex(in, SVMTRACE_PERFSCRIPT_SIDE_EVENTS, &info, &r,
						     &n, msg, sizeof(msg)), 0);
	fclose(in);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].event, SVM_PAGEMAP_EV_RETRY);
	assert_int_equal(r[0].ts_ns, 248405228000ull);
	assert_int_equal(r[0].pid, 172);
	assert_int_equal(r[0].id, 23);
	assert_int_equal(r[0].npages, 1);
	assert_int_equal(r[0].duration_ns, 10000000);
	assert_int_equal(r[0].path, SVM_PAGEMAP_RETRY_BUSY);
	assert_int_equal(r[1].event, SVM_PAGEMAP_EV_TIMESLICE_HOLD);
	assert_int_equal(r[1].id, 31);
	assert_int_equal(r[1].start, 0x7f3894b32000ull);
	assert_int_equal(r[1].duration_ns, 8000000);
	assert_int_equal(r[2].event, SVM_PAGEMAP_EV_EVICT_RETRY);
	assert_int_equal(r[2].start, 31);
	assert_int_equal(r[2].id, 40);
	assert_int_equal(r[2].device, 1);
	assert_int_equal(r[2].path, SVM_PAGEMAP_RETRY_NOT_DETACHED);
	assert_int_equal(r[2].npages, 2);
	assert_int_equal(r[2].result, -16);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_event_has_the_fields),
		cmocka_unit_test(test_slices_nest),
		cmocka_unit_test(test_overlapping_migrations_get_lanes),
		cmocka_unit_test(test_times_are_exact),
		cmocka_unit_test(test_stage_out_of_migration),
		cmocka_unit_test(test_stage_overlapping_previous),
		cmocka_unit_test(test_unended_migration),
		cmocka_unit_test(test_track_names),
		cmocka_unit_test(test_instants),
		cmocka_unit_test(test_iova_counter),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_perfscript_side_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
