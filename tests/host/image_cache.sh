# SPDX-License-Identifier: GPL-2.0
# The image cache's validity check on a scratch cache directory: a missing
# stamp, a tarball shorter than its stamp says (a truncated download or a
# full disk) and a stamp without its tarball must all send ensure to a
# rebuild; only a complete pair is used.

cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
key=$(bash -c '. tests/vm/lib.sh; svm_image_key')
status() { SVMTRACE_CACHE=$cache tests/vm/image.sh status; }

t_eq "empty cache is missing" missing "$(status)"

head -c 4096 /dev/urandom >"$cache/rootfs-$key.tar.zst"
t_eq "tarball without stamp is incomplete" incomplete "$(status)"

printf 'KEY=%s\nSIZE=4096\n' "$key" >"$cache/rootfs-$key.stamp"
t_eq "tarball matching its stamp is valid" valid "$(status)"

truncate -s 1000 "$cache/rootfs-$key.tar.zst"
t_eq "truncated tarball is incomplete" incomplete "$(status)"

rm "$cache/rootfs-$key.tar.zst"
t_eq "stamp without tarball is incomplete" incomplete "$(status)"

printf 'KEY=%s\n' "$key" >"$cache/rootfs-$key.stamp"
: >"$cache/rootfs-$key.tar.zst"
t_eq "stamp without a size is incomplete" incomplete "$(status)"

# The key follows the package list: a changed list must not reuse the image.
vm=$(mktemp -d)
mkdir -p "$vm/tests"
cp -r tests/vm "$vm/tests/vm"
sed -i 's/^zstd$/zstd-changed/' "$vm/tests/vm/packages.txt"
other=$(bash -c '. "$1/tests/vm/lib.sh"; svm_image_key' key "$vm")
rm -rf "$vm"
t_run "package list is part of the key" bash -c "grep -qx zstd tests/vm/packages.txt && [ '$key' != '$other' ]"

# The cached kernels against the newest the mirror offers, from package
# lists written here (SVMTRACE_KERNEL_LISTS) instead of the mirror's.
lists=$cache/lists
mkdir -p "$lists"
pkgs() {
	local v
	for v in "$@"; do
		printf 'Package: linux-image-%s-amd64\nVersion: %s\n\nPackage: linux-headers-%s-amd64\nVersion: %s\n\n' \
			"$v" "${v%+*}-1" "$v" "${v%+*}-1"
	done
}
pkgs 7.2.12+deb13 7.3.4+deb13 >"$lists/m_dists_trixie-backports_main_binary-amd64_Packages"
pkgs 6.12.100+deb13 >"$lists/m_dists_trixie_main_binary-amd64_Packages"
pkgs 6.12.107+deb13 >"$lists/m_dists_trixie-updates_main_binary-amd64_Packages"
# a newer image without headers must not be chosen
printf 'Package: linux-image-7.4.1+deb13-amd64\nVersion: 7.4.1-1\n\n' >>"$lists/m_dists_trixie-backports_main_binary-amd64_Packages"
head -c 4096 /dev/urandom >"$cache/rootfs-$key.tar.zst"
stamp() { printf 'KEY=%s\nKVER_BACKPORTS=%s\nKVER_612=%s\nSIZE=4096\n' "$key" "$1" "$2" >"$cache/rootfs-$key.stamp"; }
kernels() { SVMTRACE_CACHE=$cache SVMTRACE_KERNEL_LISTS=$lists tests/vm/image.sh kernels; }
stamp 7.3.4+deb13-amd64 6.12.107+deb13-amd64
t_eq "kernels the mirror's newest are current" "current 7.3.4+deb13-amd64 6.12.107+deb13-amd64" "$(kernels)"
stamp 7.2.12+deb13-amd64 6.12.107+deb13-amd64
t_eq "an older backports kernel is stale" \
	"stale: the mirror has 7.3.4+deb13-amd64 and 6.12.107+deb13-amd64, the cached image 7.2.12+deb13-amd64 and 6.12.107+deb13-amd64" \
	"$(kernels)"
t_fail_rc=0
kernels >/dev/null || t_fail_rc=$?
t_eq "a stale cache exits 1" 1 "$t_fail_rc"
stamp 7.3.4+deb13-amd64 6.12.100+deb13-amd64
t_grep "an older 6.12 (trixie-updates has a newer one) is stale" '^stale: ' "$(kernels)"
rm "$lists"/*
t_grep "unreadable lists leave the cache in use" '^unknown: ' "$(kernels)"
