#!/bin/sh
# `make bench`: every benchmark, numbers as Markdown for the README.
set -eu
build=${1:-build-release}
here=$(dirname "$0")
echo "## wsdash check"
sh "$here/check.sh" "$build"
