// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: gate rules as -r and -f give them.  The input is a
 * rules file; each line goes through gate_rule_parse() as
 * svmtrace_cmd_gate.c hands it over (a NUL ends the line, the file reader
 * refuses such lines before parsing), and each rule that parses is
 * evaluated on a small synthetic run and baseline.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "svmtrace_gate_rules.h"
#include "svmtrace_histogram.h"

static void add_hist(struct gate_input *in, uint32_t stage, uint32_t dir, uint32_t path,
		     uint64_t unit)
{
	struct svmtrace_hist_key k = { .stage = stage, .direction = dir, .trigger = SVMTRACE_ALL,
				       .path = path, .device = SVMTRACE_ALL };
	struct gate_hist *h = gate_input_add_hist(in, &k);
	uint64_t v;

	if (!h)
		abort();
	for (v = 1; v <= 20; v++) {
		uint64_t ns = v * unit;

		h->entry.hist.slots[svmtrace_hist_index(ns)]++;
		h->entry.hist.count++;
		h->entry.hist.sum += ns;
		if (ns > h->entry.hist.max)
			h->entry.hist.max = ns;
	}
}

static void make_run(struct gate_input *in, uint64_t unit)
{
	memset(in, 0, sizeof(*in));
	in->what = "the run";
	add_hist(in, SVMTRACE_STAGE_TOTAL, 0, SVMTRACE_ALL, unit);
	add_hist(in, SVMTRACE_STAGE_TOTAL, 1, SVMTRACE_ALL, 3 * unit);
	add_hist(in, 2, 0, 0, unit / 10);
	gate_input_add_counter(in, "migrations", 40);
	gate_input_add_counter(in, "livelock.retries_busy", 0);
	gate_input_add_counter(in, "iova.peak_bytes", 4194304);
	gate_input_add_counter(in, "events.svm_retry", 0);
	gate_input_add_counter(in, "duration", 1e9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gate_input run, base;
	static bool ready;
	char *text = fuzz_input_string(data, size), *line, *next;
	struct gate_result res;
	struct gate_error err;
	struct gate_rule r;

	if (!ready) {
		make_run(&run, 1000);
		make_run(&base, 900);
		ready = true;
	}
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (gate_rule_parse(line, &r, &err)) {
			/* Every error has a message and a column inside the line. */
			if (!err.msg[0] || err.col < 0 || (size_t)err.col > strlen(line))
				abort();
			continue;
		}
		gate_rule_eval(&r, &run, &base, &res);
		gate_rule_eval(&r, &run, NULL, &res);
		gate_rule_free(&r);
	}
	free(text);
	return 0;
}
