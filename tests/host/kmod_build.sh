# SPDX-License-Identifier: GPL-2.0
# The module builds warning-free with W=1 against both guest kernels'
# headers (trixie-backports 7.x: IOVA path; trixie's 6.12: page path only),
# sparse (C=2) finds nothing, and kernel differences stay in the compat
# header.  The builds run in the guest root filesystem (its gcc-14 and
# sparse), under build/kmod-check/<kver>/ so that `make kmod`'s output is
# left alone.

# Kernel differences live in svm_pagemap_compat.h (and the Kbuild probes
# that define SVM_HAVE_*): nothing else looks at versions or features.
stray=$(grep -lE 'LINUX_VERSION_CODE|KERNEL_VERSION|SVM_HAVE_' kmod/*.[ch] | grep -v 'kmod/svm_pagemap_compat.h$')
t_eq "version and feature checks only in svm_pagemap_compat.h" "" "$stray"

# Building the image from scratch takes longer than a host test may run:
# that is left to the guest part of make test (or make image).
if [ "$(tests/vm/image.sh status)" != valid ]; then
	t_skip "module builds against the guest kernels" "no cached guest image yet (make image builds it)"
	return 0 2>/dev/null || exit 0
fi
if ! make --no-print-directory image >"$T_RESULTS.image" 2>&1; then
	t_fail "guest image for the module builds" "make image failed: $(tail -n 3 "$T_RESULTS.image" | tr '\n' ' ')"
	rm -f "$T_RESULTS.image"
	return 0 2>/dev/null || exit 0
fi
rm -f "$T_RESULTS.image"

# kbuild_check KERNEL: W=1 build, then sparse, against KERNEL's headers.
kbuild_check() {
	local kernel=$1 kver dir log n bad shim=
	kver=$(KERNEL=$kernel tests/vm/image.sh kver)
	dir=build/kmod-check/$kver
	log=$dir/build.log
	rm -rf "$dir"
	mkdir -p "$dir/src"
	cp -rp kmod include "$dir/src/"
	if ! tests/vm/chroot.sh make -C "/lib/modules/$kver/build" M="$T_REPO/$dir/src/kmod" W=1 modules \
		>"$log" 2>&1; then
		cat "$log"
		t_fail "W=1 build against $kver" "make failed: $(grep -m 3 -E 'error' "$log" | tr '\n' ' ')"
		return
	fi
	n=$(grep -cE 'warning:|error:' "$log")
	if [ "$n" = 0 ] && [ -s "$dir/src/kmod/svm_pagemap.ko" ]; then
		t_pass "W=1 build against $kver has no warning"
	else
		grep -E 'warning:|error:' "$log"
		t_fail "W=1 build against $kver has no warning" "$n: $(grep -m 3 -E 'warning:|error:' "$log" | tr '\n' ' ')"
	fi

	# sparse.  Kernels since 6.14 need a sparse that knows
	# __typeof_unqual__, which Debian's 0.6.4 does not: there it is read as
	# __typeof__ (qualifiers are kept, address spaces still checked).
	# KBUILD_CHECKSRC is given directly because Debian's headers lack
	# scripts/checker-valid.sh, which C=N consults on 7.x.
	if grep -qs '__typeof_unqual__(x)' \
		"build/guest/rootfs/usr/src/linux-headers-${kver%-amd64}-common/include/linux/compiler_types.h"; then
		printf 'int f(const int *q) { __typeof_unqual__(*q) v = *q; return v; }\n' >"$dir/tu.c"
		if tests/vm/chroot.sh sparse "$T_REPO/$dir/tu.c" 2>&1 | grep -q error; then
			shim=" -D__typeof_unqual__=__typeof__"
		fi
	fi
	log=$dir/sparse.log
	if ! tests/vm/chroot.sh make -C "/lib/modules/$kver/build" M="$T_REPO/$dir/src/kmod" W=1 \
		KBUILD_CHECKSRC=2 CHECK="sparse$shim" modules >"$log" 2>&1; then
		cat "$log"
		t_fail "sparse against $kver" "make failed"
		return
	fi
	if [ "$(grep -c '^  CHECK ' "$log")" = 0 ]; then
		cat "$log"
		t_fail "sparse against $kver ran" "no CHECK line in $log"
		return
	fi
	# sparse 0.6.4 cannot fold __builtin_strlen() in the static_assert of
	# MODULE_INFO (7.x): "bad constant expression" on exactly those lines
	# is the tool's limit, anything else is ours.
	bad=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$log" | while IFS=: read -r file line _ rest; do
		src=$(sed -n "${line}p" "$dir/src/kmod/$(basename "$file")" 2>/dev/null)
		if [[ $rest == *"bad constant expression"* ]] &&
			[[ $src =~ ^(MODULE_[A-Z_]+|module_param[a-z_]*|SVM_INJECT_PARAM)\( ]]; then
			continue
		fi
		echo "$file:$line:$rest"
	done)
	if [ -z "$bad" ]; then
		t_pass "sparse (C=2) against $kver reports nothing${shim:+ (typeof_unqual shim for sparse $(tests/vm/chroot.sh sparse --version))}"
	else
		echo "$bad"
		t_fail "sparse (C=2) against $kver reports nothing" "$(head -n 3 <<<"$bad" | tr '\n' ' ')"
	fi
}

kbuild_check backports
kbuild_check 6.12
