# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The crashkernel module refuses bad requests before touching anything."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils.common import warnings
from ansible_collections.crashdump.kdump.tests.unit.plugins.modules.module_args import patch_module_args

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import Plan
from ansible_collections.crashdump.kdump.plugins.modules import crashkernel

GIB = 1 << 30


class FakeFacts(object):
    def __init__(self, read_text, machine, kernel_release=""):
        self.arch = "x86_64"
        self.kernel_release = "6.1.0-28-cloud-amd64"
        self.family = "debian"
        self.os_release = {"ID": "debian", "VERSION_ID": "12"}
        self.distribution, self.version = "debian", "12"
        self.cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-cloud-amd64 root=/dev/vda1 ro"
        self.ram_bytes = int(1.5 * GIB)
        self.reserved_bytes = 0
        self.crash_loaded = False


def run_module(args, monkeypatch, capsys, facts=FakeFacts, container=None):
    """Run main() with ``args``; return its JSON result. Any write or command fails the test."""
    monkeypatch.setattr(crashkernel, "HostFacts", facts)
    monkeypatch.setattr(crashkernel, "detect_container", lambda *_args: container)
    # Warnings are collected process-wide (a list before ansible-core 2.19, a dict since): start empty.
    monkeypatch.setattr(warnings, "_global_warnings", type(warnings._global_warnings)())

    def forbidden(*_args, **_kwargs):
        raise AssertionError("the module touched the host")

    monkeypatch.setattr(crashkernel, "FileTransaction", forbidden)
    monkeypatch.setattr(crashkernel.Runner, "run", forbidden)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            crashkernel.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args, fragment", [
    (dict(size="128M;reboot"), "character ';'"),
    (dict(size="2G-1G:64M"), "ends at or before it starts"),
    (dict(size="2G"), "not less than the 1.5 GiB of System RAM"),
    (dict(size="1G-:2G"), "not below the System RAM rounded up"),
    (dict(size="128M", offset="20M"), "not a multiple of 16M"),
    (dict(size="128M", offset="16M;id"), "character ';'"),
    (dict(size="512M-2G:64M@16M", offset="16M"), "without '@'"),
    (dict(size="128M", low="64M"), "only meaningful with high=true"),
    (dict(size="1G-:128M", high=True), "plain size"),
    (dict(size="crashkernel=128M"), "only what follows 'crashkernel='"),
    (dict(state="absent", size="128M"), "go with state=present only"),
    # Size guards: more than half of RAM, a ,low region that cannot sit below 4G.
    (dict(size="1535M"), "more than half"),
    (dict(size="768M-:1G"), "more than half"),
    (dict(size="256M", high=True, low="100G"), "must be smaller than 4G"),
    (dict(size="256M", high=True, low="1G"), "more than half"),
])
def test_bad_values_fail_before_anything_changes(args, fragment, monkeypatch, capsys):
    result = run_module(args, monkeypatch, capsys)
    assert result["failed"]
    assert fragment in result["msg"], result["msg"]


def test_size_is_required_when_present(monkeypatch, capsys):
    result = run_module({}, monkeypatch, capsys)
    assert result["failed"] and "size" in result["msg"]


class StopBackend(object):
    """A backend that ends the module at read() with the tokens it was asked for."""

    name = "update-grub"

    def __init__(self, module_holder):
        self.module_holder = module_holder

    def read(self, request):
        print(json.dumps(dict(tokens=request.desired)))
        raise SystemExit(0)


class PlanOnlyBackend(object):
    """A backend whose plan writes one file and lists no entry (check mode never applies it)."""

    name = "update-grub"

    def read(self, request):
        return {}

    def plan(self, inputs, request):
        plan = Plan("update-grub", request.desired)
        plan.files["/nonexistent/zz-crashdump-kdump.cfg"] = "planned\n"
        return plan


def test_auto_uses_the_distro_table_where_no_tool_answers(monkeypatch, capsys):
    monkeypatch.setattr(crashkernel.Runner, "which", lambda self, name, required=False: None)
    monkeypatch.setattr(crashkernel, "select", lambda host, facts, wanted: StopBackend(None))
    result = run_module(dict(size="auto"), monkeypatch, capsys)
    assert result["tokens"] == ["crashkernel=384M-:128M"]


class FakeTwoGiB(FakeFacts):
    def __init__(self, read_text, machine, kernel_release=""):
        super(FakeTwoGiB, self).__init__(read_text, machine, kernel_release)
        self.ram_bytes = 2 * GIB


class FakeTwoGiBWithIomem(FakeTwoGiB):
    """A 2 GiB x86 VM's top-level System RAM in /proc/iomem (the hole below 1M, RAM up to 2 GiB)."""
    def __init__(self, read_text, machine, kernel_release=""):
        super(FakeTwoGiBWithIomem, self).__init__(read_text, machine, kernel_release)
        self.ram_regions = [(0x1000, 0x9efff), (0x100000, 0x7ffdffff)]


@pytest.mark.parametrize("args", [
    dict(size="256M", offset="64G"),
    dict(size="256M@64G"),
    dict(size="512M-:256M@1T"),
    dict(size="256M", offset="1792M"),      # starts in RAM, ends past its top
])
def test_an_offset_outside_ram_is_refused(args, monkeypatch, capsys):
    """These were planned with expected_reserved_bytes=268435456 and no warning; the kernel reserves nothing."""
    result = run_module(args, monkeypatch, capsys, facts=FakeTwoGiBWithIomem)
    assert result["failed"] and "not inside one System RAM region of this host" in result["msg"], result["msg"]
    assert "its RAM ends at 0x7ffdffff" in result["msg"]


def test_an_offset_inside_ram_is_planned(monkeypatch, capsys):
    result = run_module(dict(size="256M", offset="16M"), monkeypatch, capsys, facts=FakeTwoGiBWithIomem)
    assert "not inside one System RAM region" not in result.get("msg", "")


@pytest.mark.parametrize("args", [dict(size="2047M"), dict(size="1025M"), dict(size="256M", high=True, low="800M")])
def test_reservations_over_half_of_ram_are_refused_on_a_2g_host(args, monkeypatch, capsys):
    """2047M is below 2 GiB, so the kernel would take it and leave the host 1 MiB; we refuse it."""
    result = run_module(args, monkeypatch, capsys, facts=FakeTwoGiB)
    assert result["failed"] and "more than half" in result["msg"] and "at most 1G" in result["msg"], result["msg"]


def test_half_of_ram_is_accepted(monkeypatch, capsys):
    monkeypatch.setattr(crashkernel, "select", lambda host, facts, wanted: StopBackend(None))
    result = run_module(dict(size="1G"), monkeypatch, capsys, facts=FakeTwoGiB)
    assert result["tokens"] == ["crashkernel=1G"]


def test_a_range_list_that_reserves_nothing_here_is_said(monkeypatch, capsys):
    monkeypatch.setattr(crashkernel, "select", lambda host, facts, wanted: PlanOnlyBackend())
    result = run_module(dict(size="64G-:512M", _ansible_check_mode=True), monkeypatch, capsys)
    assert result["changed"] and result["expected_reserved_bytes"] == 0
    assert "reserves nothing on this host" in str(result.get("warnings")), result


def test_a_range_list_that_reserves_here_is_not_warned_about(monkeypatch, capsys):
    monkeypatch.setattr(crashkernel, "select", lambda host, facts, wanted: PlanOnlyBackend())
    result = run_module(dict(size="1G-:128M", _ansible_check_mode=True), monkeypatch, capsys)
    assert result["expected_reserved_bytes"] == 128 << 20 and not result.get("warnings")


class FakeRhel9(FakeFacts):
    def __init__(self, read_text, machine, kernel_release=""):
        super(FakeRhel9, self).__init__(read_text, machine, kernel_release)
        self.kernel_release = "5.14.0-570.132.1.el9_6.x86_64"
        self.family = "redhat"
        self.distribution, self.version = "rhel", "9.6"
        self.ram_bytes = 8 * GIB
        self.cmdline = "BOOT_IMAGE=(hd0,gpt3)/boot/vmlinuz root=UUID=x crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"
        self.reserved_bytes = 256 << 20


def test_check_mode_on_rhel9_predicts_grubby_and_runs_only_read_only_commands(monkeypatch, capsys, shared_sample):
    """grubby --info=ALL of a real RHEL 9.6 host; check mode must not run anything that changes it."""
    info = shared_sample("rhel9/mql-rhel9.6-ec2/grubby-info-all.txt")
    ran = []

    def fake_run(self, argv, check=True, data=None):
        ran.append(list(argv))
        assert argv[1:] in (["--info=ALL"],), argv
        return 0, info, ""

    monkeypatch.setattr(crashkernel, "HostFacts", FakeRhel9)
    monkeypatch.setattr(crashkernel, "detect_container", lambda *_args: None)
    monkeypatch.setattr(crashkernel.Runner, "which",
                        lambda self, name, required=False: "/usr/sbin/grubby" if name == "grubby" else None)
    monkeypatch.setattr(crashkernel.Runner, "run", fake_run)
    monkeypatch.setattr(crashkernel, "read_text", lambda path: None)
    monkeypatch.setattr(crashkernel.Host, "read_text", lambda self, path: None)
    monkeypatch.setattr(crashkernel.Host, "glob", lambda self, pattern: [])
    monkeypatch.setattr(crashkernel, "FileTransaction", None)  # any write attempt would crash the test
    with patch_module_args(dict(size="512M", _ansible_check_mode=True, _ansible_diff=True)):
        with pytest.raises(SystemExit):
            crashkernel.main()
    result = json.loads(capsys.readouterr().out)
    assert result["changed"] and result["bootloader"] == "grubby"
    assert result["commands"] == [["/usr/sbin/grubby", "--update-kernel=ALL",
                                   "--remove-args=crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M",
                                   "--args=crashkernel=512M"]]
    assert result["previous"] == "1G-4G:192M,4G-64G:256M,64G-:512M" and result["crashkernel"] == "512M"
    assert result["reboot_required"] and result["expected_reserved_bytes"] == 512 << 20
    assert ran == [["/usr/sbin/grubby", "--info=ALL"]]


def test_diff_on_suse_hides_secrets_of_etc_sysconfig_kdump():
    """--diff used to show /etc/sysconfig/kdump whole: KDUMP_SMTP_PASSWORD and passwords in KDUMP_SAVEDIR."""
    before = 'KDUMP_CRASHKERNEL=""\nKDUMP_SMTP_PASSWORD="MailS3cret"\nKDUMP_SAVEDIR="ftp://dumper:FtpS3cret@dumps/crash"\n'
    plan = Plan("grub2-mkconfig", ["crashkernel=256M"])
    plan.files["/etc/sysconfig/kdump"] = before.replace('KDUMP_CRASHKERNEL=""', 'KDUMP_CRASHKERNEL="crashkernel=256M"')
    diffs = crashkernel.build_diff(plan, {"/etc/sysconfig/kdump": before})
    text = json.dumps(diffs)
    assert "MailS3cret" not in text and "FtpS3cret" not in text
    assert 'KDUMP_CRASHKERNEL=\\"crashkernel=256M\\"' in text


@pytest.mark.parametrize("args", [dict(size="256M"), dict(size="auto"), dict(state="absent")])
def test_inside_a_container_it_says_so_first(monkeypatch, capsys, args):
    """It used to fail with "no supported bootloader tool found", never naming the container."""
    result = run_module(args, monkeypatch, capsys, container="docker")
    assert result["failed"] and result["container"] == "docker"
    assert result["msg"].startswith("crashkernel: refusing to run inside a container (docker)")
    assert result["msg"].endswith("Nothing was changed.")
