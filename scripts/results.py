#!/usr/bin/env python3
"""Turn a QEMU serial log into result records.

Usage: results.py SERIAL_LOG KUNIT_PY BASELINE LIST

Prints one record per line: "<PASS|FAIL|SKIP> <id> [detail]", for
  - boot: the guest booted and reached the end of its run,
  - kunit/<suite>/<case>: every KUnit case, parsed by the tree's kunit.py,
  - selftest/<name>: every selftest in LIST, judged against BASELINE,
  - dmesg: no WARN/BUG/lockdep/KASAN report, no W/D/B/L taint.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

log_path, kunit_py, baseline_path, list_path = sys.argv[1:5]
text = open(log_path, errors="replace").read()
lines = text.splitlines()


def out(status, ident, detail=""):
    print(f"{status} {ident}" + (f" {detail}" if detail else ""))


booted = any(l.startswith("@@BOOTED") for l in lines)
done = any(l.startswith("@@DONE") for l in lines)
out("PASS" if booted and done else "FAIL", "boot",
    "" if done else ("guest did not finish its run (panic or timeout)"
                     if booted else "guest did not boot"))

# KUnit, with the kernel's own parser.
with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
    jpath = tmp.name
subprocess.run([sys.executable, kunit_py, "parse", "--json", jpath, log_path],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    tree = json.load(open(jpath))
except (OSError, ValueError):
    tree = None
os.unlink(jpath)


def walk(group, prefix):
    for case in group.get("test_cases", []):
        st = {"PASS": "PASS", "SKIP": "SKIP"}.get(case["status"], "FAIL")
        out(st, f"kunit/{prefix}{case['name']}")
    for sub in group.get("sub_groups", []):
        walk(sub, f"{prefix}{sub['name']}/")


if tree:
    walk(tree, "")

# Selftests against the baseline on unpatched 7.3 in the same setup.
baseline = {}
for l in open(baseline_path):
    l = l.strip()
    if not l or l.startswith("#"):
        continue
    name, status, *why = l.split(None, 2)
    baseline[name] = (status, why[0] if why else "")

results = {}
for l in lines:
    m = re.match(r"@@RESULT (\S+) (\S+) (.*)", l)
    if m:
        results[m.group(1)] = (m.group(2), m.group(3))

for l in open(list_path):
    if not l.strip() or l.lstrip().startswith("#"):
        continue
    name = l.split()[0]
    base, why = baseline.get(name, ("new", ""))
    res, detail = results.get(name, ("missing", "no result (guest died?)"))
    if res == "pass":
        out("PASS", f"selftest/{name}", detail)
    elif res == "skip":
        out("SKIP", f"selftest/{name}", f"skipped by the test ({detail})")
    elif base in ("tcg-fail", "flaky"):
        out("SKIP", f"selftest/{name}",
            f"{res} ({detail}); known {base} on the baseline: {why}")
    else:
        out("FAIL", f"selftest/{name}", f"{res} ({detail})"
            + (" ; passed on the baseline" if base == "pass" else ""))

# Kernel log: any report a test run must not produce.
bad = re.compile(r"WARNING:|BUG:|KASAN:|UBSAN:|Oops|Kernel panic|"
                 r"general protection fault|possible circular locking|"
                 r"possible recursive locking|inconsistent lock state|"
                 r"suspicious RCU usage|bad unlock balance|"
                 r"lockdep is turned off|held lock freed|"
                 r"INFO: task .* blocked|soft lockup|hard LOCKUP")
try:
    b = lines.index("@@DMESG-BEGIN")
    e = lines.index("@@DMESG-END")
    dmesg = lines[b + 1:e]
except ValueError:
    dmesg = lines  # no dump: look at the whole console log
hits = [l for l in dmesg if bad.search(l)]
taint = next((l.split()[1] for l in lines if l.startswith("@@TAINT ")), None)
# W(9) D(7) B(5) L(14); N(18) is set by KUnit itself and is fine.
bad_taint = taint is not None and int(taint) & ((1 << 9) | (1 << 7) | (1 << 5) | (1 << 14))
if hits or bad_taint or taint is None:
    why = hits[0].strip() if hits else f"taint={taint}"
    out("FAIL", "dmesg", why[:200])
else:
    out("PASS", "dmesg", f"taint={taint}")
