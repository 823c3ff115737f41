# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The crashkernel module refuses bad requests before touching anything."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.crashdump.kdump.plugins.modules import crashkernel

GIB = 1 << 30


class FakeFacts(object):
    def __init__(self, read_text, machine):
        self.arch = "x86_64"
        self.family = "debian"
        self.os_release = {"ID": "debian", "VERSION_ID": "12"}
        self.distribution, self.version = "debian", "12"
        self.cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-cloud-amd64 root=/dev/vda1 ro"
        self.ram_bytes = int(1.5 * GIB)
        self.reserved_bytes = 0
        self.crash_loaded = False


def run_module(args, monkeypatch, capsys):
    """Run main() with ``args``; return its JSON result. Any write or command fails the test."""
    monkeypatch.setattr(crashkernel, "HostFacts", FakeFacts)

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
    (dict(size="2G"), "not less than the 1536M of System RAM"),
    (dict(size="1G-:2G"), "not below the System RAM rounded up"),
    (dict(size="128M", offset="20M"), "not a multiple of 16M"),
    (dict(size="128M", offset="16M;id"), "character ';'"),
    (dict(size="512M-2G:64M@16M", offset="16M"), "without '@'"),
    (dict(size="128M", low="64M"), "only meaningful with high=true"),
    (dict(size="1G-:128M", high=True), "plain size"),
    (dict(size="crashkernel=128M"), "only what follows 'crashkernel='"),
    (dict(state="absent", size="128M"), "go with state=present only"),
])
def test_bad_values_fail_before_anything_changes(args, fragment, monkeypatch, capsys):
    result = run_module(args, monkeypatch, capsys)
    assert result["failed"]
    assert fragment in result["msg"], result["msg"]


def test_size_is_required_when_present(monkeypatch, capsys):
    result = run_module({}, monkeypatch, capsys)
    assert result["failed"] and "size" in result["msg"]


def test_auto_uses_the_distro_table_where_no_tool_answers(monkeypatch, capsys):
    monkeypatch.setattr(crashkernel.Runner, "which", lambda self, name, required=False: None)
    monkeypatch.setattr(crashkernel.platform, "release", lambda: "6.1.0-28-cloud-amd64")
    captured = {}

    def stop(runner, manage, tokens):
        captured["tokens"] = tokens
        runner.module.exit_json(changed=False, tokens=tokens)

    monkeypatch.setattr(crashkernel, "detect_bootloader", lambda module, runner, facts: "update-grub")
    monkeypatch.setattr(crashkernel, "plan_debian", stop)
    result = run_module(dict(size="auto"), monkeypatch, capsys)
    assert result["tokens"] == ["crashkernel=384M-:128M"]


class FakeRhel9(FakeFacts):
    def __init__(self, read_text, machine):
        super(FakeRhel9, self).__init__(read_text, machine)
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
    monkeypatch.setattr(crashkernel.Runner, "which",
                        lambda self, name, required=False: "/usr/sbin/grubby" if name == "grubby" else None)
    monkeypatch.setattr(crashkernel.Runner, "run", fake_run)
    monkeypatch.setattr(crashkernel, "read_text", lambda path: None)
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
