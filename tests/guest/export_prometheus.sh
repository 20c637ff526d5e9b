# SPDX-License-Identifier: GPL-2.0
# legs: none
# (make test-long alone, both legs: a real Prometheus scraping for about a minute; make test keeps the exporter's host tests)
# svmtrace export under a real Prometheus: Debian's prometheus scrapes the
# exporter every second while svmbench migrates; every query of every
# dashboard panel and every recording rule must return data; promtool
# checks the rules, the configs and the exposition, and unit-tests the
# alerts; the exported count of whole migrations must equal the module's
# own count exactly; malformed, oversized, wrong-method and slow HTTP
# clients get their error (or are dropped) while /metrics keeps answering;
# textfile mode rewrites a valid file atomically.

port=7463 prom_addr=127.0.0.1:9090
metrics=http://127.0.0.1:$port/metrics
work=$(mktemp -d /tmp/export.XXXXXX)
dash=$T_REPO/dashboards/grafana/svmtrace.json
rules=$T_REPO/dashboards/prometheus/svmtrace-rules.yml
exp_pid= prom_pid= txt_pid=

# Whatever happens, no exporter or Prometheus outlives the suite: the
# checks run-suites.sh makes after it (free pages, dmesg) need them gone.
stop_all() {
	local p
	for p in $exp_pid $prom_pid $txt_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	exp_pid= prom_pid= txt_pid=
}
trap 'stop_all; rm -rf "$work"' EXIT

# wait_for SECONDS CMD...: until CMD succeeds; false on timeout.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.5
	done
}

# module_migrations: migrations the module counted on every device (svm_migrate_begin).
module_migrations() {
	"$SVMBENCH" -j stats | python3 -S -c 'import json,sys; print(sum(json.load(sys.stdin)["sum"]["migrations"]))'
}

# step NAME: progress on the console, to see where the time goes under TCG.
step() { echo "export_prometheus: $1 at ${SECONDS}s"; }

# promtool_bg NAME CMD...: run a promtool check in the background (a Go
# binary starts slowly under TCG); promtool_results reports them all.
check_pids=() check_names=() check_outs=()
promtool_bg() {
	local out=$work/check-${#check_pids[@]}.out
	check_names+=("$1")
	check_outs+=("$out")
	shift
	("$@" >"$out" 2>&1; echo "rc=$?" >>"$out") &
	check_pids+=("$!")
}
# A clean check exits 0 and prints no lint (check metrics prints only problems).
promtool_results() {
	local i out
	for i in "${!check_pids[@]}"; do
		out=${check_outs[$i]}
		wait "${check_pids[$i]}"
		if [ "$(tail -n 1 "$out")" = rc=0 ] &&
			! grep -v -e '^rc=0$' -e 'SUCCESS' -e '^Checking' -e '^Unit Testing' -e '^ *$' "$out" | grep -q .; then
			t_pass "${check_names[$i]}"
		else
			t_fail "${check_names[$i]}" "$(head -n 5 "$out" | tr '\n' ' ')"
		fi
	done
}

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: svmtrace
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOF

before=$(module_migrations)
step "starting the exporters and prometheus"
"$SVMTRACE" export --timeout 3 >"$work/export.log" 2>&1 &
exp_pid=$!
# A textfile exporter beside it, rewriting every second: both load their BPF
# programs at once, and Prometheus starts meanwhile (it retries the scrape).
"$SVMTRACE" export --textfile "$work/svmtrace.prom" -i 1 >"$work/textfile.log" 2>&1 &
txt_pid=$!
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="$prom_addr" --log.level=warn >"$work/prometheus.log" 2>&1 &
prom_pid=$!

# Rules and configs: as shipped, and the test's own.
promtool_bg "promtool check rules on dashboards/prometheus/svmtrace-rules.yml" promtool check rules "$rules"
promtool_bg "promtool check config on the example dashboards/prometheus/prometheus.yml" \
	promtool check config "$T_REPO/dashboards/prometheus/prometheus.yml"
promtool_bg "promtool check config on the test configuration" promtool check config "$work/prometheus.yml"
promtool_bg "promtool test rules: the alerts fire on synthetic series (svmtrace-rules.test.yml)" \
	promtool test rules "$T_REPO/dashboards/prometheus/svmtrace-rules.test.yml"

if ! wait_for 240 curl -sf -o /dev/null "$metrics"; then
	t_fail "svmtrace export serves $metrics" "$(tail -n 5 "$work/export.log" | tr '\n' ' ')"
	exit 0
fi
t_pass "svmtrace export serves $metrics"
t_grep "svmtrace export says where it serves" "serving http://127.0.0.1:$port/metrics" "$(cat "$work/export.log")"
if ! wait_for 240 curl -sf -o /dev/null "http://$prom_addr/-/ready"; then
	t_fail "prometheus starts" "$(tail -n 5 "$work/prometheus.log" | tr '\n' ' ')"
	exit 0
fi
t_pass "prometheus starts"

wait_for 60 test -s "$work/svmtrace.prom" ||
	t_fail "the textfile exporter writes its file" "$(tail -n 5 "$work/textfile.log" | tr '\n' ' ')"

# Workloads: round trips, contention (retries and timeslice holds),
# eviction under memory pressure.
step "workloads"
t_run "svmbench roundtrip under the exporter" "$SVMBENCH" -s 256K -n 8 roundtrip
"$SVMBENCH" -j -P 4 -n 4 -s 256K -t 10 contend >"$work/contend.json" 2>"$work/contend.err"
rc=$?
read -r verify_errors fault_failed < <(python3 -S -c 'import json, sys
c = json.load(open(sys.argv[1]))["counts"]; print(c["verify_errors"], c["fault_failed"])' \
	"$work/contend.json" 2>/dev/null)
t_eq "svmbench contend under the exporter keeps the data intact" 0 "${verify_errors:-no JSON}"
if [ $rc = 0 ]; then
	t_pass "svmbench contend under the exporter succeeds"
elif [ $rc = 1 ] && [ "${fault_failed:-0}" -gt 0 ]; then
	# Seen under the iommu profile on a loaded TCG host: the module's
	# retry budget, not the exporter's doing; the counts below stay exact.
	t_skip "svmbench contend under the exporter succeeds" \
		"$fault_failed device fault(s) gave up under contention with two tracers attached"
else
	t_fail "svmbench contend under the exporter succeeds" "exit $rc: $(head -c 300 "$work/contend.err")"
fi
t_run "svmbench evict under the exporter" "$SVMBENCH" -s 4M -n 1 evict
after=$(module_migrations)
want=$((after - before))
step "checking counts"

# Every migration must be accounted for: aggregated into the histograms and
# counters, or counted as skipped by the kernel's BPF recursion protection
# (it can skip a hit when a preempted task still runs the same program on
# that CPU).  Every workload has ended; allow the last svm_migrate_end a moment.
# accounted FILE METRIC_REGEX: METRIC's sum plus the skipped svm_migrate_end.
accounted() {
	awk -v m="$2" '$0 ~ "^" m { n += $NF }
		/^svmtrace_exporter_bpf_missed_events_total\{event="svm_migrate_end"\}/ { n += $NF }
		END { print n + 0 }' "$1"
}
missed_of() {
	awk '/^svmtrace_exporter_bpf_missed_events_total\{event="svm_migrate_end"\}/ { print $NF }' "$1"
}
scrape_caught_up() {
	curl -sf "$metrics" >"$work/metrics.txt" &&
		[ "$(accounted "$work/metrics.txt" svmtrace_migration_duration_seconds_count)" = "$want" ]
}
wait_for 15 scrape_caught_up
cp "$work/metrics.txt" "$work/scraped.txt"
promtool_bg "curl /metrics | promtool check metrics is clean" \
	bash -c 'promtool check metrics <"$1"' _ "$work/scraped.txt"
echo "export_prometheus: module $want migrations, exporter skipped $(missed_of "$work/metrics.txt")"
t_eq "exported whole-migration _count plus skipped equals the module's migrations" "$want" \
	"$(accounted "$work/metrics.txt" svmtrace_migration_duration_seconds_count)"
t_eq "svmtrace_migrations_total plus skipped equals the module's migrations" "$want" \
	"$(accounted "$work/metrics.txt" 'svmtrace_migrations_total ')"
t_grep "contend provoked retries the exporter counts" '^svmtrace_retries_total\{reason="busy"\} [1-9]' \
	"$(cat "$work/metrics.txt")"
t_grep "BPF run time is exported" '^svmtrace_exporter_bpf_runs_total [1-9]' "$(cat "$work/metrics.txt")"

# Let Prometheus scrape the final state and evaluate the rules on it.
sleep 4
step "dashboard queries"
python3 -S - "$dash" "$rules" "http://$prom_addr" >"$work/queries.txt" 2>&1 <<'PY'
import json, re, sys, time, urllib.parse, urllib.request
dash, rules, prom = sys.argv[1], sys.argv[2], sys.argv[3]
subst = {"$__rate_interval": "1m", "$__interval": "15s", "${device}": ".*", "$device": ".*"}

def query(expr):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            body = json.load(r)
    except Exception as e:
        return None, str(e)
    if body.get("status") != "success":
        return None, body.get("error", "no status")
    return body["data"]["result"], None

def check(name, expr):
    # A scrape that timed out under TCG leaves instant gauges stale until
    # the next one: give a query a few scrapes before calling it empty.
    for attempt in range(6):
        result, err = query(expr)
        if result:
            break
        time.sleep(1)
    if err:
        print(f"FAIL|{name}|query failed: {err}: {expr}")
    elif not result:
        print(f"FAIL|{name}|no data: {expr}")
    else:
        print(f"PASS|{name}|{len(result)} series")

def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))

n = 0
for p in panels(json.load(open(dash))["panels"]):
    for t in p.get("targets", []):
        expr = t["expr"]
        for k in sorted(subst, key=len, reverse=True):
            expr = expr.replace(k, subst[k])
        if "$" in expr:
            print(f"FAIL|panel '{p['title']}' {t['refId']} has only known variables|{expr}")
            continue
        check(f"panel '{p['title']}' query {t['refId']} returns data", expr)
        n += 1
print(("PASS" if n >= 20 else "FAIL") + f"|the dashboard has panel queries to check|{n} queries")
for name in re.findall(r"^\s*- record:\s*(\S+)", open(rules).read(), re.M):
    check(f"recording rule {name} produced series", name)
check("the svmtrace target is up", 'up{job="svmtrace"} == 1')
PY
while IFS='|' read -r verdict name detail; do
	case $verdict in
	PASS) t_pass "$name" ;;
	FAIL) t_fail "$name" "$detail" ;;
	*) t_fail "dashboard queries run" "$verdict $name $detail" ;;
	esac
done <"$work/queries.txt"

# Prometheus is done: stop it, so that its keep-alive connection does not
# count against the per-address limit checked below.
kill "$prom_pid"
wait "$prom_pid" 2>/dev/null
prom_pid=

# HTTP abuse: every answer is checked, and /metrics must answer after each.
step "HTTP abuse"
python3 -S - 127.0.0.1 "$port" >"$work/http.txt" 2>&1 <<'PY'
import socket, sys, time, urllib.request
host, port = sys.argv[1], int(sys.argv[2])

def row(ok, name, detail=""):
    print(("PASS" if ok else "FAIL") + f"|{name}|{detail}")

def exchange(data, wait=5.0):
    """Send data, return what the server answers before closing (or wait s)."""
    s = socket.create_connection((host, port), timeout=wait)
    try:
        s.sendall(data)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    return got

def status(resp):
    line = resp.split(b"\r\n", 1)[0].decode("latin-1")
    return line.split(" ")[1] if line.startswith("HTTP/") and " " in line else "closed"

def metrics_ok(name):
    t = time.time()
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10) as r:
            body = r.read()
            row(r.status == 200 and b"svmtrace_migrations_total" in body, name,
                f"{time.time() - t:.2f} s")
    except Exception as e:
        row(False, name, str(e))

r = exchange(b"\x00\xff\x13garbage that is not HTTP\r\n\r\n")
row(status(r) in ("400", "closed"), "garbage bytes get 400 or a closed connection", status(r))
metrics_ok("/metrics answers after garbage bytes")

r = exchange(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 64000 + b"\r\n\r\n")
row(status(r) in ("400", "413", "414", "431", "closed"), "an oversized header is refused", status(r))
metrics_ok("/metrics answers after an oversized header")

r = exchange(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
row(status(r) == "405", "POST /metrics gets 405", status(r))
row(b"Allow: GET, HEAD" in r, "the 405 answer names the allowed methods", r[:200])
r = exchange(b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")
row(status(r) == "405", "DELETE / gets 405", status(r))
r = exchange(b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
row(status(r) == "404", "an unknown path gets 404", status(r))
r = exchange(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
row(status(r) == "200" and b'href="/metrics"' in r, "/ links to /metrics", status(r))
r = exchange(b"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
row(status(r) == "200" and r.endswith(b"\r\n\r\n"), "HEAD /metrics gets 200 without a body", r[-40:])
r = exchange(b"GET /metrics HTTP/1.0\r\n\r\n")
row(status(r) == "200" and b"text/plain; version=0.0.4" in r, "GET /metrics has the exposition content type", status(r))

# Slow clients: four connections trickle a request and never finish it.
slow = []
for i in range(4):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHo")
    slow.append(s)
metrics_ok("/metrics answers while 4 slow clients hold connections")
# The exporter runs with --timeout 3: the stalled ones must be dropped.
time.sleep(5)
def closed_by_server(s):
    s.settimeout(2)
    try:
        while s.recv(4096):
            pass
        return True
    except socket.timeout:
        return False
    except OSError:
        return True

dropped = 0
for s in slow:
    dropped += closed_by_server(s)
    s.close()
row(dropped == 4, "stalled connections are closed after the idle timeout", f"{dropped} of 4 closed")

# One address may hold at most --per-ip-limit (8) connections; the next is refused.
held = [socket.create_connection((host, port), timeout=5) for _ in range(8)]
extra = socket.create_connection((host, port), timeout=5)
try:
    extra.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    refused = extra.recv(100) == b""
except socket.timeout:
    refused = False
except OSError:
    refused = True
extra.close()
row(refused, "a 9th connection from one address is refused (per-address limit 8)")
for s in held:
    s.close()
time.sleep(0.5)
metrics_ok("/metrics answers once the held connections are gone")
PY
while IFS='|' read -r verdict name detail; do
	case $verdict in
	PASS) t_pass "$name" ;;
	FAIL) t_fail "$name" "$detail" ;;
	*) t_fail "HTTP abuse checks run" "$verdict $name $detail" ;;
	esac
done <"$work/http.txt"
kill -0 "$exp_pid" 2>/dev/null
t_eq "svmtrace export is still running after the abuse" 0 "$?"

kill "$exp_pid"
wait "$exp_pid"
t_eq "svmtrace export exits 0 on SIGTERM" 0 "$?"
exp_pid=

# Textfile mode: the file is rewritten every second, atomically.
step "textfile"
textfile_count() { accounted "$work/svmtrace.prom" 'svmtrace_migrations_total '; }
textfile_caught_up() { [ "$(textfile_count)" = "$want" ]; }
wait_for 10 textfile_caught_up
echo "export_prometheus: textfile exporter skipped $(missed_of "$work/svmtrace.prom")"
t_eq "the textfile's migrations plus skipped equal the module's migrations" "$want" "$(textfile_count)"
kill "$txt_pid"
wait "$txt_pid"
t_eq "the textfile exporter exits 0 on SIGTERM" 0 "$?"
txt_pid=
promtool_bg "the textfile passes promtool check metrics" \
	bash -c 'promtool check metrics <"$1"' _ "$work/svmtrace.prom"
t_eq "no temporary file is left beside the textfile" "" "$(ls "$work" | grep '\.tmp$')"
promtool_results
step "done"
