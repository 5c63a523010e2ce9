#!/usr/bin/env python3
"""Fan-out benchmark driver (run by bench/fanout.sh, which sets up the instance).

One creator session through tandem-sshd (the real ssh client on a PTY) is shared once; its
invite is joined by WebSocket viewers (tandem-viewer-swarm) and SSH viewers (ssh join@bastion
TOKEN on PTYs). Host-side scripts print into the creator's shell:
  bulk      base64 payload between BULK-BEGIN/BULK-END markers (SHA-256 checked), then @@E<n>@@
  producer  a fixed rate (1 MB/s) of text, each 10 ms chunk led by a @@T<ns since epoch>@@
            line; lag = arrival time - T (one machine, one clock); then @@E<n>@@
Each run ends with a marker of its own: a screen still showing an older one (a joiner's first
snapshot) must not end the next.
The peer for terminal fan-out is tmux: N `tmux attach` clients on PTYs of one session fed by
the same producer. Figures are reported, never asserted; exit 1 only when a path fails.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import select
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_bench import (BULK_SCRIPT, Client, PathFailed, file_digest,  # noqa: E402
                         machine_description, measure_bulk)
from fanout_procs import (proc_cpu, proc_mem, procs_named, pty_reader_lags,  # noqa: E402
                          quantile)

PRODUCER = r"""import sys, time
rate, seconds, end = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3].encode()
tick = 0.01
filler = (b"abcdefghijklmnopqrstuvwxyz0123456789" * 3)[:78] + b"\n"
out = sys.stdout.buffer
start, n = time.monotonic(), 0
while n * tick < seconds:
    head = b"@@T%d@@\n" % time.time_ns()
    out.write(head + filler * max(0, (int(rate * tick) - len(head)) // len(filler)))
    out.flush()
    n += 1
    pause = start + n * tick - time.monotonic()
    if pause > 0:
        time.sleep(pause)
out.write(b"@@" + end + b"@@\n")
out.flush()
"""
SHARED_BULK = """stty raw -echo
printf 'BULK%s\\n' '-BEGIN'
cat {payload}
printf 'BULK%s\\n' '-END'
stty sane
printf '@@%s@@\\n' "$1"
"""
# What follows "join@" in the `ssh -p PORT join@HOST TOKEN` line `share` prints (a JWS token).
INVITE = re.compile(rb"\S+ ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)[^A-Za-z0-9_.-]")
TIMEOUT = 60.0
BATCH = 8  # idle-session logins in flight at once (see phase_idle)


def drain(c, settle=0.4):
    while select.select([c.fd], [], [], settle)[0]:
        if not c.read(0):
            raise PathFailed("the client ended:\n" + c.shown())


class Bench:
    def __init__(self, a):
        self.a = a
        self.ssh = ["ssh", "-F", a.ssh_config, "-tt"]
        self.size, self.digest = file_digest(a.payload)
        self.bulk = os.path.join(a.workdir, "shared_bulk.sh")
        self.pj_bulk = os.path.join(a.workdir, "pj_bulk.sh")
        self.producer = os.path.join(a.workdir, "producer.py")
        for path, text in ((self.bulk, SHARED_BULK.format(payload=shlex.quote(a.payload))),
                           (self.pj_bulk, BULK_SCRIPT.format(payload=shlex.quote(a.payload))),
                           (self.producer, PRODUCER)):
            with open(path, "w") as f:
                f.write(text)
        self.token = None
        self.runs = 0
        self.out = []  # Markdown lines of the report

    # --- the creator's session -----------------------------------------------------------
    def open_creator(self):
        c = Client(self.ssh + ["bastion", self.a.account])
        c.wait_for_shell()
        return c

    def share(self, c):
        c.write(b"\x1d")
        c.expect(b"[tandem]", 20)
        c.write(b"share\r")
        buf = c.expect(b"join@", 20)
        while not INVITE.match(buf):
            buf += c.read(20)
        token = INVITE.match(buf).group(1).decode()
        c.write(b"\r")
        drain(c)
        return token

    def next_end(self):
        self.runs += 1
        return "E%d" % self.runs

    def read_until_end(self, c, end, first=b"", count_bulk=False):
        """Reads the creator (hashing the bulk payload when count_bulk) until it showed
        @@END@@. Returns the time the payload's last byte arrived."""
        h, got, end_time = hashlib.sha256(), 0, None
        marker = b"@@%s@@" % end.encode()
        tail, seen = b"", False  # seen: later output may push the marker out of the tail
        buf = first
        received = []
        while True:
            if buf:
                if count_bulk and got < self.size:
                    take = buf[: self.size - got]
                    h.update(take)
                    received.append(take)
                    got += len(take)
                    if got >= self.size:
                        end_time = time.perf_counter()
                    buf = buf[len(take):]
                tail += buf
                seen = seen or marker in tail
                tail = tail[-64:]
            if seen and (not count_bulk or end_time):
                if count_bulk and h.hexdigest() != self.digest:
                    raise PathFailed("shared bulk: the bytes received differ from the payload%s"
                                     % self.first_difference(b"".join(received)))
                return end_time
            if not select.select([c.fd], [], [], TIMEOUT)[0]:
                raise PathFailed("output stalled; creator's last output:\n" + c.shown())
            buf = c.read(0)
            if not buf:
                raise PathFailed("the creator's client ended:\n" + c.shown())

    def first_difference(self, got):
        with open(self.a.payload, "rb") as f:
            want = f.read()
        at = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)))
        return " (first at byte %d of %d: got %r, expected %r)" % (
            at, len(want), got[max(0, at - 40):at + 80], want[max(0, at - 40):at + 80])

    def bulk_mbps(self, c, end):
        # The viewers' "joined" notices first: one drawn in the middle of the payload would be
        # counted as the payload (the command's first key closes one still showing).
        drain(c, 0.5)
        c.write(("sh %s %s\r" % (self.bulk, end)).encode())
        first = c.expect(b"BULK-BEGIN\n", TIMEOUT)
        start = time.perf_counter()
        end_time = self.read_until_end(c, end, first, count_bulk=True)
        drain(c, 0.2)
        return self.size / (end_time - start) / 1e6

    # --- WebSocket viewers -----------------------------------------------------------------
    def swarm(self, viewers, end="-", stalled=0, joins=0, timeout=120):
        argv = ["--end", "@@%s@@" % end, "--port", str(self.a.web_port), "--ca", self.a.ca,
                "--cookie", self.a.cookie, "--origin", self.a.origin, "--token", self.token,
                "--viewers", str(viewers), "--stalled", str(stalled), "--timeout", str(timeout)]
        if joins:
            argv += ["--joins", str(joins)]
        argv.insert(0, self.a.swarm)
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        if not joins:
            ready, _, _ = select.select([p.stdout], [], [], 180)
            line = p.stdout.readline().strip() if ready else ""
            if line != "ready":
                p.kill()
                raise PathFailed("the viewer swarm did not get ready: %r" % line)
        return p

    def swarm_result(self, p):
        # Not communicate(timeout=...): it reads the raw pipe and would miss what readline()
        # buffered. The swarm ends by its own --timeout.
        out = p.stdout.read()
        p.wait()
        lines = out.strip().splitlines()
        if p.returncode != 0 or not lines or not lines[-1].startswith("{"):
            raise PathFailed("the viewer swarm failed (status %d): %r" % (p.returncode, out))
        r = json.loads(lines[-1])
        time.sleep(1.0)  # the broker notices the closed viewers before the next phase
        return r

    def piped_ssh_viewers(self, n, end):
        """n invitees `ssh -tt join@…` (a terminal on the bastion's side) whose output goes
        through pipes to grep, which ends at the end marker: native readers, so this driver,
        reading every viewer in one Python loop, is not what paces them. tr first makes every
        escape a line break: a repainted screen positions its rows with escapes, not newlines,
        and grep looks at whole lines (and unbuffered, or the last block waits in tr)."""
        vs = []
        for _ in range(n):
            ssh = subprocess.Popen(self.ssh + ["join", self.token], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            tr = subprocess.Popen(["stdbuf", "-o0", "tr", "\\033", "\\n"], stdin=ssh.stdout,
                                  stdout=subprocess.PIPE)
            grep = subprocess.Popen(["grep", "-a", "-m1", "-q", "-F", "@@%s@@" % end],
                                    stdin=tr.stdout, stdout=subprocess.DEVNULL)
            ssh.stdout.close()  # the readers' now
            tr.stdout.close()
            vs.append((ssh, tr, grep))
        time.sleep(2.0)
        return vs

    @staticmethod
    def close_piped(vs):
        for procs in vs:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()

    def piped_note(self, vs):
        """Waits for the piped viewers to see the end, then closes them; how many did."""
        saw = 0
        for *_, grep in vs:
            try:
                saw += grep.wait(timeout=TIMEOUT) == 0
            except subprocess.TimeoutExpired:
                pass
        self.close_piped(vs)
        if saw < len(vs):
            raise PathFailed("%d of %d SSH viewers never showed the end marker" % (
                len(vs) - saw, len(vs)))
        return "%d of %d saw the end" % (saw, len(vs))

    # --- phases ----------------------------------------------------------------------------
    def phase_bulk(self, c):
        a = self.a
        pj = measure_bulk(self.ssh + ["target-via-jump"], self.pj_bulk, self.size, self.digest)
        rows = [("proxyjump (no sharing)", pj, "")]
        one = None
        rows.append(("tandem, shared, no viewer", self.bulk_mbps(c, self.next_end()), ""))
        for n in a.web_counts:
            end = self.next_end()
            p = self.swarm(n, end)
            mbps = self.bulk_mbps(c, end)
            r = self.swarm_result(p)
            rows.append(("tandem, %d WebSocket viewer(s)" % n, mbps, self.viewer_note(r)))
            one = mbps if n == 1 else one
            if r["joined"] != n:
                raise PathFailed("only %d of %d WebSocket viewers joined" % (r["joined"], n))
        end = self.next_end()
        vs = self.piped_ssh_viewers(a.ssh_viewers, end)
        try:
            mbps = self.bulk_mbps(c, end)
            rows.append(("tandem, %d SSH viewers" % a.ssh_viewers, mbps, self.piped_note(vs)))
        finally:
            self.close_piped(vs)
        time.sleep(1.0)
        # The target case: one invitee in a terminal and one in a browser.
        end = self.next_end()
        vs = self.piped_ssh_viewers(1, end)
        try:
            p = self.swarm(1, end)
            mbps = self.bulk_mbps(c, end)
            r = self.swarm_result(p)
            rows.append(("tandem, 1 SSH + 1 WebSocket viewer", mbps,
                         "SSH: %s; WebSocket: %s" % (self.piped_note(vs), self.viewer_note(r))))
        finally:
            self.close_piped(vs)
        time.sleep(1.0)
        end = self.next_end()
        p = self.swarm(1, end, stalled=1)
        mbps = self.bulk_mbps(c, end)
        r = self.swarm_result(p)
        one = one or rows[1][1]
        rows.append(("tandem, 1 WebSocket viewer + 1 stalled", mbps,
                     "%.1f %% of 1 viewer; %s" % (100 * mbps / one, self.viewer_note(r))))
        self.stalled_cost = 1 - mbps / one
        self.out += ["## Bulk throughput of the shared session", "",
                     "%.1f MB of base64 `cat` through the host's PTY, SHA-256 checked at the creator."
                     % (self.size / 1e6), "",
                     "| path | MB/s | vs ProxyJump | viewers |", "|---|---:|---:|---|"]
        for name, mbps, note in rows:
            self.out.append("| %s | %.1f | %.2f× | %s |" % (name, mbps, mbps / pj, note))
            print("%-42s %8.1f MB/s  %.2f×  %s" % (name, mbps, mbps / pj, note), flush=True)
        self.out.append("")

    @staticmethod
    def viewer_note(r):
        return "joined %d, finished %d, dropped %d, refused %d, resynced %d" % (
            r["joined"], r["finished"], r["dropped"], r["refused"], r["resynced"])

    def phase_lag(self, c):
        a = self.a
        self.out += ["## %d kB/s producer to N viewers, %g s each" % (a.rate // 1000, a.seconds), "",
                     "| who | N | lag p50 ms | lag p99 ms | max ms | dropped | resynced | "
                     "fan-out CPU % of a core | fan-out RSS MB |",
                     "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        cmd = "python3 %s %d %g" % (self.producer, a.rate, a.seconds)  # + the end marker
        bpid = a.broker_pid
        for n in a.lag_counts:
            end = self.next_end()
            p = self.swarm(n, end, timeout=a.seconds + 60)
            cpu0, t0 = proc_cpu(bpid), time.monotonic()
            c.write(("%s %s\r" % (cmd, end)).encode())
            self.read_until_end(c, end)
            cpu = (proc_cpu(bpid) - cpu0) / (time.monotonic() - t0) * 100
            rss = proc_mem(bpid)[0] / 1024
            r = self.swarm_result(p)
            drain(c, 0.2)
            self.lag_row("tandem WebSocket", n, r["lag_p50_ms"], r["lag_p99_ms"], r["lag_max_ms"],
                         r["dropped"] + r["unfinished"], r["resynced"], cpu, rss)
            series = r.get("lag_series") or {}
            if series.get("max_ms"):
                # Where in the run the lag builds (worst per second, resyncs per second).
                print("  worst lag per second (ms): %s" % " ".join(
                    "%.0f" % x for x in series["max_ms"]), flush=True)
                print("  resyncs per second: %s" % " ".join(
                    str(x) for x in series["resyncs"]), flush=True)
            self.lag[n] = r
        for n in a.tmux_counts:
            self.tmux_lag(n, cmd)
        self.out.append("")

    def lag_row(self, who, n, p50, p99, mx, dropped, resynced, cpu, rss):
        row = "| %s | %d | %.1f | %.1f | %.1f | %s | %s | %.0f | %.1f |" % (
            who, n, p50, p99, mx, dropped, resynced, cpu, rss)
        self.out.append(row)
        print(row, flush=True)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.tmux_socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=True).stdout.strip()

    def tmux_start(self):
        self.tmux_socket = "tandem-fanout-%d" % os.getpid()
        self.tmux("new-session", "-d", "-s", "bench", "-x", "80", "-y", "24", "sh")
        return int(self.tmux("display-message", "-p", "-t", "bench", "#{pid}"))

    def tmux_lag(self, n, cmd):
        server = self.tmux_server
        clients = [Client(["tmux", "-L", self.tmux_socket, "attach", "-t", "bench"])
                   for _ in range(n)]
        try:
            time.sleep(1.0 + n / 200)
            for cl in clients:
                drain(cl, 0.05)
            cpu0, t0 = proc_cpu(server), time.monotonic()
            end = self.next_end()
            self.tmux("send-keys", "-t", "bench", "%s %s" % (cmd, end), "Enter")
            lags, finished = pty_reader_lags(clients, b"@@%s@@" % end.encode(),
                                             timeout=self.a.seconds + 60)
            cpu = (proc_cpu(server) - cpu0) / (time.monotonic() - t0) * 100
            rss = proc_mem(server)[0] / 1024
            self.lag_row("tmux (peer)", n, quantile(lags, .5), quantile(lags, .99),
                         quantile(lags, 1), n - finished, "-", cpu, rss)
        finally:
            self.kill_all(clients)

    @staticmethod
    def kill_all(clients):
        # SIGKILL first: Client.close() gives each client 5 s after SIGTERM, which 1000 tmux
        # clients of a server that went away turn into an hour.
        for cl in clients:
            try:
                os.kill(cl.pid, 9)
            except OSError:
                pass
        for cl in clients:
            cl.close()

    def phase_join(self, c):
        a = self.a
        c.write(b"clear; printf 'JOIN%s\\n' '-SCREEN'\r")
        drain(c)
        r = self.swarm(0, joins=a.joins)  # each join ends at its first snapshot
        web = self.swarm_result(r)
        # SSH joins, and plain OpenSSH logins to the managed host running one command as the
        # peer: each split at the client's "Authenticated to" (LogLevel VERBOSE), so the
        # client's start, key exchange and authentication are told apart from what follows.
        ssh, ssh_auth, plain, plain_auth, tmux = [], [], [], [], []
        for _ in range(a.joins):
            auth, done = self.timed_login(["join", self.token])
            ssh_auth.append(auth)
            ssh.append(done)
            auth, done = self.timed_login(["target", "printf 'JOIN%s\\n' -SCREEN"])
            plain_auth.append(auth)
            plain.append(done)
        if subprocess.run(["tmux", "-L", self.tmux_socket, "has-session"]).returncode != 0:
            self.tmux_server = self.tmux_start()  # the server may not survive 1000 clients
        self.tmux("send-keys", "-t", "bench", "clear; printf 'JOIN%s\\n' '-SCREEN'", "Enter")
        time.sleep(0.5)
        for _ in range(a.joins):
            t0 = time.perf_counter()
            v = Client(["tmux", "-L", self.tmux_socket, "attach", "-t", "bench"])
            v.expect(b"JOIN-SCREEN", TIMEOUT)
            tmux.append((time.perf_counter() - t0) * 1000)
            v.close()
        self.joins = (web, ssh)
        self.out += ["## Join to full screen (%d joins each, one after another)" % a.joins, "",
                     "| how | p50 ms | p99 ms |", "|---|---:|---:|",
                     "| WebSocket (TCP + TLS + upgrade + join → first snapshot; %d of %d joined, "
                     "%d refused) | %.1f | %.1f |" % (web["joined"], a.joins, web["refused"],
                                                      web["join_p50_ms"], web["join_p99_ms"]),
                     "| SSH `join@` (ssh process start → screen drawn) | %.1f | %.1f |"
                     % (quantile(ssh, .5), quantile(ssh, .99)),
                     "| … of which ssh start, key exchange, authentication | %.1f | %.1f |"
                     % (quantile(ssh_auth, .5), quantile(ssh_auth, .99)),
                     "| … of which authenticated → screen drawn (tandem's join) | %.1f | %.1f |"
                     % (quantile([d - t for d, t in zip(ssh, ssh_auth)], .5),
                        quantile([d - t for d, t in zip(ssh, ssh_auth)], .99)),
                     "| OpenSSH login to the host running one command, peer (process start → "
                     "output) | %.1f | %.1f |" % (quantile(plain, .5), quantile(plain, .99)),
                     "| … of which ssh start, key exchange, authentication | %.1f | %.1f |"
                     % (quantile(plain_auth, .5), quantile(plain_auth, .99)),
                     "| tmux attach, peer (process start → screen drawn) | %.1f | %.1f |"
                     % (quantile(tmux, .5), quantile(tmux, .99)), ""]
        print("\n".join(self.out[-10:]), flush=True)

    def timed_login(self, args):
        """ms from starting `ssh` to its "Authenticated to" line, and to the JOIN-SCREEN mark."""
        t0 = time.perf_counter()
        v = Client(self.ssh + ["-o", "LogLevel=VERBOSE"] + args)
        try:
            v.expect(b"Authenticated to", TIMEOUT)
            auth = (time.perf_counter() - t0) * 1000
            v.expect(b"JOIN-SCREEN", TIMEOUT)
            return auth, (time.perf_counter() - t0) * 1000
        finally:
            v.close()

    @staticmethod
    def until_shells(clients):
        """Types the probe into every client, again every 0.25 s (keys typed before the host's
        shell ran are lost), until each shell ran it. Retyping often keeps the figure a login's,
        not the probe's: a batch waits for its slowest member at every step."""
        waiting = {c.fd: [c, b"", 0.0] for c in clients}
        deadline = time.monotonic() + TIMEOUT
        while waiting:
            now = time.monotonic()
            if now > deadline:
                raise PathFailed("a host's shell never answered")
            for entry in waiting.values():
                if now >= entry[2]:
                    entry[0].write(b"echo PRO''BE-OK\r")
                    entry[2] = now + 0.25
            for fd in select.select(list(waiting), [], [], 0.2)[0]:
                entry = waiting[fd]
                data = entry[0].read(0)
                if not data:
                    raise PathFailed("a client ended during login:\n" + entry[0].shown())
                entry[1] = (entry[1] + data)[-64:]
                if b"PROBE-OK" in entry[1]:
                    del waiting[fd]

    def phase_idle(self):
        a = self.a
        n = a.idle
        time.sleep(1.0)
        b0 = proc_mem(a.broker_pid)
        clients = []
        try:
            # Batches of 8 logins in flight, each step run for the whole batch so the handshakes
            # overlap (one by one, 500 logins take many minutes). 8: under MaxStartups' 10 of
            # tandem-sshd and the host's sshd, which drop unauthenticated connections past it.
            for i in range(0, n, BATCH):
                batch = [Client(self.ssh + ["bastion", a.account]) for _ in range(min(BATCH, n - i))]
                if i and i % 100 == 0:
                    print("  %d idle shared sessions open" % i, flush=True)
                clients += batch
                self.until_shells(batch)
                for cl in batch:
                    cl.write(b"\x1d")
                for cl in batch:
                    cl.expect(b"[tandem]", TIMEOUT)
                    cl.write(b"share\r")
                for cl in batch:
                    buf = cl.expect(b"join@", TIMEOUT)
                    while not INVITE.match(buf):
                        buf += cl.read(TIMEOUT)
                    cl.write(b"\r")
            time.sleep(2.0)
            for cl in clients:
                drain(cl, 0.01)
            b1 = proc_mem(a.broker_pid)
            shells = [proc_mem(p) for p in procs_named("tandem-shell")]
            conns = [proc_mem(p) for p in procs_named("tandem-sshd") if p != a.sshd_pid]
        finally:
            self.kill_all(clients)
        avg = lambda xs, i: sum(x[i] for x in xs) / max(1, len(xs))  # noqa: E731
        self.idle_per_session = (b1[0] - b0[0]) / n
        self.out += ["## %d idle shared sessions" % n, "",
                     "| what | RSS kB | PSS kB |", "|---|---:|---:|",
                     "| tandem-broker, per session (growth / %d) | %.0f | %.0f |"
                     % (n, (b1[0] - b0[0]) / n, (b1[1] - b0[1]) / n),
                     "| tandem-broker, total with %d sessions | %d | %d |" % (n, b1[0], b1[1]),
                     "| tandem-shell, each (%d processes) | %.0f | %.0f |"
                     % (len(shells), avg(shells, 0), avg(shells, 1)),
                     "| tandem-sshd, per connection (%d processes) | %.0f | %.0f |"
                     % (len(conns), avg(conns, 0), avg(conns, 1)), ""]
        print("\n".join(self.out[-7:]), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("ssh-config", "account", "payload", "workdir", "swarm", "ca", "cookie",
                 "origin", "out"):
        ap.add_argument("--" + name, required=True)
    for name in ("web-port", "broker-pid", "sshd-pid", "ssh-viewers", "joins", "idle", "rate"):
        ap.add_argument("--" + name, type=int, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--web-counts", type=lambda s: [int(x) for x in s.split(",")], required=True)
    ap.add_argument("--lag-counts", type=lambda s: [int(x) for x in s.split(",")], required=True)
    ap.add_argument("--tmux-counts", type=lambda s: [int(x) for x in s.split(",")], required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--command", default="bench/fanout.sh")
    ap.add_argument("--phases", default="bulk,lag,join,idle",
                    help="which phases to run (comma-separated), e.g. join,idle")
    a = ap.parse_args()
    b = Bench(a)
    b.lag = {}
    load0 = os.getloadavg()[0]
    b.tmux_server = b.tmux_start()
    creator = None
    try:
        creator = b.open_creator()
        b.token = b.share(creator)
        for name in a.phases.split(","):
            phase = getattr(b, "phase_" + name)
            t0 = time.monotonic()
            phase(creator) if phase != b.phase_idle else phase()
            print("(%s took %.0f s)" % (phase.__name__, time.monotonic() - t0), flush=True)
    except (PathFailed, subprocess.SubprocessError, OSError, ValueError, IndexError) as e:
        print("fanout: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        if creator:
            creator.close()
        subprocess.run(["tmux", "-L", b.tmux_socket, "kill-server"], capture_output=True)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = ["# Fan-out benchmark%s" % (" (smoke: too small to mean anything)" if a.smoke else ""),
            "", "- Date: %s" % now, "- Machine: %s" % machine_description(),
            "- Load average (1 min) before/after: %.2f / %.2f" % (load0, os.getloadavg()[0]),
            "- Command: `%s`" % a.command, ""]
    report = "\n".join(head + b.out) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(report)
    print("report written to %s" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
