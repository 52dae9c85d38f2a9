#!/usr/bin/env python3
"""Turn a QEMU serial log into gate records.

Usage: results.py SERIAL_LOG KUNIT_PY BASELINE LIST [--config DOTCONFIG]
                  [--suites SUITES_FILE] [--uts UTSVERSION_H] [--fakehost]

Prints one record per line: "<PASS|FAIL|SKIP> <id> [detail]", for
  - boot: the guest booted and reached the end of its run (@@DONE),
  - kunit/<suite>/<case>: every KUnit case, parsed by the tree's kunit.py
    from the kernel's part of the log (before the first selftest),
  - kunit/<suite>: only when a suite is missing, crashed, reported fewer
    cases than its KTAP plan declared or had parse errors (FAIL),
  - kunit/parse: FAIL when kunit.py could not parse the log,
  - kunit/suites: every suite the config builds (SUITES_FILE filtered by
    DOTCONFIG) reported,
  - selftest/<name>: every selftest in LIST, judged against BASELINE,
  - dmesg: no WARN/BUG/lockdep/KASAN report, no W/D/B/L taint.

With --fakehost the log is of the KUnit-only boot on the fake TDX host
with Dynamic PAMT (tdx_kunit_fake_host=dpamt): the same records, the
KUnit ones as kunit-fakehost/... and the others as fakehost/..., plus
  - fakehost/state-unchanged: the kernel reported, after KUnit, that the
    fake host's TDX state is byte for byte as it set it up and that no
    KUnit test read it (FAIL when it says otherwise or said nothing).

A missing suite, a parse failure or a crash is a failure, never a silent
zero. The module is imported by the harness's own tests (tests/).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

BAD_DMESG = re.compile(
    r"WARNING:|BUG:|KASAN:|UBSAN:|Oops|Kernel panic|"
    r"general protection fault|possible circular locking|"
    r"possible recursive locking|inconsistent lock state|"
    r"suspicious RCU usage|bad unlock balance|"
    r"lockdep is turned off|held lock freed|"
    r"INFO: task .* blocked|soft lockup|hard LOCKUP")
# Where the kernel's part of the serial log ends: the first selftest or,
# without selftests, the taint line and the dmesg dump.
KERNEL_PART_END = re.compile(
    r"@@(START|TIMEOUT|RESULT|FAKEHOST|TAINT|DMESG-BEGIN|DONE)\b")
# W(9) D(7) B(5) L(14); N(18) is set by KUnit itself and is fine.
BAD_TAINT = (1 << 9) | (1 << 7) | (1 << 5) | (1 << 14)


def read_table(path):
    """Lines of a whitespace table, comments and blank lines dropped."""
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                rows.append(line.split())
    return rows


def expected_suites(suites_path, config_path):
    """{suite: option} for every suite whose option the config sets =y."""
    if not suites_path or not config_path:
        return {}
    with open(config_path) as f:
        enabled = {l.split("=")[0] for l in f if l.rstrip().endswith("=y")}
    return {row[0]: row[1] for row in read_table(suites_path)
            if len(row) >= 2 and row[1] in enabled}


def boot_only_suites(suites_path, config_path):
    """Suites marked boot-only in SUITES_FILE that the config builds."""
    if not suites_path or not config_path:
        return []
    expected = expected_suites(suites_path, config_path)
    return [row[0] for row in read_table(suites_path)
            if len(row) >= 3 and "boot-only" in row[2:] and row[0] in expected]


def boot_only_records(lines, suites):
    """kunit-boot-only/<suite>: the guest found the suite in debugfs after
    its selftests, without a "run" file (an init-section suite), so it
    cannot be run again while VMs exist."""
    seen = {}
    for line in lines:
        m = re.match(r"@@KUNIT-DEBUGFS (\S+) (run|no-run)\s*$", line)
        if m:
            seen[m.group(1)] = m.group(2)
    recs = []
    for s in suites:
        got = seen.get(s)
        if got == "no-run":
            recs.append(("PASS", f"kunit-boot-only/{s}",
                         "no debugfs run file: runs only at boot"))
        elif got == "run":
            recs.append(("FAIL", f"kunit-boot-only/{s}",
                         "has a debugfs run file: it can be run again on a "
                         "live host, where VMs would see its global hooks"))
        else:
            recs.append(("FAIL", f"kunit-boot-only/{s}",
                         "not listed in /sys/kernel/debug/kunit by the guest"))
    return recs


def ktap_plans(lines):
    """{suite: declared case count} from '# Subtest: x' + '1..N' pairs."""
    plans = {}
    for i, line in enumerate(lines):
        m = re.search(r"# Subtest: (\S+)\s*$", line)
        if not m:
            continue
        for nxt in lines[i + 1:i + 4]:
            p = re.search(r"(?:^|\s)1\.\.(\d+)\s*$", nxt)
            if p:
                plans.setdefault(m.group(1), int(p.group(1)))
                break
    return plans


def kernel_part(lines):
    """The serial log up to the first selftest: the kernel's own output.

    KUnit runs before /init; what follows the first selftest marker is
    selftest output (kvm_binary_stats_test prints its own "TAP version 13"
    and "ok N vmN" lines, which kunit.py would take for KUnit results when
    the kernel printed no KTAP) and the dmesg dump, which repeats the KTAP.
    """
    for i, line in enumerate(lines):
        if KERNEL_PART_END.match(line):
            return lines[:i]
    return lines


def run_kunit_parse(kunit_py, lines):
    """Run 'kunit.py parse --json=FILE' on LINES; return (exit code, tree
    or None, output)."""
    with tempfile.TemporaryDirectory() as d:
        lpath = os.path.join(d, "kernel.log")
        with open(lpath, "w", encoding="utf-8", errors="replace") as f:
            f.write("".join(l + "\n" for l in lines))
        jpath = os.path.join(d, "kunit.json")
        # kunit.py chdirs into the kernel tree: every path must be absolute.
        proc = subprocess.run(
            [sys.executable, os.path.abspath(kunit_py), "parse",
             f"--json={jpath}", lpath],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            with open(jpath) as f:
                tree = json.load(f)
        except (OSError, ValueError):
            tree = None
    return proc.returncode, tree, proc.stdout


def last_words(output):
    """kunit.py's last line that says something: its summary ("Testing
    complete. ...") or its error, not where it stored the JSON."""
    said = [re.sub(r"^\[\d\d:\d\d:\d\d\] ", "", l).strip()
            for l in output.splitlines()]
    said = [l for l in said if l and not l.startswith("Test results stored")]
    return (said or ["no output"])[-1][:160]


def kunit_records(lines, kunit_py, expected):
    recs = []
    lines = kernel_part(lines)
    rc, tree, output = run_kunit_parse(kunit_py, lines)
    if tree is None or rc not in (0, 1):
        recs.append(("FAIL", "kunit/parse",
                     f"kunit.py exited {rc}: {last_words(output)}"))
        tree = {}
    plans = ktap_plans(lines)
    reported = set()
    bad_cases = 0

    def walk(group, prefix):
        nonlocal bad_cases
        for case in group.get("test_cases", []):
            if not case["name"]:
                continue  # placeholder for a missing case: counted below
            st = {"PASS": "PASS", "SKIP": "SKIP"}.get(case["status"], "FAIL")
            bad_cases += st == "FAIL"
            detail = "" if st != "FAIL" else case["status"].lower()
            recs.append((st, f"kunit/{prefix}{case['name']}", detail))
        for sub in group.get("sub_groups", []):
            walk(sub, f"{prefix}{sub['name']}/")

    for suite in tree.get("sub_groups", []):
        name = suite["name"]
        reported.add(name)
        walk(suite, f"{name}/")
        n = len([c for c in suite.get("test_cases", []) if c["name"]]) + \
            len(suite.get("sub_groups", []))
        misc = suite.get("misc", {})
        problems = []
        if name in plans and n < plans[name]:
            problems.append(f"declared {plans[name]} cases, reported {n}")
        if misc.get("crashed"):
            problems.append(f"{misc['crashed']} crashed")
        if misc.get("errors") and not problems:
            problems.append(f"{misc['errors']} KTAP errors")
        if problems:
            bad_cases += 1
            recs.append(("FAIL", f"kunit/{name}", "; ".join(problems)))
    # A suite that crashed before its first case has no sub-group of its
    # own: kunit.py lists it as a top-level case.
    for case in tree.get("test_cases", []):
        if case["name"]:
            reported.add(case["name"])
            st = {"PASS": "PASS", "SKIP": "SKIP"}.get(case["status"], "FAIL")
            bad_cases += st == "FAIL"
            recs.append((st, f"kunit/{case['name']}",
                         "" if st != "FAIL" else "suite reported no cases"))

    missing = sorted(set(expected) - reported)
    for s in missing:
        recs.append(("FAIL", f"kunit/{s}",
                     f"not reported, but {expected[s]}=y builds it"))
    if expected:
        ok = not missing
        recs.append(("PASS" if ok else "FAIL", "kunit/suites",
                     f"{len(expected) - len(missing)} of {len(expected)} "
                     f"expected suites reported"))
    # kunit.py exits 1 for failing cases (recorded above) and for a run
    # that reported nothing: no KTAP at all, or KUnit built in without a
    # suite ("KTAP version 1" + "1..0"); fine only when no suite is
    # expected. Any other exit 1 is something the records do not show yet.
    empty_run = not tree.get("sub_groups") and not tree.get("test_cases")
    if rc == 1 and tree and not bad_cases and not missing and \
            not (empty_run and not expected):
        recs.append(("FAIL", "kunit/parse",
                     "kunit.py reported a failure the records do not show: "
                     + last_words(output)))
    return recs


def selftest_records(lines, baseline_path, list_path):
    recs = []
    baseline = {}
    with open(baseline_path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, status, *why = line.split(None, 2)
            baseline[name] = (status, why[0] if why else "")
    results = {}
    for line in lines:
        m = re.match(r"@@RESULT (\S+) (\S+) ?(.*)", line)
        if m:
            results[m.group(1)] = (m.group(2), m.group(3))
    for row in read_table(list_path):
        name = row[0]
        base, why = baseline.get(name, ("new", ""))
        res, detail = results.get(name, ("missing", "no result (guest died?)"))
        if res == "pass":
            recs.append(("PASS", f"selftest/{name}", detail))
        elif res == "skip":
            reason = skip_reason(lines, name)
            recs.append(("SKIP", f"selftest/{name}",
                         f"skipped by the test: {reason} ({detail})"))
        elif base in ("tcg-fail", "flaky") and res != "missing":
            # A known TCG failure is excused; a guest that died before the
            # test reported is not (the test may be what killed it).
            recs.append(("SKIP", f"selftest/{name}",
                         f"{res} ({detail}); known {base} on the baseline: "
                         f"{why}"))
        else:
            recs.append(("FAIL", f"selftest/{name}", f"{res} ({detail})"
                         + (" ; passed on the baseline"
                            if base == "pass" else "")))
    return recs


# How a skipping test says why, most specific first:
SKIP_WORDS = [
    # kselftest.h: ksft_exit_skip() -> "1..0 # SKIP <msg>" or, after a plan,
    # "ok N # SKIP <msg>"; KVM's TEST_REQUIRE() passes "- Requirement not
    # met: <cond>"; kselftest_harness.h SKIP() -> "#      SKIP      <msg>".
    re.compile(r"#\s*SKIP\b(?:\s+-)?\s*(\S.*)"),
    # KVM's print_skip(): "<msg>, skipping test"; older "<msg> - Skipping test"
    re.compile(r"^\s*(\S.*?)\s*(?:,|\s-)\s*[Ss]kipping test\b"),
    # "Skipping test: <msg>", "SKIP: <msg>"
    re.compile(r"(?:\bSKIP|[Ss]kipping(?: test)?)\s*[:-]\s*(\S.*)"),
]


def skip_reason(lines, name):
    """The test's own words for a skip, from its output after @@START.

    The last line that states a reason wins (the one printed on the way
    out); without one, the test's last line of output (a bare
    fprintf(stderr, ...); exit(KSFT_SKIP))."""
    start = f"@@START {name}"
    try:
        i = next(n for n, l in enumerate(lines) if l.strip() == start)
    except StopIteration:
        return "no reason printed"
    out = []
    for line in lines[i + 1:]:
        if line.startswith(f"@@RESULT {name} ") or \
                line.startswith("@@START "):
            break
        if line.strip() and not line.startswith("@@"):
            out.append(line.strip())
    for line in reversed(out):
        for pat in SKIP_WORDS:
            m = pat.search(line)
            if m:
                return m.group(1).strip()[:160]
    return f"last output: {out[-1][:160]}" if out else "no reason printed"


def dmesg_record(lines):
    try:
        b = lines.index("@@DMESG-BEGIN")
        e = lines.index("@@DMESG-END")
        dmesg = lines[b + 1:e]
    except ValueError:
        dmesg = lines  # no dump: look at the whole console log
    hits = [l for l in dmesg if BAD_DMESG.search(l)]
    taint = next((l[len("@@TAINT"):].strip() for l in lines
                  if l.startswith("@@TAINT")), None)
    try:
        bad_taint = taint is not None and int(taint) & BAD_TAINT
    except ValueError:
        bad_taint, taint = True, f"unreadable ({taint})"
    if hits or bad_taint or taint is None:
        why = hits[0].strip() if hits else \
            f"taint={taint}" if taint is not None else "no @@TAINT line"
        return ("FAIL", "dmesg", why[:200])
    return ("PASS", "dmesg", f"taint={taint}")


def kernel_record(lines, uts_path):
    """The booted kernel must be the one built: its "Linux version" line
    must carry UTS_VERSION from the build's utsversion.h (build number and
    time).  A boot image can hold another kernel, e.g. when ccache serves
    a stale piggy.o, and then every other record is about that kernel."""
    try:
        with open(uts_path) as f:
            uts = re.search(r'UTS_VERSION "([^"]*)"', f.read()).group(1)
    except (OSError, AttributeError):
        return ("FAIL", "kernel", f"cannot read UTS_VERSION from {uts_path}")
    booted = next((l for l in lines if "Linux version" in l), None)
    if booted is None:
        return ("FAIL", "kernel", "no 'Linux version' line in the log")
    if uts in booted:
        return ("PASS", "kernel", uts)
    got = re.search(r"#\d+ SMP.*", booted)
    return ("FAIL", "kernel", f"booted {got.group(0).strip() if got else '?'}"
            f", built {uts}")


def fakehost_record(lines):
    """The fake TDX host's own verdict, printed by guest/init after KUnit
    as "@@FAKEHOST <unchanged|changed|read>: <details>" from
    /sys/kernel/debug/tdx_kunit_fake_host. Without that line the kernel
    never set the fake host up (option off, parameter missing or
    refused) or the guest died first: nothing was shown."""
    ident = "fakehost/state-unchanged"
    rep = next((l for l in lines if l.startswith("@@FAKEHOST")), None)
    if rep is None:
        return ("FAIL", ident, "no report from the kernel: the fake host "
                "was not set up (tdx_kunit_fake_host=dpamt refused or "
                "CONFIG_INTEL_TDX_HOST_KUNIT_FAKE_HOST off) or the guest "
                "died before reading it")
    rep = rep[len("@@FAKEHOST"):].strip()
    verdict = rep.split(":", 1)[0]
    return ("PASS" if verdict == "unchanged" else "FAIL", ident, rep[:300])


def fakehost_id(ident):
    """The id of a record of the fake-host boot."""
    if ident.startswith("kunit/"):
        return "kunit-fakehost/" + ident[len("kunit/"):]
    return "fakehost/" + ident


def analyse(log_path, kunit_py, baseline_path, list_path,
            config_path=None, suites_path=None, uts_path=None,
            fakehost=False):
    with open(log_path, errors="replace") as f:
        lines = f.read().splitlines()
    recs = []
    booted = any(l.startswith("@@BOOTED") for l in lines)
    done = any(l.startswith("@@DONE") for l in lines)
    recs.append(("PASS" if booted and done else "FAIL", "boot",
                 "" if done else ("guest did not finish its run "
                                  "(panic or timeout)" if booted
                                  else "guest did not boot")))
    if uts_path:
        recs.append(kernel_record(lines, uts_path))
    recs += kunit_records(lines, kunit_py,
                          expected_suites(suites_path, config_path))
    recs += selftest_records(lines, baseline_path, list_path)
    recs += boot_only_records(lines, boot_only_suites(suites_path,
                                                      config_path))
    recs.append(dmesg_record(lines))
    if fakehost:
        recs = [(st, fakehost_id(ident), d) for st, ident, d in recs]
        recs.append(fakehost_record(lines))
    return recs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("kunit_py")
    ap.add_argument("baseline")
    ap.add_argument("list")
    ap.add_argument("--config", help="the kernel .config that was booted")
    ap.add_argument("--suites", help="config/kunit.suites")
    ap.add_argument("--uts", help="the build's include/generated/utsversion.h")
    ap.add_argument("--fakehost", action="store_true",
                    help="the log is of the boot on the fake TDX host")
    a = ap.parse_args(argv)
    for st, ident, detail in analyse(a.log, a.kunit_py, a.baseline, a.list,
                                     a.config, a.suites, a.uts, a.fakehost):
        print(f"{st} {ident}" + (f" {detail}" if detail else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
