#!/usr/bin/python3
"""Benchmarks of the live core (`wsdash watch`), printed as Markdown.

usage: watch_bench.py BUILD_DIR [NODE_MODULES_DIR] [--only a,b,...]
       (parts: fallback, restart, halfopen, ingest, scale, idle)

  - fallback flag latency: the demo backend drops a stream (control API);
    time until watch prints its first fallback state line (`down` with
    poll_pending: the flag goes up at once, `polling` only once a poll has
    answered); 50 drops
  - restart -> live: the tac-flavored demo backend (closes with 1012 on
    SIGTERM, as uvicorn does) is stopped and started again on the same
    port, 10 times, after downtimes from 0.5 s to 10 s, while one `watch
    --json --server` watches its default set; time from the new backend's
    "listening on" line to each stream's `state: live` line
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

ARGV = [a for a in sys.argv[1:] if not a.startswith("--only")]
ONLY = [a.split("=", 1)[1].split(",") for a in sys.argv[1:]
        if a.startswith("--only=")]
ONLY = ONLY[0] if ONLY else ["fallback", "restart", "halfopen", "ingest",
                             "scale", "idle"]
BUILD = ARGV[0] if len(ARGV) > 0 else "build-release"
NODE_MODULES = ARGV[1] if len(ARGV) > 1 else None
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
        j = wait_state(w, "routes", ["down", "polling"])
        lat.append(j["ts_ms"] - t0)
        post(port, "/control/up?path=/ws/routes")
        wait_state(w, "routes", ["live"])
    w.terminate()
    w.wait()
    srv.terminate()
    srv.wait()
    return lat


class Lines:
    """A process's JSON lines, read by a thread, kept in arrival order."""

    def __init__(self, proc):
        import threading
        self.lines = []
        self.cond = threading.Condition()

        def run():
            for line in proc.stdout:
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                with self.cond:
                    self.lines.append(j)
                    self.cond.notify_all()
        threading.Thread(target=run, daemon=True).start()

    def wait(self, pred, start, timeout):
        """The index of the first line from start on with pred(line)."""
        end = time.time() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    if pred(self.lines[i]):
                        return i
                    i += 1
                left = end - time.time()
                if left <= 0:
                    return None
                self.cond.wait(left)


DOWNTIMES = (0.5, 1, 2, 3, 5, 8, 1.5, 4, 6, 10)


def bench_restart(downtimes=DOWNTIMES):
    """Restart the tac backend on its port under a running watch; per run
    and per stream: ms from the new backend's "listening on" line to the
    stream's next `state: live` line (ts_ms: watch's wall clock)."""
    def start(port):
        p = subprocess.Popen([WSDASH, "serve", "--flavor", "tac", "--port",
                              str(port)], stdout=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        t0 = time.time() * 1000
        if not line.startswith("listening on"):
            raise RuntimeError("serve: %r" % line)
        import threading
        threading.Thread(target=lambda: [None for _ in p.stdout],
                         daemon=True).start()
        return p, int(line.rsplit(":", 1)[1]), t0

    srv, port, _ = start(0)
    w = watch("--server", "http://127.0.0.1:%d" % port)
    out = Lines(w)
    i = out.wait(lambda j: j.get("event") == "start", 0, 10)
    eps = out.lines[i]["endpoints"]
    names = [e["endpoint"] for e in eps]
    polled = {e["endpoint"]: bool(e.get("poll_url")) for e in eps}
    for n in names:
        if out.wait(lambda j: j.get("endpoint") == n and
                    j.get("event") == "state" and j.get("state") == "live",
                    0, 20) is None:
            raise RuntimeError("%s never live" % n)
    time.sleep(1)
    runs = []
    for down in downtimes:
        mark = len(out.lines)
        srv.send_signal(signal.SIGTERM)
        srv.wait()
        time.sleep(down)
        srv, _, t0 = start(port)
        run = {"down_s": down, "streams": {}}
        for n in names:
            k = out.wait(lambda j: j.get("endpoint") == n and
                         j.get("event") == "state" and
                         j.get("state") == "live", mark, 60)
            if k is None:
                run["streams"][n] = None
                continue
            j = out.lines[k]
            run["streams"][n] = (j["ts_ms"] - t0, j.get("from"))
        runs.append(run)
        time.sleep(1)
    w.terminate()
    w.wait()
    srv.terminate()
    srv.wait()
    return names, polled, runs


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
    total, end, size = 0, time.time() + 3, None
    while time.time() < end and total < count + 1:
        line = w.stdout.readline()
        j = json.loads(line)
        if j.get("event") == "summary":
            total = j["msgs_total"]
        elif j.get("event") == "message" and size is None:
            size = j["bytes"]
    w.terminate()
    w.wait()
    out["wsdash"] = (rate, (c1 - c0) * 1e6 / count, total >= count + 1)
    out["bytes"] = size
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
        return "met" if b else "**MISSED**"

    print("| measure | result | | | target |")
    print("|---|---|---|---|---|")
    if "fallback" in ONLY:
        lat = bench_fallback()
        print("| fallback flag latency (server drops the stream -> `state: "
              "down` line, poll pending), 50 drops | p50 %.1f ms | p95 %.1f "
              "ms | max %.1f ms | p95 <= 20 ms: %s |" %
              (pct(lat, 50), pct(lat, 95), max(lat), ok(pct(lat, 95) <= 20)))
    if "restart" in ONLY:
        names, polled, runs = bench_restart()
        target = 3000 + 200  # the default poll interval + 200 ms
        groups = [("with a poll URL", [n for n in names if polled[n]]),
                  ("without a poll URL (told by the others on their server)",
                   [n for n in names if not polled[n]])]
        for label, group in groups:
            if not group:
                continue
            worst = []
            for r in runs:
                v = [r["streams"][n] for n in group]
                worst.append(None if None in v else max(x[0] for x in v))
            got = [x for x in worst if x is not None]
            text = "/".join("%.0f" % x if x is not None else "never"
                            for x in worst)
            print("| restart -> live: tac backend stopped (1012) and started "
                  "on its port, %d runs, downtime %s s; %d streams %s (%s): "
                  "slowest stream per run, ms after the new backend's "
                  "\"listening on\" | %s | median %.0f ms | max %.0f ms | "
                  "<= poll interval + 200 ms (%d ms): %s |" %
                  (len(runs), "/".join("%g" % r["down_s"] for r in runs),
                   len(group), label, ", ".join(group), text,
                   sorted(got)[len(got) // 2] if got else -1,
                   max(got) if got else -1, target,
                   ok(len(got) == len(worst) and max(got) <= target)))
    if "halfopen" in ONLY:
        for interval, timeout in ((0, 0), (500, 1000)):
            stale, fb = bench_halfopen(interval, timeout)
            label = "ping defaults 1000/3000 ms" if not interval else \
                "ping %d/%d ms" % (interval, timeout)
            print("| half-open detection (SIGSTOP), %s, 3 runs | stale "
                  "after %s ms | fallback after %s ms | | |" %
                  (label, "/".join("%.0f" % x for x in stale),
                   "/".join("%.0f" % x for x in fb)))
    if "ingest" in ONLY:
        ing = bench_ingest()
        r, cpu, kept = ing["wsdash"]
        print("| ingest, 1,000,000 x {} B messages on one stream, wsdash | "
              "{:,.0f} msg/s | {:.2f} CPU s per million | kept up with the "
              "socket: {} | |".format(ing["bytes"], r, cpu,
                                      "yes" if kept else "NO"))
        if "node" in ing:
            r2, cpu2, _ = ing["node"]
            print("| ingest, same flood, Node.js + `ws` | {:,.0f} msg/s | "
                  "{:.2f} CPU s per million | | >= 3x its rate: {} ({:.2f}x) "
                  "|".format(r2, cpu2, ok(r / r2 >= 3), r / r2))
    if "scale" in ONLY:
        live, cs, rss, idle = bench_scale()
        print("| scale: %d endpoints from one process | all live in %.1f s "
              "| peak RSS %.1f MiB | idle CPU %.1f %% of a core | RSS <= 64 "
              "MiB: %s, CPU <= 2 %%: %s |" %
              (live, cs, rss / 1024.0, idle * 100, ok(rss <= 65536),
               ok(idle <= 0.02)))
    if "idle" in ONLY:
        used = bench_idle()
        print("| idle: 3 endpoints for 60 s | %.2f CPU s | | | <= 0.2 s: %s "
              "|" % (used, ok(used <= 0.2)))


main()
