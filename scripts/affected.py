#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a change to some source files makes kbuild rebuild in a build dir.

Usage: affected.py OUT SRC [--linked FILE] [--changed FILE...] < files

Reads the paths (relative to SRC) of the files a commit changes, one a line,
and prints one verdict line:

  none <why>         nothing the kernel build compiles depends on them
  objs <obj>...      the objects (make targets, relative to OUT) whose
                     kbuild dependency record (.<obj>.cmd: source_ and
                     deps_ lines) names a changed file
  full <why>         only a full build is safe: a build file (Kconfig,
                     Makefile, Kbuild, linker script) changed, a changed
                     file feeds something other than an object (a
                     generated file), or it feeds an object the last full
                     build did not link (vdso and the like)

The dependency records are kbuild's own (fixdep), written by the last build
of OUT, so they cover every header an object includes, transitively. A new
header is only reached through a changed file that includes it, and a new
.c file only through a changed Makefile, so neither escapes.

--linked FILE: the objects the last full build linked (ar t vmlinux.a);
affected objects outside it force a full build, except the boot image's
(arch/*/boot/), which a vmlinux build never builds.
"""
import os
import re
import sys

BUILD_FILE = re.compile(r'(^|/)(Kconfig[^/]*|Makefile[^/]*|Kbuild[^/]*|[^/]*\.lds\.S)$')
NO_BUILD = re.compile(r'^(Documentation|tools|LICENSES|samples)/|(^|/)(MAINTAINERS|CREDITS)$|\.(rst|txt|md)$')


def tokens(path):
    """(target, source file, [dependency paths]) of one .cmd file."""
    target, source, deps = None, None, []
    with open(path, errors='replace') as f:
        for line in f:
            m = re.match(r'(savedcmd|source|deps)_(\S+) :=(.*)', line)
            if m:
                target = target or m.group(2)
                rest = m.group(3)
                if m.group(1) == 'source':
                    source = rest.strip()
            else:
                rest = line
            for tok in rest.split():
                if tok in ('\\', ':=') or tok.startswith('$(') or tok.endswith(')'):
                    continue
                deps.append(tok)
    return target, source, deps


def main():
    args = sys.argv[1:]
    out, src = os.path.abspath(args[0]), os.path.abspath(args[1])
    linked = None
    if '--linked' in args:
        with open(args[args.index('--linked') + 1]) as f:
            linked = {line.strip() for line in f if line.strip()}
    files = [l.strip() for l in sys.stdin if l.strip()]
    if not files:
        print('none no file changed')
        return
    # Documentation, tools/ (the selftests and their Makefiles) and the
    # like are no part of the kernel build, whatever their names.
    want = {f for f in files if not NO_BUILD.search(f)}
    if not want:
        print('none only documentation, tools or selftests changed')
        return
    build = sorted(f for f in want if BUILD_FILE.search(f))
    if build:
        print('full build files changed: ' + ' '.join(build))
        return
    # A dependency is written relative to OUT (../linux/include/...) or
    # absolute; map both to the source-relative path.
    rel = os.path.relpath(src, out) + '/'
    objs, other = set(), set()
    for d, _, names in os.walk(out):
        for n in names:
            if not (n.startswith('.') and n.endswith('.cmd')):
                continue
            target, source, deps = tokens(os.path.join(d, n))
            if not target:
                continue
            # The object of a file that does not exist at this commit is a
            # leftover of a build at another commit: nothing builds it.
            if source and not os.path.exists(os.path.join(out, source)):
                continue
            hit = False
            for t in deps:
                if t.startswith(rel):
                    t = t[len(rel):]
                elif t.startswith(src + '/'):
                    t = t[len(src) + 1:]
                if t in want:
                    hit = True
                    break
            if not hit:
                continue
            if n.endswith('.o.cmd') and target.endswith('.o'):
                objs.add(target)
            else:
                other.add(target)
    if other:
        print('full changed files feed generated targets: ' + ' '.join(sorted(other)[:5]))
        return
    objs = {o for o in objs if not re.match(r'arch/[^/]+/boot/', o)}
    if linked is not None:
        # Objects the last full build did not link need a full build.
        unlinked = {o for o in objs if os.path.normpath(o) not in linked}
        if unlinked:
            print('full changed files feed objects outside vmlinux.a: ' + ' '.join(sorted(unlinked)[:5]))
            return
    if not objs:
        print('none no object of this build depends on: ' + ' '.join(sorted(want)))
        return
    print('objs ' + ' '.join(sorted(objs)))


if __name__ == '__main__':
    main()
