# SPDX-License-Identifier: GPL-2.0
# A real dkms install of svm_pagemap: make install-dkms lays the sources in
# /usr/src, dkms adds them, builds the module against this kernel's headers
# and installs it into updates/dkms; modprobe loads that file and its
# tracepoints fire; then dkms removes it and the harness's module is loaded
# again as it was.
#
# The dkms build is real and takes about 6 minutes under TCG on a quiet
# 2-core host (354 s measured; 1199 s on a loaded one), so it runs in
# make test-long only, in the plain leg (its default legs): the build and the
# install do not depend on the IOMMU, and the host's kmod_dkms test builds
# the same dkms package natively in make test.
#
# Bent for TCG, and only this: depmod over all of the kernel's ~4000
# compressed modules takes many minutes in the guest, so dkms runs with
# --no-depmod and modprobe finds the dkms-installed module through an index
# of its own (depmod -b / modprobe -d over a tree holding that one file);
# the system's modules.dep is never touched.  dkms takes the harness's
# module (updates/svm_pagemap.ko, built from the same sources, hence
# --force-version-override) aside as the "original module" and puts it back
# on remove; a copy beside it on the root filesystem covers a killed run.
# suite-timeout: 1800

kver=$(uname -r)
ver=$(cat "$T_REPO/VERSION")
pkg=svm-pagemap
W=$(mktemp -d /tmp/install-dkms.XXXXXX)
dkms_dir=/lib/modules/$kver/updates/dkms
harness_ko=/lib/modules/$kver/updates/svm_pagemap.ko
aside=$harness_ko.dkms-test-copy	# a name depmod ignores
index=$W/root	# a module tree holding only the dkms-installed module
modparams=$(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
# bounded so that cleanup always runs within the suite's time
build_timeout=${DKMS_BUILD_TIMEOUT:-1500}

if ! command -v dkms >/dev/null; then
	t_skip "dkms install of svm-pagemap" "dkms is not installed in the guest image"
	return 0 2>/dev/null || exit 0
fi
# What an interrupted earlier run may have left on the guest's root filesystem.
[ -f "$aside" ] && [ ! -f "$harness_ko" ] && mv "$aside" "$harness_ko"
for left in "/usr/src/$pkg-$ver" "/var/lib/dkms/$pkg" "$dkms_dir"/svm_pagemap.ko* "$aside"; do
	[ -e "$left" ] || continue
	echo "install_dkms: removing $left left by an interrupted run"
	rm -rf "$left"
done
cp "$harness_ko" "$aside"

# dkms keeps its tree and build directory in /var/lib/dkms: a tmpfs keeps
# the build off 9p and guarantees nothing stays behind there.
mounted_tmpfs=0
if mount -t tmpfs -o size=256m dkms-test /var/lib/dkms; then
	mounted_tmpfs=1
fi

cleanup() {
	rmmod svm_pagemap 2>/dev/null
	dkms remove "$pkg/$ver" --all --no-depmod >/dev/null 2>&1
	rm -rf "/usr/src/$pkg-$ver" "$dkms_dir"/svm_pagemap.ko*
	rmdir "$dkms_dir" 2>/dev/null
	if [ -f "$harness_ko" ]; then rm -f "$aside"; else mv "$aside" "$harness_ko"; fi
	[ $mounted_tmpfs = 1 ] && umount /var/lib/dkms
	# shellcheck disable=SC2086
	[ -d /sys/module/svm_pagemap ] || modprobe svm_pagemap $modparams
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

t_run "make install-dkms lays the sources in /usr/src" make -C "$T_REPO" --no-print-directory install-dkms
t_run "dkms add $pkg/$ver" dkms add "$pkg/$ver"

start=$(date +%s)
if timeout "$build_timeout" dkms build "$pkg/$ver" -k "$kver" >"$W/build.out" 2>&1; then
	t_pass "dkms build $pkg/$ver -k $kver"
else
	rc=$?
	t_fail "dkms build $pkg/$ver -k $kver" "exit $rc$([ $rc = 124 ] && echo " (over $build_timeout s)"): $(tail -n 5 "$W/build.out" | tr '\n' ' '); make.log: $(tail -n 5 "/var/lib/dkms/$pkg/$ver/build/make.log" 2>/dev/null | tr '\n' ' ')"
fi
echo "dkms build took $(($(date +%s) - start)) s"
t_run "dkms install $pkg/$ver -k $kver" \
	dkms install "$pkg/$ver" -k "$kver" --no-depmod --force-version-override
kre=$(sed 's/[.+]/\\&/g' <<<"$kver")	# uname -r has '.' and '+'
t_grep "dkms status says installed" "^$pkg/$ver, $kre, x86_64: installed" "$(dkms status "$pkg/$ver" 2>&1)"
# dkms compresses the module as the kernel's own are (.ko.xz on Debian)
dkms_ko=$(ls "$dkms_dir"/svm_pagemap.ko* 2>/dev/null | head -n 1)
if [ -n "$dkms_ko" ]; then
	t_pass "dkms installed the module in updates/dkms ($(basename "$dkms_ko"))"
else
	t_fail "dkms installed the module in updates/dkms" \
		"$(ls -l "/lib/modules/$kver/updates" "$dkms_dir" 2>&1 | tr '\n' ' ')"
fi
t_eq "the dkms-built module is for this kernel" "$kver" "$(modinfo -F vermagic "$dkms_ko" 2>&1 | cut -d' ' -f1)"

mkdir -p "$index/lib/modules/$kver/updates/dkms"
cp "$dkms_ko" "$index/lib/modules/$kver/updates/dkms/"
cp /lib/modules/"$kver"/modules.builtin* /lib/modules/"$kver"/modules.order "$index/lib/modules/$kver/" 2>/dev/null
t_run "depmod indexes the dkms-installed module" depmod -b "$index" "$kver"
t_eq "modinfo finds svm_pagemap in updates/dkms" "$index/lib/modules/$kver/updates/dkms/$(basename "$dkms_ko")" \
	"$(modinfo -b "$index" -k "$kver" -n svm_pagemap 2>&1)"

t_run "rmmod the harness's svm_pagemap" rmmod svm_pagemap
# shellcheck disable=SC2086
t_run "modprobe svm_pagemap loads the dkms-built module" modprobe -d "$index" svm_pagemap $modparams
t_eq "svm_pagemap is loaded" 1 "$(ls -d /sys/module/svm_pagemap 2>/dev/null | wc -l)"
out=$(perf stat -x, -e svm_pagemap:svm_migrate_end -- "$SVMBENCH" -s 64K -n 1 roundtrip 2>&1 >/dev/null)
t_eq "the dkms module's svm_migrate_end fires twice for one round trip" 2 \
	"$(awk -F, '$3 == "svm_pagemap:svm_migrate_end" { print $1 }' <<<"$out")"

t_run "rmmod the dkms-built svm_pagemap" rmmod svm_pagemap
t_run "dkms remove $pkg/$ver --all" dkms remove "$pkg/$ver" --all --no-depmod
t_eq "dkms remove takes the module out of updates/dkms" "" "$(ls "$dkms_dir"/svm_pagemap.ko* 2>/dev/null)"
t_eq "dkms remove puts the harness's module back" "$harness_ko" "$(ls "$harness_ko" 2>/dev/null)"
t_eq "dkms status no longer lists $pkg" "" "$(dkms status "$pkg" 2>/dev/null)"
t_run "make uninstall-dkms removes the /usr/src tree" make -C "$T_REPO" --no-print-directory uninstall-dkms
t_eq "no /usr/src/$pkg-$ver is left" "" "$(ls -d "/usr/src/$pkg-$ver" 2>/dev/null)"

trap - EXIT TERM INT
cleanup
t_eq "the harness's module is what modprobe finds again" "/lib/modules/$kver/updates/svm_pagemap.ko" \
	"$(modinfo -n svm_pagemap 2>&1)"
t_eq "the harness's module is loaded again" 1 "$(ls -d /sys/module/svm_pagemap 2>/dev/null | wc -l)"
