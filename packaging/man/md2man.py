#!/usr/bin/env python3
"""Turns one of tandem's Markdown docs into a man page (roff), at build time.

    md2man.py DOC.md NAME SECTION VERSION "ONE-LINE SUMMARY" [HELP.txt] > NAME.SECTION

A line "@HELP@" in DOC.md is replaced by HELP.txt (a program's own help text) as a code block.

Handles what docs/*.md use: headings, paragraphs, lists, fenced code and tables (a table
becomes a tagged list: first column as the tag, the rest after it). Links keep their text.
"""
import re
import sys


def inline(text):
    text = text.replace("\\", "\\e")
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append("\\fB" + p[1:-1].replace("-", "\\-") + "\\fR")
        else:
            p = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", p)
            p = re.sub(r"(?<![\w*])\*([^*]+)\*(?![\w*])", r"\\fI\1\\fR", p)
            out.append(p)
    return "".join(out)


def line_safe(text):
    # A roff line starting with . or ' would be read as a request.
    return "\\&" + text if text[:1] in (".", "'") else text


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


SEE_ALSO = ("tandem-admin(1), tandem-shell(1), tandem-sshd(8), tandem-broker(8), tandem-keys(8), "
            "tandem.conf(5); /usr/share/doc/tandem/")


def convert(lines, name, section, version, summary, see_also=SEE_ALSO):
    out = [
        f'.TH {name.upper()} {section} "" "tandem {version}" "tandem"',
        ".SH NAME",
        f"{name} \\- {summary}",
        ".SH DESCRIPTION",
    ]
    in_code = False
    header = None
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("```"):
            out.append(".EE" if in_code else ".EX")
            if in_code:
                out.append(".PP")
            in_code = not in_code
            continue
        if in_code:
            out.append(line_safe(line.replace("\\", "\\e")))
            continue
        if line.startswith("# "):
            continue  # the title: NAME says it
        m = re.match(r"^(#{2,})\s+(.*)", line)
        if m:
            macro = ".SH" if len(m.group(1)) == 2 else ".SS"
            title = m.group(2).upper() if macro == ".SH" else m.group(2)
            out.append(f'{macro} "{inline(title)}"')
            header = None
            continue
        if line.startswith("|"):
            row = cells(line)
            if all(re.fullmatch(r":?-+:?", c) for c in row):
                continue
            if header is None:
                header = row
                continue
            out.append(".TP")
            out.append(line_safe(inline(row[0])))
            rest = [f"{h}: {inline(c)}" for h, c in zip(header[1:-1], row[1:-1])]
            if rest:
                out.append(line_safe("(" + "; ".join(rest) + ")"))
            out.append(line_safe(inline(row[-1])))
            continue
        header = None
        if not line.strip():
            out.append(".PP")
            continue
        m = re.match(r"^\s*(?:[-*]|\d+\.)\s+(.*)", line)
        if m:
            out.append(".IP \\(bu 2")
            out.append(line_safe(inline(m.group(1))))
            continue
        out.append(line_safe(inline(line.strip())))
    # Collapse paragraph marks that follow one another or a heading.
    tidy = []
    for l in out:
        if l == ".PP" and tidy and (tidy[-1] == ".PP" or tidy[-1].startswith((".SH", ".SS", ".TH"))):
            continue
        tidy.append(l)
    while tidy and tidy[-1] == ".PP":
        tidy.pop()
    # A doc that starts with its own sections needs no DESCRIPTION heading of ours.
    if len(tidy) > 4 and tidy[3] == ".SH DESCRIPTION" and tidy[4].startswith(".SH"):
        del tidy[3]
    tidy += [".SH SEE ALSO", see_also]
    return "\n".join(tidy) + "\n"


def main():
    doc, name, section, version, summary = sys.argv[1:6]
    with open(doc, encoding="utf-8") as f:
        lines = f.readlines()
    if len(sys.argv) > 6:
        with open(sys.argv[6], encoding="utf-8") as f:
            help_lines = ["```\n"] + f.readlines() + ["```\n"]
        at = [i for i, l in enumerate(lines) if l.strip() == "@HELP@"]
        for i in reversed(at):
            lines[i:i + 1] = help_lines
    sys.stdout.write(convert(lines, name, section, version, summary))


if __name__ == "__main__":
    main()
