// SPDX-License-Identifier: GPL-2.0
/*
 * The filter options every collecting subcommand shares (-S/-D/-d/-p/-c),
 * as an argp child, and their test on one record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svmtrace_names.h"
#include "svmtrace_render.h"

static const struct argp_option filter_options[] = {
	{ "stage", 'S', "STAGE", 0, "only STAGE: collect, populate, map, copy, finalize, unmap, total", 0 },
	{ "direction", 'D', "DIR", 0, "only DIR: to_dev, to_ram, evict, peer", 0 },
	{ "device", 'd', "N", 0, "only software device N", 0 },
	{ "pid", 'p', "PID", 0, "only process PID", 0 },
	{ "cgroup", 'c', "PATH", 0, "only the cgroup at PATH (cgroup2)", 0 },
	{},
};

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* The cgroup id BPF sees is the cgroup2 directory's inode number. */
uint64_t svmtrace_cgroup_id(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return 0;
	return st.st_ino;
}

static error_t filter_parse(int key, char *arg, struct argp_state *state)
{
	struct svmtrace_filter *f = state->input;
	uint64_t v;

	switch (key) {
	case 'S':
		f->stage = svmtrace_parse_stage(arg);
		if (f->stage < 0)
			argp_error(state, "unknown stage '%s'", arg);
		break;
	case 'D': {
		int dir = svmtrace_parse_direction(arg);

		if (dir < 0)
			argp_error(state, "unknown direction '%s': to_dev, to_ram, evict or peer", arg);
		f->direction = dir;
		break;
	}
	case 'd':
		if (parse_u64(arg, 255, &v))
			argp_error(state, "invalid device '%s'", arg);
		f->device = v;
		break;
	case 'p':
		if (parse_u64(arg, UINT32_MAX, &v) || !v)
			argp_error(state, "invalid pid '%s'", arg);
		f->pid = v;
		break;
	case 'c':
		f->cgroup = svmtrace_cgroup_id(arg);
		if (!f->cgroup)
			argp_error(state, "cannot use cgroup '%s': %s", arg, strerror(errno));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp svmtrace_filter_argp = {
	.options = filter_options,
	.parser = filter_parse,
};

bool svmtrace_filter_match(const struct svmtrace_filter *f, const struct svmtrace_record *r)
{
	if (f->stage >= 0 && r->stage != (uint32_t)f->stage)
		return false;
	if (f->direction != SVMTRACE_ALL && r->direction != f->direction)
		return false;
	if (f->device != SVMTRACE_ALL && r->device != f->device)
		return false;
	if (f->pid && r->pid != f->pid)
		return false;
	if (f->cgroup && r->cgroup != f->cgroup)
		return false;
	return true;
}
