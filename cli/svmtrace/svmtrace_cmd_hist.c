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
#include "svmtrace_histogram.h"
#include "svmtrace_render.h"

struct hist_options {
	struct svmtrace_session_opts session;
	struct svmtrace_render_opts render;
	struct svmtrace_filter filter;
	double interval;
	long count;		/* intervals; -1: until interrupted */
	char **command;
	const char *output;
};

static const char hist_doc[] =
	"Migration latency histograms per stage, aggregated in the kernel.\n"
	"Collects around COMMAND, every INTERVAL seconds (COUNT times), or until Ctrl-C.\n"
	"Per key, a line of count, avg, p50, p90, p99 and max over its log2 bars;\n"
	"--table prints the lines alone (with p99.9); -j prints JSON.\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtrace hist -- svmbench roundtrip     # stages of one run\n"
	"    svmtrace hist 1 10                      # ten 1-second windows\n"
	"    svmtrace hist -S map --by stage,path    # the map stage, IOVA vs page path\n"
	"    svmtrace hist --table -m -D to_ram      # a line per stage, ms, CPU faults only\n"
	"    svmtrace hist --by stage,pid -j -- ./app  # per process, JSON\n";

enum { OPT_MAX_KEYS = 1000, OPT_PP_K, OPT_PP_MS };

static const struct argp_option hist_argp_options[] = {
	{ "output", 'o', "FILE", 0, "write to FILE instead of stdout", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0, "cap on histogram keys in the kernel (default 1024)", 0 },
	{ "pingpong-k", OPT_PP_K, "K", 0, "round trips that make a range ping-pong (default 3)", 0 },
	{ "pingpong-ms", OPT_PP_MS, "MS", 0, "... within MS milliseconds (default 1000)", 0 },
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

static error_t hist_parse(int key, char *arg, struct argp_state *state)
{
	struct hist_options *o = state->input;
	uint64_t v;
	char *end;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->render;
		state->child_inputs[1] = &o->filter;
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
		o->session.per_pid = o->render.by[SVMTRACE_DIM_PID];
		o->session.per_cgroup = o->render.by[SVMTRACE_DIM_CGROUP];
		o->session.pid = o->filter.pid;
		o->session.cgroup = o->filter.cgroup;
		o->session.device = o->filter.device;
		o->session.direction = o->filter.direction;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct collect_ctx {
	const struct hist_options *o;
	struct svmtrace_hist_entry *entries;
	size_t n, cap;
	int err;
};

static void collect_one(const struct svmtrace_hist_key *raw, const struct svmtrace_hist *h, void *arg)
{
	struct collect_ctx *c = arg;
	struct svmtrace_hist_key key = *raw;
	struct svmtrace_hist_entry *e;

	if (c->err || (c->o->filter.stage >= 0 && key.stage != (uint32_t)c->o->filter.stage))
		return;
	svmtrace_project_key(&c->o->render, &key);
	e = svmtrace_entries_find(&c->entries, &c->n, &c->cap, &key);
	if (!e) {
		c->err = -ENOMEM;
		return;
	}
	svmtrace_histo_merge(&e->hist, h);
}

/*
 * Read every kernel histogram, project its key and merge equal keys.
 * Returns 0 with the entries in *out (sorted) and their number in *n, or a
 * negative errno.
 */
static int collect_hists(struct svmtrace_session *s, const struct hist_options *o,
			 struct svmtrace_hist_entry **out, size_t *n)
{
	struct collect_ctx c = { .o = o };
	int err = svmtrace_for_each_hist(s, collect_one, &c);

	if (!err)
		err = c.err;
	if (err) {
		svmtrace_entries_free(c.entries, c.n);
		*n = 0;
		return err;
	}
	svmtrace_entries_sort(c.entries, c.n);
	*out = c.entries;
	*n = c.n;
	return 0;
}

static int report_window(FILE *out, struct svmtrace_session *s, const struct hist_options *o,
			 double seconds)
{
	uint64_t counters[SVMTRACE_CNT_MAX], events[SVMTRACE_EV_MAX], missed[SVMTRACE_EV_MAX];
	struct svmtrace_hist_entry *entries = NULL;
	size_t n, i;
	int err;

	err = collect_hists(s, o, &entries, &n);
	if (err)
		return err;
	err = svmtrace_read_counters(s, counters);
	if (!err)
		err = svmtrace_read_event_counts(s, events);
	if (!err)
		err = svmtrace_bpf_missed(s, missed);
	if (err) {
		svmtrace_entries_free(entries, n);
		return err;
	}
	if (o->render.json) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();
		json_object *ev = json_object_new_object(), *mi = json_object_new_object();
		unsigned int e;

		json_object_object_add(root, "seconds", json_object_new_double(seconds));
		json_object_object_add(root, "source",
				       json_object_new_string(svmtrace_source_name(s->source)));
		json_object_object_add(root, "programs", json_object_new_string(
					       svmtrace_session_programs(s)));
		for (i = 0; i < n; i++)
			json_object_array_add(arr, svmtrace_render_entry_json(&o->render, &entries[i]));
		json_object_object_add(root, "histograms", arr);
		json_object_object_add(root, "counters", svmtrace_render_counters_json(counters));
		for (e = 0; e < SVMTRACE_EV_MAX; e++)
			json_object_object_add(ev, svmtrace_event_name(e), json_object_new_uint64(events[e]));
		json_object_object_add(root, "events", ev);
		for (e = 0; e < SVMTRACE_EV_MAX; e++)
			json_object_object_add(mi, svmtrace_event_name(e), json_object_new_uint64(missed[e]));
		json_object_object_add(root, "missed_events", mi);
		svmtrace_json_print(out, root);
	} else {
		fprintf(out, "svm_pagemap migration latency over %.3f s (%s source, %s programs, "
			"times in %s)\n", seconds, svmtrace_source_name(s->source),
			svmtrace_session_programs(s), o->render.unit);
		if (!n)
			fprintf(out, "\nno migrations\n");
		for (i = 0; i < n; i++)
			svmtrace_render_entry(out, &o->render, &entries[i]);
		svmtrace_render_counters(out, counters);
		if (svmtrace_missed_total(missed))
			fprintf(out, "\nwarning: the kernel skipped %llu svm_pagemap events since svmtrace "
				"attached (a program preempted on its CPU by another hit of the same "
				"event): counts and histograms miss them\n",
				(unsigned long long)svmtrace_missed_total(missed));
	}
	fflush(out);
	svmtrace_entries_free(entries, n);
	return 0;
}

/* Everything after "--" is the command, never interval or count. */
char **svmtrace_split_command(int *argc, char **argv)
{
	int i;

	for (i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			char **command = i + 1 < *argc ? argv + i + 1 : NULL;

			argv[i] = NULL;
			*argc = i;
			return command;
		}
	}
	return NULL;
}

int svmtrace_cmd_hist(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &svmtrace_render_argp, 0, "Output:", 0 },
		{ &svmtrace_filter_argp, 0, "Filters:", 0 },
		{ &svmtrace_bpf_argp, 0, "BPF programs:", 0 },
		{},
	};
	static const struct argp argp = {
		.options = hist_argp_options,
		.parser = hist_parse,
		.args_doc = "[INTERVAL [COUNT]] | [-- COMMAND [ARG...]]",
		.doc = hist_doc,
		.children = children,
	};
	struct hist_options o = {
		.session = SVMTRACE_SESSION_OPTS_DEFAULT,
		.render = SVMTRACE_RENDER_OPTS_DEFAULT,
		.filter = SVMTRACE_FILTER_DEFAULT,
		.count = -1,
	};
	struct svmtrace_session s;
	FILE *out = stdout;
	int err, status = 0;
	double start;

	o.command = svmtrace_split_command(&argc, argv);
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
