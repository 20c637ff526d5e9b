// SPDX-License-Identifier: GPL-2.0
/*
 * Writing and reading svmtrace record files (docs/record-format.md).
 *
 * The writer streams the header (record count 0, not complete), then the
 * records, then the trailer; it then rewrites the header with the final
 * count and the complete flag, syncs, and renames FILE.tmp to FILE.  The
 * reader trusts nothing: every size is checked against the file's length
 * before anything is read, and a short file is reported with how many whole
 * records it still holds.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "svmtrace_recfile.h"

/* Header field offsets (version 1). */
enum {
	HDR_MAGIC = 0,
	HDR_VERSION = 8,	/* u16 */
	HDR_HEADER_SIZE = 10,	/* u16 */
	HDR_RECORD_SIZE = 12,	/* u32 */
	HDR_FLAGS = 16,		/* u32 */
	HDR_STAGE = 20,		/* u32 */
	HDR_RECORD_COUNT = 24,	/* u64 */
	HDR_START_REALTIME = 32,
	HDR_START_MONOTONIC = 40,
	HDR_START_BOOTTIME = 48,
	HDR_PID = 56,		/* u32 */
	HDR_DEVICE = 60,	/* u32 */
	HDR_DIRECTION = 64,	/* u32 */
	HDR_RESERVED = 68,	/* u32, zero */
	HDR_CGROUP = 72,	/* u64 */
	HDR_KERNEL_RELEASE = 80,	/* 64 bytes, NUL-padded */
	/* 144..159 reserved, zero */
};

/* Trailer field offsets. */
enum {
	TRL_MAGIC = 0,
	TRL_SIZE = 8,		/* u32: bytes of the trailer with its counters */
	TRL_NCOUNTERS = 12,	/* u32 */
	TRL_RECORD_COUNT = 16,
	TRL_LOST = 24,
	TRL_END_REALTIME = 32,
	TRL_END_MONOTONIC = 40,
	TRL_COUNTERS = 48,	/* u64 each */
};

static void put16(uint8_t *p, uint16_t v) { v = htole16(v); memcpy(p, &v, sizeof(v)); }
static void put32(uint8_t *p, uint32_t v) { v = htole32(v); memcpy(p, &v, sizeof(v)); }
static void put64(uint8_t *p, uint64_t v) { v = htole64(v); memcpy(p, &v, sizeof(v)); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, sizeof(v)); return le16toh(v); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, sizeof(v)); return le32toh(v); }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, sizeof(v)); return le64toh(v); }

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void svmtrace_record_encode(const struct svmtrace_record *r, uint8_t buf[SVMTRACE_RECFILE_RECORD_SIZE])
{
	put64(buf + 0, r->ts_ns);
	put64(buf + 8, r->id);
	put64(buf + 16, r->start);
	put64(buf + 24, r->npages);
	put64(buf + 32, r->bytes);
	put64(buf + 40, r->duration_ns);
	put32(buf + 48, r->event);
	put32(buf + 52, r->pid);
	put32(buf + 56, r->device);
	put32(buf + 60, r->stage);
	put32(buf + 64, r->direction);
	put32(buf + 68, r->trigger);
	put32(buf + 72, r->path);
	put32(buf + 76, (uint32_t)r->result);
	put64(buf + 80, r->cgroup);
}

/* @size: the file's record size; fields past it (an older file) read 0. */
void svmtrace_record_decode(const uint8_t *buf, uint32_t size, struct svmtrace_record *r)
{
	r->ts_ns = get64(buf + 0);
	r->id = get64(buf + 8);
	r->start = get64(buf + 16);
	r->npages = get64(buf + 24);
	r->bytes = get64(buf + 32);
	r->duration_ns = get64(buf + 40);
	r->event = get32(buf + 48);
	r->pid = get32(buf + 52);
	r->device = get32(buf + 56);
	r->stage = get32(buf + 60);
	r->direction = get32(buf + 64);
	r->trigger = get32(buf + 68);
	r->path = get32(buf + 72);
	r->result = (int32_t)get32(buf + 76);
	r->cgroup = size >= 88 ? get64(buf + 80) : 0;
}

/* Records of the first 80-byte layout carry no cgroup id. */
bool svmtrace_recfile_has_cgroup(const struct svmtrace_recfile_info *info)
{
	return info->record_size >= 88;
}

static void encode_header(const struct svmtrace_recfile_info *info, uint64_t count,
			  uint8_t buf[SVMTRACE_RECFILE_HEADER_SIZE])
{
	memset(buf, 0, SVMTRACE_RECFILE_HEADER_SIZE);
	memcpy(buf + HDR_MAGIC, SVMTRACE_RECFILE_MAGIC, 8);
	put16(buf + HDR_VERSION, SVMTRACE_RECFILE_VERSION);
	put16(buf + HDR_HEADER_SIZE, SVMTRACE_RECFILE_HEADER_SIZE);
	put32(buf + HDR_RECORD_SIZE, SVMTRACE_RECFILE_RECORD_SIZE);
	put32(buf + HDR_FLAGS, info->flags);
	put32(buf + HDR_STAGE, info->stage);
	put64(buf + HDR_RECORD_COUNT, count);
	put64(buf + HDR_START_REALTIME, info->start_realtime_ns);
	put64(buf + HDR_START_MONOTONIC, info->start_monotonic_ns);
	put64(buf + HDR_START_BOOTTIME, info->start_boottime_ns);
	put32(buf + HDR_PID, info->pid);
	put32(buf + HDR_DEVICE, info->device);
	put32(buf + HDR_DIRECTION, info->direction);
	put64(buf + HDR_CGROUP, info->cgroup);
	memcpy(buf + HDR_KERNEL_RELEASE, info->kernel_release, strnlen(info->kernel_release, 63));
}

void svmtrace_recfile_info_init(struct svmtrace_recfile_info *info)
{
	struct utsname u;

	memset(info, 0, sizeof(*info));
	info->version = SVMTRACE_RECFILE_VERSION;
	info->header_size = SVMTRACE_RECFILE_HEADER_SIZE;
	info->record_size = SVMTRACE_RECFILE_RECORD_SIZE;
	info->stage = SVMTRACE_ALL;
	info->device = SVMTRACE_ALL;
	info->direction = SVMTRACE_ALL;
	if (!uname(&u))
		memcpy(info->kernel_release, u.release,
		       strnlen(u.release, sizeof(info->kernel_release) - 1));
	info->start_realtime_ns = clock_ns(CLOCK_REALTIME);
	info->start_monotonic_ns = clock_ns(CLOCK_MONOTONIC);
	info->start_boottime_ns = clock_ns(CLOCK_BOOTTIME);
}

/* Open @path.tmp and write the provisional header; 0 or a negative errno. */
int svmtrace_recfile_create(struct svmtrace_recfile_writer *w, const char *path,
			    const struct svmtrace_recfile_info *info)
{
	uint8_t hdr[SVMTRACE_RECFILE_HEADER_SIZE];
	int fd, err;

	memset(w, 0, sizeof(*w));
	w->info = *info;
	w->info.flags &= ~SVMTRACE_RECFILE_COMPLETE;
	w->path = strdup(path);
	if (!w->path || asprintf(&w->tmp, "%s.tmp", path) < 0) {
		free(w->path);
		w->path = NULL;
		w->tmp = NULL;
		return -ENOMEM;
	}
	fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	w->f = fdopen(fd, "w");
	if (!w->f) {
		err = -errno;
		close(fd);
		unlink(w->tmp);
		goto fail;
	}
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	encode_header(&w->info, 0, hdr);
	/* On disk at once: a killed recorder leaves a .tmp that says what it is. */
	if (fwrite(hdr, sizeof(hdr), 1, w->f) != 1 || fflush(w->f)) {
		err = -errno;
		svmtrace_recfile_abort(w);
		return err ? err : -EIO;
	}
	return 0;
fail:
	free(w->path);
	free(w->tmp);
	w->path = w->tmp = NULL;
	return err;
}

int svmtrace_recfile_write(struct svmtrace_recfile_writer *w, const struct svmtrace_record *r)
{
	uint8_t buf[SVMTRACE_RECFILE_RECORD_SIZE];

	svmtrace_record_encode(r, buf);
	if (fwrite(buf, sizeof(buf), 1, w->f) != 1)
		return errno ? -errno : -EIO;
	w->count++;
	return 0;
}

/* Push buffered records to the file, so a killed recorder loses little. */
int svmtrace_recfile_flush(struct svmtrace_recfile_writer *w)
{
	return fflush(w->f) ? (errno ? -errno : -EIO) : 0;
}

/* Trailer, final header, fsync, rename; the writer is released either way. */
int svmtrace_recfile_finish(struct svmtrace_recfile_writer *w, uint64_t lost,
			    const uint64_t counters[SVMTRACE_CNT_MAX])
{
	uint8_t trl[SVMTRACE_RECFILE_TRAILER_SIZE + 8 * SVMTRACE_CNT_MAX];
	uint8_t hdr[SVMTRACE_RECFILE_HEADER_SIZE];
	unsigned int i;
	int err = 0;

	memset(trl, 0, sizeof(trl));
	memcpy(trl + TRL_MAGIC, SVMTRACE_RECFILE_END_MAGIC, 8);
	put32(trl + TRL_SIZE, sizeof(trl));
	put32(trl + TRL_NCOUNTERS, SVMTRACE_CNT_MAX);
	put64(trl + TRL_RECORD_COUNT, w->count);
	put64(trl + TRL_LOST, lost);
	put64(trl + TRL_END_REALTIME, clock_ns(CLOCK_REALTIME));
	put64(trl + TRL_END_MONOTONIC, clock_ns(CLOCK_MONOTONIC));
	for (i = 0; i < SVMTRACE_CNT_MAX; i++)
		put64(trl + TRL_COUNTERS + 8 * i, counters ? counters[i] : 0);
	w->info.flags |= SVMTRACE_RECFILE_COMPLETE;
	encode_header(&w->info, w->count, hdr);
	errno = 0;
	if (fwrite(trl, sizeof(trl), 1, w->f) != 1 || fflush(w->f) ||
	    fseek(w->f, 0, SEEK_SET) || fwrite(hdr, sizeof(hdr), 1, w->f) != 1 ||
	    fflush(w->f) || fsync(fileno(w->f)))
		err = errno ? -errno : -EIO;
	if (fclose(w->f) && !err)
		err = errno ? -errno : -EIO;
	w->f = NULL;
	if (!err && rename(w->tmp, w->path))
		err = -errno;
	if (err)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	w->path = w->tmp = NULL;
	return err;
}

/* Drop the recording: FILE.tmp is removed, FILE is never touched. */
void svmtrace_recfile_abort(struct svmtrace_recfile_writer *w)
{
	if (w->f)
		fclose(w->f);
	if (w->tmp)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	w->f = NULL;
	w->path = w->tmp = NULL;
}

__attribute__((format(printf, 4, 5)))
static int fail(int code, char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (msg && msglen)
		vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return code;
}

/* Read @n records of @size bytes each from @f into @out. */
static int read_records(FILE *f, uint64_t n, uint32_t size, struct svmtrace_record *out)
{
	uint8_t *buf = malloc(size);
	uint64_t i;

	if (!buf)
		return -1;
	for (i = 0; i < n; i++) {
		if (fread(buf, size, 1, f) != 1) {
			free(buf);
			return -1;
		}
		/* A later version's longer record starts with version 1's fields. */
		svmtrace_record_decode(buf, size, &out[i]);
	}
	free(buf);
	return 0;
}

/*
 * Read the recording at @path.  Returns SVMTRACE_RECFILE_OK with every
 * record in *@records (malloc'ed, info->record_count of them), or an
 * svmtrace_recfile_error with a sentence in @msg.  For
 * SVMTRACE_RECFILE_ERR_TRUNCATED, *@records holds the info->readable whole
 * records the file still has, for a caller that wants them anyway.
 */
int svmtrace_recfile_read(const char *path, struct svmtrace_recfile_info *info,
			  struct svmtrace_record **records, char *msg, size_t msglen)
{
	uint8_t hdr[SVMTRACE_RECFILE_HEADER_SIZE], trl[SVMTRACE_RECFILE_TRAILER_SIZE];
	uint64_t size, body, count, readable, trailer_at;
	uint32_t trailer_size, ncounters, i;
	struct svmtrace_record *recs = NULL;
	int ret = SVMTRACE_RECFILE_OK;
	struct stat st;
	FILE *f;

	memset(info, 0, sizeof(*info));
	*records = NULL;
	f = fopen(path, "rb");
	if (!f)
		return fail(SVMTRACE_RECFILE_ERR_IO, msg, msglen, "cannot open: %s", strerror(errno));
	if (fstat(fileno(f), &st)) {
		ret = fail(SVMTRACE_RECFILE_ERR_IO, msg, msglen, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = fail(SVMTRACE_RECFILE_ERR_NOT_FILE, msg, msglen,
			   "not a regular file: give the FILE written by 'svmtrace record -o FILE'");
		goto out;
	}
	size = st.st_size;
	if (!size) {
		ret = fail(SVMTRACE_RECFILE_ERR_EMPTY, msg, msglen,
			   "empty file (0 bytes): not an svmtrace recording");
		goto out;
	}
	if (size < 8 || fread(hdr, 8, 1, f) != 1 || memcmp(hdr, SVMTRACE_RECFILE_MAGIC, 8)) {
		ret = fail(SVMTRACE_RECFILE_ERR_MAGIC, msg, msglen,
			   "not an svmtrace recording (no '%s' magic at the start)",
			   SVMTRACE_RECFILE_MAGIC);
		goto out;
	}
	if (size < 16 || fread(hdr + 8, 8, 1, f) != 1) {
		ret = fail(SVMTRACE_RECFILE_ERR_TRUNCATED, msg, msglen,
			   "truncated inside the header (%llu bytes): 0 records readable",
			   (unsigned long long)size);
		goto out;
	}
	info->version = get16(hdr + HDR_VERSION);
	info->header_size = get16(hdr + HDR_HEADER_SIZE);
	info->record_size = get32(hdr + HDR_RECORD_SIZE);
	if (info->version > SVMTRACE_RECFILE_VERSION) {
		ret = fail(SVMTRACE_RECFILE_ERR_VERSION, msg, msglen,
			   "format version %u is newer than this svmtrace reads (up to %u): "
			   "use a newer svmtrace", info->version, SVMTRACE_RECFILE_VERSION);
		goto out;
	}
	if (!info->version || info->header_size < SVMTRACE_RECFILE_HEADER_SIZE ||
	    info->record_size < SVMTRACE_RECFILE_RECORD_SIZE_V1) {
		ret = fail(SVMTRACE_RECFILE_ERR_CORRUPT, msg, msglen,
			   "corrupt header: version %u, header size %u, record size %u",
			   info->version, info->header_size, info->record_size);
		goto out;
	}
	if (info->record_size > SVMTRACE_RECFILE_RECORD_SIZE_MAX) {
		ret = fail(SVMTRACE_RECFILE_ERR_CORRUPT, msg, msglen,
			   "corrupt header: record size %u is more than any version writes (%u)",
			   info->record_size, SVMTRACE_RECFILE_RECORD_SIZE_MAX);
		goto out;
	}
	if (size < info->header_size) {
		ret = fail(SVMTRACE_RECFILE_ERR_TRUNCATED, msg, msglen,
			   "truncated inside the header (%llu of %u bytes): 0 records readable",
			   (unsigned long long)size, info->header_size);
		goto out;
	}
	if (fread(hdr + 16, sizeof(hdr) - 16, 1, f) != 1) {
		ret = fail(SVMTRACE_RECFILE_ERR_IO, msg, msglen, "cannot read the header");
		goto out;
	}
	info->flags = get32(hdr + HDR_FLAGS);
	info->stage = get32(hdr + HDR_STAGE);
	info->start_realtime_ns = get64(hdr + HDR_START_REALTIME);
	info->start_monotonic_ns = get64(hdr + HDR_START_MONOTONIC);
	info->start_boottime_ns = get64(hdr + HDR_START_BOOTTIME);
	info->pid = get32(hdr + HDR_PID);
	info->device = get32(hdr + HDR_DEVICE);
	info->direction = get32(hdr + HDR_DIRECTION);
	info->cgroup = get64(hdr + HDR_CGROUP);
	memcpy(info->kernel_release, hdr + HDR_KERNEL_RELEASE, 63);
	count = get64(hdr + HDR_RECORD_COUNT);
	body = size - info->header_size;
	readable = body / info->record_size;
	if (!(info->flags & SVMTRACE_RECFILE_COMPLETE)) {
		info->readable = readable;
		ret = fail(SVMTRACE_RECFILE_ERR_TRUNCATED, msg, msglen,
			   "incomplete: the recording was never finished (svmtrace record killed, "
			   "or a .tmp file): %llu whole records readable", (unsigned long long)readable);
		goto records;
	}
	if (count > body / info->record_size) {
		info->readable = readable;
		ret = fail(SVMTRACE_RECFILE_ERR_TRUNCATED, msg, msglen,
			   "truncated: the header promises %llu records, %llu whole records readable "
			   "(file is %llu bytes)", (unsigned long long)count,
			   (unsigned long long)readable, (unsigned long long)size);
		goto records;
	}
	trailer_at = info->header_size + count * info->record_size;
	if (size - trailer_at < SVMTRACE_RECFILE_TRAILER_SIZE) {
		info->readable = count;
		readable = count;
		ret = fail(SVMTRACE_RECFILE_ERR_TRUNCATED, msg, msglen,
			   "truncated: the trailer (with the lost count) is missing; all %llu records "
			   "readable", (unsigned long long)count);
		goto records;
	}
	if (fseeko(f, trailer_at, SEEK_SET) || fread(trl, sizeof(trl), 1, f) != 1) {
		ret = fail(SVMTRACE_RECFILE_ERR_IO, msg, msglen, "cannot read the trailer");
		goto out;
	}
	trailer_size = get32(trl + TRL_SIZE);
	ncounters = get32(trl + TRL_NCOUNTERS);
	if (memcmp(trl + TRL_MAGIC, SVMTRACE_RECFILE_END_MAGIC, 8) ||
	    get64(trl + TRL_RECORD_COUNT) != count || trailer_size < SVMTRACE_RECFILE_TRAILER_SIZE ||
	    (trailer_size - SVMTRACE_RECFILE_TRAILER_SIZE) / 8 < ncounters) {
		ret = fail(SVMTRACE_RECFILE_ERR_CORRUPT, msg, msglen,
			   "corrupt: no valid trailer after the %llu records the header names",
			   (unsigned long long)count);
		goto out;
	}
	if (size - trailer_at != trailer_size) {
		ret = fail(SVMTRACE_RECFILE_ERR_CORRUPT, msg, msglen,
			   "corrupt: the file is %llu bytes, header and trailer say %llu",
			   (unsigned long long)size, (unsigned long long)(trailer_at + trailer_size));
		goto out;
	}
	info->lost = get64(trl + TRL_LOST);
	info->end_realtime_ns = get64(trl + TRL_END_REALTIME);
	info->end_monotonic_ns = get64(trl + TRL_END_MONOTONIC);
	for (i = 0; i < ncounters; i++) {
		uint8_t c[8];

		if (fread(c, sizeof(c), 1, f) != 1) {
			ret = fail(SVMTRACE_RECFILE_ERR_IO, msg, msglen, "cannot read the trailer");
			goto out;
		}
		if (i < SVMTRACE_CNT_MAX)
			info->counters[i] = get64(c);
	}
	readable = count;
	info->record_count = count;
	info->readable = count;

records:
	recs = calloc(readable ? readable : 1, sizeof(*recs));
	if (!recs) {
		ret = fail(SVMTRACE_RECFILE_ERR_NOMEM, msg, msglen,
			   "out of memory for %llu records", (unsigned long long)readable);
		goto out;
	}
	if (fseeko(f, info->header_size, SEEK_SET) ||
	    read_records(f, readable, info->record_size, recs)) {
		free(recs);
		ret = fail(SVMTRACE_RECFILE_ERR_IO, msg, msglen, "cannot read the records");
		goto out;
	}
	*records = recs;
out:
	fclose(f);
	return ret;
}
