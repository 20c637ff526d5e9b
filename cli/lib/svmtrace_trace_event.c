// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace report --trace-event: records as Trace Event Format JSON.
 *
 * Times.  A record's ts_ns is when its event fired (CLOCK_MONOTONIC); a
 * stage end and a migration end carry their duration, so each is drawn as
 * [ts_ns - duration_ns, ts_ns], in microseconds with three decimals (the
 * exact nanoseconds, printed from integers), and the args repeat start_ns,
 * end_ns and duration_ns.  The stage ends of a migration come before its
 * end, so they end inside it; a stage's start can still fall before the
 * migration's by the difference of the two tracepoints' delays (the
 * duration is measured before the event fires).  Such a migration is drawn
 * wider to hold the stage, and says so (widened_ns in its args, counted in
 * the stats); a stage whose start falls before the previous stage's end is
 * drawn from that end (shifted_ns).  Nothing else is moved.
 *
 * Tracks.  Per process (pid) and per device (pid SVMTRACE_TRACE_EVENT_DEVICE_PID
 * + device): thread 1 holds the instants, threads 2... the migrations, one
 * lane per concurrent migration (first fit in start order), so slices on
 * one thread never overlap and the stages nest inside their migration.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "svmtrace_names.h"
#include "svmtrace_trace_event.h"

#define NONE		UINT64_MAX
#define TID_EVENTS	1
#define TID_LANE0	2
#define EBUSY_RESULT	(-16)

struct te_stage {
	uint64_t rec;
	uint64_t start_ns, end_ns;	/* drawn */
	uint64_t shifted_ns;
};

struct te_mig {
	uint64_t rec;			/* the svm_migrate_end, or NONE */
	uint64_t first, n;		/* its stages in te.stages */
	uint64_t start_ns, end_ns;	/* drawn */
	uint64_t widened_ns;
	uint32_t pid, device;
	uint32_t lane_p, lane_d;
};

struct te_track {
	uint32_t key;
	uint32_t nlanes, cap;
	uint64_t *ends;
	uint64_t iova;			/* devices: IOVA bytes in use */
};

struct te_instant {
	uint64_t ts_ns;
	uint64_t rec;			/* side record, or NONE */
	uint64_t mig;			/* derived from this migration */
	int kind;
};

enum { I_SIDE, I_EVICTION, I_BUSY };

struct te_counter {
	uint64_t ts_ns;
	uint64_t bytes;
	bool free;			/* bytes given back, else taken */
	uint32_t device;
	uint64_t mig;
};

struct te {
	FILE *out;
	const struct svmtrace_record *recs;
	const struct svmtrace_trace_event_opts *o;
	struct svmtrace_trace_event_stats *st;
	struct te_stage *stages;
	uint64_t nstages;
	struct te_mig *migs;
	uint64_t nmigs;
	struct te_track *procs, *devs;
	size_t nprocs, ndevs;
	struct te_instant *inst;
	uint64_t ninst;
	struct te_counter *ctr;
	uint64_t nctr;
};

static uint64_t start_of(const struct svmtrace_record *r)
{
	return r->ts_ns > r->duration_ns ? r->ts_ns - r->duration_ns : 0;
}

static bool is_span(const struct svmtrace_record *r)
{
	return r->event == SVM_PAGEMAP_EV_MIGRATE_END || r->event == SVM_PAGEMAP_EV_STAGE_END;
}

static bool is_side(const struct svmtrace_record *r)
{
	return r->event == SVM_PAGEMAP_EV_RETRY || r->event == SVM_PAGEMAP_EV_TIMESLICE_HOLD ||
	       r->event == SVM_PAGEMAP_EV_EVICT_RETRY;
}

/* The filters but the stage; direction only where the record has one. */
static bool keep(const struct svmtrace_filter *f, const struct svmtrace_record *r)
{
	if (!f)
		return true;
	if (f->direction != SVMTRACE_ALL && r->direction != SVMTRACE_ALL &&
	    r->direction != f->direction)
		return false;
	if (f->device != SVMTRACE_ALL && r->device != f->device)
		return false;
	if (f->pid && r->pid != f->pid)
		return false;
	if (f->cgroup && r->cgroup != f->cgroup)
		return false;
	return true;
}

static bool stage_drawn(const struct svmtrace_filter *f, const struct svmtrace_record *r)
{
	return !f || f->stage < 0 || (uint32_t)f->stage == r->stage;
}

/* Spans grouped by (pid, device, id), in record order within a group. */
static int cmp_span(const void *a, const void *b, void *arg)
{
	const struct svmtrace_record *recs = arg;
	uint64_t i = *(const uint64_t *)a, j = *(const uint64_t *)b;
	const struct svmtrace_record *x = &recs[i], *y = &recs[j];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->device != y->device)
		return x->device < y->device ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* The stages of a migration run one after the other: in the order of their ends. */
static int cmp_stage(const void *a, const void *b)
{
	const struct te_stage *x = a, *y = b;

	if (x->end_ns != y->end_ns)
		return x->end_ns < y->end_ns ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* Start order; at one start the longer first, so that it takes the lower lane. */
static int cmp_mig(const void *a, const void *b)
{
	const struct te_mig *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	if (x->end_ns != y->end_ns)
		return x->end_ns > y->end_ns ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static int cmp_instant(const void *a, const void *b)
{
	const struct te_instant *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->mig != y->mig)
		return x->mig < y->mig ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* Time order; at one time the frees first, so that no false peak shows. */
static int cmp_counter(const void *a, const void *b)
{
	const struct te_counter *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->free != y->free)
		return x->free ? -1 : 1;
	return x->mig < y->mig ? -1 : x->mig > y->mig;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Close a group of stages into a migration: @end is its end record or NONE. */
static int add_mig(struct te *t, uint64_t end, uint64_t first, uint64_t nst, uint64_t cap)
{
	const struct svmtrace_record *r;
	struct te_mig *m;
	uint64_t i, lo = UINT64_MAX, hi = 0, prev_end = 0;

	if (end == NONE && !nst)
		return 0;
	if (t->nmigs == cap)
		return -EINVAL;
	m = &t->migs[t->nmigs++];
	*m = (struct te_mig){ .rec = end, .first = first, .n = nst };
	qsort(&t->stages[first], nst, sizeof(t->stages[0]), cmp_stage);
	for (i = first; i < first + nst; i++) {
		struct te_stage *s = &t->stages[i];

		if (s->start_ns < prev_end) {
			s->shifted_ns = prev_end - s->start_ns;
			s->start_ns = prev_end;
			if (s->end_ns < s->start_ns)
				s->end_ns = s->start_ns;
			t->st->shifted++;
			if (s->shifted_ns > t->st->shifted_max_ns)
				t->st->shifted_max_ns = s->shifted_ns;
		}
		prev_end = s->end_ns;
		if (s->start_ns < lo)
			lo = s->start_ns;
		if (s->end_ns > hi)
			hi = s->end_ns;
	}
	if (end != NONE) {
		r = &t->recs[end];
		m->start_ns = start_of(r);
		m->end_ns = r->ts_ns;
		if (nst && (lo < m->start_ns || hi > m->end_ns)) {
			m->widened_ns = (lo < m->start_ns ? m->start_ns - lo : 0) +
					(hi > m->end_ns ? hi - m->end_ns : 0);
			if (lo < m->start_ns)
				m->start_ns = lo;
			if (hi > m->end_ns)
				m->end_ns = hi;
			t->st->widened++;
			if (m->widened_ns > t->st->widened_max_ns)
				t->st->widened_max_ns = m->widened_ns;
		}
	} else {
		r = &t->recs[t->stages[first].rec];
		m->start_ns = lo;
		m->end_ns = hi;
		t->st->unended++;
	}
	m->pid = r->pid;
	m->device = r->device;
	return 0;
}

static struct te_track *find_track(struct te_track *tr, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tr[mid].key == key)
			return &tr[mid];
		if (tr[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Sorted unique keys of every migration and side record, as tracks. */
static int make_tracks(struct te *t, uint64_t nside, const uint64_t *side, bool dev,
		       struct te_track **out, size_t *nout)
{
	uint64_t i, n = 0;
	uint32_t *keys = malloc((t->nmigs + nside + 1) * sizeof(*keys));
	struct te_track *tr;
	size_t u = 0;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < t->nmigs; i++)
		keys[n++] = dev ? t->migs[i].device : t->migs[i].pid;
	for (i = 0; i < nside; i++)
		keys[n++] = dev ? t->recs[side[i]].device : t->recs[side[i]].pid;
	qsort(keys, n, sizeof(*keys), cmp_u32);
	tr = calloc(n + 1, sizeof(*tr));
	if (!tr) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (!u || tr[u - 1].key != keys[i])
			tr[u++].key = keys[i];
	free(keys);
	*out = tr;
	*nout = u;
	return 0;
}

/* First lane of @tr free at @start; a new one if none. */
static int take_lane(struct te_track *tr, uint64_t start, uint64_t end, uint32_t *lane)
{
	uint32_t l;

	for (l = 0; l < tr->nlanes; l++)
		if (tr->ends[l] <= start)
			break;
	if (l == tr->nlanes) {
		if (tr->nlanes == tr->cap) {
			uint32_t ncap = tr->cap ? tr->cap * 2 : 4;
			uint64_t *e = realloc(tr->ends, ncap * sizeof(*e));

			if (!e)
				return -ENOMEM;
			tr->ends = e;
			tr->cap = ncap;
		}
		tr->nlanes++;
	}
	tr->ends[l] = end;
	*lane = l;
	return 0;
}

/* ---- output ---- */

static json_object *us(uint64_t ns)
{
	char s[32];

	snprintf(s, sizeof(s), "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
	return json_object_new_double_s((double)ns / 1e3, s);
}

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void put_str(json_object *o, const char *k, const char *v)
{
	put(o, k, json_object_new_string(v));
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
	put(o, k, json_object_new_uint64(v));
}

static void put_hex(json_object *o, const char *k, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	put_str(o, k, s);
}

static void emit(struct te *t, json_object *ev)
{
	fputs(t->st->events ? ",\n" : "\n", t->out);
	fputs(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE), t->out);
	json_object_put(ev);
	t->st->events++;
}

static json_object *event(const char *ph, const char *name, const char *cat, uint32_t pid,
			  uint32_t tid)
{
	json_object *ev = json_object_new_object();

	put_str(ev, "ph", ph);
	put_str(ev, "name", name);
	if (cat)
		put_str(ev, "cat", cat);
	put(ev, "pid", json_object_new_int64(pid));
	put(ev, "tid", json_object_new_int64(tid));
	return ev;
}

static void meta(struct te *t, const char *what, uint32_t pid, uint32_t tid, const char *key,
		 json_object *value)
{
	json_object *ev = event("M", what, NULL, pid, tid), *args = json_object_new_object();

	put(ev, "ts", json_object_new_int(0));
	put(args, key, value);
	put(ev, "args", args);
	emit(t, ev);
}

static void track_meta(struct te *t, const struct te_track *tr, bool dev, int sort)
{
	uint32_t pid = dev ? SVMTRACE_TRACE_EVENT_DEVICE_PID + tr->key : tr->key;
	char name[64];
	uint32_t l;

	if (dev)
		snprintf(name, sizeof(name), "svm device %u", tr->key);
	else
		snprintf(name, sizeof(name), "pid %u", tr->key);
	meta(t, "process_name", pid, 0, "name", json_object_new_string(name));
	meta(t, "process_sort_index", pid, 0, "sort_index", json_object_new_int(sort));
	meta(t, "thread_name", pid, TID_EVENTS, "name", json_object_new_string("events"));
	for (l = 0; l < tr->nlanes; l++) {
		if (l)
			snprintf(name, sizeof(name), "migrations, lane %u", l + 1);
		else
			snprintf(name, sizeof(name), "migrations");
		meta(t, "thread_name", pid, TID_LANE0 + l, "name", json_object_new_string(name));
	}
	if (tr->nlanes > t->st->lanes_max)
		t->st->lanes_max = tr->nlanes;
}

static void span_times(json_object *ev, json_object *args, uint64_t start, uint64_t end,
		       const struct svmtrace_record *r)
{
	put(ev, "ts", us(start));
	put(ev, "dur", us(end - start));
	if (r) {
		put_u64(args, "start_ns", start_of(r));
		put_u64(args, "end_ns", r->ts_ns);
		put_u64(args, "duration_ns", r->duration_ns);
	}
}

static void emit_mig_on(struct te *t, const struct te_mig *m, uint32_t pid, uint32_t tid)
{
	const struct svmtrace_record *r = m->rec != NONE ? &t->recs[m->rec] :
					  &t->recs[t->stages[m->first].rec];
	json_object *ev, *args;
	char name[64];
	uint64_t i;

	snprintf(name, sizeof(name), "%s %s", svmtrace_direction_name(r->direction),
		 svmtrace_trigger_name(r->trigger));
	ev = event("X", name, "migration", pid, tid);
	args = json_object_new_object();
	span_times(ev, args, m->start_ns, m->end_ns, m->rec != NONE ? r : NULL);
	put_u64(args, "id", r->id);
	put_u64(args, "pid", r->pid);
	put_u64(args, "device", r->device);
	put_str(args, "direction", svmtrace_direction_name(r->direction));
	put_str(args, "trigger", svmtrace_trigger_name(r->trigger));
	if (m->rec != NONE) {
		put_str(args, "path", svmtrace_path_name(r->path));
		put_hex(args, "address", r->start);
		put_u64(args, "pages", r->npages);
		put_u64(args, "migrated_bytes", r->bytes);
		put(args, "result", json_object_new_int(r->result));
	} else {
		put(args, "end_recorded", json_object_new_boolean(0));
	}
	if (m->widened_ns)
		put_u64(args, "widened_ns", m->widened_ns);
	put(ev, "args", args);
	emit(t, ev);
	for (i = m->first; i < m->first + m->n; i++) {
		const struct te_stage *s = &t->stages[i];
		const struct svmtrace_record *sr = &t->recs[s->rec];

		ev = event("X", svmtrace_stage_name(sr->stage), "stage", pid, tid);
		args = json_object_new_object();
		span_times(ev, args, s->start_ns, s->end_ns, sr);
		put_u64(args, "id", sr->id);
		put_str(args, "path", svmtrace_path_name(sr->path));
		put_u64(args, "pages", sr->npages);
		put_u64(args, "bytes", sr->bytes);
		put(args, "result", json_object_new_int(sr->result));
		if (s->shifted_ns)
			put_u64(args, "shifted_ns", s->shifted_ns);
		put(ev, "args", args);
		emit(t, ev);
	}
}

static void emit_instant(struct te *t, const struct te_instant *in)
{
	const struct svmtrace_record *r;
	const struct te_mig *m = NULL;
	const char *name;
	json_object *ev, *args = json_object_new_object();
	uint32_t pid;

	if (in->rec != NONE) {
		r = &t->recs[in->rec];
	} else {
		m = &t->migs[in->mig];
		r = &t->recs[m->rec];
	}
	switch (in->kind == I_SIDE ? (int)r->event : -in->kind) {
	case SVM_PAGEMAP_EV_RETRY:
		name = "retry";
		pid = r->pid;
		put_u64(args, "id", r->id);
		put_u64(args, "device", r->device);
		put_str(args, "reason", svmtrace_retry_reason_name(r->path));
		put_u64(args, "attempt", r->npages);
		put_u64(args, "next_timeslice_ms", r->duration_ns / 1000000);
		break;
	case SVM_PAGEMAP_EV_TIMESLICE_HOLD:
		name = "timeslice hold";
		pid = r->pid;
		put_u64(args, "alloc_id", r->id);
		put_u64(args, "device", r->device);
		put_hex(args, "address", r->start);
		put_u64(args, "remaining_ns", r->duration_ns);
		break;
	case SVM_PAGEMAP_EV_EVICT_RETRY:
		name = "evict retry";
		pid = SVMTRACE_TRACE_EVENT_DEVICE_PID + r->device;
		put_u64(args, "alloc_id", r->start);
		put_u64(args, "id", r->id);
		put_str(args, "reason", svmtrace_retry_reason_name(r->path));
		put_u64(args, "attempt", r->npages);
		put(args, "error", json_object_new_int(r->result));
		break;
	case -I_EVICTION:
		name = "eviction";
		pid = SVMTRACE_TRACE_EVENT_DEVICE_PID + r->device;
		put_u64(args, "id", r->id);
		put_u64(args, "pid", r->pid);
		put_u64(args, "pages", r->npages);
		put(args, "result", json_object_new_int(r->result));
		break;
	default:	/* -I_BUSY */
		name = "busy";
		pid = r->pid;
		put_u64(args, "id", r->id);
		put_u64(args, "device", r->device);
		put_str(args, "meaning", "fewer pages collected than asked (-EBUSY): retried or refaulted");
		break;
	}
	put_u64(args, "ts_ns", in->ts_ns);
	ev = event("i", name, in->kind == I_SIDE ? svmtrace_event_name(r->event) : "migration",
		   pid, TID_EVENTS);
	put(ev, "ts", us(in->ts_ns));
	put_str(ev, "s", "t");
	put(ev, "args", args);
	emit(t, ev);
	t->st->instants++;
}

static void emit_counter(struct te *t, const struct te_counter *c)
{
	struct te_track *d = find_track(t->devs, t->ndevs, c->device);
	json_object *ev, *args = json_object_new_object();

	d->iova = c->free ? d->iova - c->bytes : d->iova + c->bytes;
	ev = event("C", "IOVA bytes in use", "iova", SVMTRACE_TRACE_EVENT_DEVICE_PID + c->device, 0);
	put(ev, "ts", us(c->ts_ns));
	put_u64(args, "bytes", d->iova);
	put(ev, "args", args);
	emit(t, ev);
	t->st->counters++;
}

static void emit_head(struct te *t)
{
	json_object *other = json_object_new_object();

	put_str(other, "generator", "svmtrace report --trace-event");
	if (t->o->source)
		put_str(other, "source", t->o->source);
	if (t->o->file)
		put_str(other, "file", t->o->file);
	if (t->o->kernel_release && t->o->kernel_release[0])
		put_str(other, "kernel_release", t->o->kernel_release);
	put_str(other, "clock", "CLOCK_MONOTONIC (ts in us, exact ns in args)");
	put_str(other, "iova", "derived: map stage start to unmap stage end of IOVA-path migrations");
	fprintf(t->out, "{\"displayTimeUnit\":\"ns\",\"otherData\":%s,\"traceEvents\":[",
		json_object_to_json_string_ext(other, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(other);
}

/* ---- building ---- */

/* Migrations from the spans: stages group under the next end of their key. */
static int build_migs(struct te *t, const uint64_t *span, uint64_t nspan)
{
	const struct svmtrace_filter *f = t->o->filter;
	uint64_t i = 0, cap = nspan;

	t->stages = malloc((nspan + 1) * sizeof(*t->stages));
	t->migs = malloc((nspan + 1) * sizeof(*t->migs));
	if (!t->stages || !t->migs)
		return -ENOMEM;
	while (i < nspan) {
		const struct svmtrace_record *k = &t->recs[span[i]];
		uint64_t first = t->nstages;

		for (; i < nspan; i++) {
			const struct svmtrace_record *r = &t->recs[span[i]];

			if (r->pid != k->pid || r->device != k->device || r->id != k->id)
				break;
			if (r->event == SVM_PAGEMAP_EV_MIGRATE_END) {
				if (add_mig(t, span[i], first, t->nstages - first, cap))
					return -EINVAL;
				first = t->nstages;
			} else if (stage_drawn(f, r)) {
				t->stages[t->nstages++] = (struct te_stage){
					.rec = span[i], .start_ns = start_of(r), .end_ns = r->ts_ns,
				};
			}
		}
		if (add_mig(t, NONE, first, t->nstages - first, cap))
			return -EINVAL;
	}
	t->st->migrations = t->nmigs;
	t->st->stages = t->nstages;
	qsort(t->migs, t->nmigs, sizeof(*t->migs), cmp_mig);
	return 0;
}

static int build_lanes(struct te *t)
{
	uint64_t i;

	for (i = 0; i < t->nmigs; i++) {
		struct te_mig *m = &t->migs[i];

		if (take_lane(find_track(t->procs, t->nprocs, m->pid), m->start_ns, m->end_ns,
			      &m->lane_p) ||
		    take_lane(find_track(t->devs, t->ndevs, m->device), m->start_ns, m->end_ns,
			      &m->lane_d))
			return -ENOMEM;
	}
	return 0;
}

/* Instants (side records, evictions, -EBUSY ends) and the IOVA counter changes. */
static int build_points(struct te *t, const uint64_t *side, uint64_t nside)
{
	uint64_t i, j;

	t->inst = malloc((nside + 2 * t->nmigs + 1) * sizeof(*t->inst));
	t->ctr = malloc((2 * t->nmigs + 1) * sizeof(*t->ctr));
	if (!t->inst || !t->ctr)
		return -ENOMEM;
	for (i = 0; i < nside; i++)
		t->inst[t->ninst++] = (struct te_instant){
			.ts_ns = t->recs[side[i]].ts_ns, .rec = side[i], .mig = NONE, .kind = I_SIDE,
		};
	for (i = 0; i < t->nmigs; i++) {
		const struct te_mig *m = &t->migs[i];
		const struct svmtrace_record *r;
		const struct te_stage *map = NULL, *unmap = NULL;

		if (m->rec != NONE) {
			r = &t->recs[m->rec];
			if (r->direction == SVM_PAGEMAP_DIR_EVICT ||
			    r->trigger == SVM_PAGEMAP_TRIGGER_EVICTION)
				t->inst[t->ninst++] = (struct te_instant){
					.ts_ns = m->start_ns, .rec = NONE, .mig = i, .kind = I_EVICTION,
				};
			if (r->result == EBUSY_RESULT)
				t->inst[t->ninst++] = (struct te_instant){
					.ts_ns = m->end_ns, .rec = NONE, .mig = i, .kind = I_BUSY,
				};
		}
		for (j = m->first; j < m->first + m->n; j++) {
			const struct svmtrace_record *s = &t->recs[t->stages[j].rec];

			if (s->stage == SVM_PAGEMAP_STAGE_MAP && s->path == SVM_PAGEMAP_PATH_IOVA &&
			    s->bytes && !map)
				map = &t->stages[j];
			if (s->stage == SVM_PAGEMAP_STAGE_UNMAP)
				unmap = &t->stages[j];
		}
		if (map) {
			uint64_t bytes = t->recs[map->rec].bytes;

			t->ctr[t->nctr++] = (struct te_counter){
				.ts_ns = map->start_ns, .bytes = bytes, .device = m->device, .mig = i,
			};
			t->ctr[t->nctr++] = (struct te_counter){
				.ts_ns = unmap && unmap->end_ns >= map->start_ns ? unmap->end_ns : m->end_ns,
				.bytes = bytes, .free = true, .device = m->device, .mig = i,
			};
		}
	}
	qsort(t->inst, t->ninst, sizeof(*t->inst), cmp_instant);
	qsort(t->ctr, t->nctr, sizeof(*t->ctr), cmp_counter);
	return 0;
}

static void emit_all(struct te *t)
{
	uint64_t i, a = 0, b = 0, c = 0;
	size_t k;

	emit_head(t);
	for (k = 0; k < t->nprocs; k++)
		track_meta(t, &t->procs[k], false, (int)k);
	for (k = 0; k < t->ndevs; k++)
		track_meta(t, &t->devs[k], true, (int)(t->nprocs + k));
	/* time order: migrations by start, instants and counters by time */
	while (a < t->nmigs || b < t->ninst || c < t->nctr) {
		uint64_t ta = a < t->nmigs ? t->migs[a].start_ns : UINT64_MAX;
		uint64_t tb = b < t->ninst ? t->inst[b].ts_ns : UINT64_MAX;
		uint64_t tc = c < t->nctr ? t->ctr[c].ts_ns : UINT64_MAX;

		if (ta <= tb && ta <= tc) {
			const struct te_mig *m = &t->migs[a++];

			emit_mig_on(t, m, m->pid, TID_LANE0 + m->lane_p);
			emit_mig_on(t, m, SVMTRACE_TRACE_EVENT_DEVICE_PID + m->device,
				    TID_LANE0 + m->lane_d);
		} else if (tb <= tc) {
			emit_instant(t, &t->inst[b++]);
		} else {
			emit_counter(t, &t->ctr[c++]);
		}
	}
	fputs("\n]}\n", t->out);
	for (i = 0; i < t->nprocs; i++)
		free(t->procs[i].ends);
	for (i = 0; i < t->ndevs; i++)
		free(t->devs[i].ends);
}

/**
 * svmtrace_trace_event_write() - records as a Trace Event Format timeline
 * @out: where to write the JSON
 * @recs: the records (stage ends, migration ends, and the side events of
 *        svmtrace_perfscript_read_ex()); others are skipped
 * @n: their number
 * @o: the filter and what to say about the source
 * @st: set to what was written
 *
 * Return: 0, -ENOMEM (nothing written), or -EIO when writing @out failed.
 */
int svmtrace_trace_event_write(FILE *out, const struct svmtrace_record *recs, uint64_t n,
			       const struct svmtrace_trace_event_opts *o,
			       struct svmtrace_trace_event_stats *st)
{
	struct te t = { .out = out, .recs = recs, .o = o, .st = st };
	uint64_t *span = malloc((n + 1) * sizeof(*span)), *side = malloc((n + 1) * sizeof(*side));
	uint64_t i, nspan = 0, nside = 0;
	int ret = -ENOMEM;

	memset(st, 0, sizeof(*st));
	if (!span || !side)
		goto out;
	for (i = 0; i < n; i++) {
		if (!keep(o->filter, &recs[i]))
			continue;
		if (is_span(&recs[i]))
			span[nspan++] = i;
		else if (is_side(&recs[i]))
			side[nside++] = i;
	}
	qsort_r(span, nspan, sizeof(*span), cmp_span, (void *)recs);
	if (build_migs(&t, span, nspan) ||
	    make_tracks(&t, nside, side, false, &t.procs, &t.nprocs) ||
	    make_tracks(&t, nside, side, true, &t.devs, &t.ndevs) ||
	    build_lanes(&t) || build_points(&t, side, nside))
		goto out;
	emit_all(&t);
	ret = fflush(out) || ferror(out) ? -EIO : 0;
out:
	if (ret == -ENOMEM && t.procs)
		for (i = 0; i < t.nprocs; i++)
			free(t.procs[i].ends);
	if (ret == -ENOMEM && t.devs)
		for (i = 0; i < t.ndevs; i++)
			free(t.devs[i].ends);
	free(span);
	free(side);
	free(t.stages);
	free(t.migs);
	free(t.procs);
	free(t.devs);
	free(t.inst);
	free(t.ctr);
	return ret;
}
