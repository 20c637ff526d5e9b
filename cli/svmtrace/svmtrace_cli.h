/* SPDX-License-Identifier: GPL-2.0 */
/* svmtrace CLI internals: subcommands and the BPF session they share. */
#ifndef SVMTRACE_CLI_H
#define SVMTRACE_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/types.h>

#include "svmtrace.h"
#include "svmtrace_names.h"

struct svmtrace_bpf;
struct svmtrace_kernel_bpf;
struct bpf_object;
struct bpf_map;

/* Where svmtrace's events come from (--source). */
enum svmtrace_source {
	SVMTRACE_SOURCE_AUTO,	/* module when svm_pagemap is loaded, else kernel */
	SVMTRACE_SOURCE_MODULE,	/* svm_pagemap's tracepoints */
	SVMTRACE_SOURCE_KERNEL,	/* the kernel's own functions (fentry/fexit) */
};

/**
 * struct svmtrace_session_opts - what to aggregate, fixed at load time
 * @per_pid: key histograms by process too
 * @per_cgroup: key histograms by cgroup too
 * @record: send per-event records to the ring buffer
 * @track_processes: keep per-process totals (svmtop, export)
 * @track_devices: keep per-device totals (svmtop, export)
 * @ringbuf_bytes: ring buffer size with @record, a power of two (0: 4 MiB)
 * @pid: only this process (0: all)
 * @cgroup: only this cgroup id (0: all)
 * @device: only this device (SVMTRACE_ALL: all)
 * @direction: only this direction (SVMTRACE_ALL: all)
 * @max_keys: cap on histogram keys (0: the default)
 * @pingpong_k: round trips within @pingpong_ms that make a range ping-pong
 * @pingpong_ms: the ping-pong window
 */
struct svmtrace_session_opts {
	bool per_pid;
	bool per_cgroup;
	bool record;
	bool track_processes;
	bool track_devices;
	uint32_t ringbuf_bytes;
	uint32_t pid;
	uint64_t cgroup;
	uint32_t device;
	uint32_t direction;
	uint32_t max_keys;
	uint64_t pingpong_k;
	uint64_t pingpong_ms;
};

#define SVMTRACE_SESSION_OPTS_DEFAULT_WITH(...)					\
	{ .device = SVMTRACE_ALL, .direction = SVMTRACE_ALL, .pingpong_k = 3,		\
	  .pingpong_ms = 1000, __VA_ARGS__ }
#define SVMTRACE_SESSION_OPTS_DEFAULT SVMTRACE_SESSION_OPTS_DEFAULT_WITH()

/**
 * struct svmtrace_session - loaded and attached BPF aggregation, from either
 * source: both BPF objects fill maps of the same names and layout
 * @module: the skeleton of the module source, or NULL
 * @kernel: the skeleton of the kernel source, or NULL
 * @source: SVMTRACE_SOURCE_MODULE or SVMTRACE_SOURCE_KERNEL
 * @obj: the BPF object of the source
 * @hists: its latency histograms keyed by process or cgroup (hashed)
 * @hist_slots: the other histograms' sums and maxima and where their
 *	buckets are, per key, mapped
 * @hist_pool: the blocks of those histograms' buckets, mapped
 * @hashed: the histograms are in @hists (per process or cgroup)
 * @records: its ring buffer
 * @procs: its per-process totals
 * @devices: its per-device totals
 * @counters: its global counters (mmapped .bss)
 * @event_counts: its event counts (mmapped .bss)
 * @raw_tp: true when the raw_tp twins are attached (no module BTF)
 * @stage_ends_in_hists: no filter: the programs leave svm_stage_end's count
 *	to the histograms (svmtrace_read_event_counts adds them up)
 * @stage_ends_carried: stage ends counted by histograms emptied since
 */
struct svmtrace_session {
	struct svmtrace_bpf *module;
	struct svmtrace_kernel_bpf *kernel;
	enum svmtrace_source source;
	struct bpf_object *obj;
	struct bpf_map *hists, *records, *procs, *devices, *slots_map, *pool_map;
	const volatile __u64 *counters, *event_counts;
	struct svmtrace_hist_slot *hist_slots;
	struct svmtrace_hist_block *hist_pool;
	size_t pool_bytes, slots_bytes;
	bool hashed;
	bool raw_tp;
	bool stage_ends_in_hists;
	uint64_t stage_ends_carried;
	/* kernel source opened without drm_gpusvm_helper: say so if it comes */
	bool helper_absent;
};

extern bool svmtrace_verbose;
/* argp child: --source, -R/--raw-tp and -v/--verbose (needs <argp.h>) */
extern const struct argp svmtrace_bpf_argp;
extern bool svmtrace_force_raw_tp;
extern enum svmtrace_source svmtrace_source_choice;
const char *svmtrace_source_name(enum svmtrace_source source);
int svmtrace_session_detach(struct svmtrace_session *s);
const char *svmtrace_session_programs(const struct svmtrace_session *s);
extern volatile sig_atomic_t svmtrace_interrupted;

int svmtrace_session_open(struct svmtrace_session *s, const struct svmtrace_session_opts *o);
int svmtrace_read_counters(struct svmtrace_session *s, uint64_t counters[SVMTRACE_CNT_MAX]);

typedef void (*svmtrace_hist_fn)(const struct svmtrace_hist_key *key,
				 const struct svmtrace_hist *hist, void *arg);
int svmtrace_for_each_hist(struct svmtrace_session *s, svmtrace_hist_fn fn, void *arg);
void svmtrace_reset_hists(struct svmtrace_session *s);
int svmtrace_bpf_cost(struct svmtrace_session *s, uint64_t *run_ns, uint64_t *run_cnt);
int svmtrace_bpf_missed(struct svmtrace_session *s, uint64_t missed[SVMTRACE_EV_MAX]);
uint64_t svmtrace_missed_total(const uint64_t missed[SVMTRACE_EV_MAX]);
unsigned int svmtrace_module_ndevices(void);

void svmtrace_session_close(struct svmtrace_session *s);
int svmtrace_read_event_counts(struct svmtrace_session *s, uint64_t counts[SVMTRACE_EV_MAX]);

void svmtrace_catch_signals(void);
double svmtrace_now(void);
bool svmtrace_sleep(double seconds);
int svmtrace_run_command(char **command);
int svmtrace_window(char **command, double seconds);
int svmtrace_spawn(char **command, pid_t *pid);
bool svmtrace_reap(pid_t pid, bool block, int *status);
char **svmtrace_split_command(int *argc, char **argv);

int svmtrace_cmd_stat(int argc, char **argv);
int svmtrace_cmd_hist(int argc, char **argv);
int svmtrace_cmd_top(int argc, char **argv);
int svmtrace_cmd_record(int argc, char **argv);
int svmtrace_cmd_report(int argc, char **argv);
int svmtrace_cmd_gate(int argc, char **argv);
int svmtrace_cmd_export(int argc, char **argv);

#endif /* SVMTRACE_CLI_H */
