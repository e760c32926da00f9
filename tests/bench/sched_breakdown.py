#!/usr/bin/python3
"""Where the time of each event-to-screen sample went, from the scheduler's
own record: is a slow sample the dashboard's doing (it ran long, or slept
on a timer such as the frame pace) or the machine's (runnable, waiting for
a CPU)?

usage:
  perf record -k CLOCK_MONOTONIC -a -e sched:sched_switch \\
      -e sched:sched_waking -o sched.data -- \\
      python3 tests/bench/dashboard_bench.py BUILD --only latency --raw lat.json
  python3 tests/bench/sched_breakdown.py sched.data lat.json

For each event (t0: the bench sends the POST; perf and the bench both use
CLOCK_MONOTONIC), from the dashboard's first wake-up by the backend after
t0 to its first wake-up of anything else (the pty's kworker or the bench:
its write to the terminal):
  queue  runnable but waiting for a CPU (sched_waking -> sched_switch in)
  run    on a CPU
  sleep  off the CPU by its own choice (poll with a timeout: the frame
         pace or a timer) -- the only part the dashboard's code decides
and after that write, until the bench's read of the bytes: "pty+bench"
(the kworker that moves pty bytes, then the bench, each may queue too).
"""
import json
import math
import re
import subprocess
import sys

data, raw = sys.argv[1], sys.argv[2]
R = json.load(open(raw))
pids = R["latency_pids"]
DASH, SRV, BENCH = pids["dashboard"], pids["server"], pids["bench"]

ev = []  # (t, kind, current_pid, a, b, prev_state)
line_re = re.compile(r"^\s*(.*?)\s+(\d+)/(\d+)\s+\[\d+\]\s+([\d.]+):\s+"
                     r"sched:(\w+):\s+(.*)$")
out = subprocess.run(["perf", "script", "-i", data, "-F",
                      "comm,pid,tid,cpu,time,event,trace"],
                     capture_output=True, text=True).stdout
for line in out.splitlines():
    m = line_re.match(line)
    if not m:
        continue
    t, kind, cur, rest = float(m.group(4)), m.group(5), int(m.group(3)), \
        m.group(6)
    if kind == "sched_waking":
        target = int(re.search(r" pid=(\d+)", rest).group(1))
        ev.append((t, "wake", cur, target, None, None))
    elif kind == "sched_switch":
        prev = int(re.search(r"prev_pid=(\d+)", rest).group(1))
        nxt = int(re.search(r"next_pid=(\d+)", rest).group(1))
        st = re.search(r"prev_state=(\S+)", rest).group(1)
        ev.append((t, "switch", cur, prev, nxt, st))
ev.sort(key=lambda e: e[0])
times = [e[0] for e in ev]


def breakdown(s):
    import bisect
    t0 = s["at"]
    t_end = t0 + s["screen"] / 1000.0
    i = bisect.bisect_left(times, t0)
    woke = None
    while i < len(ev) and ev[i][0] <= t_end:
        e = ev[i]
        if e[1] == "wake" and e[3] == DASH and e[2] == SRV:
            woke = e[0]
            break
        i += 1
    if woke is None:
        return None
    queue = run = sleep = 0.0
    state, since = "queue", woke
    wrote = None
    i += 1
    while i < len(ev) and ev[i][0] <= t_end:
        t, kind, cur, a, b, st = ev[i]
        if kind == "switch" and b == DASH and state != "run":
            if state == "queue":
                queue += t - since
            else:
                sleep += t - since
            state, since = "run", t
        elif kind == "switch" and a == DASH and state == "run":
            run += t - since
            state = "queue" if st.startswith("R") else "sleep"
            since = t
        elif kind == "wake" and a == DASH and state == "sleep":
            sleep += t - since
            state, since = "queue", t
        elif kind == "wake" and cur == DASH and a not in (DASH, SRV):
            wrote = t
            break
        i += 1
    if wrote is None:
        return None
    if state == "run":
        run += wrote - since
    elif state == "queue":
        queue += wrote - since
    else:
        sleep += wrote - since
    return {"to_wake": (woke - t0) * 1e3, "queue": queue * 1e3,
            "run": run * 1e3, "sleep": sleep * 1e3,
            "after": (t_end - wrote) * 1e3, "total": s["screen"]}


def pct(v, p):
    v = sorted(v)
    return v[max(0, min(len(v) - 1, math.ceil(p / 100.0 * len(v)) - 1))]


rows = [b for b in (breakdown(s) for s in R["latency"]) if b]
print("%d of %d events matched in the trace" % (len(rows), len(R["latency"])))
print("| part (ms) | p50 | p99 | max |")
print("|---|---:|---:|---:|")
for k, label in (("to_wake", "POST -> backend wakes the dashboard"),
                 ("queue", "dashboard runnable, waiting for a CPU"),
                 ("run", "dashboard on a CPU"),
                 ("sleep", "dashboard asleep by choice (timers, pace)"),
                 ("after", "its pty write -> bench read (kworker, bench)"),
                 ("total", "total, POST -> screen")):
    v = [r[k] for r in rows]
    print("| %s | %.2f | %.2f | %.2f |" % (label, pct(v, 50), pct(v, 99),
                                           max(v)))
print("\nslowest events:")
print("| total | to wake | queue | run | sleep | after |")
print("|---:|---:|---:|---:|---:|---:|")
for r in sorted(rows, key=lambda r: -r["total"])[:8]:
    print("| %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |" %
          (r["total"], r["to_wake"], r["queue"], r["run"], r["sleep"],
           r["after"]))
