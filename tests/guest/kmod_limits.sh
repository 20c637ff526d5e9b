# SPDX-License-Identifier: GPL-2.0
# The writable limits refuse values the engine cannot honour, so that no
# ioctl can reach an allocation kvmalloc() WARNs about: max_migrate_mib
# (1-4096; it used to take 0, which meant no limit, and a MIGRATE of a huge
# sparse mapping then asked kvcalloc() for more than INT_MAX bytes) and
# max_timeslice_ms (0-10000, the doubled timeslice of fault retries);
# fault_retries and evict_retries (0-100) bound how long an ioctl retries.
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

# kparam_refused NAME VALUE: writing VALUE fails and leaves NAME as it was.
kparam_refused() {
	local before after
	before=$(kparam "$1")
	if (echo "$2" >"/sys/module/svm_pagemap/parameters/$1") 2>/dev/null; then
		t_fail "$1=$2 is refused" "the write succeeded"
		kset "$1" "$before"
		return
	fi
	after=$(kparam "$1")
	keq "$1=$2 is refused, $1 stays $before" "$before" "$after"
}

kparam_refused max_migrate_mib 0
kparam_refused max_migrate_mib 4097
kparam_refused max_migrate_mib 4294967295
kparam_refused max_timeslice_ms 10001
kparam_refused fault_retries 101
kparam_refused evict_retries 4294967295
kset max_timeslice_ms 10000
keq "max_timeslice_ms=10000 is accepted" 10000 "$(kparam max_timeslice_ms)"
kset max_timeslice_ms 1000

# MIGRATE and FAULT of ranges in one huge sparse anonymous mapping (not
# populated, MAP_NORESERVE): above the limit E2BIG, at the largest limit a
# migration of 4 GiB of holes into a 64 MiB device fails with ENOMEM.
kset max_migrate_mib 4096
out=$(python3 -S - <<'PY'
import ctypes, errno, fcntl, mmap, struct

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
MAP_NORESERVE = 0x4000
size = 1 << 40
base = libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE,
                 mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
assert base not in (None, ctypes.c_void_p(-1).value), "mmap of 1 TiB failed"

def iowr(nr, n):
    return (3 << 30) | ((8 * n) << 16) | (ord("S") << 8) | nr

def call(nr, fields, n):
    buf = bytearray(struct.pack("%dQ" % n, *(fields + [0] * (n - len(fields)))))
    try:
        fcntl.ioctl(fd, iowr(nr, n), buf)
        return 0
    except OSError as e:
        return e.errno

dev = open("/dev/svm_pagemap0", "rb+", buffering=0)
fd = dev.fileno()
mig = lambda start, sz: call(1, [start, sz], 9)
fault = lambda start, sz: call(2, [start, sz, 2], 10)   # DEVMEM_ONLY
print("migrate-1TiB", mig(base, size))
print("migrate-4097MiB", mig(base, 4097 << 20))
print("fault-1TiB", fault(base, size))
print("migrate-4GiB", mig(base, 4096 << 20))
PY
)
kset max_migrate_mib 64
declare -A got
while read -r k v; do got[$k]=$v; done <<<"$out"
keq "MIGRATE of 1 TiB: E2BIG" 7 "${got[migrate-1TiB]:-}"
keq "MIGRATE of 4097 MiB at the largest limit: E2BIG" 7 "${got[migrate-4097MiB]:-}"
keq "FAULT of 1 TiB: E2BIG" 7 "${got[fault-1TiB]:-}"
keq "MIGRATE of 4 GiB into a 64 MiB device: ENOMEM" 12 "${got[migrate-4GiB]:-}"
rm -rf "$KTMP"
