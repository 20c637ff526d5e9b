# SPDX-License-Identifier: GPL-2.0
# svmtrace export's command line: bad flags get exit status 2 and a message
# naming the problem, before anything is loaded; without the svm_pagemap
# module (the host has none) a valid command line fails with 1 and says
# what to do.

st=build/host/svmtrace

t_expect "svmtrace --help lists export" 0 '^  export ' $st --help
t_expect "export --help has examples" 0 'EXAMPLES' $st export --help
t_expect "export -p 70000" 2 "invalid port '70000'" $st export -p 70000
t_expect "export -p -1" 2 "invalid port '-1'" $st export -p -1
t_expect "export -p abc" 2 "invalid port 'abc'" $st export -p abc
t_expect "export -a with a host name" 2 "invalid address 'localhost'" $st export -a localhost
t_expect "export -a 999.1.1.1" 2 "invalid address '999.1.1.1'" $st export -a 999.1.1.1
t_expect "export -a [::1" 2 "invalid address '\[::1'" $st export -a '[::1'
t_expect "export -i 0" 2 "invalid interval '0'" $st export --textfile /tmp/x.prom -i 0
t_expect "export --once without --textfile" 2 'give --textfile FILE' $st export --once
t_expect "export with a command but no --once" 2 'needs --textfile FILE --once' $st export -- true
t_expect "export --textfile in a missing directory" 2 "cannot write --textfile '/nonexistent/x.prom'" \
	$st export --textfile /nonexistent/x.prom
t_expect "export --timeout 0" 2 "invalid --timeout '0'" $st export --timeout 0
t_expect "export --per-ip-limit x" 2 "invalid --per-ip-limit 'x'" $st export --per-ip-limit x
t_expect "export unexpected argument" 2 "unexpected argument 'now'" $st export now
t_expect "export -a ::1 without the module" 1 'modprobe svm_pagemap' $st export --source module -a ::1 -p 0
t_expect "export -a [::] without the module" 1 'modprobe svm_pagemap' $st export --source module -a '[::]' -p 0

# The socket is bound before BPF is loaded: a port in use fails at once.
busy=$(mktemp)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(20)' >"$busy" &
holder=$!
for _ in $(seq 50); do [ -s "$busy" ] && break; sleep 0.1; done
port=$(cat "$busy")
t_expect "export on a port in use" 1 "cannot listen on 127.0.0.1 port $port: Address already in use" \
	$st export -p "$port"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
rm -f "$busy"
