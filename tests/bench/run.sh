#!/bin/sh
# `make bench`: every benchmark, numbers as Markdown for the README.
# usage: run.sh [BUILD_DIR]   (a Release build; default build-release)
set -eu
build=${1:-build-release}
here=$(dirname "$0")
machine() {
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	echo "$(nproc) cores, ${model:-unknown CPU}; load average" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "Machine at the start: $(machine)"
echo
echo "## wsdash check"
echo
sh "$here/check.sh" "$build"
echo
echo "## wsdash watch"
echo
# The Node.js `ws` package for the ingest comparison, from npm, once.
node_dir="$build/bench-node"
if command -v npm >/dev/null 2>&1 && [ ! -d "$node_dir/node_modules/ws" ]; then
	mkdir -p "$node_dir"
	(cd "$node_dir" && npm install --silent --no-audit --no-fund ws@8 \
		>/dev/null 2>&1) || echo "(npm install ws failed: no Node.js comparison)"
fi
if [ -d "$node_dir/node_modules/ws" ]; then
	/usr/bin/python3 "$here/watch_bench.py" "$build" "$node_dir/node_modules"
else
	/usr/bin/python3 "$here/watch_bench.py" "$build"
fi
echo
echo "## the dashboard"
echo
/usr/bin/python3 "$here/dashboard_bench.py" "$build"
echo
echo "## wsdash exporter (10,000 endpoints)"
echo
/usr/bin/python3 "$here/exporter_bench.py" "$build" 10000
/usr/bin/python3 "$here/exporter_bench.py" "$build" 10000 \
	--ping-interval 10000 --ping-timeout 30000
echo
echo "Machine at the end: $(machine)"
