// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace report --perf-script's reader: the perf script text of a real
 * guest run (tests/fixtures/perf-script-roundtrip.txt, perf 7.3.4,
 * `perf script -F +pid` of `perf record -e 'svm_pagemap:*' -a -- svmbench
 * -s 64K -n 2 roundtrip`) becomes the records svmtrace record would have
 * written, and those give the histograms; perf's header columns in their
 * variants; other events, comments and call chains skipped and counted;
 * malformed lines named by number (or skipped with --partial); files that
 * are not perf script text refused.  Two more captures from the same guest:
 * perf-script-contend.txt (svmbench -P 3 -t 5 -n 4 -s 64K contend: three
 * processes, -EBUSY migrations, timeslice holds) and
 * perf-script-sched-mixed.txt (sched:sched_switch recorded beside
 * svm_pagemap:* around one round trip, perf script's default columns).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svmtrace_perfscript.h"
#include "svmtrace_render.h"

#define FIXTURE "tests/fixtures/perf-script-roundtrip.txt"

struct parsed {
	int ret;
	struct svmtrace_perfscript_info info;
	struct svmtrace_record *recs;
	uint64_t n;
	char msg[256];
};

static void parse_file(FILE *f, bool partial, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	p->ret = svmtrace_perfscript_read(f, partial, &p->info, &p->recs, &p->n, p->msg, sizeof(p->msg));
	fclose(f);
}

static void parse_text(const char *text, bool partial, struct parsed *p)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	parse_file(f, partial, p);
}

static void parse_named(const char *path, struct parsed *p)
{
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	parse_file(f, false, p);
}

static void parse_fixture(struct parsed *p)
{
	parse_named(FIXTURE, p);
}

#define HDR "        svmbench     154/154     [000]   104.616896: "
#define STAGEP(id, st, path, ns) HDR "     svm_pagemap:svm_stage_end: id=" #id " device=0 stage=" \
	#st " direction=to_dev trigger=prefetch path=" #path " npages=16 bytes=65536 duration_ns=" \
	#ns " error=0\n"
#define STAGE(id, st, ns) STAGEP(id, st, none, ns)
#define MAP(id, path) HDR "           svm_pagemap:svm_map: id=" #id " device=0 path=" #path \
	" direction=to_dev npages=16 bytes=65536 iova_bytes=0\n"
#define ENDP(id, path, ns) HDR "   svm_pagemap:svm_migrate_end: id=" #id " device=0" \
	" direction=to_dev trigger=prefetch path=" #path " start=0x7f322c907000 npages=16" \
	" migrated=16 result=0 duration_ns=" #ns "\n"
#define END(id, ns) ENDP(id, none, ns)

static void test_fixture_records(void **state)
{
	uint64_t stage_ends = 0, ends = 0, total_sum = 0, r;
	struct parsed p;

	(void)state;
	parse_fixture(&p);
	assert_int_equal(p.ret, 0);
	assert_string_equal(p.msg, "");
	/* perf stat on the same kind of run: 4 migrations, 24 stage ends */
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_MIGRATE_BEGIN], 4);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_MIGRATE_END], 4);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_STAGE_END], 24);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_MAP], 4);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_IOCTL], 4);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_DEVMEM_ALLOC], 2);
	assert_int_equal(p.info.other_events, 0);
	assert_int_equal(p.info.malformed, 0);
	assert_true(p.info.pid_column);
	assert_false(p.info.tid_only);
	assert_int_equal(p.n, 28);
	for (r = 0; r < p.n; r++) {
		const struct svmtrace_record *rec = &p.recs[r];

		assert_int_equal(rec->pid, 154);
		assert_int_equal(rec->device, 0);
		if (rec->event == SVM_PAGEMAP_EV_MIGRATE_END) {
			ends++;
			total_sum += rec->duration_ns;
			assert_int_equal(rec->stage, SVMTRACE_STAGE_TOTAL);
			assert_int_equal(rec->path, 1);	/* page: no IOMMU in the plain guest */
			assert_int_equal(rec->bytes, 16 * 4096);
		} else {
			assert_int_equal(rec->event, SVM_PAGEMAP_EV_STAGE_END);
			stage_ends++;
			/* the path is known from svm_map on, as on the BPF side */
			assert_int_equal(rec->path, rec->stage < 2 ? SVMTRACE_PATH_NONE : 1);
		}
	}
	assert_int_equal(ends, 4);
	assert_int_equal(stage_ends, 24);
	assert_int_equal(total_sum, 16694748 + 4359773 + 703188 + 882545);
	assert_int_equal(p.info.first_ts_ns, 104616896000ull);
	assert_int_equal(p.info.last_ts_ns, 104647212000ull);
	free(p.recs);
}

static void test_fixture_histograms(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_hist_entry *e = NULL;
	size_t ne = 0, i, seen = 0;
	struct parsed p;

	(void)state;
	parse_fixture(&p);
	assert_int_equal(p.ret, 0);
	f.stage = SVMTRACE_STAGE_TOTAL;
	assert_int_equal(svmtrace_entries_from_records(p.recs, p.n, &f, &o, &e, &ne), 0);
	assert_int_equal(ne, 2);	/* to_dev and to_ram, both through the page path */
	for (i = 0; i < ne; i++) {
		if (e[i].key.direction == 0) {
			assert_int_equal(e[i].hist.count, 2);
			assert_int_equal(e[i].hist.sum, 16694748 + 703188);
			assert_int_equal(e[i].hist.max, 16694748);
			assert_int_equal(e[i].values[0], 703188);
			seen++;
		} else {
			assert_int_equal(e[i].key.direction, 1);
			assert_int_equal(e[i].hist.sum, 4359773 + 882545);
			seen++;
		}
		assert_int_equal(e[i].key.path, 1);
	}
	assert_int_equal(seen, 2);
	svmtrace_entries_free(e, ne);
	free(p.recs);
}

static void test_fixture_contend_per_process(void **state)
{
	struct svmtrace_render_opts o = { .by = { [SVMTRACE_DIM_PID] = true }, .unit = "us", .unit_ns = 1e3 };
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_hist_entry *e = NULL;
	uint64_t failed = 0, r;
	size_t ne = 0, i;
	struct parsed p;

	(void)state;
	parse_named("tests/fixtures/perf-script-contend.txt", &p);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_MIGRATE_END], 34);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_STAGE_END], 124);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_RETRY], 15);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_TIMESLICE_HOLD], 779);
	for (r = 0; r < p.n; r++)
		if (p.recs[r].event == SVM_PAGEMAP_EV_MIGRATE_END && p.recs[r].result == -16)
			failed++;
	assert_int_equal(failed, 20);
	/* whole migrations per process, as awk sums them from the text */
	f.stage = SVMTRACE_STAGE_TOTAL;
	assert_int_equal(svmtrace_entries_from_records(p.recs, p.n, &f, &o, &e, &ne), 0);
	assert_int_equal(ne, 3);
	for (i = 0; i < ne; i++) {
		switch (e[i].key.pid) {
		case 170:
			assert_int_equal(e[i].hist.count, 8);
			assert_int_equal(e[i].hist.sum, 363782791);
			break;
		case 171:
			assert_int_equal(e[i].hist.count, 14);
			assert_int_equal(e[i].hist.sum, 20937282);
			break;
		case 172:
			assert_int_equal(e[i].hist.count, 12);
			assert_int_equal(e[i].hist.sum, 374051331);
			break;
		default:
			fail_msg("unexpected pid %u", e[i].key.pid);
		}
	}
	svmtrace_entries_free(e, ne);
	free(p.recs);
}

static void test_fixture_other_events(void **state)
{
	struct parsed p;

	(void)state;
	parse_named("tests/fixtures/perf-script-sched-mixed.txt", &p);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.info.other_events, 304);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_MIGRATE_END], 2);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_STAGE_END], 12);
	assert_int_equal(p.n, 14);
	assert_true(p.info.tid_only);
	free(p.recs);
}

static void test_header_variants(void **state)
{
	struct parsed p;

	(void)state;
	/* perf script's default: thread id only */
	parse_text("  svmbench   77 [001]  5.000001: svm_pagemap:svm_ioctl: device=0 cmd=1 result=0\n"
		   "  svmbench   77 [001]  5.5: svm_pagemap:svm_migrate_end: id=9 device=1 direction=to_ram"
		   " trigger=cpu_fault path=none start=0x1000 npages=1 migrated=1 result=-16"
		   " duration_ns=5\n", false, &p);
	assert_int_equal(p.ret, 0);
	assert_true(p.info.tid_only);
	assert_true(p.info.pid_column);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.recs[0].pid, 77);
	assert_int_equal(p.recs[0].result, -16);
	assert_int_equal(p.recs[0].path, SVMTRACE_PATH_NONE);
	assert_int_equal(p.info.first_ts_ns, 5000001000ull);
	assert_int_equal(p.info.last_ts_ns, 5500000000ull);
	free(p.recs);

	/* a name with spaces, pid/tid, no cpu column */
	parse_text("my gpu app  4242/4250  9.1: svm_pagemap:svm_migrate_end: id=1 device=0 direction=0"
		   " trigger=0 path=1 start=0x1000 npages=1 migrated=1 result=0 duration_ns=7\n", false, &p);
	assert_int_equal(p.ret, 0);
	assert_false(p.info.tid_only);
	assert_int_equal(p.recs[0].pid, 4242);
	free(p.recs);

	/* -F event,trace: no pid at all */
	parse_text("svm_pagemap:svm_migrate_end: id=1 device=0 direction=to_dev trigger=device_fault"
		   " path=iova start=0x1000 npages=1 migrated=1 result=0 duration_ns=7\n", false, &p);
	assert_int_equal(p.ret, 0);
	assert_false(p.info.pid_column);
	assert_int_equal(p.recs[0].pid, 0);
	free(p.recs);
}

static void test_path_from_events(void **state)
{
	struct parsed p;

	(void)state;
	/* each record takes the path its own event carries, by name or number;
	 * svm_map lines are counted, not needed */
	parse_text(STAGE(1, collect, 10) MAP(1, peer) MAP(1, page) STAGEP(1, map, page, 20)
		   ENDP(1, page, 100) STAGEP(2, 3, 0, 30) ENDP(2, iova, 200)
		   STAGE(3, total, 40) ENDP(3, local, 300), false, &p);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_STAGE_END], 4);
	assert_int_equal(p.info.events[SVM_PAGEMAP_EV_MAP], 2);
	assert_int_equal(p.n, 6);	/* the "total" stage event is not a module stage: no record */
	assert_int_equal(p.recs[0].path, SVMTRACE_PATH_NONE);
	assert_int_equal(p.recs[0].stage, SVM_PAGEMAP_STAGE_COLLECT);
	assert_int_equal(p.recs[1].path, SVM_PAGEMAP_PATH_PAGE);
	assert_int_equal(p.recs[1].stage, SVM_PAGEMAP_STAGE_MAP);
	assert_int_equal(p.recs[1].direction, SVM_PAGEMAP_DIR_TO_DEV);
	assert_int_equal(p.recs[1].trigger, SVM_PAGEMAP_TRIGGER_PREFETCH);
	assert_int_equal(p.recs[2].path, SVM_PAGEMAP_PATH_PAGE);
	assert_int_equal(p.recs[3].path, SVM_PAGEMAP_PATH_IOVA);
	assert_int_equal(p.recs[3].stage, SVM_PAGEMAP_STAGE_COPY);
	assert_int_equal(p.recs[4].path, SVM_PAGEMAP_PATH_IOVA);
	assert_int_equal(p.recs[5].event, SVM_PAGEMAP_EV_MIGRATE_END);
	assert_int_equal(p.recs[5].path, SVM_PAGEMAP_PATH_LOCAL);
	free(p.recs);

	/* a name outside the vocabulary is an error that lists the names */
	parse_text(STAGEP(1, map, sideways, 20), false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_MALFORMED);
	assert_string_equal(p.msg, "line 1: svm_pagemap:svm_stage_end field path='sideways' is not "
			    "one of iova, page, peer, local or none");
}

static void test_skipped_lines(void **state)
{
	struct parsed p;

	(void)state;
	parse_text("# ========\n# captured on    : Sat Nov 21 07:26:13 2026\n\n"
		   "         swapper       0 [001]   104.61: sched:sched_switch: prev_comm=swapper/1"
		   " prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=svmbench next_pid=154\n"
		   "\tffffffff8110a2b5 __schedule+0x4c5 ([kernel.kallsyms])\n"
		   "\t    7f322c907000 main+0x10 (/usr/bin/svmbench)\n"
		   HDR " svm_pagemap:svm_future_event: id=1 shiny=1\n"
		   STAGE(1, 0, 10), false, &p);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.info.other_events, 1);
	assert_int_equal(p.info.unknown_svm_events, 1);
	assert_int_equal(p.info.other_lines, 5);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.info.lines, 8);
	free(p.recs);
}

static void test_malformed(void **state)
{
	static const char missing[] = STAGE(1, 0, 10)
		HDR "svm_pagemap:svm_stage_end: id=1 device=0 stage=1 direction=0 trigger=1 path=none"
		" npages=16 bytes=65536\n"
		STAGE(1, 2, 30);
	struct parsed p;

	(void)state;
	parse_text(missing, false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_MALFORMED);
	assert_string_equal(p.msg, "line 2: svm_pagemap:svm_stage_end has no field 'duration_ns' (truncated line?)");
	assert_null(p.recs);
	assert_int_equal(p.info.first_bad_line, 2);

	parse_text(missing, true, &p);	/* --partial */
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.info.malformed, 1);
	assert_string_equal(p.msg, "1 malformed lines skipped, the first at line 2");
	free(p.recs);

	parse_text(STAGE(1, 0, 12x), false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_MALFORMED);
	assert_string_equal(p.msg, "line 1: svm_pagemap:svm_stage_end field duration_ns='12x' is not a valid value");

	parse_text(STAGE(1, 0, -5), false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_MALFORMED);

	parse_text(STAGE(1, 4294967296, 5), false, &p);	/* stage is a u32 */
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_MALFORMED);

	/* a line that is not an event, after good ones */
	parse_text(STAGE(1, 0, 10) "        svmbench     154/154     [0\n", false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_MALFORMED);
	assert_string_equal(p.msg, "line 2 is not a perf script event line (no SYSTEM:EVENT: column)");

	/* the text cut in the middle of a value: perf ends every line with '\n' */
	parse_text(STAGE(1, 0, 10) HDR "     svm_pagemap:svm_stage_end: id=1 device=0 stage=1"
		   " direction=0 trigger=1 npages=16 bytes=65536 duration_ns=12", false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_MALFORMED);
	assert_string_equal(p.msg, "line 2 is cut short (no newline at the end of the text)");
	parse_text(STAGE(1, 0, 10) HDR "     svm_pagemap:svm_stage_end: id=1 device=0 stage=1"
		   " direction=0 trigger=1 npages=16 bytes=65536 duration_ns=12", true, &p);
	assert_int_equal(p.ret, 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.info.malformed, 1);
	free(p.recs);
}

static void test_not_perf_script(void **state)
{
	static const char perf_data[] = "PERFILE2\x68\0\0\0\0\0\0\0";
	static const char binary[] = "abc\0def\n";
	struct parsed p;
	FILE *f;

	(void)state;
	f = fmemopen((void *)perf_data, sizeof(perf_data) - 1, "r");
	parse_file(f, false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT);
	assert_non_null(strstr(p.msg, "perf.data"));

	parse_text("SVMTREC", false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT);
	assert_non_null(strstr(p.msg, "without --perf-script"));

	f = fmemopen((void *)binary, sizeof(binary) - 1, "r");
	parse_file(f, true, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT);
	assert_string_equal(p.msg, "line 1 holds binary data: not the text perf script prints");

	parse_text("hello world\n", true, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT);
	assert_non_null(strstr(p.msg, "line 1 is not a perf script event line"));

	parse_text("# only a header\n\n", false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT);
	assert_string_equal(p.msg, "no perf script event lines in 2 lines: is it the text 'perf script' prints?");

	f = fopen("/dev/null", "r");
	assert_non_null(f);
	parse_file(f, false, &p);
	assert_int_equal(p.ret, SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT);
	assert_string_equal(p.msg, "empty: no perf script output");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_records),
		cmocka_unit_test(test_fixture_histograms),
		cmocka_unit_test(test_fixture_contend_per_process),
		cmocka_unit_test(test_fixture_other_events),
		cmocka_unit_test(test_header_variants),
		cmocka_unit_test(test_path_from_events),
		cmocka_unit_test(test_skipped_lines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_perf_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
