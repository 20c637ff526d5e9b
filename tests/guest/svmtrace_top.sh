# SPDX-License-Identifier: GPL-2.0
# svmtop in batch mode while svmbench migrates: the process and device rows
# and the BPF cost line must show the activity; interactively under tmux it
# must answer keys and give the terminal back on q and on SIGTERM.

# The workload runs between svmtop's first and third frames: never while
# svmtop attaches or detaches.  Attaching and detaching live-patch the
# tracepoints' static branches (int3 + text_poke) in code svmbench is
# running; under QEMU TCG a vCPU then once executed a stale int3 and the
# guest oopsed (int3 in svm_map_trace, CI 2026-11-21), which real CPUs do
# not do.  A fixed-size run is no good either: it can finish before svmtop
# has attached on a fast machine.
count_frames() { grep -c '^svmtop - migrations' /tmp/top-frames.txt 2>/dev/null; }
"$SVMTRACE" top -b -n 4 -d 1 >/tmp/top-frames.txt 2>&1 &
top=$!
for _ in $(seq 600); do
	[ "$(count_frames)" -ge 1 ] && break
	kill -0 $top 2>/dev/null || break
	sleep 0.1
done
while kill -0 $top 2>/dev/null && [ "$(count_frames)" -lt 3 ]; do
	"$SVMBENCH" -s 256K -n 5 roundtrip >/tmp/top-bench.txt 2>&1 ||
		{ t_fail "svmbench ran beside svmtop" "$(cat /tmp/top-bench.txt)"; break; }
done
wait $top
t_eq "svmtop batch exits 0" 0 $?
frames=$(cat /tmp/top-frames.txt)
t_grep "svmtop batch shows the svmbench process row" '^[0-9]+ +svmbench +[0-9.]+' "$frames"
t_grep "svmtop batch shows device 0 with migrations" '^0 +[0-9]*[1-9][0-9]*\.[0-9]' "$frames"
t_grep "svmtop batch shows a non-zero BPF cost" "BPF cost: [1-9][0-9]* ns/event" "$frames"
t_grep "svmtop batch lists every stage" '^unmap +[0-9]+' "$frames"
t_eq "svmtop batch printed 4 frames" 4 "$(grep -c '^svmtop - migrations' <<<"$frames")"

# screen_wait SESSION REGEX: the pane's text once it matches REGEX (at
# most 15 s), else as it is then.
screen_wait() {
	local screen
	for _ in $(seq 75); do
		screen=$(tmux capture-pane -p -t "$1")
		grep -qE "$2" <<<"$screen" && break
		sleep 0.2
	done
	printf '%s\n' "$screen"
}

if command -v tmux >/dev/null; then
	export TERM=xterm-256color
	tmux kill-server 2>/dev/null
	tmux new-session -d -x 160 -y 50 -s top "$T_REPO/build/guest-user/svmtop -d 0.5; echo svmtop-exited-\$?; sleep 30"
	screen=$(screen_wait top '^svmtop - migrations')
	t_grep "svmtop under tmux draws the header" '^svmtop - migrations' "$screen"
	tmux send-keys -t top h
	t_grep "svmtop answers h with its key help" 'svmtop keys' "$(screen_wait top 'svmtop keys')"
	tmux send-keys -t top q
	t_grep "svmtop quits on q with status 0" 'svmtop-exited-0' "$(screen_wait top 'svmtop-exited')"
	tmux kill-server 2>/dev/null

	tmux new-session -d -x 160 -y 50 -s top2 "$T_REPO/build/guest-user/svmtop -d 0.5; echo svmtop-exited-\$?; stty -a | grep -o ' echo ' ; sleep 30"
	# SIGTERM once it draws: its handler is installed by then
	screen_wait top2 '^svmtop - migrations' >/dev/null
	# by process name: -f would match the tmux server's own command line too
	pkill -TERM -x svmtop
	screen=$(screen_wait top2 '^ echo *$')
	t_grep "svmtop exits cleanly on SIGTERM" 'svmtop-exited-0' "$screen"
	t_grep "svmtop restores the terminal (echo back on)" '^ echo *$' "$screen"
	tmux kill-server 2>/dev/null
else
	t_skip "svmtop under tmux" "tmux is not installed in the guest"
fi
