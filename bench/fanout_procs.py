"""Helpers of the fan-out benchmark: process CPU and memory from /proc, quantiles, and a PTY
reader that times @@T<ns>@@ markers in many terminals' output (the tmux peer's clients)."""

import os
import re
import select
import time

_CLK = os.sysconf("SC_CLK_TCK")
MARKER = re.compile(rb"@@T(\d{1,20})@@")


def proc_cpu(pid):
    """User+system CPU seconds of pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK


def proc_mem(pid):
    """(RSS kB, PSS kB) of pid; PSS splits shared pages among their users."""
    rss = pss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pss = rss
    return rss, pss


def procs_named(name):
    """Pids whose command name is name."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/comm" % entry) as f:
                    if f.read().strip() == name:
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def quantile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def pty_reader_lags(clients, end, timeout=120.0):
    """Reads every client's PTY until each showed end (or timeout); returns (lags in ms,
    clients that showed end). Markers cut between two reads are joined by a 32-byte carry."""
    lags = []
    carry = {c.fd: b"" for c in clients}
    done, saw_end = set(), set()
    by_fd = {c.fd: c for c in clients}
    deadline = time.monotonic() + timeout
    while len(done) < len(clients) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd for fd in by_fd if fd not in done], [], [], 1.0)
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            now = time.time_ns()
            if not data:
                done.add(fd)
                continue
            buf = carry[fd] + data
            for m in MARKER.finditer(buf):
                if m.end() > len(carry[fd]):
                    lags.append((now - int(m.group(1))) / 1e6)
            if end in buf:
                done.add(fd)
                saw_end.add(fd)
            carry[fd] = buf[-32:]
    return lags, len(saw_end)
