// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace report: the histograms of svmtrace hist, rebuilt offline from a
 * record file.  Since the file holds every value, its percentiles are exact
 * (nearest rank over the sorted durations); the bucket estimates that hist
 * would print are shown next to them.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "svmtrace_cli.h"
#include "svmtrace_html.h"
#include "svmtrace_json_stream.h"
#include "svmtrace_perfscript.h"
#include "svmtrace_recfile.h"
#include "svmtrace_render.h"
#include "svmtrace_replay.h"
#include "svmtrace_trace_event.h"

struct report_options {
	struct svmtrace_render_opts render;
	struct svmtrace_filter filter;
	const char *file;
	const char *html;
	const char *trace_event;
	size_t max_keys;
	bool partial;
	bool perf_script;
};

static const char report_doc[] =
	"Latency histograms from a file written by 'svmtrace record', or with\n"
	"--perf-script from the text 'perf script' prints for svm_pagemap:* events,\n"
	"with exact percentiles. Takes the output options and filters of\n"
	"'svmtrace hist'.\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtrace report run.svmrec                  # per stage, direction, path\n"
	"    svmtrace report run.svmrec -S total -m      # whole migrations, in ms\n"
	"    svmtrace report run.svmrec --by stage,pid   # per process\n"
	"    svmtrace report run.svmrec --table          # a line per key, bucket estimates\n"
	"    svmtrace report run.svmrec -j               # JSON, as svmtrace hist -j\n"
	"    svmtrace report run.svmrec --html run.html  # one page with charts\n"
	"    svmtrace report run.svmrec --trace-event run.json   # timeline for ui.perfetto.dev\n"
	"    perf script -F +pid | svmtrace report --perf-script -   # from perf, no BPF\n";

enum { OPT_PARTIAL = 1000, OPT_PERF_SCRIPT, OPT_MAX_KEYS };
enum { OPT_HTML = 1020 };
enum { OPT_TRACE_EVENT = 1030 };

static const struct argp_option report_argp_options[] = {
	{ "partial", OPT_PARTIAL, NULL, 0, "report what a truncated or unfinished file still holds; "
	  "with --perf-script, skip lines it cannot read", 0 },
	{ "perf-script", OPT_PERF_SCRIPT, NULL, 0, "FILE is the text 'perf script' prints for "
	  "svm_pagemap:* events ('-': standard input)", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0, "at most N histograms (default and most: 1048576); "
	  "the records of later keys are counted as dropped", 0 },
	{ "html", OPT_HTML, "FILE", 0, "also write the report as one self-contained HTML page "
	  "(SVG charts, no script, nothing fetched) to FILE", 0 },
	{ "trace-event", OPT_TRACE_EVENT, "FILE", 0, "also write the records as a timeline to FILE: "
	  "Trace Event Format JSON for Perfetto UI, chrome://tracing, speedscope ('-': standard "
	  "output, instead of the report)", 0 },
	{},
};

static error_t report_parse(int key, char *arg, struct argp_state *state)
{
	struct report_options *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->render;
		state->child_inputs[1] = &o->filter;
		break;
	case OPT_PARTIAL:
		o->partial = true;
		break;
	case OPT_PERF_SCRIPT:
		o->perf_script = true;
		break;
	case OPT_HTML:
		o->html = arg;
		break;
	case OPT_TRACE_EVENT:
		o->trace_event = arg;
		break;
	case OPT_MAX_KEYS: {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(arg, &end, 10);
		if (!*arg || *end || errno || !v || v > SVMTRACE_REPLAY_MAX_KEYS || arg[0] == '-')
			argp_error(state, "invalid --max-keys '%s' (1-%u)", arg, SVMTRACE_REPLAY_MAX_KEYS);
		o->max_keys = v;
		break;
	}
	case ARGP_KEY_ARG:
		if (state->arg_num)
			argp_error(state, "unexpected argument '%s': one FILE at a time", arg);
		o->file = arg;
		break;
	case ARGP_KEY_END:
		if (!o->file)
			argp_error(state, o->perf_script ? "no FILE: give the text of 'perf script' ('-': standard input)"
				   : "no FILE: give a file written by 'svmtrace record -o FILE'");
		if (!strcmp(o->file, "-") && !o->perf_script)
			argp_error(state, "'-' (standard input) is for --perf-script text; give a record file");
		if ((o->render.by[SVMTRACE_DIM_CGROUP] || o->filter.cgroup) && o->perf_script)
			argp_error(state, "perf script text carries no cgroup: filter when recording "
				   "(perf record -G)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static double recording_seconds(const struct svmtrace_recfile_info *info,
				const struct svmtrace_record *recs, uint64_t n)
{
	if (info->end_monotonic_ns > info->start_monotonic_ns)
		return (info->end_monotonic_ns - info->start_monotonic_ns) / 1e9;
	if (n && recs[n - 1].ts_ns > info->start_monotonic_ns)
		return (recs[n - 1].ts_ns - info->start_monotonic_ns) / 1e9;
	return 0;
}

/* The programs that made a recording: the module's (tp_btf or raw_tp) or fentry. */
static const char *recorded_programs(const struct svmtrace_recfile_info *info)
{
	if (info->flags & SVMTRACE_RECFILE_KERNEL_SOURCE)
		return "fentry";
	return info->flags & SVMTRACE_RECFILE_RAW_TP ? "raw_tp" : "tp_btf";
}

/*
 * The histograms, each built from its key's values when it is printed: one
 * histogram in memory at a time, however many keys.
 */
static void print_entries(FILE *out, const struct report_options *o,
			  const struct svmtrace_replay *rp, struct svmtrace_hist_entry *scratch)
{
	size_t i;

	for (i = 0; i < rp->ngroups; i++) {
		svmtrace_replay_entry(rp, i, scratch);
		svmtrace_render_entry(out, &o->render, scratch);
	}
}

/*
 * @head's members, "histograms" streamed one by one (a JSON tree of them
 * all would take tens of kB per key), then @tail's members.
 */
static void print_entries_json(FILE *out, const struct report_options *o,
			       const struct svmtrace_replay *rp, struct svmtrace_hist_entry *scratch,
			       json_object *head, json_object *tail)
{
	struct svmtrace_json_stream s;
	size_t i;

	svmtrace_json_stream_begin(&s, out, head, "histograms");
	for (i = 0; i < rp->ngroups; i++) {
		svmtrace_replay_entry(rp, i, scratch);
		svmtrace_json_stream_item(&s, svmtrace_render_entry_json(&o->render, scratch));
	}
	svmtrace_json_stream_end(&s, tail);
}

/* Only when the cap was reached, so that normal reports keep their exact bytes. */
static void add_dropped_json(json_object *root, const struct svmtrace_replay *rp)
{
	json_object *d;

	if (!rp->dropped_records)
		return;
	d = json_object_new_object();
	json_object_object_add(d, "max_keys", json_object_new_uint64(rp->max_keys));
	json_object_object_add(d, "records", json_object_new_uint64(rp->dropped_records));
	json_object_object_add(root, "over_max_keys", d);
}

static void warn_dropped(const struct report_options *o, const struct svmtrace_replay *rp)
{
	if (rp->dropped_records)
		fprintf(stderr, "svmtrace report: %s: warning: more than %zu keys: %llu records of "
			"later keys are not in the histograms (--max-keys)\n", o->file, rp->max_keys,
			(unsigned long long)rp->dropped_records);
}

/* --html FILE: refused before anything is read when FILE.tmp cannot be made (exit 2). */
static int html_check(const struct report_options *o)
{
	char tmp[4096];
	FILE *f;

	if (!strcmp(o->html, o->file)) {
		fprintf(stderr, "svmtrace report: --html '%s' would overwrite the input\n", o->html);
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->html);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "svmtrace report: cannot write '%s': %s\n", tmp, strerror(errno));
		return 2;
	}
	fclose(f);
	unlink(tmp);
	return 0;
}

/* The page, written to FILE.tmp and renamed: never a half page under FILE. */
static int html_report(const struct report_options *o, const struct svmtrace_html_run *run,
		       const struct svmtrace_record *recs, uint64_t n, const struct svmtrace_replay *rp)
{
	char tmp[4096];
	FILE *f;
	int err;

	snprintf(tmp, sizeof(tmp), "%s.tmp", o->html);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "svmtrace report: cannot write '%s': %s\n", tmp, strerror(errno));
		return 1;
	}
	err = svmtrace_html_write(f, run, &o->render, &o->filter, recs, n, rp);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, o->html))
		err = -errno;
	if (err) {
		fprintf(stderr, "svmtrace report: writing '%s' failed: %s\n", o->html, strerror(-err));
		unlink(tmp);
		return 1;
	}
	return 0;
}

/* --trace-event FILE: refused before anything is read when FILE.tmp cannot be made (exit 2). */
static int trace_event_check(const struct report_options *o)
{
	char tmp[4096];
	FILE *f;

	if (!strcmp(o->trace_event, "-"))
		return 0;
	if (!strcmp(o->trace_event, o->file) || (o->html && !strcmp(o->trace_event, o->html))) {
		fprintf(stderr, "svmtrace report: --trace-event '%s' would overwrite the %s\n",
			o->trace_event, strcmp(o->trace_event, o->file) ? "--html page" : "input");
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->trace_event);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "svmtrace report: cannot write '%s': %s\n", tmp, strerror(errno));
		return 2;
	}
	fclose(f);
	unlink(tmp);
	return 0;
}

/*
 * The timeline, to standard output or to FILE.tmp renamed to FILE; the
 * stages drawn moved to fit their migration are counted on stderr.
 */
static int trace_event_report(const struct report_options *o, const char *source,
			      const char *kernel_release, const struct svmtrace_record *recs,
			      uint64_t n)
{
	struct svmtrace_trace_event_opts teo = {
		.filter = &o->filter, .source = source, .file = o->file,
		.kernel_release = kernel_release,
	};
	struct svmtrace_trace_event_stats st;
	bool to_stdout = !strcmp(o->trace_event, "-");
	char tmp[4096];
	FILE *f = stdout;
	int err;

	snprintf(tmp, sizeof(tmp), "%s.tmp", o->trace_event);
	if (!to_stdout && !(f = fopen(tmp, "w"))) {
		fprintf(stderr, "svmtrace report: cannot write '%s': %s\n", tmp, strerror(errno));
		return 1;
	}
	err = svmtrace_trace_event_write(f, recs, n, &teo, &st);
	if (!to_stdout && fclose(f) && !err)
		err = -errno;
	if (!to_stdout && !err && rename(tmp, o->trace_event))
		err = -errno;
	if (err) {
		fprintf(stderr, "svmtrace report: writing '%s' failed: %s\n",
			to_stdout ? "standard output" : o->trace_event, strerror(-err));
		if (!to_stdout)
			unlink(tmp);
		return 1;
	}
	if (st.widened || st.shifted)
		fprintf(stderr, "svmtrace report: %s: note: %llu migrations drawn wider (at most %llu ns) "
			"and %llu stages drawn later (at most %llu ns) so that stages nest: tracepoint "
			"delays (widened_ns, shifted_ns in their args)\n", o->trace_event,
			(unsigned long long)st.widened, (unsigned long long)st.widened_max_ns,
			(unsigned long long)st.shifted, (unsigned long long)st.shifted_max_ns);
	if (st.unended)
		fprintf(stderr, "svmtrace report: %s: note: %llu migrations have stages but no "
			"svm_migrate_end: drawn over their stages (end_recorded false)\n",
			o->trace_event, (unsigned long long)st.unended);
	return 0;
}

static void print_json(FILE *out, const struct report_options *o,
		       const struct svmtrace_recfile_info *info, const struct svmtrace_record *recs,
		       uint64_t n, const struct svmtrace_replay *rp,
		       struct svmtrace_hist_entry *scratch, bool complete)
{
	json_object *root = json_object_new_object(), *tail = json_object_new_object();
	json_object *ev = json_object_new_object();
	uint64_t counts[SVMTRACE_EV_MAX] = {}, r;

	for (r = 0; r < n; r++)
		if (recs[r].event < SVMTRACE_EV_MAX)
			counts[recs[r].event]++;
	json_object_object_add(root, "file", json_object_new_string(o->file));
	json_object_object_add(root, "format_version", json_object_new_int(info->version));
	json_object_object_add(root, "kernel_release", json_object_new_string(info->kernel_release));
	json_object_object_add(root, "seconds", json_object_new_double(recording_seconds(info, recs, n)));
	json_object_object_add(root, "source", json_object_new_string(
		info->flags & SVMTRACE_RECFILE_KERNEL_SOURCE ? "kernel" : "module"));
	json_object_object_add(root, "programs", json_object_new_string(recorded_programs(info)));
	json_object_object_add(root, "complete", json_object_new_boolean(complete));
	json_object_object_add(root, "records", json_object_new_uint64(n));
	json_object_object_add(root, "lost", json_object_new_uint64(info->lost));
	add_dropped_json(tail, rp);
	if (complete)
		json_object_object_add(tail, "counters", svmtrace_render_counters_json(info->counters));
	json_object_object_add(ev, svmtrace_event_name(SVM_PAGEMAP_EV_MIGRATE_END),
			       json_object_new_uint64(counts[SVM_PAGEMAP_EV_MIGRATE_END]));
	json_object_object_add(ev, svmtrace_event_name(SVM_PAGEMAP_EV_STAGE_END),
			       json_object_new_uint64(counts[SVM_PAGEMAP_EV_STAGE_END]));
	json_object_object_add(tail, "events", ev);
	print_entries_json(out, o, rp, scratch, root, tail);
}

static void print_perf_json(FILE *out, const struct report_options *o,
			    const struct svmtrace_perfscript_info *info, uint64_t n,
			    const struct svmtrace_replay *rp, struct svmtrace_hist_entry *scratch)
{
	json_object *root = json_object_new_object(), *tail = json_object_new_object();
	json_object *ev = json_object_new_object(), *skipped = json_object_new_object();
	unsigned int e;

	json_object_object_add(root, "file", json_object_new_string(o->file));
	json_object_object_add(root, "source", json_object_new_string("perf script"));
	json_object_object_add(root, "seconds", json_object_new_double((info->last_ts_ns - info->first_ts_ns) / 1e9));
	json_object_object_add(root, "lines", json_object_new_uint64(info->lines));
	json_object_object_add(root, "records", json_object_new_uint64(n));
	add_dropped_json(tail, rp);
	for (e = 0; e < SVMTRACE_EV_MAX; e++)
		json_object_object_add(ev, svmtrace_event_name(e), json_object_new_uint64(info->events[e]));
	json_object_object_add(tail, "events", ev);
	json_object_object_add(skipped, "other_events", json_object_new_uint64(info->other_events));
	json_object_object_add(skipped, "unknown_svm_pagemap_events",
			       json_object_new_uint64(info->unknown_svm_events));
	json_object_object_add(skipped, "malformed_lines", json_object_new_uint64(info->malformed));
	json_object_object_add(tail, "skipped", skipped);
	print_entries_json(out, o, rp, scratch, root, tail);
}

static void print_perf_text(FILE *out, const struct report_options *o,
			    const struct svmtrace_perfscript_info *info, uint64_t n,
			    const struct svmtrace_replay *rp, struct svmtrace_hist_entry *scratch)
{
	unsigned int e;

	fprintf(out, "svm_pagemap migration latency from %s (perf script): %llu records over %.3f s "
		"(times in %s, exact percentiles)\n", o->file, (unsigned long long)n,
		(info->last_ts_ns - info->first_ts_ns) / 1e9, o->render.unit);
	if (!rp->ngroups)
		fprintf(out, "\nno migrations\n");
	print_entries(out, o, rp, scratch);
	fprintf(out, "\nevents:");
	for (e = 0; e < SVMTRACE_EV_MAX; e++)
		if (info->events[e])
			fprintf(out, "  %s %llu", svmtrace_event_name(e), (unsigned long long)info->events[e]);
	fprintf(out, "\nskipped: %llu events of other systems, %llu unknown svm_pagemap events, "
		"%llu malformed lines\n", (unsigned long long)info->other_events,
		(unsigned long long)info->unknown_svm_events, (unsigned long long)info->malformed);
}

/* report --perf-script: the records perf's text implies, through the same replay. */
static int report_perf_script(const struct report_options *o)
{
	struct svmtrace_hist_entry *scratch;
	struct svmtrace_perfscript_info info;
	struct svmtrace_record *recs = NULL;
	bool by_pid = o->render.by[SVMTRACE_DIM_PID] || o->filter.pid;
	struct svmtrace_replay rp;
	char msg[256];
	uint64_t n;
	FILE *in;
	int ret;

	in = strcmp(o->file, "-") ? fopen(o->file, "r") : stdin;
	if (!in) {
		fprintf(stderr, "svmtrace report: cannot open %s: %s\n", o->file, strerror(errno));
		return 1;
	}
	ret = svmtrace_perfscript_read_ex(in, (o->partial ? SVMTRACE_PERFSCRIPT_PARTIAL : 0) |
					  (o->trace_event ? SVMTRACE_PERFSCRIPT_SIDE_EVENTS : 0),
					  &info, &recs, &n, msg, sizeof(msg));
	if (in != stdin)
		fclose(in);
	if (ret == SVMTRACE_PERFSCRIPT_ERR_MALFORMED) {
		fprintf(stderr, "svmtrace report: %s: %s (--partial skips such lines)\n", o->file, msg);
		return 1;
	} else if (ret) {
		fprintf(stderr, "svmtrace report: %s: %s\n", o->file, msg);
		return 1;
	}
	if (msg[0])
		fprintf(stderr, "svmtrace report: %s: warning: %s (--partial)\n", o->file, msg);
	if (by_pid && !info.pid_column) {
		fprintf(stderr, "svmtrace report: %s: some events have no pid column: print it with "
			"'perf script -F +pid'\n", o->file);
		free(recs);
		return 1;
	}
	if (by_pid && info.tid_only)
		fprintf(stderr, "svmtrace report: %s: note: these are thread ids (perf script's default); "
			"'perf script -F +pid' prints process ids\n", o->file);
	scratch = malloc(sizeof(*scratch));
	if (!scratch || svmtrace_replay_build(&rp, recs, n, &o->filter, &o->render, o->max_keys)) {
		fprintf(stderr, "svmtrace report: out of memory for %llu records\n", (unsigned long long)n);
		free(scratch);
		free(recs);
		return 1;
	}
	warn_dropped(o, &rp);
	if (o->html) {
		struct svmtrace_html_run run = {
			.file = o->file, .source = "perf script", .records = n, .complete = true,
			.seconds = (info.last_ts_ns - info.first_ts_ns) / 1e9,
			.t0_ns = info.first_ts_ns, .t1_ns = info.last_ts_ns,
		};

		if (html_report(o, &run, recs, n, &rp)) {
			svmtrace_replay_free(&rp);
			free(scratch);
			free(recs);
			return 1;
		}
	}
	if (o->trace_event) {
		ret = trace_event_report(o, "perf script", NULL, recs, n);
		if (ret || !strcmp(o->trace_event, "-")) {
			svmtrace_replay_free(&rp);
			free(scratch);
			free(recs);
			return ret;
		}
	}
	if (o->render.json)
		print_perf_json(stdout, o, &info, n, &rp, scratch);
	else
		print_perf_text(stdout, o, &info, n, &rp, scratch);
	svmtrace_replay_free(&rp);
	free(scratch);
	free(recs);
	if (fflush(stdout)) {
		fprintf(stderr, "svmtrace report: writing the report failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int svmtrace_cmd_report(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &svmtrace_render_argp, 0, "Output:", 0 },
		{ &svmtrace_filter_argp, 0, "Filters:", 0 },
		{},
	};
	static const struct argp argp = {
		.options = report_argp_options,
		.parser = report_parse,
		.args_doc = "FILE",
		.doc = report_doc,
		.children = children,
	};
	struct report_options o = {
		.render = SVMTRACE_RENDER_OPTS_DEFAULT,
		.filter = SVMTRACE_FILTER_DEFAULT,
		.max_keys = SVMTRACE_REPLAY_MAX_KEYS,
	};
	struct svmtrace_hist_entry *scratch;
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs = NULL;
	struct svmtrace_replay rp;
	bool complete = true;
	char msg[256];
	uint64_t n;
	int ret;

	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	if (o.html && (ret = html_check(&o)))
		return ret;
	if (o.trace_event && (ret = trace_event_check(&o)))
		return ret;
	if (o.perf_script)
		return report_perf_script(&o);
	ret = svmtrace_recfile_read(o.file, &info, &recs, msg, sizeof(msg));
	if (ret == SVMTRACE_RECFILE_ERR_TRUNCATED && o.partial) {
		fprintf(stderr, "svmtrace report: %s: %s; reporting those (--partial)\n", o.file, msg);
		complete = false;
	} else if (ret == SVMTRACE_RECFILE_ERR_TRUNCATED) {
		fprintf(stderr, "svmtrace report: %s: %s (--partial reports them)\n", o.file, msg);
		free(recs);
		return 1;
	} else if (ret) {
		fprintf(stderr, "svmtrace report: %s: %s\n", o.file, msg);
		return 1;
	}
	if ((o.render.by[SVMTRACE_DIM_CGROUP] || o.filter.cgroup) &&
	    !svmtrace_recfile_has_cgroup(&info)) {
		fprintf(stderr, "svmtrace report: %s: its records carry no cgroup id (recorded by an "
			"older svmtrace): drop --by cgroup and -c\n", o.file);
		free(recs);
		return 2;
	}
	n = complete ? info.record_count : info.readable;
	scratch = malloc(sizeof(*scratch));
	if (!scratch || svmtrace_replay_build(&rp, recs, n, &o.filter, &o.render, o.max_keys)) {
		fprintf(stderr, "svmtrace report: out of memory for %llu records\n", (unsigned long long)n);
		free(scratch);
		free(recs);
		return 1;
	}
	warn_dropped(&o, &rp);
	if (o.html) {
		struct svmtrace_html_run run = {
			.file = o.file, .kernel_release = info.kernel_release,
			.source = info.flags & SVMTRACE_RECFILE_KERNEL_SOURCE ? "kernel" : "module",
			.programs = recorded_programs(&info), .seconds = recording_seconds(&info, recs, n),
			.records = n, .lost = info.lost, .complete = complete,
			.counters = complete ? info.counters : NULL,
			.t0_ns = info.start_monotonic_ns, .t1_ns = info.end_monotonic_ns,
		};

		if (html_report(&o, &run, recs, n, &rp)) {
			svmtrace_replay_free(&rp);
			free(scratch);
			free(recs);
			return 1;
		}
	}
	if (o.trace_event) {
		ret = trace_event_report(&o, info.flags & SVMTRACE_RECFILE_KERNEL_SOURCE ?
					 "record file (kernel source)" : "record file (module source)",
					 info.kernel_release, recs, n);
		if (ret || !strcmp(o.trace_event, "-")) {
			svmtrace_replay_free(&rp);
			free(scratch);
			free(recs);
			return ret;
		}
	}
	if (o.render.json) {
		print_json(stdout, &o, &info, recs, n, &rp, scratch, complete);
	} else {
		printf("svm_pagemap migration latency from %s: %llu records over %.3f s on %s "
		       "(%s programs, times in %s, exact percentiles)\n", o.file, (unsigned long long)n,
		       recording_seconds(&info, recs, n), info.kernel_release[0] ? info.kernel_release : "?",
		       recorded_programs(&info), o.render.unit);
		if (info.lost)
			printf("warning: %llu records were lost while recording (ring buffer full): "
			       "these histograms miss them\n", (unsigned long long)info.lost);
		if (!rp.ngroups)
			printf("\nno migrations\n");
		print_entries(stdout, &o, &rp, scratch);
		if (complete)
			svmtrace_render_counters(stdout, info.counters);
	}
	svmtrace_replay_free(&rp);
	free(scratch);
	free(recs);
	if (fflush(stdout)) {
		fprintf(stderr, "svmtrace report: writing the report failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
