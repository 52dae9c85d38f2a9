# Single entry point of the harness. See README.md.
SHELL := /bin/bash
S := scripts

.PHONY: all run check deps base tree config build selftests boot export \
	queue-status send mutants clean distclean help

help:
	@echo "make run           main job: build the patched kernel + selftests, boot in QEMU, show the feature"
	@echo "make check         the full test gate (what .ci/run runs)"
	@echo "make tree          (re)create work/linux: base commit + patches/ applied with git am"
	@echo "make export        regenerate patches/ from the commits in work/linux"
	@echo "make queue-status  fail if work/linux holds work that patches/ does not"
	@echo "make build         build the kernel only (work/build)"
	@echo "make selftests     build the KVM selftests only"
	@echo "make boot          boot the built kernel and run selftests/list (no static checks)"
	@echo "make mutants       apply each known-bad change in mutants/ to a scratch worktree, build, boot,"
	@echo "                   report whether the gate caught it (M=name to run one)"
	@echo "make send          one posting per line of patches/postings, re-signed by you, in"
	@echo "                   work/send/vN/<posting>/, git send-email --dry-run; V=N version (default 1),"
	@echo "                   V_<posting>=N for one, PREV=<rev of this repo> previous version for the"
	@echo "                   range-diffs (V>=2 default: newest commit whose patches/ differ), SEND=1 really send"

all: run

deps:
	@$(S)/deps.sh

base: deps
	@$(S)/fetch-base.sh >/dev/null

tree: base
	@$(S)/tree.sh

config:
	@$(S)/config.sh

build:
	@$(S)/build.sh

selftests:
	@$(S)/selftests.sh

run: deps
	@$(S)/run.sh

check: deps
	@$(S)/gate.sh

mutants: deps
	@$(S)/mutants.sh $(M)

boot:
	@$(S)/qemu.sh gate selftests/list && python3 $(S)/results.py work/artifacts/serial-gate.log \
		work/linux/tools/testing/kunit/kunit.py selftests/baseline selftests/list \
		--config work/build/.config --suites config/kunit.suites

export:
	@$(S)/export.sh

queue-status:
	@$(S)/queue-status.sh

send:
	@V='$(V)' PREV='$(PREV)' SEND='$(SEND)' $(S)/send.sh

clean:
	rm -rf work/build work/build-* work/artifacts

distclean:
	rm -rf work

.PHONY: tdx-host-check
tdx-host-check:
	@$(S)/tdx-host-check.sh $(REPORT)
