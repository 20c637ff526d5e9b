# SPDX-License-Identifier: GPL-2.0
# The Grafana side of dashboards/, which no Grafana here can load: the
# dashboard JSON is well formed for Grafana (unique panel ids, panels on
# the 24-column grid without overlaps, every query with a refId and an
# expression, every data source through the ${datasource} variable), and
# the two provisioning files say what Grafana needs.  That every query
# returns data from a real Prometheus is export_prometheus' job in the guest.

out=$(python3 - dashboards/grafana/svmtrace.json dashboards/grafana/provisioning <<'PY' 2>&1
import json, sys
try:
    import yaml
except ImportError:
    print("SKIP|Grafana provisioning files|python3-yaml is not installed")
    yaml = None
def row(name, ok, detail=""):
    print(("PASS" if ok else "FAIL") + f"|{name}|{detail}")

d = json.load(open(sys.argv[1]))
row("dashboard has a uid, a title and a schemaVersion", bool(d.get("uid") and d.get("title") and d.get("schemaVersion")))
panels = d["panels"]
ids = [p["id"] for p in panels]
row("panel ids are unique", len(ids) == len(set(ids)), f"ids {sorted(ids)}")
cells, overlaps, outside = {}, [], []
for p in panels:
    g = p["gridPos"]
    if g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24:
        outside.append(p["title"])
    for x in range(g["x"], g["x"] + g["w"]):
        for y in range(g["y"], g["y"] + g["h"]):
            if (x, y) in cells:
                overlaps.append((cells[(x, y)], p["title"]))
            cells[(x, y)] = p["title"]
row("panels fit the 24-column grid", not outside, f"outside: {outside}")
row("panels do not overlap", not overlaps, f"overlapping: {sorted(set(overlaps))[:3]}")
bad = []
for p in panels:
    if p["type"] == "row":
        continue
    t = p.get("targets") or []
    refs = [x.get("refId") for x in t]
    if not t or not all(x.get("expr") for x in t) or None in refs or len(refs) != len(set(refs)):
        bad.append(p["title"])
    for x in [p] + t:
        ds = x.get("datasource")
        if ds is not None and ds.get("uid") != "${datasource}":
            bad.append(p["title"] + " (data source " + str(ds) + ")")
row("every panel queries with an expression, a unique refId and ${datasource}", not bad, f"{bad[:3]}")
names = [v["name"] for v in d.get("templating", {}).get("list", [])]
row("the dashboard has the datasource and device variables", {"datasource", "device"} <= set(names), f"{names}")
heat = [p["title"] for p in panels if p["type"] == "heatmap"]
row("one latency heatmap per stage and one for whole migrations", len(heat) == 7, f"{heat}")

if yaml:
    prov = sys.argv[2]
    db = yaml.safe_load(open(prov + "/dashboards/svmtrace.yaml"))
    pr = db.get("providers", [{}])[0]
    row("dashboard provisioning: apiVersion 1, a file provider with a path",
        db.get("apiVersion") == 1 and pr.get("type") == "file" and bool(pr.get("options", {}).get("path")), f"{db}")
    ds = yaml.safe_load(open(prov + "/datasources/prometheus.yaml"))
    s = ds.get("datasources", [{}])[0]
    row("data source provisioning: apiVersion 1, a Prometheus with a url",
        ds.get("apiVersion") == 1 and s.get("type") == "prometheus" and bool(s.get("url")), f"{ds}")
PY
)
while IFS='|' read -r verdict name detail; do
	case $verdict in
	PASS) t_pass "$name" ;;
	FAIL) t_fail "$name" "$detail" ;;
	SKIP) t_skip "$name" "$detail" ;;
	*) t_fail "dashboard checks run" "$verdict $name $detail" ;;
	esac
done <<<"$out"
