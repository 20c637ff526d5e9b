// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace gate: judge a run against rules such as "total.p99 < 5ms" or
 * "total.p50 <= 4 * baseline(total.p50)", for CI.  The run is measured live
 * around a command (the aggregation of svmtrace hist), or read from hist -j
 * JSON or a record file.  One row per rule; exit 0 when all pass, 1 when
 * any fails, 2 when the gate cannot be evaluated (usage, rules, inputs).
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svmtrace_cli.h"
#include "svmtrace_gate_io.h"

/* One -r RULE or -f FILE, in the order given. */
struct rule_arg {
	bool file;
	const char *text;
};

struct gate_options {
	struct rule_arg *rule_args;
	size_t nrule_args;
	const char *json;
	const char *record;
	const char *baseline;
	const char *write_baseline;
	const char *bench_json;
	const char *junit;
	double seconds;
	char **command;
};

static const char gate_doc[] =
	"Check a run's migration latency and counters against rules, for CI.\n"
	"The run is measured around COMMAND (or for -i SECONDS), or read from\n"
	"'svmtrace hist -j' output (--json) or a 'svmtrace record' file (--record).\n"
	"Exit status: 0 every rule passed, 1 a rule failed, 2 usage, rule or input error.\n"
	"The rule language is described in svmtrace-gate(8).\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtrace gate -r 'total.p99 < 5ms' -r 'retries == 0' -- svmbench roundtrip\n"
	"    svmtrace gate -r 'map{path=iova}.p50 <= 0.5 * map{path=page}.p50' --record run.svmrec\n"
	"    svmtrace gate --write-baseline base.json -- svmbench -s 2M -n 20 roundtrip\n"
	"    svmtrace gate --baseline base.json -r 'total.p50 <= 4 * baseline(total.p50)' \\\n"
	"        --junit gate.xml --bench-json bench.json -- svmbench -s 2M -n 20 roundtrip\n";

enum { OPT_JSON = 1000, OPT_RECORD, OPT_BASELINE, OPT_WRITE_BASELINE, OPT_BENCH_JSON, OPT_JUNIT };

static const struct argp_option gate_argp_options[] = {
	{ NULL, 0, NULL, 0, "Rules:", 1 },
	{ "rule", 'r', "RULE", 0, "check RULE (repeatable)", 1 },
	{ "rules", 'f', "FILE", 0, "check the rules in FILE, one per line (repeatable)", 1 },
	{ NULL, 0, NULL, 0, "Input (exactly one; default: measure around COMMAND):", 2 },
	{ "json", OPT_JSON, "FILE", 0, "read the run from 'svmtrace hist -j' (or report -j) output", 2 },
	{ "record", OPT_RECORD, "FILE", 0, "read the run from a 'svmtrace record' file (exact percentiles)", 2 },
	{ "interval", 'i', "SECONDS", 0, "measure for SECONDS instead of around a command", 2 },
	{ "baseline", OPT_BASELINE, "FILE", 0, "what baseline(...) reads: hist -j JSON or a "
	  "--write-baseline file", 2 },
	{ NULL, 0, NULL, 0, "Output:", 3 },
	{ "write-baseline", OPT_WRITE_BASELINE, "FILE", 0, "write the run as a baseline (hist -j JSON)", 3 },
	{ "bench-json", OPT_BENCH_JSON, "FILE", 0, "write github-action-benchmark JSON "
	  "(customSmallerIsBetter)", 3 },
	{ "junit", OPT_JUNIT, "FILE", 0, "write JUnit XML, one testcase per rule", 3 },
	{},
};

static error_t gate_parse(int key, char *arg, struct argp_state *state)
{
	struct gate_options *o = state->input;
	struct rule_arg *ra;
	char *end;

	switch (key) {
	case 'r':
	case 'f':
		ra = realloc(o->rule_args, (o->nrule_args + 1) * sizeof(*ra));
		if (!ra)
			argp_failure(state, 2, ENOMEM, "rules");
		o->rule_args = ra;
		ra[o->nrule_args].file = key == 'f';
		ra[o->nrule_args++].text = arg;
		break;
	case OPT_JSON:
		o->json = arg;
		break;
	case OPT_RECORD:
		o->record = arg;
		break;
	case 'i':
		errno = 0;
		o->seconds = strtod(arg, &end);
		if (errno || *end || !(o->seconds > 0) || o->seconds > 1e7)
			argp_error(state, "invalid interval '%s': want seconds > 0", arg);
		break;
	case OPT_BASELINE:
		o->baseline = arg;
		break;
	case OPT_WRITE_BASELINE:
		o->write_baseline = arg;
		break;
	case OPT_BENCH_JSON:
		o->bench_json = arg;
		break;
	case OPT_JUNIT:
		o->junit = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s' (a command goes after --)", arg);
		break;
	case ARGP_KEY_END: {
		int sources = !!o->json + !!o->record + !!o->command + (o->seconds > 0);

		if (sources != 1)
			argp_error(state, "give exactly one input: -- COMMAND, -i SECONDS, --json FILE "
				   "or --record FILE");
		if (!o->nrule_args && !o->write_baseline)
			argp_error(state, "no rules: give -r RULE or -f FILE (or --write-baseline FILE)");
		break;
	}
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * "rule 2 (rules.txt:5:10): msg" (or "(-r, column 10)" for a rule given on
 * the command line), the line, and a caret under the offending text.
 */
static void print_rule_error(size_t index, const char *where, bool from_file, const char *line,
			     const struct gate_error *err)
{
	int i;

	if (from_file)
		fprintf(stderr, "svmtrace gate: rule %zu (%s:%d): %s\n", index, where, err->col + 1,
			err->msg);
	else
		fprintf(stderr, "svmtrace gate: rule %zu (%s, column %d): %s\n", index, where,
			err->col + 1, err->msg);
	fprintf(stderr, "    %s\n    ", line);
	for (i = 0; i < err->col && line[i]; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', stderr);
	fputc('^', stderr);
	for (i = 1; i < err->len; i++)
		fputc('~', stderr);
	fputc('\n', stderr);
}

struct rule_set {
	struct gate_rule *rules;
	size_t n;
	int errors;
};

static void add_rule(struct rule_set *rs, const char *origin, int line_no, const char *line)
{
	struct gate_rule rule, *nr;
	struct gate_error err;
	char where[4096];
	size_t i;

	if (line_no)
		snprintf(where, sizeof(where), "%s:%d", origin, line_no);
	else
		snprintf(where, sizeof(where), "%s", origin);
	if (gate_rule_parse(line, &rule, &err)) {
		print_rule_error(rs->n + rs->errors + 1, where, line_no, line, &err);
		rs->errors++;
		return;
	}
	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->rules[i].name, rule.name))
			continue;
		err.col = strstr(line, rule.name) ? strstr(line, rule.name) - line : 0;
		err.len = strlen(rule.name);
		snprintf(err.msg, sizeof(err.msg), "rule %zu (%s) has the same name: give one "
			 "of them a name ('NAME: rule')", i + 1, rs->rules[i].origin);
		print_rule_error(rs->n + rs->errors + 1, where, line_no, line, &err);
		rs->errors++;
		gate_rule_free(&rule);
		return;
	}
	rule.origin = strdup(where);
	rule.from_file = line_no > 0;
	nr = realloc(rs->rules, (rs->n + 1) * sizeof(*nr));
	if (!nr || !rule.origin) {
		fprintf(stderr, "svmtrace gate: out of memory\n");
		gate_rule_free(&rule);
		rs->errors++;
		return;
	}
	rs->rules = nr;
	rs->rules[rs->n++] = rule;
}

/* One rule per line; '#' starts a comment; blank lines are skipped. */
static int read_rule_file(struct rule_set *rs, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *p;
	size_t cap = 0;
	int line_no = 0;
	ssize_t len;

	if (!f) {
		fprintf(stderr, "svmtrace gate: cannot read rules from '%s': %s\n", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		line_no++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (!*p || *p == '#')
			continue;
		if (strlen(line) != (size_t)len) {
			fprintf(stderr, "svmtrace gate: %s:%d: a NUL byte in the line: not a rule file\n",
				path, line_no);
			rs->errors++;
			continue;
		}
		add_rule(rs, path, line_no, line);
	}
	free(line);
	if (ferror(f)) {
		fprintf(stderr, "svmtrace gate: reading '%s' failed: %s\n", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Histograms in key order, so that a baseline file diffs well from run to run. */
static int hist_order(const void *a, const void *b)
{
	const struct svmtrace_hist_key *x = &((const struct gate_hist *)a)->entry.key;
	const struct svmtrace_hist_key *y = &((const struct gate_hist *)b)->entry.key;
	const uint32_t kx[] = { x->stage, x->direction, x->trigger, x->path, x->device };
	const uint32_t ky[] = { y->stage, y->direction, y->trigger, y->path, y->device };
	size_t i;

	for (i = 0; i < sizeof(kx) / sizeof(kx[0]); i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

struct collect_ctx {
	struct gate_input *in;
	int err;
};

static void collect_hist(const struct svmtrace_hist_key *key, const struct svmtrace_hist *hist, void *arg)
{
	struct collect_ctx *c = arg;
	struct gate_hist *h;

	if (c->err)
		return;
	h = gate_input_add_hist(c->in, key);
	if (!h)
		c->err = -ENOMEM;
	else
		h->entry.hist = *hist;
}

/* Measure around the command (or for the interval); the command's status in *status. */
static int measure(struct gate_input *in, const struct gate_options *o, int *status)
{
	struct svmtrace_session_opts so = SVMTRACE_SESSION_OPTS_DEFAULT;
	uint64_t counters[SVMTRACE_CNT_MAX], events[SVMTRACE_EV_MAX];
	struct collect_ctx collect = { .in = in };
	struct svmtrace_session s;
	double start, seconds;
	json_object *cj;
	unsigned int e;
	int err;

	err = svmtrace_session_open(&s, &so);
	if (err)
		return err;
	svmtrace_catch_signals();
	start = svmtrace_now();
	*status = svmtrace_window(o->command, o->seconds);
	seconds = svmtrace_now() - start;
	err = svmtrace_for_each_hist(&s, collect_hist, &collect);
	if (!err)
		err = collect.err;
	if (!err)
		err = svmtrace_read_counters(&s, counters);
	if (!err)
		err = svmtrace_read_event_counts(&s, events);
	svmtrace_session_close(&s);
	if (err) {
		fprintf(stderr, "svmtrace gate: reading the BPF maps failed: %s\n", strerror(-err));
		return err;
	}
	if (counters[SVMTRACE_CNT_KEYS_OVERFLOW])
		fprintf(stderr, "svmtrace gate: warning: %llu histogram updates dropped (key cap "
			"reached): the histograms miss them\n",
			(unsigned long long)counters[SVMTRACE_CNT_KEYS_OVERFLOW]);
	qsort(in->hists, in->nhists, sizeof(*in->hists), hist_order);
	cj = svmtrace_render_counters_json(counters);
	err = gate_input_add_counters_json(in, cj, "");
	json_object_put(cj);
	for (e = 0; e < SVMTRACE_EV_MAX && !err; e++) {
		char name[64];

		snprintf(name, sizeof(name), "events.%s", svmtrace_event_name(e));
		err = gate_input_add_counter(in, name, events[e]);
	}
	if (!err)
		err = gate_input_add_counter(in, "duration", seconds * 1e9);
	if (err)
		fprintf(stderr, "svmtrace gate: out of memory\n");
	return err;
}

/* Fail early, before a long run, when an output cannot be written. */
static int check_writable(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (!path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "svmtrace gate: cannot write '%s': %s\n", tmp, strerror(errno));
		return -1;
	}
	fclose(f);
	unlink(tmp);
	return 0;
}

static int check_baseline_use(const struct rule_set *rs, const struct gate_options *o)
{
	struct gate_error err = { .len = 8 };
	int bad = 0;
	size_t i;

	if (o->baseline)
		return 0;
	for (i = 0; i < rs->n; i++) {
		const struct gate_rule *r = &rs->rules[i];

		if (!r->uses_baseline)
			continue;
		err.col = r->baseline_col;
		snprintf(err.msg, sizeof(err.msg), "baseline() needs --baseline FILE");
		print_rule_error(i + 1, r->origin, r->from_file, r->line, &err);
		bad++;
	}
	return bad ? -1 : 0;
}

static void command_text(char **command, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; *command && off < len; command++)
		off += snprintf(buf + off, len - off, "%s%s", off ? " " : "", *command);
}

int svmtrace_cmd_gate(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &svmtrace_bpf_argp, 0, "BPF programs:", 0 },
		{},
	};
	static const struct argp argp = {
		.options = gate_argp_options,
		.parser = gate_parse,
		.args_doc = "[-- COMMAND [ARG...]]",
		.doc = gate_doc,
		.children = children,
	};
	struct gate_options o = { 0 };
	struct gate_input run = { .what = "the run" }, base = { 0 };
	struct gate_verdict *verdicts = NULL;
	struct gate_rule command_rule = { 0 };
	struct rule_set rs = { 0 };
	char msg[512], what[4200], cmd[512];
	int ret = 2, status = 0;
	size_t i, n;
	double duration = 0;

	o.command = svmtrace_split_command(&argc, argv);
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	for (i = 0; i < o.nrule_args; i++) {
		if (!o.rule_args[i].file)
			add_rule(&rs, "-r", 0, o.rule_args[i].text);
		else if (read_rule_file(&rs, o.rule_args[i].text))
			rs.errors++;
	}
	if (rs.errors || check_baseline_use(&rs, &o))
		goto out;
	if (!rs.n && !o.write_baseline) {
		fprintf(stderr, "svmtrace gate: the rule files hold no rules\n");
		goto out;
	}
	if (o.baseline) {
		snprintf(what, sizeof(what), "baseline %s", o.baseline);
		base.what = what;
		if (gate_input_from_json(&base, o.baseline, msg, sizeof(msg))) {
			fprintf(stderr, "svmtrace gate: baseline %s: %s\n", o.baseline, msg);
			goto out;
		}
	}
	if (check_writable(o.junit) || check_writable(o.bench_json) || check_writable(o.write_baseline))
		goto out;

	if (o.json && gate_input_from_json(&run, o.json, msg, sizeof(msg))) {
		fprintf(stderr, "svmtrace gate: %s: %s\n", o.json, msg);
		goto out;
	}
	if (o.record && gate_input_from_record(&run, o.record, msg, sizeof(msg))) {
		fprintf(stderr, "svmtrace gate: %s: %s\n", o.record, msg);
		goto out;
	}
	if ((o.command || o.seconds > 0) && measure(&run, &o, &status)) {
		ret = 1;	/* like hist: the module or BPF is missing, not a usage error */
		goto out;
	}

	for (i = 0; i < run.ncounters; i++)
		if (!strcmp(run.counters[i].name, "duration"))
			duration = run.counters[i].value / 1e9;
	n = rs.n + (o.command != NULL);
	verdicts = calloc(n ? n : 1, sizeof(*verdicts));
	if (!verdicts) {
		fprintf(stderr, "svmtrace gate: out of memory\n");
		goto out;
	}
	for (i = 0; i < rs.n; i++) {
		verdicts[i].rule = &rs.rules[i];
		gate_rule_eval(&rs.rules[i], &run, o.baseline ? &base : NULL, &verdicts[i].res);
	}
	if (o.command) {
		/* A workload that failed measured nothing worth passing. */
		command_text(o.command, cmd, sizeof(cmd));
		command_rule.text = cmd;
		command_rule.name = "command exits 0";
		command_rule.origin = "--";
		command_rule.cmp = GATE_EQ;
		verdicts[rs.n].rule = &command_rule;
		verdicts[rs.n].res = (struct gate_result){ .known = true, .value_known = true,
							   .pass = status == 0, .value = status,
							   .kind = GATE_COUNT };
	}
	ret = 0;
	for (i = 0; i < n; i++)
		if (!verdicts[i].res.pass)
			ret = 1;
	if (n)
		gate_print_table(stdout, verdicts, n);
	fflush(stdout);

	if (o.write_baseline &&
	    gate_write_json_file(o.write_baseline, gate_input_to_json(&run), msg, sizeof(msg))) {
		fprintf(stderr, "svmtrace gate: %s\n", msg);
		ret = 2;
	}
	if (o.bench_json && gate_write_json_file(o.bench_json, gate_bench_json(verdicts, n), msg, sizeof(msg))) {
		fprintf(stderr, "svmtrace gate: %s\n", msg);
		ret = 2;
	}
	if (o.junit && gate_write_junit(o.junit, verdicts, n, duration, msg, sizeof(msg))) {
		fprintf(stderr, "svmtrace gate: %s\n", msg);
		ret = 2;
	}
out:
	free(verdicts);
	for (i = 0; i < rs.n; i++)
		gate_rule_free(&rs.rules[i]);
	free(rs.rules);
	free(o.rule_args);
	gate_input_free(&run);
	gate_input_free(&base);
	return ret;
}
