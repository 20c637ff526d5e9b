/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmtrace gate's inputs and outputs: reading a run from hist -j / report -j
 * JSON or from a record file (and writing one as a baseline), and reporting
 * the verdicts as a table, as github-action-benchmark JSON and as JUnit XML.
 * No BPF here: the live run is collected by svmtrace_cmd_gate.c.
 */
#ifndef SVMTRACE_GATE_IO_H
#define SVMTRACE_GATE_IO_H

#include <stdio.h>

#include <json-c/json.h>

#include "svmtrace_gate_rules.h"

int gate_input_from_json(struct gate_input *in, const char *path, char *msg, size_t len);
int gate_input_from_record(struct gate_input *in, const char *path, char *msg, size_t len);
int gate_input_add_counters_json(struct gate_input *in, json_object *counters, const char *prefix);
int gate_input_add_entry(struct gate_input *in, struct svmtrace_hist_entry *e);
json_object *gate_input_to_json(const struct gate_input *in);
int gate_write_json_file(const char *path, json_object *root, char *msg, size_t len);

/**
 * struct gate_verdict - one rule and its result, in the order they were given
 * @rule: the rule
 * @res: what it gave
 */
struct gate_verdict {
	const struct gate_rule *rule;
	struct gate_result res;
};

void gate_print_table(FILE *out, const struct gate_verdict *v, size_t n);
json_object *gate_bench_json(const struct gate_verdict *v, size_t n);
int gate_write_junit(const char *path, const struct gate_verdict *v, size_t n, double seconds,
		     char *msg, size_t len);
void gate_xml_escape(FILE *out, const char *s);
void gate_limit_text(const struct gate_verdict *v, char *buf, size_t len);
void gate_value_text(const struct gate_verdict *v, char *buf, size_t len);

#endif /* SVMTRACE_GATE_IO_H */
