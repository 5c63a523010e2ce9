"""PTY clients of the soak (bench/soak.py): the real ssh client on a PTY whose every byte also
goes to a file, read with poll() so hundreds of them (file descriptors past 1024) work."""

import os
import select
import time

from relay_bench import Client, PathFailed

TIMEOUT = 60.0


class Tap(Client):
    """A Client whose output also goes to a file; read() polls (fds past 1024 are fine)."""

    def __init__(self, argv, path, end):
        super().__init__(argv)
        self.path, self.file, self.end = path, open(path, "wb"), end
        self.carry, self.saw_end, self.eof = b"", False, False

    def read(self, timeout):
        p = select.poll()
        p.register(self.fd, select.POLLIN)
        if not p.poll(timeout * 1000):
            raise PathFailed("no output for %.0f s; last output:\n%s" % (timeout, self.shown()))
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        self._remember(data)
        self.file.write(data)
        buf = self.carry + data
        self.saw_end = self.saw_end or self.end in buf
        self.carry = buf[-len(self.end):]
        self.eof = self.eof or not data
        return data


def pump(taps, seconds, until=lambda: False):
    """Reads every tap for up to `seconds` or until until() holds; a tap at EOF is kept out."""
    deadline = time.monotonic() + seconds
    p = select.poll()
    by_fd = {t.fd: t for t in taps if not t.eof}
    for fd in by_fd:
        p.register(fd, select.POLLIN)
    while not until():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        for fd, _ in p.poll(min(left, 0.5) * 1000):
            t = by_fd[fd]
            if not t.read(0):
                p.unregister(fd)


def pump_until_quiet(taps, quiet, limit):
    """Reads every tap until none showed a byte for `quiet` seconds (at most `limit`)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        sizes = [t.file.tell() for t in taps]
        pump(taps, quiet)
        if sizes == [t.file.tell() for t in taps]:
            return


def until_shells(taps):
    """Types a probe into each tap every 1.5 s until its host shell ran it."""
    waiting = {t.fd: [t, b"", 0.0] for t in taps}
    deadline = time.monotonic() + TIMEOUT
    while waiting:
        now = time.monotonic()
        if now > deadline:
            raise PathFailed("a host's shell never answered")
        for entry in waiting.values():
            if now >= entry[2]:
                entry[0].write(b"echo PRO''BE-OK\r")
                entry[2] = now + 1.5
        p = select.poll()
        for fd in waiting:
            p.register(fd, select.POLLIN)
        for fd, _ in p.poll(200):
            entry = waiting[fd]
            data = entry[0].read(0)
            if not data:
                raise PathFailed("a client ended during login:\n" + entry[0].shown())
            entry[1] = (entry[1] + data)[-64:]
            if b"PROBE-OK" in entry[1]:
                del waiting[fd]
