#!/bin/sh
# Screenshots of the real dashboard: run `wsdash demo` in a detached tmux
# session, drive it with send-keys, take `capture-pane -e` (text with its
# colors), turn that into HTML with aha and into PNG with headless Chromium.
# usage: tests/screenshots.sh [BUILD_DIR]   (writes screenshots/*.png)
set -eu
build=${1:-build}
bin=$(cd "$build" && pwd)/wsdash
out=$(cd "$(dirname "$0")/.." && pwd)/screenshots
tmp=$(mktemp -d)
sock=wsdash-shots-$$
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$out"

t() { tmux -L "$sock" "$@"; }

# shot NAME COLS ROWS: the pane as a PNG of about that many cells
shot() {
	name=$1 cols=$2 rows=$3
	t capture-pane -e -p -t s >"$tmp/$name.ans"
	{
		printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
		printf 'body{margin:0;background:#1d1f21}'
		printf 'pre{margin:8px;font:14px/1.25 "DejaVu Sans Mono",monospace;color:#d0d0d0}'
		printf '</style></head><body><pre>'
		aha --no-header --black <"$tmp/$name.ans"
		printf '</pre></body></html>'
	} >"$tmp/$name.html"
	w=$((cols * 84 / 10 + 16))
	h=$((rows * 175 / 10 + 16))
	chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$tmp/chrome" --hide-scrollbars \
		--window-size="$w,$h" --screenshot="$out/$name.png" \
		"file://$tmp/$name.html" >/dev/null 2>&1
	echo "screenshots/$name.png"
}

start() {
	t kill-server 2>/dev/null || true
	t new-session -d -s s -x "$1" -y "$2" "LANG=C.UTF-8 $bin demo $3; sleep 30"
	t set -g status off
	sleep 3
}

start 120 36 "--seed 7"
shot demo-live 120 36
t send-keys -t s Right Right x
sleep 2.5
shot demo-fallback 120 36
t send-keys -t s Enter
sleep 1
shot detail 120 36
t send-keys -t s Escape '?'
sleep 0.5
shot help 120 36
t send-keys -t s Escape x
t resize-window -t s -x 52 -y 14
sleep 1
shot compact 52 14

start 120 36 "--seed 7 --no-color"
t send-keys -t s Right x
sleep 2.5
shot monochrome 120 36
