# SPDX-License-Identifier: GPL-2.0
# Result recording shared by host and guest test scripts.  Sourced by the
# runners before each test file; a test file calls t_pass/t_fail/t_skip once
# per check.  Lines go to $T_RESULTS as "PASS|FAIL|SKIP <name>[: detail]".

: "${T_RESULTS:?T_RESULTS must name the results file}"
T_SUITE=${T_SUITE:-$(basename "${BASH_SOURCE[1]:-$0}" .sh)}

# T_XTRACE=DIR: every command the test file runs, with the time it started,
# into DIR/<suite>.xtrace (where the minutes of a slow suite go).
if [ -n "${T_XTRACE:-}" ]; then
	exec {t_xtrace_fd}>>"$T_XTRACE/${T_SUITE//\//_}.xtrace"
	BASH_XTRACEFD=$t_xtrace_fd
	PS4='+${EPOCHREALTIME} ${BASH_SOURCE[0]##*/}:${LINENO} '
	set -x
fi
T_REPO=${T_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

t_pass() { echo "PASS $T_SUITE: $1" >>"$T_RESULTS"; }
t_fail() { echo "FAIL $T_SUITE: $1: $2" >>"$T_RESULTS"; }
t_skip() { echo "SKIP $T_SUITE: $1: $2" >>"$T_RESULTS"; }

# t_eq NAME EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "expected '$2', got '$3'"; fi
}

# t_run NAME CMD...: passes when CMD exits 0; its output is kept on failure.
t_run() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_pass "$name"
	else
		t_fail "$name" "'$*' exited $?: $(printf '%s' "$out" | tail -n 5 | tr '\n' ' ')"
	fi
}

# t_grep NAME PATTERN TEXT: passes when TEXT has a line matching PATTERN.
t_grep() {
	if grep -qE -- "$2" <<<"$3"; then
		t_pass "$1"
	else
		t_fail "$1" "no line matches /$2/ in: $(printf '%s' "$3" | head -n 5 | tr '\n' ' ')"
	fi
}

# t_expect NAME STATUS PATTERN CMD...: CMD exits STATUS and prints a line
# matching PATTERN (stdout and stderr together).
t_expect() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$pat" <<<"$out"; then
		t_pass "$name"
	else
		t_fail "$name" "want exit $want and /$pat/, got exit $rc: $(head -n 4 <<<"$out" | tr '\n' ' ')"
	fi
}

# t_rows WHAT: record "PASS|name|detail" and "FAIL|name|detail" lines read
# from stdin (a checker's verdicts); any other line, or none at all, is a
# failure of WHAT itself (a checker that crashed passes nothing).  A pass's
# detail goes to stderr, so the console log keeps the figures.
t_rows() {
	local verdict name detail n=0
	while IFS='|' read -r verdict name detail; do
		n=$((n + 1))
		case $verdict in
		PASS)
			t_pass "$name"
			# the figures behind a pass, for the console log
			[ -z "$detail" ] || printf '  %s: %s\n' "$name" "$detail" >&2 ;;
		FAIL) t_fail "$name" "$detail" ;;
		*) t_fail "$1 runs" "$verdict${name:+|$name}${detail:+|$detail}" ;;
		esac
	done
	[ "$n" -gt 0 ] || t_fail "$1 runs" "no verdict at all"
}
