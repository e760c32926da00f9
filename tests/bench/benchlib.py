"""What the benchmarks read about a process from /proc (shared)."""
import os

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    """user + system CPU seconds of pid"""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def hwm_kib(pid):
    """peak resident set (VmHWM) of pid in KiB, -1 if unknown"""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1
