#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest root filesystem: a Debian trixie minbase with two kernels (the
# newest trixie-backports image that has matching headers, and trixie's 6.12),
# the guest toolchain and one busybox initramfs per kernel.
#
#   image.sh ensure   make build/guest/rootfs usable, building or restoring it
#                     from the cache (~/.cache/svmtrace, or $SVMTRACE_CACHE)
#   image.sh kver     print the kernel release for $KERNEL
#   image.sh rebuild  drop the cached image and build it again
#   image.sh status   print valid, incomplete or missing for the cache
#   image.sh kernels  compare the cached image's kernels with the newest the
#                     mirror offers: prints "current KVERS" or "stale: ..."
#
# The cache holds rootfs-<key>.tar.zst and its stamp; <key> hashes the
# package list and this recipe, and the stamp records the two kernels chosen
# when it was built.  A stamp without its tarball, a tarball of the wrong
# size, or one that fails to unpack is treated as missing.  A cache whose
# kernels are no longer the newest on the mirror is stale and rebuilt; the
# mirror is asked at most every SVMTRACE_KERNEL_CHECK_HOURS (default 24, 0
# for every run), and a mirror that cannot be reached leaves the cache in use.
# SVMTRACE_KERNEL_LISTS names a directory of apt Packages lists to read
# instead of asking the mirror.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

KEY=$(svm_image_key)
TARBALL=$SVM_CACHE/rootfs-$KEY.tar.zst
STAMP=$SVM_CACHE/rootfs-$KEY.stamp
CHECKED=$SVM_CACHE/rootfs-$KEY.kernels-checked
ROOTFS=$SVM_BUILD/guest/rootfs
LOCAL_STAMP=$ROOTFS/.svmtrace-stamp

# newest_kernel LISTFILE ABI_REGEX: the newest ABI name for which both
# linux-image-<abi>-amd64 and linux-headers-<abi>-amd64 exist in the list, as
# "abi version".  Fails loudly when the two packages' versions differ.
newest_kernel() {
	local list=$1 pattern=$2 abi img hdr
	abi=$(awk -v pat="$pattern" '
		/^Package: / { pkg = $2 }
		/^$/ { pkg = "" }
		/^Version: / && pkg != "" {
			if (match(pkg, "^linux-image-" pat "-amd64$")) img[substr(pkg, 13, length(pkg) - 18)] = $2
			if (match(pkg, "^linux-headers-" pat "-amd64$")) hdr[substr(pkg, 15, length(pkg) - 20)] = $2
		}
		END { for (a in img) if (a in hdr) print a }
	' "$list" | sort -V | tail -n 1)
	[ -n "$abi" ] || return 1
	img=$(pkg_version "$list" "linux-image-$abi-amd64")
	hdr=$(pkg_version "$list" "linux-headers-$abi-amd64")
	[ "$img" = "$hdr" ] ||
		svm_die "linux-image-$abi-amd64 is $img but linux-headers-$abi-amd64 is $hdr in $list"
	echo "$abi $img"
}

# newest_kernels LISTS_DIR SCRATCH: "ABI_BACKPORTS ABI_612" (e.g.
# "7.3.4+deb13 6.12.107+deb13") from the apt Packages lists in LISTS_DIR.
newest_kernels() {
	local lists=$1 tmp=$2 bp t612
	local abi_re='[0-9]+[.][0-9]+([.][0-9]+)?([+](deb|bpo)[0-9]*|-[0-9]+)'
	cat "$lists"/*_dists_trixie-backports_main_binary-amd64_Packages >"$tmp/backports.list" 2>/dev/null
	cat "$lists"/*_dists_trixie_main_binary-amd64_Packages \
		"$lists"/*_dists_trixie-updates_main_binary-amd64_Packages >"$tmp/trixie.list" 2>/dev/null
	bp=$(newest_kernel "$tmp/backports.list" "$abi_re") ||
		svm_die "trixie-backports has no kernel version with both linux-image and linux-headers for amd64"
	t612=$(newest_kernel "$tmp/trixie.list" '6[.]12([.][0-9]+)?([+](deb|bpo)[0-9]*|-[0-9]+)') ||
		svm_die "trixie has no 6.12 kernel with both linux-image and linux-headers for amd64"
	echo "${bp%% *} ${t612%% *}"
}

# mirror_kernels: the newest kernels the mirror offers now, from its package
# lists fetched with the host's apt into a private directory (no host state
# touched), or from $SVMTRACE_KERNEL_LISTS.  Fails quietly when offline.
mirror_kernels() {
	local tmp mirror rc=0
	tmp=$(mktemp -d)
	if [ -n "${SVMTRACE_KERNEL_LISTS:-}" ]; then
		(newest_kernels "$SVMTRACE_KERNEL_LISTS" "$tmp") || rc=1
		rm -rf "$tmp"
		return $rc
	fi
	mirror=$(svm_mirror 2>/dev/null) && command -v apt-get >/dev/null || { rm -rf "$tmp"; return 1; }
	svm_private_apt "$tmp" "$mirror" trixie trixie-updates trixie-backports
	if timeout 300 apt-get "${SVM_APT[@]}" -o APT::Architecture=amd64 -o APT::Architectures=amd64 \
		-q --error-on=any update >"$tmp/apt.log" 2>&1; then
		(newest_kernels "$tmp/lists" "$tmp") || rc=1
	else
		rc=1
	fi
	rm -rf "$tmp"
	return $rc
}

# kernels_current: 0 when the cached image's kernels are the mirror's newest
# (or the mirror cannot be asked); 1, saying which, when they are not.
kernels_current() {
	local bp t612 have_bp have_612
	if ! read -r bp t612 < <(mirror_kernels 2>/dev/null) || [ -z "$t612" ]; then
		echo "unknown: could not read the mirror's kernel lists"
		return 0
	fi
	have_bp=$(sed -n 's/^KVER_BACKPORTS=//p' "$STAMP")
	have_612=$(sed -n 's/^KVER_612=//p' "$STAMP")
	if [ "$have_bp" = "$bp-amd64" ] && [ "$have_612" = "$t612-amd64" ]; then
		echo "current $have_bp $have_612"
		return 0
	fi
	echo "stale: the mirror has $bp-amd64 and $t612-amd64, the cached image $have_bp and $have_612"
	return 1
}

# check_due: whether the mirror should be asked now (a marker's age).
check_due() {
	local hours=${SVMTRACE_KERNEL_CHECK_HOURS:-24}
	[[ $hours =~ ^[0-9]+$ ]] || svm_die "SVMTRACE_KERNEL_CHECK_HOURS='$hours' is not a number of hours"
	[ "$hours" = 0 ] || [ ! -f "$CHECKED" ] || [ "$STAMP" -nt "$CHECKED" ] ||
		[ -n "$(find "$CHECKED" -mmin +$((hours * 60)) 2>/dev/null)" ]
}

pkg_version() {
	awk -v want="$2" '/^Package: / { p = $2 } /^Version: / && p == want { print $2 }' "$1" |
		sort -V | tail -n 1
}

# build_initramfs KVER: a busybox initramfs carrying KVER's 9p modules,
# decompressed, and initramfs-init; rebuilt whenever initramfs-init changes.
build_initramfs() {
	local root=$ROOTFS kver=$1 work out
	out=$SVM_BUILD/guest/initrd-$kver
	[ -s "$out" ] && [ "$out" -nt "$SVM_VMDIR/initramfs-init" ] && [ "$out" -nt "$LOCAL_STAMP" ] && return
	work=$root/tmp/initramfs-$kver
	rm -rf "$work"
	mkdir -p "$work"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$root/bin/busybox" "$work/bin/busybox"
	cp "$SVM_VMDIR/initramfs-init" "$work/init"
	chmod 755 "$work/init"
	: >"$work/modules.order"
	local mod base
	for mod in $(svm_chroot "$root" /bin/sh -c "for m in virtio_pci 9pnet_virtio 9p; do
			modprobe -S $kver --show-depends \$m; done" | awk '$1 == "insmod" { print $2 }'); do
		base=$(basename "$mod")
		case "$base" in
		*.ko.xz) xz -dc "$root$mod" >"$work/lib/modules/${base%.xz}" ;;
		*.ko.zst) zstd -qdc "$root$mod" >"$work/lib/modules/${base%.zst}" ;;
		*.ko.gz) gzip -dc "$root$mod" >"$work/lib/modules/${base%.gz}" ;;
		*) cp "$root$mod" "$work/lib/modules/$base" ;;
		esac
		grep -qx "${base%.ko*}.ko" "$work/modules.order" || echo "${base%.ko*}.ko" >>"$work/modules.order"
	done
	[ -s "$work/modules.order" ] || svm_die "no 9p modules found for $kver"
	svm_chroot "$root" /bin/sh -c "cd /tmp/initramfs-$kver && find . | cpio -o -H newc --quiet | gzip -1" \
		>"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$work"
}

build_image() {
	local mirror tmp root pkgs
	mirror=$(svm_mirror)
	mkdir -p "$SVM_CACHE"
	tmp=$(mktemp -d "$SVM_CACHE/.build-XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	root=$tmp/rootfs
	svm_log "building the guest image (key $KEY) from $mirror: this takes a few minutes once"
	debootstrap --variant=minbase trixie "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$tmp/debootstrap.log" >&2; svm_die "debootstrap failed (log above)"; }
	cat >"$root/etc/apt/sources.list" <<-EOF
		deb $mirror trixie main
		deb $mirror trixie-updates main
		deb $mirror trixie-backports main
	EOF
	echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/90svmtrace"
	# linux-perf and bpftool from backports need backports' elfutils; take
	# all of elfutils from there so its libraries stay one version.
	cat >"$root/etc/apt/preferences.d/svmtrace-elfutils" <<-EOF
		Package: /^(libelf|libdw|libdebuginfod|libasm|elfutils)/
		Pin: release n=trixie-backports
		Pin-Priority: 990
	EOF
	svm_chroot "$root" apt-get -q update >"$tmp/apt.log" 2>&1 ||
		{ tail -n 30 "$tmp/apt.log" >&2; svm_die "apt-get update in the guest root failed"; }

	local kabi_bp kabi_612
	read -r kabi_bp kabi_612 < <(newest_kernels "$root/var/lib/apt/lists" "$tmp")
	[ -n "$kabi_612" ] || exit 1	# newest_kernels said why
	svm_log "kernels: trixie-backports $kabi_bp, trixie $kabi_612"

	pkgs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SVM_VMDIR/packages.txt")
	svm_chroot "$root" apt-get -q -y install \
		"linux-image-$kabi_bp-amd64/trixie-backports" "linux-headers-$kabi_bp-amd64/trixie-backports" \
		"linux-image-$kabi_612-amd64" "linux-headers-$kabi_612-amd64" \
		$pkgs >"$tmp/install.log" 2>&1 ||
		{ tail -n 40 "$tmp/install.log" >&2; svm_die "installing the guest packages failed (see above)"; }

	local kver_bp kver_612
	kver_bp=$(basename "$(ls -d "$root/lib/modules/$kabi_bp-amd64")")
	kver_612=$(basename "$(ls -d "$root/lib/modules/$kabi_612-amd64")")
	[ -e "$root/lib/modules/$kver_bp/build/Makefile" ] || svm_die "headers for $kver_bp missing in the image"
	[ -e "$root/lib/modules/$kver_612/build/Makefile" ] || svm_die "headers for $kver_612 missing in the image"
	svm_chroot "$root" apt-get clean
	rm -rf "$root/var/lib/apt/lists/"*
	echo svmguest >"$root/etc/hostname"

	cat >"$root/.svmtrace-stamp" <<-EOF
		KEY=$KEY
		KVER_BACKPORTS=$kver_bp
		KVER_612=$kver_612
		BUILT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	EOF
	svm_log "packing the image into the cache"
	tar -C "$root" --numeric-owner -cf - . | zstd -q -T0 -3 -o "$tmp/rootfs.tar.zst"
	{ cat "$root/.svmtrace-stamp"; echo "SIZE=$(stat -c %s "$tmp/rootfs.tar.zst")"; } >"$tmp/stamp"

	# Publish atomically: tarball first, stamp last.
	mv "$tmp/rootfs.tar.zst" "$TARBALL"
	mv "$tmp/stamp" "$STAMP"
	rm -rf "$ROOTFS"
	mkdir -p "$(dirname "$ROOTFS")"
	mv "$root" "$ROOTFS"
	cp "$STAMP" "$LOCAL_STAMP"
	rm -rf "$tmp"
	trap - EXIT
	svm_log "guest image ready: $kver_bp and $kver_612"
}

cache_valid() {
	[ -s "$STAMP" ] && [ -f "$TARBALL" ] || return 1
	local want
	want=$(sed -n 's/^SIZE=//p' "$STAMP")
	[ -n "$want" ] && [ "$(stat -c %s "$TARBALL")" = "$want" ]
}

restore_image() {
	svm_log "unpacking the cached guest image into build/guest/rootfs"
	rm -rf "$ROOTFS"
	mkdir -p "$ROOTFS"
	if ! zstd -q -dc "$TARBALL" | tar -C "$ROOTFS" --numeric-owner -xf -; then
		svm_log "the cached image $TARBALL is damaged: rebuilding it"
		rm -rf "$ROOTFS" "$TARBALL" "$STAMP"
		return 1
	fi
	cp "$STAMP" "$LOCAL_STAMP"
}

ensure_rootfs() {
	if ! cache_valid; then
		if [ -e "$STAMP" ] || [ -e "$TARBALL" ]; then
			svm_log "the cached image is incomplete: rebuilding it"
		fi
		rm -f "$STAMP" "$TARBALL"
		build_image
		touch "$CHECKED"
		return
	fi
	if check_due; then
		local verdict
		if ! verdict=$(kernels_current); then
			svm_log "the cached image is $verdict: rebuilding it"
			rm -f "$STAMP" "$TARBALL" "$CHECKED"
			build_image
			touch "$CHECKED"
			return
		fi
		case $verdict in
		unknown*) svm_log "could not ask the mirror for newer kernels; using the cached image" ;;
		*) touch "$CHECKED" ;;
		esac
	fi
	if [ -f "$LOCAL_STAMP" ] && cmp -s "$STAMP" "$LOCAL_STAMP"; then
		return
	fi
	restore_image || build_image
}

ensure() {
	ensure_rootfs
	build_initramfs "$(sed -n 's/^KVER_BACKPORTS=//p' "$LOCAL_STAMP")"
	build_initramfs "$(sed -n 's/^KVER_612=//p' "$LOCAL_STAMP")"
}

kver() {
	[ -f "$LOCAL_STAMP" ] || svm_die "no guest image in build/guest/rootfs: run 'tests/vm/image.sh ensure'"
	local slot
	slot=$(svm_kernel_slot)
	case $slot in
	backports) sed -n 's/^KVER_BACKPORTS=//p' "$LOCAL_STAMP" ;;
	6.12) sed -n 's/^KVER_612=//p' "$LOCAL_STAMP" ;;
	esac
}

# status: what ensure would do with the cache, without doing it.
status() {
	if cache_valid; then
		echo valid
	elif [ -e "$STAMP" ] || [ -e "$TARBALL" ]; then
		echo incomplete
	else
		echo missing
	fi
}

case "${1:-}" in
ensure) ensure ;;
status) status ;;
kver) kver ;;
kernels)
	cache_valid || svm_die "no complete cached image to compare (status: $(status))"
	kernels_current
	;;
rebuild)
	rm -f "$STAMP" "$TARBALL"
	ensure
	;;
*) svm_die "usage: $0 ensure|kver|kernels|rebuild|status" ;;
esac
