#!/bin/sh
# Screenshots of the real dashboard: run `wsdash demo` in a detached tmux
# session, drive it with send-keys, take `capture-pane -e` (text with its
# colors), turn that into HTML with aha and into PNG with headless Chromium.
# usage: tests/screenshots.sh [BUILD_DIR] [NAME...]  (writes screenshots/*.png;
# with names, only those)
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
only=" $* "
bin=$(cd "$build" && pwd)/wsdash
out=$(cd "$(dirname "$0")/.." && pwd)/screenshots
tmp=$(mktemp -d)
sock=wsdash-shots-$$-0
n_sock=0
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$out"

t() { tmux -L "$sock" "$@"; }
want() { [ "$only" = "  " ] || case "$only" in *" $1 "*) true ;; *) false ;; esac; }

# shot NAME COLS ROWS [light]: the pane as a PNG of about that many cells
shot() {
	name=$1 cols=$2 rows=$3 bg=${4:-dark}
	t capture-pane -e -p -t s >"$tmp/$name.ans"
	if [ "$bg" = light ]; then
		css='body{margin:0;background:#fafafa}pre{color:#202020}'
		aha_bg=""
	else
		css='body{margin:0;background:#1d1f21}pre{color:#d0d0d0}'
		aha_bg="--black"
	fi
	{
		printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
		printf '%s' "$css"
		printf 'pre{margin:8px;font:14px/1.25 "DejaVu Sans Mono",monospace}'
		printf '</style></head><body><pre>'
		# shellcheck disable=SC2086
		aha --no-header $aha_bg <"$tmp/$name.ans"
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

# each session on a server of its own: a new session on a server still
# shutting down after kill-server fails ("server exited unexpectedly")
start() {
	t kill-server 2>/dev/null || true
	n_sock=$((n_sock + 1))
	sock=wsdash-shots-$$-$n_sock
	t new-session -d -s s -x "$1" -y "$2" "LANG=C.UTF-8 $bin demo $3; sleep 300"
	t set -g status off
	sleep 3
}

if want demo-live || want demo-fallback || want detail || want help ||
	want compact || want small; then
	start 120 36 "--seed 7"
	want demo-live && shot demo-live 120 36
	t send-keys -t s Right Right x
	sleep 2.5
	want demo-fallback && shot demo-fallback 120 36
	t send-keys -t s Enter
	sleep 1
	want detail && shot detail 120 36
	t send-keys -t s Escape '?'
	sleep 0.5
	want help && shot help 120 36
	t send-keys -t s Escape
	t resize-window -t s -x 60 -y 15
	sleep 1
	want compact && shot compact 60 15
	t resize-window -t s -x 30 -y 8
	sleep 1
	want small && shot small 30 8
fi

if want tall; then
	# a few minutes of outages in 45 s: timelines with some history
	start 200 55 "--seed 11 --speed 6"
	sleep 45
	shot tall 200 55
fi

if want tac; then
	start 120 36 "--flavor tac --seed 7"
	sleep 2
	shot tac 120 36
fi

if want monochrome; then
	start 120 36 "--seed 7 --no-color"
	t send-keys -t s Right x
	sleep 2.5
	shot monochrome 120 36
fi
