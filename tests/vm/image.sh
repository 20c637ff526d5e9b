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
#
# The cache holds rootfs-<key>.tar.zst and its stamp; <key> hashes the
# package list and this recipe.  A stamp without its tarball, a tarball of the
# wrong size, or one that fails to unpack is treated as missing.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

KEY=$(svm_image_key)
TARBALL=$SVM_CACHE/rootfs-$KEY.tar.zst
STAMP=$SVM_CACHE/rootfs-$KEY.stamp
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
	local mirror tmp root pkgs bp612 bpabi
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

	local lists=$root/var/lib/apt/lists
	local abi_re='[0-9]+[.][0-9]+([.][0-9]+)?([+](deb|bpo)[0-9]*|-[0-9]+)'
	cat "$lists"/*_dists_trixie-backports_main_binary-amd64_Packages >"$tmp/backports.list"
	cat "$lists"/*_dists_trixie_main_binary-amd64_Packages \
		"$lists"/*_dists_trixie-updates_main_binary-amd64_Packages >"$tmp/trixie.list" 2>/dev/null || true
	bpabi=$(newest_kernel "$tmp/backports.list" "$abi_re") ||
		svm_die "trixie-backports has no kernel version with both linux-image and linux-headers for amd64"
	bp612=$(newest_kernel "$tmp/trixie.list" '6[.]12([.][0-9]+)?([+](deb|bpo)[0-9]*|-[0-9]+)') ||
		svm_die "trixie has no 6.12 kernel with both linux-image and linux-headers for amd64"
	set -- $bpabi
	local kabi_bp=$1
	set -- $bp612
	local kabi_612=$1
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
		return
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
rebuild)
	rm -f "$STAMP" "$TARBALL"
	ensure
	;;
*) svm_die "usage: $0 ensure|kver|rebuild|status" ;;
esac
