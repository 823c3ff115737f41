# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""crash_trigger refuses, touching nothing, where a crash would not be captured: in a container, unloaded."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils.common import warnings
from ansible_collections.crashdump.kdump.tests.unit.plugins.modules.module_args import patch_module_args

from ansible_collections.crashdump.kdump.plugins.module_utils import _container
from ansible_collections.crashdump.kdump.plugins.modules import crash_trigger

# A kdump-ready Debian 12 host on a kernel with the new sysfs files.
HOST = {
    "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
    "/etc/default/kdump-tools": 'USE_KDUMP=1\nKDUMP_COREDIR="/var/crash"\n',
    "/proc/cmdline": "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro crashkernel=384M-:128M\n",
    "/proc/sys/kernel/random/boot_id": "6f1e0a3c-6d8e-4d86-9b1e-0f6a2b7c9d41\n",
    "/proc/1/environ": "HOME=/\0init=/sbin/init\0TERM=linux\0",
    "/sys/kernel/kexec/crash_size": "134217728\n",
    "/sys/kernel/kexec/crash_loaded": "1\n",
}
SCHEDULERS = ("systemd-run", "setsid")


class FakeRunner(object):
    """Records every command; ``tools`` are found, systemd-detect-virt prints ``detect_virt``."""

    tools = ("systemd-run", "setsid")
    detect_virt = "none\n"
    ran = []

    def __init__(self, module):
        self.module = module

    def which(self, name, required=False, extra_paths=()):
        if name in self.tools:
            return "/usr/bin/" + name
        if required:
            raise AssertionError("required tool %s missing" % name)
        return None

    def run(self, argv, check=True, data=None):
        FakeRunner.ran.append(list(argv))
        if argv[-1] == "--container":
            return (1 if self.detect_virt.strip() == "none" else 0), self.detect_virt, ""
        return 0, "", ""


def run_trigger(args, files, monkeypatch, capsys, runner=FakeRunner, check_mode=False):
    monkeypatch.setattr(warnings, "_global_warnings", type(warnings._global_warnings)())
    monkeypatch.setattr(crash_trigger, "read_text", files.get)
    # Container files come from ``files``, never from the machine running the tests.
    monkeypatch.setattr(crash_trigger, "detect_container", lambda read, exists, run: _container.detect_container(
        files.get, lambda path: path in files, run))
    monkeypatch.setattr(crash_trigger, "Runner", runner)
    FakeRunner.ran = []
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            crash_trigger.main()
    return json.loads(capsys.readouterr().out)


def scheduled():
    return [argv for argv in FakeRunner.ran if argv[0].rsplit("/", 1)[-1] in SCHEDULERS]


@pytest.mark.parametrize("marker, name", [
    ({"/.dockerenv": ""}, "docker"),
    ({"/run/.containerenv": 'engine="podman-4.3.1"\n'}, "podman"),
    ({"/run/systemd/container": "lxc\n"}, "lxc"),
    ({"/proc/1/environ": "container=systemd-nspawn\0TERM=xterm\0"}, "systemd-nspawn"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_refuses_inside_a_container_and_schedules_nothing(marker, name, check_mode, monkeypatch, capsys):
    files = dict(HOST, **marker)
    result = run_trigger(dict(confirm=True), files, monkeypatch, capsys, check_mode=check_mode)
    assert result["failed"] and not result.get("changed")
    assert result["container"] == name and result["scheduled_with"] is None
    assert "refusing to crash from inside a container (%s)" % name in result["msg"]
    assert "the crash kernel and /proc/sysrq-trigger belong to the host" in result["msg"]
    assert "Run this against the host itself. Nothing was done." in result["msg"]
    assert FakeRunner.ran == [] and scheduled() == []


def test_systemd_detect_virt_decides_and_only_it_runs(monkeypatch, capsys):
    class WithDetectVirt(FakeRunner):
        tools = FakeRunner.tools + ("systemd-detect-virt",)
        detect_virt = "docker\n"
    result = run_trigger(dict(confirm=True), dict(HOST), monkeypatch, capsys, runner=WithDetectVirt)
    assert result["failed"] and result["container"] == "docker"
    assert FakeRunner.ran == [["/usr/bin/systemd-detect-virt", "--container"]]


def test_the_container_refusal_comes_before_consent(monkeypatch, capsys):
    result = run_trigger({}, dict(HOST, **{"/.dockerenv": ""}), monkeypatch, capsys)
    assert result["failed"] and "inside a container (docker)" in result["msg"]
    assert scheduled() == []


def test_on_the_host_it_schedules_the_crash(monkeypatch, capsys):
    result = run_trigger(dict(confirm=True, delay=7), dict(HOST), monkeypatch, capsys)
    assert result["changed"] and result["container"] is None
    assert result["scheduled_with"] == "systemd-run"
    assert result["boot_id"] == "6f1e0a3c-6d8e-4d86-9b1e-0f6a2b7c9d41"
    assert len(scheduled()) == 1 and "--on-active=7s" in scheduled()[0]


def test_check_mode_on_the_host_schedules_nothing(monkeypatch, capsys):
    result = run_trigger(dict(confirm=True), dict(HOST), monkeypatch, capsys, check_mode=True)
    assert result["changed"] and result["scheduled_with"] is None and scheduled() == []


@pytest.mark.parametrize("sysfs, named", [
    ({"/sys/kernel/kexec/crash_loaded": "0\n", "/sys/kernel/kexec_crash_loaded": "1\n"},
     "/sys/kernel/kexec/crash_loaded is 0"),
    ({"/sys/kernel/kexec/crash_loaded": None, "/sys/kernel/kexec_crash_loaded": "0\n"},
     "/sys/kernel/kexec_crash_loaded is 0"),
    ({"/sys/kernel/kexec/crash_loaded": None},
     "neither /sys/kernel/kexec/crash_loaded nor /sys/kernel/kexec_crash_loaded could be read"),
])
def test_refuses_without_a_capture_kernel_naming_the_file_read(sysfs, named, monkeypatch, capsys):
    files = dict(HOST, **sysfs)
    files = dict((path, text) for path, text in files.items() if text is not None)
    result = run_trigger(dict(confirm=True), files, monkeypatch, capsys)
    assert result["failed"]
    assert "no capture kernel is loaded (%s)" % named in result["msg"], result["msg"]
    assert "Nothing was done." in result["msg"] and scheduled() == []


def test_refuses_while_another_run_changes_the_host(monkeypatch, capsys):
    # A crash in the middle of crashkernel's write could leave the boot configuration half-written.
    from ansible_collections.crashdump.kdump.plugins.module_utils._io import HostLock
    other = HostLock().acquire("crashkernel", 0)
    result = run_trigger(dict(confirm=True), dict(HOST), monkeypatch, capsys)
    other.release()
    assert result["failed"] and "(crashkernel) since" in result["msg"], result["msg"]
    assert scheduled() == []


def test_the_scheduled_crash_waits_for_the_host_lock_where_flock_exists(monkeypatch, capsys, host_lock_path):
    class WithFlock(FakeRunner):
        tools = FakeRunner.tools + ("flock",)
    result = run_trigger(dict(confirm=True), dict(HOST), monkeypatch, capsys, runner=WithFlock)
    assert result["scheduled_with"] == "systemd-run"
    assert scheduled()[0][-3:] == ["/bin/sh", "-c", "/usr/bin/flock -n %s -c 'sync; echo c > /proc/sysrq-trigger'"
                                   % host_lock_path]
