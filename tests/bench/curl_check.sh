#!/bin/sh
# The kind of health check wsdash replaces: curl sends the upgrade headers
# (with a valid random key) to one endpoint after another. On a 101 curl has
# nothing more to read and waits for --max-time, so every healthy endpoint
# costs the whole timeout. usage: curl_check.sh MAX_TIME URL...
set -u
max=$1
shift
fail=0
for url in "$@"; do
	key=$(head -c16 /dev/urandom | base64)
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$max" \
		-H 'Upgrade: websocket' -H 'Connection: Upgrade' \
		-H 'Sec-WebSocket-Version: 13' -H "Sec-WebSocket-Key: $key" \
		"$url")
	[ "$code" = 101 ] || fail=1
done
exit $fail
