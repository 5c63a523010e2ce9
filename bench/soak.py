#!/usr/bin/env python3
"""Soak driver (run by bench/soak.sh, which sets up the instance; see docs/benchmarks.md).

N creators log in through tandem-sshd (the real ssh client on a PTY) and `share`; each share is
joined by V viewers: WebSocket ones (tandem-viewer-swarm --sessions, every viewer's screen bytes
to a file) and SSH ones (`ssh join@ TOKEN` on PTYs). Every creator then runs bench/soak_gen.py
on the host (PTY raw) for --seconds at --rate. Every PTY's output goes to a file. At the end
(every client showed its session's end marker, then a settle) the checks of soak_checks.py run:
screens, recordings, RSS at warm-up end vs the end, processes alive, viewers not dropped.
Exit 1 on any difference, drop, death or (full run) RSS growth past the allowance.
"""

import argparse
import datetime
import json
import os
import select
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_bench import ROWS, COLS, PathFailed, machine_description  # noqa: E402
from fanout import INVITE  # noqa: E402
import soak_checks  # noqa: E402
from soak_clients import TIMEOUT, Tap, pump, pump_until_quiet, until_shells  # noqa: E402

BATCH = 8  # logins in flight at once (under MaxStartups 10 of both sshds)
SETTLE = 3.0  # quiet seconds after the last end marker before the screens are read


class Soak:
    def __init__(self, a):
        self.a = a
        self.ssh = ["ssh", "-F", a.ssh_config, "-tt"]
        self.streams = os.path.join(a.workdir, "streams")
        self.stats = os.path.join(a.workdir, "stats")
        os.makedirs(self.streams)
        os.makedirs(self.stats)
        self.names = ["s%03d" % i for i in range(a.sessions)]
        self.creators, self.ssh_viewers, self.tokens = {}, {}, {}
        self.swarm = None
        self.failures = []
        self.controls = []  # did a planted screen difference and a planted byte count show
        self.out = []

    def all_taps(self):
        return list(self.creators.values()) + [v for vs in self.ssh_viewers.values() for v in vs]

    def end_marker(self, name):
        return b"SOAK-END:" + name.encode()

    def open_creators(self):
        for i in range(0, len(self.names), BATCH):
            batch = self.names[i:i + BATCH]
            taps = [Tap(self.ssh + ["bastion", self.a.account],
                        os.path.join(self.streams, n + ".creator"), self.end_marker(n))
                    for n in batch]
            self.creators.update(zip(batch, taps))
            until_shells(taps)
            for t in taps:
                t.write(b"\x1d")
            for t in taps:
                t.expect(b"[tandem]", TIMEOUT)
                t.write(b"share\r")
            for n, t in zip(batch, taps):
                buf = t.expect(b"join@", TIMEOUT)
                while not INVITE.match(buf):
                    buf += t.read(TIMEOUT)
                self.tokens[n] = INVITE.match(buf).group(1).decode()
                t.write(b"\r")
            print("  %d of %d creators logged in and shared" % (len(self.creators), len(self.names)),
                  flush=True)

    def open_web_viewers(self, per_session):
        sessions = os.path.join(self.a.workdir, "sessions.txt")
        with open(sessions, "w") as f:
            for n in self.names:
                f.write("%s %s SOAK-END:%s\n" % (n, self.tokens[n], n))
        argv = [self.a.swarm, "--sessions", sessions, "--record", self.streams,
                "--viewers", str(per_session), "--port", str(self.a.web_port), "--ca", self.a.ca,
                "--cookie", self.a.cookie, "--origin", self.a.origin,
                "--timeout", str(self.a.seconds * 3 + 600)]
        self.swarm = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        # The creators are drained meanwhile: join notices are drawn on their screens.
        ready = select.poll()
        ready.register(self.swarm.stdout.fileno(), select.POLLIN)
        pump(self.all_taps(), 300, lambda: ready.poll(0) != [])
        line = self.swarm.stdout.readline().strip()
        if line != b"ready":
            raise PathFailed("the viewer swarm did not get ready: %r" % line)

    def open_ssh_viewers(self, per_session):
        todo = [(n, k) for n in self.names for k in range(per_session)]
        for i in range(0, len(todo), BATCH):
            batch = []
            for n, k in todo[i:i + BATCH]:
                t = Tap(self.ssh + ["join", self.tokens[n]],
                        os.path.join(self.streams, "%s.ssh%d" % (n, k)), self.end_marker(n))
                self.ssh_viewers.setdefault(n, []).append(t)
                batch.append(t)
            pump(self.all_taps(), TIMEOUT, lambda: all(t.carry for t in batch))
        # Proof each is live: a marker typed in every creator's shell reaches its viewers.
        for n, c in self.creators.items():
            c.write(b"echo SOAK''-READY:%s\r" % n.encode())
        wanted = {id(v): b"SOAK-READY:" + n.encode() for n, vs in self.ssh_viewers.items()
                  for v in vs}
        seen = set()

        def live():
            for vs in self.ssh_viewers.values():
                for v in vs:
                    if wanted[id(v)] in v.tail:
                        seen.add(id(v))
            return len(seen) == len(wanted)
        pump(self.all_taps(), TIMEOUT, live)
        if not live():
            raise PathFailed("%d SSH viewers did not show the live marker" % (len(wanted) - len(seen)))

    def stream(self):
        a = self.a
        total = int(a.rate * a.seconds)
        for i, (n, c) in enumerate(self.creators.items()):
            stats = os.path.join(self.stats, n + ".json")
            c.write(("stty raw -echo; python3 %s --id %s --seed %d --bytes %d --rate %d "
                     "--stats %s --hold; stty sane\r"
                     % (a.gen, n, a.seed * 1000 + i, total, a.rate, stats)).encode())
        t0 = time.monotonic()
        taps = self.all_taps()
        pump(taps, a.warmup)
        self.rss_warm = soak_checks.sample(a.broker_pid, a.sshd_pid)
        self.cpu_warm = {k: soak_checks.cpu_seconds(v) for k, v in self.rss_warm.items()}
        self.warm_at = time.monotonic() - t0
        pump(taps, a.seconds * 3 + 300, lambda: all(t.saw_end or t.eof for t in taps))
        self.streamed_s = time.monotonic() - t0
        if self.swarm:  # every WebSocket viewer saw its end marker too ("ended")
            ended = select.poll()
            ended.register(self.swarm.stdout.fileno(), select.POLLIN)
            pump(taps, TIMEOUT, lambda: ended.poll(0) != [])
        pump_until_quiet(taps, SETTLE, TIMEOUT)
        self.rss_end = soak_checks.sample(a.broker_pid, a.sshd_pid)
        self.cpu = {k: soak_checks.cpu_seconds(self.rss_warm[k]) - self.cpu_warm[k]
                    for k in self.rss_warm}
        for t in taps:
            t.file.flush()
            if t.eof:
                self.failures.append("%s ended (its ssh client saw EOF)" % os.path.basename(t.path))
            elif not t.saw_end:
                self.failures.append("%s never showed its end marker" % os.path.basename(t.path))

    def stop_swarm(self):
        if not self.swarm:
            return {"viewers": 0, "joined": 0, "dropped": 0, "refused": 0, "resynced": 0,
                    "finished": 0, "bytes": 0, "lost": []}
        self.swarm.stdin.close()
        out = self.swarm.stdout.read().decode()
        self.swarm.wait()
        lines = out.strip().splitlines()
        if self.swarm.returncode != 0 or not lines or not lines[-1].startswith("{"):
            raise PathFailed("the viewer swarm failed (status %d): %r" % (self.swarm.returncode, out))
        return json.loads(lines[-1])

    def end_sessions(self):
        """SSH viewers killed, each creator's shell exited: hooks flush their recordings."""
        for vs in self.ssh_viewers.values():
            for v in vs:
                os.kill(v.pid, 9)
                v.close()
        for c in self.creators.values():
            c.write(b"q")  # the generator's --hold ends
        pump(list(self.creators.values()), 1.0)
        for c in self.creators.values():
            c.write(b"exit\r")
        pump(list(self.creators.values()), TIMEOUT, lambda: all(c.eof for c in self.creators.values()))
        for c in self.creators.values():
            c.close()
        deadline = time.monotonic() + TIMEOUT
        while any(k.startswith("tandem-shell") and v for k, v in
                  soak_checks.sample(self.a.broker_pid, self.a.sshd_pid).items()):
            if time.monotonic() > deadline:
                self.failures.append("tandem-shell processes still running 60 s after the end")
                break
            time.sleep(0.2)

    # --- the checks -----------------------------------------------------------------------------
    def compare_screens(self, web_per_session):
        files = {}  # session name -> (creator file, [(kind, viewer file)])
        for n in self.names:
            viewers = [("ssh", v.path) for v in self.ssh_viewers.get(n, [])]
            viewers += [("web", os.path.join(self.streams, "%s.w%d" % (n, k)))
                        for k in range(web_per_session)]
            files[n] = (self.creators[n].path, viewers)
        paths = [p for c, vs in files.values() for p in [c] + [v for _, v in vs]]
        got = soak_checks.screens(self.a.screen_bin, ROWS, COLS, paths)
        counts = {"ssh": [0, 0], "web": [0, 0]}  # kind -> [compared, equal]
        self.mismatched = set()
        for n, (creator, viewers) in files.items():
            # Screens that never got the final one would compare equal for nothing.
            if not any("SOAK-END:" + n in row for row in got[creator].get("rows", [])):
                self.mismatched.add(n)
                self.failures.append("%s: the creator's screen does not show the end marker" % n)
            for kind, path in viewers:
                counts[kind][0] += 1
                diff = soak_checks.screen_difference(got[creator], got[path])
                if diff is None:
                    counts[kind][1] += 1
                else:
                    self.mismatched.add(n)
                    self.failures.append("screen of %s differs from its creator's: %s" % (
                        os.path.basename(path), diff))
        # Control: a copy of the first creator's stream with one character planted on row 1
        # must compare unequal, or the comparison could not fail.
        first = files[self.names[0]][0]
        planted = os.path.join(self.a.workdir, "control.planted")
        shutil.copy(first, planted)
        with open(planted, "ab") as f:
            f.write(b"\x1b7\x1b[1;1HX\x1b8")
        control = soak_checks.screens(self.a.screen_bin, ROWS, COLS, [planted])[planted]
        self.controls = [soak_checks.screen_difference(got[first], control) is not None]
        return counts

    def compare_recordings(self):
        outputs = soak_checks.recording_outputs(self.a.recordings)
        compared = equal = host_bytes = 0
        for n in self.names:
            path = os.path.join(self.stats, n + ".json")
            if not os.path.exists(path):
                self.failures.append("%s: the generator wrote no stats (it did not finish)" % n)
                continue
            with open(path) as f:
                stats = json.load(f)
            host_bytes += stats["bytes"]
            self.gen_seconds = max(getattr(self, "gen_seconds", 0), stats["seconds"])
            compared += 1
            _, diff = soak_checks.check_recording(outputs, n, stats)
            if compared == 1:  # control: one byte more than the recording holds must show
                off = dict(stats, bytes=stats["bytes"] + 1)
                self.controls.append(soak_checks.check_recording(outputs, n, off)[1] is not None)
            if diff is None:
                equal += 1
            else:
                self.mismatched.add(n)
                self.failures.append("recording of %s: %s" % (n, diff))
        return compared, equal, host_bytes

    def keep_failing_inputs(self):
        """Every stream of a mismatched session and its generator's command, in --keep."""
        for n in sorted(self.mismatched):
            dest = os.path.join(self.a.keep, n)
            os.makedirs(dest, exist_ok=True)
            for name in os.listdir(self.streams):
                if name.startswith(n + "."):
                    shutil.copy(os.path.join(self.streams, name), dest)
            i = self.names.index(n)
            with open(os.path.join(dest, "README"), "w") as f:
                f.write("host input: python3 bench/soak_gen.py --id %s --seed %d --bytes %d\n" % (
                    n, self.a.seed * 1000 + i, int(self.a.rate * self.a.seconds)))
                f.write("files: NAME.creator (creator's ssh output), NAME.sshK (SSH viewer K), "
                        "NAME.wK (WebSocket viewer K since its last snapshot)\n")
        if self.mismatched:
            print("failing sessions' inputs kept in %s" % self.a.keep, flush=True)


def file_bytes(paths):
    return sum(os.path.getsize(p) for p in paths if os.path.exists(p))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("ssh-config", "account", "workdir", "swarm", "screen-bin", "gen", "ca", "cookie",
                 "origin", "recordings", "out", "keep"):
        ap.add_argument("--" + name, required=True)
    for name in ("web-port", "broker-pid", "sshd-pid", "sessions", "viewers", "ssh-viewers",
                 "rate", "seed"):
        ap.add_argument("--" + name, type=int, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--warmup", type=float, required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--command", default="bench/soak.sh")
    a = ap.parse_args()
    web = a.viewers - a.ssh_viewers
    shutil.rmtree(a.keep, ignore_errors=True)  # failures of an earlier run
    s = Soak(a)
    load0 = os.getloadavg()[0]
    t0 = time.monotonic()
    try:
        s.open_creators()
        if web > 0:
            s.open_web_viewers(web)
        s.open_ssh_viewers(a.ssh_viewers)
        setup_s = time.monotonic() - t0
        print("all %d viewers joined after %.0f s; streaming" % (a.sessions * a.viewers, setup_s),
              flush=True)
        s.stream()
        print("streamed %.0f s; checking" % s.streamed_s, flush=True)
        swarm = s.stop_swarm()
        creator_bytes = file_bytes([c.path for c in s.creators.values()])
        ssh_bytes = file_bytes([v.path for vs in s.ssh_viewers.values() for v in vs])
        screen_counts = s.compare_screens(web)
        s.end_sessions()
        print("sessions ended %.0f s after the start; checking recordings" % (time.monotonic() - t0),
              flush=True)
        rec_compared, rec_equal, host_bytes = s.compare_recordings()
    except (PathFailed, subprocess.SubprocessError, OSError, ValueError) as e:
        print("soak: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        for t in s.all_taps():
            if t.status is None:
                try:
                    os.kill(t.pid, 9)
                except OSError:
                    pass
                t.close()
        if s.swarm and s.swarm.poll() is None:
            s.swarm.kill()
    if s.controls != [True, True]:
        s.failures.append("a planted difference went unseen (screen, recording): %s" % s.controls)
    for name in swarm["lost"]:
        s.failures.append("WebSocket viewer %s was dropped or refused" % name)
    if swarm["finished"] != swarm["viewers"]:
        s.failures.append("%d of %d WebSocket viewers saw their end marker" % (
            swarm["finished"], swarm["viewers"]))
    mem_rows, grew, died = soak_checks.memory_rows(s.rss_warm, s.rss_end, s.cpu)
    s.failures += ["died after warm-up: " + d for d in died]
    if not a.smoke:
        s.failures += ["RSS grew past 1 MiB + 2 %% after warm-up: %s" % g for g in grew]
    s.keep_failing_inputs()

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    verdict = "PASSED" if not s.failures else "FAILED (%d problems)" % len(s.failures)
    out = ["# Soak%s: %s" % (" (smoke)" if a.smoke else "", verdict), "",
           "- Date: %s" % now, "- Machine: %s" % machine_description(),
           "- Load average (1 min) before/after: %.2f / %.2f" % (load0, os.getloadavg()[0]),
           "- Command: `%s`" % a.command, "",
           "| what | figure |", "|---|---:|",
           "| shared sessions | %d |" % a.sessions,
           "| viewers | %d (%d WebSocket, %d SSH) |" % (
               a.sessions * a.viewers, a.sessions * web, a.sessions * a.ssh_viewers),
           "| set-up (logins, shares, joins) | %.0f s |" % setup_s,
           "| streaming, first byte to the last end marker | %.0f s (rate %d B/s per session) |"
           % (s.streamed_s, a.rate),
           "| the slowest generator's run (its pacing; the rest is delivery) | %.0f s |"
           % getattr(s, "gen_seconds", 0),
           "| bytes the generators sent (payload, all sessions) | %d |" % host_bytes,
           "| bytes read by the creators' ssh clients | %d |" % creator_bytes,
           "| bytes read by the SSH viewers | %d |" % ssh_bytes,
           "| bytes of terminal frames read by the WebSocket viewers | %d |" % swarm["bytes"],
           "| WebSocket viewers resynced (snapshots after the first) | %d |" % swarm["resynced"],
           "| WebSocket viewers dropped or refused | %d |" % len(swarm["lost"]),
           "| screens compared / equal, SSH viewers | %d / %d |" % tuple(screen_counts["ssh"]),
           "| screens compared / equal, WebSocket viewers | %d / %d |" % tuple(screen_counts["web"]),
           "| recordings compared / equal (payload bytes and SHA-256) | %d / %d |" % (
               rec_compared, rec_equal),
           "| controls: a planted character on a screen, a planted byte count | %s |" % (
               "both detected" if s.controls == [True, True] else "NOT detected"), "",
           "RSS in kB at the end of warm-up (%.0f s into streaming) and at the end; CPU seconds "
           "(user + system) between the two:" % s.warm_at, "",
           "| process | count | sum at warm-up | max at warm-up | sum at end | max at end | "
           "growth (sum) | growth (max of one) | CPU s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    out += mem_rows
    out += ["", "Allowance per process: 1 MiB + 2 %% of its warm-up RSS (%s)." % (
        "reported, not enforced, in the smoke" if a.smoke else "enforced"), ""]
    if s.failures:
        out += ["## Problems", ""] + ["- " + f for f in s.failures] + [""]
    report = "\n".join(out) + "\n"
    print(report, flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(report)
    return 0 if not s.failures else 1


if __name__ == "__main__":
    sys.exit(main())
