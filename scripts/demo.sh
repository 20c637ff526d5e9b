#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build everything, boot the guest (PROFILE, KERNEL as for
# guest-run), load svm_pagemap, run a workload and show what svmtrace, perf
# and the tracepoints see.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory guest-prep
exec tests/vm/run.sh -p "${PROFILE:-plain}" -l demo -- bash scripts/demo-guest.sh
