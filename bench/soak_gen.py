#!/usr/bin/env python3
"""The soak's host-side generator (bench/soak.sh): a deterministic mix of terminal output.

    soak_gen.py --id NAME --seed S --bytes N [--rate BYTES_PER_S] [--stats FILE] [--hold]

Writes, on stdout (the host's PTY, set raw by the caller so no byte is translated):
  SOAK-BEGIN:NAME\\r\\n, then the payload, then SOAK-END:NAME\\r\\n
The payload is a sequence of pieces drawn by random.Random(S) until N bytes are out: full-screen
redraws on the alternate screen (cursor moves, partial updates, a scroll region), SGR colours
(16, 256 and RGB; bold, italic, underline, reverse), UTF-8 text with wide CJK characters and
combining marks, and bulk lines scrolling on the main screen. It ends on the main screen with a
final still screen (cleared, 20 rows drawn) and the end marker on row 22. The payload depends only
on S and N, never on timing; --rate only paces it (token bucket, 50 ms ticks). --stats gets a
JSON line {"bytes": payload bytes, "sha256", "pieces", "seconds"} once the end marker is out.
--hold then waits for one byte on stdin before it exits, so the end marker stays the session's
last output (no shell prompt after it racing the screen comparison).
Without --rate the payload is written at once: `soak_gen.py --id 3 --seed 103 --bytes N >file`
reproduces a session's input.
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time

ROWS, COLS = 24, 80
WORDS = ["tandem", "bastion", "session", "relay", "viewer", "shared", "écran", "größe", "ñandú",
         "Ελληνικά", "кириллица", "漢字", "日本語", "한국어", "中文字符", "─┼─", "█▓▒░", "→←↑↓",
         "e\u0301", "a\u0308o\u0323", "ｆｕｌｌ", "0xdeadbeef", "[ok]", "{json:1}", "~/src"]


def width(s):
    """Columns s takes (wide CJK and fullwidth forms 2, combining marks 0, else 1)."""
    w = 0
    for ch in s:
        o = ord(ch)
        if 0x300 <= o <= 0x36F:
            continue
        w += 2 if (0x1100 <= o <= 0x115F or 0x2E80 <= o <= 0xA4CF or 0xAC00 <= o <= 0xD7A3
                   or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFF60) else 1
    return w


class Mix:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.alt = False

    def sgr(self):
        r = self.r
        parts = [r.choice(["0", "1", "3", "4", "7", "1;4", "22", "23", "24", "27"])]
        k = r.randrange(4)
        if k == 0:
            parts.append(str(r.choice([30, 31, 32, 33, 34, 35, 36, 37, 90, 96, 39])))
        elif k == 1:
            parts.append("38;5;%d" % r.randrange(256))
        elif k == 2:
            parts.append("38;2;%d;%d;%d" % (r.randrange(256), r.randrange(256), r.randrange(256)))
        if r.random() < 0.5:
            parts.append(r.choice(["4%d" % r.randrange(8), "48;5;%d" % r.randrange(256),
                                   "48;2;%d;%d;%d" % (r.randrange(256), r.randrange(256),
                                                      r.randrange(256)), "49"]))
        return "\x1b[%sm" % ";".join(parts)

    def text(self, cols):
        """Coloured words filling at most cols columns."""
        out, used = [], 0
        while True:
            word = self.r.choice(WORDS)
            w = width(word) + 1
            if used + w > cols:
                break
            out.append((self.sgr() if self.r.random() < 0.4 else "") + word + " ")
            used += w
        return "".join(out) + "\x1b[0m"

    def full_screen(self):
        """A full redraw on the alternate screen, like top or a TUI's first paint."""
        out = [] if self.alt else ["\x1b[?1049h"]
        self.alt = True
        out.append("\x1b[0m\x1b[H\x1b[2J")
        for row in range(1, ROWS + 1):
            out.append("\x1b[%d;1H" % row + self.text(COLS - 1))
        return "".join(out)

    def partial(self):
        """Cursor-addressed updates of some cells, erase-line and a scroll region."""
        r = self.r
        out = []
        for _ in range(r.randrange(3, 12)):
            row, col = r.randrange(1, ROWS + 1), r.randrange(1, COLS - 20)
            out.append("\x1b[%d;%dH" % (row, col) + r.choice(["", "\x1b[K"]) + self.text(18))
        if r.random() < 0.3:
            top = r.randrange(2, 10)
            bottom = r.randrange(top + 2, ROWS)
            out.append("\x1b[%d;%dr\x1b[%d;1H" % (top, bottom, bottom))
            out.append("".join("\r\n" + self.text(COLS - 1) for _ in range(r.randrange(1, 6))))
            out.append("\x1b[%d;1H\x1bM\x1bM" % top)  # reverse index: scrolls the region down
            out.append("\x1b[r")
        return "".join(out)

    def leave_alt(self):
        self.alt = False
        return "\x1b[0m\x1b[?1049l"

    def bulk(self):
        """Plain and coloured lines scrolling on the main screen."""
        out = [self.leave_alt()] if self.alt else []
        for _ in range(self.r.randrange(5, 40)):
            if self.r.random() < 0.5:
                line = "".join(self.r.choice("abcdefghijklmnopqrstuvwxyz0123456789 ")
                               for _ in range(self.r.randrange(0, 2 * COLS)))
            else:
                line = self.text(self.r.randrange(10, COLS))
            out.append(line + "\r\n")
        return "".join(out)

    def piece(self):
        k = self.r.random()
        if k < 0.2:
            return self.full_screen()
        if k < 0.55:
            return self.partial() if self.alt else self.bulk()
        if k < 0.6 and self.alt:
            return self.leave_alt()
        return self.bulk()

    def final_screen(self):
        """A still main screen: cleared, rows 1-20 drawn, the cursor on row 22."""
        out = [self.leave_alt() if self.alt else "", "\x1b[r\x1b[0m\x1b[H\x1b[2J"]
        for row in range(1, 21):
            out.append("\x1b[%d;1H" % row + self.text(COLS - 1))
        out.append("\x1b[22;1H")
        return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--id", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--bytes", type=int, required=True)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--stats")
    ap.add_argument("--hold", action="store_true")
    a = ap.parse_args()
    out = sys.stdout.buffer
    mix = Mix(a.seed)
    h, total, pieces = hashlib.sha256(), 0, 0
    tick = 0.05
    start = time.monotonic()
    out.write(b"SOAK-BEGIN:%s\r\n" % a.id.encode())
    out.flush()
    while total < a.bytes:
        data = mix.piece().encode()
        out.write(data)
        h.update(data)
        total += len(data)
        pieces += 1
        if a.rate:
            out.flush()
            pause = start + total / a.rate - time.monotonic()
            if pause > 0:
                time.sleep(max(pause, tick))
    data = mix.final_screen().encode()
    out.write(data)
    h.update(data)
    total += len(data)
    out.write(b"SOAK-END:%s\r\n" % a.id.encode())
    out.flush()
    if a.stats:
        with open(a.stats, "w") as f:
            json.dump({"bytes": total, "sha256": h.hexdigest(), "pieces": pieces + 1,
                       "seconds": round(time.monotonic() - start, 3)}, f)
            f.write("\n")
    if a.hold:
        os.read(0, 1)


if __name__ == "__main__":
    main()
