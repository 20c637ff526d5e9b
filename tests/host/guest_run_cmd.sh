# SPDX-License-Identifier: GPL-2.0
# make guest-run hands CMD to the guest runner unchanged: double quotes,
# single quotes, pipes and dollars included; without CMD it prints its usage.
# Checked on make's dry run (-n), which prints the runner's command line.

runner_arg() {
	make -n --no-print-directory guest-run CMD="$1" 2>&1 | sed -n 's/^tests\/vm\/run.sh .* -- //p'
}
# The argument as the shell the recipe runs in would pass it.
as_passed() { eval "printf '%s' $1"; }

for cmd in 'grep "x" file' "echo 'single' quotes" 'a | b && c; d' 'echo "$HOME" $((1 + 2))' \
	'x="a b"; test "$x" = "a b"'; do
	t_eq "guest-run passes CMD unchanged: $cmd" "$cmd" "$(as_passed "$(runner_arg "$cmd")")"
done
t_expect "guest-run without CMD prints its usage" 2 "usage: make guest-run CMD=" make -s guest-run CMD=
