#!/usr/bin/env python3
"""Relay benchmark driver: bulk PTY output and keystroke echo latency over several SSH paths.

Every path is a command line that opens an interactive shell on the same managed host with a
PTY there (`ssh -tt ...`). The driver runs that command on a PTY of its own, as a person's
terminal would, waits until the host's shell answers, then types one line that replaces the
shell with a small script on the host (the host is on this machine, so the scripts and the
payload are plain files):

  bulk: `stty raw -echo`, a start marker, `cat PAYLOAD`, an end marker. The payload's bytes
        are hashed as they arrive and compared with the file's SHA-256; MB/s (10^6 bytes/s)
        is measured from the start marker to the payload's last byte.
  echo: `stty raw -echo isig`, a ready marker, `cat`. One byte is written, its echo awaited,
        and the round trip timed; after a warm-up, N round trips give p50 and p99. Ctrl-C
        ends it.

Each path is measured `--runs` times (paths interleaved per round) and the median of the
per-run figures is reported. Standard library only.
"""

import argparse
import datetime
import hashlib
import os
import platform
import pty
import select
import shlex
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
import tty
import fcntl

ROWS, COLS = 24, 80
READY_TIMEOUT = 30.0  # seconds until the host's shell must answer the probe
STALL_TIMEOUT = 30.0  # seconds without any byte during a measurement
EXIT_TIMEOUT = 15.0  # seconds for the client to exit once the host script ended

BULK_SCRIPT = """stty raw -echo
printf 'BULK%s\\n' '-BEGIN'
cat {payload}
printf 'BULK%s\\n' '-END'
"""
ECHO_SCRIPT = """trap 'stty sane; exit 0' INT
stty raw -echo isig
printf 'ECHO%s\\n' '-READY'
cat
"""


class PathFailed(Exception):
    """The path did not behave as a working SSH relay (not a performance verdict)."""


class Client:
    """One SSH client process on a PTY of its own, like a person's terminal."""

    def __init__(self, argv):
        self.argv = argv
        self.tail = b""  # the last output, for error messages
        pid, fd = pty.fork()
        if pid == 0:
            try:
                tty.setraw(0)
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.environ["TERM"] = "xterm-256color"
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.status = None

    def _remember(self, data):
        self.tail = (self.tail + data)[-2048:]

    def read(self, timeout):
        """Returns the next chunk of output; b"" at EOF; raises on timeout."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            raise PathFailed("no output for %.0f s; last output:\n%s" % (timeout, self.shown()))
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the client closed the PTY
            data = b""
        self._remember(data)
        return data

    def write(self, data):
        os.write(self.fd, data)

    def expect(self, marker, timeout, buffered=b""):
        """Reads until marker; returns the bytes after it."""
        deadline = time.monotonic() + timeout
        buf = buffered
        while marker not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PathFailed("%r did not arrive; last output:\n%s" % (marker, self.shown()))
            data = self.read(left)
            if not data:
                raise PathFailed("client ended before %r; last output:\n%s" % (marker, self.shown()))
            buf = buf[-len(marker):] + data if len(buf) > 4096 else buf + data
        return buf[buf.index(marker) + len(marker):]

    def wait_for_shell(self):
        """Types an idempotent probe until the host's shell runs it, then waits for quiet."""
        # The typed text is `PRO''BE-OK`; only a shell that ran it prints PROBE-OK.
        probe = b"echo PRO''BE-OK\r"
        deadline = time.monotonic() + READY_TIMEOUT
        seen = b""
        next_probe = 0.0
        while b"PROBE-OK" not in seen:
            now = time.monotonic()
            if now >= deadline:
                raise PathFailed("the host's shell never answered; last output:\n" + self.shown())
            if now >= next_probe:
                self.write(probe)
                next_probe = now + 1.0
            ready, _, _ = select.select([self.fd], [], [], min(0.1, deadline - now))
            if ready:
                data = self.read(0)
                if not data:
                    raise PathFailed("client ended during login; output:\n" + self.shown())
                seen = seen[-64:] + data
        # Let every queued probe run to completion so nothing trails into the measurement.
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0.4)
            if not ready:
                return
            if not self.read(0):
                raise PathFailed("client ended after login; output:\n" + self.shown())

    def finish(self):
        """Drains output until the client exits; returns its exit status."""
        deadline = time.monotonic() + EXIT_TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready and not self.read(0):
                break
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = status
                break
        self.close()
        return os.waitstatus_to_exitcode(self.status)

    def close(self):
        if self.status is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if not done:
                os.kill(self.pid, signal.SIGTERM)
                deadline = time.monotonic() + 5
                while not done and time.monotonic() < deadline:
                    time.sleep(0.02)
                    done, status = os.waitpid(self.pid, os.WNOHANG)
                if not done:
                    os.kill(self.pid, signal.SIGKILL)
                    _, status = os.waitpid(self.pid, 0)
            self.status = status
        try:
            os.close(self.fd)
        except OSError:
            pass

    def shown(self):
        return self.tail.decode("utf-8", "replace")


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return os.path.getsize(path), h.hexdigest()


def measure_bulk(argv, script, size, digest):
    client = Client(argv)
    try:
        client.wait_for_shell()
        client.write(b"exec sh " + script.encode() + b"\r")
        rest = client.expect(b"BULK-BEGIN\n", STALL_TIMEOUT)
        start = time.perf_counter()
        h = hashlib.sha256()
        got = 0
        chunk = rest
        while True:
            take = chunk[: size - got]
            h.update(take)
            got += len(take)
            if got >= size:
                end = time.perf_counter()
                rest = chunk[len(take):]
                break
            chunk = client.read(STALL_TIMEOUT)
            if not chunk:
                raise PathFailed("output ended after %d of %d bytes" % (got, size))
        if h.hexdigest() != digest:
            raise PathFailed("checksum mismatch: the %d bytes received differ from the file" % size)
        client.expect(b"BULK-END\n", STALL_TIMEOUT, rest)
        code = client.finish()
        if code != 0:
            raise PathFailed("client exited with %d after the bulk transfer; last output:\n%s"
                             % (code, client.shown()))
        return size / (end - start) / 1e6
    finally:
        client.close()


def measure_echo(argv, script, count, warmup):
    client = Client(argv)
    try:
        client.wait_for_shell()
        client.write(b"exec sh " + script.encode() + b"\r")
        rest = client.expect(b"ECHO-READY\n", STALL_TIMEOUT)
        if rest:
            raise PathFailed("unexpected output after the ready marker: %r" % rest[:64])
        samples = []
        for i in range(warmup + count):
            byte = bytes([ord("a") + i % 26])
            t0 = time.perf_counter_ns()
            client.write(byte)
            data = client.read(STALL_TIMEOUT)
            t1 = time.perf_counter_ns()
            if data != byte:
                raise PathFailed("sent %r, got back %r" % (byte, data[:64]))
            if i >= warmup:
                samples.append((t1 - t0) / 1e6)
        client.write(b"\x03")
        client.finish()
        q = statistics.quantiles(samples, n=100, method="inclusive")
        return q[49], q[98]
    finally:
        client.close()


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ssh = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip()
    return "%d cores, %s, Linux %s, %s" % (os.cpu_count(), cpu, platform.release(), ssh)


def fmt_delta(value):
    return "%+.3f" % value


def render(results, order, baseline, args, size, load_before):
    load_after = os.getloadavg()[0]
    busy = max(load_before, load_after) > 0.5 * (os.cpu_count() or 1)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Relay benchmark%s" % (" (smoke: sizes too small to mean anything)" if args.smoke else ""),
        "",
        "- Date: %s" % now,
        "- Machine: %s" % machine_description(),
        "- Load average (1 min) before/after: %.2f / %.2f%s" % (
            load_before, load_after,
            " — the machine was busy with other work, so the figures are noisy" if busy else ""),
        "- Bulk: %.1f MB of base64 text `cat` through the host's PTY, SHA-256 verified; "
        "echo: %d single-byte round trips through `cat` on a raw PTY (after %d warm-up)"
        % (size / 1e6, args.echoes, args.warmup),
        "- Each path run %d times, paths interleaved; figures are the median of the runs"
        % args.runs,
        "",
        "| path | bulk MB/s | vs %s | echo p50 ms | p50 − %s | echo p99 ms | p99 − %s |"
        % (baseline, baseline, baseline),
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    med = {}
    for name in order:
        r = results[name]
        med[name] = (statistics.median(r["mbps"]), statistics.median(r["p50"]),
                     statistics.median(r["p99"]))
    b = med[baseline]
    for name in order:
        m = med[name]
        lines.append("| %s | %.1f | %.2f× | %.3f | %s | %.3f | %s |" % (
            name, m[0], m[0] / b[0], m[1], fmt_delta(m[1] - b[1]), m[2], fmt_delta(m[2] - b[2])))
    if args.target and args.target in med:
        t = med[args.target]
        checks = [
            # Issue 11: with the broker running, as deployed.
            ("throughput ≥ 0.95× %s" % baseline, t[0] >= 0.95 * b[0], "%.2f×" % (t[0] / b[0])),
            ("echo p50 ≤ %s + 0.1 ms" % baseline, t[1] <= b[1] + 0.1, fmt_delta(t[1] - b[1]) + " ms"),
            ("echo p99 ≤ %s + 2 ms" % baseline, t[2] <= b[2] + 2.0, fmt_delta(t[2] - b[2]) + " ms"),
        ]
        lines += ["", "Targets for %s (informational, never asserted):" % args.target, ""]
        for label, ok, value in checks:
            lines.append("- %s: %s (%s)" % (label, "met" if ok else "MISSED", value))
    lines += ["", "Per-run figures (MB/s; p50/p99 ms):", ""]
    for name in order:
        r = results[name]
        runs = ", ".join("%.1f; %.3f/%.3f" % x for x in zip(r["mbps"], r["p50"], r["p99"]))
        lines.append("- %s: %s" % (name, runs))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--path", action="append", required=True, metavar="NAME=COMMAND",
                    help="a path to measure: its name and the client command line (shell words)")
    ap.add_argument("--baseline", required=True, help="the path ratios are computed against")
    ap.add_argument("--target", help="the path the issue's targets apply to")
    ap.add_argument("--payload", required=True, help="file the host cats (bulk output)")
    ap.add_argument("--workdir", required=True, help="where the host-side scripts are written")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--echoes", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--smoke", action="store_true", help="label the report as a smoke run")
    ap.add_argument("--out", help="also write the Markdown report here")
    args = ap.parse_args()

    paths = []
    for spec in args.path:
        name, _, command = spec.partition("=")
        if not name or not command:
            ap.error("--path wants NAME=COMMAND, got %r" % spec)
        paths.append((name, shlex.split(command)))
    order = [name for name, _ in paths]
    if args.baseline not in order:
        ap.error("--baseline names no --path")

    payload = os.path.abspath(args.payload)
    size, digest = file_digest(payload)
    bulk_script = os.path.join(args.workdir, "host_bulk.sh")
    echo_script = os.path.join(args.workdir, "host_echo.sh")
    with open(bulk_script, "w") as f:
        f.write(BULK_SCRIPT.format(payload=shlex.quote(payload)))
    with open(echo_script, "w") as f:
        f.write(ECHO_SCRIPT)

    load_before = os.getloadavg()[0]
    results = {name: {"mbps": [], "p50": [], "p99": []} for name in order}
    failed = []
    for run in range(1, args.runs + 1):
        for name, argv in paths:
            if name in failed:
                continue
            try:
                mbps = measure_bulk(argv, bulk_script, size, digest)
                p50, p99 = measure_echo(argv, echo_script, args.echoes, args.warmup)
            except PathFailed as e:
                print("FAIL %s (run %d): %s" % (name, run, e), file=sys.stderr, flush=True)
                failed.append(name)
                continue
            r = results[name]
            r["mbps"].append(mbps)
            r["p50"].append(p50)
            r["p99"].append(p99)
            print("run %d %-10s %8.1f MB/s  echo p50 %.3f ms  p99 %.3f ms"
                  % (run, name, mbps, p50, p99), flush=True)

    if failed:
        print("relay_bench: %d of %d paths failed: %s" % (len(failed), len(order), ", ".join(failed)),
              file=sys.stderr)
        return 1
    report = render(results, order, args.baseline, args, size, load_before)
    print()
    print(report, end="")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
