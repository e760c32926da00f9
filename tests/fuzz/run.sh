#!/bin/sh
# Run every libFuzzer harness for SECONDS each (default 60), starting from
# the seed corpus in tests/fuzz/corpus/ (never written to: new inputs go to
# BUILD/corpus/). Fails on any crash, leak or sanitizer report.
# usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -eu
build=$1
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for t in msgsum config url sanitize probe; do
	mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
	printf 'fuzz_%s: %s s ... ' "$t" "$secs"
	if "$build/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t/" \
		"$build/corpus/$t" "$here/corpus/$t" >"$build/fuzz_$t.log" 2>&1; then
		grep -E '^stat::number_of_executed_units' "$build/fuzz_$t.log" |
			awk '{printf "%s runs, ", $2}'
		echo ok
	else
		echo FAILED
		tail -n 40 "$build/fuzz_$t.log"
		status=1
	fi
done
exit $status
