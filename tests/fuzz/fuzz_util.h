/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the fuzz targets.  The readers under test take a path
 * (they stat the file and seek in it, as they would on a real recording),
 * so each input goes into one memfd per process and is handed over as
 * /proc/self/fd/N: no file is left behind when a run is killed.
 */
#ifndef SVMTRACE_FUZZ_UTIL_H
#define SVMTRACE_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The path of a regular file holding exactly @data. */
static inline const char *fuzz_input_path(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("svmtrace-fuzz", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("writing the fuzz input");
		abort();
	}
	return path;
}

/* @data as a NUL-terminated string (malloc'ed); an inner NUL ends it early. */
static inline char *fuzz_input_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* SVMTRACE_FUZZ_UTIL_H */
