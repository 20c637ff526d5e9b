#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the svmtrace guest under QEMU (TCG), run one command in it as root from
# the repository (shared over 9p at the same path), stream its output and exit
# with its status.
#
#   run.sh [-p plain|iommu] [-t SECONDS] [-n] [-l LOGNAME] -- COMMAND...
#
#   -p  profile: plain (default) or iommu (intel-iommu + QEMU's edu device)
#   -t  host-side timeout in seconds (default $GUEST_TIMEOUT or 900)
#   -n  do not load svm_pagemap before COMMAND
#   -l  name of the console log under build/guest/logs (default: the run id)
#
# KERNEL=6.12 selects trixie's kernel; MODPARAMS are passed to modprobe.
# The image and the module must already be built (make guest-prep does both).
# Exit status: COMMAND's; 124 on timeout; 125 when the guest failed before
# running it.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

profile=${PROFILE:-plain}
timeout_s=${GUEST_TIMEOUT:-900}
load=1
logname=
while getopts "p:t:nl:" opt; do
	case $opt in
	p) profile=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	n) load=0 ;;
	l) logname=$OPTARG ;;
	*) svm_die "usage: $0 [-p plain|iommu] [-t SECONDS] [-n] [-l LOGNAME] -- COMMAND..." ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || svm_die "no command given"
case $profile in
plain | iommu) ;;
*) svm_die "PROFILE='$profile' is not known: use plain or iommu" ;;
esac
[[ $timeout_s =~ ^[0-9]+$ ]] || svm_die "timeout '$timeout_s' is not a number of seconds"

rootfs=$SVM_BUILD/guest/rootfs
kver=$("$SVM_VMDIR/image.sh" kver)
[ -n "$kver" ] || svm_die "no kernel recorded for KERNEL=${KERNEL:-backports} in the image stamp"
vmlinuz=$rootfs/boot/vmlinuz-$kver
initrd=$SVM_BUILD/guest/initrd-$kver
[ -f "$vmlinuz" ] || svm_die "$vmlinuz is missing: run 'make guest-prep'"
[ -f "$initrd" ] || svm_die "$initrd is missing: run 'make guest-prep'"
if [ $load = 1 ] && [ ! -f "$SVM_BUILD/kmod/$kver/svm_pagemap.ko" ]; then
	svm_die "the module for $kver is not built: run 'make kmod KERNEL=${KERNEL:-}'"
fi

run_id=$(date +%Y%m%d-%H%M%S)-$$
rundir=$SVM_BUILD/guest/runs/$run_id
mkdir -p "$rundir" "$SVM_BUILD/guest/logs"
log=$SVM_BUILD/guest/logs/${logname:-$run_id}.log
printf '%s\n' "$*" >"$rundir/cmd.sh"
printf '%s\n' "${MODPARAMS:-}" >"$rundir/modparams"

machine=q35
extra=()
append="console=ttyS0 quiet loglevel=4 panic=-1 oops=panic svmtrace.repo=$SVM_REPO svmtrace.run=$run_id svmtrace.profile=$profile svmtrace.load=$load"
if [ "$profile" = iommu ]; then
	machine=q35,kernel-irqchip=split
	extra=(-device intel-iommu,intremap=on,caching-mode=on -device edu)
	append="$append intel_iommu=on iommu.passthrough=0"
fi

echo "== svmtrace guest: kernel $kver, profile $profile, timeout ${timeout_s}s, log ${log#"$SVM_REPO"/}" >&2
set +e
timeout --foreground -k 10 "$timeout_s" \
	qemu-system-x86_64 -machine "$machine" -accel tcg -cpu max -m "${GUEST_MEM:-2G}" -smp 2 \
	-display none -monitor none -serial stdio -no-reboot \
	-kernel "$vmlinuz" -initrd "$initrd" -append "$append" \
	-virtfs "local,path=$rootfs,mount_tag=root,security_model=passthrough,id=root" \
	-virtfs "local,path=$SVM_REPO,mount_tag=repo,security_model=passthrough,id=repo" \
	"${extra[@]}" </dev/null 2>&1 | tee "$log" | tr -d '\r'
qemu_rc=${PIPESTATUS[0]}
set -e

if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	echo "== svmtrace guest: timed out after ${timeout_s}s; console log: $log" >&2
	exit 124
fi
if [ ! -f "$rundir/status" ]; then
	echo "== svmtrace guest: no exit status reported (QEMU exited $qemu_rc); console log: $log" >&2
	exit 125
fi
status=$(cat "$rundir/status")
rm -rf "$rundir"
if [ "$status" != 0 ]; then
	echo "== svmtrace guest: command exited $status; console log: $log" >&2
fi
exit "$status"
