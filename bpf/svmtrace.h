/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the svmtrace BPF programs and the svmtrace CLI: fixed-width
 * types only, no kernel or libc headers.
 */
#ifndef SVMTRACE_H
#define SVMTRACE_H

/* Events counted by the in-kernel aggregation, one slot each. */
enum svmtrace_event {
	SVMTRACE_EV_IOCTL,
	SVMTRACE_EV_MAX,
};

#endif /* SVMTRACE_H */
