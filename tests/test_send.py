#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# scripts/send.sh --check on a small queue of five postings shaped like the
# project's (gmem, tdx-host, kvm-tdx on both, selftests under tools/, dpamt
# on kvm-tdx but not on the selftests): each posting is stacked on its base
# and prerequisites, numbered within itself, and names its prerequisites'
# patches; a posting that does not apply where it is declared fails, naming
# the patch. The kernel tree is a tiny git repository with a stub
# get_maintainer.pl; git send-email runs with --dry-run only.

import os
import re
import shutil
import subprocess

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS_DIR)
SCRIPTS = os.path.join(REPO, 'scripts')
PROJECT = 'TDX Huge Page Series <tdx-hugepage@series.invalid>'


def have_send_email():
	r = subprocess.run(['git', 'send-email', '-h'], capture_output=True, text=True)
	perl = subprocess.run(['perl', '-MMail::Address', '-e', '1'], capture_output=True)
	return 'git send-email' in r.stdout + r.stderr and perl.returncode == 0


pytestmark = pytest.mark.skipif(not have_send_email(),
				reason='git send-email or Perl Mail::Address missing')

GET_MAINTAINER = r'''#!/usr/bin/perl
# Stub: one maintainer, one list, whatever the patch.
print "Maint One <maint\@example.org>\n" if grep { $_ eq '--m' } @ARGV;
print "list\@example.org\n" if grep { $_ eq '--l' } @ARGV;
'''

# (posting, subject, {file: content}) in queue order; each content is the
# whole file after the commit.
A0 = 'int a;\n' * 5
COMMITS = [
	('gmem', 'a: one', {'a.c': A0 + 'int a1;\n'}),
	('tdx-host', 'b: one', {'b.c': 'int b1;\n'}),
	('kvm-tdx', 'a, b: both', {'a.c': A0 + 'int a1;\nint a3;\n', 'b.c': 'int b1;\nint b3;\n'}),
	('selftests', 'tools: a test', {'tools/t.c': 'int t;\n'}),
	('dpamt', 'a: on top', {'a.c': A0 + 'int a1;\nint a3_changed;\n'}),
]
POSTINGS = '''gmem      1-1 kvm
tdx-host  2-2 tip
kvm-tdx   3-3 kvm gmem tdx-host
selftests 4-4 kvm kvm-tdx
dpamt     5-5 tip kvm-tdx
'''


def git(cwd, *args, env=None):
	e = dict(os.environ, GIT_CONFIG_GLOBAL='/dev/null', GIT_CONFIG_NOSYSTEM='1')
	e.update(env or {})
	return subprocess.run(['git', '-C', str(cwd), *args], check=True,
			      capture_output=True, text=True, env=e).stdout


@pytest.fixture
def top(tmp_path):
	top = tmp_path / 'top'
	(top / 'scripts').mkdir(parents=True)
	for f in ('send.sh', 'lib.sh', 'postings.sh', 'send-recipients.sh', 'export.sh'):
		os.symlink(os.path.join(SCRIPTS, f), top / 'scripts' / f)
	shutil.copy(os.path.join(REPO, 'base.conf'), top / 'base.conf')
	src = top / 'work' / 'linux'
	(src / 'scripts').mkdir(parents=True)
	(src / 'scripts' / 'get_maintainer.pl').write_text(GET_MAINTAINER)
	(src / 'a.c').write_text(A0)
	git(src, 'init', '-q', '-b', 'series')
	who = {'GIT_AUTHOR_NAME': 'Base', 'GIT_AUTHOR_EMAIL': 'base@example.org',
	       'GIT_COMMITTER_NAME': 'Base', 'GIT_COMMITTER_EMAIL': 'base@example.org',
	       'GIT_AUTHOR_DATE': '1700000000 +0000', 'GIT_COMMITTER_DATE': '1700000000 +0000'}
	git(src, 'add', '-A')
	git(src, 'commit', '-q', '-m', 'base', env=who)
	git(src, 'tag', 'base')
	name, email = PROJECT[:-1].split(' <')
	proj = dict(who, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
		    GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
	for _, subject, files in COMMITS:
		for f, text in files.items():
			(src / f).parent.mkdir(parents=True, exist_ok=True)
			(src / f).write_text(text)
		git(src, 'add', '-A')
		git(src, 'commit', '-q', '-m', f'{subject}\n\nBody.\n\nSigned-off-by: {PROJECT}', env=proj)
	(top / 'patches' / 'covers').mkdir(parents=True)
	r = subprocess.run(['bash', str(top / 'scripts' / 'export.sh')], capture_output=True, text=True,
			   env=dict(os.environ, GIT_CONFIG_GLOBAL='/dev/null'))
	assert r.returncode == 0, r.stderr
	(top / 'patches' / 'postings').write_text(POSTINGS)
	for p, subject, _ in COMMITS:
		(top / 'patches' / 'covers' / f'{p}.txt').write_text(f'{p}: the posting\n\nWhat {p} does.\n')
	return top


def send_check(top):
	r = subprocess.run(['bash', str(top / 'scripts' / 'send.sh'), '--check'],
			   capture_output=True, text=True)
	records = {}
	for l in r.stdout.splitlines():
		m = re.match(r'(PASS|FAIL|SKIP) (send/\S+) (.*)', l)
		if m:
			records[m.group(2)] = (m.group(1), m.group(3))
	return r, records


def patch_ids(files):
	ids = []
	for f in files:
		out = subprocess.run(['git', 'patch-id', '--stable'], input=f.read_text(),
				     capture_output=True, text=True, check=True).stdout
		ids.append(out.split()[0])
	return ids


def test_each_posting_on_its_base_and_prerequisites(top):
	r, rec = send_check(top)
	assert r.returncode == 0, r.stdout + r.stderr
	for p, _, _ in COMMITS:
		assert rec[f'send/{p}'][0] == 'PASS', rec
	# tdx-host on base alone lacks gmem's a.c: no build shown.
	assert rec['send/tdx-host/build'][0] == 'SKIP'
	# dpamt without the selftests differs from the queue under tools/ only.
	assert rec['send/dpamt/build'][0] == 'PASS' and 'only under tools/' in rec['send/dpamt/build'][1]
	assert rec['send/kvm-tdx/build'][0] == 'PASS' and 'is the queue' in rec['send/kvm-tdx/build'][1]
	out = top / 'work' / 'send' / 'check'
	cover = (out / 'dpamt' / '0000-cover-letter.patch').read_text()
	assert 'Subject: [PATCH 0/1] dpamt: the posting' in cover
	base = git(top / 'work' / 'linux', 'rev-parse', 'base').strip()
	assert f'base-commit: {base}\n' in cover
	pre = re.findall(r'^prerequisite-patch-id: (\S+)$', cover, re.M)
	want = patch_ids(sorted((out / 'gmem').glob('0001-*.patch')) +
			 sorted((out / 'tdx-host').glob('0001-*.patch')) +
			 sorted((out / 'kvm-tdx').glob('0001-*.patch')))
	assert pre == want  # not the selftests' patch
	assert 'prerequisite-patch-id' not in (out / 'gmem' / '0000-cover-letter.patch').read_text()
	# The mails are the sender's, none the project's.
	mail = (out / 'dpamt' / '0001-a-on-top.patch').read_text()
	assert 'Signed-off-by: Gate Test <gate-test@example.invalid>' in mail
	assert 'series.invalid' not in mail


def test_a_posting_that_does_not_apply_on_its_base_fails(top):
	# dpamt's patch changes a line that kvm-tdx adds: without kvm-tdx under
	# it, it does not apply.
	(top / 'patches' / 'postings').write_text(POSTINGS.replace('dpamt     5-5 tip kvm-tdx',
								   'dpamt     5-5 tip tdx-host'))
	r, rec = send_check(top)
	assert r.returncode != 0
	st, text = rec['send/dpamt']
	assert st == 'FAIL' and text.startswith('patch 5 (0005-a-on-top.patch, of dpamt) does not apply'), text
	assert rec['send/dpamt/build'][0] == 'SKIP'
	assert rec['send/kvm-tdx'][0] == 'PASS'


def test_a_missing_cover_text_fails_the_dry_run(top):
	(top / 'patches' / 'covers' / 'selftests.txt').unlink()
	r, rec = send_check(top)
	assert r.returncode != 0
	assert rec['send/selftests'][0] == 'FAIL'
	assert rec['send/gmem'][0] == 'PASS'


def test_range_diff_against_a_previous_queue_without_postings(top):
	# PREV: this repository's patches/ without patches/postings and without
	# the selftests patch, so that dpamt's patch was number 4 there.
	(top / '.gitignore').write_text('work/\n')
	series = (top / 'patches' / 'series').read_text()
	postings = (top / 'patches' / 'postings').read_text()
	(top / 'patches' / 'postings').unlink()
	(top / 'patches' / 'series').write_text(
		''.join(l + '\n' for l in series.splitlines() if not l.startswith('0004-')))
	git(top, 'init', '-q')
	git(top, 'add', '-A')
	git(top, 'commit', '-q', '-m', 'v1', env={'GIT_AUTHOR_NAME': 'x', 'GIT_AUTHOR_EMAIL': 'x@example.org',
						  'GIT_COMMITTER_NAME': 'x', 'GIT_COMMITTER_EMAIL': 'x@example.org'})
	(top / 'patches' / 'series').write_text(series)
	(top / 'patches' / 'postings').write_text(postings)
	r = subprocess.run(['bash', str(top / 'scripts' / 'send.sh'), '--check'], capture_output=True,
			   text=True, env=dict(os.environ, V='2', PREV='HEAD'))
	assert r.returncode == 0, r.stdout + r.stderr
	out = top / 'work' / 'send' / 'check'
	dpamt = (out / 'dpamt' / 'v2-0000-cover-letter.patch').read_text()
	assert 'Subject: [PATCH v2 0/1] dpamt: the posting' in dpamt
	assert re.search(r'^Range-diff against v1:\n1: +\S+ = 1: +\S+ a: on top$', dpamt, re.M), dpamt
	assert "posting dpamt: PREV=HEAD has no patches/postings; its range-diff is against PREV's patches 4-4" in r.stderr
	assert 'Range-diff' not in (out / 'selftests' / 'v2-0000-cover-letter.patch').read_text()
	assert 'posting selftests: PREV=HEAD has no patches/postings, nor has PREV any' in r.stderr
