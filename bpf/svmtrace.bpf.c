// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace in-kernel aggregation.  Every program comes as a tp_btf program
 * (typed arguments checked against the module's BTF) and a raw_tp twin for
 * kernels or builds without module BTF; user space autoloads one of the two.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "svmtrace.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SVMTRACE_EV_MAX);
	__type(key, u32);
	__type(value, u64);
} svmtrace_event_counts SEC(".maps");

static __always_inline void svmtrace_count(u32 event)
{
	u64 *slot = bpf_map_lookup_elem(&svmtrace_event_counts, &event);

	if (slot)
		*slot += 1;
}

SEC("tp_btf/svm_ioctl")
int BPF_PROG(svm_ioctl_btf, u32 device, u32 cmd, s32 result)
{
	svmtrace_count(SVMTRACE_EV_IOCTL);
	return 0;
}

SEC("raw_tp/svm_ioctl")
int BPF_PROG(svm_ioctl_raw, u32 device, u32 cmd, s32 result)
{
	svmtrace_count(SVMTRACE_EV_IOCTL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
