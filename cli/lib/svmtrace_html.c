// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace report --html: the run as one HTML page that opens offline from
 * file:// in any browser: inline CSS, inline SVG, no script, no URL.
 *
 * Per direction (as the histogram keys carry it):
 *  - where the time goes: a stacked bar of each stage's summed duration
 *    over the summed duration of whole migrations (the rest, time between
 *    stages, is its own segment);
 *  - a heatmap of whole-migration latency over time: time of the record
 *    on x, its log2 bucket on y, colour by count.  Whole migrations rather
 *    than a stage each: the total is what the faulting GPU or CPU waits
 *    for, so a band that moves up at some time is the thing to see first;
 *    the stage table and share then say which stage grew.  A direction
 *    recorded without whole migrations (record -S STAGE) shows its stage
 *    records instead, and says so;
 *  - one row per histogram key: count, avg, p50/p90/p99/p99.9, max and
 *    the log2 distribution with its p50 and p99 marked.
 * Then the counters: migrations, throughput, map paths, IOVA, livelock.
 *
 * Every number is taken from what report -j prints (the same replay
 * groups, percentile function and counters JSON) and written twice: as
 * text, and in data-* attributes (full precision) for tools and tests.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svmtrace_histogram.h"
#include "svmtrace_html.h"
#include "svmtrace_names.h"

#define COLS SVMTRACE_HTML_HEAT_COLS
#define NSTAGES SVMTRACE_STAGE_TOTAL	/* the stages proper, without total */

/* Tableau 10: apart on screen and in grey print; the last is "between stages". */
static const char *const stage_colours[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
};
#define OTHER_COLOUR "#bab0ac"

/* One section of the page: a direction, or all of them (--by without direction). */
struct html_sec {
	uint32_t direction;
	uint64_t stage_sum[SVMTRACE_STAGE_MAX];
	uint64_t stage_count[SVMTRACE_STAGE_MAX];
	bool heat_total;	/* heatmap of whole migrations, else of stage records */
	uint64_t heat_count;
	uint64_t heat_max;
	uint64_t *heat;		/* [row][COLS], row 0 the lowest bucket */
};

struct html_ctx {
	FILE *out;
	const struct svmtrace_html_run *run;
	const struct svmtrace_render_opts *o;
	const struct svmtrace_filter *f;
	const struct svmtrace_record *recs;
	uint64_t n;
	const struct svmtrace_replay *rp;
	struct html_sec *secs;
	size_t nsecs;
	unsigned int heat_lo, heat_hi;	/* log2 rows of the heatmaps */
	unsigned int dist_lo, dist_hi;	/* log2 slots of the distributions */
	uint64_t t0, t1;		/* time axis */
};

void svmtrace_html_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("&#xfffd;", out);
			else
				fputc(c, out);
		}
	}
}

/* The log2 slot a value falls in, as svmtrace_histo_log2() folds it. */
static unsigned int value_slot(uint64_t v)
{
	uint64_t lo = svmtrace_hist_lower(svmtrace_hist_index(v));

	return lo ? svmtrace_log2(lo) + 1 : 0;
}

/* "512 ns", "1.5 us", "2 ms": short, for axes. */
static void fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.3g ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
}

static void fmt_bytes(char *buf, size_t len, uint64_t b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)b;
	unsigned int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static uint64_t slot_lower(unsigned int s)
{
	return s ? 1ull << (s - 1) : 0;
}

static const char *dir_id(uint32_t d)
{
	return d == SVMTRACE_ALL ? "all" : svmtrace_direction_name(d);
}

static const char *dir_label(uint32_t d)
{
	return d == SVMTRACE_ALL ? "all directions" : svmtrace_direction_name(d);
}

static struct html_sec *sec_of(struct html_ctx *x, uint32_t direction)
{
	size_t i;

	for (i = 0; i < x->nsecs; i++)
		if (x->secs[i].direction == direction)
			return &x->secs[i];
	return NULL;
}

static int sec_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct html_sec *)a)->direction, y = ((const struct html_sec *)b)->direction;

	return x < y ? -1 : x > y;
}

/* The latency records the page is about: those the replay took. */
static bool latency_record(const struct html_ctx *x, const struct svmtrace_record *r)
{
	return (r->event == SVM_PAGEMAP_EV_STAGE_END || r->event == SVM_PAGEMAP_EV_MIGRATE_END) &&
	       svmtrace_filter_match(x->f, r);
}

static uint32_t record_dir(const struct html_ctx *x, const struct svmtrace_record *r)
{
	return x->o->by[SVMTRACE_DIM_DIRECTION] ? r->direction : SVMTRACE_ALL;
}

/* Sections, stage sums and the distributions' range, from the replay groups. */
static int build_sections(struct html_ctx *x)
{
	const struct svmtrace_replay *rp = x->rp;
	size_t i;

	x->dist_lo = SVMTRACE_LOG2_SLOTS;
	x->dist_hi = 0;
	for (i = 0; i < rp->ngroups; i++) {
		const struct svmtrace_replay_group *g = &rp->groups[i];
		struct html_sec *s = sec_of(x, g->key.direction);
		uint64_t v, sum = 0;

		if (!s) {
			s = realloc(x->secs, (x->nsecs + 1) * sizeof(*s));
			if (!s)
				return -ENOMEM;
			x->secs = s;
			s = &x->secs[x->nsecs++];
			memset(s, 0, sizeof(*s));
			s->direction = g->key.direction;
		}
		for (v = 0; v < g->nvalues; v++)
			sum += g->values[v];
		if (g->key.stage < SVMTRACE_STAGE_MAX) {
			s->stage_sum[g->key.stage] += sum;
			s->stage_count[g->key.stage] += g->nvalues;
		}
		if (g->nvalues) {
			unsigned int lo = value_slot(g->values[0]), hi = value_slot(g->values[g->nvalues - 1]);

			if (lo < x->dist_lo)
				x->dist_lo = lo;
			if (hi > x->dist_hi)
				x->dist_hi = hi;
		}
	}
	if (x->dist_lo > x->dist_hi)
		x->dist_lo = x->dist_hi = 0;
	if (x->nsecs)
		qsort(x->secs, x->nsecs, sizeof(*x->secs), sec_cmp);
	return 0;
}

/*
 * The heatmaps: which records each shows, the time span and log2 rows
 * shared by all of them, then the counts.
 */
static int build_heatmaps(struct html_ctx *x)
{
	uint64_t r, tmin = UINT64_MAX, tmax = 0, span;
	unsigned int rows;
	size_t i;

	for (r = 0; r < x->n; r++) {
		const struct svmtrace_record *rec = &x->recs[r];
		struct html_sec *s;

		if (!latency_record(x, rec) || !(s = sec_of(x, record_dir(x, rec))))
			continue;
		if (rec->stage == SVMTRACE_STAGE_TOTAL)
			s->heat_total = true;
	}
	x->heat_lo = SVMTRACE_LOG2_SLOTS;
	x->heat_hi = 0;
	for (r = 0; r < x->n; r++) {
		const struct svmtrace_record *rec = &x->recs[r];
		struct html_sec *s;
		unsigned int slot;

		if (!latency_record(x, rec) || !(s = sec_of(x, record_dir(x, rec))))
			continue;
		if (s->heat_total && rec->stage != SVMTRACE_STAGE_TOTAL)
			continue;
		slot = value_slot(rec->duration_ns);
		if (slot < x->heat_lo)
			x->heat_lo = slot;
		if (slot > x->heat_hi)
			x->heat_hi = slot;
		if (rec->ts_ns < tmin)
			tmin = rec->ts_ns;
		if (rec->ts_ns > tmax)
			tmax = rec->ts_ns;
	}
	if (x->heat_lo > x->heat_hi) {
		x->heat_lo = x->heat_hi = 0;
		tmin = tmax = 0;
	}
	x->t0 = x->run->t0_ns && x->run->t0_ns <= tmin ? x->run->t0_ns : tmin;
	x->t1 = x->run->t1_ns >= tmax ? x->run->t1_ns : tmax;
	span = x->t1 - x->t0;
	rows = x->heat_hi - x->heat_lo + 1;
	for (i = 0; i < x->nsecs; i++) {
		x->secs[i].heat = calloc((size_t)rows * COLS, sizeof(uint64_t));
		if (!x->secs[i].heat)
			return -ENOMEM;
	}
	for (r = 0; r < x->n; r++) {
		const struct svmtrace_record *rec = &x->recs[r];
		struct html_sec *s;
		uint64_t *cell;
		unsigned int col;

		if (!latency_record(x, rec) || !(s = sec_of(x, record_dir(x, rec))))
			continue;
		if (s->heat_total && rec->stage != SVMTRACE_STAGE_TOTAL)
			continue;
		col = span ? (unsigned int)((double)(rec->ts_ns - x->t0) / (double)span * COLS) : 0;
		if (col >= COLS)
			col = COLS - 1;
		cell = &s->heat[(size_t)(value_slot(rec->duration_ns) - x->heat_lo) * COLS + col];
		(*cell)++;
		s->heat_count++;
		if (*cell > s->heat_max)
			s->heat_max = *cell;
	}
	return 0;
}

static const char css[] =
	"*{box-sizing:border-box}"
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:#1d2430;background:#fff;margin:0 auto;padding:16px 24px;max-width:1280px}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:19px;margin:0 0 8px;border-bottom:2px solid #1d2430}"
	"h3{font-size:15px;margin:14px 0 6px}small,.note{color:#5a6270;font-weight:normal}"
	".meta{color:#3b4350;margin:0 0 8px}.warn{background:#fff4d6;border-left:4px solid #e0a000;"
	"padding:6px 10px;margin:6px 0}nav a{margin-right:12px;color:#1f5fa8}"
	"section{margin:22px 0;padding-top:4px}"
	"table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;text-align:right;"
	"border-bottom:1px solid #e3e6ea;white-space:nowrap}th{background:#f3f5f7;font-weight:600}"
	"td.key,th.key{text-align:left}td.dist,th.dist{text-align:left;padding:1px 4px}"
	"td.num{font-variant-numeric:tabular-nums}svg{display:block}"
	"svg text{font:11px system-ui,'DejaVu Sans',sans-serif;fill:#3b4350}"
	".legend span{display:inline-block;margin:2px 14px 2px 0}"
	".legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}"
	".counters{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px 24px}"
	".counters table td{text-align:right}.counters table th{text-align:left;background:none;"
	"font-weight:normal}.counters h3{margin:4px 0}tr.nonzero td,tr.nonzero th{background:#fff4d6}"
	"@media print{body{padding:0;font-size:11px}nav{display:none}"
	"section,.heatmap,.share,.group{break-inside:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static void write_head(struct html_ctx *x)
{
	const struct svmtrace_html_run *run = x->run;
	FILE *out = x->out;
	size_t i;

	/* the policy forbids any load: the page is whole, and nothing injected could fetch */
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>svmtrace report: ",
	      out);
	svmtrace_html_escape(out, run->file);
	fprintf(out, "</title>\n<style>%s</style></head>\n<body>\n", css);
	fputs("<header id=\"run\" data-file=\"", out);
	svmtrace_html_escape(out, run->file);
	fputs("\" data-kernel-release=\"", out);
	svmtrace_html_escape(out, run->kernel_release);
	fputs("\" data-source=\"", out);
	svmtrace_html_escape(out, run->source);
	fprintf(out, "\" data-records=\"%llu\" data-lost=\"%llu\" data-seconds=\"%.17g\" "
		"data-complete=\"%s\" data-unit=\"%s\" data-unit-ns=\"%.17g\" data-histograms=\"%zu\">\n",
		(unsigned long long)run->records, (unsigned long long)run->lost, run->seconds,
		run->complete ? "true" : "false", x->o->unit, x->o->unit_ns, x->rp->ngroups);
	fputs("<h1>svmtrace report</h1>\n<p class=\"meta\"><b>", out);
	svmtrace_html_escape(out, run->file);
	fputs("</b> &middot; kernel ", out);
	svmtrace_html_escape(out, run->kernel_release && run->kernel_release[0] ? run->kernel_release : "?");
	fputs(" &middot; source ", out);
	svmtrace_html_escape(out, run->source);
	if (run->programs) {
		fputs(" (", out);
		svmtrace_html_escape(out, run->programs);
		fputs(" programs)", out);
	}
	fprintf(out, " &middot; %llu records over %.3f s &middot; times in %s, exact percentiles</p>\n",
		(unsigned long long)run->records, run->seconds, x->o->unit);
	if (run->lost)
		fprintf(out, "<p class=\"warn\" id=\"lost\">%llu records were lost while recording "
			"(ring buffer full): these histograms miss them</p>\n", (unsigned long long)run->lost);
	if (!run->complete)
		fputs("<p class=\"warn\" id=\"incomplete\">The file is truncated: these are the records it "
		      "still holds, without the counters</p>\n", out);
	if (x->rp->dropped_records)
		fprintf(out, "<p class=\"warn\" id=\"dropped\">More than %zu keys: %llu records of later "
			"keys are not in the histograms (--max-keys)</p>\n", x->rp->max_keys,
			(unsigned long long)x->rp->dropped_records);
	if (!x->nsecs)
		fputs("<p class=\"warn\" id=\"none\">No migrations</p>\n", out);
	fputs("<nav>", out);
	for (i = 0; i < x->nsecs; i++)
		fprintf(out, "<a href=\"#dir-%s\">%s</a>", dir_id(x->secs[i].direction),
			dir_label(x->secs[i].direction));
	if (run->counters)
		fputs("<a href=\"#counters\">counters</a>", out);
	fputs("</nav>\n</header>\n", out);
}

/* The stacked bar of one direction's stages over its whole migrations. */
static void write_share(struct html_ctx *x, const struct html_sec *s)
{
	uint64_t stages = 0, total = s->stage_sum[SVMTRACE_STAGE_TOTAL], denom, other = 0;
	const double width = 1200, height = 34;
	FILE *out = x->out;
	double pos = 0;
	unsigned int st;

	for (st = 0; st < NSTAGES; st++)
		stages += s->stage_sum[st];
	fprintf(out, "<div class=\"share\" data-total-ns=\"%llu\" data-stages-ns=\"%llu\">\n"
		"<h3>Where the time goes <small>each stage's summed time over the summed time of whole "
		"migrations</small></h3>\n", (unsigned long long)total, (unsigned long long)stages);
	if (!x->o->by[SVMTRACE_DIM_STAGE]) {
		fputs("<p class=\"note\">The histograms are not keyed by stage (--by): no share to "
		      "show.</p></div>\n", out);
		return;
	}
	if (!stages && !total) {
		fputs("<p class=\"note\">No stage or migration durations.</p></div>\n", out);
		return;
	}
	if (!total)
		fputs("<p class=\"note\">No whole migrations recorded: shares of the stages' summed "
		      "time.</p>\n", out);
	else if (!stages)
		fputs("<p class=\"note\">No stage records (recorded with -S total?): nothing to "
		      "split.</p>\n", out);
	if (total > stages)
		other = total - stages;
	denom = stages + other;
	fprintf(out, "<svg class=\"sharebar\" width=\"100%%\" viewBox=\"0 0 %.0f %.0f\" "
		"preserveAspectRatio=\"none\" height=\"%.0f\" role=\"img\" aria-label=\"stage share\">",
		width, height, height);
	for (st = 0; st <= NSTAGES; st++) {
		uint64_t v = st < NSTAGES ? s->stage_sum[st] : other;
		double w;

		if (!v)
			continue;
		w = (double)v / (double)denom * width;
		fprintf(out, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\">"
			"<title>%s: %.1f%%</title></rect>", pos, w, height,
			st < NSTAGES ? stage_colours[st % 8] : OTHER_COLOUR,
			st < NSTAGES ? svmtrace_stage_name(st) : "between stages",
			100.0 * (double)v / (double)denom);
		pos += w;
	}
	fputs("</svg>\n<div class=\"legend\">", out);
	for (st = 0; st <= NSTAGES; st++) {
		uint64_t v = st < NSTAGES ? s->stage_sum[st] : other;
		char buf[32];

		if (st < NSTAGES && !s->stage_count[st])
			continue;
		if (st == NSTAGES && (!total || !stages))
			continue;
		fmt_ns(buf, sizeof(buf), (double)v);
		fprintf(out, "<span class=\"seg\" data-stage=\"%s\" data-sum-ns=\"%llu\" data-count=\"%llu\" "
			"data-share=\"%.17g\"><i style=\"background:%s\"></i>%s <b>%.1f%%</b> (%.3f %s)</span>",
			st < NSTAGES ? svmtrace_stage_name(st) : "between_stages", (unsigned long long)v,
			(unsigned long long)(st < NSTAGES ? s->stage_count[st] : 0),
			denom ? (double)v / (double)denom : 0.0,
			st < NSTAGES ? stage_colours[st % 8] : OTHER_COLOUR,
			st < NSTAGES ? svmtrace_stage_name(st) : "between stages",
			denom ? 100.0 * (double)v / (double)denom : 0.0, (double)v / x->o->unit_ns, x->o->unit);
	}
	fputs("</div></div>\n", out);
}

/* YlGnBu from light to dark, by log count so that single outliers still show. */
static void heat_colour(char *buf, size_t len, uint64_t c, uint64_t max)
{
	static const unsigned char stops[][3] = {
		{ 0xff, 0xf3, 0xb2 }, { 0xc7, 0xe9, 0xb4 }, { 0x41, 0xb6, 0xc4 },
		{ 0x22, 0x5e, 0xa8 }, { 0x08, 0x1d, 0x58 },
	};
	double t = max > 1 ? log((double)c) / log((double)max) : 1, f;
	unsigned int i, k, rgb[3];

	t = t < 0 ? 0 : t > 1 ? 1 : t;
	f = t * 4;
	i = f >= 4 ? 3 : (unsigned int)f;
	f -= i;
	for (k = 0; k < 3; k++)
		rgb[k] = (unsigned int)(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f + 0.5);
	snprintf(buf, len, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static void write_heatmap(struct html_ctx *x, const struct html_sec *s)
{
	unsigned int rows = x->heat_hi - x->heat_lo + 1, r, c, step;
	const double left = 72, cw = 18, ch = 14, top = 6;
	double span = (double)(x->t1 - x->t0), width = left + COLS * cw + 120;
	double height = top + rows * ch + 34;
	FILE *out = x->out;
	char buf[32];

	fprintf(out, "<div class=\"heatmap\" data-stage=\"%s\" data-count=\"%llu\" data-cols=\"%u\" "
		"data-row-lo=\"%u\" data-row-hi=\"%u\" data-t0-ns=\"%llu\" data-t1-ns=\"%llu\">\n"
		"<h3>%s latency over time <small>%llu %s; x: time since the start, y: log2 bucket, "
		"colour: count</small></h3>\n", s->heat_total ? "total" : "stages",
		(unsigned long long)s->heat_count, COLS, x->heat_lo, x->heat_hi,
		(unsigned long long)x->t0, (unsigned long long)x->t1,
		s->heat_total ? "Migration" : "Stage", (unsigned long long)s->heat_count,
		s->heat_total ? "whole migrations" : "stage records (no whole migrations recorded)");
	fprintf(out, "<svg width=\"100%%\" style=\"max-width:%.0fpx\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		"aria-label=\"latency heatmap\">", width, width, height);
	fprintf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#f6f7f9\" "
		"stroke=\"#d5d9de\"/>", left, top, COLS * cw, rows * ch);
	/* y labels: the lower bound of each bucket, the slowest on top */
	step = rows > 24 ? 2 : 1;
	for (r = 0; r < rows; r += step) {
		fmt_ns(buf, sizeof(buf), (double)slot_lower(x->heat_lo + r));
		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 5,
			top + (rows - r) * ch - 3, buf);
	}
	for (r = 0; r < rows; r++)
		for (c = 0; c < COLS; c++) {
			uint64_t v = s->heat[(size_t)r * COLS + c];
			char col[8], lo[32], hi[32];

			if (!v)
				continue;
			heat_colour(col, sizeof(col), v, s->heat_max);
			fmt_ns(lo, sizeof(lo), (double)slot_lower(x->heat_lo + r));
			fmt_ns(hi, sizeof(hi), (double)slot_lower(x->heat_lo + r + 1));
			fprintf(out, "<rect class=\"cell\" data-row=\"%u\" data-col=\"%u\" data-count=\"%llu\" "
				"x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"%s\"><title>%.3f-%.3f s, "
				"%s to %s: %llu</title></rect>", x->heat_lo + r, c, (unsigned long long)v,
				left + c * cw, top + (rows - 1 - r) * ch, cw, ch, col,
				span * c / COLS / 1e9, span * (c + 1) / COLS / 1e9, lo, hi, (unsigned long long)v);
		}
	/* x labels: five ticks over the span */
	for (c = 0; c <= 4; c++)
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"%s\">%.3g s</text>",
			left + c * COLS * cw / 4, top + rows * ch + 15, c ? c == 4 ? "end" : "middle" : "start",
			span * c / 4 / 1e9);
	/* colour scale */
	for (c = 0, r = 0; c < 5; c++) {
		uint64_t v = s->heat_max > 1 ? (uint64_t)llround(pow((double)s->heat_max, c / 4.0)) : 1;
		char col[8];

		if (v <= r && c < 4)
			continue;
		r = (unsigned int)v;
		heat_colour(col, sizeof(col), v, s->heat_max);
		fprintf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"16\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%.0f\" y=\"%.0f\">%llu</text>", left + COLS * cw + 14,
			top + c * 16, col, left + COLS * cw + 36, top + c * 16 + 10, (unsigned long long)v);
	}
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\">per cell</text>", left + COLS * cw + 14, top + 5 * 16 + 10);
	fputs("</svg></div>\n", out);
}

static double slot_x(const struct html_ctx *x, double v, double bw)
{
	unsigned int s = v >= 1 ? value_slot((uint64_t)v) : 0;
	double frac = s ? (v - (double)slot_lower(s)) / (double)slot_lower(s) : 0;

	if (frac > 1)
		frac = 1;
	return (s - x->dist_lo + frac) * bw;
}

#define DIST_W 320.0
#define DIST_H 30.0

static void write_dist_axis(struct html_ctx *x)
{
	unsigned int nslots = x->dist_hi - x->dist_lo + 1, s, step = nslots > 8 ? (nslots + 3) / 4 : 2;
	double bw = DIST_W / nslots;
	char buf[32];

	fprintf(x->out, "<svg width=\"%.0f\" height=\"16\" viewBox=\"0 0 %.0f 16\">", DIST_W, DIST_W);
	for (s = x->dist_lo; s <= x->dist_hi; s += step) {
		double pos = (s - x->dist_lo) * bw;

		fmt_ns(buf, sizeof(buf), (double)slot_lower(s));
		fprintf(x->out, "<text x=\"%.1f\" y=\"12\"%s>%s</text>", pos > DIST_W - 50 ? DIST_W : pos,
			pos > DIST_W - 50 ? " text-anchor=\"end\"" : "", buf);
	}
	fputs("</svg>", x->out);
}

static void write_key_attrs(struct html_ctx *x, const struct svmtrace_hist_key *k)
{
	FILE *out = x->out;

	if (k->stage != SVMTRACE_ALL)
		fprintf(out, " data-stage=\"%s\"", svmtrace_stage_name(k->stage));
	if (k->direction != SVMTRACE_ALL)
		fprintf(out, " data-direction=\"%s\"", svmtrace_direction_name(k->direction));
	if (k->trigger != SVMTRACE_ALL)
		fprintf(out, " data-trigger=\"%s\"", svmtrace_trigger_name(k->trigger));
	if (k->path != SVMTRACE_ALL)
		fprintf(out, " data-path=\"%s\"", svmtrace_path_name(k->path));
	if (k->device != SVMTRACE_ALL)
		fprintf(out, " data-device=\"%u\"", k->device);
	if (x->o->by[SVMTRACE_DIM_PID])
		fprintf(out, " data-pid=\"%u\"", k->pid);
	if (x->o->by[SVMTRACE_DIM_CGROUP])
		fprintf(out, " data-cgroup=\"%llu\"", (unsigned long long)k->cgroup);
}

static void write_key_label(struct html_ctx *x, const struct svmtrace_hist_key *k)
{
	FILE *out = x->out;
	const char *sep = "";

#define LABEL(cond, fmt, ...) \
	do { if (cond) { fprintf(out, "%s" fmt, sep, __VA_ARGS__); sep = " &middot; "; } } while (0)
	LABEL(k->stage != SVMTRACE_ALL, "<b>%s</b>", svmtrace_stage_name(k->stage));
	LABEL(k->path != SVMTRACE_ALL && k->path != SVMTRACE_PATH_NONE, "path %s",
	      svmtrace_path_name(k->path));
	LABEL(k->trigger != SVMTRACE_ALL, "%s", svmtrace_trigger_name(k->trigger));
	LABEL(k->device != SVMTRACE_ALL, "device %u", k->device);
	LABEL(x->o->by[SVMTRACE_DIM_PID], "pid %u", k->pid);
	LABEL(x->o->by[SVMTRACE_DIM_CGROUP], "cgroup %llu", (unsigned long long)k->cgroup);
#undef LABEL
	if (!*sep)
		fputs("all", out);
}

static void write_dist_row(struct html_ctx *x, const struct svmtrace_hist_entry *e)
{
	const struct svmtrace_hist *h = &e->hist;
	unsigned int nslots = x->dist_hi - x->dist_lo + 1, i;
	uint64_t slots[SVMTRACE_LOG2_SLOTS], smax = 0;
	double pct[4], bw = DIST_W / nslots, avg = h->count ? (double)h->sum / h->count : 0;
	FILE *out = x->out;

	for (i = 0; i < 4; i++)
		pct[i] = svmtrace_entry_percentile(e, svmtrace_summary_pcts[i]);
	svmtrace_histo_log2(h, slots);
	fputs("<tr class=\"hist\"", out);
	write_key_attrs(x, &e->key);
	fprintf(out, " data-count=\"%llu\" data-sum-ns=\"%llu\" data-max-ns=\"%llu\" data-p50-ns=\"%.17g\" "
		"data-p90-ns=\"%.17g\" data-p99-ns=\"%.17g\" data-p999-ns=\"%.17g\" data-log2=\"",
		(unsigned long long)h->count, (unsigned long long)h->sum, (unsigned long long)h->max,
		pct[0], pct[1], pct[2], pct[3]);
	for (i = 0; i < SVMTRACE_LOG2_SLOTS; i++) {
		fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)slots[i]);
		if (slots[i] > smax)
			smax = slots[i];
	}
	fputs("\"><td class=\"key\"", out);
	if (e->key.stage < SVMTRACE_STAGE_MAX)
		fprintf(out, " style=\"border-left:6px solid %s\"",
			e->key.stage < NSTAGES ? stage_colours[e->key.stage % 8] : "#1d2430");
	fputs(">", out);
	write_key_label(x, &e->key);
	fprintf(out, "</td><td class=\"num count\">%llu</td><td class=\"num avg\">%.3f</td>",
		(unsigned long long)h->count, avg / x->o->unit_ns);
	fprintf(out, "<td class=\"num p50\">%.3f</td><td class=\"num p90\">%.3f</td>"
		"<td class=\"num p99\">%.3f</td><td class=\"num p999\">%.3f</td><td class=\"num max\">%.3f</td>",
		pct[0] / x->o->unit_ns, pct[1] / x->o->unit_ns, pct[2] / x->o->unit_ns,
		pct[3] / x->o->unit_ns, (double)h->max / x->o->unit_ns);
	fprintf(out, "<td class=\"dist\"><svg width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		"role=\"img\" aria-label=\"log2 distribution\"><rect width=\"%.0f\" height=\"%.0f\" "
		"fill=\"#f6f7f9\"/>", DIST_W, DIST_H, DIST_W, DIST_H, DIST_W, DIST_H);
	for (i = x->dist_lo; i <= x->dist_hi; i++) {
		double bh;
		char lo[32];

		if (!slots[i])
			continue;
		bh = 2 + (DIST_H - 4) * (double)slots[i] / (double)smax;
		fmt_ns(lo, sizeof(lo), (double)slot_lower(i));
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#6b8fb8\">"
			"<title>from %s: %llu</title></rect>", (i - x->dist_lo) * bw + 0.5, DIST_H - bh,
			bw > 2 ? bw - 1 : bw, bh, lo, (unsigned long long)slots[i]);
	}
	if (h->count)
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%.0f\" stroke=\"#1d2430\" "
			"stroke-width=\"2\"><title>p50</title></line><line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" "
			"y2=\"%.0f\" stroke=\"#d62728\" stroke-width=\"2\"><title>p99</title></line>",
			slot_x(x, pct[0], bw), slot_x(x, pct[0], bw), DIST_H, slot_x(x, pct[2], bw),
			slot_x(x, pct[2], bw), DIST_H);
	fputs("</svg></td></tr>\n", out);
}

static int write_section(struct html_ctx *x, const struct html_sec *s, struct svmtrace_hist_entry *scratch)
{
	const uint64_t *c = x->run->counters;
	FILE *out = x->out;
	unsigned int st;
	size_t i;

	fprintf(out, "<section class=\"direction\" id=\"dir-%s\" data-direction=\"%s\">\n<h2>%s <small>",
		dir_id(s->direction), dir_id(s->direction), dir_label(s->direction));
	fprintf(out, "%llu whole migrations", (unsigned long long)s->stage_count[SVMTRACE_STAGE_TOTAL]);
	if (c && s->direction < SVM_PAGEMAP_DIR_COUNT) {
		char buf[32];

		fmt_bytes(buf, sizeof(buf), c[SVMTRACE_CNT_BYTES_DIR0 + s->direction]);
		fprintf(out, " &middot; %llu pages, %s moved",
			(unsigned long long)c[SVMTRACE_CNT_PAGES_DIR0 + s->direction], buf);
	}
	fputs("</small></h2>\n", out);
	write_share(x, s);
	write_heatmap(x, s);
	fprintf(out, "<div class=\"dist\">\n<h3>Latency per stage <small>in %s; bars: log2 buckets "
		"(same scale in every row), black line p50, red line p99</small></h3>\n<table>\n"
		"<thead><tr><th class=\"key\">stage</th><th>count</th><th>avg</th><th>p50</th><th>p90</th>"
		"<th>p99</th><th>p99.9</th><th>max</th><th class=\"dist\">", x->o->unit);
	write_dist_axis(x);
	fputs("</th></tr></thead>\n<tbody>\n", out);
	/* in the order of the pipeline: collect ... unmap, total, then keys without a stage */
	for (st = 0; st <= SVMTRACE_STAGE_MAX; st++)
		for (i = 0; i < x->rp->ngroups; i++) {
			const struct svmtrace_hist_key *k = &x->rp->groups[i].key;

			if (k->direction != s->direction ||
			    (st < SVMTRACE_STAGE_MAX ? k->stage != st : k->stage < SVMTRACE_STAGE_MAX))
				continue;
			svmtrace_replay_entry(x->rp, i, scratch);
			write_dist_row(x, scratch);
		}
	fputs("</tbody></table></div>\n</section>\n", out);
	return 0;
}

/* One table per group of the counters JSON (the same object report -j prints). */
static void write_counter_rows(FILE *out, const char *prefix, json_object *j, bool livelock)
{
	json_object_object_foreach(j, name, val) {
		char full[128];

		snprintf(full, sizeof(full), "%s%s%s", prefix, *prefix ? "." : "", name);
		if (json_object_is_type(val, json_type_object)) {
			write_counter_rows(out, full, val, livelock);
			continue;
		}
		{
			uint64_t v = json_object_get_uint64(val);
			const char *label = full + (strchr(full, '.') ? strchr(full, '.') - full + 1 : 0);
			size_t nl = strlen(name);

			fprintf(out, "<tr class=\"counter%s\" data-counter=\"", livelock && v ? " nonzero" : "");
			svmtrace_html_escape(out, full);
			fputs("\" data-value=\"", out);
			fprintf(out, "%llu\"><th>", (unsigned long long)v);
			svmtrace_html_escape(out, label);
			fprintf(out, "</th><td class=\"num\">%llu", (unsigned long long)v);
			if (v >= 1024 && ((nl > 6 && !strcmp(name + nl - 6, "_bytes")) || !strcmp(name, "bytes"))) {
				char buf[32];

				fmt_bytes(buf, sizeof(buf), v);
				fprintf(out, " <small>(%s)</small>", buf);
			}
			fputs("</td></tr>\n", out);
		}
	}
}

static const char *const counter_titles[][2] = {
	{ "throughput", "Throughput" }, { "map_paths", "Map paths" }, { "iova", "IOVA" },
	{ "livelock", "Livelock: retries, holds, ping-pong" },
};

static void write_counters(struct html_ctx *x)
{
	json_object *j = svmtrace_render_counters_json(x->run->counters), *sub;
	FILE *out = x->out;
	size_t i;

	fputs("<section id=\"counters\">\n<h2>Counters <small>the kernel's, at the end of the recording; "
	      "non-zero livelock counters are highlighted</small></h2>\n<div class=\"counters\">\n", out);
	/* the scalars first (migrations, failed, keys overflowed), then each group */
	fputs("<div class=\"group\" data-group=\"migrations\"><h3>Migrations</h3><table>\n", out);
	json_object_object_foreach(j, name, val) {
		json_object *one;

		if (json_object_is_type(val, json_type_object))
			continue;
		one = json_object_new_object();
		json_object_object_add(one, name, json_object_get(val));
		write_counter_rows(out, "", one, !strcmp(name, "keys_overflowed"));
		json_object_put(one);
	}
	fputs("</table></div>\n", out);
	for (i = 0; i < sizeof(counter_titles) / sizeof(counter_titles[0]); i++) {
		if (!json_object_object_get_ex(j, counter_titles[i][0], &sub))
			continue;
		fprintf(out, "<div class=\"group\" data-group=\"%s\"><h3>%s</h3><table>\n",
			counter_titles[i][0], counter_titles[i][1]);
		write_counter_rows(out, counter_titles[i][0], sub, !strcmp(counter_titles[i][0], "livelock"));
		fputs("</table></div>\n", out);
	}
	/* any group added to the JSON later still shows */
	json_object_object_foreach(j, gname, gval) {
		bool known = false;

		if (!json_object_is_type(gval, json_type_object))
			continue;
		for (i = 0; i < sizeof(counter_titles) / sizeof(counter_titles[0]); i++)
			known |= !strcmp(gname, counter_titles[i][0]);
		if (known)
			continue;
		fputs("<div class=\"group\" data-group=\"", out);
		svmtrace_html_escape(out, gname);
		fputs("\"><h3>", out);
		svmtrace_html_escape(out, gname);
		fputs("</h3><table>\n", out);
		write_counter_rows(out, gname, gval, false);
		fputs("</table></div>\n", out);
	}
	fputs("</div>\n</section>\n", out);
	json_object_put(j);
}

/**
 * svmtrace_html_write() - the report as one self-contained HTML page
 * @out: where to write it
 * @run: what the page says about the run
 * @o: keys and unit, as for report -j
 * @f: the filter the replay was built with
 * @recs: the records (for the heatmaps' times)
 * @n: their number
 * @rp: the replay built from @recs with @f and @o
 *
 * Return: 0, -ENOMEM, or -EIO when writing failed.
 */
int svmtrace_html_write(FILE *out, const struct svmtrace_html_run *run,
			const struct svmtrace_render_opts *o, const struct svmtrace_filter *f,
			const struct svmtrace_record *recs, uint64_t n,
			const struct svmtrace_replay *rp)
{
	struct html_ctx x = {
		.out = out, .run = run, .o = o, .f = f, .recs = recs, .n = n, .rp = rp,
	};
	struct svmtrace_hist_entry *scratch = malloc(sizeof(*scratch));
	int err = -ENOMEM;
	size_t i;

	if (!scratch || build_sections(&x) || build_heatmaps(&x))
		goto out;
	write_head(&x);
	for (i = 0; i < x.nsecs; i++)
		write_section(&x, &x.secs[i], scratch);
	if (run->counters)
		write_counters(&x);
	fputs("<footer class=\"note\"><p>Made by svmtrace report --html: one file, no script, nothing "
	      "fetched. The figures are in data-* attributes too: the histograms as report -j "
	      "prints them.</p></footer>\n</body></html>\n", out);
	err = fflush(out) || ferror(out) ? -EIO : 0;
out:
	for (i = 0; i < x.nsecs; i++)
		free(x.secs[i].heat);
	free(x.secs);
	free(scratch);
	return err;
}
