#!/usr/bin/python3
"""Benchmarks of the live core (`wsdash watch`), printed as Markdown.

usage: watch_bench.py BUILD_DIR [NODE_MODULES_DIR]

  - fallback flag latency: the demo backend drops a stream (control API);
    time until watch prints its "state: polling" line; 50 drops
  - half-open detection: the backend is SIGSTOPped; time to "stale" and to
    the fallback, default and 500/1000 ms ping settings
  - ingest: a 1,000,000-message flood on one stream, wsdash vs a Node.js
    `ws` client on the same flood, one after the other in this run
  - scale: 1,000 endpoints from one process: peak RSS, CPU while idle
  - idle: 3 endpoints for 60 s: CPU seconds

Everything runs on 127.0.0.1 with ephemeral ports.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchlib import cpu_s, hwm_kib

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build-release"
NODE_MODULES = sys.argv[2] if len(sys.argv) > 2 else None
WSDASH = os.path.join(BUILD, "wsdash")
HERE = os.path.dirname(os.path.abspath(__file__))


def serve(*args):
    p = subprocess.Popen([WSDASH, "serve", "--port", "0", *args],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    port = int(line.rsplit(":", 1)[1])
    # keep its log drained
    import threading
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    return p, port


def post(port, path):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 method="POST", data=b"")
    urllib.request.urlopen(req, timeout=5).read()


def watch(*args):
    return subprocess.Popen([WSDASH, "watch", "--json", *args],
                            stdout=subprocess.PIPE, text=True, bufsize=1)


def wait_state(w, endpoint, states, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        line = w.stdout.readline()
        if not line:
            break
        j = json.loads(line)
        if j.get("endpoint") == endpoint and j.get("event") == "state" \
                and j.get("state") in states:
            return j
    raise RuntimeError("no %s state for %s" % (states, endpoint))


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def bench_fallback():
    srv, port = serve("--rate", "0")
    w = watch("--retry-base", "50", "--poll-interval", "1000",
              "ws://127.0.0.1:%d/ws/routes" % port)
    wait_state(w, "routes", ["live"])
    lat = []
    for _ in range(50):
        t0 = time.time() * 1000
        post(port, "/control/down?path=/ws/routes&status=503")
        j = wait_state(w, "routes", ["polling"])
        lat.append(j["ts_ms"] - t0)
        post(port, "/control/up?path=/ws/routes")
        wait_state(w, "routes", ["live"])
    w.terminate()
    w.wait()
    srv.terminate()
    srv.wait()
    return lat


def bench_halfopen(interval, timeout, trials=3):
    stale, fb = [], []
    for _ in range(trials):
        srv, port = serve("--rate", "0")
        args = ["--retry-base", "60000"]
        if interval:
            args += ["--ping-interval", str(interval), "--ping-timeout",
                     str(timeout)]
        w = watch(*args, "ws://127.0.0.1:%d/ws/routes" % port)
        wait_state(w, "routes", ["live"])
        time.sleep(1.5)
        t0 = time.time() * 1000
        os.kill(srv.pid, signal.SIGSTOP)
        stale.append(wait_state(w, "routes", ["stale"])["ts_ms"] - t0)
        fb.append(wait_state(w, "routes", ["polling", "down"])["ts_ms"] - t0)
        w.terminate()
        w.wait()
        os.kill(srv.pid, signal.SIGCONT)
        srv.terminate()
        srv.wait()
    return stale, fb


def flood_rate(srv):
    """Wait for the backend's 'flood: N messages in S s' log line."""
    for line in srv.stdout:
        if "flood:" in line:
            parts = line.split()
            n, secs = int(parts[2]), float(parts[5])
            return n / secs, secs


def bench_ingest(count=1000000):
    out = {}
    # wsdash
    srv = subprocess.Popen([WSDASH, "serve", "--port", "0", "--scenario",
                            "flood", "--count", str(count)],
                           stdout=subprocess.PIPE, text=True)
    port = int(srv.stdout.readline().rsplit(":", 1)[1])
    srv.stdout.readline()
    url = "ws://127.0.0.1:%d/ws/routes" % port
    w = subprocess.Popen([WSDASH, "watch", "--json", "--hello",
                          '{"type":"client_ready"}', url],
                         stdout=subprocess.PIPE, text=True, bufsize=1)
    c0 = cpu_s(w.pid)
    rate, secs = flood_rate(srv)
    c1 = cpu_s(w.pid)
    # it must have every message within a second of the backend finishing
    total, end = 0, time.time() + 3
    while time.time() < end and total < count + 1:
        line = w.stdout.readline()
        j = json.loads(line)
        if j.get("event") == "summary":
            total = j["msgs_total"]
    w.terminate()
    w.wait()
    out["wsdash"] = (rate, (c1 - c0) * 1e6 / count, total >= count + 1)
    # node ws
    if NODE_MODULES:
        env = dict(os.environ, NODE_PATH=NODE_MODULES)
        r = subprocess.run(["node", os.path.join(HERE, "ws_flood_client.js"),
                            url], capture_output=True, text=True, env=env,
                           timeout=300)
        rate2, _ = flood_rate(srv)
        j = json.loads(r.stdout)
        out["node"] = (rate2, j["cpu_s"] * 1e6 / j["msgs"], j["msgs"] == count)
    srv.terminate()
    srv.wait()
    return out


def bench_scale(n=1000, idle_s=20):
    srv, port = serve("--rate", "0")
    paths = ["workflows", "workflow-history", "routes"]
    cfg = {"endpoints": [{"name": "e%d" % i,
                          "url": "ws://127.0.0.1:%d/ws/%s?n=%d" %
                          (port, paths[i % 3], i)} for i in range(n)]}
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(cfg, f)
    f.close()
    w = subprocess.Popen([WSDASH, "watch", "--plain", "--config", f.name],
                         stdout=subprocess.PIPE, text=True, bufsize=1)
    live, t0 = 0, time.time()
    while live < n and time.time() - t0 < 60:
        if "-> live" in w.stdout.readline():
            live += 1
    connect_s = time.time() - t0
    import threading
    threading.Thread(target=lambda: [None for _ in w.stdout], daemon=True).start()
    time.sleep(2)
    c0 = cpu_s(w.pid)
    time.sleep(idle_s)
    idle = (cpu_s(w.pid) - c0) / idle_s
    rss = hwm_kib(w.pid)
    w.terminate()
    w.wait()
    srv.terminate()
    srv.wait()
    os.unlink(f.name)
    return live, connect_s, rss, idle


def bench_idle(secs=60):
    srv, port = serve("--rate", "0")
    w = subprocess.Popen([WSDASH, "watch", "--plain", "--server",
                          "http://127.0.0.1:%d" % port],
                         stdout=subprocess.DEVNULL)
    time.sleep(1)
    c0 = cpu_s(w.pid)
    time.sleep(secs)
    used = cpu_s(w.pid) - c0
    w.terminate()
    w.wait()
    srv.terminate()
    srv.wait()
    return used


def main():
    def ok(b):
        return "met" if b else "MISSED"

    lat = bench_fallback()
    print("| fallback flag latency (50 drops) | p50 %.1f ms | p95 %.1f ms | "
          "max %.1f ms | target p95 <= 20 ms: %s |" %
          (pct(lat, 50), pct(lat, 95), max(lat), ok(pct(lat, 95) <= 20)))
    print("|---|---|---|---|---|")
    for interval, timeout in ((0, 0), (500, 1000)):
        stale, fb = bench_halfopen(interval, timeout)
        label = "defaults (1000/3000 ms)" if not interval else \
            "%d/%d ms" % (interval, timeout)
        print("| half-open, ping %s | stale after %s ms | fallback after "
              "%s ms | | |" % (label,
                               "/".join("%.0f" % x for x in stale),
                               "/".join("%.0f" % x for x in fb)))
    ing = bench_ingest()
    r, cpu, kept = ing["wsdash"]
    print("| ingest 1M msgs (routes_update, 496 B), wsdash | %.0f msg/s | "
          "%.2f CPU s per million | kept up with the socket: %s | |" %
          (r, cpu, "yes" if kept else "NO"))
    if "node" in ing:
        r2, cpu2, _ = ing["node"]
        print("| ingest 1M msgs, Node.js ws client | %.0f msg/s | %.2f CPU s "
              "per million | | rate ratio %.2fx (target >= 3x: %s) |" %
              (r2, cpu2, r / r2, ok(r / r2 >= 3)))
    live, cs, rss, idle = bench_scale()
    print("| scale: %d endpoints from one process | all live in %.1f s | "
          "peak RSS %.1f MiB (target <= 64: %s) | idle CPU %.1f%% of a core "
          "(target <= 2%%: %s) | |" % (live, cs, rss / 1024.0,
                                       ok(rss <= 65536), idle * 100,
                                       ok(idle <= 0.02)))
    used = bench_idle()
    print("| idle: 3 endpoints for 60 s | %.2f CPU s (target <= 0.2: %s) "
          "| | | |" % (used, ok(used <= 0.2)))


main()
