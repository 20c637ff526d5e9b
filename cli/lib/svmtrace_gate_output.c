// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace gate's verdicts for people (one row per rule) and for CI: the
 * customSmallerIsBetter JSON of github-action-benchmark, and JUnit XML.
 * The XML is small enough to write by hand; what matters is the escaping,
 * which also keeps the file well-formed when a rule file holds bytes that
 * are not UTF-8 or control characters XML 1.0 cannot carry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "svmtrace_gate_io.h"

void gate_value_text(const struct gate_verdict *v, char *buf, size_t len)
{
	if (v->res.value_known)
		gate_humanize(v->res.value, v->res.kind, buf, len);
	else
		snprintf(buf, len, "-");
}

void gate_limit_text(const struct gate_verdict *v, char *buf, size_t len)
{
	char num[48];

	if (v->res.known)
		gate_humanize(v->res.limit, v->res.kind, num, sizeof(num));
	else
		snprintf(num, sizeof(num), "?");
	snprintf(buf, len, "%s %s", gate_cmp_text(v->rule->cmp), num);
}

static void rule_label(const struct gate_rule *r, char *buf, size_t len)
{
	if (strcmp(r->name, r->text))
		snprintf(buf, len, "%s: %s", r->name, r->text);
	else
		snprintf(buf, len, "%s", r->text);
}

void gate_print_table(FILE *out, const struct gate_verdict *v, size_t n)
{
	char label[512], value[48], limit[64];
	size_t i, passed = 0;
	int width = 4;

	for (i = 0; i < n; i++) {
		rule_label(v[i].rule, label, sizeof(label));
		if ((int)strlen(label) > width)
			width = strlen(label);
	}
	if (width > 100)	/* aligned for named rules too, but not for every stray long one */
		width = 100;
	fprintf(out, "%-*s  %12s  %-14s  %s\n", width, "RULE", "VALUE", "LIMIT", "RESULT");
	for (i = 0; i < n; i++) {
		rule_label(v[i].rule, label, sizeof(label));
		gate_value_text(&v[i], value, sizeof(value));
		gate_limit_text(&v[i], limit, sizeof(limit));
		fprintf(out, "%-*s  %12s  %-14s  %s", width, label, value, limit,
			v[i].res.pass ? "PASS" : "FAIL");
		if (!v[i].res.known)
			fprintf(out, ": %s", v[i].res.why);
		fputc('\n', out);
		passed += v[i].res.pass;
	}
	fprintf(out, "svmtrace gate: %zu rule%s, %zu passed, %zu failed\n", n, n == 1 ? "" : "s",
		passed, n - passed);
}

/*
 * github-action-benchmark, tool customSmallerIsBetter: [{name, unit, value,
 * extra}].  Units are fixed per kind (times in us) so a chart keeps its
 * scale from run to run; a rule whose value could not be measured has no
 * number to chart and is left out (its failure is in the table and JUnit),
 * and so is the command's exit status, which is no benchmark.
 */
json_object *gate_bench_json(const struct gate_verdict *v, size_t n)
{
	json_object *arr = json_object_new_array();
	char value[48], limit[64], extra[400];
	size_t i;

	for (i = 0; i < n; i++) {
		json_object *o;

		if (!v[i].res.value_known || !v[i].rule->lhs)	/* no value, or the command's status */
			continue;
		o = json_object_new_object();
		gate_value_text(&v[i], value, sizeof(value));
		gate_limit_text(&v[i], limit, sizeof(limit));
		snprintf(extra, sizeof(extra), "%s: %s, limit %s: %s", v[i].rule->text, value, limit,
			 v[i].res.pass ? "PASS" : "FAIL");
		json_object_object_add(o, "name", json_object_new_string(v[i].rule->name));
		json_object_object_add(o, "unit", json_object_new_string(gate_unit_name(v[i].res.kind)));
		json_object_object_add(o, "value", json_object_new_double(v[i].res.value *
									  gate_unit_scale(v[i].res.kind)));
		json_object_object_add(o, "extra", json_object_new_string(extra));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Length of the valid UTF-8 sequence at @s, or 0 when it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;	/* overlong, or a UTF-16 surrogate */
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* Text and attribute values alike: markup characters as entities, the unsayable as '?'. */
void gate_xml_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	while (*s) {
		switch (*s) {
		case '&': fputs("&amp;", out); s++; continue;
		case '<': fputs("&lt;", out); s++; continue;
		case '>': fputs("&gt;", out); s++; continue;
		case '"': fputs("&quot;", out); s++; continue;
		case '\'': fputs("&apos;", out); s++; continue;
		case '\n': fputs("&#10;", out); s++; continue;
		case '\t': fputs("&#9;", out); s++; continue;
		case '\r': fputs("&#13;", out); s++; continue;
		}
		n = utf8_len(s);
		if (*s < 0x20 || n == 0) {
			fputc('?', out);
			s++;
			continue;
		}
		fwrite(s, 1, n, out);
		s += n;
	}
}

static void xml_attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	gate_xml_escape(out, value);
	fputc('"', out);
}

/* One <testsuite> with a <testcase> per rule; a failed rule carries <failure>. */
int gate_write_junit(const char *path, const struct gate_verdict *v, size_t n, double seconds,
		     char *msg, size_t len)
{
	char tmp[4096], value[48], limit[64], text[600], stamp[32];
	size_t i, failures = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	for (i = 0; i < n; i++)
		failures += !v[i].res.pass;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(msg, len, "cannot write '%s': %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"svmtrace gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		n, failures);
	fprintf(f, "  <testsuite name=\"svmtrace gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n", n, failures, seconds, stamp);
	for (i = 0; i < n; i++) {
		gate_value_text(&v[i], value, sizeof(value));
		gate_limit_text(&v[i], limit, sizeof(limit));
		fprintf(f, "    <testcase classname=\"svmtrace.gate\"");
		xml_attr(f, "name", v[i].rule->name);
		xml_attr(f, "file", v[i].rule->origin ? v[i].rule->origin : "-r");
		fprintf(f, " time=\"0\">\n");
		if (v[i].res.known)
			snprintf(text, sizeof(text), "%s: value %s, limit %s", v[i].rule->text, value, limit);
		else
			snprintf(text, sizeof(text), "%s: %s", v[i].rule->text, v[i].res.why);
		if (!v[i].res.pass) {
			fprintf(f, "      <failure type=\"gate\"");
			xml_attr(f, "message", text);
			fprintf(f, ">");
			gate_xml_escape(f, text);
			fprintf(f, "</failure>\n");
		} else {
			fprintf(f, "      <system-out>");
			gate_xml_escape(f, text);
			fprintf(f, "</system-out>\n");
		}
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	if (ferror(f) | fclose(f)) {
		snprintf(msg, len, "writing '%s' failed: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		snprintf(msg, len, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
