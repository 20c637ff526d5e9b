// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace record: every svm_stage_end and svm_migrate_end as a record, from
 * the BPF ring buffer into a record file (docs/record-format.md), around a
 * command, for a number of seconds, or until Ctrl-C.  Records the kernel had
 * to drop (ring buffer full) are counted and written into the file.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "svmtrace_cli.h"
#include "svmtrace_recfile.h"
#include "svmtrace_render.h"

struct record_options {
	struct svmtrace_session_opts session;
	struct svmtrace_filter filter;
	const char *output;
	double seconds;
	char **command;
};

struct record_ctx {
	struct svmtrace_recfile_writer *w;
	const struct svmtrace_filter *filter;
	int err;
};

static const char record_doc[] =
	"Record every migration and stage end into FILE, for svmtrace report.\n"
	"Records around COMMAND, for SECONDS (-i), or until Ctrl-C.\n"
	"\n"
	"EXAMPLES:\n"
	"    svmtrace record -o run.svmrec -- svmbench roundtrip   # one run\n"
	"    svmtrace record -o idle.svmrec -i 10                  # the next 10 s\n"
	"    svmtrace record -o map.svmrec -S map -D to_dev -- ./app\n"
	"    svmtrace report run.svmrec                            # exact percentiles\n";

static const struct argp_option record_argp_options[] = {
	{ "output", 'o', "FILE", 0, "write the recording to FILE (required)", 0 },
	{ "interval", 'i', "SECONDS", 0, "record for SECONDS instead of around a command", 0 },
	{ "buffer", 'B', "KIB", 0, "ring buffer size in KiB, a power of two (default 4096)", 0 },
	{},
};

static error_t record_parse(int key, char *arg, struct argp_state *state)
{
	struct record_options *o = state->input;
	unsigned long long kib;
	char *end;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->filter;
		break;
	case 'o':
		o->output = arg;
		break;
	case 'i':
		errno = 0;
		o->seconds = strtod(arg, &end);
		if (errno || *end || !(o->seconds > 0) || o->seconds > 1e7)
			argp_error(state, "invalid interval '%s': want seconds > 0", arg);
		break;
	case 'B':
		errno = 0;
		kib = strtoull(arg, &end, 10);
		if (errno || *end || *arg == '-' || kib < 4 || kib > (1u << 20) || (kib & (kib - 1)))
			argp_error(state, "invalid --buffer '%s': a power of two from 4 to 1048576 KiB",
				   arg);
		o->session.ringbuf_bytes = kib * 1024;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s' (a command goes after --)", arg);
		break;
	case ARGP_KEY_END:
		if (!o->output)
			argp_error(state, "no output file: give -o FILE");
		if (o->command && o->seconds > 0)
			argp_error(state, "give either -i SECONDS or a command, not both");
		o->session.pid = o->filter.pid;
		o->session.cgroup = o->filter.cgroup;
		o->session.device = o->filter.device;
		o->session.direction = o->filter.direction;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct record_ctx *c = ctx;
	const struct svmtrace_record *r = data;

	if (size < sizeof(*r))
		return 0;
	/* The stage filter is ours: the kernel filters the rest. */
	if (c->filter->stage >= 0 && r->stage != (uint32_t)c->filter->stage)
		return 0;
	c->err = svmtrace_recfile_write(c->w, r);
	return c->err;
}

/* Poll until the window closes; 0 or a negative errno. */
static int record_window(struct ring_buffer *rb, struct record_ctx *ctx,
			 const struct record_options *o, pid_t child, bool *child_done, int *status)
{
	double deadline = svmtrace_now() + o->seconds;
	int n;

	for (;;) {
		n = ring_buffer__poll(rb, 100);
		if (ctx->err)
			return ctx->err;
		if (n < 0 && n != -EINTR)
			return n;
		if (n > 0) {
			ctx->err = svmtrace_recfile_flush(ctx->w);
			if (ctx->err)
				return ctx->err;
		}
		if (svmtrace_interrupted)
			return 0;
		if (o->command && svmtrace_reap(child, false, status)) {
			*child_done = true;
			return 0;
		}
		if (o->seconds > 0 && svmtrace_now() >= deadline)
			return 0;
	}
}

int svmtrace_cmd_record(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &svmtrace_filter_argp, 0, "Filters:", 0 },
		{ &svmtrace_bpf_argp, 0, "BPF programs:", 0 },
		{},
	};
	static const struct argp argp = {
		.options = record_argp_options,
		.parser = record_parse,
		.args_doc = "-o FILE [-i SECONDS | -- COMMAND [ARG...]]",
		.doc = record_doc,
		.children = children,
	};
	struct record_options o = {
		.session = SVMTRACE_SESSION_OPTS_DEFAULT,
		.filter = SVMTRACE_FILTER_DEFAULT,
	};
	uint64_t counters[SVMTRACE_CNT_MAX] = {};
	struct svmtrace_recfile_writer w;
	struct svmtrace_recfile_info info;
	struct record_ctx ctx = { .w = &w, .filter = &o.filter };
	struct ring_buffer *rb = NULL;
	struct svmtrace_session s;
	bool child_done = false;
	int err, status = 0;
	pid_t child = 0;
	double start;

	o.command = svmtrace_split_command(&argc, argv);
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return 2;
	o.session.record = true;
	/* From here on SIGINT/SIGTERM end the recording, even while loading. */
	svmtrace_catch_signals();

	svmtrace_recfile_info_init(&info);
	info.stage = o.filter.stage < 0 ? SVMTRACE_ALL : (uint32_t)o.filter.stage;
	info.pid = o.filter.pid;
	info.device = o.filter.device;
	info.direction = o.filter.direction;
	info.cgroup = o.filter.cgroup;
	/* Fail on an unwritable FILE before loading anything. */
	err = svmtrace_recfile_create(&w, o.output, &info);
	if (err) {
		fprintf(stderr, "svmtrace record: cannot write '%s.tmp': %s\n", o.output, strerror(-err));
		return 2;
	}
	err = svmtrace_session_open(&s, &o.session);
	if (err) {
		svmtrace_recfile_abort(&w);
		return 1;
	}
	if (s.raw_tp)
		w.info.flags |= SVMTRACE_RECFILE_RAW_TP;
	if (s.source == SVMTRACE_SOURCE_KERNEL)
		w.info.flags |= SVMTRACE_RECFILE_KERNEL_SOURCE;
	rb = ring_buffer__new(bpf_map__fd(s.records), on_record, &ctx, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "svmtrace record: cannot open the ring buffer: %s\n", strerror(-err));
		goto fail;
	}
	start = svmtrace_now();
	if (!o.command && o.seconds > 0)
		fprintf(stderr, "svmtrace record: recording into %s for %g s\n", o.output, o.seconds);
	else if (!o.command)
		fprintf(stderr, "svmtrace record: recording into %s; Ctrl-C to stop\n", o.output);
	if (o.command && svmtrace_spawn(o.command, &child)) {
		err = -EAGAIN;
		child = 0;
		goto fail;
	}
	err = record_window(rb, &ctx, &o, child, &child_done, &status);
	if (err) {
		fprintf(stderr, "svmtrace record: %s: %s\n",
			ctx.err ? "writing the recording failed" : "polling the ring buffer failed",
			strerror(-err));
		goto fail;
	}
	/* No new events from here on; take what the ring buffer still holds. */
	svmtrace_session_detach(&s);
	ring_buffer__consume(rb);
	if (ctx.err) {
		err = ctx.err;
		fprintf(stderr, "svmtrace record: writing the recording failed: %s\n", strerror(-err));
		goto fail;
	}
	err = svmtrace_read_counters(&s, counters);
	if (err) {
		fprintf(stderr, "svmtrace record: reading the counters failed: %s\n", strerror(-err));
		goto fail;
	}
	{
		uint64_t written = w.count, lost = counters[SVMTRACE_CNT_RECORDS_LOST];
		uint64_t missed[SVMTRACE_EV_MAX];

		err = svmtrace_recfile_finish(&w, lost, counters);
		if (err) {
			fprintf(stderr, "svmtrace record: writing '%s' failed: %s\n", o.output,
				strerror(-err));
			goto out;
		}
		fprintf(stderr, "svmtrace record: wrote %llu records to %s in %.3f s, %llu lost\n",
			(unsigned long long)written, o.output, svmtrace_now() - start,
			(unsigned long long)lost);
		if (lost)
			fprintf(stderr, "svmtrace record: warning: %llu records were lost (ring buffer "
				"full): raise --buffer\n", (unsigned long long)lost);
		if (!svmtrace_bpf_missed(&s, missed) && svmtrace_missed_total(missed))
			fprintf(stderr, "svmtrace record: warning: the kernel skipped %llu events (a "
				"program preempted on its CPU by another hit of the same event): the "
				"file misses them\n", (unsigned long long)svmtrace_missed_total(missed));
	}
	goto out;
fail:
	svmtrace_recfile_abort(&w);
out:
	ring_buffer__free(rb);
	svmtrace_session_close(&s);
	if (child && !child_done) {
		/* Stopped by a signal while the command still runs: stop it too. */
		kill(child, SIGTERM);
		svmtrace_reap(child, true, &status);
	}
	if (err)
		return 1;
	return o.command ? status : 0;
}
