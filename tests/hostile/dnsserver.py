#!/usr/bin/python3
"""A scriptable DNS server for wsdash's tests (tests only, stdlib only).

Answers over UDP and TCP on 127.0.0.1 (port 0 = any free port), prints
"listening on 127.0.0.1:PORT" as its first line, then logs every query as
"query NAME TYPE" (NAME lower-cased, TYPE like A, AAAA or TYPE65) so tests
can count lookups. SIGTERM ends it with status 0. tests/hostile/dnsns.sh
runs it on port 53 inside a private network namespace.

What it answers depends only on the query name, so one server plays every
part at once. A label anywhere in the name may add:
  slow-NNN           answer (whatever it is) after NNN ms
  ttl-NNN            answers carry TTL NNN (default 0: nothing caches)
  v6                 AAAA queries get ::1 (otherwise an empty NOERROR
                     answer, "NODATA", which glibc takes at once)
and the name's suffix chooses the answer:
  blackhole.test     never answered (the client times out)
  nx.test            NXDOMAIN
  servfail.test      SERVFAIL
  any other .test    A 127.0.0.1 (e.g. x.good.test, slow-300.test,
                     ttl-30.good.test, v6.good.test)
  outside .test      REFUSED
Examples: a.blackhole.test, slow-2000.nx.test, slow-300.ttl-30.good.test.

--detach-for PID: once listening, go to the background (the foreground
process exits 0, so a shell may simply wait for it) and serve until the
process PID exits.
"""
import argparse
import os
import re
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time

A, AAAA = 1, 28
TYPES = {A: "A", AAAA: "AAAA"}
NOERROR, SERVFAIL, NXDOMAIN, REFUSED = 0, 2, 3, 5

log_lock = threading.Lock()


def log(line):
    with log_lock:
        print(line, flush=True)


def parse_question(msg):
    """(id, flags, question bytes, lower-case name, qtype) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", msg[:6])
    if flags & 0x8000 or qdcount != 1:  # a response, or not one question
        return None
    labels, pos = [], 12
    while pos < len(msg) and msg[pos]:
        n = msg[pos]
        if n > 63:  # compression pointers have no place in a query
            return None
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    if pos + 5 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[pos + 1:pos + 3])[0]
    return qid, flags, msg[12:pos + 5], ".".join(labels).lower(), qtype


def answer(msg):
    """The response to one query message, or None for no answer at all."""
    q = parse_question(msg)
    if not q:
        return None
    qid, flags, question, name, qtype = q
    log(f"query {name} {TYPES.get(qtype, f'TYPE{qtype}')}")
    labels = name.split(".")
    if name == "blackhole.test" or name.endswith(".blackhole.test"):
        return None
    for label in labels:
        m = re.fullmatch(r"slow-(\d+)", label)
        if m:
            time.sleep(int(m.group(1)) / 1000)
    ttl = 0
    for label in labels:
        m = re.fullmatch(r"ttl-(\d+)", label)
        if m:
            ttl = int(m.group(1))
    records = []
    if labels[-1] != "test":
        rcode = REFUSED
    elif labels[-2:] == ["nx", "test"]:
        rcode = NXDOMAIN
    elif labels[-2:] == ["servfail", "test"]:
        rcode = SERVFAIL
    else:
        rcode = NOERROR
        if qtype == A:
            records.append(socket.inet_pton(socket.AF_INET, "127.0.0.1"))
        elif qtype == AAAA and "v6" in labels:
            records.append(socket.inet_pton(socket.AF_INET6, "::1"))
    # QR, the query's opcode and RD, AA, RA, rcode.
    rflags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    out = struct.pack("!HHHHHH", qid, rflags, 1, len(records), 0, 0)
    out += question
    for rdata in records:  # the name is a pointer to the question's (0xc00c)
        out += struct.pack("!HHHIH", 0xC00C, qtype, 1, ttl, len(rdata))
        out += rdata
    return out


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        msg, sock = self.request
        out = answer(msg)
        if out:
            sock.sendto(out, self.client_address)


class TCPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            msg = self.rfile.read(struct.unpack("!H", head)[0])
            out = answer(msg)
            if out:  # no answer: keep reading, the client gives up
                self.wfile.write(struct.pack("!H", len(out)) + out)


class UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True


def bind(port):
    """UDP and TCP servers on one port (with port 0, retry until both fit)."""
    for _ in range(50):
        udp = UDPServer(("127.0.0.1", port), UDPHandler)
        try:
            return udp, TCPServer(("127.0.0.1", udp.server_address[1]),
                                  TCPHandler)
        except OSError:
            udp.server_close()
            if port:
                raise
    sys.exit("dnsserver: no port free for both UDP and TCP")


def main():
    p = argparse.ArgumentParser(description="DNS server for tests")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--detach-for", type=int, metavar="PID")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    udp, tcp = bind(args.port)
    log(f"listening on 127.0.0.1:{udp.server_address[1]}")
    if args.detach_for and os.fork():
        os._exit(0)
    for server in (udp, tcp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.detach_for:
        try:
            select.select([os.pidfd_open(args.detach_for)], [], [])
        except ProcessLookupError:
            pass
    else:
        signal.pause()


if __name__ == "__main__":
    main()
