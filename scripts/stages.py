#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Did a gate run pass through every stage it should have?

Usage: stages.py TIMES RESULTS STAGE...
TIMES holds "<seconds> stage <name>" lines (gate.sh writes one as each
stage ends), RESULTS the records "<PASS|FAIL|SKIP> <id> ...". A stage
counts as run when it has a time line and at least one record was written
while it ran. Prints what it found; exits 1 when a stage is missing or
empty, so a stage that is skipped without a record fails the gate.
"""
import sys

# The record ids each stage writes (prefixes).
OWNS = {
    'apply': ('base/', 'apply/'),
    'harness': ('harness', 'mutant-live/'),
    'checkpatch': ('checkpatch/', 'whitespace/'),
    'bisect': ('postings', 'build/0', 'link/', 'cross-', 'selftests-build/'),
    'final-build': ('config', 'build/final', 'kunit/expected', 'selftests-build'),
    'w1': ('w1', 'clang-w1', 'kernel-doc'),
    'send': ('send/',),
    'prod-build': ('build/no-kunit',),
    'boot': ('boot', 'kunit/', 'selftest/', 'dmesg', 'kernel', 'fakehost/',
             'kunit-fakehost/'),
}


def main():
    times, results, stages = sys.argv[1], sys.argv[2], sys.argv[3:]
    ran = set()
    for line in open(times):
        f = line.split()
        if len(f) >= 3 and f[1] == 'stage':
            ran.add(f[2])
    ids = [l.split()[1] for l in open(results) if len(l.split()) >= 2]
    missing, empty = [], []
    for st in stages:
        if st not in ran:
            missing.append(st)
        elif not any(i.startswith(OWNS.get(st, (st,))) for i in ids):
            empty.append(st)
    if missing or empty:
        print('stages not run: %s; stages without a record: %s' %
              (' '.join(missing) or '-', ' '.join(empty) or '-'))
        sys.exit(1)
    print('%d stages ran, each with its records' % len(stages))


if __name__ == '__main__':
    main()
