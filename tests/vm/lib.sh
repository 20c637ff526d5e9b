# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the guest tooling: paths, the cache key, the mirror and a
# private-mount chroot.  Sourced, never executed.

SVM_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SVM_VMDIR=$SVM_REPO/tests/vm
SVM_BUILD=$SVM_REPO/build
SVM_CACHE=${SVMTRACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/svmtrace}

# Bump when the image recipe changes in a way the package list does not show.
SVM_IMAGE_RECIPE=4

svm_log() { printf '[svmtrace] %s\n' "$*" >&2; }
svm_die() { printf '[svmtrace] error: %s\n' "$*" >&2; exit 1; }

# The kernel selection: "backports" (default, newest trixie-backports kernel)
# or "6.12" (trixie's own).  Both live in one root filesystem.
svm_kernel_slot() {
	case "${KERNEL:-}" in
	"" | backports | default) echo backports ;;
	6.12) echo 6.12 ;;
	*) svm_die "KERNEL='$KERNEL' is not known: use KERNEL=6.12 or leave it unset for the trixie-backports kernel" ;;
	esac
}

# Key of the cached image: the package list and the recipe version.  The
# kernel versions are resolved when the image is built and recorded in its
# stamp; image.sh rebuilds it when the mirror's newest kernels differ.
svm_image_key() {
	{ sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SVM_VMDIR/packages.txt"; echo "recipe $SVM_IMAGE_RECIPE"; } |
		sha256sum | cut -c1-16
}

# The Debian mirror from the host's own apt sources, overridable.
svm_mirror() {
	if [ -n "${SVMTRACE_MIRROR:-}" ]; then
		echo "$SVMTRACE_MIRROR"
		return
	fi
	local uri
	uri=$(awk '
		/^[[:space:]]*URIs:/ { u = $2 }
		/^[[:space:]]*Suites:/ { if (u != "" && $0 !~ /security/) { print u; exit } }
		/^[[:space:]]*$/ { u = "" }
	' /etc/apt/sources.list.d/*.sources 2>/dev/null)
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ && $0 ~ /debian/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit }
		}' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || svm_die "no Debian mirror found in /etc/apt/sources.list*; set SVMTRACE_MIRROR"
	echo "${uri%/}"
}

# svm_private_apt DIR MIRROR SUITE...: lay out a private apt in DIR whose
# sources name only MIRROR's SUITEs (main), and set the array SVM_APT to the
# apt-get/apt-cache options that use it: its own lists and cache, no dpkg
# status, uncompressed lists; the host's apt configuration is read, its
# state never touched.
svm_private_apt() {
	local dir=$1 mirror=$2 suite
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	for suite in "$@"; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
	done >"$dir/sources.list"
	SVM_APT=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o Dir::State::Status=/dev/null -o Acquire::Languages=none
		-o APT::Sandbox::User=root -o Acquire::GzipIndexes=false)
}

# svm_chroot ROOTFS CMD...: run CMD inside ROOTFS with /proc, /sys, /dev and
# the repository (at its own path) bind-mounted.  The mounts live in a private
# mount namespace, so they vanish with the command even if it is killed.
svm_chroot() {
	local root=$1
	shift
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		root=$1 repo=$2
		shift 2
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mkdir -p "$root$repo"
		mount --bind "$repo" "$root$repo"
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive INITRD=No "$@"
	' svm-chroot "$root" "$SVM_REPO" "$@"
}
