/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear histogram buckets, shared by the BPF programs (which fill them)
 * and svmtrace (which reads percentiles from them).
 *
 * Values below 2^SUB_BITS get a bucket each.  Above, every power of two is
 * split into 2^SUB_BITS equal buckets, so a bucket is at most 1/32 of its
 * lower bound wide: a percentile read at a bucket's midpoint is within 1.6%
 * of the exact value, and within 3.2% at worst.  Values of 2^(MAX_LOG2+1)
 * and above (about 73 minutes in ns) land in the last bucket.
 *
 * The includer provides __u64 and __u32 (vmlinux.h or <linux/types.h>).
 */
#ifndef SVMTRACE_HIST_H
#define SVMTRACE_HIST_H

#define SVMTRACE_HIST_SUB_BITS	5
#define SVMTRACE_HIST_SUB	(1u << SVMTRACE_HIST_SUB_BITS)
#define SVMTRACE_HIST_MAX_LOG2	41
#define SVMTRACE_HIST_BUCKETS	((SVMTRACE_HIST_MAX_LOG2 - SVMTRACE_HIST_SUB_BITS + 2) * SVMTRACE_HIST_SUB)

/* floor(log2(v)) for v > 0, branch-light so the BPF verifier sees no loop. */
static inline __u32 svmtrace_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xFFFFFFFFull) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFFull) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFFull) << 3; v >>= shift; r |= shift;
	shift = (v > 0xFull) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3ull) << 1; v >>= shift; r |= shift;
	r |= (__u32)(v >> 1);
	return r;
}

static inline __u32 svmtrace_hist_index(__u64 v)
{
	__u32 l;

	if (v < SVMTRACE_HIST_SUB)
		return (__u32)v;
	l = svmtrace_log2(v);
	if (l > SVMTRACE_HIST_MAX_LOG2)
		return SVMTRACE_HIST_BUCKETS - 1;
	return (l - SVMTRACE_HIST_SUB_BITS + 1) * SVMTRACE_HIST_SUB +
	       (__u32)((v >> (l - SVMTRACE_HIST_SUB_BITS)) - SVMTRACE_HIST_SUB);
}

/* Smallest value that lands in bucket @idx. */
static inline __u64 svmtrace_hist_lower(__u32 idx)
{
	__u32 group = idx / SVMTRACE_HIST_SUB, sub = idx % SVMTRACE_HIST_SUB;

	if (!group)
		return idx;
	return (__u64)(SVMTRACE_HIST_SUB + sub) << (group - 1);
}

/* Number of distinct values bucket @idx covers. */
static inline __u64 svmtrace_hist_width(__u32 idx)
{
	__u32 group = idx / SVMTRACE_HIST_SUB;

	return group ? 1ull << (group - 1) : 1;
}

#endif /* SVMTRACE_HIST_H */
