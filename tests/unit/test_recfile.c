// SPDX-License-Identifier: GPL-2.0
/*
 * The svmtrace record file format (docs/record-format.md): a write/read
 * round trip, FILE.tmp and rename, and every way a file can be bad:
 * truncated in the header, the records or the trailer, never finished,
 * empty, not a file, foreign magic, a newer version, trailing bytes; and a
 * later version-1 file with a longer header and longer records still reads.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "svmtrace_recfile.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/svmtrace-recfile-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/run.svmrec", dir);
	return 0;
}

static int teardown(void **state)
{
	char tmp[160];

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(path);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static void make_record(uint64_t i, struct svmtrace_record *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_ns = 1000000000ull + i * 12345;
	r->id = i / 7 + 1;
	r->start = 0x7f0000000000ull + i * 4096;
	r->npages = 64;
	r->bytes = 64 * 4096;
	r->duration_ns = 1000 + (i * 7919) % 100000 + (i == 3 ? 1ull << 40 : 0);
	r->event = i % 7 == 6 ? SVM_PAGEMAP_EV_MIGRATE_END : SVM_PAGEMAP_EV_STAGE_END;
	r->pid = 4242;
	r->device = i % 2;
	r->stage = i % 7 == 6 ? SVMTRACE_STAGE_TOTAL : i % 6;
	r->direction = i % 4;
	r->trigger = i % 3;
	r->path = i % 5 == 4 ? SVMTRACE_PATH_NONE : i % 4;
	r->result = i % 11 == 10 ? -16 : 0;
	r->cgroup = 0x1000 + i % 3;
}

/* Write @n records with @lost lost; the counters are i * 3. */
static void write_file(uint64_t n, uint64_t lost)
{
	uint64_t counters[SVMTRACE_CNT_MAX], i;
	struct svmtrace_recfile_writer w;
	struct svmtrace_recfile_info info;
	struct svmtrace_record r;

	for (i = 0; i < SVMTRACE_CNT_MAX; i++)
		counters[i] = i * 3;
	svmtrace_recfile_info_init(&info);
	info.stage = 2;
	info.pid = 77;
	info.flags = SVMTRACE_RECFILE_RAW_TP;
	snprintf(info.kernel_release, sizeof(info.kernel_release), "7.2.12+deb13-amd64");
	assert_int_equal(svmtrace_recfile_create(&w, path, &info), 0);
	for (i = 0; i < n; i++) {
		make_record(i, &r);
		assert_int_equal(svmtrace_recfile_write(&w, &r), 0);
	}
	assert_int_equal(svmtrace_recfile_finish(&w, lost, counters), 0);
}

static int read_file(const char *p, struct svmtrace_recfile_info *info,
		     struct svmtrace_record **recs, char *msg)
{
	return svmtrace_recfile_read(p, info, recs, msg, 256);
}

static void truncate_to(off_t size)
{
	assert_int_equal(truncate(path, size), 0);
}

static void test_round_trip(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs, want;
	char msg[256], tmp[160];
	struct stat st;
	uint64_t i;

	(void)state;
	write_file(1000, 7);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(stat(tmp, &st), 0);	/* renamed away */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, SVMTRACE_RECFILE_HEADER_SIZE + 1000 * SVMTRACE_RECFILE_RECORD_SIZE +
			 SVMTRACE_RECFILE_TRAILER_SIZE + 8 * SVMTRACE_CNT_MAX);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_OK);
	assert_int_equal(info.version, SVMTRACE_RECFILE_VERSION);
	assert_int_equal(info.record_count, 1000);
	assert_int_equal(info.lost, 7);
	assert_int_equal(info.stage, 2);
	assert_int_equal(info.pid, 77);
	assert_int_equal(info.device, SVMTRACE_ALL);
	assert_true(info.flags & SVMTRACE_RECFILE_COMPLETE);
	assert_true(info.flags & SVMTRACE_RECFILE_RAW_TP);
	assert_string_equal(info.kernel_release, "7.2.12+deb13-amd64");
	assert_true(info.start_monotonic_ns > 0);
	assert_true(info.end_monotonic_ns >= info.start_monotonic_ns);
	assert_true(info.start_realtime_ns > 1500000000ull * 1000000000ull);
	for (i = 0; i < SVMTRACE_CNT_MAX; i++)
		assert_int_equal(info.counters[i], i * 3);
	for (i = 0; i < 1000; i++) {
		make_record(i, &want);
		assert_memory_equal(&recs[i], &want, sizeof(want));
	}
	assert_int_equal(recs[10].result, -16);
	assert_int_equal(recs[3].duration_ns, 1000 + 3 * 7919 + (1ull << 40));
	free(recs);
}

static void test_empty_recording(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs;
	char msg[256];

	(void)state;
	write_file(0, 0);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_OK);
	assert_int_equal(info.record_count, 0);
	free(recs);
}

static void test_little_endian(void **state)
{
	struct svmtrace_record r = { .ts_ns = 0x0102030405060708ull, .result = -2 };
	uint8_t buf[SVMTRACE_RECFILE_RECORD_SIZE];

	(void)state;
	svmtrace_record_encode(&r, buf);
	assert_int_equal(buf[0], 0x08);
	assert_int_equal(buf[7], 0x01);
	assert_int_equal(buf[76], 0xfe);
	assert_int_equal(buf[79], 0xff);
}

static void test_truncated_records(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs, want;
	char msg[256];

	(void)state;
	write_file(100, 0);
	truncate_to(SVMTRACE_RECFILE_HEADER_SIZE + 50 * SVMTRACE_RECFILE_RECORD_SIZE + 33);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_TRUNCATED);
	assert_non_null(strstr(msg, "promises 100 records, 50 whole records readable"));
	assert_int_equal(info.readable, 50);
	make_record(49, &want);
	assert_memory_equal(&recs[49], &want, sizeof(want));
	free(recs);
}

static void test_truncated_trailer(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs;
	char msg[256];

	(void)state;
	write_file(100, 0);
	truncate_to(SVMTRACE_RECFILE_HEADER_SIZE + 100 * SVMTRACE_RECFILE_RECORD_SIZE + 20);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_TRUNCATED);
	assert_non_null(strstr(msg, "trailer"));
	assert_int_equal(info.readable, 100);
	free(recs);
	/* The counters are cut: the sizes no longer add up. */
	write_file(100, 0);
	truncate_to(SVMTRACE_RECFILE_HEADER_SIZE + 100 * SVMTRACE_RECFILE_RECORD_SIZE +
		    SVMTRACE_RECFILE_TRAILER_SIZE + 8);
	assert_int_not_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_OK);
}

static void test_truncated_header(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs;
	char msg[256];

	(void)state;
	write_file(10, 0);
	truncate_to(100);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_TRUNCATED);
	assert_non_null(strstr(msg, "inside the header"));
	assert_null(recs);
	truncate_to(12);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_TRUNCATED);
}

static void test_unfinished(void **state)
{
	struct svmtrace_recfile_writer w;
	struct svmtrace_recfile_info info;
	struct svmtrace_record r, *recs;
	char msg[256];
	struct stat st;
	uint64_t i;

	(void)state;
	svmtrace_recfile_info_init(&info);
	assert_int_equal(svmtrace_recfile_create(&w, path, &info), 0);
	/* the header is on disk before any record: 0 records readable */
	assert_int_equal(read_file(w.tmp, &info, &recs, msg), SVMTRACE_RECFILE_ERR_TRUNCATED);
	assert_int_equal(info.readable, 0);
	free(recs);
	for (i = 0; i < 10; i++) {
		make_record(i, &r);
		assert_int_equal(svmtrace_recfile_write(&w, &r), 0);
	}
	assert_int_equal(svmtrace_recfile_flush(&w), 0);
	assert_int_not_equal(stat(path, &st), 0);	/* nothing under the final name */
	assert_int_equal(read_file(w.tmp, &info, &recs, msg), SVMTRACE_RECFILE_ERR_TRUNCATED);
	assert_non_null(strstr(msg, "never finished"));
	assert_non_null(strstr(msg, "10 whole records readable"));
	assert_int_equal(info.readable, 10);
	free(recs);
	svmtrace_recfile_abort(&w);
	assert_int_not_equal(stat(path, &st), 0);
}

static void write_bytes(const char *p, const void *buf, size_t len)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void test_bad_files(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs;
	char msg[256], missing[160];

	(void)state;
	write_bytes(path, "", 0);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_EMPTY);
	write_bytes(path, "hello, this is not a recording at all\n", 38);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_MAGIC);
	assert_non_null(strstr(msg, "not an svmtrace recording"));
	write_bytes(path, "SVM", 3);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_MAGIC);
	assert_int_equal(read_file(dir, &info, &recs, msg), SVMTRACE_RECFILE_ERR_NOT_FILE);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	assert_int_equal(read_file(missing, &info, &recs, msg), SVMTRACE_RECFILE_ERR_IO);
	assert_non_null(strstr(msg, "No such file"));
}

/* Patch @len bytes at @off of the file. */
static void patch(off_t off, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, off), (ssize_t)len);
	close(fd);
}

static void test_newer_version(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs;
	uint8_t v2[2] = { 2, 0 };
	char msg[256];

	(void)state;
	write_file(5, 0);
	patch(8, v2, 2);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_VERSION);
	assert_non_null(strstr(msg, "format version 2 is newer"));
}

static void test_corrupt(void **state)
{
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs;
	uint8_t zero[4] = {}, garbage[3] = { 1, 2, 3 };
	struct stat st;
	char msg[256];

	(void)state;
	write_file(5, 0);
	patch(12, zero, 4);	/* record size 0 */
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_CORRUPT);
	write_file(5, 0);
	assert_int_equal(stat(path, &st), 0);
	patch(st.st_size, garbage, 3);	/* bytes after the trailer */
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_CORRUPT);
	write_file(5, 0);
	patch(SVMTRACE_RECFILE_HEADER_SIZE + 5 * SVMTRACE_RECFILE_RECORD_SIZE, "XXXX", 4);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_CORRUPT);
}

/*
 * A record size no version writes is refused before anything is allocated
 * for it: 4 GiB per record once made report allocate that much.
 */
static void test_absurd_record_size(void **state)
{
	static const uint32_t sizes[] = { 0xfffffff0u, SVMTRACE_RECFILE_RECORD_SIZE_MAX + 1 };
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t le[4] = { sizes[i], sizes[i] >> 8, sizes[i] >> 16, sizes[i] >> 24 };
		char want[128];

		write_file(0, 0);
		patch(12, le, 4);
		assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_ERR_CORRUPT);
		assert_null(recs);
		snprintf(want, sizeof(want), "corrupt header: record size %u is more than any version "
			 "writes (%u)", sizes[i], SVMTRACE_RECFILE_RECORD_SIZE_MAX);
		assert_string_equal(msg, want);
	}
}

/* A later writer may grow the header and the records within version 1. */
static void test_longer_header_and_records(void **state)
{
	enum { N = 3, EXTRA_HDR = 40, EXTRA_REC = 16 };
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs, want;
	uint8_t *in, *out, *p;
	size_t trailer, i;
	struct stat st;
	char msg[256];
	FILE *f;

	(void)state;
	write_file(N, 2);
	assert_int_equal(stat(path, &st), 0);
	in = malloc(st.st_size);
	f = fopen(path, "rb");
	assert_int_equal(fread(in, 1, st.st_size, f), (size_t)st.st_size);
	fclose(f);
	trailer = st.st_size - SVMTRACE_RECFILE_HEADER_SIZE - N * SVMTRACE_RECFILE_RECORD_SIZE;
	out = calloc(1, st.st_size + EXTRA_HDR + N * EXTRA_REC);
	p = out;
	memcpy(p, in, SVMTRACE_RECFILE_HEADER_SIZE);
	p[10] = SVMTRACE_RECFILE_HEADER_SIZE + EXTRA_HDR;	/* header_size, u16 LE */
	p[12] = SVMTRACE_RECFILE_RECORD_SIZE + EXTRA_REC;	/* record_size, u32 LE */
	p += SVMTRACE_RECFILE_HEADER_SIZE + EXTRA_HDR;
	for (i = 0; i < N; i++) {
		memcpy(p, in + SVMTRACE_RECFILE_HEADER_SIZE + i * SVMTRACE_RECFILE_RECORD_SIZE,
		       SVMTRACE_RECFILE_RECORD_SIZE);
		memset(p + SVMTRACE_RECFILE_RECORD_SIZE, 0xab, EXTRA_REC);
		p += SVMTRACE_RECFILE_RECORD_SIZE + EXTRA_REC;
	}
	memcpy(p, in + st.st_size - trailer, trailer);
	p += trailer;
	write_bytes(path, out, p - out);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_OK);
	assert_int_equal(info.record_count, N);
	assert_int_equal(info.lost, 2);
	for (i = 0; i < N; i++) {
		make_record(i, &want);
		assert_memory_equal(&recs[i], &want, sizeof(want));
	}
	free(recs);
	free(in);
	free(out);
}

/* A file of the first layout (80-byte records, before the cgroup id) reads,
 * with cgroup 0 and svmtrace_recfile_has_cgroup() false. */
static void test_first_layout_records(void **state)
{
	enum { N = 4, OLD = SVMTRACE_RECFILE_RECORD_SIZE_V1 };
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs, want;
	uint8_t *in, *out, *p;
	size_t trailer, i;
	struct stat st;
	char msg[256];
	FILE *f;

	(void)state;
	write_file(N, 0);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_OK);
	assert_true(svmtrace_recfile_has_cgroup(&info));
	free(recs);
	assert_int_equal(stat(path, &st), 0);
	in = malloc(st.st_size);
	f = fopen(path, "rb");
	assert_int_equal(fread(in, 1, st.st_size, f), (size_t)st.st_size);
	fclose(f);
	trailer = st.st_size - SVMTRACE_RECFILE_HEADER_SIZE - N * SVMTRACE_RECFILE_RECORD_SIZE;
	out = calloc(1, st.st_size);
	p = out;
	memcpy(p, in, SVMTRACE_RECFILE_HEADER_SIZE);
	p[12] = OLD;	/* record_size, u32 LE */
	p += SVMTRACE_RECFILE_HEADER_SIZE;
	for (i = 0; i < N; i++) {
		memcpy(p, in + SVMTRACE_RECFILE_HEADER_SIZE + i * SVMTRACE_RECFILE_RECORD_SIZE, OLD);
		p += OLD;
	}
	memcpy(p, in + st.st_size - trailer, trailer);
	p += trailer;
	write_bytes(path, out, p - out);
	assert_int_equal(read_file(path, &info, &recs, msg), SVMTRACE_RECFILE_OK);
	assert_int_equal(info.record_size, OLD);
	assert_false(svmtrace_recfile_has_cgroup(&info));
	for (i = 0; i < N; i++) {
		make_record(i, &want);
		want.cgroup = 0;
		assert_memory_equal(&recs[i], &want, sizeof(want));
	}
	free(recs);
	free(in);
	free(out);
}

static void test_unwritable(void **state)
{
	struct svmtrace_recfile_writer w;
	struct svmtrace_recfile_info info;

	(void)state;
	svmtrace_recfile_info_init(&info);
	assert_int_not_equal(svmtrace_recfile_create(&w, "/nonexistent/dir/x.svmrec", &info), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_recording, setup, teardown),
		cmocka_unit_test(test_little_endian),
		cmocka_unit_test_setup_teardown(test_truncated_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_trailer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfinished, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absurd_record_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_longer_header_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_layout_records, setup, teardown),
		cmocka_unit_test(test_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
