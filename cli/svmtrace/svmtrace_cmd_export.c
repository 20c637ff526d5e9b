// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace export: the in-kernel aggregation as Prometheus metrics, served
 * over HTTP at /metrics or written to a file for node_exporter's textfile
 * collector.  Counters and histograms are cumulative since the exporter
 * started (nothing is ever reset), as Prometheus expects.  Each exposition
 * reads every map under one lock into a snapshot, then formats it
 * (svmtrace_promfmt.c) outside the lock.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "svmtrace_cli.h"
#include "svmtrace_httpd.h"
#include "svmtrace_promfmt.h"

/* Outside 9100-9999, which Prometheus' list of exporter ports has filled:
 * collides with no registered exporter. */
#define EXPORT_DEFAULT_PORT 7463

struct export_options {
	struct svmtrace_session_opts session;
	struct svmtrace_httpd_opts http;
	const char *textfile;
	double interval;
	bool once;
	char **command;
};

struct exporter {
	struct svmtrace_session session;
	pthread_mutex_t lock;
	bool bpf_stats;
	size_t keys_max;
};

static const char export_doc[] =
	"Serve svmtrace's in-kernel aggregation as Prometheus metrics over HTTP\n"
	"(GET /metrics), or write them to a file for node_exporter's textfile collector.\n"
	"Histograms are in seconds with fixed cumulative buckets; counters count from\n"
	"the exporter's start. 'man svmtrace-export' lists every metric.\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtrace export                          # http://127.0.0.1:7463/metrics\n"
	"    svmtrace export -a :: -p 9999            # every address, IPv6 and IPv4\n"
	"    svmtrace export --textfile /var/lib/node_exporter/svmtrace.prom -i 15\n"
	"    svmtrace export --textfile run.prom --once -- svmbench roundtrip\n";

enum {
	OPT_TEXTFILE = 1000, OPT_ONCE, OPT_MAX_KEYS, OPT_CONN_LIMIT, OPT_IP_LIMIT, OPT_TIMEOUT,
	OPT_PP_K, OPT_PP_MS,
};

static const struct argp_option export_argp_options[] = {
	{ "address", 'a', "ADDR", 0, "listen on this numeric IPv4/IPv6 address (default 127.0.0.1)", 0 },
	{ "port", 'p', "PORT", 0, "listen on this TCP port (default 7463)", 0 },
	{ "textfile", OPT_TEXTFILE, "FILE", 0,
	  "write FILE (atomically: FILE.tmp then rename) every interval instead of serving HTTP", 0 },
	{ "interval", 'i', "SECONDS", 0, "textfile rewrite interval (default 15)", 0 },
	{ "once", OPT_ONCE, NULL, 0,
	  "write the textfile once, after one interval or after COMMAND, and exit", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0, "cap on histogram keys in the kernel (default 1024)", 0 },
	{ "connection-limit", OPT_CONN_LIMIT, "N", 0, "HTTP connections at once (default 64)", 0 },
	{ "per-ip-limit", OPT_IP_LIMIT, "N", 0, "HTTP connections at once per client address (default 8)", 0 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0, "close idle HTTP connections after SECONDS (default 10)", 0 },
	{ "pingpong-k", OPT_PP_K, "K", 0, "round trips that make a range ping-pong (default 3)", 0 },
	{ "pingpong-ms", OPT_PP_MS, "MS", 0, "... within MS milliseconds (default 1000)", 0 },
	{},
};

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out < min || *out > max ? -1 : 0;
}

/* Checked before loading anything: a typo in the path fails at once. */
static bool textfile_dir_writable(const char *path)
{
	char *copy = strdup(path);
	bool ok;

	if (!copy)
		return false;
	ok = !access(dirname(copy), W_OK);
	free(copy);
	return ok;
}

static error_t export_parse(int key, char *arg, struct argp_state *state)
{
	struct export_options *o = state->input;
	uint64_t v;
	char *end;

	switch (key) {
	case 'a':
		if (!svmtrace_httpd_address_valid(arg))
			argp_error(state, "invalid address '%s': want a numeric IPv4 or IPv6 address "
				   "(127.0.0.1, 0.0.0.0, ::1, [::])", arg);
		o->http.address = arg;
		break;
	case 'p':
		if (parse_u64(arg, 0, 65535, &v))
			argp_error(state, "invalid port '%s' (0-65535)", arg);
		o->http.port = v;
		break;
	case OPT_TEXTFILE:
		if (!*arg)
			argp_error(state, "--textfile needs a file name");
		o->textfile = arg;
		break;
	case 'i':
		errno = 0;
		o->interval = strtod(arg, &end);
		if (errno || *end || !(o->interval >= 0.1) || o->interval > 86400)
			argp_error(state, "invalid interval '%s': want 0.1 to 86400 seconds", arg);
		break;
	case OPT_ONCE:
		o->once = true;
		break;
	case OPT_MAX_KEYS:
		if (parse_u64(arg, 1, 1 << 20, &v))
			argp_error(state, "invalid --max-keys '%s' (1-1048576)", arg);
		o->session.max_keys = v;
		break;
	case OPT_CONN_LIMIT:
		if (parse_u64(arg, 2, 65536, &v))
			argp_error(state, "invalid --connection-limit '%s' (2-65536)", arg);
		o->http.connection_limit = v;
		break;
	case OPT_IP_LIMIT:
		if (parse_u64(arg, 1, 65536, &v))
			argp_error(state, "invalid --per-ip-limit '%s' (1-65536)", arg);
		o->http.per_ip_limit = v;
		break;
	case OPT_TIMEOUT:
		if (parse_u64(arg, 1, 3600, &v))
			argp_error(state, "invalid --timeout '%s' (1-3600 seconds)", arg);
		o->http.timeout_s = v;
		break;
	case OPT_PP_K:
		if (parse_u64(arg, 1, 1 << 20, &v))
			argp_error(state, "invalid --pingpong-k '%s'", arg);
		o->session.pingpong_k = v;
		break;
	case OPT_PP_MS:
		if (parse_u64(arg, 1, 3600000, &v))
			argp_error(state, "invalid --pingpong-ms '%s'", arg);
		o->session.pingpong_ms = v;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s' (a command goes after --)", arg);
		break;
	case ARGP_KEY_END:
		if (o->textfile && !textfile_dir_writable(o->textfile))
			argp_error(state, "cannot write --textfile '%s': %s", o->textfile, strerror(errno));
		if (o->once && !o->textfile)
			argp_error(state, "--once writes a textfile: give --textfile FILE");
		if (o->command && !(o->textfile && o->once))
			argp_error(state, "a command needs --textfile FILE --once");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct hist_list {
	struct svmtrace_prom_hist *items;
	size_t n, cap;
	int err;
};

static void hist_append(const struct svmtrace_hist_key *key, const struct svmtrace_hist *hist,
			void *arg)
{
	struct hist_list *l = arg;

	if (l->err)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct svmtrace_prom_hist *items = realloc(l->items, cap * sizeof(*items));

		if (!items) {
			l->err = -ENOMEM;
			return;
		}
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n].key = *key;
	l->items[l->n].hist = *hist;
	l->n++;
}

static int key_order(const void *a, const void *b)
{
	return memcmp(&((const struct svmtrace_prom_hist *)a)->key,
		      &((const struct svmtrace_prom_hist *)b)->key, sizeof(struct svmtrace_hist_key));
}

/* Run time and runs (BPF stats) of the programs, and the hits skipped per event. */
static int read_programs(struct exporter *x, struct svmtrace_prom_snapshot *snap)
{
	uint64_t missed[SVMTRACE_EV_MAX];
	unsigned int e;
	int err;

	err = svmtrace_bpf_cost(&x->session, &snap->bpf_run_ns, &snap->bpf_run_cnt);
	if (!err)
		err = svmtrace_bpf_missed(&x->session, missed);
	if (err)
		return err;
	for (e = 0; e < SVMTRACE_EV_MAX && snap->n_missed < SVMTRACE_PROM_MAX_PROGS; e++) {
		struct svmtrace_prom_missed *m = &snap->missed[snap->n_missed++];

		m->event = svmtrace_event_name(e);
		m->missed = missed[e];
	}
	return 0;
}

/* Read every map into @snap and @hists, under the exporter's lock. */
static int collect(struct exporter *x, struct svmtrace_prom_snapshot *snap, struct hist_list *hists,
		   struct svmtrace_device *devices)
{
	int dev_fd = bpf_map__fd(x->session.devices);
	double start;
	uint32_t d;
	int err;

	pthread_mutex_lock(&x->lock);
	start = svmtrace_now();
	err = svmtrace_for_each_hist(&x->session, hist_append, hists);
	if (!err)
		err = hists->err;
	if (!err)
		err = svmtrace_read_counters(&x->session, snap->counters);
	if (!err)
		err = svmtrace_read_event_counts(&x->session, snap->events);
	snap->n_devices = svmtrace_module_ndevices();
	for (d = 0; !err && d < snap->n_devices; d++)
		if (bpf_map_lookup_elem(dev_fd, &d, &devices[d]))
			err = -errno;
	if (!err)
		err = read_programs(x, snap);
	snap->collect_seconds = svmtrace_now() - start;
	pthread_mutex_unlock(&x->lock);
	if (err)
		return err;
	/* Stable series order from scrape to scrape, for people diffing them. */
	qsort(hists->items, hists->n, sizeof(*hists->items), key_order);
	snap->hists = hists->items;
	snap->n_hists = hists->n;
	snap->devices = devices;
	snap->bpf_stats = x->bpf_stats;
	snap->hist_keys_max = x->keys_max;
	snap->programs = svmtrace_session_programs(&x->session);
	snap->source = svmtrace_source_name(x->session.source);
	return 0;
}

static int export_write(struct exporter *x, FILE *out)
{
	struct svmtrace_device devices[SVMTRACE_MAX_DEVICES] = {};
	struct svmtrace_prom_snapshot snap = {};
	struct hist_list hists = {};
	int err = collect(x, &snap, &hists, devices);

	if (!err)
		err = svmtrace_prom_write(out, &snap);
	free(hists.items);
	return err;
}

/* svmtrace_httpd_render_fn: the exposition into a memory buffer. */
static int render_http(void *arg, char **body, size_t *len)
{
	FILE *out = open_memstream(body, len);
	int err;

	if (!out)
		return -errno;
	err = export_write(arg, out);
	if (fclose(out) && !err)
		err = -EIO;
	return err;
}

/*
 * Replace @path atomically: write @path.tmp in the same directory, flush it
 * to disk and rename it over @path, so the textfile collector never reads a
 * partial file and a failed write leaves the previous one in place.
 */
static int write_textfile(struct exporter *x, const char *path)
{
	char tmp[4096];
	FILE *out;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "svmtrace export: textfile name too long: '%s'\n", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		err = -errno;
		fprintf(stderr, "svmtrace export: cannot write '%s': %s\n", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	err = export_write(x, out);
	if (!err && (fflush(out) || fsync(fd)))
		err = -errno;
	if (fclose(out) && !err)
		err = -EIO;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		fprintf(stderr, "svmtrace export: writing '%s' failed: %s (the previous file is kept)\n",
			path, strerror(-err));
		unlink(tmp);
	}
	return err;
}

static int run_textfile(struct exporter *x, const struct export_options *o)
{
	int status = 0, err;

	if (o->once) {
		status = svmtrace_window(o->command, o->interval);
		err = write_textfile(x, o->textfile);
		return err ? 1 : (o->command ? status : 0);
	}
	/* Write at once, so a wrong path fails now and not in a minute. */
	if (write_textfile(x, o->textfile))
		return 1;
	fprintf(stderr, "svmtrace export: writing %s every %g s\n", o->textfile, o->interval);
	while (svmtrace_sleep(o->interval))
		write_textfile(x, o->textfile);	/* a failure is reported; retried next time */
	return 0;
}

static int run_http(struct exporter *x, const struct export_options *o, struct svmtrace_httpd *h)
{
	sigset_t stop, old;
	/* IPv6 addresses go in brackets in URLs; they may come bracketed already. */
	bool bracket = strchr(o->http.address, ':') && o->http.address[0] != '[';

	/* The server's thread inherits a mask without SIGINT/SIGTERM, so they
	 * always reach the main thread waiting below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	if (!svmtrace_httpd_serve(h, render_http, x)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return 1;
	}
	fprintf(stderr, "svmtrace export: serving http://%s%s%s:%u/metrics\n", bracket ? "[" : "",
		o->http.address, bracket ? "]" : "", svmtrace_httpd_port(h));
	while (!svmtrace_interrupted)
		sigsuspend(&old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int svmtrace_cmd_export(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &svmtrace_bpf_argp, 0, "BPF programs:", 0 },
		{},
	};
	static const struct argp argp = {
		.options = export_argp_options,
		.parser = export_parse,
		.args_doc = "[-- COMMAND [ARG...]]",
		.doc = export_doc,
		.children = children,
	};
	struct export_options o = {
		.session = SVMTRACE_SESSION_OPTS_DEFAULT_WITH(.track_devices = true),
		.http = { .address = "127.0.0.1", .port = EXPORT_DEFAULT_PORT, .connection_limit = 64,
			  .per_ip_limit = 8, .timeout_s = 10 },
		.interval = 15,
	};
	struct exporter x = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct svmtrace_httpd *h = NULL;
	int stats_fd, status;

	o.command = svmtrace_split_command(&argc, argv);
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	if (o.http.per_ip_limit > o.http.connection_limit)
		o.http.per_ip_limit = o.http.connection_limit;
	/* Catch SIGINT/SIGTERM before loading: they always end cleanly. */
	svmtrace_catch_signals();
	signal(SIGPIPE, SIG_IGN);
	/* Listen first: a port in use fails now, not after loading BPF. */
	if (!o.textfile && !(h = svmtrace_httpd_listen(&o.http)))
		return 1;
	if (svmtrace_session_open(&x.session, &o.session)) {
		svmtrace_httpd_stop(h);
		return 1;
	}
	x.keys_max = bpf_map__max_entries(x.session.hists);
	/* Run-time accounting of BPF programs, for the self metrics. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	x.bpf_stats = stats_fd >= 0;
	if (!x.bpf_stats)
		fprintf(stderr, "svmtrace export: BPF run-time stats unavailable (%s): "
			"svmtrace_exporter_bpf_run_seconds_total stays 0\n", strerror(errno));

	status = o.textfile ? run_textfile(&x, &o) : run_http(&x, &o, h);

	svmtrace_httpd_stop(h);
	if (stats_fd >= 0)
		close(stats_fd);
	svmtrace_session_close(&x.session);
	return status;
}
