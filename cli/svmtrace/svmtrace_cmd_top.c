// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace top (also started as svmtop): a live monitor of GPU-SVM
 * migration per process and per device, with its own BPF cost.
 *
 * Split as in bpftop: a collector reading the BPF maps into samples, the
 * pure rate maths in svmtrace_topmodel.c, and a frame of text lines that
 * either ncurses draws (interactive) or stdout receives (batch, -b).  The
 * terminal is restored on every way out: normal exit, q, SIGINT, SIGTERM,
 * errors.
 */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <curses.h>

#include "svmtrace_cli.h"
#include "svmtrace_histogram.h"
#include "svmtrace_topmodel.h"

#define TOP_MAX_ROWS 4096
#define TOP_MAX_LINES 256
#define TOP_LINE_LEN 200

struct top_options {
	double interval;
	long frames;		/* -n; -1 forever */
	bool batch;
	uint32_t filter_pid;
	enum svmtrace_top_sort sort;
};

/* One refresh worth of everything read from the maps. */
struct top_snapshot {
	double when;
	struct svmtrace_top_sample procs[TOP_MAX_ROWS];
	size_t n_procs;
	struct svmtrace_top_sample devices[SVMTRACE_MAX_DEVICES];
	size_t n_devices;
	struct svmtrace_hist stage[SVMTRACE_STAGE_MAX];
	uint64_t counters[SVMTRACE_CNT_MAX];
	uint64_t bpf_ns, bpf_cnt;
	uint64_t missed;	/* hits the kernel skipped, since attach */
};

struct top_frame {
	char lines[TOP_MAX_LINES][TOP_LINE_LEN];
	int n;
};

static bool top_curses_active;

static void top_restore_terminal(void)
{
	if (top_curses_active) {
		endwin();
		top_curses_active = false;
	}
}

static void frame_add(struct top_frame *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n >= TOP_MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(f->lines[f->n++], TOP_LINE_LEN, fmt, ap);
	va_end(ap);
}

/*
 * The in-kernel histograms are cumulative; a window is what each key gained
 * since the previous reading, kept here sorted by key, so the map is never
 * emptied and refilled.
 */
struct top_hist {
	struct svmtrace_hist_key key;
	struct svmtrace_hist hist;
};

static struct top_hist *top_prev, *top_cur;
static size_t top_nprev, top_ncur, top_capcur;

static int top_hist_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct top_hist *)a)->key, &((const struct top_hist *)b)->key,
		      sizeof(struct svmtrace_hist_key));
}

/* Per-pid and per-device whole-migration histograms of this window. */
struct latency_ctx {
	struct top_snapshot *snap;
	struct svmtrace_hist *by_pid;	/* parallel to snap->procs */
	struct svmtrace_hist *by_dev;	/* parallel to snap->devices */
	int err;
};

static void latency_one(const struct svmtrace_hist_key *raw, const struct svmtrace_hist *cumulative,
			void *arg)
{
	static struct svmtrace_hist window;	/* the window's share of one key */
	struct svmtrace_hist *h = &window;
	struct svmtrace_hist_key *k;
	struct latency_ctx *c = arg;
	struct top_hist *t, *then;
	size_t i;

	if (top_ncur == top_capcur) {
		size_t ncap = top_capcur ? 2 * top_capcur : 64;

		t = realloc(top_cur, ncap * sizeof(*t));
		if (!t) {
			c->err = -ENOMEM;
			return;
		}
		top_cur = t;
		top_capcur = ncap;
	}
	t = &top_cur[top_ncur++];
	t->key = *raw;
	t->hist = *cumulative;
	then = top_nprev ? bsearch(t, top_prev, top_nprev, sizeof(*t), top_hist_cmp) : NULL;
	*h = *cumulative;
	if (then)
		svmtrace_histo_since(h, &then->hist);
	k = &t->key;
	if (k->stage < SVMTRACE_STAGE_MAX)
		svmtrace_histo_merge(&c->snap->stage[k->stage], h);
	if (k->stage == SVMTRACE_STAGE_TOTAL) {
		for (i = 0; i < c->snap->n_procs; i++)
			if (c->snap->procs[i].id == k->pid)
				svmtrace_histo_merge(&c->by_pid[i], h);
		if (k->device < c->snap->n_devices)
			svmtrace_histo_merge(&c->by_dev[k->device], h);
	}
}

/* This reading becomes the base of the next window. */
static void top_hists_rotate(void)
{
	struct top_hist *t = top_prev;
	size_t cap = top_nprev;

	qsort(top_cur, top_ncur, sizeof(*top_cur), top_hist_cmp);
	top_prev = top_cur;
	top_nprev = top_ncur;
	top_cur = t;
	top_ncur = 0;
	top_capcur = t ? cap : 0;
}

static int collect(struct svmtrace_session *s, const struct top_options *o, struct top_snapshot *snap)
{
	int fd = bpf_map__fd(s->procs);
	struct latency_ctx lc = { .snap = snap };
	uint32_t key, *prev = NULL, next;
	struct svmtrace_proc proc;
	size_t i;
	int err;

	memset(snap, 0, sizeof(*snap));
	snap->when = svmtrace_now();
	while (!bpf_map_get_next_key(fd, prev, &next) && snap->n_procs < TOP_MAX_ROWS) {
		struct svmtrace_top_sample *p;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &proc))
			continue;
		if (o->filter_pid && key != o->filter_pid)
			continue;
		p = &snap->procs[snap->n_procs++];
		p->id = key;
		memcpy(p->comm, proc.comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = '\0';
		p->migrations = proc.migrations;
		memcpy(p->pages, proc.pages, sizeof(p->pages));
		p->retries = proc.retries;
		p->timeslice_holds = proc.timeslice_holds;
		p->pingpong = proc.pingpong;
	}

	fd = bpf_map__fd(s->devices);
	for (key = 0; key < svmtrace_module_ndevices(); key++) {
		struct svmtrace_device dev;
		struct svmtrace_top_sample *d;

		if (bpf_map_lookup_elem(fd, &key, &dev))
			return -errno;
		d = &snap->devices[snap->n_devices++];
		d->id = key;
		d->migrations = dev.migrations;
		memcpy(d->pages, dev.pages, sizeof(d->pages));
		d->retries = dev.retries;
		d->timeslice_holds = dev.timeslice_holds;
	}

	lc.by_pid = calloc(snap->n_procs + 1, sizeof(*lc.by_pid));
	lc.by_dev = calloc(snap->n_devices + 1, sizeof(*lc.by_dev));
	if (!lc.by_pid || !lc.by_dev) {
		free(lc.by_pid);
		free(lc.by_dev);
		return -ENOMEM;
	}
	top_ncur = 0;
	err = svmtrace_for_each_hist(s, latency_one, &lc);
	if (!err)
		err = lc.err;
	if (!err)
		top_hists_rotate();
	for (i = 0; i < snap->n_procs; i++) {
		snap->procs[i].p50_ns = svmtrace_histo_percentile(&lc.by_pid[i], 50);
		snap->procs[i].p99_ns = svmtrace_histo_percentile(&lc.by_pid[i], 99);
	}
	for (i = 0; i < snap->n_devices; i++) {
		snap->devices[i].p50_ns = svmtrace_histo_percentile(&lc.by_dev[i], 50);
		snap->devices[i].p99_ns = svmtrace_histo_percentile(&lc.by_dev[i], 99);
	}
	free(lc.by_pid);
	free(lc.by_dev);
	if (err)
		return err;
	err = svmtrace_read_counters(s, snap->counters);
	if (!err)
		err = svmtrace_bpf_cost(s, &snap->bpf_ns, &snap->bpf_cnt);
	if (!err) {
		uint64_t missed[SVMTRACE_EV_MAX];

		err = svmtrace_bpf_missed(s, missed);
		snap->missed = svmtrace_missed_total(missed);
	}
	return err;
}

static void fmt_bytes_s(char *buf, size_t len, double v)
{
	if (v >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1fG", v / (1024.0 * 1024 * 1024));
	else if (v >= 1024.0 * 1024)
		snprintf(buf, len, "%.1fM", v / (1024.0 * 1024));
	else if (v >= 1024)
		snprintf(buf, len, "%.1fK", v / 1024);
	else
		snprintf(buf, len, "%.0f", v);
}

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (ns <= 0)
		snprintf(buf, len, "-");
	else if (ns >= 1e6)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.1fus", ns / 1e3);
}

static void build_frame(struct top_frame *f, const struct top_options *o,
			const struct top_snapshot *now, const struct top_snapshot *before,
			const struct svmtrace_session *s, bool paused)
{
	static struct svmtrace_top_row rows[TOP_MAX_ROWS];
	double dt = now->when - before->when, ns_ev, ev_s, cpu;
	char a[16], b[16], c[16], d[16], p50[16], p99[16];
	const uint64_t *cn = now->counters, *cb = before->counters;
	struct utsname uts;
	size_t n, i;
	int st;

	f->n = 0;
	uname(&uts);
	frame_add(f, "svmtop - migrations on %s, %s source, %s programs, every %.1fs, sort %s%s%s",
		  uts.release, svmtrace_source_name(s->source), svmtrace_session_programs(s),
		  o->interval,
		  svmtrace_top_sort_name(o->sort), o->filter_pid ? " (filtered)" : "",
		  paused ? "  [PAUSED]" : "");
	fmt_bytes_s(a, sizeof(a), svmtrace_rate(cn[SVMTRACE_CNT_BYTES_DIR0], cb[SVMTRACE_CNT_BYTES_DIR0], dt));
	fmt_bytes_s(b, sizeof(b), svmtrace_rate(cn[SVMTRACE_CNT_BYTES_DIR0 + 1], cb[SVMTRACE_CNT_BYTES_DIR0 + 1], dt));
	fmt_bytes_s(c, sizeof(c), svmtrace_rate(cn[SVMTRACE_CNT_BYTES_DIR0 + 2], cb[SVMTRACE_CNT_BYTES_DIR0 + 2], dt));
	fmt_bytes_s(d, sizeof(d), svmtrace_rate(cn[SVMTRACE_CNT_BYTES_DIR0 + 3], cb[SVMTRACE_CNT_BYTES_DIR0 + 3], dt));
	frame_add(f, "migrations/s %.1f   bytes/s to_dev %s  to_ram %s  evict %s  peer %s",
		  svmtrace_rate(cn[SVMTRACE_CNT_MIGRATIONS], cb[SVMTRACE_CNT_MIGRATIONS], dt), a, b, c, d);
	fmt_bytes_s(a, sizeof(a), (double)cn[SVMTRACE_CNT_IOVA_NOW]);
	fmt_bytes_s(b, sizeof(b), (double)cn[SVMTRACE_CNT_IOVA_PEAK]);
	frame_add(f, "IOVA in use %s (peak %s)   timeslice holds %llu   ping-pong ranges %llu   keys overflowed %llu",
		  a, b, (unsigned long long)cn[SVMTRACE_CNT_TIMESLICE_HOLDS],
		  (unsigned long long)cn[SVMTRACE_CNT_PINGPONG_RANGES],
		  (unsigned long long)cn[SVMTRACE_CNT_KEYS_OVERFLOW]);
	svmtrace_bpf_cost_rates(now->bpf_ns, now->bpf_cnt, before->bpf_ns, before->bpf_cnt, dt,
				&ns_ev, &ev_s, &cpu);
	frame_add(f, "svmtop's BPF cost: %.0f ns/event, %.0f events/s, %.3f%% of one CPU, %llu events skipped by the kernel",
		  ns_ev, ev_s, cpu, (unsigned long long)now->missed);

	frame_add(f, "");
	frame_add(f, "%-10s %10s %12s %12s", "STAGE", "COUNT", "P50", "P99");
	for (st = 0; st < SVMTRACE_STAGE_MAX; st++) {
		fmt_ns(p50, sizeof(p50), svmtrace_histo_percentile(&now->stage[st], 50));
		fmt_ns(p99, sizeof(p99), svmtrace_histo_percentile(&now->stage[st], 99));
		frame_add(f, "%-10s %10llu %12s %12s", svmtrace_stage_name(st),
			  (unsigned long long)now->stage[st].count, p50, p99);
	}

	frame_add(f, "");
	frame_add(f, "%-8s %-16s %8s %9s %9s %8s %8s %6s %10s %10s", "PID", "COMM", "MIG/S",
		  "TO_DEV/S", "TO_RAM/S", "RETRY/S", "HOLD/S", "PPONG", "P50", "P99");
	n = svmtrace_top_rows(now->procs, now->n_procs, before->procs, before->n_procs, dt, rows);
	svmtrace_top_sort(rows, n, o->sort);
	for (i = 0; i < n; i++) {
		fmt_bytes_s(a, sizeof(a), rows[i].bytes_s[0]);
		fmt_bytes_s(b, sizeof(b), rows[i].bytes_s[1]);
		fmt_ns(p50, sizeof(p50), rows[i].p50_ns);
		fmt_ns(p99, sizeof(p99), rows[i].p99_ns);
		frame_add(f, "%-8u %-16s %8.1f %9s %9s %8.1f %8.1f %6llu %10s %10s", rows[i].id,
			  rows[i].comm, rows[i].migrations_s, a, b, rows[i].retries_s, rows[i].holds_s,
			  (unsigned long long)rows[i].pingpong, p50, p99);
	}
	if (!n)
		frame_add(f, "(no process has migrated memory yet)");

	frame_add(f, "");
	frame_add(f, "%-8s %8s %9s %9s %9s %9s %8s %8s %10s %10s", "DEVICE", "MIG/S", "TO_DEV/S",
		  "TO_RAM/S", "EVICT/S", "PEER/S", "RETRY/S", "HOLD/S", "P50", "P99");
	n = svmtrace_top_rows(now->devices, now->n_devices, before->devices, before->n_devices, dt, rows);
	for (i = 0; i < n; i++) {
		fmt_bytes_s(a, sizeof(a), rows[i].bytes_s[0]);
		fmt_bytes_s(b, sizeof(b), rows[i].bytes_s[1]);
		fmt_bytes_s(c, sizeof(c), rows[i].bytes_s[2]);
		fmt_bytes_s(d, sizeof(d), rows[i].bytes_s[3]);
		fmt_ns(p50, sizeof(p50), rows[i].p50_ns);
		fmt_ns(p99, sizeof(p99), rows[i].p99_ns);
		frame_add(f, "%-8u %8.1f %9s %9s %9s %9s %8.1f %8.1f %10s %10s", rows[i].id,
			  rows[i].migrations_s, a, b, c, d, rows[i].retries_s, rows[i].holds_s, p50, p99);
	}
}

static void draw_curses(const struct top_frame *f, bool help)
{
	int i, rows = LINES;

	erase();
	for (i = 0; i < f->n && i < rows - 1; i++) {
		bool header = i == 0 || !strncmp(f->lines[i], "STAGE", 5) ||
			      !strncmp(f->lines[i], "PID ", 4) || !strncmp(f->lines[i], "DEVICE", 6);

		if (header)
			attron(A_REVERSE);
		mvaddnstr(i, 0, f->lines[i], COLS);
		if (header)
			attroff(A_REVERSE);
	}
	if (help) {
		static const char *const text[] = {
			" svmtop keys ",
			" q        quit",
			" p, space pause / resume",
			" s        next sort key",
			" f        filter by pid (empty: all)",
			" + / -    slower / faster refresh",
			" h, ?     this help",
		};
		unsigned int k;

		for (k = 0; k < sizeof(text) / sizeof(text[0]); k++)
			mvaddstr(3 + k, 10, text[k]);
	}
	mvaddnstr(rows - 1, 0, "q quit  p pause  s sort  f filter  +/- interval  h help", COLS);
	refresh();
}

static void prompt_pid(struct top_options *o)
{
	char buf[16] = "";
	char *end;
	unsigned long v;

	mvaddstr(LINES - 1, 0, "filter pid (empty for all): ");
	clrtoeol();
	echo();
	nocbreak();
	timeout(-1);
	getnstr(buf, sizeof(buf) - 1);
	noecho();
	cbreak();
	v = strtoul(buf, &end, 10);
	o->filter_pid = (*buf && !*end) ? (uint32_t)v : 0;
}

static const char top_doc[] =
	"Live monitor of GPU-SVM migration per process and per device: migrations/s,\n"
	"bytes/s per direction, p50/p99 per stage, IOVA in use, retries, timeslice\n"
	"holds, ping-pong ranges, and what its own BPF programs cost.\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtop                  # interactive (q quits, h for keys)\n"
	"    svmtop -d 0.5 -s p99    # refresh twice a second, worst tail first\n"
	"    svmtop -b -n 5          # five plain frames for scripts\n";

static const struct argp_option top_argp_options[] = {
	{ "delay", 'd', "SECONDS", 0, "refresh interval (default 1)", 0 },
	{ "batch", 'b', NULL, 0, "print plain frames instead of a full screen", 0 },
	{ "frames", 'n', "N", 0, "stop after N frames", 0 },
	{ "pid", 'p', "PID", 0, "only process PID", 0 },
	{ "sort", 's', "KEY", 0, "sort by migrations, to_dev, to_ram, retries, p99 or pid", 0 },
	{},
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	static const char *const sort_keys[SVMTRACE_SORT_MAX] = {
		"migrations", "to_dev", "to_ram", "retries", "p99", "pid",
	};
	struct top_options *o = state->input;
	char *end;
	long v;
	int i;

	switch (key) {
	case 'd':
		errno = 0;
		o->interval = strtod(arg, &end);
		if (errno || *end || !(o->interval >= 0.1) || o->interval > 3600)
			argp_error(state, "invalid delay '%s': want 0.1 to 3600 seconds", arg);
		break;
	case 'b':
		o->batch = true;
		break;
	case 'n':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1)
			argp_error(state, "invalid frame count '%s'", arg);
		o->frames = v;
		break;
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > UINT32_MAX)
			argp_error(state, "invalid pid '%s'", arg);
		o->filter_pid = v;
		break;
	case 's':
		for (i = 0; i < SVMTRACE_SORT_MAX; i++)
			if (!strcmp(arg, sort_keys[i]))
				break;
		if (i == SVMTRACE_SORT_MAX)
			argp_error(state, "unknown sort key '%s'", arg);
		o->sort = i;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Handle one key; returns false to quit. */
static bool handle_key(int ch, struct top_options *o, bool *paused, bool *help)
{
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case 'p':
	case ' ':
		*paused = !*paused;
		break;
	case 's':
		o->sort = (o->sort + 1) % SVMTRACE_SORT_MAX;
		break;
	case 'f':
		prompt_pid(o);
		break;
	case '+':
		if (o->interval < 60)
			o->interval *= 2;
		break;
	case '-':
		if (o->interval > 0.2)
			o->interval /= 2;
		break;
	case 'h':
	case '?':
		*help = !*help;
		break;
	default:
		break;
	}
	return true;
}

int svmtrace_cmd_top(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &svmtrace_bpf_argp, 0, "BPF programs:", 0 },
		{},
	};
	static const struct argp argp = {
		.options = top_argp_options,
		.parser = top_parse,
		.doc = top_doc,
		.children = children,
	};
	struct top_options o = { .interval = 1.0, .frames = -1 };
	struct svmtrace_session_opts so = SVMTRACE_SESSION_OPTS_DEFAULT;
	struct top_snapshot *now = NULL, *before = NULL, *tmp;
	static struct top_frame frame;
	struct svmtrace_session s;
	bool paused = false, help = false, running = true;
	long shown = 0;
	int stats_fd, err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	so.per_pid = true;
	so.track_processes = true;
	so.track_devices = true;
	err = svmtrace_session_open(&s, &so);
	if (err)
		return 1;
	/* Run-time accounting of BPF programs, for the cost line. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		fprintf(stderr, "svmtop: BPF run-time stats unavailable (%s): cost shows 0\n",
			strerror(errno));
	now = calloc(1, sizeof(*now));
	before = calloc(1, sizeof(*before));
	if (!now || !before) {
		err = -ENOMEM;
		goto out;
	}
	err = collect(&s, &o, before);
	if (err)
		goto out;
	svmtrace_catch_signals();
	atexit(top_restore_terminal);
	if (!o.batch) {
		if (!initscr()) {
			fprintf(stderr, "svmtop: cannot start the terminal (TERM=%s): use -b\n",
				getenv("TERM") ? getenv("TERM") : "");
			err = -EINVAL;
			goto out;
		}
		top_curses_active = true;
		cbreak();
		noecho();
		curs_set(0);
		keypad(stdscr, TRUE);
	}

	while (running && !svmtrace_interrupted) {
		if (o.batch) {
			if (!svmtrace_sleep(o.interval))
				break;
		} else {
			double until = svmtrace_now() + o.interval;

			/* Wait for the interval, answering keys as they come. */
			while (running && !svmtrace_interrupted && svmtrace_now() < until) {
				int ch;

				timeout(100);
				ch = getch();
				if (ch == ERR)
					continue;
				running = handle_key(ch, &o, &paused, &help);
				if (paused || help)
					draw_curses(&frame, help);
			}
			if (!running || svmtrace_interrupted)
				break;
			if (paused)
				continue;
		}
		err = collect(&s, &o, now);
		if (err)
			break;
		build_frame(&frame, &o, now, before, &s, paused);
		if (o.batch) {
			int i;

			for (i = 0; i < frame.n; i++)
				printf("%s\n", frame.lines[i]);
			printf("\n");
			fflush(stdout);
		} else {
			draw_curses(&frame, help);
		}
		tmp = before;
		before = now;
		now = tmp;
		if (o.frames > 0 && ++shown >= o.frames)
			break;
	}
out:
	top_restore_terminal();
	if (err)
		fprintf(stderr, "svmtop: %s\n", strerror(-err));
	if (stats_fd >= 0)
		close(stats_fd);
	free(now);
	free(before);
	svmtrace_session_close(&s);
	return err ? 1 : 0;
}
