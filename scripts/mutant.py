#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Apply a mutants/*.mutant file to a kernel tree (format: mutants/README.md).

Usage: mutant.py [--check [--rev REV]] TREE MUTANT
Exit 3 and a "stale: ..." line when the mutant's text no longer matches the
tree. With --check nothing is written: the gate uses it to keep every
mutant live against the queue; --rev reads the files of commit REV of the
git tree TREE instead of its checkout (for an "at: N" mutant, patch N).
"""
import subprocess
import sys


def parse(path):
    groups, cur, meta = [], None, {}
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        key, _, val = line.partition(": ")
        if line.endswith(":") and not val:
            key, val = line[:-1], ""
        if key in ("tests", "at", "fakehost"):
            meta[key] = val.strip()
            continue
        if key == "file":
            cur = {"file": val}
            groups.append(cur)
        elif cur is not None and key in ("anchor", "find", "replace"):
            cur[key] = val
    return groups, meta


def main():
    args = sys.argv[1:]
    check = args and args[0] == "--check"
    if check:
        args = args[1:]
    rev = None
    if args and args[0] == "--rev":
        rev, args = args[1], args[2:]
    tree, path = args
    groups, _ = parse(path)
    if not groups:
        print(f"stale: {path} changes nothing")
        sys.exit(3)
    texts = {}
    for g in groups:
        p = f"{tree}/{g['file']}"
        try:
            if p in texts:
                text = texts[p]
            elif rev:
                text = subprocess.run(["git", "-C", tree, "show", f"{rev}:{g['file']}"],
                                      capture_output=True, text=True, check=True).stdout
            else:
                text = open(p).read()
        except (OSError, subprocess.CalledProcessError):
            print(f"stale: {g['file']} does not exist")
            sys.exit(3)
        start = text.find(g["anchor"]) if g.get("anchor") else 0
        at = text.find(g["find"], start) if start >= 0 else -1
        if at < 0 or "replace" not in g:
            print(f"stale: '{g.get('find')}' not found after '{g.get('anchor')}' in {g['file']}")
            sys.exit(3)
        texts[p] = text[:at] + g["replace"] + text[at + len(g["find"]):]
    for p, text in texts.items():
        if not check:
            open(p, "w").write(text)
        print(("matches " if check else "mutated ") + p[len(tree) + 1:])


if __name__ == "__main__":
    main()
