/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The svmtrace record file (docs/record-format.md): a versioned header,
 * fixed-size little-endian records, and a trailer with the record and lost
 * counts.  Written to FILE.tmp and renamed when complete; a reader tells a
 * truncated, foreign or newer file apart and says how much is readable.
 * Pure file I/O, no libbpf: unit-tested on the host.
 */
#ifndef SVMTRACE_RECFILE_H
#define SVMTRACE_RECFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "svmtrace.h"

#define SVMTRACE_RECFILE_MAGIC		"SVMTREC"	/* 8 bytes with the NUL */
#define SVMTRACE_RECFILE_END_MAGIC	"SVMTEND"
#define SVMTRACE_RECFILE_VERSION	1
#define SVMTRACE_RECFILE_HEADER_SIZE	160
#define SVMTRACE_RECFILE_RECORD_SIZE	88
#define SVMTRACE_RECFILE_RECORD_SIZE_V1	80	/* the first records: no cgroup */
#define SVMTRACE_RECFILE_TRAILER_SIZE	48	/* without the counters */
/*
 * The largest record a reader accepts: later versions may append fields,
 * but a record size beyond this is damage, and refusing it keeps a reader
 * from allocating what a corrupt header asks for.
 */
#define SVMTRACE_RECFILE_RECORD_SIZE_MAX	4096

/* Header flags. */
#define SVMTRACE_RECFILE_COMPLETE	(1u << 0)	/* trailer written, count final */
#define SVMTRACE_RECFILE_RAW_TP		(1u << 1)	/* recorded with the raw_tp programs */
#define SVMTRACE_RECFILE_KERNEL_SOURCE	(1u << 2)	/* recorded from the kernel's functions */

/* What svmtrace_recfile_read() found, besides 0 for a good file. */
enum svmtrace_recfile_error {
	SVMTRACE_RECFILE_OK,
	SVMTRACE_RECFILE_ERR_IO,	/* cannot open or read (errno in the message) */
	SVMTRACE_RECFILE_ERR_NOT_FILE,	/* a directory, device, ... */
	SVMTRACE_RECFILE_ERR_EMPTY,	/* 0 bytes */
	SVMTRACE_RECFILE_ERR_MAGIC,	/* not an svmtrace recording */
	SVMTRACE_RECFILE_ERR_VERSION,	/* newer format than this reader */
	SVMTRACE_RECFILE_ERR_TRUNCATED,	/* records readable: see ->readable */
	SVMTRACE_RECFILE_ERR_CORRUPT,	/* inconsistent sizes or trailer */
	SVMTRACE_RECFILE_ERR_NOMEM,
};

/**
 * struct svmtrace_recfile_info - everything but the records
 * @version: format version of the file
 * @header_size: bytes before the first record
 * @record_size: bytes per record in the file
 * @flags: SVMTRACE_RECFILE_*
 * @stage: stage filter of the recording (SVMTRACE_ALL: every stage)
 * @pid: pid filter (0: all)
 * @device: device filter (SVMTRACE_ALL: all)
 * @direction: direction filter (SVMTRACE_ALL: all)
 * @cgroup: cgroup filter (0: all)
 * @kernel_release: uname -r of the recording machine
 * @start_realtime_ns: CLOCK_REALTIME when recording started
 * @start_monotonic_ns: CLOCK_MONOTONIC then: the clock of the records' ts_ns
 * @start_boottime_ns: CLOCK_BOOTTIME then
 * @end_realtime_ns: CLOCK_REALTIME when it ended (from the trailer)
 * @end_monotonic_ns: CLOCK_MONOTONIC then
 * @record_count: records in the file (trailer), or readable ones if truncated
 * @lost: records the kernel dropped because the ring buffer was full
 * @counters: the kernel's counters at the end (enum svmtrace_counter)
 * @readable: whole records a truncated file still holds
 */
struct svmtrace_recfile_info {
	uint32_t version;
	uint32_t header_size;
	uint32_t record_size;
	uint32_t flags;
	uint32_t stage;
	uint32_t pid;
	uint32_t device;
	uint32_t direction;
	uint64_t cgroup;
	char kernel_release[64];
	uint64_t start_realtime_ns;
	uint64_t start_monotonic_ns;
	uint64_t start_boottime_ns;
	uint64_t end_realtime_ns;
	uint64_t end_monotonic_ns;
	uint64_t record_count;
	uint64_t lost;
	uint64_t counters[SVMTRACE_CNT_MAX];
	uint64_t readable;
};

/**
 * struct svmtrace_recfile_writer - a recording being written
 * @f: the open FILE.tmp
 * @path: the final name
 * @tmp: FILE.tmp
 * @info: the header written, completed by svmtrace_recfile_finish()
 * @count: records written so far
 */
struct svmtrace_recfile_writer {
	FILE *f;
	char *path;
	char *tmp;
	struct svmtrace_recfile_info info;
	uint64_t count;
};

void svmtrace_recfile_info_init(struct svmtrace_recfile_info *info);
int svmtrace_recfile_create(struct svmtrace_recfile_writer *w, const char *path,
			    const struct svmtrace_recfile_info *info);
int svmtrace_recfile_write(struct svmtrace_recfile_writer *w, const struct svmtrace_record *r);
int svmtrace_recfile_flush(struct svmtrace_recfile_writer *w);
int svmtrace_recfile_finish(struct svmtrace_recfile_writer *w, uint64_t lost,
			    const uint64_t counters[SVMTRACE_CNT_MAX]);
void svmtrace_recfile_abort(struct svmtrace_recfile_writer *w);

int svmtrace_recfile_read(const char *path, struct svmtrace_recfile_info *info,
			  struct svmtrace_record **records, char *msg, size_t msglen);

void svmtrace_record_encode(const struct svmtrace_record *r, uint8_t buf[SVMTRACE_RECFILE_RECORD_SIZE]);
void svmtrace_record_decode(const uint8_t *buf, uint32_t size, struct svmtrace_record *r);
bool svmtrace_recfile_has_cgroup(const struct svmtrace_recfile_info *info);

#endif /* SVMTRACE_RECFILE_H */
