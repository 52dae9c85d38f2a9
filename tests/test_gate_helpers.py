#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Tests for the gate's helpers that decide what is checked: which objects a
# patch makes the builds along the queue compile (scripts/affected.py),
# whether every stage ran (scripts/stages.py), whether a mutant still
# matches its target (scripts/mutant.py), whether patches/postings
# covers the queue and which postings each one needs under it
# (scripts/postings.sh, for the builds per posting and make send). A helper that says "nothing to
# do" wrongly would make a check pass without checking: each case here
# fails if it does.

import os
import subprocess
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS_DIR)
SCRIPTS = os.path.join(REPO, 'scripts')


def run(args, stdin=None, env=None):
	return subprocess.run(args, input=stdin, capture_output=True, text=True, env=env)


@pytest.fixture
def build(tmp_path):
	"""A source tree and an O= build dir with kbuild-style .cmd records."""
	src, out = tmp_path / 'linux', tmp_path / 'build'
	for f in ('arch/x86/kvm/x86.c', 'arch/x86/kvm/mmu/mmu.c', 'virt/kvm/guest_memfd.c',
		  'include/linux/kvm_host.h', 'include/linux/other.h', 'arch/x86/kernel/asm-offsets.c'):
		(src / f).parent.mkdir(parents=True, exist_ok=True)
		(src / f).write_text('/* */\n')

	def cmd(target, source, deps, name=None):
		d = out / os.path.dirname(name or target)
		d.mkdir(parents=True, exist_ok=True)
		base = os.path.basename(name or target)
		lines = [f'savedcmd_{target} := gcc -c {source}', '',
			 f'source_{target} := ../linux/{source}', '', f'deps_{target} := \\']
		lines += [f'  $(wildcard include/config/FOO) \\'] + [f'  ../linux/{x} \\' for x in deps]
		lines += ['', f'{target}: $(deps_{target})', '']
		(d / f'.{base}.cmd').write_text('\n'.join(lines))

	cmd('arch/x86/kvm/x86.o', 'arch/x86/kvm/x86.c', ['include/linux/kvm_host.h'])
	cmd('arch/x86/kvm/mmu/mmu.o', 'arch/x86/kvm/mmu/mmu.c', ['include/linux/kvm_host.h'])
	cmd('arch/x86/kvm/../../../virt/kvm/guest_memfd.o', 'virt/kvm/guest_memfd.c',
	    ['include/linux/kvm_host.h'], name='virt/kvm/guest_memfd.o')
	cmd('arch/x86/kernel/asm-offsets.s', 'arch/x86/kernel/asm-offsets.c', ['include/linux/other.h'])
	linked = out / 'linked'
	linked.write_text('arch/x86/kvm/x86.o\narch/x86/kvm/mmu/mmu.o\nvirt/kvm/guest_memfd.o\n')
	return str(src), str(out), str(linked)


def affected(build, files):
	src, out, linked = build
	r = run([sys.executable, os.path.join(SCRIPTS, 'affected.py'), out, src, '--linked', linked],
		stdin='\n'.join(files) + '\n')
	assert r.returncode == 0, r.stderr
	return r.stdout.strip()


def test_affected_c_file_compiles_its_object(build):
	assert affected(build, ['arch/x86/kvm/x86.c']) == 'objs arch/x86/kvm/x86.o'


def test_affected_header_compiles_every_includer(build):
	v = affected(build, ['include/linux/kvm_host.h']).split()
	assert v[0] == 'objs'
	assert sorted(v[1:]) == ['arch/x86/kvm/../../../virt/kvm/guest_memfd.o',
				 'arch/x86/kvm/mmu/mmu.o', 'arch/x86/kvm/x86.o']


def test_affected_build_files_force_a_full_build(build):
	assert affected(build, ['arch/x86/kvm/Kconfig']).startswith('full ')
	assert affected(build, ['arch/x86/kvm/Makefile', 'arch/x86/kvm/x86.c']).startswith('full ')


def test_affected_generated_target_forces_a_full_build(build):
	assert affected(build, ['include/linux/other.h']).startswith('full ')


def test_affected_unlinked_object_forces_a_full_build(build):
	src, out, linked = build
	with open(linked, 'w') as f:
		f.write('arch/x86/kvm/x86.o\n')
	assert affected(build, ['arch/x86/kvm/mmu/mmu.c']).startswith('full ')


def test_affected_documentation_only_builds_nothing(build):
	assert affected(build, ['Documentation/virt/kvm/api.rst',
				'tools/testing/selftests/kvm/x.c']).startswith('none ')


def test_affected_selftests_makefile_is_no_kernel_build_file(build):
	assert affected(build, ['tools/testing/selftests/kvm/Makefile.kvm',
				'tools/testing/selftests/kvm/x86/t.c']).startswith('none ')


def test_affected_unbuilt_file_builds_nothing_and_says_so(build):
	v = affected(build, ['arch/arm64/kvm/mmu.c'])
	assert v.startswith('none ') and 'arch/arm64/kvm/mmu.c' in v


def test_affected_leftover_object_of_a_missing_file_is_ignored(build):
	src, out, linked = build
	os.remove(os.path.join(src, 'arch/x86/kvm/mmu/mmu.c'))
	assert affected(build, ['include/linux/kvm_host.h']).split()[1:] == [
		'arch/x86/kvm/../../../virt/kvm/guest_memfd.o', 'arch/x86/kvm/x86.o']


def stages(tmp_path, times, records, want):
	t, r = tmp_path / 'times', tmp_path / 'results'
	t.write_text(''.join(f'10 stage {s}\n' for s in times))
	r.write_text(''.join(f'PASS {i}\n' for i in records))
	return run([sys.executable, os.path.join(SCRIPTS, 'stages.py'), str(t), str(r)] + want)


def test_stages_all_ran(tmp_path):
	r = stages(tmp_path, ['apply', 'w1'], ['apply/0001-x.patch', 'w1'], ['apply', 'w1'])
	assert r.returncode == 0, r.stdout


def test_stages_missing_stage_fails(tmp_path):
	r = stages(tmp_path, ['apply'], ['apply/0001-x.patch', 'w1'], ['apply', 'w1'])
	assert r.returncode == 1 and 'stages not run: w1' in r.stdout


def test_stages_stage_without_records_fails(tmp_path):
	r = stages(tmp_path, ['apply', 'send'], ['apply/0001-x.patch'], ['apply', 'send'])
	assert r.returncode == 1 and 'without a record: send' in r.stdout


def mutant(tmp_path, text, check=True):
	tree = tmp_path / 'tree'
	(tree / 'a').mkdir(parents=True)
	(tree / 'a' / 'f.c').write_text('int f(void)\n{\n\treturn 1;\n}\n')
	m = tmp_path / 'x.mutant'
	m.write_text(text)
	args = [sys.executable, os.path.join(SCRIPTS, 'mutant.py')] + (['--check'] if check else [])
	return run(args + [str(tree), str(m)]), tree


def test_mutant_live(tmp_path):
	r, tree = mutant(tmp_path, 'tests:\nfile: a/f.c\nanchor: int f(void)\nfind: \treturn 1;\nreplace: \treturn 0;\n')
	assert r.returncode == 0 and 'matches a/f.c' in r.stdout
	assert 'return 1' in (tree / 'a' / 'f.c').read_text()


def test_mutant_applies(tmp_path):
	r, tree = mutant(tmp_path, 'file: a/f.c\nfind: \treturn 1;\nreplace: \treturn 0;\n', check=False)
	assert r.returncode == 0 and 'return 0' in (tree / 'a' / 'f.c').read_text()


def test_mutant_stale(tmp_path):
	r, _ = mutant(tmp_path, 'file: a/f.c\nanchor: int f(void)\nfind: \treturn 2;\nreplace: \treturn 0;\n')
	assert r.returncode == 3 and r.stdout.startswith('stale:')


def test_mutant_stale_anchor(tmp_path):
	r, _ = mutant(tmp_path, 'file: a/f.c\nanchor: int g(void)\nfind: \treturn 1;\nreplace: \treturn 0;\n')
	assert r.returncode == 3


def postings(tmp_path, table, n=5, args=()):
	p = tmp_path / 'patches'
	p.mkdir()
	(p / 'series').write_text(''.join(f'{i:04d}-x.patch\n' for i in range(1, n + 1)))
	(p / 'postings').write_text(table)
	top = tmp_path / 'top'
	(top / 'scripts').mkdir(parents=True)
	for f in ('postings.sh', 'lib.sh'):
		os.symlink(os.path.join(SCRIPTS, f), top / 'scripts' / f)
	(top / 'base.conf').write_text('PROJECT_NAME=x\n')
	os.symlink(p, top / 'patches')
	return run(['bash', str(top / 'scripts' / 'postings.sh'), *args])


def test_postings_cover_the_series(tmp_path):
	r = postings(tmp_path, '# c\na 1-2 kvm\nb 3-5 tip a\n')
	assert r.returncode == 0 and r.stdout == 'a 1 2\nb 3 5\n'


def test_postings_gap_fails(tmp_path):
	assert postings(tmp_path, 'a 1-2 kvm\nb 4-5 tip\n').returncode != 0


def test_postings_short_fails(tmp_path):
	assert postings(tmp_path, 'a 1-2 kvm\nb 3-4 tip\n').returncode != 0


def test_postings_output_is_unchanged_by_dependencies(tmp_path):
	# bisect.sh reads the third field: the last patch of each posting.
	r = postings(tmp_path, 'a 1-1 kvm\nb 2-2 tip\nc 3-4 kvm a b\nd 5-5 tip c\n')
	assert r.returncode == 0 and r.stdout == 'a 1 1\nb 2 2\nc 3 4\nd 5 5\n'


def test_postings_deps_transitive_closure(tmp_path):
	# The queue of this project: the selftests lie between kvm-tdx and
	# dpamt, and dpamt does not need them.
	table = ('gmem 1-1 kvm\ntdx-host 2-2 tip\nkvm-tdx 3-3 kvm gmem tdx-host\n'
		 'selftests 4-4 kvm kvm-tdx\ndpamt 5-5 tip kvm-tdx\n')
	r = postings(tmp_path, table, args=['--deps'])
	assert r.returncode == 0, r.stderr
	assert r.stdout.splitlines() == [
		'gmem 1 1 kvm',
		'tdx-host 2 2 tip',
		'kvm-tdx 3 3 kvm gmem tdx-host',
		'selftests 4 4 kvm gmem tdx-host kvm-tdx',
		'dpamt 5 5 tip gmem tdx-host kvm-tdx',
	]


def test_postings_deps_in_queue_order_without_duplicates(tmp_path):
	# Declared out of order and reached twice (c through b and directly).
	r = postings(tmp_path, 'a 1-1 kvm\nb 2-2 kvm a\nc 3-3 kvm\nd 4-4 kvm c b c\ne 5-5 kvm d\n',
		     args=['--deps'])
	assert r.returncode == 0, r.stderr
	assert r.stdout.splitlines()[3:] == ['d 4 4 kvm a b c', 'e 5 5 kvm a b c d']


@pytest.mark.parametrize('table', [
	'a 1-2 kvm b\nb 3-5 tip\n',		# depends on a later posting
	'a 1-2 kvm\nb 3-5 tip x\n',		# on an unknown one
	'a 1-2 kvm\nb 3-5 tip b\n',		# on itself
	'a 1-2 kvm\na 3-5 tip\n',		# declared twice
	'a 1-2 kvm\nb 3-5\n',			# no tree
])
def test_postings_bad_dependencies_fail(tmp_path, table):
	for args in ((), ('--deps',)):
		d = tmp_path / ('deps' if args else 'plain')
		d.mkdir()
		r = postings(d, table, args=args)
		assert r.returncode != 0 and 'postings' in r.stderr, (args, r.stdout)
