# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# kmod_fuzz for longer (FUZZ_SECONDS, default 30, per run and engine), in
# both profiles: the IOVA map path is fuzzed too.
# suite-timeout: 1500
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
. "$T_REPO/tests/guest/kmod_fuzz.sh"
