// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace: observability for GPU shared-virtual-memory page migration.
 * Dispatches to one subcommand per job.
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>

#include "svmtrace_cli.h"

bool svmtrace_verbose;
bool svmtrace_force_raw_tp;

struct svmtrace_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct svmtrace_command commands[] = {
	{ "hist", svmtrace_cmd_hist, "migration latency histograms per stage, IOVA and livelock counters" },
	{ "record", svmtrace_cmd_record, "record every migration and stage end into a file" },
	{ "report", svmtrace_cmd_report, "histograms with exact percentiles from a record file or perf script text" },
	{ "top", svmtrace_cmd_top, "live monitor per process and device (also started as svmtop)" },
	{ "stat", svmtrace_cmd_stat, "count svm_pagemap events around a command or for a while" },
	{ "gate", svmtrace_cmd_gate, "check latency and counters against rules and a baseline, for CI" },
	{ "export", svmtrace_cmd_export, "Prometheus metrics over HTTP (/metrics) or into a textfile" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: svmtrace COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'svmtrace COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	size_t i;

	/* Started as svmtop: the top subcommand with argv as it came. */
	argp_err_exit_status = 2;
	if (!strcmp(base ? base + 1 : argv[0], "svmtop"))
		return svmtrace_cmd_top(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			char name[64];

			/* argp names the program after argv[0] in its messages. */
			snprintf(name, sizeof(name), "svmtrace %s", commands[i].name);
			argv[1] = name;
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "svmtrace: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
