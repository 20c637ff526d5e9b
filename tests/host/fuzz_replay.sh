# SPDX-License-Identifier: GPL-2.0
# The fuzz targets (tests/fuzz/) built with libFuzzer under ASan and UBSan,
# replaying every committed seed and every crash input once: one row per
# target, failing on a crash, a leak or any sanitizer report.  Then the
# crash inputs through the real svmtrace: a bad file exits 1 or 2 with a
# message, never by a signal.  'make fuzz' is the long run that finds new
# inputs; this is the seconds-long regression check.

dir=$(mktemp -d /tmp/svmtrace-fuzz-replay.XXXXXX)
targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')

# libFuzzer is part of clang's runtime (libclang-rt-dev on Debian): without
# it nothing here can run, and saying so beats a pass.
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n > 1; }' >"$dir/probe.c"
if ! why=$(clang -fsanitize=fuzzer,address,undefined "$dir/probe.c" -o "$dir/probe" 2>&1); then
	for t in $targets; do
		t_skip "$t replays its corpus" "no libFuzzer: clang -fsanitize=fuzzer fails (install libclang-rt-dev): $(head -n 1 <<<"$why")"
	done
	rm -rf "$dir"
	return 0 2>/dev/null || exit 0
fi

if ! out=$(make --no-print-directory -j2 fuzz-build 2>&1); then
	t_fail "fuzz targets build" "$(tail -n 5 <<<"$out" | tr '\n' ' ')"
	rm -rf "$dir"
	return 0 2>/dev/null || exit 0
fi
t_pass "fuzz targets build"

for t in $targets; do
	mapfile -t inputs < <(find "tests/fuzz/corpus/$t" "tests/fuzz/crashes/$t" -type f \
		! -name '.*' ! -name README 2>/dev/null | sort)
	if [ "${#inputs[@]}" = 0 ]; then
		t_fail "$t replays its corpus" "no seeds in tests/fuzz/corpus/$t"
		continue
	fi
	# Each file run once; leaks are reported at exit and fail the run too.
	out=$(ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"build/fuzz/$t" -rss_limit_mb=1024 "${inputs[@]}" 2>&1)
	rc=$?
	ran=$(grep -c '^Executed ' <<<"$out")
	if [ $rc = 0 ] && [ "$ran" = "${#inputs[@]}" ] &&
	   ! grep -qE 'runtime error|Sanitizer|ERROR: libFuzzer' <<<"$out"; then
		t_pass "$t replays its corpus"
		echo "  $t: ${#inputs[@]} inputs replayed" >&2
	else
		t_fail "$t replays its corpus" "exit $rc, $ran of ${#inputs[@]} inputs ran: $(grep -m 3 -E \
			'runtime error|ERROR|Running:' <<<"$out" | tr '\n' ' ')"
	fi
done

# The real command on each committed crash input of the file readers.
st=build/host/svmtrace
fix=tests/fixtures/hist-roundtrip-2M.json
cli_check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if { [ $rc = 1 ] || [ $rc = 2 ]; } && [ -n "$out" ]; then
		t_pass "$name"
	else
		t_fail "$name" "want exit 1 or 2 with a message, got exit $rc: $(head -n 2 <<<"$out" | cut -c1-200 | tr '\n' ' ')"
	fi
}
for f in tests/fuzz/crashes/fuzz_gate_json/*; do
	[ -f "$f" ] || continue
	cli_check "gate --json $(basename "$f") refused" $st gate --json "$f" -r 'retries == 0'
	cli_check "gate --baseline $(basename "$f") refused" \
		$st gate --json "$fix" --baseline "$f" -r 'retries <= baseline(retries)'
done
for f in tests/fuzz/crashes/fuzz_recfile/*; do
	[ -f "$f" ] || continue
	cli_check "report $(basename "$f") refused" $st report "$f"
done
for f in tests/fuzz/crashes/fuzz_gate_rules/*; do
	[ -f "$f" ] || continue
	cli_check "gate -f $(basename "$f") refused" $st gate --json "$fix" -f "$f"
done
rm -rf "$dir"
