/* SPDX-License-Identifier: GPL-2.0 */
/* svmtrace CLI internals: subcommands and the BPF session they share. */
#ifndef SVMTRACE_CLI_H
#define SVMTRACE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/types.h>

#include "svmtrace.h"

struct svmtrace_bpf;

/**
 * struct svmtrace_session - loaded and attached BPF aggregation
 * @skel: the libbpf skeleton
 * @raw_tp: true when the raw_tp twins are attached (no module BTF)
 */
struct svmtrace_session {
	struct svmtrace_bpf *skel;
	bool raw_tp;
};

extern bool svmtrace_verbose;
extern bool svmtrace_force_raw_tp;

int svmtrace_session_open(struct svmtrace_session *s);
void svmtrace_session_close(struct svmtrace_session *s);
int svmtrace_read_event_counts(struct svmtrace_session *s, uint64_t counts[SVMTRACE_EV_MAX]);
const char *svmtrace_event_name(unsigned int event);

int svmtrace_cmd_stat(int argc, char **argv);

#endif /* SVMTRACE_CLI_H */
