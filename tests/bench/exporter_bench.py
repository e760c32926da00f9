#!/usr/bin/python3
"""The exporter at scale, printed as Markdown.

usage: exporter_bench.py BUILD_DIR [ENDPOINTS [EXPORTER OPTION...]]

One `wsdash exporter` watches ENDPOINTS (default 10,000) WebSocket
endpoints on one demo backend (`wsdash serve --rate 0`), both on
127.0.0.1, both with the file descriptor limit raised (setrlimit in the
child: the bench runs as root or with a hard limit that allows it).

  - connect: time until /metrics shows every endpoint live
  - idle CPU: the exporter's CPU over 20 s with nobody scraping
  - scraped every second for 30 s: /metrics time to the last byte
    (p50/p95/max), its size, the exporter's CPU, and the watcher's
    responsiveness meanwhile: /healthz asked every 20 ms from another
    connection (its worst answer time is the longest the loop was busy),
    pongs slower than 100 ms counted from the RTT histogram, and whether
    any endpoint left `live`
  - peak RSS (VmHWM) of the exporter

Everything runs on 127.0.0.1 with ephemeral ports; it stops by itself.
"""
import http.client
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import cpu_s, hwm_kib

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build-release"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
EXTRA = sys.argv[3:]
WSDASH = os.path.join(BUILD, "wsdash")
NOFILE = N * 2 + 1024


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(NOFILE, soft)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


def start(args):
    p = subprocess.Popen([WSDASH, *args], stdout=subprocess.PIPE, text=True,
                         preexec_fn=raise_nofile)
    line = p.stdout.readline()
    port = int(line.rsplit(":", 1)[1])
    threading.Thread(target=lambda: [None for _ in p.stdout],
                     daemon=True).start()
    return p, port


def get(port, path):
    """(seconds to the last byte, status, body)"""
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    dt = time.monotonic() - t0
    c.close()
    return dt, r.status, body


def count(body, needle):
    return body.count(needle)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def slow_pongs(body):
    """pongs over 100 ms, summed over endpoints, from the histogram"""
    total = over = 0
    for line in body.split(b"\n"):
        if line.startswith(b"wsdash_rtt_seconds_bucket{"):
            if b'le="0.1"}' in line:
                over -= int(line.rsplit(b" ", 1)[1])
            elif b'le="+Inf"}' in line:
                v = int(line.rsplit(b" ", 1)[1])
                over += v
                total += v
    return over, total


def main():
    srv, sport = start(["serve", "--port", "0", "--rate", "0"])
    paths = ["workflows", "workflow-history", "routes"]
    cfg = {"endpoints": [{"name": "e%d" % i,
                          "url": "ws://127.0.0.1:%d/ws/%s?n=%d" %
                          (sport, paths[i % 3], i),
                          "poll_url": None} for i in range(N)]}
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(cfg, f)
    f.close()
    t0 = time.monotonic()
    exp, eport = start(["exporter", "--listen", "127.0.0.1:0",
                        "--config", f.name, *EXTRA])
    live = 0
    while time.monotonic() - t0 < 180:
        _, _, body = get(eport, "/metrics")
        live = count(body, b'state="live"} 1')
        if live >= N:
            break
        time.sleep(1)
    connect_s = time.monotonic() - t0
    time.sleep(3)

    # idle: nobody scrapes
    c0, s0 = cpu_s(exp.pid), cpu_s(srv.pid)
    time.sleep(20)
    idle = (cpu_s(exp.pid) - c0) / 20
    srv_idle = (cpu_s(srv.pid) - s0) / 20

    # scraped every second, /healthz every 20 ms meanwhile
    stop = threading.Event()
    health = []

    def healthz():
        while not stop.is_set():
            dt, st, _ = get(eport, "/healthz")
            health.append(dt if st == 200 else 99)
            time.sleep(0.02)

    h = threading.Thread(target=healthz, daemon=True)
    _, _, before = get(eport, "/metrics")
    over0, total0 = slow_pongs(before)
    c0 = cpu_s(exp.pid)
    h.start()
    times, size, left_live = [], 0, 0
    tend = time.monotonic() + 30
    while time.monotonic() < tend:
        a = time.monotonic()
        dt, st, body = get(eport, "/metrics")
        assert st == 200
        times.append(dt)
        size = len(body)
        left_live = max(left_live, N - count(body, b'state="live"} 1'))
        time.sleep(max(0, 1 - (time.monotonic() - a)))
    scraped_cpu = (cpu_s(exp.pid) - c0) / 30
    stop.set()
    h.join()
    over1, total1 = slow_pongs(body)
    rss = hwm_kib(exp.pid)
    exp.terminate()
    exp.wait()
    srv.terminate()
    srv.wait()
    os.unlink(f.name)

    def ok(b):
        return "met" if b else "**missed**"

    print("| measure (exporter %s) | result | target |"
          % (" ".join(EXTRA) or "defaults: ping every 5 s, stale after 15 s"))
    print("|---|---|---|")
    print("| %d endpoints live (seen in /metrics) | %d in %.1f s | |"
          % (N, live, connect_s))
    print("| peak RSS of the exporter | %.1f MiB | <= 256 MiB: %s |"
          % (rss / 1024, ok(rss <= 256 * 1024)))
    print("| idle CPU, nobody scraping | %.1f %% of a "
          "core | <= 5 %%: %s |" % (idle * 100, ok(idle <= 0.05)))
    print("| /metrics, scraped every 1 s for 30 s (%.1f MB) | p50 %.0f ms, "
          "p95 %.0f ms, max %.0f ms | <= 200 ms: %s |"
          % (size / 1e6, pct(times, 50) * 1000, pct(times, 95) * 1000,
             max(times) * 1000, ok(pct(times, 95) <= 0.2)))
    print("| CPU while scraped every 1 s | %.1f %% of a core | |"
          % (scraped_cpu * 100))
    print("| loop responsiveness while scraped: /healthz every 20 ms "
          "(%d asks) | p50 %.1f ms, p99 %.1f ms, max %.0f ms | |"
          % (len(health), pct(health, 50) * 1000, pct(health, 99) * 1000,
             max(health) * 1000))
    print("| pongs over 100 ms while scraped | %d of %d | |"
          % (over1 - over0, total1 - total0))
    print("| endpoints that left live while scraped | %d | 0: %s |"
          % (left_live, ok(left_live == 0)))
    print("| demo backend CPU meanwhile (answering %d pings/s) | %.1f %% "
          "of a core | |" % (N, srv_idle * 100))


main()
