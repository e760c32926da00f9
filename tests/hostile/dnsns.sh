#!/bin/sh
# dnsns.sh: run a command whose DNS lookups (glibc getaddrinfo,
# getaddrinfo_a, gethostbyname) all go to tests/hostile/dnsserver.py, with
# no traffic beyond loopback and no change to the real system.
#
# Usage: dnsns.sh [-t SECONDS] [-l LOGFILE] -- COMMAND [ARG...]
#   -t  resolver timeout, "options timeout:SECONDS attempts:1" (default 5,
#       glibc takes 1 to 30): a blackhole.test lookup fails after that long
#   -l  the file (truncated) where dnsserver.py writes "listening on
#       127.0.0.1:53", then one "query NAME TYPE" line per query (default
#       /dev/null); the command finds the path in $DNSNS_LOG
# The command replaces this script (same PID: a signal sent to the PID
# reaches the command) and its exit status is the script's. The DNS server
# ends when the command does. Name grammar: see dnsserver.py.
#
# The command runs in new network, mount and UTS namespaces (and, unless
# run as root, a user namespace where the caller is root):
#  - the network holds only a loopback: every server the test needs (a
#    WebSocket server on 127.0.0.1, wsdash itself) must run in the command:
#    the whole test binary, or a shell that starts the server (any fixed
#    port is free in a new network), waits for its "listening on" line,
#    then runs wsdash against ws://x.good.test:PORT/...;
#  - dnsserver.py listens on 127.0.0.1:53 (glibc asks port 53 only);
#  - /etc/resolv.conf, /etc/hosts (localhost only) and /etc/nsswitch.conf
#    ("hosts: files dns") are private copies, bind-mounted for the command
#    only; a running nscd is hidden, it would answer from the host's cache;
#  - the hostname is "dnsns": no domain part, so no search domain, and a
#    lookup is one query per address family;
#  - 192.0.2.0/24 (TEST-NET-1) is routed into the loopback, which drops it:
#    a TCP connect to it gets no SYN answer (the kernel gives up after
#    net.ipv4.tcp_syn_retries, about 2 minutes).
# In a user namespace only root (the caller) exists: a program that
# switches to another user (nginx started as root) fails there.
#
# Needs (Debian 12): util-linux (unshare), mount, iproute2 (ip), hostname,
# coreutils, sed, python3 (>= 3.9, as /usr/bin/python3); unless run as
# root, unprivileged user namespaces (Debian 12's kernel allows them).
set -eu

timeout=5
log=/dev/null
while getopts t:l: opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	l) log=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
	echo "usage: $0 [-t SECONDS] [-l LOGFILE] -- COMMAND [ARG...]" >&2
	exit 2
fi

if [ -z "${DNSNS_INSIDE:-}" ]; then
	# Root may unshare without a user namespace (and keeps its real rights
	# on files owned by others); anyone else becomes root in a new one.
	[ "$(id -u)" -eq 0 ] && userns= || userns=--map-root-user
	# shellcheck disable=SC2086 # an empty $userns must be no argument
	DNSNS_INSIDE=1 exec unshare $userns --net --mount --uts -- \
		sh "$0" -t "$timeout" -l "$log" -- "$@"
fi
unset DNSNS_INSIDE

ip link set lo up
# glibc's AI_ADDRCONFIG ignores 127.0.0.1 and ::1: with a second loopback
# address IPv4 counts as configured, as on an IPv4-only host (getaddrinfo
# with AI_ADDRCONFIG then asks A only, instead of failing AF_INET at once).
ip addr add 127.0.0.2/8 dev lo
ip route add 192.0.2.0/24 dev lo
hostname dnsns

etc=$(mktemp -d)
printf 'nameserver 127.0.0.1\noptions timeout:%s attempts:1\n' "$timeout" \
	>"$etc/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$etc/hosts"
sed 's/^hosts:.*/hosts: files dns/' /etc/nsswitch.conf >"$etc/nsswitch.conf"
for f in resolv.conf hosts nsswitch.conf; do
	mount --bind "$etc/$f" "/etc/$f"
done
rm -r "$etc" # the mounts keep the files
if [ -S /run/nscd/socket ]; then
	mount --bind /dev/null /run/nscd/socket
fi

# Returns once the server listens; it serves until this PID (the command,
# after the exec below) exits.
"$(dirname "$0")/dnsserver.py" --port 53 --detach-for $$ >"$log"
DNSNS_LOG=$log exec "$@"
