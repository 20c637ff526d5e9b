#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own source checkers (checkpatch.pl with its data files,
# kernel-doc), taken from Debian's linux-source package of the guest's
# trixie-backports kernel.  They are not in any headers package and are not
# vendored here: the package is downloaded once with the host's apt (a
# private sources list naming only the mirror of tests/vm/lib.sh, private
# lists and cache), the few files are extracted from its tarball and kept in
# the cache ($SVMTRACE_CACHE, default ~/.cache/svmtrace) with a stamp; the
# 160 MB package itself is not kept.
#
#   kscripts.sh dir     print the directory holding scripts/checkpatch.pl,
#                       scripts/kernel-doc, ...; fetch it first if needed.
#                       Exits 2 with the reason on stderr when it cannot.
#   kscripts.sh clean   forget the cached files

set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Members of linux-source-X.Y/ that are kept (kernel-doc is a Python
# script under tools/ in 7.x, scripts/kernel-doc a link to it).
MEMBERS=(
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	scripts/kernel-doc
	tools/docs/kernel-doc
	'tools/lib/python/*'
)

unavailable() {
	printf '%s\n' "$*" >&2
	exit 2
}

# The upstream version of the guest's backports kernel, e.g. 7.2.12: from
# the unpacked image, else from the cached image's stamp.
kernel_version() {
	local stamp kver
	for stamp in "$SVM_BUILD/guest/rootfs/.svmtrace-stamp" "$SVM_CACHE"/rootfs-*.stamp; do
		[ -f "$stamp" ] || continue
		kver=$(sed -n 's/^KVER_BACKPORTS=//p' "$stamp")
		[ -n "$kver" ] && { echo "${kver%%[+-]*}"; return; }
	done
	return 1
}

fetch() {
	local upstream=$1 series=${1%.*} dest=$2 mirror tmp apt pkg ver deb
	mirror=$(svm_mirror 2>/dev/null) || unavailable "no Debian mirror in the host's apt sources (set SVMTRACE_MIRROR)"
	command -v apt-get >/dev/null || unavailable "no apt-get on the host"
	mkdir -p "$SVM_CACHE"
	tmp=$(mktemp -d "$SVM_CACHE/.kscripts-XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	mkdir -p "$tmp/out"
	svm_private_apt "$tmp" "$mirror" trixie-backports
	apt=("${SVM_APT[@]}")
	apt-get "${apt[@]}" -q --error-on=any update >"$tmp/apt.log" 2>&1 ||
		unavailable "apt-get update of trixie-backports from $mirror failed: $(tail -n 1 "$tmp/apt.log")"
	pkg=linux-source-$series
	# The version of the guest's kernel if the mirror still has it, else
	# the newest of the series (old backports versions vanish).
	ver=$(apt-cache "${apt[@]}" madison "$pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		awk -v u="$upstream" 'index($0, u "-") == 1 { print; exit }')
	[ -n "$ver" ] || ver=$(apt-cache "${apt[@]}" madison "$pkg" 2>/dev/null |
		awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -V | tail -n 1)
	[ -n "$ver" ] || unavailable "$pkg is not in trixie-backports on $mirror"
	(cd "$tmp" && apt-get "${apt[@]}" -q download "$pkg=$ver") >>"$tmp/apt.log" 2>&1 ||
		unavailable "downloading $pkg $ver failed: $(tail -n 1 "$tmp/apt.log")"
	deb=$(ls "$tmp"/"$pkg"_*.deb)
	local list=() m
	for m in "${MEMBERS[@]}"; do
		list+=("$pkg/$m")
	done
	# Stream the source tarball out of the package; only the members land.
	dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$pkg.tar.xz" | xz -dc |
		tar -xf - -C "$tmp/out" --strip-components=1 --wildcards "${list[@]}" ||
		unavailable "extracting the checkers from $pkg $ver failed"
	[ -f "$tmp/out/scripts/checkpatch.pl" ] && [ -e "$tmp/out/scripts/kernel-doc" ] ||
		unavailable "$pkg $ver lacks scripts/checkpatch.pl or scripts/kernel-doc"
	echo "$pkg $ver" >"$tmp/out/.stamp"
	rm -rf "$dest"
	mv "$tmp/out" "$dest"
	rm -rf "$tmp"
	trap - EXIT
	svm_log "kernel checkers of $pkg $ver cached in $dest"
}

case "${1:-}" in
dir)
	upstream=$(kernel_version) || unavailable "no guest image yet, so no kernel version to match (run 'make image')"
	dest=$SVM_CACHE/kscripts-$upstream
	[ -f "$dest/.stamp" ] || fetch "$upstream" "$dest"
	echo "$dest"
	;;
clean)
	rm -rf "$SVM_CACHE"/kscripts-*
	;;
*)
	svm_die "usage: $0 dir|clean"
	;;
esac
