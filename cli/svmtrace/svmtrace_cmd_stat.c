// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace stat: count svm_pagemap events, aggregated in the kernel, while a
 * command runs, for a number of seconds, or until Ctrl-C.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "svmtrace_cli.h"

struct stat_options {
	bool json;
	const char *output;
	double seconds;
	char **command;
};

static const char stat_doc[] =
	"Count svm_pagemap events while COMMAND runs, for SECONDS, or until Ctrl-C.\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtrace stat -- svmbench seq -n 100   # events caused by one run\n"
	"    svmtrace stat -i 5                     # everything in the next 5 s\n"
	"    svmtrace stat -j -- ./workload         # the same, as JSON\n";

static const struct argp_option stat_argp_options[] = {
	{ "interval", 'i', "SECONDS", 0, "count for SECONDS instead of around a command", 0 },
	{ "json", 'j', NULL, 0, "print JSON", 0 },
	{ "output", 'o', "FILE", 0, "write the counts to FILE instead of stdout", 0 },
	{},
};

static error_t stat_parse(int key, char *arg, struct argp_state *state)
{
	struct stat_options *o = state->input;
	char *end;

	switch (key) {
	case 'i':
		errno = 0;
		o->seconds = strtod(arg, &end);
		if (errno || *end || !(o->seconds > 0) || o->seconds > 1e7)
			argp_error(state, "invalid interval '%s': want seconds > 0", arg);
		break;
	case 'j':
		o->json = true;
		break;
	case 'o':
		o->output = arg;
		break;
	case ARGP_KEY_ARGS:
		o->command = state->argv + state->next;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void print_counts(FILE *out, const struct stat_options *o, const uint64_t *counts,
			 double elapsed, const struct svmtrace_session *s, int status)
{
	unsigned int ev;

	if (o->json) {
		json_object *root = json_object_new_object();
		json_object *events = json_object_new_object();

		json_object_object_add(root, "seconds", json_object_new_double(elapsed));
		json_object_object_add(root, "source",
				       json_object_new_string(svmtrace_source_name(s->source)));
		json_object_object_add(root, "programs",
				       json_object_new_string(svmtrace_session_programs(s)));
		if (o->command)
			json_object_object_add(root, "exit_status", json_object_new_int(status));
		for (ev = 0; ev < SVMTRACE_EV_MAX; ev++)
			json_object_object_add(events, svmtrace_event_name(ev),
					       json_object_new_uint64(counts[ev]));
		json_object_object_add(root, "events", events);
		fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
		json_object_put(root);
		return;
	}
	fprintf(out, "svm_pagemap events in %.3f s (%s source, %s programs):\n", elapsed,
		svmtrace_source_name(s->source), svmtrace_session_programs(s));
	for (ev = 0; ev < SVMTRACE_EV_MAX; ev++)
		fprintf(out, "  %-24s %20llu\n", svmtrace_event_name(ev), (unsigned long long)counts[ev]);
}

int svmtrace_cmd_stat(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &svmtrace_bpf_argp, 0, "BPF programs:", 0 },
		{},
	};
	static const struct argp argp = {
		.options = stat_argp_options,
		.parser = stat_parse,
		.args_doc = "[-- COMMAND [ARG...]]",
		.doc = stat_doc,
		.children = children,
	};
	struct stat_options o = {};
	struct svmtrace_session_opts so = SVMTRACE_SESSION_OPTS_DEFAULT;
	struct svmtrace_session s;
	uint64_t counts[SVMTRACE_EV_MAX];
	double start, elapsed;
	int err, status = 0;
	FILE *out = stdout;

	err = argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &o);
	if (err)
		return 2;
	if (o.command && o.seconds > 0) {
		fprintf(stderr, "svmtrace stat: give either -i SECONDS or a command, not both\n");
		return 2;
	}

	/* Open the output first: a bad path must not cost a whole run. */
	if (o.output) {
		out = fopen(o.output, "w");
		if (!out) {
			fprintf(stderr, "svmtrace stat: cannot write '%s': %s\n", o.output,
				strerror(errno));
			return 2;
		}
	}
	err = svmtrace_session_open(&s, &so);
	if (err)
		goto out_close;
	svmtrace_catch_signals();
	start = svmtrace_now();
	status = svmtrace_window(o.command, o.seconds);
	elapsed = svmtrace_now() - start;

	err = svmtrace_read_event_counts(&s, counts);
	if (err)
		fprintf(stderr, "svmtrace: reading the counts failed: %s\n", strerror(-err));
	else
		print_counts(out, &o, counts, elapsed, &s, status);
	svmtrace_session_close(&s);
out_close:
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "svmtrace stat: writing '%s' failed: %s\n", o.output, strerror(errno));
		err = err ? err : -EIO;
	}
	if (err)
		return 1;
	return o.command ? status : 0;
}
