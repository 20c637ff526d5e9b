# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# kmod_fuzz for longer (FUZZ_SECONDS, default 30, per run and engine), in
# both profiles: the IOVA map path is fuzzed too.
#
# drm_pagemap runs with drm_device_folios=0, as in kmod_fuzz: with 2 MiB
# device folios 7.3 leaves a PMD migration entry behind within a few
# minutes of fuzzing (kmod_fuzz's header).  FUZZ_DRM_FOLIOS=1 fuzzes them
# too, e.g.
#   make guest-run CMD='FUZZ_ENGINES=drm_pagemap FUZZ_DRM_FOLIOS=1 FUZZ_SECONDS=45
#     bash tests/guest/run-suites.sh /tmp/r.txt long/kmod_fuzz_long'
# suite-timeout: 1500
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
[ "${FUZZ_DRM_FOLIOS:-0}" = 1 ] ||
	t_skip "drm_pagemap with 2 MiB device folios" "on request (FUZZ_DRM_FOLIOS=1): 7.3 leaves a PMD migration entry behind, see kmod_fuzz's header"
. "$T_REPO/tests/guest/kmod_fuzz.sh"
