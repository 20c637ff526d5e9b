# SPDX-License-Identifier: GPL-2.0
# A real dkms add/build/install/remove of svm_pagemap against the guest
# kernel's headers, natively in the guest root filesystem, in seconds (the
# guest suite install_dkms does it in the booted guest under TCG and also
# loads the result, in minutes).  The root
# filesystem is seen through an overlay on a scratch directory, so nothing
# dkms writes (/usr/src, /var/lib/dkms, /lib/modules) outlives the test.

if [ "$(tests/vm/image.sh status)" != valid ] || [ ! -f build/guest/rootfs/.svmtrace-stamp ]; then
	t_skip "dkms install of svm-pagemap" "no unpacked guest image yet (make image builds it)"
	return 0 2>/dev/null || exit 0
fi
kver=$(tests/vm/image.sh kver)
ver=$(cat VERSION)
pkg=svm-pagemap
scratch=$(mktemp -d "$T_REPO/build/scratch/dkms.XXXXXX" 2>/dev/null || mktemp -d)
out=$scratch/dkms.out

# The overlay and the chroot's own mounts live in one private mount
# namespace: they vanish with it, even if the test is killed.
unshare --mount --propagation private -- bash -c '
	set -u
	scratch=$1 repo=$2 kver=$3 ver=$4 pkg=$5
	. "$repo/tests/vm/lib.sh"
	mkdir -p "$scratch/upper" "$scratch/work" "$scratch/root"
	mount -t overlay overlay -o "lowerdir=$repo/build/guest/rootfs,upperdir=$scratch/upper,workdir=$scratch/work" \
		"$scratch/root" || exit 90
	svm_chroot "$scratch/root" bash -c "
		step() { echo \"== \$*\"; \"\$@\"; echo \"rc=\$?\"; }
		cd $repo
		echo \"== before\"; modinfo -k $kver -n svm_pagemap 2>&1
		step make --no-print-directory install-dkms
		step dkms add $pkg/$ver
		step dkms build $pkg/$ver -k $kver
		step dkms install $pkg/$ver -k $kver --force-version-override
		echo \"== status\"; dkms status $pkg/$ver
		echo \"== modinfo\"; modinfo -k $kver -n svm_pagemap
		echo \"== vermagic\"; modinfo -k $kver -F vermagic svm_pagemap
		echo \"== params\"; modinfo -k $kver -F parm svm_pagemap | cut -d: -f1 | sort | tr \"\\n\" \" \"; echo
		step dkms remove $pkg/$ver --all
		echo \"== after remove\"; dkms status $pkg; modinfo -k $kver -n svm_pagemap
		step make --no-print-directory uninstall-dkms
		echo \"== src left\"; ls -d /usr/src/$pkg-$ver 2>/dev/null
		echo \"== end\"
	"
' kmod-dkms "$scratch" "$T_REPO" "$kver" "$ver" "$pkg" >"$out" 2>&1
rc=$?

# section NAME: the lines printed after "== NAME"
section() { awk -v s="== $1" '$0 == s || index($0, s " ") == 1 { on = 1; next } /^== / { on = 0 } on' "$out"; }
if [ $rc = 90 ]; then
	t_skip "dkms install of svm-pagemap" "cannot mount an overlay here: $(tail -n 2 "$out" | tr '\n' ' ')"
else
	for s in "make --no-print-directory install-dkms" "dkms add $pkg/$ver" \
		"dkms build $pkg/$ver -k $kver" "dkms install $pkg/$ver -k $kver --force-version-override" \
		"dkms remove $pkg/$ver --all" "make --no-print-directory uninstall-dkms"; do
		r=$(section "$s" | sed -n 's/^rc=//p')
		if [ "$r" = 0 ]; then
			t_pass "$s"
		else
			t_fail "$s" "exit '$r': $(section "$s" | tail -n 6 | tr '\n' ' ')"
		fi
	done
	kre=$(sed 's/[.+]/\\&/g' <<<"$kver")
	t_grep "dkms status says installed for $kver" "^$pkg/$ver, $kre, x86_64: installed" "$(section status)"
	t_grep "modprobe would find the dkms module in updates/dkms" \
		"^/lib/modules/$kre/updates/dkms/svm_pagemap\.ko" "$(section modinfo)"
	t_grep "the dkms module's vermagic is the guest kernel's" "^$kre " "$(section vermagic)"
	# every parameter the sources declare, fail_<point>_<kind> included
	want=$({ grep -ho 'module_param\(_named\|_cb\)\?([a-z_0-9]*,' kmod/*.c | sed 's/.*(//; s/,$//'
		sed -n 's/^SVM_INJECT_PARAM(\([a-z]*\), \([a-z]*\),.*/fail_\1_\2/p' kmod/*.c; } |
		sort -u | tr '\n' ' ')
	t_eq "the dkms module has every module parameter" "$want" "$(section params)"
	# the harness's own module (make kmod) when there was one, else nothing
	t_eq "after dkms remove modprobe finds what it found before dkms" \
		"$(section before)" "$(section 'after remove')"
	t_eq "no /usr/src/$pkg-$ver is left" "" "$(section 'src left')"
	t_grep "the dkms run went to its end" . "$(grep -c '^== end' "$out" | grep -v '^0$')"
fi
rm -rf "$scratch"
