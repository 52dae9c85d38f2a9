#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Tests for scripts/results.py: the verdicts the gate draws from a QEMU
# serial log (boot, kunit/..., selftest/..., dmesg).
#
# Laid out like the kernel's tools/testing/kunit/kunit_tool_test.py: the
# serial logs and tables are files in tests/data/, variants of them (a
# different taint, a WARN in the dmesg dump, CRLF line ends) are written to
# a temporary directory by the test that needs them. KUnit output is parsed
# by the kernel tree's real kunit.py, found through $KUNIT_PY (default:
# work/linux/tools/testing/kunit/kunit.py, which `make tree` creates).
#
# Run: cd <repo> && /usr/bin/python3 -m pytest -q tests/

import os
import subprocess
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS_DIR)
abs_test_data_dir = os.path.join(TESTS_DIR, 'data')

sys.path.insert(0, os.path.join(REPO, 'scripts'))
import results  # noqa: E402

KUNIT_PY = os.environ.get(
	'KUNIT_PY',
	os.path.join(REPO, 'work', 'linux', 'tools', 'testing', 'kunit', 'kunit.py'))

# The KVM selftests of tests/data/tests.list, in order.
SELFTESTS = ['guest_memfd_test', 'dirty_log_test', 'kvm_page_table_test_thp',
	     'private_mem_hugepage_test', 'kvm_binary_stats_test']
# The KUnit cases of serial_clean.log, as record ids.
CLEAN_CASES = [
	'kunit/tdx_module_model/model_aug_walk_and_ownership',
	'kunit/tdx_module_model/model_demote_interruptible',
	'kunit/tdx_module_model/model_remove_wbinvd_reclaim',
	'kunit/tdx_seamcall/wrapper_aug_2m',
	'kunit/tdx_seamcall/wrapper_map_64m_counts',
]


def _test_data_path(path):
	return os.path.join(abs_test_data_dir, path)


@pytest.fixture(autouse=True)
def _no_bytecode(monkeypatch):
	# kunit.py runs from the kernel tree: leave no __pycache__ there.
	monkeypatch.setenv('PYTHONDONTWRITEBYTECODE', '1')


@pytest.fixture
def kunit_py():
	if not os.path.isfile(KUNIT_PY):
		pytest.skip(f'no kunit.py at {KUNIT_PY}: run `make tree` or '
			    'point KUNIT_PY at tools/testing/kunit/kunit.py '
			    'of a kernel tree')
	return KUNIT_PY


def analyse(log, kunit_py, config='kunit_on.config', suites='kunit.suites'):
	"""results.analyse() on LOG (a tests/data name or a path) with the
	fixture baseline, list, .config fragment and suites file."""
	if not os.path.isabs(log):
		log = _test_data_path(log)
	return results.analyse(
		log, kunit_py, _test_data_path('baseline'),
		_test_data_path('tests.list'),
		_test_data_path(config) if config else None,
		_test_data_path(suites) if suites else None)


def record(recs, ident):
	"""The one record with id IDENT."""
	found = [r for r in recs if r[1] == ident]
	assert len(found) == 1, f'{len(found)} records {ident!r} in {recs}'
	return found[0]


def kunit_ids(recs, status=None):
	return [r[1] for r in recs if r[1].startswith('kunit/')
		and (status is None or r[0] == status)]


def variant(tmp_path, name, edit):
	"""Write tests/data/NAME, passed through EDIT(lines), to TMP_PATH."""
	with open(_test_data_path(name)) as f:
		lines = f.read().splitlines()
	out = tmp_path / name
	out.write_text('\n'.join(edit(lines)) + '\n')
	return str(out)


def replace_line(old, new):
	def edit(lines):
		assert old in lines, f'{old!r} is not in the fixture'
		return [new if l == old else l for l in lines]
	return edit


def insert_before(marker, extra):
	def edit(lines):
		i = lines.index(marker)
		return lines[:i] + extra + lines[i:]
	return edit


# A clean run ---------------------------------------------------------------

def test_clean_log(kunit_py):
	recs = analyse('serial_clean.log', kunit_py)
	assert record(recs, 'boot') == ('PASS', 'boot', '')
	for case in CLEAN_CASES:
		assert record(recs, case) == ('PASS', case, '')
	# one record per case, nothing from kvm_binary_stats_test's own TAP
	assert [i for i in kunit_ids(recs) if i.count('/') == 2] == CLEAN_CASES
	assert record(recs, 'kunit/suites') == \
		('PASS', 'kunit/suites', '2 of 2 expected suites reported')
	for name in SELFTESTS:
		assert record(recs, f'selftest/{name}')[0] == 'PASS'
	assert record(recs, 'dmesg') == ('PASS', 'dmesg', 'taint=262144')
	assert [r for r in recs if r[0] != 'PASS'] == []
	assert len(recs) == 1 + len(CLEAN_CASES) + 1 + len(SELFTESTS) + 1


def test_clean_log_crlf(kunit_py, tmp_path):
	# The serial console ends its lines with CR LF.
	with open(_test_data_path('serial_clean.log')) as f:
		text = f.read()
	log = tmp_path / 'serial_crlf.log'
	log.write_bytes(text.replace('\n', '\r\n').encode())
	assert analyse(str(log), kunit_py) == \
		analyse('serial_clean.log', kunit_py)


# KUnit ---------------------------------------------------------------------

def test_kunit_failing_case(kunit_py):
	recs = analyse('serial_kunit_fail.log', kunit_py)
	assert record(recs, 'kunit/tdx_module_model/model_demote_interruptible') \
		== ('FAIL', 'kunit/tdx_module_model/model_demote_interruptible',
		    'fail')
	assert kunit_ids(recs, 'FAIL') == \
		['kunit/tdx_module_model/model_demote_interruptible']
	assert record(recs, 'kunit/tdx_module_model/model_remove_wbinvd_reclaim') \
		[0] == 'PASS'
	assert record(recs, 'kunit/suites')[0] == 'PASS'
	# a failing case is not a kernel problem
	assert record(recs, 'dmesg')[0] == 'PASS'


def test_kunit_skipped_case(kunit_py):
	recs = analyse('serial_kunit_fail.log', kunit_py)
	assert record(recs, 'kunit/tdx_seamcall/wrapper_demote_needs_feature') \
		== ('SKIP', 'kunit/tdx_seamcall/wrapper_demote_needs_feature', '')


def test_kunit_missing_option_on(kunit_py):
	recs = analyse('serial_no_kunit.log', kunit_py, config='kunit_on.config')
	assert kunit_ids(recs) == ['kunit/tdx_module_model', 'kunit/tdx_seamcall',
				   'kunit/suites']
	for suite in ('tdx_module_model', 'tdx_seamcall'):
		assert record(recs, f'kunit/{suite}') == \
			('FAIL', f'kunit/{suite}', 'not reported, but '
			 'CONFIG_INTEL_TDX_MODULE_KUNIT_TEST=y builds it')
	assert record(recs, 'kunit/suites') == \
		('FAIL', 'kunit/suites', '0 of 2 expected suites reported')


def test_kunit_missing_option_off(kunit_py):
	# Also: kvm_binary_stats_test's "TAP version 13 / ok 1 vm0" is selftest
	# output, never KUnit results.
	recs = analyse('serial_no_kunit.log', kunit_py, config='kunit_off.config')
	assert kunit_ids(recs) == []
	assert [r for r in recs if r[0] != 'PASS'] == []


def test_kunit_no_config(kunit_py):
	# Without --config no suite is expected and a log without KTAP is fine.
	recs = analyse('serial_no_kunit.log', kunit_py, config=None)
	assert kunit_ids(recs) == []


@pytest.mark.parametrize('config,expect', [
	('kunit_off.config', []),
	('kunit_on.config', [('FAIL', 'kunit/tdx_module_model'),
			     ('FAIL', 'kunit/tdx_seamcall'),
			     ('FAIL', 'kunit/suites')]),
])
def test_kunit_built_in_without_suites(kunit_py, tmp_path, config, expect):
	# KUnit built in, no suite: the executor prints "KTAP version 1" "1..0".
	log = variant(tmp_path, 'serial_no_kunit.log', insert_before(
		'Freeing unused kernel image (initmem) memory: 2148K',
		['KTAP version 1', '1..0']))
	recs = analyse(log, kunit_py, config=config)
	assert [r[:2] for r in recs if r[1].startswith('kunit/')] == expect


def test_kunit_suite_cut_by_panic(kunit_py):
	recs = analyse('serial_kunit_panic.log', kunit_py)
	assert record(recs, 'kunit/tdx_module_model/model_aug_walk_and_ownership') \
		== ('PASS', 'kunit/tdx_module_model/model_aug_walk_and_ownership',
		    '')
	assert record(recs, 'kunit/tdx_module_model') == \
		('FAIL', 'kunit/tdx_module_model',
		 'declared 3 cases, reported 1; 2 crashed')
	assert record(recs, 'kunit/tdx_seamcall')[0] == 'FAIL'
	assert record(recs, 'kunit/suites') == \
		('FAIL', 'kunit/suites', '1 of 2 expected suites reported')
	assert record(recs, 'boot') == ('FAIL', 'boot', 'guest did not boot')
	assert record(recs, 'dmesg') == \
		('FAIL', 'dmesg',
		 'BUG: kernel NULL pointer dereference, address: 0000000000000008')


def test_kunit_suite_missing(kunit_py):
	recs = analyse('serial_suite_missing.log', kunit_py)
	assert kunit_ids(recs, 'FAIL') == ['kunit/tdx_seamcall', 'kunit/suites']
	assert record(recs, 'kunit/tdx_seamcall') == \
		('FAIL', 'kunit/tdx_seamcall', 'not reported, but '
		 'CONFIG_INTEL_TDX_MODULE_KUNIT_TEST=y builds it')
	assert record(recs, 'kunit/suites') == \
		('FAIL', 'kunit/suites', '1 of 2 expected suites reported')
	assert len(kunit_ids(recs, 'PASS')) == 3


@pytest.mark.parametrize('script,detail', [
	('kunit_broken.py', "kunit.py exited 2: kunit.py: error: argument "
	 "subcommand: invalid choice: 'parse'"),
	('kunit_crash.py', 'kunit.py exited 1: ValueError: LineStream: going '
	 'past EOF, last line was ok 1 tdx_module_model'),
	('no_such_kunit.py', None),
])
def test_kunit_py_unusable(script, detail):
	# No real kunit.py needed: it is what is broken here.
	recs = analyse('serial_clean.log', _test_data_path(script))
	st, ident, got = record(recs, 'kunit/parse')
	assert (st, ident) == ('FAIL', 'kunit/parse')
	if detail:
		assert got == detail
	else:
		assert got.startswith('kunit.py exited 2: ')
	assert record(recs, 'kunit/suites')[0] == 'FAIL'


def _panic_between_suites(lines):
	"""serial_clean.log up to the end of the first suite, then the panic
	of serial_kunit_panic.log."""
	with open(_test_data_path('serial_kunit_panic.log')) as f:
		panic = f.read().splitlines()
	panic = panic[panic.index('BUG: kernel NULL pointer dereference, '
				  'address: 0000000000000008'):]
	return lines[:lines.index('ok 1 tdx_module_model') + 1] + panic


def test_kunit_panic_between_suites(kunit_py, tmp_path):
	log = variant(tmp_path, 'serial_clean.log', _panic_between_suites)
	recs = analyse(log, kunit_py)
	assert kunit_ids(recs, 'FAIL') == ['kunit/tdx_seamcall', 'kunit/suites']
	assert len(kunit_ids(recs, 'PASS')) == 3


def test_kunit_panic_between_suites_no_config(kunit_py, tmp_path):
	# Nothing expected, no case failed, but kunit.py saw a crash: that
	# must not pass silently.
	log = variant(tmp_path, 'serial_clean.log', _panic_between_suites)
	recs = analyse(log, kunit_py, config=None)
	assert record(recs, 'kunit/parse') == \
		('FAIL', 'kunit/parse', 'kunit.py reported a failure the records '
		 'do not show: Testing complete. Ran 4 tests: passed: 3, '
		 'crashed: 1, errors: 1')
	assert len(kunit_ids(recs, 'PASS')) == 3


# Selftests -----------------------------------------------------------------

def test_selftest_pass(kunit_py):
	recs = analyse('serial_selftests.log', kunit_py)
	assert record(recs, 'selftest/guest_memfd_test') == \
		('PASS', 'selftest/guest_memfd_test', 'rc=0 secs=4')


def test_selftest_timeout(kunit_py):
	recs = analyse('serial_selftests.log', kunit_py)
	assert record(recs, 'selftest/dirty_log_test') == \
		('FAIL', 'selftest/dirty_log_test',
		 'timeout (rc=137 secs=300) ; passed on the baseline')


def test_selftest_tcg_fail_is_skip(kunit_py):
	recs = analyse('serial_selftests.log', kunit_py)
	assert record(recs, 'selftest/kvm_page_table_test_thp') == \
		('SKIP', 'selftest/kvm_page_table_test_thp',
		 'fail (rc=254 secs=41); known tcg-fail on the baseline: '
		 'vcpu_worker misses its deadline on THP faults under TCG')


def test_selftest_skip(kunit_py):
	recs = analyse('serial_selftests.log', kunit_py)
	assert record(recs, 'selftest/private_mem_hugepage_test') == \
		('SKIP', 'selftest/private_mem_hugepage_test',
		 'skipped by the test: Requirement not met: '
		 'kvm_check_cap(KVM_CAP_VM_TYPES) & BIT(KVM_X86_SW_PROTECTED_VM) '
		 '(rc=4 secs=1)')


def test_selftest_tap_output_is_not_kunit(kunit_py):
	recs = analyse('serial_selftests.log', kunit_py, config='kunit_off.config')
	assert record(recs, 'selftest/kvm_binary_stats_test')[0] == 'PASS'
	assert kunit_ids(recs) == []


def test_selftest_no_result(kunit_py):
	recs = analyse('serial_guest_died.log', kunit_py)
	assert record(recs, 'selftest/guest_memfd_test')[0] == 'PASS'
	assert record(recs, 'selftest/dirty_log_test') == \
		('FAIL', 'selftest/dirty_log_test',
		 'missing (no result (guest died?)) ; passed on the baseline')
	# never ran: a tcg-fail or a new test is not excused either
	assert record(recs, 'selftest/kvm_page_table_test_thp') == \
		('FAIL', 'selftest/kvm_page_table_test_thp',
		 'missing (no result (guest died?))')
	assert record(recs, 'selftest/private_mem_hugepage_test') == \
		('FAIL', 'selftest/private_mem_hugepage_test',
		 'missing (no result (guest died?))')
	assert record(recs, 'boot') == \
		('FAIL', 'boot', 'guest did not finish its run (panic or timeout)')
	assert record(recs, 'dmesg') == \
		('FAIL', 'dmesg',
		 'BUG: unable to handle page fault for address: ffffc90000a3f000')


# The real words of skipping selftests (tools/testing/selftests/kselftest.h,
# kselftest_harness.h, kvm/include/test_util.h, kvm/lib/).
@pytest.mark.parametrize('output,reason', [
	# TEST_REQUIRE(f) -> ksft_exit_skip("- Requirement not met: ...")
	(['Random seed: 0x6b8b4567',
	  '1..0 # SKIP - Requirement not met: kvm_has_cap(KVM_CAP_VM_TYPES)'],
	 'Requirement not met: kvm_has_cap(KVM_CAP_VM_TYPES)'),
	# ksft_exit_skip() with its own words
	(['1..0 # SKIP No GUEST_MEMFD_FLAG_HUGE_PAGES for SW-protected VMs'],
	 'No GUEST_MEMFD_FLAG_HUGE_PAGES for SW-protected VMs'),
	# ksft_exit_skip() after a plan, then ksft_print_cnts()
	(['TAP version 13', '1..4', 'ok 1 vm0',
	  "ok 1 # SKIP - Cannot open '/dev/kvm': No such file or directory.  "
	  'Root required?',
	  '# 1 skipped test(s) detected. Consider enabling relevant config '
	  'options to improve coverage.',
	  '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0'],
	 "Cannot open '/dev/kvm': No such file or directory.  Root required?"),
	# print_skip()
	(['Access denied - Exiting, skipping test'], 'Access denied - Exiting'),
	# older print_skip() / ad-hoc
	(['KVM_CAP_DIRTY_LOG_RING not supported - Skipping test'],
	 'KVM_CAP_DIRTY_LOG_RING not supported'),
	# kselftest_harness.h SKIP()
	(['#  RUN           guest_memfd.huge_pmd ...',
	  '#      SKIP      no 2MB folios in this kernel',
	  '#            OK  guest_memfd.huge_pmd',
	  'ok 1 guest_memfd.huge_pmd # SKIP no 2MB folios in this kernel'],
	 'no 2MB folios in this kernel'),
	# fprintf(stderr, ...); exit(KSFT_SKIP);
	(['HUGETLB is not enabled in /proc/sys/vm/nr_hugepages'],
	 'last output: HUGETLB is not enabled in /proc/sys/vm/nr_hugepages'),
	([], 'no reason printed'),
])
def test_skip_reason(output, reason):
	lines = ['@@START guest_memfd_test', 'Random seed: 0x6b8b4567'] + \
		output + ['@@RESULT guest_memfd_test skip rc=4 secs=0',
			  '@@START dirty_log_test', '1..0 # SKIP not this one',
			  '@@RESULT dirty_log_test skip rc=4 secs=0']
	if not output:
		lines.remove('Random seed: 0x6b8b4567')
	assert results.skip_reason(lines, 'guest_memfd_test') == reason


# The fake TDX host (the gate's second, KUnit-only boot) ---------------------

FAKEHOST_CASES = [c.replace('kunit/', 'kunit-fakehost/', 1) for c in
		  CLEAN_CASES[:4]] + \
	['kunit-fakehost/tdx_seamcall/wrapper_host_state_hidden']


def analyse_fakehost(log, kunit_py, config='kunit_on.config'):
	"""results.analyse() of a fake-host boot: no selftests, --fakehost."""
	if not os.path.isabs(log):
		log = _test_data_path(log)
	return results.analyse(
		log, kunit_py, _test_data_path('baseline'),
		_test_data_path('fakehost.list'), _test_data_path(config),
		_test_data_path('kunit.suites'), fakehost=True)


def test_fakehost_unchanged(kunit_py):
	recs = analyse_fakehost('serial_fakehost_unchanged.log', kunit_py)
	assert [r for r in recs if r[0] != 'PASS'] == []
	# Every case counted again, under its own prefix; nothing else.
	assert [r[1] for r in recs if r[1].count('/') == 2] == FAKEHOST_CASES
	assert record(recs, 'kunit-fakehost/suites') == \
		('PASS', 'kunit-fakehost/suites', '2 of 2 expected suites reported')
	assert record(recs, 'fakehost/state-unchanged') == \
		('PASS', 'fakehost/state-unchanged',
		 'unchanged: features0 0x1000040000, Dynamic PAMT in use, 2048 '
		 '2MB ranges counted, byte for byte as set up; no KUnit test '
		 'read it')
	assert record(recs, 'fakehost/boot')[0] == 'PASS'
	assert record(recs, 'fakehost/dmesg')[0] == 'PASS'
	assert not [r for r in recs if r[1].startswith(('kunit/', 'selftest/'))
		    or r[1] in ('boot', 'dmesg')]
	assert len(recs) == 1 + len(FAKEHOST_CASES) + 1 + 1 + 1


def test_fakehost_changed(kunit_py):
	# Every case passed, but a test took a reference in the host's counts:
	# only the kernel's report shows it, and it fails the gate.
	recs = analyse_fakehost('serial_fakehost_changed.log', kunit_py)
	assert [r[:2] for r in recs if r[0] != 'PASS'] == \
		[('FAIL', 'fakehost/state-unchanged')]
	assert record(recs, 'fakehost/state-unchanged')[2] == \
		'changed: 1 counts differ, the first of the 2MB range at ' \
		'0x40000000: 6, was 5; 3 reads by KUnit tests, the first by ' \
		'wrapper_aug_2m: tdx_pamt_refs()'


def test_fakehost_read_only(kunit_py, tmp_path):
	# Byte for byte the same, but a test read the host's state: a fail.
	log = variant(tmp_path, 'serial_fakehost_unchanged.log', replace_line(
		'@@FAKEHOST unchanged: features0 0x1000040000, Dynamic PAMT in '
		'use, 2048 2MB ranges counted, byte for byte as set up; no KUnit '
		'test read it',
		'@@FAKEHOST read: byte for byte as set up; 1 reads by KUnit '
		'tests, the first by wrapper_aug_2m: tdx_demote_nointerrupt()'))
	recs = analyse_fakehost(log, kunit_py)
	assert record(recs, 'fakehost/state-unchanged') == \
		('FAIL', 'fakehost/state-unchanged', 'read: byte for byte as set '
		 'up; 1 reads by KUnit tests, the first by wrapper_aug_2m: '
		 'tdx_demote_nointerrupt()')


def test_fakehost_missing_report(kunit_py):
	# The kernel refused the fake host (or never set it up): the tests
	# ran on the real host state, which shows nothing.
	recs = analyse_fakehost('serial_fakehost_missing.log', kunit_py)
	st, ident, detail = record(recs, 'fakehost/state-unchanged')
	assert (st, ident) == ('FAIL', 'fakehost/state-unchanged')
	assert detail.startswith('no report from the kernel')
	assert [r[1] for r in recs if r[0] != 'PASS'] == \
		['fakehost/state-unchanged']


def test_fakehost_suite_missing(kunit_py, tmp_path):
	# The same rule as the first boot: a suite that did not report fails.
	def drop_seamcall(lines):
		i = lines.index('    # Subtest: tdx_seamcall')
		j = lines.index('ok 2 tdx_seamcall')
		return [l.replace('1..2', '1..1') if l == '1..2' else l
			for l in lines[:i - 1] + lines[j + 1:]]
	log = variant(tmp_path, 'serial_fakehost_unchanged.log', drop_seamcall)
	recs = analyse_fakehost(log, kunit_py)
	assert [r[1] for r in recs if r[0] != 'PASS'] == \
		['kunit-fakehost/tdx_seamcall', 'kunit-fakehost/suites']
	assert record(recs, 'fakehost/state-unchanged')[0] == 'PASS'


def test_gate_boot_has_no_fakehost_record(kunit_py, tmp_path):
	# The first boot never judges the fake host, even if a report shows.
	log = variant(tmp_path, 'serial_clean.log', insert_before(
		'@@TAINT 262144', ['@@FAKEHOST changed: tdx_sysinfo differs; no '
				   'KUnit test read it']))
	recs = analyse(log, kunit_py)
	assert not [r for r in recs if 'fakehost' in r[1]]
	assert [r for r in recs if r[0] != 'PASS'] == []


# dmesg ---------------------------------------------------------------------

@pytest.mark.parametrize('splat,taint,first', [
	('dmesg_warn.txt', 262656,
	 'WARNING: CPU: 0 PID: 1 at arch/x86/kvm/mmu/tdp_mmu.c:123 foo+0x1/0x2'),
	('dmesg_lockdep_circular.txt', 262144,
	 'WARNING: possible circular locking dependency detected'),
	('dmesg_lockdep_recursive.txt', 262144,
	 'WARNING: possible recursive locking detected'),
	('dmesg_kasan.txt', 262176,
	 'BUG: KASAN: slab-use-after-free in kvm_tdp_mmu_map+0x3e1/0x5d0'),
])
def test_dmesg_report(kunit_py, tmp_path, splat, taint, first):
	with open(_test_data_path(splat)) as f:
		report = f.read().splitlines()
	# On the console during the test and again in the dmesg dump.
	def edit(lines):
		lines = insert_before('@@RESULT dirty_log_test pass rc=0 secs=33',
				      report)(lines)
		lines = insert_before('@@DMESG-END', report)(lines)
		return replace_line('@@TAINT 262144', f'@@TAINT {taint}')(lines)
	recs = analyse(variant(tmp_path, 'serial_clean.log', edit), kunit_py)
	assert record(recs, 'dmesg') == ('FAIL', 'dmesg', first)
	assert [r[1] for r in recs if r[0] != 'PASS'] == ['dmesg']


@pytest.mark.parametrize('taint', [
	512,		# W: a WARN
	128,		# D: an oops
	32,		# B: bad page (KASAN)
	16384,		# L: soft lockup
	262656,		# W + N
])
def test_taint_bad(kunit_py, tmp_path, taint):
	log = variant(tmp_path, 'serial_clean.log',
		      replace_line('@@TAINT 262144', f'@@TAINT {taint}'))
	recs = analyse(log, kunit_py)
	assert record(recs, 'dmesg') == ('FAIL', 'dmesg', f'taint={taint}')


@pytest.mark.parametrize('taint', [0, 262144])	# N (TAINT_TEST) from KUnit
def test_taint_good(kunit_py, tmp_path, taint):
	log = variant(tmp_path, 'serial_clean.log',
		      replace_line('@@TAINT 262144', f'@@TAINT {taint}'))
	recs = analyse(log, kunit_py)
	assert record(recs, 'dmesg') == ('PASS', 'dmesg', f'taint={taint}')


@pytest.mark.parametrize('line,detail', [
	(None, 'no @@TAINT line'),
	('@@TAINT ', 'taint=unreadable ()'),	# cat /proc/... failed
	('@@TAINT x', 'taint=unreadable (x)'),
])
def test_taint_unreadable(kunit_py, tmp_path, line, detail):
	def edit(lines):
		lines = [l for l in lines if not l.startswith('@@TAINT')]
		if line is not None:
			lines.insert(lines.index('@@DMESG-BEGIN'), line)
		return lines
	recs = analyse(variant(tmp_path, 'serial_clean.log', edit), kunit_py)
	assert record(recs, 'dmesg') == ('FAIL', 'dmesg', detail)


# boot ----------------------------------------------------------------------

def test_no_done(kunit_py, tmp_path):
	log = variant(tmp_path, 'serial_clean.log',
		      lambda lines: [l for l in lines if l != '@@DONE'])
	recs = analyse(log, kunit_py)
	assert record(recs, 'boot') == \
		('FAIL', 'boot', 'guest did not finish its run (panic or timeout)')
	assert [r[1] for r in recs if r[0] != 'PASS'] == ['boot']


# The command line the gate runs -------------------------------------------

def test_cli(kunit_py):
	proc = subprocess.run(
		[sys.executable, os.path.join(REPO, 'scripts', 'results.py'),
		 _test_data_path('serial_kunit_fail.log'), kunit_py,
		 _test_data_path('baseline'), _test_data_path('tests.list'),
		 '--config', _test_data_path('kunit_on.config'),
		 '--suites', _test_data_path('kunit.suites')],
		stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
		check=True)
	out = proc.stdout.splitlines()
	assert out[0] == 'PASS boot'
	assert 'FAIL kunit/tdx_module_model/model_demote_interruptible fail' in out
	assert 'PASS kunit/suites 2 of 2 expected suites reported' in out
	assert out[-1] == 'PASS dmesg taint=262144'
	assert len(out) == 1 + 6 + 1 + len(SELFTESTS) + 1


# The kernel that booted ----------------------------------------------------

def test_kernel_record(tmp_path):
	with open(_test_data_path('serial_clean.log')) as f:
		lines = f.read().splitlines()
	uts = tmp_path / 'utsversion.h'
	uts.write_text('#define UTS_VERSION "#1 SMP PREEMPT_DYNAMIC"\n')
	assert results.kernel_record(lines, str(uts))[0] == 'PASS'
	uts.write_text('#define UTS_VERSION "#2 SMP PREEMPT_DYNAMIC"\n')
	st, ident, detail = results.kernel_record(lines, str(uts))
	assert (st, ident) == ('FAIL', 'kernel') and 'built #2' in detail
	assert results.kernel_record(lines, str(tmp_path / 'none'))[0] == 'FAIL'
	assert results.kernel_record([], str(uts))[0] == 'FAIL'


# Boot-only suites ----------------------------------------------------------

@pytest.mark.parametrize('line,status,detail', [
	('@@KUNIT-DEBUGFS kvm_tdx_mmu no-run', 'PASS', 'runs only at boot'),
	('@@KUNIT-DEBUGFS kvm_tdx_mmu run', 'FAIL', 'can be run again'),
	('@@KUNIT-DEBUGFS other_suite no-run', 'FAIL', 'not listed'),
	(None, 'FAIL', 'not listed'),
])
def test_boot_only(line, status, detail):
	lines = ['@@BOOTED mode=gate'] + ([line] if line else []) + ['@@DONE']
	(st, ident, got), = results.boot_only_records(lines, ['kvm_tdx_mmu'])
	assert (st, ident) == (status, 'kunit-boot-only/kvm_tdx_mmu')
	assert detail in got


def test_boot_only_from_suites_file(kunit_py, tmp_path):
	# The third column marks the suite; one record per marked suite that
	# the config builds, none for the others.
	with open(_test_data_path('kunit.suites')) as f:
		rows = [l.split() for l in f if l.strip() and not l.startswith('#')]
	marked = rows[0][0]
	suites = tmp_path / 'kunit.suites'
	suites.write_text(''.join(
		' '.join(r + (['boot-only'] if r[0] == marked else [])) + '\n'
		for r in rows))
	log = variant(tmp_path, 'serial_clean.log', insert_before(
		'@@DONE', [f'@@KUNIT-DEBUGFS {marked} run']))
	recs = analyse(log, kunit_py, suites=str(suites))
	ids = [r[1] for r in recs if r[1].startswith('kunit-boot-only/')]
	assert ids == [f'kunit-boot-only/{marked}']
	assert record(recs, ids[0])[0] == 'FAIL'
