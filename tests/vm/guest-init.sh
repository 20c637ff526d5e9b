#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the svmtrace guest.  Mounts the pseudo filesystems, installs and
# loads the module built for this kernel, runs the command the host left in
# build/guest/runs/<id>/cmd.sh as root from the repository, records its exit
# status next to it and powers the guest off.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=${TERM:-dumb}

repo=$(dirname "$(dirname "$(dirname "$(readlink -f "$0")")")")
run= profile=plain load=1
mount -t proc proc /proc
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	svmtrace.run=*) run=${arg#svmtrace.run=} ;;
	svmtrace.profile=*) profile=${arg#svmtrace.profile=} ;;
	svmtrace.load=*) load=${arg#svmtrace.load=} ;;
	esac
done
mount -t sysfs sysfs /sys
# Fresh tmpfs for /tmp and /run (tmux and others need sockets there, which
# 9p cannot hold).  The initramfs already mounted the repository at its
# host path, which may lie below them (CI clones may): move it aside and
# back over the new tmpfs.
keep=
case "$repo/" in /tmp/* | /run/*)
	keep=/mnt/.svmtrace-repo
	mkdir -p "$keep"
	mount --move "$repo" "$keep"
	;;
esac
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
if [ -n "$keep" ]; then
	mkdir -p "$repo"
	mount --move "$keep" "$repo"
fi
# devtmpfs lacks what udev would add; bash's <(...) needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname svmguest
ip link set lo up 2>/dev/null
ulimit -l unlimited

rundir=$repo/build/guest/runs/$run
finish() {
	echo "$1" >"$rundir/status"
	sync
	echo "SVMTRACE-GUEST-EXIT $1"
	echo o >/proc/sysrq-trigger
	sleep 60
}

if [ -z "$run" ] || [ ! -f "$rundir/cmd.sh" ]; then
	echo "svmtrace-guest: no command for run '$run'"
	finish 125
fi

echo "svmtrace-guest: kernel $(uname -r), profile $profile, up $(cut -d" " -f1 /proc/uptime)s"

if [ "$load" = 1 ]; then
	kver=$(uname -r)
	ko=$repo/build/kmod/$kver/svm_pagemap.ko
	if [ ! -f "$ko" ]; then
		echo "svmtrace-guest: $ko is missing: build it with 'make kmod'"
		finish 125
	fi
	# make kmod installed it in the image and ran depmod there (natively:
	# depmod over 9p under TCG takes minutes); check it is this build.
	if ! cmp -s "$ko" "/lib/modules/$kver/updates/svm_pagemap.ko"; then
		echo "svmtrace-guest: the installed svm_pagemap.ko is not $ko: run 'make kmod'"
		finish 125
	fi
	params=$(cat "$rundir/modparams" 2>/dev/null)
	# shellcheck disable=SC2086
	if ! modprobe svm_pagemap $params; then
		echo "svmtrace-guest: modprobe svm_pagemap $params failed"
		grep -qx 'CONFIG_DEVICE_PRIVATE=y' "/boot/config-$kver" ||
			echo "svmtrace-guest: $kver is built without CONFIG_DEVICE_PRIVATE; run with LOAD=0 (run.sh -n) to boot it without the module"
		dmesg | tail -n 20
		finish 125
	fi
fi

cd "$repo" || finish 125
export SVMTRACE_GUEST=1 SVMTRACE_PROFILE=$profile SVMTRACE_RUNDIR=$rundir
bash "$rundir/cmd.sh" </dev/null
finish $?
