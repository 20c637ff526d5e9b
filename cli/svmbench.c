// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench: workload driver for svm_pagemap.
 *
 * Scenario "info" issues SVM_PAGEMAP_IOC_INFO N times on one device: the
 * smallest action with a known event count, used to cross-check svmtrace,
 * perf and the module against each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <uapi/svm_pagemap.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: svmbench SCENARIO [-d DEVICE] [-n COUNT]\n"
		"\n"
		"Scenarios:\n"
		"  info    query the device N times (one svm_ioctl event each)\n"
		"\n"
		"  -d DEVICE  software device index (default 0)\n"
		"  -n COUNT   iterations (default 1)\n");
}

static int parse_count(const char *s, const char *what, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || !*s || s[0] == '-' || *out > max) {
		fprintf(stderr, "svmbench: invalid %s '%s' (0-%lu)\n", what, s, max);
		return -1;
	}
	return 0;
}

static int scenario_info(int fd, unsigned long count)
{
	struct svm_pagemap_info info;
	unsigned long i;

	for (i = 0; i < count; i++) {
		memset(&info, 0, sizeof(info));
		if (ioctl(fd, SVM_PAGEMAP_IOC_INFO, &info)) {
			fprintf(stderr, "svmbench: SVM_PAGEMAP_IOC_INFO: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("info: %lu queries, device %llu of %llu, %llu pages (%llu free), abi %llu\n",
	       count, (unsigned long long)info.device_id, (unsigned long long)info.ndevices,
	       (unsigned long long)info.total_pages, (unsigned long long)info.free_pages,
	       (unsigned long long)info.abi_version);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long device = 0, count = 1;
	char path[64];
	int opt, fd, ret;

	if (argc < 2 || argv[1][0] == '-') {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	optind = 2;
	while ((opt = getopt(argc, argv, "d:n:h")) != -1) {
		switch (opt) {
		case 'd':
			if (parse_count(optarg, "device", 255, &device))
				return 2;
			break;
		case 'n':
			if (parse_count(optarg, "count", 1UL << 40, &count))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(argv[1], "info")) {
		fprintf(stderr, "svmbench: unknown scenario '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}

	snprintf(path, sizeof(path), "/dev/" SVM_PAGEMAP_DEV_PREFIX "%lu", device);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "svmbench: cannot open %s: %s%s\n", path, strerror(errno),
			errno == ENOENT ? " (is svm_pagemap loaded?)" : "");
		return 1;
	}
	ret = scenario_info(fd, count);
	close(fd);
	return ret;
}
