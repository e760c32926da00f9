#!/bin/sh
# Benchmark of `wsdash check` (issue 3): wall time on the 3 default endpoints
# and on 100 endpoints, side by side with a curl-based check of the same 3
# endpoints one at a time. Prints a Markdown table. usage: check.sh BUILD_DIR
set -eu
build=${1:-build-release}
bin=$build/wsdash
here=$(dirname "$0")
out=$(mktemp -d)
trap 'kill $srv 2>/dev/null; rm -rf "$out"' EXIT

"$bin" serve --port 0 --rate 0 >"$out/serve.log" &
srv=$!
for _ in $(seq 50); do
	grep -q '^listening on' "$out/serve.log" 2>/dev/null && break
	sleep 0.05
done
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out/serve.log")
server=http://127.0.0.1:$port

urls100=""
i=0
while [ $i -lt 100 ]; do
	case $((i % 3)) in
	0) p=/ws/workflows ;;
	1) p=/ws/workflow-history ;;
	*) p=/ws/routes ;;
	esac
	urls100="$urls100 ws://127.0.0.1:$port$p?n=$i"
	i=$((i + 1))
done
curl3="http://127.0.0.1:$port/ws/workflows http://127.0.0.1:$port/ws/workflow-history http://127.0.0.1:$port/ws/routes"

hyperfine -N --warmup 5 --runs 50 --export-json "$out/w3.json" \
	"$bin check -q --server $server" >/dev/null 2>&1
hyperfine -N --warmup 3 --runs 30 --export-json "$out/w100.json" \
	"$bin check -q $urls100" >/dev/null 2>&1
hyperfine --runs 3 --export-json "$out/curl.json" \
	"sh $here/curl_check.sh 1 $curl3" >/dev/null 2>&1 || true

/usr/bin/python3 - "$out" "$bin" "$server" <<'PY'
import json, subprocess, sys
out, binp, server = sys.argv[1:4]
def stats(name):
    r = json.load(open("%s/%s.json" % (out, name)))["results"][0]
    return r["mean"] * 1000, r["median"] * 1000, max(r["times"]) * 1000
w3, w100, curl = stats("w3"), stats("w100"), stats("curl")
rss = subprocess.run(["/usr/bin/time", "-f", "%M", binp, "check", "-q",
                      "--server", server], capture_output=True, text=True)
print("| case | mean ms | median ms | max ms | target | result |")
print("|---|---:|---:|---:|---|---|")
def row(name, s, target, ok):
    print("| %s | %.1f | %.1f | %.1f | %s | %s |" %
          (name, s[0], s[1], s[2], target,
           "" if ok is None else "met" if ok else "**MISSED**"))
row("wsdash check, 3 default endpoints", w3, "<= 50 ms", w3[1] <= 50)
row("wsdash check, 100 endpoints", w100, "<= 300 ms", w100[1] <= 300)
row("curl loop, same 3 endpoints (--max-time 1)", curl, "(reference)", None)
ratio = curl[1] / w3[1]
print("\nwsdash is %.0fx faster than the curl loop on the 3 endpoints "
      "(target >= 100x: %s); peak RSS of one check: %s KiB" %
      (ratio, "met" if ratio >= 100 else "**MISSED**", rss.stderr.strip()))
PY
