# crashdump.kdump — developer and CI entry points.
#   make check   lint, sanity (ansible-core 2.16 and 2.19), Python 2.7/3.6 syntax, units, harness units,
#                role guard tests, the report page in headless Chromium
#   make demo    a Debian 12 VM made kdump-ready, crashed, and its vmcore shown
#                (FIRMWARE=uefi or secureboot boots it through OVMF; default bios, the fastest)
#   make test    everything CI runs (check + the VM scenarios)
#   make bench   benchmarks, printed as ratios measured side by side
# Run as root on Debian 12: the targets install what they need themselves.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := check

PYTHON ?= python3
VENV := $(CURDIR)/.venv
VENV_OLD := $(CURDIR)/.venv-2.16
# ansible-test needs the collection under ansible_collections/<namespace>/<name>.
# Outside the checkout: inside it, ansible-test would see the outer git tree
# (where this copy is ignored) and find nothing to test.
COLLECTIONS := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/crashdump-kdump/ansible-test/$(shell printf %s '$(CURDIR)' | md5sum | cut -c1-8)
COLLECTION := $(COLLECTIONS)/ansible_collections/crashdump/kdump
TEST_PYTHON ?= 3.11
PIP_QUIET := --quiet --disable-pip-version-check
CRASHDUMP_RELEASE ?= bookworm
export PATH := $(VENV)/bin:$(PATH)

.PHONY: FORCE check test demo bench bench-guest-cpu bench-readiness test-all vm-test vm-deps lint sanity sanity-2.16 sanity-2.19 units pysyntax changelog-lint \
	build-import deps-debian clean role-specs harness-units role-tests report-tests

check: lint sanity pysyntax units harness-units role-tests report-tests build-import

# Real QEMU VMs (tests/vm): each scenario boots Debian through its firmware and GRUB. A+B+C is a
# chain (tests/vm/run-scenario): its members run in order, and those that name the same VM share it
# (default installs once per release, crash and absent go on from there). A,B,C are lanes run side
# by side: much of a scenario is waiting on apt, reboots and SSH. make test runs every scenario on
# Debian 12, and crashkernel, default, crash and absent on Debian 13 too (issue 3's rule for the
# 60-minute budget). Firmware (issue 13): the chain boots both releases under UEFI Secure Boot and
# crashkernel's Debian 13 host under UEFI; those runs cover what their BIOS runs did, so the BIOS
# chain and crashkernel with both hosts on BIOS are in make test-all (CRASHDUMP_FIRMWARE=bios,
# tests/vm/README.md), with no_reboot on Debian 13 and the harness self-test.
# One step of three lanes, balanced on measured times (tests/vm/README.md, Timings): a lane that
# finishes early leaves its core to the others instead of waiting for a slower lane at a barrier.
VM_SCENARIOS ?= crashkernel+waves,default+crash+absent,modules+no_reboot
VM_SCENARIOS_BIOS ?= crashkernel,default+crash+absent
VM_SCENARIOS_TRIXIE ?= no_reboot
VM_SCENARIOS_EXTRA ?= harness
# The images make test's scenarios boot (RELEASE:FIRMWARE), built while check runs: on a fresh
# machine each takes minutes of debootstrap downloads and two TCG boots, and check is mostly not
# the VMs' work. Only a head start: a scenario builds any image it finds missing.
VM_PREBUILD ?= bookworm:bios trixie:uefi bookworm:secureboot

test: $(VENV)/.installed $(VENV_OLD)/.installed vm-deps
	@mkdir -p tests/output/vm
	@pids=(); for spec in $(VM_PREBUILD); do \
		tests/vm/vm build $${spec%%:*} --firmware $${spec##*:} >tests/output/vm/prebuild-$${spec/:/-}.log 2>&1 & pids+=($$!); \
	done; \
	echo "make test: building images $(VM_PREBUILD) while check runs (logs: tests/output/vm/prebuild-*.log)"; \
	status=0; $(MAKE) --no-print-directory check || status=$$?; \
	for pid in "$${pids[@]}"; do wait $$pid || echo "make test: an image build failed (see tests/output/vm/prebuild-*.log); the scenarios try again" >&2; done; \
	grep -h 'image ready' tests/output/vm/prebuild-*.log || true; \
	exit $$status
	$(MAKE) --no-print-directory vm-test

# Benchmarks: printed ratios from one run, never asserted (see tests/bench).
bench: $(VENV)/.installed vm-deps
	$(VENV)/bin/python tests/bench/noop_run.py

# The readiness playbook's per-host cost against ping at 1, 10 and 50 hosts (aliases of two VMs).
bench-readiness: $(VENV)/.installed vm-deps
	$(VENV)/bin/python tests/bench/readiness_scale.py

# Which TCG guest CPU model the harness should use: boots VMs one after another (minutes).
bench-guest-cpu: $(VENV)/.installed vm-deps
	$(VENV)/bin/python tests/bench/guest_cpu.py

# A local Debian 12 VM made kdump-ready by the collection's playbook, crashed, and its vmcore shown.
# FIRMWARE=bios|uefi|secureboot.
demo: $(VENV)/.installed vm-deps
	$(VENV)/bin/python tests/demo.py $(if $(FIRMWARE),--firmware $(FIRMWARE))

vm-deps:
	tests/vm/install-deps

test-all: test
	CRASHDUMP_FIRMWARE=bios $(MAKE) vm-test VM_SCENARIOS="$(VM_SCENARIOS_BIOS)"
	$(MAKE) vm-test VM_SCENARIOS="$(VM_SCENARIOS_TRIXIE)" CRASHDUMP_RELEASE=trixie
	$(MAKE) vm-test VM_SCENARIOS="$(VM_SCENARIOS_EXTRA)"

vm-test: $(VENV)/.installed vm-deps
	@for scenario in $(VM_SCENARIOS); do \
		CRASHDUMP_VENV=$(VENV) CRASHDUMP_RELEASE=$(CRASHDUMP_RELEASE) tests/vm/run-scenario $$scenario || exit 1; \
	done

deps-debian:
	@tests/install-debian-deps python3-venv git

$(VENV)/.installed: tests/requirements-dev.txt
	@$(MAKE) --no-print-directory deps-debian
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_QUIET) --upgrade pip
	$(VENV)/bin/pip install $(PIP_QUIET) -r tests/requirements-dev.txt
	touch $@

$(VENV_OLD)/.installed: tests/requirements-2.16.txt
	@$(MAKE) --no-print-directory deps-debian
	$(PYTHON) -m venv $(VENV_OLD)
	$(VENV_OLD)/bin/pip install $(PIP_QUIET) --upgrade pip
	$(VENV_OLD)/bin/pip install $(PIP_QUIET) -r tests/requirements-2.16.txt
	touch $@

# A fresh copy of what git tracks or would track (ansible-test resolves
# symlinks, so a link to the checkout does not satisfy it).
$(COLLECTION): FORCE
	rm -rf $(COLLECTION) && mkdir -p $(COLLECTION)
	git ls-files -z --cached --others --exclude-standard | \
		tar --null --files-from - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C $(COLLECTION)

FORCE:

lint: $(VENV)/.installed changelog-lint role-specs
	$(VENV)/bin/ansible-lint --profile production

# Role defaults and meta/argument_specs.yml must not drift apart.
role-specs: $(VENV)/.installed
	$(VENV)/bin/python tests/check_role_specs.py

changelog-lint: $(VENV)/.installed
	$(VENV)/bin/antsibull-changelog lint

sanity: sanity-2.19 sanity-2.16

# ansible-test bootstraps pip in its venvs with a get-pip.py from a host we
# cannot reach; put our stand-in where it looks first.
define get-pip-shim
	mkdir -p $(HOME)/.ansible/test/cache
	for ver in $$(sed -n "s/^ *pip='\([0-9.]*\)',.*/\1/p" $(1)/lib/python*/site-packages/ansible_test/_internal/python_requirements.py); do \
		cp tests/ansible-test-get-pip.py $(HOME)/.ansible/test/cache/get_pip_$${ver//./_}.py; \
	done
endef

sanity-2.19: $(VENV)/.installed $(COLLECTION)
	$(call get-pip-shim,$(VENV))
	cd $(COLLECTION) && $(VENV)/bin/ansible-test sanity --venv --python $(TEST_PYTHON) --color no --truncate 0

sanity-2.16: $(VENV_OLD)/.installed $(COLLECTION)
	$(call get-pip-shim,$(VENV_OLD))
	cd $(COLLECTION) && $(VENV_OLD)/bin/ansible-test sanity --venv --python $(TEST_PYTHON) --color no --truncate 0

# Target-side code must stay valid Python 2.7 and 3.6 (RHEL 7/8 fleets).
pysyntax: $(VENV)/.installed
	$(VENV)/bin/vermin --no-tips --violations --target=2.7- --target=3.6- \
		$(wildcard plugins/modules plugins/module_utils)
	tests/compile-target-code

units: $(VENV)/.installed $(COLLECTION)
	$(call get-pip-shim,$(VENV))
	cd $(COLLECTION) && $(VENV)/bin/ansible-test units --venv --python $(TEST_PYTHON) --color no \
		--requirements

# The VM harness's own logic (accelerator choice, start watch) against a fake QEMU: no VM boots,
# except one real kernel under TCG when an image's kernel is cached.
harness-units: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/vm/unit

# The roles' guards run by ansible-playbook against local hosts in check mode (nothing is changed or
# crashed): kdump_verify's batch guard.
role-tests: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/roles

# The readiness report page in headless Chromium (Debian's chromium, installed here): its DOM after
# the page's own script ran, a click that sorts the table, a screenshot in tests/output/report/.
report-tests: $(VENV)/.installed
	@tests/install-debian-deps chromium
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/report

# The acceptance check of issue 2: a built and installed collection imports.
build-import: $(VENV)/.installed
	tests/build-and-import $(VENV)

clean:
	rm -rf $(COLLECTIONS) tests/output .pytest_cache .hypothesis
