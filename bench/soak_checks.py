"""The soak's end checks (bench/soak.py): screens, recordings and process memory.

- screens: every stream file (a creator's ssh output, an SSH viewer's, a WebSocket viewer's
  since its last snapshot) is fed to tandem-soak-screen (the project's ScreenState) and each
  viewer's rows, cell attributes and cursor are compared with its creator's;
- recordings: the "o" events of each asciicast in the instance's recordings folder, decoded
  from JSON and re-encoded as UTF-8, between SOAK-BEGIN:NAME\\r\\n and SOAK-END:NAME must be
  exactly the generator's payload (byte count and SHA-256 from its --stats file): the prompt,
  the typed command and the login never fall between the markers;
- memory: RSS of tandem-broker, the tandem-sshd listener, and every tandem-sshd connection
  process and tandem-shell under the listener (walked by parent pid, so other instances on the
  machine are not counted).
"""

import glob
import hashlib
import json
import os
import subprocess


# --- screens ----------------------------------------------------------------------------------
def screens(screen_bin, rows, cols, paths):
    """{path: screen dict} from tandem-soak-screen, 64 files per call."""
    out = {}
    for i in range(0, len(paths), 64):
        run = subprocess.run([screen_bin, str(rows), str(cols), *paths[i:i + 64]],
                             capture_output=True, text=True, check=True)
        for line in run.stdout.splitlines():
            s = json.loads(line)
            out[s["file"]] = s
    return out


def screen_difference(creator, viewer):
    """None when equal, else a sentence naming the first difference."""
    if "error" in creator or "error" in viewer:
        return "unreadable stream (%s)" % (creator.get("error") or viewer.get("error"))
    for r, (a, b) in enumerate(zip(creator["rows"], viewer["rows"])):
        if a != b:
            col = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return "row %d text differs from character %d: creator %r, viewer %r" % (
                r + 1, col + 1, a, b)
    for r, (a, b) in enumerate(zip(creator["pens"], viewer["pens"])):
        if a != b:
            a, b = _per_column(a), _per_column(b)
            col = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
            return "row %d attributes differ from column %d: creator %r, viewer %r" % (
                r + 1, col + 1, a[col], b[col])
    for key in ("cursor", "cursor_visible", "alt"):
        if creator[key] != viewer[key]:
            return "%s differs: creator %s, viewer %s" % (key, creator[key], viewer[key])
    return None


def _per_column(changes):
    """A row's pen of every column, from the [[col, pen], ...] changes."""
    out = []
    for i, (col, pen) in enumerate(changes):
        stop = changes[i + 1][0] if i + 1 < len(changes) else 1000  # past any row's end
        out += [pen] * (stop - col)
    return out


# --- recordings -------------------------------------------------------------------------------
def recording_outputs(recordings_dir):
    """[(path, output bytes)] of every asciicast under recordings_dir."""
    out = []
    for path in sorted(glob.glob(os.path.join(recordings_dir, "**", "*"), recursive=True)):
        if not os.path.isfile(path):
            continue
        chunks = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f):
                if number == 0 or not line.strip():
                    continue  # the header
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # a line cut by a killed writer: counts as missing output
                if isinstance(event, list) and len(event) == 3 and event[1] == "o":
                    chunks.append(event[2])
        out.append((path, "".join(chunks).encode("utf-8")))
    return out


def check_recording(outputs, name, stats):
    """(bytes found between the markers or None, None when equal else a sentence)."""
    begin, end = b"SOAK-BEGIN:%s\r\n" % name.encode(), b"SOAK-END:%s" % name.encode()
    for path, data in outputs:
        at = data.find(begin)
        if at < 0:
            continue
        stop = data.find(end, at)
        if stop < 0:
            return None, "%s: no end marker (recording cut short)" % os.path.basename(path)
        payload = data[at + len(begin):stop]
        if len(payload) != stats["bytes"]:
            return len(payload), "%s: %d bytes between the markers, the host sent %d" % (
                os.path.basename(path), len(payload), stats["bytes"])
        if hashlib.sha256(payload).hexdigest() != stats["sha256"]:
            return len(payload), "%s: same length, different bytes (SHA-256)" % (
                os.path.basename(path))
        return len(payload), None
    return None, "no recording holds its begin marker"


# --- memory -----------------------------------------------------------------------------------
def _table():
    """{pid: (ppid, comm)} of every process."""
    procs = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                text = f.read()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        procs[int(entry)] = (int(text[text.rindex(")") + 2:].split()[1]), comm)
    return procs


def _rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pids):
    """User + system CPU seconds of the pids still running."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _hook_user(pid):
    """The bastion user a hook runs for (its --user argument): creators' hooks and SSH
    viewers' join hooks are told apart by it."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
        return args[args.index(b"--user") + 1].decode()
    except (OSError, ValueError, IndexError):
        return "?"


def sample(broker_pid, sshd_pid):
    """{group: {pid: RSS kB}} for tandem-broker, the tandem-sshd listener, its connection
    processes and the tandem-shell hooks below it."""
    procs = _table()
    below = {sshd_pid}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in procs.items():
            if ppid in below and pid not in below:
                below.add(pid)
                grew = True
    groups = {"tandem-broker": [broker_pid], "tandem-sshd (listener)": [sshd_pid],
              "tandem-sshd (per connection)": []}
    for pid in sorted(below - {sshd_pid}):
        comm = procs[pid][1]
        if comm == "tandem-sshd":
            groups["tandem-sshd (per connection)"].append(pid)
        elif comm == "tandem-shell":
            groups.setdefault("tandem-shell (--user %s)" % _hook_user(pid), []).append(pid)
    out = {}
    for name, pids in groups.items():
        out[name] = {pid: rss for pid in pids if (rss := _rss(pid)) is not None}
    return out


def allowance(rss_kb):
    """RSS growth after warm-up a process may show: 1 MiB + 2 % (allocator and queue noise;
    the largest growth seen in passing runs was 516 kB, a hook whose buffers were still filling)."""
    return 1024 + rss_kb // 50


def memory_rows(warm, end, cpu):
    """Table rows and the processes that grew past their allowance or died; cpu: {group: CPU
    seconds between the two samples}."""
    rows, grew, died = [], [], []
    for name in warm:
        a, b = warm[name], end.get(name, {})
        both = [p for p in a if p in b]
        died += ["%s pid %d" % (name, p) for p in a if p not in b]
        growth = [b[p] - a[p] for p in both]
        grew += ["%s pid %d: %d → %d kB" % (name, p, a[p], b[p]) for p in both
                 if b[p] - a[p] > allowance(a[p])]
        rows.append("| %s | %d | %d | %d | %d | %d | %+d | %+d | %.1f |" % (
            name, len(a), sum(a.values()), max(a.values(), default=0), sum(b.values()),
            max(b.values(), default=0), sum(growth), max(growth, default=0), cpu[name]))
    return rows, grew, died
