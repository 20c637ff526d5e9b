#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the host packages svmtrace needs that are missing, and nothing else.
# Called by the Makefile targets; safe to run again (it only checks when all
# is present).  Everything the guest needs lives in its own root filesystem.
#
#   host-setup.sh [vm] [build] [test] [browser]   (default: all four groups)

set -euo pipefail

vm_pkgs="debootstrap qemu-system-x86 zstd xz-utils"
build_pkgs="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	libjson-c-dev libncurses-dev libmicrohttpd-dev"
test_pkgs="libcmocka-dev libclang-rt-dev python3 python3-yaml groff-base man-db"
# Headless browser tests of the HTML report and the timeline; npm comes with
# the machine's Node.js where one is installed, else from Debian.
browser_pkgs="chromium fonts-dejavu-core"
command -v npm >/dev/null || browser_pkgs="$browser_pkgs nodejs npm"

groups=${*:-vm build test browser}
want=
for g in $groups; do
	case $g in
	vm) want="$want $vm_pkgs" ;;
	build) want="$want $build_pkgs" ;;
	test) want="$want $test_pkgs" ;;
	browser) want="$want $browser_pkgs" ;;
	*) echo "host-setup: unknown group '$g' (vm, build, test, browser)" >&2; exit 2 ;;
	esac
done

missing=
for p in $want; do
	dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "host-setup: missing packages:$missing; run as root or install them" >&2
	exit 1
fi
echo "host-setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -q update >/dev/null
# shellcheck disable=SC2086
apt-get -q -y install --no-install-recommends $missing >/dev/null
