// SPDX-License-Identifier: GPL-2.0
/*
 * perf script text -> svmtrace records.  A perf script event line is
 *
 *	COMM  PID[/TID] [CPU] SECONDS.FRACTION: SYSTEM:EVENT: TRACE
 *
 * where the header columns depend on -F and COMM may hold spaces, and TRACE
 * is the tracepoint's TP_printk output: name=value pairs for svm_pagemap
 * (docs/tracepoints.md).  The event token (SYSTEM:EVENT:) anchors the line:
 * the header is read from right to left before it, the fields after it.
 *
 * The records are those the BPF programs send to svmtrace record's ring
 * buffer: one per svm_stage_end (module stages only) and svm_migrate_end,
 * each carrying its migration's map path, so that svmtrace report's replay
 * builds the same histograms from either source.  Enum fields are printed
 * by name (the vocabulary table); a number is taken too.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/svm_pagemap.h>

#include "svmtrace_names.h"
#include "svmtrace_perfscript.h"
#include "svmtrace_recfile.h"

#define PAGE_SIZE_BYTES	4096	/* as the BPF side: migrated pages -> bytes */
#define MAX_TOKENS	64	/* svm_pagemap events have at most 10 fields */
#define NOT_TEXT_HINT	": is it the text 'perf script' prints?"

struct parser {
	struct svmtrace_perfscript_info *info;
	bool partial;
	bool side_events;
	bool seen_event_line;
	struct svmtrace_record *recs;
	uint64_t nrecs, cap;
	uint64_t lineno;
	char *msg;
	size_t msglen;
};

/* A line's tokens and where its fields start. */
struct line {
	char *tok[MAX_TOKENS];
	int ntok;
	bool overflow;	/* more words than MAX_TOKENS: the rest are not in tok[] */
	int event;	/* index of the SYSTEM:EVENT: token */
};

static void say(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->msg, p->msglen, fmt, ap);
	va_end(ap);
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* SYSTEM:EVENT: with non-empty parts, as perf script names an event. */
static bool is_event_token(const char *t)
{
	const char *c = t;

	while (is_word_char(*c))
		c++;
	if (c == t || *c++ != ':')
		return false;
	t = c;
	while (is_word_char(*c))
		c++;
	return c != t && c[0] == ':' && c[1] == '\0';
}

static bool all_digits(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* SECONDS.FRACTION: -> ns, exactly (no floating point on the way). */
static bool parse_time(const char *t, uint64_t *ns)
{
	const char *dot = strchr(t, '.'), *end = t + strlen(t);
	uint64_t frac = 0;
	int digits = 0;

	if (!dot || end[-1] != ':' || !all_digits(t, dot) || !all_digits(dot + 1, end - 1))
		return false;
	for (const char *c = dot + 1; c < end - 1 && digits < 9; c++, digits++)
		frac = frac * 10 + (*c - '0');
	for (; digits < 9; digits++)
		frac *= 10;
	*ns = strtoull(t, NULL, 10) * 1000000000ull + frac;
	return true;
}

/* Header columns right to left: [SECONDS:] [[CPU]] [PID[/TID]] COMM. */
static void parse_header(struct parser *p, const struct line *l, uint32_t *pid, uint64_t *ts)
{
	int i = l->event - 1;
	const char *slash;
	size_t n;

	*pid = 0;
	*ts = 0;
	if (i >= 0 && parse_time(l->tok[i], ts))
		i--;
	if (i >= 0) {
		n = strlen(l->tok[i]);
		if (n > 2 && l->tok[i][0] == '[' && l->tok[i][n - 1] == ']' &&
		    all_digits(l->tok[i] + 1, l->tok[i] + n - 1))
			i--;
	}
	if (i >= 0) {
		const char *t = l->tok[i];

		slash = strchr(t, '/');
		if (slash && all_digits(t, slash) && all_digits(slash + 1, t + strlen(t))) {
			*pid = strtoul(t, NULL, 10);
		} else if (!slash && all_digits(t, t + strlen(t))) {
			*pid = strtoul(t, NULL, 10);
			p->info->tid_only = true;
		}
	}
	if (!*pid)
		p->info->pid_column = false;
	if (*ts) {
		if (!p->info->first_ts_ns)
			p->info->first_ts_ns = *ts;
		p->info->last_ts_ns = *ts;
	}
}

/*
 * The value of field @name of the event, within [@min, @max] (signed when
 * @min < 0); false with a message naming the line and field otherwise.
 */
static bool field(struct parser *p, const struct line *l, const char *name, int64_t min,
		  uint64_t max, uint64_t *out)
{
	size_t n = strlen(name);
	const char *ev = l->tok[l->event], *v = NULL;
	char *end;
	int i;

	for (i = l->event + 1; i < l->ntok; i++) {
		if (!strncmp(l->tok[i], name, n) && l->tok[i][n] == '=') {
			v = l->tok[i] + n + 1;
			break;
		}
	}
	if (!v) {
		say(p, "line %llu: %.*s has no field '%s' (truncated line?)",
		    (unsigned long long)p->lineno, (int)strlen(ev) - 1, ev, name);
		return false;
	}
	errno = 0;
	if (min < 0) {
		long long s = strtoll(v, &end, 0);

		if (*v && !*end && !errno && s >= min && (s < 0 || (uint64_t)s <= max)) {
			*out = (uint64_t)s;
			return true;
		}
	} else if (*v && *v != '-') {
		*out = strtoull(v, &end, 0);
		if (!*end && !errno && *out <= max)
			return true;
	}
	say(p, "line %llu: %.*s field %s='%s' is not a valid value", (unsigned long long)p->lineno,
	    (int)strlen(ev) - 1, ev, name, v);
	return false;
}

#define U32(name, var) field(p, l, name, 0, UINT32_MAX, &var)
#define U64(name, var) field(p, l, name, 0, UINT64_MAX, &var)
#define S32(name, var) field(p, l, name, INT32_MIN, INT32_MAX, &var)

/*
 * Enum field @name: a name of @table (as the tracepoints print them), or a
 * number below @count; the path may also be "none" (SVMTRACE_PATH_NONE).
 */
static bool enum_field(struct parser *p, const struct line *l, const char *name,
		       const char *const *table, uint64_t *out)
{
	size_t n = strlen(name);
	const char *ev = l->tok[l->event];
	int i, v;

	for (i = l->event + 1; i < l->ntok; i++) {
		const char *t = l->tok[i];

		if (strncmp(t, name, n) || t[n] != '=' || isdigit((unsigned char)t[n + 1]))
			continue;
		v = table == svmtrace_path_names ? svmtrace_parse_path(t + n + 1, strlen(t + n + 1)) :
			svmtrace_name_value(table, t + n + 1);
		if (v >= 0) {
			*out = (uint64_t)v;
			return true;
		}
		say(p, "line %llu: %.*s field %s='%s' is not one of %s",
		    (unsigned long long)p->lineno, (int)strlen(ev) - 1, ev, name, t + n + 1,
		    svmtrace_names_choice(table));
		return false;
	}
	return field(p, l, name, 0, UINT32_MAX, out);
}

#define ENUM(name, table, var) enum_field(p, l, name, table, &var)

static int push_record(struct parser *p, const struct svmtrace_record *r)
{
	if (p->nrecs == p->cap) {
		uint64_t ncap = p->cap ? p->cap * 2 : 1024;
		struct svmtrace_record *n = realloc(p->recs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->recs = n;
		p->cap = ncap;
	}
	p->recs[p->nrecs++] = *r;
	return 0;
}

static int on_stage_end(struct parser *p, const struct line *l, uint32_t pid, uint64_t ts)
{
	uint64_t id, device, stage, direction, trigger, path, npages, bytes, duration, error;
	struct svmtrace_record r;

	if (!U64("id", id) || !U32("device", device) ||
	    !ENUM("stage", svmtrace_stage_names, stage) ||
	    !ENUM("direction", svmtrace_direction_names, direction) ||
	    !ENUM("trigger", svmtrace_trigger_names, trigger) ||
	    !ENUM("path", svmtrace_path_names, path) || !U64("npages", npages) ||
	    !U64("bytes", bytes) || !U64("duration_ns", duration) || !S32("error", error))
		return -EINVAL;
	if (stage >= SVMTRACE_STAGE_TOTAL)	/* the BPF side records module stages only */
		return 0;
	r = (struct svmtrace_record){
		.ts_ns = ts, .id = id, .npages = npages, .bytes = bytes, .duration_ns = duration,
		.event = SVM_PAGEMAP_EV_STAGE_END, .pid = pid, .device = device, .stage = stage,
		.direction = direction, .trigger = trigger, .path = path,
		.result = (int32_t)error,
	};
	return push_record(p, &r);
}

static int on_migrate_end(struct parser *p, const struct line *l, uint32_t pid, uint64_t ts)
{
	uint64_t id, device, direction, trigger, path, start, npages, migrated, result, duration;
	struct svmtrace_record r;

	if (!U64("id", id) || !U32("device", device) ||
	    !ENUM("direction", svmtrace_direction_names, direction) ||
	    !ENUM("trigger", svmtrace_trigger_names, trigger) ||
	    !ENUM("path", svmtrace_path_names, path) || !U64("start", start) ||
	    !U64("npages", npages) || !U64("migrated", migrated) || !S32("result", result) ||
	    !U64("duration_ns", duration))
		return -EINVAL;
	r = (struct svmtrace_record){
		.ts_ns = ts, .id = id, .start = start, .npages = npages,
		.bytes = migrated * PAGE_SIZE_BYTES, .duration_ns = duration,
		.event = SVM_PAGEMAP_EV_MIGRATE_END, .pid = pid, .device = device,
		.stage = SVMTRACE_STAGE_TOTAL, .direction = direction, .trigger = trigger,
		.path = path, .result = (int32_t)result,
	};
	return push_record(p, &r);
}

/*
 * The events a timeline shows besides the stages, as records of their own
 * event (svmtrace_perfscript_read_ex() with SVMTRACE_PERFSCRIPT_SIDE_EVENTS;
 * the header says which field holds what).
 */
static int on_side_event(struct parser *p, const struct line *l, int ev, uint32_t pid, uint64_t ts)
{
	uint64_t id = 0, alloc_id = 0, device, reason = 0, attempt = 0, slice = 0, addr = 0;
	uint64_t remaining = 0, error = 0;
	struct svmtrace_record r;

	if (!p->side_events)
		return 0;
	if (ev == SVM_PAGEMAP_EV_RETRY &&
	    (!U64("id", id) || !U32("device", device) ||
	     !ENUM("reason", svmtrace_retry_reason_names, reason) || !U32("attempt", attempt) ||
	     !U32("timeslice_ms", slice)))
		return -EINVAL;
	if (ev == SVM_PAGEMAP_EV_TIMESLICE_HOLD &&
	    (!U64("alloc_id", alloc_id) || !U32("device", device) || !U64("address", addr) ||
	     !U64("remaining_ns", remaining)))
		return -EINVAL;
	if (ev == SVM_PAGEMAP_EV_EVICT_RETRY &&
	    (!U64("alloc_id", alloc_id) || !U64("id", id) || !U32("device", device) ||
	     !ENUM("reason", svmtrace_retry_reason_names, reason) || !U32("attempt", attempt) ||
	     !S32("error", error)))
		return -EINVAL;
	r = (struct svmtrace_record){
		.ts_ns = ts, .id = ev == SVM_PAGEMAP_EV_TIMESLICE_HOLD ? alloc_id : id,
		.start = ev == SVM_PAGEMAP_EV_TIMESLICE_HOLD ? addr : alloc_id,
		.npages = attempt,
		.duration_ns = ev == SVM_PAGEMAP_EV_RETRY ? slice * 1000000ull : remaining,
		.event = ev, .pid = pid, .device = device, .stage = SVMTRACE_STAGE_TOTAL,
		.direction = SVMTRACE_ALL, .trigger = SVMTRACE_ALL, .path = (uint32_t)reason,
		.result = (int32_t)error,
	};
	return push_record(p, &r);
}

static int event_index(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < SVMTRACE_EV_MAX; i++)
		if (strlen(svmtrace_event_name(i)) == len && !strncmp(svmtrace_event_name(i), name, len))
			return (int)i;
	return -1;
}

/* Call-chain lines (perf script -g) are indented addresses: "\t  ffffffff8... sym". */
static bool is_callchain_line(const char *raw, const struct line *l)
{
	const char *t = l->tok[0];

	return isspace((unsigned char)raw[0]) && strspn(t, "0123456789abcdefABCDEF") == strlen(t);
}

static void split(char *s, struct line *l)
{
	char *save = NULL, *t;

	l->ntok = 0;
	for (t = strtok_r(s, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (l->ntok == MAX_TOKENS) {
			l->overflow = true;
			return;
		}
		l->tok[l->ntok++] = t;
	}
}

/* One line: 0, -EINVAL (message set), -ENOMEM, or -ENOTSUP (not perf script text). */
static int parse_line(struct parser *p, char *raw, size_t len)
{
	char *sys_end;
	struct line l = { .event = -1 };
	uint64_t ts;
	uint32_t pid;
	int i, ev, ret = 0;

	if (memchr(raw, '\0', len)) {
		say(p, "line %llu holds binary data: not the text perf script prints",
		    (unsigned long long)p->lineno);
		return -ENOTSUP;
	}
	/* blank lines and perf script --header's comments */
	if (raw[strspn(raw, " \t\r\n")] == '\0' || raw[strspn(raw, " \t")] == '#') {
		p->info->other_lines++;
		return 0;
	}
	split(raw, &l);
	for (i = 0; i < l.ntok && l.event < 0; i++)
		if (is_event_token(l.tok[i]))
			l.event = i;
	if (l.event < 0) {
		if (is_callchain_line(raw, &l)) {
			p->info->other_lines++;
			return 0;
		}
		say(p, "line %llu is not a perf script event line (no SYSTEM:EVENT: column)%s",
		    (unsigned long long)p->lineno, p->seen_event_line ? "" : NOT_TEXT_HINT);
		return p->seen_event_line ? -EINVAL : -ENOTSUP;
	}
	p->seen_event_line = true;
	sys_end = strchr(l.tok[l.event], ':');
	if (strncmp(l.tok[l.event], "svm_pagemap:", sys_end - l.tok[l.event] + 1)) {
		p->info->other_events++;
		return 0;
	}
	ev = event_index(sys_end + 1, strlen(sys_end + 1) - 1);
	if (ev < 0) {
		p->info->unknown_svm_events++;
		return 0;
	}
	if (l.overflow) {
		say(p, "line %llu: more than %d words: not an svm_pagemap event line",
		    (unsigned long long)p->lineno, MAX_TOKENS);
		return -EINVAL;
	}
	parse_header(p, &l, &pid, &ts);
	switch (ev) {
	case SVM_PAGEMAP_EV_STAGE_END:
		ret = on_stage_end(p, &l, pid, ts);
		break;
	case SVM_PAGEMAP_EV_MIGRATE_END:
		ret = on_migrate_end(p, &l, pid, ts);
		break;
	case SVM_PAGEMAP_EV_RETRY:
	case SVM_PAGEMAP_EV_TIMESLICE_HOLD:
	case SVM_PAGEMAP_EV_EVICT_RETRY:
		ret = on_side_event(p, &l, ev, pid, ts);
		break;
	}
	if (!ret)
		p->info->events[ev]++;
	return ret;
}

static bool starts_with(const char *buf, size_t len, const char *magic)
{
	return len >= strlen(magic) && !memcmp(buf, magic, strlen(magic));
}

/**
 * svmtrace_perfscript_read() - records from perf script text
 * @in: the text
 * @partial: skip malformed lines (counted in @info) instead of failing
 * @info: filled with what the text held
 * @records: set to a malloc()ed array of the records (caller frees)
 * @nrecords: set to their number
 * @msg: set to the reason on failure (and to a note on success, else "")
 * @msglen: size of @msg
 *
 * Return: 0 or an enum svmtrace_perfscript_error; on failure nothing is
 * allocated.
 */
int svmtrace_perfscript_read(FILE *in, bool partial, struct svmtrace_perfscript_info *info,
			     struct svmtrace_record **records, uint64_t *nrecords,
			     char *msg, size_t msglen)
{
	return svmtrace_perfscript_read_ex(in, partial ? SVMTRACE_PERFSCRIPT_PARTIAL : 0, info,
					   records, nrecords, msg, msglen);
}

/**
 * svmtrace_perfscript_read_ex() - svmtrace_perfscript_read() with flags
 * @in: the text
 * @flags: SVMTRACE_PERFSCRIPT_PARTIAL, SVMTRACE_PERFSCRIPT_SIDE_EVENTS
 * @info: filled with what the text held
 * @records: set to a malloc()ed array of the records (caller frees)
 * @nrecords: set to their number
 * @msg: set to the reason on failure (and to a note on success, else "")
 * @msglen: size of @msg
 *
 * Return: as svmtrace_perfscript_read().
 */
int svmtrace_perfscript_read_ex(FILE *in, unsigned int flags, struct svmtrace_perfscript_info *info,
				struct svmtrace_record **records, uint64_t *nrecords,
				char *msg, size_t msglen)
{
	bool partial = flags & SVMTRACE_PERFSCRIPT_PARTIAL;
	struct parser p = { .info = info, .partial = partial, .msg = msg, .msglen = msglen,
			    .side_events = flags & SVMTRACE_PERFSCRIPT_SIDE_EVENTS };
	char *buf = NULL;
	size_t bufcap = 0;
	ssize_t len;
	int ret = SVMTRACE_PERFSCRIPT_OK, r;

	memset(info, 0, sizeof(*info));
	info->pid_column = true;
	msg[0] = '\0';
	*records = NULL;
	*nrecords = 0;
	errno = 0;
	while ((len = getline(&buf, &bufcap, in)) >= 0) {
		p.lineno = ++info->lines;
		if (p.lineno == 1 && starts_with(buf, len, "PERFILE2")) {
			say(&p, "this is a perf.data file: give its text, 'perf script -i FILE > FILE.txt'");
			ret = SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT;
			break;
		}
		if (p.lineno == 1 && starts_with(buf, len, SVMTRACE_RECFILE_MAGIC)) {
			say(&p, "this is an svmtrace record file: report it without --perf-script");
			ret = SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT;
			break;
		}
		/* perf ends every line: a last line without '\n' was cut short */
		if (buf[len - 1] != '\n' && buf[strspn(buf, " \t\r")]) {
			say(&p, "line %llu is cut short (no newline at the end of the text)",
			    (unsigned long long)p.lineno);
			r = p.seen_event_line ? -EINVAL : -ENOTSUP;
		} else {
			r = parse_line(&p, buf, len);
		}
		if (r == -ENOMEM) {
			say(&p, "out of memory at line %llu", (unsigned long long)p.lineno);
			ret = SVMTRACE_PERFSCRIPT_ERR_NOMEM;
			break;
		}
		if (r == -ENOTSUP) {
			ret = SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT;
			break;
		}
		if (r == -EINVAL) {
			if (!info->malformed++)
				info->first_bad_line = p.lineno;
			if (!partial) {
				ret = SVMTRACE_PERFSCRIPT_ERR_MALFORMED;
				break;
			}
		}
	}
	if (!ret && ferror(in)) {
		say(&p, "read error at line %llu: %s", (unsigned long long)info->lines + 1,
		    strerror(errno ? errno : EIO));
		ret = SVMTRACE_PERFSCRIPT_ERR_IO;
	}
	if (!ret && !p.seen_event_line) {
		say(&p, info->lines ? "no perf script event lines in %llu lines" NOT_TEXT_HINT
			: "empty: no perf script output",
		    (unsigned long long)info->lines);
		ret = SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT;
	}
	if (!ret && info->malformed)
		say(&p, "%llu malformed lines skipped, the first at line %llu",
		    (unsigned long long)info->malformed, (unsigned long long)info->first_bad_line);
	free(buf);
	if (ret) {
		free(p.recs);
		return ret;
	}
	*records = p.recs;
	*nrecords = p.nrecs;
	return 0;
}
