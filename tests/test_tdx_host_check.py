#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Tests for scripts/tdx-host-check.sh (`make tdx-host-check`): on a machine
# without TDX it names the first missing prerequisite, exits 2 and runs
# nothing; with every prerequisite present it runs the TDX selftests and
# reports their verdicts. Hosts other than this one are simulated with
# TDX_CHECK_ROOT (a fake /proc, /sys, /dev, /boot), TDX_CHECK_DMESG and KST
# (stub selftests).
#
# Run: cd <repo> && /usr/bin/python3 -m pytest -q tests/

import gzip
import os
import subprocess

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS_DIR)
SCRIPT = os.path.join(REPO, 'scripts', 'tdx-host-check.sh')

TDX_DMESG = ('[    4.1] virt/tdx: BIOS enabled: private KeyID range [32, 64)\n'
	     '[    9.2] virt/tdx: 262144 KB allocated for PAMT, Dynamic PAMT enabled\n'
	     '[    9.3] virt/tdx: TDX-Module initialized\n')
NO_DEMOTE = 'kvm_intel: tdx_huge_page disabled: the TDX module lacks ENHANCED_DEMOTE_INTERRUPTIBILITY\n'
CONFIG = ('CONFIG_KVM_INTEL_TDX=y\nCONFIG_INTEL_TDX_HOST=y\n'
	  'CONFIG_TRANSPARENT_HUGEPAGE=y\n')
SELFTESTS = ['tdx_params_test', 'tdx_boot_test', 'tdx_vm_test',
	     'tdx_hugepage_test']


def write(path, text):
	os.makedirs(os.path.dirname(path), exist_ok=True)
	with open(path, 'w') as f:
		f.write(text)


def fake_host(root, tdx='Y', huge='Y', dmesg=TDX_DMESG, config=CONFIG):
	"""An Intel host with kvm_intel loaded; returns the environment."""
	write(f'{root}/proc/cpuinfo', 'vendor_id\t: GenuineIntel\n'
	      'model name\t: Intel(R) Xeon(R) test\nmicrocode\t: 0x1\n')
	write(f'{root}/proc/cmdline', 'kvm_intel.tdx=1\n')
	write(f'{root}/dev/kvm', '')
	write(f'{root}/sys/module/kvm_intel/parameters/tdx', f'{tdx}\n')
	if huge is not None:
		write(f'{root}/sys/module/kvm_intel/parameters/tdx_huge_page',
		      f'{huge}\n')
	if config is not None:
		os.makedirs(f'{root}/proc', exist_ok=True)
		with gzip.open(f'{root}/proc/config.gz', 'wt') as f:
			f.write(config)
	write(f'{root}/dmesg', dmesg)
	env = dict(os.environ, TDX_CHECK_ROOT=str(root),
		   TDX_CHECK_DMESG=f'{root}/dmesg', KST=f'{root}/kst')
	return env


def stub_selftests(kst, rcs):
	"""Executables in place of the TDX selftests, exiting with rcs[name]."""
	for name in SELFTESTS:
		write(f'{kst}/x86/{name}',
		      f'#!/bin/sh\necho "stub {name}"\nexit {rcs.get(name, 0)}\n')
		os.chmod(f'{kst}/x86/{name}', 0o755)


def run(tmp_path, env=None):
	report = tmp_path / 'report.txt'
	r = subprocess.run([SCRIPT, str(report)], capture_output=True,
			   text=True, env=env, timeout=120)
	return r, report.read_text()


def this_host_has_tdx():
	try:
		with open('/sys/module/kvm_intel/parameters/tdx') as f:
			return f.read().strip() == 'Y'
	except OSError:
		return False


def assert_nothing_run(r, report):
	assert r.returncode == 2, r.stdout + r.stderr
	assert 'tdx-host-check: missing prerequisite: ' in r.stdout
	assert 'nothing was run' in r.stdout
	for name in SELFTESTS:
		assert f'== {name}' not in report


def test_this_host_names_what_is_missing(tmp_path):
	"""Here (no TDX): exit 2, a named prerequisite, no test run."""
	if this_host_has_tdx():
		pytest.skip('this host has TDX: the check would run the tests')
	r, report = run(tmp_path)
	assert_nothing_run(r, report)


def test_intel_without_kvm_intel_tdx(tmp_path):
	env = fake_host(tmp_path / 'root', tdx='N')
	r, report = run(tmp_path, env)
	assert_nothing_run(r, report)
	assert 'missing prerequisite: kvm_intel.tdx=Y (it is N)' in r.stdout


def test_module_not_initialised(tmp_path):
	env = fake_host(tmp_path / 'root', dmesg='[ 1.0] virt/tdx: module not loaded\n')
	r, report = run(tmp_path, env)
	assert_nothing_run(r, report)
	assert 'an initialised TDX module' in r.stdout


def test_module_without_enhanced_demote(tmp_path):
	env = fake_host(tmp_path / 'root', huge='N', dmesg=TDX_DMESG + NO_DEMOTE)
	r, report = run(tmp_path, env)
	assert_nothing_run(r, report)
	assert 'ENHANCED_DEMOTE_INTERRUPTIBILITY in the TDX module' in r.stdout
	assert 'Dynamic PAMT: enabled' in report


def test_kernel_without_the_series(tmp_path):
	env = fake_host(tmp_path / 'root', huge=None)
	r, report = run(tmp_path, env)
	assert_nothing_run(r, report)
	assert 'kvm_intel.tdx_huge_page (a kernel with the series applied)' in r.stdout


def test_kernel_config_without_tdx(tmp_path):
	env = fake_host(tmp_path / 'root',
			config='CONFIG_INTEL_TDX_HOST=y\nCONFIG_TRANSPARENT_HUGEPAGE=y\n')
	r, report = run(tmp_path, env)
	assert_nothing_run(r, report)
	assert 'CONFIG_KVM_INTEL_TDX=y (it is not set)' in r.stdout


def test_selftests_not_built(tmp_path):
	env = fake_host(tmp_path / 'root')
	r, report = run(tmp_path, env)
	assert_nothing_run(r, report)
	assert 'the TDX selftests' in r.stdout


def test_tdx_host_runs_the_tests(tmp_path):
	"""Everything present: every test runs; one failure makes exit 1."""
	env = fake_host(tmp_path / 'root')
	stub_selftests(tmp_path / 'root' / 'kst',
		       {'tdx_boot_test': 0, 'tdx_vm_test': 4, 'tdx_hugepage_test': 1})
	r, report = run(tmp_path, env)
	assert r.returncode == 1, r.stdout + r.stderr
	assert 'missing prerequisite' not in report
	for name in SELFTESTS:
		assert f'stub {name}' in report
	assert '== tdx_params_test: pass' in report
	assert '== tdx_vm_test: skip' in report
	assert '== tdx_hugepage_test: FAIL (exit 1)' in report
	assert '== summary: 2 passed, 1 skipped, 1 failed' in report
