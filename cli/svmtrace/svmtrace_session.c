// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and attaching the svmtrace BPF programs, with the checks that turn
 * the usual failures (privileges, module, tracepoints, BTF) into messages that
 * say what to do.
 */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "svmtrace_cli.h"
#include "svmtrace.skel.h"
#include "svmtrace_kernel.skel.h"

enum svmtrace_source svmtrace_source_choice = SVMTRACE_SOURCE_AUTO;
/* --core-only: the kernel source without its drm_pagemap-aware programs */
static bool kernel_core_only;

const char *svmtrace_source_name(enum svmtrace_source source)
{
	return source == SVMTRACE_SOURCE_MODULE ? "module" :
	       source == SVMTRACE_SOURCE_KERNEL ? "kernel" : "auto";
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !svmtrace_verbose)
		return 0;
	if (level == LIBBPF_INFO && !svmtrace_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Missing for sure: stat says ENOENT.  Unreadable (tracefs is 0700 for an
 * unprivileged user) is not missing; loading then says what is wrong. */
static bool path_missing(const char *path)
{
	struct stat st;

	return stat(path, &st) && errno == ENOENT;
}

static int check_module_source(void)
{
	if (path_missing("/sys/module/svm_pagemap")) {
		fprintf(stderr, "svmtrace: the svm_pagemap module is not loaded: "
			"run 'modprobe svm_pagemap' (or insmod svm_pagemap.ko) first, "
			"or trace the kernel's own migrations with --source kernel\n");
		return -ENOENT;
	}
	if (path_missing("/sys/kernel/tracing/events/svm_pagemap") &&
	    path_missing("/sys/kernel/debug/tracing/events/svm_pagemap")) {
		fprintf(stderr, "svmtrace: svm_pagemap is loaded but its tracepoints are not "
			"visible (is tracefs mounted at /sys/kernel/tracing?)\n");
		return -ENOENT;
	}
	return 0;
}

/* -R/--raw-tp and -v/--verbose, shared by every subcommand that loads BPF. */
enum { OPT_SOURCE = 0x1000, OPT_CORE_ONLY };

static const struct argp_option bpf_options[] = {
	{ "source", OPT_SOURCE, "SOURCE", 0, "where events come from: auto (default: the module's "
	  "tracepoints when svm_pagemap is loaded, else the kernel's functions), module, kernel", 0 },
	{ "core-only", OPT_CORE_ONLY, NULL, 0, "kernel source: rebuild migrations from the core mm "
	  "and DMA calls alone, as for drivers without drm_pagemap (amdkfd, nouveau): no timeslice "
	  "holds, eviction passes or -EBUSY retries", 0 },
	{ "raw-tp", 'R', NULL, 0, "attach the raw_tp programs even where module BTF exists", 0 },
	{ "verbose", 'v', NULL, 0, "show libbpf's messages", 0 },
	{},
};

static error_t bpf_parse(int key, char *arg, struct argp_state *state)
{
	static bool source_given;

	switch (key) {
	case OPT_SOURCE:
		if (source_given)
			argp_error(state, "--source given twice: svmtrace reads one source at a time "
				   "(run two svmtrace to compare them)");
		source_given = true;
		if (!strcmp(arg, "auto"))
			svmtrace_source_choice = SVMTRACE_SOURCE_AUTO;
		else if (!strcmp(arg, "module"))
			svmtrace_source_choice = SVMTRACE_SOURCE_MODULE;
		else if (!strcmp(arg, "kernel"))
			svmtrace_source_choice = SVMTRACE_SOURCE_KERNEL;
		else if (strchr(arg, ','))
			argp_error(state, "--source %s: one source at a time (auto, module or kernel)",
				   arg);
		else
			argp_error(state, "--source %s: want auto, module or kernel", arg);
		break;
	case OPT_CORE_ONLY:
		kernel_core_only = true;
		break;
	case 'R':
		svmtrace_force_raw_tp = true;
		break;
	case 'v':
		svmtrace_verbose = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp svmtrace_bpf_argp = {
	.options = bpf_options,
	.parser = bpf_parse,
};

/* Keep the tp_btf programs or their raw_tp twins, never both. */
static void choose_program_flavour(struct svmtrace_session *s)
{
	const char *drop = s->raw_tp ? "tp_btf/" : "raw_tp/";
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->obj)
		if (!strncmp(bpf_program__section_name(prog), drop, strlen(drop)))
			bpf_program__set_autoload(prog, false);
}

/* The same knobs in either object's read-only data. */
#define SET_KNOBS(ro, o)							\
	do {									\
		(ro)->per_pid = (o)->per_pid;					\
		(ro)->per_cgroup = (o)->per_cgroup;				\
		(ro)->record_events = (o)->record;				\
		(ro)->track_processes = (o)->track_processes;			\
		(ro)->track_devices = (o)->track_devices;			\
		(ro)->filter_pid = (o)->pid;					\
		(ro)->filter_cgroup = (o)->cgroup;				\
		(ro)->filter_device = (o)->device;				\
		(ro)->filter_direction = (o)->direction;			\
		(ro)->pingpong_k = (o)->pingpong_k;				\
		(ro)->pingpong_window_ns = (o)->pingpong_ms * 1000000ull;	\
		(ro)->hist_pool_size = hist_pool_size(o);			\
	} while (0)

/* The key cap of the histograms without process or cgroup (preallocated). */
static __u32 hist_pool_size(const struct svmtrace_session_opts *o)
{
	return o->max_keys ? o->max_keys : 256;
}

static void size_maps(struct svmtrace_session *s, const struct svmtrace_session_opts *o)
{
	s->hashed = o->per_pid || o->per_cgroup;
	/* one of the two histogram stores is used; the other shrinks to one entry */
	if (s->hashed) {
		if (o->max_keys)
			bpf_map__set_max_entries(s->hists, o->max_keys);
		bpf_map__set_max_entries(s->slots_map, 1);
		bpf_map__set_max_entries(s->pool_map, 1);
	} else {
		bpf_map__set_max_entries(s->hists, 1);
		bpf_map__set_max_entries(s->pool_map, hist_pool_size(o) * SVMTRACE_HIST_GROUPS);
	}
	/* what a command does not show costs no memory either */
	if (!o->track_processes)
		bpf_map__set_max_entries(s->procs, 1);
	if (!o->record)
		bpf_map__set_max_entries(s->records, 4096);
	else if (o->ringbuf_bytes)
		bpf_map__set_max_entries(s->records, o->ringbuf_bytes);
}

static int find_maps(struct svmtrace_session *s)
{
	s->hists = bpf_object__find_map_by_name(s->obj, "svmtrace_hists");
	s->records = bpf_object__find_map_by_name(s->obj, "svmtrace_records");
	s->procs = bpf_object__find_map_by_name(s->obj, "svmtrace_procs");
	s->devices = bpf_object__find_map_by_name(s->obj, "svmtrace_devices");
	s->slots_map = bpf_object__find_map_by_name(s->obj, "svmtrace_hist_slots");
	s->pool_map = bpf_object__find_map_by_name(s->obj, "svmtrace_hist_pool");
	if (!s->hists || !s->records || !s->procs || !s->devices || !s->slots_map || !s->pool_map) {
		fprintf(stderr, "svmtrace: the BPF object lacks its maps (a broken build?)\n");
		return -ENOENT;
	}
	return 0;
}

/* Does @name have BTF in the kernel or in drm_gpusvm_helper (if loaded)? */
static bool kernel_has_function(struct btf *vmlinux, struct btf *helper, const char *name)
{
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) >= 0 ||
	       (helper && btf__find_by_name_kind(helper, name, BTF_KIND_FUNC) >= 0);
}

/*
 * The kernel source's functions the running kernel has, by their BTF: a
 * program whose function is missing (not built, inlined, renamed, or in a
 * module not loaded) is not loaded, and the user is told what is missing
 * because of it.
 */
static int kernel_source_prepare(struct svmtrace_session *s)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *helper = NULL;
	char missing[512] = "";
	bool no_helper = false;
	struct bpf_program *prog;
	size_t off = 0;

	if (!vmlinux) {
		fprintf(stderr, "svmtrace: the kernel source needs the kernel's BTF "
			"(/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF): not found\n");
		return -ENOENT;
	}
	if (btf__find_by_name_kind(vmlinux, "migrate_vma_setup", BTF_KIND_FUNC) < 0) {
		btf__free(vmlinux);
		fprintf(stderr, "svmtrace: neither source is there: svm_pagemap is not loaded and "
			"this kernel has no migrate_vma_setup (built without "
			"CONFIG_DEVICE_PRIVATE/CONFIG_MIGRATION?), so no driver can migrate "
			"device memory here\n");
		return -ENOENT;
	}
	if (!path_missing("/sys/kernel/btf/drm_gpusvm_helper"))
		helper = btf__load_module_btf("drm_gpusvm_helper", vmlinux);
	bpf_object__for_each_program(prog, s->obj) {
		const char *target = strchr(bpf_program__section_name(prog), '/') + 1;

		if (kernel_core_only && strstr(target, "drm_pagemap")) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		if (kernel_has_function(vmlinux, helper, target))
			continue;
		bpf_program__set_autoload(prog, false);
		if (strstr(target, "drm_pagemap")) {
			no_helper = true;
			continue;
		}
		if (!strstr(missing, target) && off < sizeof(missing))
			off += snprintf(missing + off, sizeof(missing) - off, "%s%s",
					off ? ", " : "", target);
	}
	if (missing[0])
		fprintf(stderr, "svmtrace: kernel source: this kernel has no %s: %s\n", missing,
			strstr(missing, "dma_iova") ? "no IOVA path (map path iova, IOVA bytes "
			"in use) can be seen" : "the stages those functions make are not seen");
	if (no_helper)
		fprintf(stderr, "svmtrace: kernel source: drm_gpusvm_helper is %s: drm_pagemap's "
			"timeslice holds, eviction passes and -EBUSY retries are not counted "
			"(load the GPU driver, e.g. xe, before svmtrace; its migrations' stages are "
			"seen either way)\n", helper ? "loaded without the expected functions" :
			"not loaded");
	s->helper_absent = no_helper && !helper;
	btf__free(helper);
	btf__free(vmlinux);
	return 0;
}

/*
 * drm_gpusvm_helper loaded after the programs were: its functions have no
 * program, so what only they show stays at zero from then on.  Said once,
 * on the first read after it appears.
 */
static void kernel_helper_came(struct svmtrace_session *s)
{
	if (!s->helper_absent || path_missing("/sys/module/drm_gpusvm_helper"))
		return;
	s->helper_absent = false;
	fprintf(stderr, "svmtrace: kernel source: drm_gpusvm_helper was loaded after svmtrace "
		"started: its timeslice holds, eviction passes and -EBUSY retries are not "
		"counted (its migrations' stages are); start svmtrace again to count them\n");
}

static enum svmtrace_source resolve_source(void)
{
	static bool said;
	enum svmtrace_source src = svmtrace_source_choice;

	if (src != SVMTRACE_SOURCE_AUTO)
		return src;
	src = path_missing("/sys/module/svm_pagemap") ? SVMTRACE_SOURCE_KERNEL :
							SVMTRACE_SOURCE_MODULE;
	if (!said)
		fprintf(stderr, "svmtrace: source: %s\n", src == SVMTRACE_SOURCE_MODULE ?
			"module (svm_pagemap's tracepoints)" :
			"kernel (the kernel's own migration functions; svm_pagemap is not loaded)");
	said = true;
	return src;
}

/*
 * Unless every event is recorded, no program runs on svm_stage_end: the one
 * on svm_migrate_end takes each stage's sample from the stage times that
 * event carries, one run per migration instead of one per stage.
 */
static void stage_samples_at_end(struct svmtrace_session *s,
				 const struct svmtrace_session_opts *o)
{
	if (o->record)
		return;
	s->module->rodata->stage_samples_at_end = true;
	bpf_program__set_autoload(s->module->progs.svm_stage_end_btf, false);
	bpf_program__set_autoload(s->module->progs.svm_stage_end_raw, false);
}

static int open_module_source(struct svmtrace_session *s, const struct svmtrace_session_opts *o)
{
	int err;

	if (kernel_core_only) {
		fprintf(stderr, "svmtrace: --core-only is for the kernel source (--source kernel); "
			"the module's tracepoints see every migration as it is\n");
		return -EINVAL;
	}
	err = check_module_source();
	if (err)
		return err;
	s->raw_tp = svmtrace_force_raw_tp || path_missing("/sys/kernel/btf/svm_pagemap");
	if (s->raw_tp && !svmtrace_force_raw_tp)
		fprintf(stderr, "svmtrace: note: no BTF for svm_pagemap "
			"(/sys/kernel/btf/svm_pagemap): using raw_tp programs\n");
	s->module = svmtrace_bpf__open();
	if (!s->module) {
		fprintf(stderr, "svmtrace: cannot open the BPF object: %s\n", strerror(errno));
		return -errno;
	}
	s->obj = s->module->obj;
	choose_program_flavour(s);
	SET_KNOBS(s->module->rodata, o);
	stage_samples_at_end(s, o);
	err = find_maps(s);
	if (!err) {
		size_maps(s, o);
		err = svmtrace_bpf__load(s->module);
	}
	if (!err) {
		s->counters = s->module->bss->svmtrace_counters;
		s->event_counts = s->module->bss->svmtrace_event_counts;
	}
	return err;
}

static int open_kernel_source(struct svmtrace_session *s, const struct svmtrace_session_opts *o)
{
	int err;

	s->kernel = svmtrace_kernel_bpf__open();
	if (!s->kernel) {
		fprintf(stderr, "svmtrace: cannot open the BPF object: %s\n", strerror(errno));
		return -errno;
	}
	s->obj = s->kernel->obj;
	SET_KNOBS(s->kernel->rodata, o);
	err = find_maps(s);
	if (!err)
		err = kernel_source_prepare(s);
	if (!err) {
		size_maps(s, o);
		err = svmtrace_kernel_bpf__load(s->kernel);
	}
	if (!err) {
		s->counters = s->kernel->bss->svmtrace_counters;
		s->event_counts = s->kernel->bss->svmtrace_event_counts;
	}
	return err;
}

static void *map_array(struct bpf_map *map, size_t *bytes)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p;

	*bytes = ((size_t)bpf_map__max_entries(map) * bpf_map__value_size(map) + page - 1) &
		 ~(page - 1);
	p = mmap(NULL, *bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
	return p == MAP_FAILED ? NULL : p;
}

/* The slot and pool arrays, read (and emptied) in place: no syscall a read. */
static int map_hist_arrays(struct svmtrace_session *s)
{
	if (s->hashed)
		return 0;
	s->hist_slots = map_array(s->slots_map, &s->slots_bytes);
	s->hist_pool = map_array(s->pool_map, &s->pool_bytes);
	if (!s->hist_slots || !s->hist_pool) {
		fprintf(stderr, "svmtrace: cannot map the histogram arrays: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

int svmtrace_session_open(struct svmtrace_session *s, const struct svmtrace_session_opts *o)
{
	int err;

	memset(s, 0, sizeof(*s));
	libbpf_set_print(libbpf_print);
	s->source = resolve_source();
	/* as the programs' stage_ends_in_hists() */
	s->stage_ends_in_hists = !o->pid && !o->cgroup && o->device == SVMTRACE_ALL &&
				 o->direction == SVMTRACE_ALL;
	err = s->source == SVMTRACE_SOURCE_MODULE ? open_module_source(s, o) :
						    open_kernel_source(s, o);
	if (err) {
		if ((err == -EPERM || err == -EACCES) && geteuid())
			fprintf(stderr, "svmtrace: not allowed to load BPF programs: run as root "
				"or with CAP_BPF and CAP_PERFMON\n");
		else if (err == -EPERM || err == -EACCES)
			fprintf(stderr, "svmtrace: the kernel refused the %s source's BPF programs "
				"to root (%s): lockdown, or a sandbox that forbids %s programs\n",
				svmtrace_source_name(s->source), strerror(-err),
				s->source == SVMTRACE_SOURCE_KERNEL ? "fentry" : "tracing");
		else if (err != -ENOENT)
			fprintf(stderr, "svmtrace: loading the BPF programs failed: %s "
				"(run with -v for the verifier log)\n", strerror(-err));
		goto fail;
	}
	err = map_hist_arrays(s);
	if (err)
		goto fail;
	err = s->module ? svmtrace_bpf__attach(s->module) : svmtrace_kernel_bpf__attach(s->kernel);
	if (err) {
		fprintf(stderr, "svmtrace: attaching to the %s failed: %s\n",
			s->module ? "svm_pagemap tracepoints" : "kernel's migration functions",
			strerror(-err));
		goto fail;
	}
	return 0;

fail:
	svmtrace_session_close(s);
	return err;
}

/* The kind of programs attached: fentry, tp_btf or raw_tp. */
const char *svmtrace_session_programs(const struct svmtrace_session *s)
{
	if (s->source == SVMTRACE_SOURCE_KERNEL)
		return "fentry";
	return s->raw_tp ? "raw_tp" : "tp_btf";
}

/* Stop the events (the maps stay readable). */
int svmtrace_session_detach(struct svmtrace_session *s)
{
	if (s->module)
		svmtrace_bpf__detach(s->module);
	if (s->kernel)
		svmtrace_kernel_bpf__detach(s->kernel);
	return 0;
}

void svmtrace_session_close(struct svmtrace_session *s)
{
	if (s->hist_slots)
		munmap((void *)s->hist_slots, s->slots_bytes);
	if (s->hist_pool)
		munmap(s->hist_pool, s->pool_bytes);
	s->hist_slots = NULL;
	s->hist_pool = NULL;
	svmtrace_bpf__destroy(s->module);
	svmtrace_kernel_bpf__destroy(s->kernel);
	s->module = NULL;
	s->kernel = NULL;
	s->obj = NULL;
}

/* The counters are global data of the BPF object, mmapped: no syscall. */
int svmtrace_read_counters(struct svmtrace_session *s, uint64_t counters[SVMTRACE_CNT_MAX])
{
	const volatile __u64 *c = s->counters;
	unsigned int i;

	kernel_helper_came(s);
	for (i = 0; i < SVMTRACE_CNT_MAX; i++)
		counters[i] = c[i];
	return 0;
}

static void add_stage_samples(const struct svmtrace_hist_key *key, const struct svmtrace_hist *h,
			      void *arg)
{
	if (key->stage < SVMTRACE_STAGE_TOTAL)
		*(uint64_t *)arg += h->count;
}

/* Stage-end events the histograms hold right now (stage_ends_in_hists). */
static int stage_samples(struct svmtrace_session *s, uint64_t *n)
{
	*n = 0;
	return svmtrace_for_each_hist(s, add_stage_samples, n);
}

int svmtrace_read_event_counts(struct svmtrace_session *s, uint64_t counts[SVMTRACE_EV_MAX])
{
	const volatile __u64 *c = s->event_counts;
	uint64_t samples;
	unsigned int ev;
	int err;

	for (ev = 0; ev < SVMTRACE_EV_MAX; ev++)
		counts[ev] = c[ev];
	if (!s->stage_ends_in_hists)
		return 0;
	/* the programs count only the stage ends that made no sample */
	err = stage_samples(s, &samples);
	if (err)
		return err;
	counts[SVM_PAGEMAP_EV_STAGE_END] += samples + s->stage_ends_carried;
	return 0;
}

/* The user-space key of a kernel one. */
static void hist_key_widen(const struct svmtrace_bpf_hist_key *k, struct svmtrace_hist_key *w)
{
	*w = (struct svmtrace_hist_key){
		.stage = k->stage, .direction = k->direction, .trigger = k->trigger,
		.path = k->path, .device = k->device, .pid = k->pid, .cgroup = k->cgroup,
	};
}

/* The BPF side keeps no count: it is the buckets' total. */
static void hist_complete(struct svmtrace_hist *h)
{
	unsigned int i;

	h->count = 0;
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++)
		h->count += h->slots[i];
}

#define HIST_BATCH 16

/*
 * Every histogram, read in batches of HIST_BATCH keys.  Kernels without
 * batch lookups on hash maps fall back to key by key.
 */
static int for_each_slot_hist(struct svmtrace_session *s, svmtrace_hist_fn fn, void *arg)
{
	__u32 pool = bpf_map__max_entries(s->pool_map), index, group, block;
	struct svmtrace_hist *h = malloc(sizeof(*h));
	const struct svmtrace_hist_slot *slot;
	struct svmtrace_hist_key key;
	bool used;

	if (!h)
		return -ENOMEM;
	for (index = 0; index < SVMTRACE_HIST_SLOTS; index++) {
		slot = &s->hist_slots[index];
		used = false;
		/* a copy: the programs go on adding to the mapped one */
		for (group = 0; group < SVMTRACE_HIST_GROUPS; group++) {
			block = slot->block[group];
			if (block && block <= pool) {
				memcpy(&h->slots[group * SVMTRACE_HIST_SUB],
				       s->hist_pool[block - 1].slots, sizeof(s->hist_pool->slots));
				used = true;
			} else {
				memset(&h->slots[group * SVMTRACE_HIST_SUB], 0,
				       sizeof(s->hist_pool->slots));
			}
		}
		if (!used)
			continue;
		h->sum = slot->sum;
		h->max = slot->max;
		hist_complete(h);
		svmtrace_hist_slot_key(index, &key);
		fn(&key, h, arg);
	}
	free(h);
	return 0;
}

int svmtrace_for_each_hist(struct svmtrace_session *s, svmtrace_hist_fn fn, void *arg)
{
	int fd = bpf_map__fd(s->hists);
	struct svmtrace_bpf_hist_key keys[HIST_BATCH], cur, next, *prev = NULL;
	struct svmtrace_hist *values;
	struct svmtrace_hist_key wide;
	__u64 batch = 0;
	bool first = true;
	int err = 0;
	__u32 n, i;

	if (!s->hashed)
		return for_each_slot_hist(s, fn, arg);
	values = calloc(HIST_BATCH, sizeof(*values));
	if (!values)
		return -ENOMEM;
	for (;;) {
		n = HIST_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, values, &n, NULL);
		if (err && errno != ENOENT) {
			if (first)
				break;	/* no batch lookups here: key by key below */
			err = -errno;
			goto out;
		}
		first = false;
		for (i = 0; i < n; i++) {
			hist_key_widen(&keys[i], &wide);
			hist_complete(&values[i]);
			fn(&wide, &values[i], arg);
		}
		if (err) {	/* ENOENT: that was the last batch */
			err = 0;
			goto out;
		}
	}
	err = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		cur = next;
		prev = &cur;
		if (!bpf_map_lookup_elem(fd, &cur, values)) {
			hist_key_widen(&cur, &wide);
			hist_complete(values);
			fn(&wide, values, arg);
		}
	}
out:
	free(values);
	return err;
}

/* Empty the in-kernel latency histograms, to start a new window. */
void svmtrace_reset_hists(struct svmtrace_session *s)
{
	int fd = bpf_map__fd(s->hists);
	struct svmtrace_bpf_hist_key key;

	uint64_t samples;
	__u32 i;

	/* the stage ends counted by the samples about to go */
	if (s->stage_ends_in_hists && !stage_samples(s, &samples))
		s->stage_ends_carried += samples;
	/* the blocks stay taken: a key keeps them from window to window */
	if (!s->hashed) {
		memset(s->hist_pool, 0, (size_t)bpf_map__max_entries(s->pool_map) *
		       sizeof(*s->hist_pool));
		for (i = 0; i < SVMTRACE_HIST_SLOTS; i++) {
			s->hist_slots[i].sum = 0;
			s->hist_slots[i].max = 0;
		}
		return;
	}
	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			break;
}

/* Run time and run count summed over the attached programs (BPF stats). */
/*
 * Tracepoint hits the kernel did not run a program for, per event: its
 * per-CPU recursion guard skips a hit while the same program is already
 * running on that CPU (tracepoint callbacks can be preempted on recent
 * kernels, and another task then hits the same event).  Those events are
 * missing from every count and histogram, so the user must see them.
 */
int svmtrace_bpf_missed(struct svmtrace_session *s, uint64_t missed[SVMTRACE_EV_MAX])
{
	struct bpf_program *prog;
	unsigned int e;

	memset(missed, 0, sizeof(uint64_t) * SVMTRACE_EV_MAX);
	bpf_object__for_each_program(prog, s->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);
		const char *name = bpf_program__name(prog);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		/* every kernel-source program builds stage ends: its skips lose them */
		if (s->kernel) {
			missed[SVM_PAGEMAP_EV_STAGE_END] += info.recursion_misses;
			continue;
		}
		/* program names are the event's plus _btf or _raw */
		for (e = 0; e < SVMTRACE_EV_MAX; e++) {
			size_t n = strlen(svmtrace_event_name(e));

			if (!strncmp(name, svmtrace_event_name(e), n) && name[n] == '_' &&
			    (!strcmp(name + n, "_btf") || !strcmp(name + n, "_raw")))
				missed[e] += info.recursion_misses;
		}
	}
	return 0;
}

/* Devices the loaded module created (its ndevices parameter), 0 without it. */
unsigned int svmtrace_module_ndevices(void)
{
	FILE *f = fopen("/sys/module/svm_pagemap/parameters/ndevices", "r");
	unsigned int n = 0;

	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n < SVMTRACE_MAX_DEVICES ? n : SVMTRACE_MAX_DEVICES;
}

uint64_t svmtrace_missed_total(const uint64_t missed[SVMTRACE_EV_MAX])
{
	uint64_t sum = 0;
	unsigned int e;

	for (e = 0; e < SVMTRACE_EV_MAX; e++)
		sum += missed[e];
	return sum;
}

int svmtrace_bpf_cost(struct svmtrace_session *s, uint64_t *run_ns, uint64_t *run_cnt)
{
	struct bpf_program *prog;

	*run_ns = *run_cnt = 0;
	bpf_object__for_each_program(prog, s->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		*run_ns += info.run_time_ns;
		*run_cnt += info.run_cnt;
	}
	return 0;
}
