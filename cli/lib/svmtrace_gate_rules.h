/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmtrace gate's rule language: parsing a rule such as
 * "total{direction=to_dev}.p99 <= 1.5 * baseline(total{direction=to_dev}.p99)"
 * into a small expression tree, checking units, and evaluating it against
 * the histograms and counters of a run.  Pure: no BPF, no files; the inputs
 * are filled by svmtrace_gate_input.c and the grammar is in
 * man/svmtrace-gate.8.
 */
#ifndef SVMTRACE_GATE_RULES_H
#define SVMTRACE_GATE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svmtrace_render.h"

/* What a value measures; comparing two different kinds is a rule error. */
enum gate_kind {
	GATE_NUMBER,	/* a literal without unit: takes the kind of what it meets */
	GATE_COUNT,	/* events, migrations, pages, histogram counts */
	GATE_TIME,	/* nanoseconds */
	GATE_BYTES,
	GATE_RATIO,	/* one value divided by another of its kind */
};

/* Histogram labels a selector can constrain, in svmtrace_hist_key order. */
enum gate_label {
	GATE_LABEL_DIRECTION,
	GATE_LABEL_TRIGGER,
	GATE_LABEL_PATH,
	GATE_LABEL_DEVICE,
	GATE_LABEL_PID,
	GATE_LABEL_MAX,
};

enum gate_stat { GATE_STAT_COUNT, GATE_STAT_SUM, GATE_STAT_MEAN, GATE_STAT_MAX, GATE_STAT_PCT };
enum gate_cmp { GATE_LT, GATE_LE, GATE_GT, GATE_GE, GATE_EQ, GATE_NE };
enum gate_node_type { GATE_N_LITERAL, GATE_N_STAT, GATE_N_COUNTER, GATE_N_BASELINE, GATE_N_MUL,
		      GATE_N_DIV };

/**
 * struct gate_node - one operand or operation of a rule
 * @type: what it is
 * @kind: what its value measures
 * @col: where it starts in the rule text (0-based)
 * @len: how long its text is
 * @number: the literal's value, in ns for times and bytes for sizes
 * @stage: the selector's stage (GATE_N_STAT)
 * @has: which labels the selector constrains
 * @label: their values
 * @stat: the statistic
 * @pct: the percentile for GATE_STAT_PCT
 * @counter: the counter's name (GATE_N_COUNTER)
 * @a: operand of baseline(), left of * and /
 * @b: right of * and /
 */
struct gate_node {
	enum gate_node_type type;
	enum gate_kind kind;
	int col, len;
	double number;
	uint32_t stage;
	bool has[GATE_LABEL_MAX];
	uint32_t label[GATE_LABEL_MAX];
	enum gate_stat stat;
	double pct;
	const char *counter;
	struct gate_node *a, *b;
};

/**
 * struct gate_rule - one parsed rule
 * @line: the line as given to the parser; node columns point into it
 * @text: the rule as written, without name and comment
 * @name: its name ("name: rule"), or @text when it has none
 * @origin: where it came from, e.g. "rules.txt:4" or "-r"
 * @from_file: @origin is FILE:LINE
 * @lhs: the measured side
 * @cmp: the comparison
 * @rhs: the limit
 * @uses_baseline: baseline() appears in it
 * @baseline_col: where the first baseline() starts in @line
 */
struct gate_rule {
	char *line;
	char *text;
	char *name;
	char *origin;
	bool from_file;
	struct gate_node *lhs;
	enum gate_cmp cmp;
	struct gate_node *rhs;
	bool uses_baseline;
	int baseline_col;
};

/**
 * struct gate_error - why a rule does not parse
 * @col: column of the offending text in the line given to the parser
 * @len: its length (at least 1)
 * @msg: what is wrong with it
 */
struct gate_error {
	int col, len;
	char msg[256];
};

/**
 * struct gate_hist - one histogram of a run
 * @entry: key (SVMTRACE_ALL, pid 0: not keyed by that label), buckets and,
 *	when the input has every value (a record file), the sorted values
 * @stored: @stored_pct holds the percentiles the input file states
 * @stored_pct: p50, p90, p99, p99.9 (svmtrace_summary_pcts) from the file
 */
struct gate_hist {
	struct svmtrace_hist_entry entry;
	bool stored;
	double stored_pct[4];
};

/**
 * struct gate_counter - one counter of a run, named as in hist -j
 * @name: dotted path in hist -j's "counters" ("livelock.retries_busy") or
 *	"events.<tracepoint>"
 * @value: its value
 */
struct gate_counter {
	char *name;
	double value;
};

/**
 * struct gate_input - what rules are evaluated against
 * @what: how messages name it ("the run", "baseline base.json")
 * @hists: histograms
 * @nhists: their number
 * @counters: counters
 * @ncounters: their number
 */
struct gate_input {
	const char *what;
	struct gate_hist *hists;
	size_t nhists;
	struct gate_counter *counters;
	size_t ncounters;
};

/**
 * struct gate_result - a rule evaluated
 * @pass: the comparison held with both sides known
 * @known: both sides could be evaluated; else @why says which not
 * @value_known: the measured side could be evaluated
 * @value: the measured side
 * @limit: the limit side
 * @kind: the kind of both, for printing
 * @why: the reason a rule fails without being compared
 */
struct gate_result {
	bool pass;
	bool known;
	bool value_known;
	double value;
	double limit;
	enum gate_kind kind;
	char why[256];
};

int gate_rule_parse(const char *line, struct gate_rule *rule, struct gate_error *err);
void gate_rule_free(struct gate_rule *rule);
void gate_rule_eval(const struct gate_rule *rule, const struct gate_input *run,
		    const struct gate_input *baseline, struct gate_result *res);

const char *gate_cmp_text(enum gate_cmp cmp);
const char *gate_unit_name(enum gate_kind kind);
double gate_unit_scale(enum gate_kind kind);
void gate_humanize(double v, enum gate_kind kind, char *buf, size_t len);

const char *const *gate_counter_names(void);

int gate_input_add_counter(struct gate_input *in, const char *name, double value);
struct gate_hist *gate_input_add_hist(struct gate_input *in, const struct svmtrace_hist_key *key);
void gate_input_free(struct gate_input *in);

#endif /* SVMTRACE_GATE_RULES_H */
