#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command inside the guest root filesystem (build/guest/rootfs) with the
# repository bind-mounted at its own path: the guest's toolchain on the host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$SVM_BUILD/guest/rootfs/.svmtrace-stamp" ] || svm_die "no guest image: run 'make image'"
svm_chroot "$SVM_BUILD/guest/rootfs" "$@"
