# SPDX-License-Identifier: GPL-2.0
# Figures for the kmod report (not a suite: the runner takes *_*.sh only):
#   make guest-run CMD="bash tests/guest/kmod-measure.sh" [PROFILE=iommu]
# 2 MiB sys->dev / dev->sys throughput next to memcpy, and the map-stage p50
# of 2 MiB in 4 KiB pages with iova=1 and iova=0 (IOVA vs page path).
B=build/guest-user/svmbench
uname -r; echo "profile=$SVMTRACE_PROFILE"
dmesg | grep -i 'svm_pagemap\|edu' | tail -5
$B roundtrip -s 2M -n 3 >/dev/null  # warm up
$B roundtrip -s 2M -n 20
T=/sys/kernel/tracing
p50() { # iova-param label
	echo "$1" > /sys/module/svm_pagemap/parameters/iova
	echo 0 > $T/tracing_on; echo > $T/trace
	echo 'stage == 2 && direction == 0' > $T/events/svm_pagemap/svm_stage_end/filter
	echo 1 > $T/events/svm_pagemap/svm_stage_end/enable
	echo 1 > $T/tracing_on
	$B roundtrip -s 2M -n 30 >/dev/null
	echo 0 > $T/tracing_on
	echo 0 > $T/events/svm_pagemap/svm_stage_end/enable
	grep -o 'duration_ns=[0-9]*' $T/trace | cut -d= -f2 | sort -n > /tmp/d.txt
	n=$(wc -l < /tmp/d.txt); echo "$2: map stage (2 MiB, 512 x 4 KiB, to_dev) n=$n p50=$(sed -n "$(( (n + 1) / 2 ))p" /tmp/d.txt) ns min=$(head -1 /tmp/d.txt) max=$(tail -1 /tmp/d.txt)"
}
p50 1 "iova=1"
p50 0 "iova=0 (page path)"
echo 1 > /sys/module/svm_pagemap/parameters/iova
$B stats | grep -E 'iova|map_calls|verify'
echo 1 > /sys/module/svm_pagemap/parameters/verify
$B roundtrip -s 64K -n 3
echo 0 > /sys/module/svm_pagemap/parameters/verify
$B stats | grep -E 'verify'
$B peer -s 1M -n 2 | head -2; $B evictone -s 1M -n 2 | head -1; $B errors | tail -1; $B -n 300 -m 2M random | head -1; $B nomem | head -1
dmesg | grep -E 'WARNING|BUG|Oops|leak|Call Trace' | head
