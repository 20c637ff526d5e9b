// SPDX-License-Identifier: GPL-2.0
/*
 * The gate rule language: a recursive-descent parser that remembers where
 * every operand came from (so errors and failure reasons can point at the
 * text), a check that both sides of a comparison measure the same kind of
 * thing (a bare "5" next to a latency is almost always a forgotten unit),
 * and the evaluator over one run and an optional baseline.
 *
 *   rule     := [NAME ':'] expr CMP expr
 *   expr     := primary (('*' | '/') primary)*
 *   primary  := NUMBER [UNIT] | '(' expr ')' | 'baseline' '(' operand ')' | operand
 *   operand  := STAGE ['{' LABEL '=' VALUE (',' LABEL '=' VALUE)* '}'] '.' STAT | COUNTER
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svmtrace_names.h"
#include "svmtrace_gate_rules.h"
#include "svmtrace_histogram.h"

static const char *const label_names[GATE_LABEL_MAX + 1] = {
	"direction", "trigger", "path", "device", "pid", NULL,
};
static const char *const stat_words[] = { "count", "sum", "mean", "max", "p50", "p99.9", NULL };

static const struct {
	const char *name;
	double scale;
	enum gate_kind kind;
} units[] = {
	{ "ns", 1, GATE_TIME }, { "us", 1e3, GATE_TIME }, { "ms", 1e6, GATE_TIME },
	{ "s", 1e9, GATE_TIME }, { "B", 1, GATE_BYTES }, { "KiB", 1024.0, GATE_BYTES },
	{ "MiB", 1048576.0, GATE_BYTES }, { "GiB", 1073741824.0, GATE_BYTES },
	{ "TiB", 1099511627776.0, GATE_BYTES },
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

/* Short names for sums of counters, as people say them. */
static const struct {
	const char *name;
	const char *parts[5];
} aliases[] = {
	{ "retries", { "livelock.retries_busy", "livelock.retries_not_detached", "livelock.retries_error" } },
	{ "evict_retries", { "livelock.evict_retries_busy", "livelock.evict_retries_not_detached",
			     "livelock.evict_retries_error" } },
	{ "timeslice_holds", { "livelock.timeslice_holds" } },
	{ "pingpong", { "livelock.pingpong_ranges" } },
	{ "iova_fallbacks", { "iova.no_api", "iova.no_iommu", "iova.alloc_failed", "iova.disabled" } },
};
#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

/*
 * Every counter name a rule may use: hist -j's "counters" flattened with
 * dots, "events.<tracepoint>", the run's "duration" and the aliases.  A unit
 * test checks this list against what svmtrace_render_counters_json() writes.
 */
#define MAX_COUNTER_NAMES 96
static char counter_store[MAX_COUNTER_NAMES][48];
static const char *counter_list[MAX_COUNTER_NAMES + 1];

static void add_name(size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= MAX_COUNTER_NAMES)
		return;
	va_start(ap, fmt);
	vsnprintf(counter_store[*n], sizeof(counter_store[*n]), fmt, ap);
	va_end(ap);
	counter_list[*n] = counter_store[*n];
	(*n)++;
}

const char *const *gate_counter_names(void)
{
	size_t n = 0, i;

	if (counter_list[0])
		return counter_list;
	add_name(&n, "migrations");
	add_name(&n, "migrations_failed");
	for (i = 0; i < SVM_PAGEMAP_DIR_COUNT; i++) {
		add_name(&n, "throughput.%s.pages", svmtrace_direction_name(i));
		add_name(&n, "throughput.%s.bytes", svmtrace_direction_name(i));
	}
	for (i = 0; i < SVM_PAGEMAP_PATH_COUNT; i++)
		add_name(&n, "map_paths.%s", svmtrace_path_name(i));
	add_name(&n, "iova.in_use_bytes");
	add_name(&n, "iova.peak_bytes");
	for (i = 0; i < SVM_PAGEMAP_IOVA_COUNT; i++)
		add_name(&n, "iova.%s", svmtrace_iova_reason_name(i));
	add_name(&n, "livelock.timeslice_holds");
	add_name(&n, "livelock.pingpong_ranges");
	for (i = 0; i < SVM_PAGEMAP_RETRY_COUNT; i++)
		add_name(&n, "livelock.retries_%s", svmtrace_retry_reason_name(i));
	for (i = 0; i < SVM_PAGEMAP_RETRY_COUNT; i++)
		add_name(&n, "livelock.evict_retries_%s", svmtrace_retry_reason_name(i));
	add_name(&n, "keys_overflowed");
	for (i = 0; i < SVMTRACE_EV_MAX; i++)
		add_name(&n, "events.%s", svmtrace_event_name(i));
	add_name(&n, "duration");
	for (i = 0; i < NALIASES; i++)
		add_name(&n, "%s", aliases[i].name);
	counter_list[n] = NULL;
	return counter_list;
}

static enum gate_kind counter_kind(const char *name)
{
	size_t len = strlen(name);

	if (!strcmp(name, "duration"))
		return GATE_TIME;
	if (len >= 5 && !strcmp(name + len - 5, "bytes"))
		return GATE_BYTES;
	return GATE_COUNT;
}

static const char *known_counter(const char *name, size_t len)
{
	const char *const *n;

	for (n = gate_counter_names(); *n; n++)
		if (strlen(*n) == len && !strncmp(*n, name, len))
			return *n;
	return NULL;
}

/* Levenshtein distance, capped at 9: only small ones matter for hints. */
static int distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), i, j;
	int row[64], prev, tmp;

	if (la > 60 || lb > 60)
		return 9;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb] > 9 ? 9 : row[lb];
}

/* The closest of @words to @w when it looks like a typo of it, else NULL. */
static const char *closest(const char *w, size_t len, const char *const *words)
{
	const char *best = NULL;
	int bd = 3, d;

	for (; *words; words++) {
		d = distance(w, len, *words);
		if (d < bd && d <= (int)(len + 1) / 2) {
			bd = d;
			best = *words;
		}
	}
	return best;
}

/*
 * Bounds on one rule's tree.  The parser, the evaluator and free_node()
 * recurse once per level, so a rule of thousands of '(' or of '* 1's
 * would overflow the stack; no real rule comes near either bound.
 */
#define GATE_MAX_NESTING	32
#define GATE_MAX_OPERATORS	64

struct parser {
	const char *s;
	int p;
	int depth;		/* '(' open around the current position */
	int operators;		/* '*' and '/' so far */
	struct gate_error *err;
	bool in_baseline;
	bool uses_baseline;
	int baseline_col;
};

/* Record the first error only: later ones are usually its consequences. */
static void *fail(struct parser *ps, int col, int len, const char *fmt, ...)
{
	va_list ap;

	if (ps->err->msg[0])
		return NULL;
	ps->err->col = col;
	ps->err->len = len > 0 ? len : 1;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

/* fail() with ", did you mean 'x'?" when a word is close to one of @words. */
static void *fail_unknown(struct parser *ps, int col, int len, const char *what,
			  const char *const *words, const char *choices)
{
	const char *hint = closest(ps->s + col, len, words);

	if (hint)
		return fail(ps, col, len, "unknown %s '%.*s': did you mean '%s'?", what, len,
			    ps->s + col, hint);
	return fail(ps, col, len, "unknown %s '%.*s'%s%s", what, len, ps->s + col,
		    choices ? ": " : "", choices ? choices : "");
}

static void skip_space(struct parser *ps)
{
	while (ps->s[ps->p] == ' ' || ps->s[ps->p] == '\t')
		ps->p++;
}

static int scan_ident(struct parser *ps)
{
	int start = ps->p;

	if (!isalpha((unsigned char)ps->s[ps->p]) && ps->s[ps->p] != '_')
		return 0;
	while (isalnum((unsigned char)ps->s[ps->p]) || ps->s[ps->p] == '_')
		ps->p++;
	return ps->p - start;
}

static bool word_is(const char *s, int len, const char *word)
{
	return (int)strlen(word) == len && !strncmp(s, word, len);
}

static struct gate_node *new_node(enum gate_node_type type, int col)
{
	struct gate_node *n = calloc(1, sizeof(*n));

	if (n) {
		n->type = type;
		n->col = col;
	}
	return n;
}

static void free_node(struct gate_node *n)
{
	if (!n)
		return;
	free_node(n->a);
	free_node(n->b);
	free(n);
}

static struct gate_node *parse_expr(struct parser *ps);

static struct gate_node *parse_number(struct parser *ps)
{
	const char *s = ps->s;
	int start = ps->p, ustart, ulen;
	struct gate_node *n;
	char buf[64];
	size_t i;

	while (isdigit((unsigned char)s[ps->p]))
		ps->p++;
	if (s[ps->p] == '.')
		for (ps->p++; isdigit((unsigned char)s[ps->p]);)
			ps->p++;
	if ((s[ps->p] == 'e' || s[ps->p] == 'E') &&
	    (isdigit((unsigned char)s[ps->p + 1]) ||
	     ((s[ps->p + 1] == '+' || s[ps->p + 1] == '-') && isdigit((unsigned char)s[ps->p + 2]))))
		for (ps->p += 2; isdigit((unsigned char)s[ps->p]);)
			ps->p++;
	if (ps->p - start >= (int)sizeof(buf))
		return fail(ps, start, ps->p - start, "number too long");
	snprintf(buf, sizeof(buf), "%.*s", ps->p - start, s + start);
	n = new_node(GATE_N_LITERAL, start);
	if (!n)
		return fail(ps, start, 1, "out of memory");
	errno = 0;
	n->number = strtod(buf, NULL);
	if (errno || !isfinite(n->number)) {
		free(n);
		return fail(ps, start, ps->p - start, "number '%s' out of range", buf);
	}
	n->kind = GATE_NUMBER;
	n->len = ps->p - start;

	/* An optional unit, with or without a space before it. */
	ustart = ps->p;
	skip_space(ps);
	if (!isalpha((unsigned char)s[ps->p])) {
		ps->p = ustart;
		return n;
	}
	ustart = ps->p;
	while (isalpha((unsigned char)s[ps->p]))
		ps->p++;
	ulen = ps->p - ustart;
	for (i = 0; i < NUNITS; i++) {
		if (word_is(s + ustart, ulen, units[i].name)) {
			n->number *= units[i].scale;
			n->kind = units[i].kind;
			n->len = ps->p - start;
			return n;
		}
	}
	free(n);
	return fail(ps, ustart, ulen, "unknown unit '%.*s': ns, us, ms, s for times; "
		    "B, KiB, MiB, GiB, TiB for sizes", ulen, s + ustart);
}

static int parse_label_value(struct parser *ps, struct gate_node *n, int label)
{
	const char *const *values = label == GATE_LABEL_DIRECTION ? svmtrace_direction_names :
				    label == GATE_LABEL_TRIGGER ? svmtrace_trigger_names :
				    label == GATE_LABEL_PATH ? svmtrace_path_names : NULL;
	int start, len, i;

	skip_space(ps);
	start = ps->p;
	while (isalnum((unsigned char)ps->s[ps->p]) || ps->s[ps->p] == '_')
		ps->p++;
	len = ps->p - start;
	if (!len)
		return fail(ps, start, 1, "expected a value for %s", label_names[label]), -1;
	if (!values) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(ps->s + start, &end, 10);
		if (!isdigit((unsigned char)ps->s[start]) || end != ps->s + ps->p || errno ||
		    v > (label == GATE_LABEL_DEVICE ? 255ul : 4294967294ul) ||
		    (label == GATE_LABEL_PID && !v))
			return fail(ps, start, len, "invalid %s '%.*s': want a number%s",
				    label_names[label], len, ps->s + start,
				    label == GATE_LABEL_DEVICE ? " (0-255)" : " above 0"), -1;
		n->label[label] = v;
		return 0;
	}
	for (i = 0; values[i]; i++) {
		if (word_is(ps->s + start, len, values[i])) {
			/* path "none" is the histogram key svmtrace uses for unmapped stages */
			n->label[label] = label == GATE_LABEL_PATH ?
					  (uint32_t)svmtrace_parse_path(values[i], strlen(values[i])) : (uint32_t)i;
			return 0;
		}
	}
	fail_unknown(ps, start, len, label_names[label], values, svmtrace_names_choice(values));
	return -1;
}

static int parse_selector(struct parser *ps, struct gate_node *n)
{
	int start, len, label;

	ps->p++;	/* '{' */
	for (;;) {
		skip_space(ps);
		start = ps->p;
		len = scan_ident(ps);
		if (!len)
			return fail(ps, start, 1, "expected a label: direction, trigger, path, "
				    "device or pid"), -1;
		for (label = 0; label < GATE_LABEL_MAX; label++)
			if (word_is(ps->s + start, len, label_names[label]))
				break;
		if (label == GATE_LABEL_MAX)
			return fail_unknown(ps, start, len, "label", label_names,
					    "direction, trigger, path, device or pid"), -1;
		if (n->has[label])
			return fail(ps, start, len, "label '%s' given twice", label_names[label]), -1;
		n->has[label] = true;
		skip_space(ps);
		if (ps->s[ps->p] != '=')
			return fail(ps, ps->p, 1, "expected '=' after %s", label_names[label]), -1;
		ps->p++;
		if (parse_label_value(ps, n, label))
			return -1;
		skip_space(ps);
		if (ps->s[ps->p] == '}') {
			ps->p++;
			return 0;
		}
		if (ps->s[ps->p] != ',')
			return fail(ps, ps->p, 1, "expected ',' or '}' in the selector"), -1;
		ps->p++;
	}
}

static int parse_stat(struct parser *ps, struct gate_node *n)
{
	int start = ps->p, len;
	char *end;

	while (isalnum((unsigned char)ps->s[ps->p]) || ps->s[ps->p] == '.')
		ps->p++;
	len = ps->p - start;
	if (word_is(ps->s + start, len, "count")) {
		n->stat = GATE_STAT_COUNT;
	} else if (word_is(ps->s + start, len, "sum")) {
		n->stat = GATE_STAT_SUM;
	} else if (word_is(ps->s + start, len, "mean") || word_is(ps->s + start, len, "avg")) {
		n->stat = GATE_STAT_MEAN;
	} else if (word_is(ps->s + start, len, "max")) {
		n->stat = GATE_STAT_MAX;
	} else if (len > 1 && ps->s[start] == 'p' && isdigit((unsigned char)ps->s[start + 1])) {
		n->stat = GATE_STAT_PCT;
		n->pct = strtod(ps->s + start + 1, &end);
		if (end != ps->s + ps->p || ps->s[ps->p - 1] == '.')
			return fail(ps, start, len, "invalid percentile '%.*s': write p50, p99, p99.9",
				    len, ps->s + start), -1;
		if (!(n->pct > 0) || n->pct > 100)
			return fail(ps, start, len, "percentile '%.*s' is not above 0 and at most 100%s",
				    len, ps->s + start,
				    n->pct > 100 ? " (p99.9 is written with a dot)" : ""), -1;
	} else {
		if (!len)
			return fail(ps, start, 1, "expected a statistic: count, sum, mean, max or "
				    "pNN (p50, p99, p99.9)"), -1;
		return fail_unknown(ps, start, len, "statistic", stat_words,
				    "count, sum, mean, max or pNN (p50, p99, p99.9)"), -1;
	}
	n->kind = n->stat == GATE_STAT_COUNT ? GATE_COUNT : GATE_TIME;
	return 0;
}

/* STAGE[{...}].STAT, or a counter name; an unknown word gets the likelier complaint. */
static struct gate_node *parse_operand(struct parser *ps)
{
	int start = ps->p, len = scan_ident(ps), stage, end;
	struct gate_node *n;
	const char *name;

	stage = -1;
	if (len && len < 64) {
		char word[64];

		snprintf(word, sizeof(word), "%.*s", len, ps->s + start);
		stage = svmtrace_parse_stage(word);
		if (stage >= 0 && strcmp(word, svmtrace_stage_names[stage]))
			stage = -1;	/* stages are lower case, like hist prints them */
	}
	if (stage >= 0) {
		n = new_node(GATE_N_STAT, start);
		if (!n)
			return fail(ps, start, len, "out of memory");
		n->stage = stage;
		if (ps->s[ps->p] == '{' && parse_selector(ps, n))
			goto fail;
		if (ps->s[ps->p] != '.') {
			fail(ps, ps->p, 1, "expected '.STAT' after '%.*s' (count, sum, mean, max, "
			     "p50, p99, p99.9)", ps->p - start, ps->s + start);
			goto fail;
		}
		ps->p++;
		if (parse_stat(ps, n))
			goto fail;
		n->len = ps->p - start;
		return n;
fail:
		free(n);
		return NULL;
	}

	/* A counter: dotted words. */
	while (ps->s[ps->p] == '.' && (isalpha((unsigned char)ps->s[ps->p + 1]) || ps->s[ps->p + 1] == '_')) {
		ps->p++;
		scan_ident(ps);
	}
	end = ps->p;
	name = known_counter(ps->s + start, end - start);
	if (name) {
		n = new_node(GATE_N_COUNTER, start);
		if (!n)
			return fail(ps, start, len, "out of memory");
		n->counter = name;
		n->kind = counter_kind(name);
		n->len = end - start;
		return n;
	}
	/* "mapp{...}" or "mapp.p50" was meant as a stage. */
	if (ps->s[start + len] == '{' ||
	    (ps->s[start + len] == '.' && (ps->s[start + len + 1] == 'p' ||
	     closest(ps->s + start + len + 1, end - start - len - 1, stat_words))))
		return fail_unknown(ps, start, len, "stage", svmtrace_stage_names,
				    svmtrace_names_choice(svmtrace_stage_names));
	return fail_unknown(ps, start, end - start, "counter", gate_counter_names(),
			    "see COUNTERS in svmtrace-gate(8)");
}

static struct gate_node *parse_primary(struct parser *ps)
{
	const char *s = ps->s;
	int start, len;
	struct gate_node *n, *inner;

	skip_space(ps);
	start = ps->p;
	if (isdigit((unsigned char)s[ps->p]) || (s[ps->p] == '.' && isdigit((unsigned char)s[ps->p + 1])))
		return parse_number(ps);
	if (s[ps->p] == '(') {
		if (ps->depth == GATE_MAX_NESTING)
			return fail(ps, ps->p, 1, "more than %d nested parentheses", GATE_MAX_NESTING);
		ps->depth++;
		ps->p++;
		n = parse_expr(ps);
		ps->depth--;
		if (!n)
			return NULL;
		skip_space(ps);
		if (s[ps->p] != ')') {
			free_node(n);
			return fail(ps, ps->p, 1, "expected ')' to close the '(' at column %d", start + 1);
		}
		ps->p++;
		return n;
	}
	if (!isalpha((unsigned char)s[ps->p]) && s[ps->p] != '_') {
		if (!s[ps->p])
			return fail(ps, ps->p, 1, "the rule ends where a value should be");
		return fail(ps, ps->p, 1, "expected a value (a number, STAGE.STAT, a counter or "
			    "baseline(...)) at '%c'", s[ps->p]);
	}
	len = scan_ident(ps);
	if (word_is(s + start, len, "baseline")) {
		skip_space(ps);
		if (s[ps->p] != '(')
			return fail(ps, start, len, "baseline needs a value in parentheses: "
				    "baseline(total.p99)");
		if (ps->in_baseline)
			return fail(ps, start, len, "baseline() inside baseline()");
		ps->p++;
		skip_space(ps);
		if (!isalpha((unsigned char)s[ps->p]))
			return fail(ps, ps->p, 1, "baseline() takes a statistic or a counter, "
				    "e.g. baseline(total.p99)");
		ps->in_baseline = true;
		inner = parse_operand(ps);
		ps->in_baseline = false;
		if (!inner)
			return NULL;
		skip_space(ps);
		if (s[ps->p] != ')') {
			free_node(inner);
			return fail(ps, ps->p, 1, "expected ')' after baseline's value");
		}
		ps->p++;
		n = new_node(GATE_N_BASELINE, start);
		if (!n) {
			free_node(inner);
			return fail(ps, start, len, "out of memory");
		}
		n->a = inner;
		n->kind = inner->kind;
		n->len = ps->p - start;
		if (!ps->uses_baseline)
			ps->baseline_col = start;
		ps->uses_baseline = true;
		return n;
	}
	ps->p = start;
	return parse_operand(ps);
}

static const char *kind_text(enum gate_kind k)
{
	switch (k) {
	case GATE_NUMBER: return "a plain number";
	case GATE_COUNT: return "a count";
	case GATE_TIME: return "a time";
	case GATE_BYTES: return "a size";
	case GATE_RATIO: return "a ratio";
	}
	return "?";
}

static struct gate_node *parse_expr(struct parser *ps)
{
	struct gate_node *left = parse_primary(ps), *right, *n;
	char op;

	while (left) {
		skip_space(ps);
		op = ps->s[ps->p];
		if (op != '*' && op != '/')
			return left;
		if (++ps->operators > GATE_MAX_OPERATORS) {
			fail(ps, ps->p, 1, "more than %d '*' and '/' in one rule", GATE_MAX_OPERATORS);
			break;
		}
		ps->p++;
		right = parse_primary(ps);
		if (!right)
			break;
		n = new_node(op == '*' ? GATE_N_MUL : GATE_N_DIV, left->col);
		if (!n) {
			free_node(right);
			fail(ps, left->col, 1, "out of memory");
			break;
		}
		n->a = left;
		n->b = right;
		n->len = right->col + right->len - left->col;
		left = n;
		if (left->a->kind == GATE_NUMBER)
			n->kind = op == '*' ? right->kind : GATE_NUMBER;
		else if (right->kind == GATE_NUMBER)
			n->kind = left->a->kind;
		else if (op == '/' && left->a->kind == right->kind)
			n->kind = GATE_RATIO;
		else
			n->kind = (enum gate_kind)-1;
		if (op == '/' && left->a->kind == GATE_NUMBER && right->kind != GATE_NUMBER) {
			fail(ps, right->col, right->len, "a number divided by %s means nothing here: "
			     "divide a value by a number or by a value of its kind", kind_text(right->kind));
			break;
		}
		if (n->kind == (enum gate_kind)-1) {
			fail(ps, right->col, right->len, "cannot %s %s by %s: one side must be a "
			     "plain number%s", op == '*' ? "multiply" : "divide",
			     kind_text(left->a->kind), kind_text(right->kind),
			     op == '/' ? " or both of one kind" : "");
			break;
		}
	}
	free_node(left);
	return NULL;
}

static const struct {
	const char *text;
	enum gate_cmp cmp;
} cmps[] = {
	{ "<=", GATE_LE }, { ">=", GATE_GE }, { "==", GATE_EQ }, { "!=", GATE_NE },
	{ "<", GATE_LT }, { ">", GATE_GT },
};

const char *gate_cmp_text(enum gate_cmp cmp)
{
	size_t i;

	for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
		if (cmps[i].cmp == cmp)
			return cmps[i].text;
	return "?";
}

/* A bare literal next to a time or size is a forgotten unit, unless it is 0. */
static bool is_unitless_literal(const struct gate_node *n)
{
	return n->kind == GATE_NUMBER && !(n->type == GATE_N_LITERAL && n->number == 0);
}

static int check_kinds(struct parser *ps, struct gate_rule *r)
{
	struct gate_node *l = r->lhs, *rh = r->rhs, *bare, *other;

	if (l->kind == rh->kind)
		return 0;
	if (l->kind == GATE_NUMBER || rh->kind == GATE_NUMBER) {
		bare = l->kind == GATE_NUMBER ? l : rh;
		other = bare == l ? rh : l;
		if ((other->kind == GATE_TIME || other->kind == GATE_BYTES) && is_unitless_literal(bare))
			return fail(ps, bare->col, bare->len, "'%.*s' has no unit but '%.*s' is %s: "
				    "write e.g. %s", bare->len, ps->s + bare->col, other->len,
				    ps->s + other->col, kind_text(other->kind),
				    other->kind == GATE_TIME ? "5ms (ns, us, ms, s)" :
				    "64KiB (B, KiB, MiB, GiB, TiB)"), -1;
		return 0;
	}
	return fail(ps, rh->col, rh->len, "cannot compare %s ('%.*s') with %s", kind_text(l->kind),
		    l->len, ps->s + l->col, kind_text(rh->kind)), -1;
}

static char *dup_range(const char *s, int from, int to)
{
	while (from < to && (s[from] == ' ' || s[from] == '\t'))
		from++;
	while (to > from && (s[to - 1] == ' ' || s[to - 1] == '\t'))
		to--;
	return strndup(s + from, to - from);
}

/*
 * Parse one rule: @line may start with "NAME:" and end with a "# comment".
 * 0 on success; -1 with @err set (column in @line) otherwise.
 */
int gate_rule_parse(const char *line, struct gate_rule *rule, struct gate_error *err)
{
	struct parser ps = { .s = line, .err = err };
	const char *colon, *hash;
	int body, end;
	size_t i;

	memset(rule, 0, sizeof(*rule));
	memset(err, 0, sizeof(*err));
	rule->line = strdup(line);
	if (!rule->line)
		return fail(&ps, 0, 1, "out of memory"), -1;
	ps.s = rule->line;
	hash = strchr(ps.s, '#');
	end = hash ? hash - ps.s : (int)strlen(ps.s);
	rule->line[end] = '\0';	/* the comment is gone; columns before it stay */
	colon = strchr(ps.s, ':');
	body = 0;
	if (colon) {
		rule->name = dup_range(ps.s, 0, colon - ps.s);
		if (rule->name && !rule->name[0]) {
			fail(&ps, colon - ps.s, 1, "empty name before ':'");
			goto fail;
		}
		body = colon - ps.s + 1;
	}
	rule->text = dup_range(ps.s, body, end);
	if (!rule->text || (colon && !rule->name)) {
		fail(&ps, 0, 1, "out of memory");
		goto fail;
	}
	if (!rule->name)
		rule->name = strdup(rule->text);
	ps.p = body;
	skip_space(&ps);
	if (!ps.s[ps.p]) {
		fail(&ps, ps.p, 1, "empty rule");
		goto fail;
	}
	rule->lhs = parse_expr(&ps);
	if (!rule->lhs)
		goto fail;
	skip_space(&ps);
	for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
		if (!strncmp(ps.s + ps.p, cmps[i].text, strlen(cmps[i].text)))
			break;
	if (i == sizeof(cmps) / sizeof(cmps[0])) {
		if (ps.s[ps.p] == '=')
			fail(&ps, ps.p, 1, "'=' is not a comparison: write '=='");
		else if (!ps.s[ps.p])
			fail(&ps, ps.p, 1, "the rule has no comparison: add <, <=, >, >=, == or != "
			     "and a limit");
		else
			fail(&ps, ps.p, 1, "expected a comparison (<, <=, >, >=, ==, !=) here");
		goto fail;
	}
	rule->cmp = cmps[i].cmp;
	ps.p += strlen(cmps[i].text);
	rule->rhs = parse_expr(&ps);
	if (!rule->rhs)
		goto fail;
	skip_space(&ps);
	if (ps.s[ps.p]) {
		fail(&ps, ps.p, end - ps.p, "unexpected '%.*s' after the rule", end - ps.p, ps.s + ps.p);
		goto fail;
	}
	if (check_kinds(&ps, rule))
		goto fail;
	rule->uses_baseline = ps.uses_baseline;
	rule->baseline_col = ps.baseline_col;
	return 0;
fail:
	gate_rule_free(rule);
	return -1;
}

void gate_rule_free(struct gate_rule *rule)
{
	free_node(rule->lhs);
	free_node(rule->rhs);
	free(rule->line);
	free(rule->text);
	free(rule->name);
	free(rule->origin);
	memset(rule, 0, sizeof(*rule));
}

/* ---- evaluation ---- */

struct eval {
	const struct gate_rule *rule;
	const struct gate_input *run;
	const struct gate_input *baseline;
	char *why;
	size_t whylen;
};

static bool unknown(struct eval *ev, const char *fmt, ...)
{
	va_list ap;

	if (!ev->why[0]) {
		va_start(ap, fmt);
		vsnprintf(ev->why, ev->whylen, fmt, ap);
		va_end(ap);
	}
	return false;
}

static uint32_t key_label(const struct svmtrace_hist_key *k, int label)
{
	switch (label) {
	case GATE_LABEL_DIRECTION: return k->direction;
	case GATE_LABEL_TRIGGER: return k->trigger;
	case GATE_LABEL_PATH: return k->path;
	case GATE_LABEL_DEVICE: return k->device;
	default: return k->pid ? k->pid : SVMTRACE_ALL;
	}
}

static void label_value_text(int label, uint32_t v, char *buf, size_t len)
{
	switch (label) {
	case GATE_LABEL_DIRECTION: snprintf(buf, len, "%s", svmtrace_direction_name(v)); break;
	case GATE_LABEL_TRIGGER: snprintf(buf, len, "%s", svmtrace_trigger_name(v)); break;
	case GATE_LABEL_PATH: snprintf(buf, len, "%s", svmtrace_path_name(v)); break;
	default: snprintf(buf, len, "%u", v);
	}
}

/* Why nothing matched: which label ruled everything out, and what is there. */
static bool explain_no_match(struct eval *ev, const struct gate_input *in, const struct gate_node *n)
{
	const char *sel = ev->rule->line + n->col;
	int sel_len = n->len, label;
	char seen[160] = "", v[32];
	size_t i, off = 0;

	while (sel_len > 0 && sel[sel_len - 1] != '.')	/* name the selector, not the stat */
		sel_len--;
	sel_len = sel_len > 0 ? sel_len - 1 : n->len;
	for (label = 0; label < GATE_LABEL_MAX; label++) {
		bool stage_seen = false, unkeyed = false;

		if (!n->has[label])
			continue;
		for (i = 0; i < in->nhists; i++) {
			const struct svmtrace_hist_key *k = &in->hists[i].entry.key;

			if (k->stage != n->stage)
				continue;
			stage_seen = true;
			if (key_label(k, label) == SVMTRACE_ALL) {
				unkeyed = true;
				continue;
			}
			label_value_text(label, key_label(k, label), v, sizeof(v));
			if (!strstr(seen, v) && off + strlen(v) + 3 < sizeof(seen))
				off += snprintf(seen + off, sizeof(seen) - off, "%s%s", off ? ", " : "", v);
		}
		if (!stage_seen)
			break;
		if (unkeyed && !off)
			return unknown(ev, "%s: the %s histograms of %s are not keyed by %s "
				       "(make it with hist --by stage,%s)", ev->rule->text,
				       svmtrace_stage_name(n->stage), in->what, label_names[label],
				       label_names[label]);
		return unknown(ev, "no histogram of %s matches %.*s (its %s histograms have %s %s)",
			       in->what, sel_len, sel, svmtrace_stage_name(n->stage),
			       label_names[label], off ? seen : "no value");
	}
	for (i = 0; i < in->nhists; i++)
		if (in->hists[i].entry.key.stage == SVMTRACE_ALL)
			return unknown(ev, "%s: the histograms of %s are not keyed by stage "
				       "(make it with hist --by stage,...)", ev->rule->text, in->what);
	return unknown(ev, "no histogram of %s matches %.*s (it has no %s histograms)", in->what,
		       sel_len, sel, svmtrace_stage_name(n->stage));
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The histogram is the selector's stage and has every label it names. */
static bool selector_matches(const struct gate_node *n, const struct svmtrace_hist_key *key)
{
	int label;

	if (key->stage != n->stage)
		return false;
	for (label = 0; label < GATE_LABEL_MAX; label++)
		if (n->has[label] && key_label(key, label) != n->label[label])
			return false;
	return true;
}

static bool eval_stat(struct eval *ev, const struct gate_input *in, const struct gate_node *n,
		      double *out)
{
	struct svmtrace_hist_entry merged = { 0 };
	const struct gate_hist *only = NULL;
	size_t i, matches = 0;
	bool exact = true, ok = true;

	for (i = 0; i < in->nhists; i++) {
		const struct gate_hist *h = &in->hists[i];

		if (!selector_matches(n, &h->entry.key))
			continue;
		svmtrace_histo_merge(&merged.hist, &h->entry.hist);
		exact = exact && h->entry.values;
		only = h;
		matches++;
	}
	if (!matches)
		return explain_no_match(ev, in, n);
	if (n->stat == GATE_STAT_COUNT) {
		*out = (double)merged.hist.count;
		return true;
	}
	if (!merged.hist.count)
		return unknown(ev, "%.*s: no values in %s", n->len, ev->rule->line + n->col, in->what);
	switch (n->stat) {
	case GATE_STAT_SUM:
		*out = (double)merged.hist.sum;
		return true;
	case GATE_STAT_MEAN:
		*out = (double)merged.hist.sum / (double)merged.hist.count;
		return true;
	case GATE_STAT_MAX:
		*out = (double)merged.hist.max;
		return true;
	default:
		break;
	}
	/* Percentiles: the file's own figure for a single histogram, exact when every value is known. */
	if (matches == 1 && only->stored)
		for (i = 0; i < 4; i++)
			if (n->pct == svmtrace_summary_pcts[i]) {
				*out = only->stored_pct[i];
				return true;
			}
	if (!exact || matches == 1) {
		const struct svmtrace_hist_entry *e = matches == 1 ? &only->entry : &merged;

		*out = svmtrace_entry_percentile(e, n->pct);
		return true;
	}
	merged.values = malloc(merged.hist.count * sizeof(uint64_t));
	if (!merged.values)
		return unknown(ev, "out of memory merging %llu values", (unsigned long long)merged.hist.count);
	for (i = 0; i < in->nhists; i++) {
		const struct gate_hist *h = &in->hists[i];

		if (!selector_matches(n, &h->entry.key))
			continue;
		if (merged.nvalues + h->entry.nvalues > merged.hist.count) {
			ok = unknown(ev, "%s: a histogram holds more values than it counts", in->what);
			break;
		}
		memcpy(merged.values + merged.nvalues, h->entry.values, h->entry.nvalues * sizeof(uint64_t));
		merged.nvalues += h->entry.nvalues;
	}
	if (ok) {
		qsort(merged.values, merged.nvalues, sizeof(uint64_t), u64_cmp);
		*out = svmtrace_exact_percentile(merged.values, merged.nvalues, n->pct);
	}
	free(merged.values);
	return ok;
}

static bool lookup_counter(const struct gate_input *in, const char *name, double *out)
{
	size_t i;

	for (i = 0; i < in->ncounters; i++)
		if (!strcmp(in->counters[i].name, name)) {
			*out = in->counters[i].value;
			return true;
		}
	return false;
}

static bool eval_counter(struct eval *ev, const struct gate_input *in, const char *name, double *out)
{
	size_t i, j;
	double part;

	for (i = 0; i < NALIASES; i++) {
		if (strcmp(aliases[i].name, name))
			continue;
		*out = 0;
		for (j = 0; j < 5 && aliases[i].parts[j]; j++) {
			if (!lookup_counter(in, aliases[i].parts[j], &part))
				return unknown(ev, "%s has no counter '%s' (part of '%s')", in->what,
					       aliases[i].parts[j], name);
			*out += part;
		}
		return true;
	}
	if (lookup_counter(in, name, out))
		return true;
	return unknown(ev, "%s has no counter '%s'%s", in->what, name,
		       !strncmp(name, "events.", 7) ? " (record files and report -j keep only "
		       "svm_migrate_end and svm_stage_end)" : "");
}

static bool eval_node(struct eval *ev, const struct gate_node *n, const struct gate_input *in,
		      double *out)
{
	double a, b;

	switch (n->type) {
	case GATE_N_LITERAL:
		*out = n->number;
		return true;
	case GATE_N_STAT:
		return eval_stat(ev, in, n, out);
	case GATE_N_COUNTER:
		return eval_counter(ev, in, n->counter, out);
	case GATE_N_BASELINE:
		if (!ev->baseline)
			return unknown(ev, "%.*s: no baseline given (--baseline FILE)", n->len,
				       ev->rule->line + n->col);
		return eval_node(ev, n->a, ev->baseline, out);
	case GATE_N_MUL:
	case GATE_N_DIV:
		if (!eval_node(ev, n->a, in, &a) || !eval_node(ev, n->b, in, &b))
			return false;
		if (n->type == GATE_N_MUL) {
			*out = a * b;
			return true;
		}
		if (b == 0)
			return unknown(ev, "division by zero: %.*s is 0", n->b->len,
				       ev->rule->line + n->b->col);
		*out = a / b;
		return true;
	}
	return false;
}

void gate_rule_eval(const struct gate_rule *rule, const struct gate_input *run,
		    const struct gate_input *baseline, struct gate_result *res)
{
	struct eval ev = { .rule = rule, .run = run, .baseline = baseline, .why = res->why,
			   .whylen = sizeof(res->why) };
	bool l, r;

	memset(res, 0, sizeof(*res));
	res->kind = rule->lhs->kind != GATE_NUMBER ? rule->lhs->kind : rule->rhs->kind;
	l = eval_node(&ev, rule->lhs, run, &res->value);
	r = eval_node(&ev, rule->rhs, run, &res->limit);
	res->value_known = l;
	res->known = l && r;
	if (!res->known)
		return;
	switch (rule->cmp) {
	case GATE_LT: res->pass = res->value < res->limit; break;
	case GATE_LE: res->pass = res->value <= res->limit; break;
	case GATE_GT: res->pass = res->value > res->limit; break;
	case GATE_GE: res->pass = res->value >= res->limit; break;
	case GATE_EQ: res->pass = res->value == res->limit; break;
	case GATE_NE: res->pass = res->value != res->limit; break;
	}
}

/* ---- units for people and for github-action-benchmark ---- */

/* A fixed unit per kind, so that a benchmark chart never changes scale. */
const char *gate_unit_name(enum gate_kind kind)
{
	switch (kind) {
	case GATE_TIME: return "us";
	case GATE_BYTES: return "bytes";
	case GATE_COUNT: return "count";
	case GATE_RATIO: return "ratio";
	default: return "";
	}
}

double gate_unit_scale(enum gate_kind kind)
{
	return kind == GATE_TIME ? 1e-3 : 1;
}

void gate_humanize(double v, enum gate_kind kind, char *buf, size_t len)
{
	static const char *const tnames[] = { "ns", "us", "ms", "s" };
	static const char *const bnames[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int i = 0;

	switch (kind) {
	case GATE_TIME:
		while (i < 3 && fabs(v) >= 1000) {
			v /= 1000;
			i++;
		}
		snprintf(buf, len, "%.4g%s", v, tnames[i]);
		break;
	case GATE_BYTES:
		while (i < 4 && fabs(v) >= 1024) {
			v /= 1024;
			i++;
		}
		snprintf(buf, len, "%.4g%s", v, bnames[i]);
		break;
	case GATE_COUNT:
		if (v == floor(v) && fabs(v) < 1e15)
			snprintf(buf, len, "%.0f", v);
		else
			snprintf(buf, len, "%.4g", v);
		break;
	default:
		snprintf(buf, len, "%.4g", v);
	}
}

/* ---- inputs ---- */

int gate_input_add_counter(struct gate_input *in, const char *name, double value)
{
	struct gate_counter *c = realloc(in->counters, (in->ncounters + 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	in->counters = c;
	c[in->ncounters].name = strdup(name);
	if (!c[in->ncounters].name)
		return -ENOMEM;
	c[in->ncounters++].value = value;
	return 0;
}

/* A new, empty histogram with @key; NULL when out of memory. */
struct gate_hist *gate_input_add_hist(struct gate_input *in, const struct svmtrace_hist_key *key)
{
	struct gate_hist *h = realloc(in->hists, (in->nhists + 1) * sizeof(*h));

	if (!h)
		return NULL;
	in->hists = h;
	h += in->nhists++;
	memset(h, 0, sizeof(*h));
	h->entry.key = *key;
	return h;
}

void gate_input_free(struct gate_input *in)
{
	size_t i;

	for (i = 0; i < in->nhists; i++)
		free(in->hists[i].entry.values);
	for (i = 0; i < in->ncounters; i++)
		free(in->counters[i].name);
	free(in->hists);
	free(in->counters);
	in->hists = NULL;
	in->counters = NULL;
	in->nhists = in->ncounters = 0;
}
