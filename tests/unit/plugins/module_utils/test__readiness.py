# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump_info's readiness rules, one table row per reason code, and the min_reserved floor."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._readiness import (
    OBSERVATIONS,
    REASON_CODES,
    RULES,
    ReadinessError,
    human_size,
    min_reserved_floor,
    reasons,
)
from ansible_collections.crashdump.kdump.plugins.modules import kdump_info

MIB = 1 << 20
GIB = 1 << 30

# A Debian 12 host that would write a dump now (values as kdump_info observes them).
READY = dict(
    platform_known=True, distribution="debian", version="12",
    xen_pv_domu=False, container=None,
    installed=True, package="kdump-tools",
    reserved_bytes=128 * MIB, running=["crashkernel=384M-:128M"], configured=["crashkernel=384M-:128M"],
    floor_bytes=128 * MIB, floor_from="the distribution's recommendation 384M-:128M",
    service_name="kdump-tools", service_enabled=True,
    crash_loaded=True, crash_loaded_path="/sys/kernel/kexec/crash_loaded",
    dump_path="/var/crash", dump_free_bytes=5 * GIB, dump_needed_bytes=300 * MIB,
    dump_estimate="makedumpfile --mem-usage at dump level 31, before compression",
)


def observed(**changes):
    obs = dict(READY)
    obs.update(changes)
    return obs


# (row id, what differs from READY, the code expected, a fragment its message must carry)
ROWS = [
    ("gentoo", dict(platform_known=False, distribution="gentoo", version="2.17", installed=False),
     "unsupported_platform", "gentoo 2.17 is not a platform this collection knows"),
    ("xen-pv", dict(xen_pv_domu=True), "unsupported_xen_pv_domu", "xl dump-core"),
    ("docker", dict(container="docker"), "in_container",
     "kdump cannot work inside a container (docker): the crash kernel belongs to the host; run this against the host"),
    ("no-package", dict(installed=False), "not_installed", "kdump-tools is not installed"),
    ("reserved-next-boot", dict(reserved_bytes=0, running=[]), "needs_reboot",
     "the boot entries carry crashkernel=384M-:128M but the running kernel was booted without it"),
    ("changed-value", dict(configured=["crashkernel=256M"]), "needs_reboot",
     "the boot entries carry crashkernel=256M but the running kernel has crashkernel=384M-:128M"),
    ("nothing-anywhere", dict(reserved_bytes=0, running=[], configured=[]), "not_reserved",
     "no memory is reserved for the capture kernel"),
    ("below-floor", dict(reserved_bytes=96 * MIB, floor_bytes=192 * MIB, floor_from="min_reserved"),
     "reservation_too_small", "96M reserved, less than the 192M this host needs (min_reserved)"),
    ("service-off", dict(service_enabled=False), "service_not_enabled", "the kdump-tools service is not enabled"),
    ("not-loaded-new-path", dict(crash_loaded=False), "service_not_loaded",
     "no capture kernel is loaded (/sys/kernel/kexec/crash_loaded is 0)"),
    ("not-loaded-old-path", dict(crash_loaded=False, crash_loaded_path="/sys/kernel/kexec_crash_loaded"),
     "service_not_loaded", "no capture kernel is loaded (/sys/kernel/kexec_crash_loaded is 0)"),
    ("not-loaded-no-file", dict(crash_loaded=False, crash_loaded_path=None), "service_not_loaded",
     "no capture kernel is loaded (neither /sys/kernel/kexec/crash_loaded nor /sys/kernel/kexec_crash_loaded "
     "could be read)"),
    ("kexec-load-disabled", dict(crash_loaded=False, kexec_load_disabled=True), "kexec_load_disabled",
     "kernel.kexec_load_disabled is 1 and no capture kernel is loaded: the kernel refuses every kexec load "
     "(kexec_load and kexec_file_load) until the next boot"),
    # A Debian 12 host booted with lockdown=integrity but without Secure Boot: kdump-config adds no -s.
    ("lockdown-kexec-load", dict(crash_loaded=False, lockdown="integrity", loader_syscall="kexec_load",
                                 loader_why="kexec-tools 2.0.25 uses kexec_load by default",
                                 loader_setting="KDUMP_KEXEC_ARGS in /etc/default/kdump-tools"),
     "lockdown_refuses_kexec_load",
     "the kernel is locked down (integrity), which refuses kexec_load, and kexec-tools 2.0.25 uses kexec_load by "
     "default: set KDUMP_KEXEC_ARGS in /etc/default/kdump-tools to \"-s\""),
    ("unsigned-capture-kernel", dict(crash_loaded=False, lockdown="confidentiality", capture_kernel_signed=False,
                                     capture_kernel="/boot/vmlinuz-6.1.0-57-cloud-amd64"),
     "capture_kernel_unsigned",
     "the kernel is locked down (confidentiality) and the capture kernel /boot/vmlinuz-6.1.0-57-cloud-amd64 carries "
     "no signature"),
    ("disk-full", dict(dump_free_bytes=100 * MIB), "dump_space_low",
     "/var/crash has 100.0 MiB free, less than the 300.0 MiB a dump of this host needs "
     "(makedumpfile --mem-usage at dump level 31, before compression)"),
] + [
    # A host sending dumps over ssh whose check (_remote_target.check) failed with `code`.
    ("remote-" + code, dict(remote_target="ssh root@10.77.0.2:/var/crash/web1", remote_error=(code, detail)),
     code, "the dump target ssh root@10.77.0.2:/var/crash/web1 cannot take a dump: " + detail)
    for code, detail in (
        ("remote_target_invalid", "the ssh key '-oProxyCommand=x' is not accepted"),
        ("remote_tool_missing", "ssh is not installed (openssh-client)"),
        ("remote_key_missing", "the ssh key /root/.ssh/kdump_id_ed25519 does not exist"),
        ("remote_unreachable", "ssh root@10.77.0.2: ssh: connect to host 10.77.0.2 port 22: Connection timed out"),
        ("remote_host_key_unknown", "ssh root@10.77.0.2: Host key verification failed."),
        ("remote_auth_failed", "ssh root@10.77.0.2: root@10.77.0.2: Permission denied (publickey)."),
        ("remote_check_failed", "ssh root@10.77.0.2: the probe printed no result: ''"),
    )
] + [
    ("remote-read-only", dict(remote_target="nfs 10.77.0.2:/srv/dumps", remote_writable=False,
                              remote_probed_path="10.77.0.2:/srv/dumps"),
     "remote_not_writable", "the dump target nfs 10.77.0.2:/srv/dumps: 10.77.0.2:/srv/dumps is not writable"),
    ("remote-full", dict(remote_target="ssh root@10.77.0.2:/var/crash/web1", remote_writable=True,
                         remote_probed_path="/var/crash", remote_free_bytes=100 * MIB),
     "remote_space_low", "/var/crash has 100.0 MiB free, less than the 300.0 MiB a dump of this host needs"),
]


def test_a_ready_host_has_no_reasons():
    assert reasons(READY) == []


@pytest.mark.parametrize("changes, code, fragment", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_each_rule_reports_its_code(changes, code, fragment):
    found = reasons(observed(**changes))
    messages = [r["message"] for r in found if r["code"] == code]
    assert len(messages) == 1, found  # each rule once
    assert fragment in messages[0], messages[0]


def test_every_code_has_a_row_a_rule_and_a_line_in_the_module_docs():
    codes = [code for code, _meaning, _fix in REASON_CODES]
    assert [code for code, _rule in RULES] == codes
    assert set(row[2] for row in ROWS) == set(codes)
    for code in codes:
        assert "V(%s)" % code in kdump_info.RETURN, code


def test_lockdown_rules_need_lockdown_and_an_unloaded_capture_kernel():
    broken = dict(loader_syscall="kexec_load", capture_kernel_signed=False, kexec_load_disabled=True)
    # Loaded already (before the sysctl or the lockdown): a crash now is captured.
    assert reasons(observed(lockdown="integrity", **broken)) == []
    # Not locked down: kexec_load and unsigned kernels are fine; the sysctl still blocks.
    codes = [r["code"] for r in reasons(observed(crash_loaded=False, lockdown="none", **broken))]
    assert codes == ["kexec_load_disabled", "service_not_loaded"]
    # Locked down but loading with kexec_file_load a signed kernel: only "not loaded".
    codes = [r["code"] for r in reasons(observed(crash_loaded=False, lockdown="integrity",
                                                 loader_syscall="kexec_file_load", capture_kernel_signed=True))]
    assert codes == ["service_not_loaded"]


def test_reboot_and_reservation_rules_exclude_each_other():
    # Reserved for the next boot only: needs_reboot, not not_reserved (and no floor check on 0 bytes).
    codes = [r["code"] for r in reasons(observed(reserved_bytes=0, running=[], floor_bytes=192 * MIB))]
    assert "needs_reboot" in codes and "not_reserved" not in codes and "reservation_too_small" not in codes


def test_dump_space_is_not_judged_when_not_checked():
    # ssh/nfs targets: kdump_info leaves free and needed at None.
    assert reasons(observed(dump_free_bytes=None, dump_needed_bytes=None)) == []
    assert reasons(observed(dump_free_bytes=0, dump_needed_bytes=None)) == []


def test_a_remote_target_that_passed_its_check_or_was_not_checked_is_no_reason():
    assert reasons(observed(remote_target="ssh root@10.77.0.2:/var/crash", remote_writable=True,
                            remote_probed_path="/var/crash", remote_free_bytes=5 * GIB)) == []
    assert reasons(observed(remote_target="nfs 10.77.0.2:/srv/dumps")) == []


def test_a_bare_host_lists_every_failing_rule_in_order():
    bare = dict(platform_known=True, distribution="debian", version="12", installed=False, package="kdump-tools",
                reserved_bytes=0, running=[], configured=[], crash_loaded=False,
                crash_loaded_path="/sys/kernel/kexec_crash_loaded")
    assert [r["code"] for r in reasons(bare)] == ["not_installed", "not_reserved", "service_not_loaded"]


# --- min_reserved -------------------------------------------------------------

@pytest.mark.parametrize("value, ram, floor", [
    ("192M", 2 * GIB, 192 * MIB),
    ("0x10000000", 2 * GIB, 256 * MIB),
    # The regression of issue 12: a range list used to become 0 and the check was skipped.
    ("1G-4G:192M,4G-:256M", 2 * GIB, 192 * MIB),
    ("1G-4G:192M,4G-:256M", 8 * GIB, 256 * MIB),
    # The kernel rounds RAM up to 128M before matching: 4G minus a little firmware RAM is in 4G-.
    ("1G-4G:192M,4G-:256M", 4 * GIB - 40 * MIB, 256 * MIB),
])
def test_min_reserved_floor_evaluates_sizes_and_range_lists(value, ram, floor):
    assert min_reserved_floor(value, ram, "x86_64") == (floor, None)


def test_a_range_list_without_a_range_for_this_ram_sets_no_floor_and_says_so():
    floor, warning = min_reserved_floor("4G-:256M", int(1.5 * GIB), "x86_64")
    assert floor == 0
    assert "min_reserved=4G-:256M has no range for this host's 1.5 GiB of System RAM" in warning
    assert "no floor is checked" in warning


@pytest.mark.parametrize("value, fragment", [
    ("192MB", "min_reserved=192MB is not valid"),
    ("1G-4G192M", "min_reserved=1G-4G192M is not valid"),
    ("4G-1G:192M", "ends at or before it starts"),
    ("256M,high", "the high form"),
    ("auto", "the auto form"),
    ("128M@16M", "@offset"),
    ("1G-:4G", "cannot be evaluated for this host's 2.0 GiB of System RAM"),
])
def test_min_reserved_that_is_no_floor_fails_naming_value_and_accepted_forms(value, fragment):
    with pytest.raises(ReadinessError) as caught:
        min_reserved_floor(value, 2 * GIB, "x86_64")
    message = str(caught.value)
    assert fragment in message, message
    assert "accepted: a size such as 192M, or a range list such as 1G-4G:192M,4G-:256M" in message
    # only what min_reserved accepts: the grammar's own list offers @OFFSET, ,high and auto
    assert "accepted forms" not in message and "SIZE,high" not in message


def test_human_size():
    assert human_size(1610612736) == "1.5 GiB"
    assert human_size(300 * MIB) == "300.0 MiB"
    assert human_size(512) == "512 bytes"
    assert human_size(5 << 40) == "5.0 TiB"


def test_a_misspelt_observation_fails_instead_of_reading_as_unknown():
    with pytest.raises(TypeError, match="reserved_byte"):
        reasons(observed(reserved_byte=0))
    assert set(READY) <= set(OBSERVATIONS)
