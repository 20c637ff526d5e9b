// SPDX-License-Identifier: GPL-2.0
/*
 * The svmtrace BPF programs on the host kernel: the raw_tp twins are loaded
 * and run through BPF_PROG_TEST_RUN with synthetic tracepoint arguments, and
 * the in-kernel aggregation must hold exactly what was fed in.  Needs root
 * (or CAP_BPF + CAP_PERFMON); skipped with the reason otherwise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "svmtrace.h"
#include "svmtrace.skel.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static char skip_reason[160];

static int setup(void **state)
{
	struct svmtrace_bpf *skel;
	struct bpf_program *prog;

	libbpf_set_print(quiet);
	skel = svmtrace_bpf__open();
	if (!skel)
		return -1;
	/* tp_btf needs the module's BTF, which the host does not have. */
	bpf_object__for_each_program(prog, skel->obj)
		if (!strncmp(bpf_program__section_name(prog), "tp_btf/", 7))
			bpf_program__set_autoload(prog, false);
	if (svmtrace_bpf__load(skel)) {
		snprintf(skip_reason, sizeof(skip_reason),
			 "cannot load BPF programs here (%s): needs root or CAP_BPF+CAP_PERFMON",
			 strerror(errno));
		svmtrace_bpf__destroy(skel);
		*state = NULL;
		return 0;
	}
	*state = skel;
	return 0;
}

static int teardown(void **state)
{
	svmtrace_bpf__destroy(*state);
	return 0;
}

static uint64_t event_count(struct svmtrace_bpf *skel, uint32_t event)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t values[ncpus > 0 ? ncpus : 1], sum = 0;
	int cpu;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.svmtrace_event_counts),
					     &event, values), 0);
	for (cpu = 0; cpu < ncpus; cpu++)
		sum += values[cpu];
	return sum;
}

static void run_raw_tp(struct bpf_program *prog, uint64_t *args, size_t nargs)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = nargs * sizeof(*args));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
	assert_int_equal(opts.retval, 0);
}

static void test_ioctl_events_counted(void **state)
{
	struct svmtrace_bpf *skel = *state;
	uint64_t args[3] = { 1, 0, (uint64_t)-22 };
	int i;

	if (!skel) {
		printf("reason: %s\n", skip_reason);
		skip();
	}
	assert_int_equal(event_count(skel, SVMTRACE_EV_IOCTL), 0);
	for (i = 0; i < 5; i++)
		run_raw_tp(skel->progs.svm_ioctl_raw, args, 3);
	assert_int_equal(event_count(skel, SVMTRACE_EV_IOCTL), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioctl_events_counted),
	};

	if (geteuid() != 0)
		fprintf(stderr, "not root: BPF tests will be skipped\n");
	return cmocka_run_group_tests(tests, setup, teardown);
}
