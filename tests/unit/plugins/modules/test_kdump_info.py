# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump_info lists the dumps on disk with their format and kernel log (what kdump_verify checks)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.crashdump.kdump.plugins.modules import kdump_info

CAPTURED_HEAD = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "captured", "debian12",
                             "var-crash-dump-head.bin")


def write(path, data):
    with open(str(path), "wb") as handle:
        handle.write(data)


def test_debian_layout_with_a_real_dump_header(tmp_path):
    with open(CAPTURED_HEAD, "rb") as handle:
        head = handle.read()
    old = tmp_path / "202611270101"
    new = tmp_path / "202611280142"
    old.mkdir()
    new.mkdir()
    write(old / "dump.202611270101", b"\x7fELF" + b"\x00" * 60)
    write(old / "dmesg.202611270101", b"[    0.000000] Linux version 6.1.0\n")
    write(new / "dump.202611280142", head + b"\x00" * 4096)
    write(new / "dmesg.202611280142", b"Kernel panic - not syncing: sysrq triggered crash\n")
    os.utime(str(old / "dump.202611270101"), (1000, 1000))
    os.utime(str(new / "dump.202611280142"), (2000, 2000))

    dumps = kdump_info.list_dumps(str(tmp_path))

    assert [d["path"] for d in dumps] == [str(old / "dump.202611270101"), str(new / "dump.202611280142")]
    # Debian's kdump-tools pipes makedumpfile -F: the flattened format, not kdump-compressed.
    assert [d["format"] for d in dumps] == ["elf", "makedumpfile-flattened"]
    assert dumps[1]["dmesg"] == str(new / "dmesg.202611280142")
    assert dumps[1]["size"] == len(head) + 4096 and dumps[1]["complete"]


def test_red_hat_layout_incomplete_and_garbage(tmp_path):
    crash = tmp_path / "127.0.0.1-2026-11-28-01:42:00"
    crash.mkdir()
    write(crash / "vmcore-incomplete", b"")
    write(crash / "vmcore-dmesg.txt", b"sysrq: Trigger a crash\n")
    (tmp_path / "not-a-dir").write_text(u"x")
    other = tmp_path / "junk"
    other.mkdir()
    write(other / "vmcore", b"GARBAGE!" * 2)

    dumps = {os.path.basename(d["dir"]): d for d in kdump_info.list_dumps(str(tmp_path))}

    assert not dumps["127.0.0.1-2026-11-28-01:42:00"]["complete"]
    assert dumps["127.0.0.1-2026-11-28-01:42:00"]["format"] is None  # empty file
    assert dumps["127.0.0.1-2026-11-28-01:42:00"]["dmesg"].endswith("vmcore-dmesg.txt")
    assert dumps["junk"]["format"] is None and dumps["junk"]["dmesg"] is None


def test_fifos_and_links_named_like_dumps_are_skipped_without_waiting(tmp_path):
    """A FIFO used to block list_dumps (and kdump_info) forever; a dangling link raised FileNotFoundError
    and a link to /dev/tty OSError. Only regular files are dumps."""
    crash = tmp_path / "202612050101"
    crash.mkdir()
    os.mkfifo(str(crash / "dump.202612050101"))
    os.symlink(str(tmp_path / "gone"), str(crash / "dump.202612050102"))
    os.symlink("/dev/null", str(crash / "vmcore"))
    write(crash / "dump.202612050103", b"\x7fELF" + b"\x00" * 60)
    linked_dir = tmp_path / "linked"
    os.symlink(str(crash), str(linked_dir))
    dumps = kdump_info.list_dumps(str(tmp_path))
    assert [d["path"] for d in dumps] == [str(crash / "dump.202612050103")]


def test_missing_directory_lists_nothing(tmp_path):
    assert kdump_info.list_dumps(str(tmp_path / "nope")) == []


# --- main(): readiness, min_reserved, sysfs paths, containers, the dump target ----------

import json  # noqa: E402
import stat  # noqa: E402

import pytest  # noqa: E402

from ansible.module_utils.common import warnings  # noqa: E402
from ansible_collections.crashdump.kdump.tests.unit.plugins.modules.module_args import patch_module_args  # noqa: E402

from ansible_collections.crashdump.kdump.plugins.module_utils import _container, _dumps, _platform  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")
MIB = 1 << 20


def fixture(*parts):
    with open(os.path.join(FIXTURES, *parts)) as handle:
        return handle.read()


ARM64_MEM_USAGE = fixture("formats", "makedumpfile-mem-usage.arm64-64GiB.lkml-2023.txt")
MEMINFO = fixture("formats", "proc-meminfo.x86_64-6.18.txt")


def debian12(dump_dir, **changes):
    """A kdump-ready Debian 12 host with 128M reserved (old sysfs names).

    Files of the captured Debian 12 VM, with the /proc/meminfo of a 24 GiB machine and no /proc/iomem
    (as without root), so that RAM is that meminfo's MemTotal (23.5 GiB) and the meminfo rule fits it.
    """
    files = {
        "/etc/os-release": fixture("captured", "debian12", "etc-os-release"),
        "/proc/meminfo": MEMINFO,
        "/proc/cmdline": fixture("captured", "debian12", "proc-cmdline").strip() + " crashkernel=384M-:128M\n",
        "/etc/default/kdump-tools": 'USE_KDUMP=1\nKDUMP_COREDIR="%s"\n' % dump_dir,
        "/sys/kernel/kexec_crash_size": "%d\n" % (128 * MIB),
        "/sys/kernel/kexec_crash_loaded": "1\n",
    }
    files.update(changes)
    return dict((path, text) for path, text in files.items() if text is not None)


class FakeRunner(object):
    """The tools of a kdump-ready Debian host; ``mem_usage`` is makedumpfile --mem-usage's (rc, out, err)."""

    tools = ("kdump-config", "systemctl", "makedumpfile", "timeout", "kexec", "dpkg-query")
    mem_usage = (0, ARM64_MEM_USAGE, "")
    installed = ("kdump-tools", "kexec-tools", "makedumpfile")
    ran = []

    def __init__(self, module):
        self.module = module

    def which(self, name, required=False, extra_paths=()):
        return "/usr/sbin/" + name if name in self.tools else None

    def run(self, argv, check=True, data=None):
        FakeRunner.ran.append(list(argv))
        if argv[1:3] == ["is-enabled", "kdump-tools.service"]:
            return 0, "enabled\n", ""
        if argv[1:3] == ["is-active", "kdump-tools.service"]:
            return 0, "active\n", ""
        if "--mem-usage" in argv:
            return self.mem_usage
        if argv[1:] == ["--version"]:
            return 0, "kexec-tools 2.0.25\n", ""  # Debian 12's kexec-tools 1:2.0.25-3+deb12u3
        if argv[1:] == ["-v"]:
            return 0, "makedumpfile: version 1.7.2 (released on 20 Oct 2022)\nlzo\tenabled\n", ""
        if argv[0].endswith("/dpkg-query"):
            # dpkg-query -W -f '${Package} ${Status}\n': the installed ones; the unknown ones only on stderr.
            known = [name for name in argv[4:] if name in self.installed]
            return (0 if len(known) == len(argv[4:]) else 1,
                    "".join("%s install ok installed\n" % name for name in sorted(known)),
                    "".join("dpkg-query: no packages found matching %s\n" % name for name in argv[4:]
                            if name not in known))
        raise AssertionError("unexpected command %r" % (argv,))


def run_info(args, files, monkeypatch, capsys, runner=FakeRunner, euid=0, free_bytes=10 << 30):
    monkeypatch.setattr(warnings, "_global_warnings", type(warnings._global_warnings)())
    # Less free space than this 23.5 GiB host's RAM (makedumpfile is asked), whatever the test machine has.
    real = kdump_info.dump_dir_state
    monkeypatch.setattr(kdump_info, "dump_dir_state", lambda path: dict(real(path), free_bytes=free_bytes))
    monkeypatch.setattr(kdump_info, "read_text", files.get)
    monkeypatch.setattr(kdump_info.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(kdump_info.platform, "release", lambda: "6.1.0-50-cloud-amd64")
    monkeypatch.setattr(kdump_info.os, "geteuid", lambda: euid)
    monkeypatch.setattr(kdump_info, "boot_entries", lambda host, facts: ("update-grub", []))
    # Firmware and kernel image from ``files`` too: bytes under "efivar:NAME" and "kernel:PATH".
    monkeypatch.setattr(kdump_info, "efi_booted", lambda: "efivar:SecureBoot" in files)
    monkeypatch.setattr(kdump_info, "efi_variable", lambda name: files.get("efivar:" + name))
    monkeypatch.setattr(kdump_info, "kernel_ends", lambda path: (files.get("kernel:" + path), None))
    monkeypatch.setattr(kdump_info, "kernel_exists", lambda path: "kernel:" + path in files)
    # The container files come from ``files`` too, never from the machine running the tests.
    monkeypatch.setattr(kdump_info, "detect_container", lambda read, exists, run: _container.detect_container(
        files.get, lambda path: path in files, run))
    monkeypatch.setattr(kdump_info, "Runner", runner)
    FakeRunner.ran = []
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            kdump_info.main()
    return json.loads(capsys.readouterr().out)


def codes(result):
    return [reason["code"] for reason in result["reasons"]]


def test_a_ready_debian_host(tmp_path, monkeypatch, capsys):
    os.chmod(str(tmp_path), 0o700)
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys)
    assert result["ready"], result["reasons"]
    assert result["virtualization"] == dict(xen_pv_domu=False, container=None)
    assert result["reserved"]["source"] == "/sys/kernel/kexec_crash_size"
    assert result["ram_bytes"] == 24683584 * 1024
    assert result["reserved"]["floor_bytes"] == 128 * MIB  # Debian 12's 384M-:128M
    assert result["platform"]["packages_missing"] == []
    target = result["dump_target"]
    assert (target["type"], target["path"], target["exists"]) == ("local", str(tmp_path), True)
    assert target["mode"] == "0700" and target["uid"] == os.getuid()
    assert target["free_bytes"] > 0 and target["dump_level"] == 31
    # makedumpfile --mem-usage ran, time-boxed, and its table gave the size.
    assert ["/usr/sbin/timeout", "-k", "5", "10", "/usr/sbin/makedumpfile", "--mem-usage", "/proc/kcore"] in \
        FakeRunner.ran
    assert target["needed_bytes"] == 459950 * 4096
    assert target["estimate"] == "makedumpfile --mem-usage at dump level 31, before compression"


def test_missing_packages_are_named_and_unknown_without_a_package_database(tmp_path, monkeypatch, capsys):
    class WithoutMakedumpfile(FakeRunner):
        installed = ("kdump-tools", "kexec-tools")

    class WithoutDpkgQuery(FakeRunner):
        tools = tuple(name for name in FakeRunner.tools if name != "dpkg-query")

    result = run_info({}, debian12(tmp_path), monkeypatch, capsys, runner=WithoutMakedumpfile)
    assert result["platform"]["packages_missing"] == ["makedumpfile"]
    assert ["/usr/sbin/dpkg-query", "-W", "-f", "${Package} ${Status}\n", "kdump-tools", "kexec-tools",
            "makedumpfile"] in FakeRunner.ran
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys, runner=WithoutDpkgQuery)
    assert result["platform"]["packages_missing"] is None


def test_min_reserved_range_list_is_evaluated_for_this_ram(tmp_path, monkeypatch, capsys):
    # Regression (issue 12): a range list used to become 0 and the floor check was skipped.
    result = run_info(dict(min_reserved="1G-4G:192M,4G-:256M"), debian12(tmp_path), monkeypatch, capsys)
    assert result["reserved"]["floor_bytes"] == 256 * MIB
    assert codes(result) == ["reservation_too_small"]
    assert "128M reserved, less than the 256M this host needs (min_reserved)" in result["reasons"][0]["message"]


def test_min_reserved_range_list_without_a_range_for_this_ram_warns(tmp_path, monkeypatch, capsys):
    result = run_info(dict(min_reserved="1G-4G:192M"), debian12(tmp_path), monkeypatch, capsys)
    assert result["ready"] and result["reserved"]["floor_bytes"] == 0
    # Warnings are text before ansible-core 2.19 and dicts since: search their JSON.
    warned = json.dumps(result.get("warnings"))
    assert "min_reserved=1G-4G:192M has no range for this host's 23.5 GiB of System RAM" in warned
    assert "no floor is checked" in warned


def test_min_reserved_that_is_no_floor_fails_the_task(tmp_path, monkeypatch, capsys):
    result = run_info(dict(min_reserved="256M,high"), debian12(tmp_path), monkeypatch, capsys)
    assert result["failed"]
    assert "min_reserved=256M,high" in result["msg"] and "accepted: a size such as 192M" in result["msg"]


def test_the_new_sysfs_files_win_and_messages_name_them(tmp_path, monkeypatch, capsys):
    files = debian12(tmp_path, **{"/sys/kernel/kexec/crash_size": "%d\n" % (128 * MIB),
                                  "/sys/kernel/kexec/crash_loaded": "0\n"})
    result = run_info({}, files, monkeypatch, capsys)
    assert result["reserved"]["source"] == "/sys/kernel/kexec/crash_size"
    assert not result["kexec_crash_loaded"]  # the old file says 1, the new one 0: the new one counts
    assert codes(result) == ["service_not_loaded"]
    assert "no capture kernel is loaded (/sys/kernel/kexec/crash_loaded is 0)" in result["reasons"][0]["message"]


def test_inside_a_container_it_says_so(tmp_path, monkeypatch, capsys):
    files = debian12(tmp_path, **{"/.dockerenv": "", "/sys/kernel/kexec_crash_loaded": "0\n"})
    result = run_info({}, files, monkeypatch, capsys)
    assert result["virtualization"]["container"] == "docker"
    assert "in_container" in codes(result) and not result["ready"]
    assert any("kdump cannot work inside a container (docker): the crash kernel belongs to the host; "
               "run this against the host" in r["message"] for r in result["reasons"])


def test_makedumpfile_is_not_asked_when_all_of_ram_fits(tmp_path, monkeypatch, capsys):
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys, free_bytes=24 << 30)
    target = result["dump_target"]
    assert not [argv for argv in FakeRunner.ran if "--mem-usage" in argv]
    meminfo = _dumps.parse_meminfo(MEMINFO)
    facts = _platform.HostFacts(debian12(tmp_path).get, "x86_64")
    assert target["needed_bytes"] == _dumps.meminfo_dump_bytes(meminfo, facts.ram_bytes, 128 * MIB, 31)
    assert target["estimate"] == ("/proc/meminfo rule at dump level 31, before compression (makedumpfile "
                                  "--mem-usage not run: the free space holds all of System RAM)")
    assert result["ready"]


def test_a_slow_makedumpfile_falls_back_to_the_meminfo_rule(tmp_path, monkeypatch, capsys):
    class Slow(FakeRunner):
        mem_usage = (124, "", "")  # what timeout(1) returns when it stopped the command
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys, runner=Slow)
    target = result["dump_target"]
    meminfo = _dumps.parse_meminfo(MEMINFO)
    facts = _platform.HostFacts(debian12(tmp_path).get, "x86_64")
    assert target["needed_bytes"] == _dumps.meminfo_dump_bytes(meminfo, facts.ram_bytes, 128 * MIB, 31)
    assert target["estimate"] == ("/proc/meminfo rule at dump level 31, before compression "
                                  "(makedumpfile --mem-usage did not finish within 10 s)")


@pytest.mark.parametrize("mem_usage, euid, tools, args, why", [
    ((1, "", "makedumpfile: unrecognized option '--mem-usage'\n"), 0, FakeRunner.tools, {},
     "makedumpfile --mem-usage failed (rc 1: makedumpfile: unrecognized option '--mem-usage')"),
    ((0, ARM64_MEM_USAGE, ""), 1000, FakeRunner.tools, {}, "needs root to read /proc/kcore"),
    ((0, ARM64_MEM_USAGE, ""), 0, ("kdump-config", "systemctl", "makedumpfile"), {}, "no timeout(1)"),
    ((0, ARM64_MEM_USAGE, ""), 0, FakeRunner.tools, dict(mem_usage_timeout=0), "mem_usage_timeout=0"),
])
def test_makedumpfile_is_only_used_when_it_can_answer(mem_usage, euid, tools, args, why, tmp_path, monkeypatch,
                                                      capsys):
    class Runner(FakeRunner):
        pass
    Runner.mem_usage, Runner.tools = mem_usage, tools
    result = run_info(args, debian12(tmp_path), monkeypatch, capsys, runner=Runner, euid=euid)
    assert result["dump_target"]["estimate"].startswith("/proc/meminfo rule at dump level 31")
    assert why in result["dump_target"]["estimate"]
    assert result["dump_target"]["needed_bytes"] > 0


def test_without_root_it_warns_that_the_figures_are_wrong(tmp_path, monkeypatch, capsys):
    """It used to return ram_bytes: 3 without a word (/proc/iomem reads 00000000-00000000 to non-root)."""
    assert "warnings" not in run_info({}, debian12(tmp_path), monkeypatch, capsys)
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys, euid=1000)
    assert "kdump_info is not running as root" in json.dumps(result["warnings"])
    assert "Run it with become: true." in json.dumps(result["warnings"])


def test_too_little_free_space_is_a_reason(tmp_path, monkeypatch, capsys):
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys, free_bytes=100 * MIB)
    assert codes(result) == ["dump_space_low"]
    message = result["reasons"][0]["message"]
    assert message.startswith("%s has 100.0 MiB free, less than the 1.8 GiB a dump of this host needs "
                              "(makedumpfile --mem-usage at dump level 31, before compression)" % tmp_path), message


def ssh_host(tmp_path, answer):
    """A Debian host sending dumps over ssh with its own key, and a dump server answering ``answer``."""
    key = tmp_path / "kdump_id_ed25519"
    key.write_text(u"a key")
    files = debian12(tmp_path, **{"/etc/default/kdump-tools": 'USE_KDUMP=1\nSSH="kdump@10.77.0.2"\n'
                                  'SSH_KEY="%s"\nKDUMP_COREDIR="/var/crash/web1"\n' % key})

    class Runner(FakeRunner):
        tools = FakeRunner.tools + ("ssh",)

        def run(self, argv, check=True, data=None):
            if "/usr/sbin/ssh" in argv:
                FakeRunner.ran.append(list(argv))
                return answer
            return FakeRunner.run(self, argv, check, data)
    return files, Runner, str(key)


def test_a_remote_target_is_checked_as_kdump_reaches_it(tmp_path, monkeypatch, capsys):
    files, runner, key = ssh_host(tmp_path, (0, "crashdump-probe 1 /var/crash\n/dev/vda1 20511312 1398260 "
                                                "18064028 8% /\n", ""))
    result = run_info({}, files, monkeypatch, capsys, runner=runner, free_bytes=0)
    target = result["dump_target"]
    assert result["ready"], result["reasons"]
    assert target["remote"] == dict(type="ssh", where="kdump@10.77.0.2", path="/var/crash/web1", key=key,
                                    server="10.77.0.2", user="kdump", server_dir="/var/crash/web1", checked=True, writable=True, probed_path="/var/crash",
                                    free_bytes=18064028 * 1024, error=None)
    # The dump's size is still estimated, against the server's free space.
    assert target["needed_bytes"] > 0 and target["estimate"].startswith("makedumpfile --mem-usage")
    (ssh,) = [argv for argv in FakeRunner.ran if "/usr/sbin/ssh" in argv]
    assert ["-i", key] == ssh[ssh.index("-i"):ssh.index("-i") + 2] and "StrictHostKeyChecking=yes" in ssh


def test_a_server_that_refuses_the_key_makes_the_host_not_ready(tmp_path, monkeypatch, capsys):
    files, runner, _key = ssh_host(tmp_path, (255, "", "kdump@10.77.0.2: Permission denied (publickey).\r\n"))
    result = run_info({}, files, monkeypatch, capsys, runner=runner)
    assert codes(result) == ["remote_auth_failed"] and result["dump_target"]["remote"]["error"] == "remote_auth_failed"
    assert result["reasons"][0]["message"] == (
        "the dump target ssh kdump@10.77.0.2:/var/crash/web1 cannot take a dump: ssh kdump@10.77.0.2: "
        "kdump@10.77.0.2: Permission denied (publickey).; a crash now would not reach it")


def test_a_full_server_is_a_reason(tmp_path, monkeypatch, capsys):
    files, runner, _key = ssh_host(tmp_path, (0, "crashdump-probe 1 /var/crash\n/dev/vda1 3021608 3021608 "
                                                 "1024 100% /\n", ""))
    assert codes(run_info({}, files, monkeypatch, capsys, runner=runner)) == ["remote_space_low"]


def test_config_says_where_kdump_config_would_send_the_dumps(tmp_path, monkeypatch, capsys):
    class WithSsh(FakeRunner):
        installed = FakeRunner.installed + ("openssh-client",)
    config = dict(path="/var/crash/web1", target=dict(type="ssh", host="kdump@10.77.0.2", key="/root/.ssh/kdump_id_ed25519"))
    result = run_info(dict(config=config), debian12(tmp_path), monkeypatch, capsys, runner=WithSsh)
    assert result["config_remote"] == dict(type="ssh", where="kdump@10.77.0.2", path="/var/crash/web1",
                                           key="/root/.ssh/kdump_id_ed25519", server="10.77.0.2", user="kdump",
                                           server_dir="/var/crash/web1", client_package="openssh-client",
                                           client_package_missing=False)
    # Debian mounts the export on its dump directory: the dumps are at the export's top.
    nfs = run_info(dict(config=dict(path="/var/crash", target=dict(type="nfs", export="10.77.0.2:/srv/dumps/web1/"))),
                   debian12(tmp_path), monkeypatch, capsys)["config_remote"]
    assert (nfs["server"], nfs["server_dir"], nfs["key"], nfs["client_package"]) == (
        "10.77.0.2", "/srv/dumps/web1", None, "nfs-common")
    assert nfs["client_package_missing"] is True   # not among the fake host's packages
    assert run_info(dict(config=dict(path="/var/crash")), debian12(tmp_path), monkeypatch, capsys)["config_remote"] is None


@pytest.mark.parametrize("target, words", [
    (dict(type="ssh", host="-oProxyCommand=touch /tmp/x"), "target.host"),
    (dict(type="ssh", host="root@10.77.0.2", key="id_ed25519"), "target.key"),
    (dict(type="nfs", export="10.77.0.2"), "target.export"),
    (dict(type="ssh", host="web@10.77.0.2", user="root"), "give the user once"),
])
def test_a_target_kdump_config_would_refuse_fails_before_anything_is_asked(tmp_path, monkeypatch, capsys, target, words):
    result = run_info(dict(config=dict(target=target)), debian12(tmp_path), monkeypatch, capsys)
    assert result["failed"] and result["msg"].startswith("kdump_info: config: ") and words in result["msg"], result
    assert result["msg"].endswith("Nothing was changed.")
    assert not [argv for argv in FakeRunner.ran if "ssh" in " ".join(argv) or "mount" in " ".join(argv)]


def test_remote_timeout_zero_leaves_the_target_unchecked(tmp_path, monkeypatch, capsys):
    files, runner, _key = ssh_host(tmp_path, (255, "", "Host key verification failed.\r\n"))
    result = run_info({"remote_timeout": 0}, files, monkeypatch, capsys, runner=runner)
    assert result["ready"] and result["dump_target"]["remote"]["checked"] is False
    assert not [argv for argv in FakeRunner.ran if "/usr/sbin/ssh" in argv]


def test_dump_dir_state_of_a_missing_directory_measures_its_parent(tmp_path):
    os.chmod(str(tmp_path), 0o755)
    state = kdump_info.dump_dir_state(str(tmp_path / "not" / "yet"))
    assert state["exists"] is False and state["mode"] is None and state["uid"] is None
    fs = os.statvfs(str(tmp_path))
    assert abs(state["free_bytes"] - fs.f_bavail * fs.f_frsize) < 64 * MIB
    assert kdump_info.dump_dir_state(str(tmp_path))["mode"] == "%04o" % stat.S_IMODE(os.stat(str(tmp_path)).st_mode)


@pytest.mark.parametrize("tools, level", [
    (("kdump-config", "systemctl"), 0),  # kdump-tools without makedumpfile copies /proc/vmcore whole
    (("systemctl",), 31),  # nothing installed yet: the dump the configuration will make
])
def test_without_makedumpfile(tools, level, tmp_path, monkeypatch, capsys):
    class Runner(FakeRunner):
        pass
    Runner.tools = tools
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys, runner=Runner)
    target = result["dump_target"]
    assert target["dump_level"] == level
    if level == 0:
        assert target["needed_bytes"] == result["ram_bytes"] - 128 * MIB
        assert target["estimate"] == "all of System RAM but the crash kernel's region: the dump is an unfiltered copy"
    else:
        assert "(makedumpfile is not installed)" in target["estimate"]
    assert not [argv for argv in FakeRunner.ran if "--mem-usage" in argv]


# --- Secure Boot and lockdown --------------------------------------------------------------------
# efivarfs bytes of SecureBoot/SetupMode (4 attribute bytes, then the value) as mokutil's maintainer
# gives them (https://github.com/lcp/mokutil/issues/45), and the lockdown file as a Debian kernel
# booted under Secure Boot shows it (kernel_lockdown(7); tests/vm secureboot VMs).
SECURE_BOOT_ON = b"\x06\x00\x00\x00\x01"
SETUP_MODE_OFF = b"\x06\x00\x00\x00\x00"
FORMATS = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "formats")


def kernel_head(kind):
    with open(os.path.join(FORMATS, "vmlinuz-6.1.0-57-cloud-amd64.%s.head.bin" % kind), "rb") as handle:
        return handle.read()


def secure_boot_debian12(tmp_path, kernel="signed", **changes):
    files = debian12(tmp_path, **changes)
    files.update({
        "efivar:SecureBoot": SECURE_BOOT_ON, "efivar:SetupMode": SETUP_MODE_OFF,
        "/sys/kernel/security/lockdown": "none [integrity] confidentiality\n",
        "/proc/sys/kernel/kexec_load_disabled": "0\n",
        "kernel:/var/lib/kdump/vmlinuz": kernel_head(kernel),
    })
    return files


def test_a_secure_boot_host_loading_a_signed_kernel_is_ready(tmp_path, monkeypatch, capsys):
    result = run_info({}, secure_boot_debian12(tmp_path), monkeypatch, capsys)
    assert result["ready"], result["reasons"]
    assert result["security"] == dict(
        firmware="uefi", secure_boot=True, lockdown="integrity", kexec_load_disabled=False,
        kexec_tools_version="2.0.25", kexec_syscall="kexec_file_load",
        kexec_syscall_reason="kdump-config adds -s under Secure Boot",
        kexec_args_setting="KDUMP_KEXEC_ARGS in /etc/default/kdump-tools",
        capture_kernel="/var/lib/kdump/vmlinuz", capture_kernel_signed=True)


def test_kexec_args_that_force_kexec_load_under_lockdown(tmp_path, monkeypatch, capsys):
    files = secure_boot_debian12(tmp_path, **{"/sys/kernel/kexec_crash_loaded": "0\n"})
    files["/etc/default/kdump-tools"] += 'KDUMP_KEXEC_ARGS="-c"\n'
    result = run_info({}, files, monkeypatch, capsys)
    assert codes(result) == ["lockdown_refuses_kexec_load", "service_not_loaded"]
    assert result["security"]["kexec_syscall"] == "kexec_load"
    assert ("the kernel is locked down (integrity), which refuses kexec_load, and KDUMP_KEXEC_ARGS=\"-c\" forces "
            "kexec_load: set KDUMP_KEXEC_ARGS in /etc/default/kdump-tools to \"-s\"") in result["reasons"][0]["message"]


def test_kexec_args_only_the_shell_can_read_leave_the_syscall_untold(tmp_path, monkeypatch, capsys):
    # kdump-config sources the file: a -c set behind `&&` is invisible to a line reader, so no answer is given.
    files = secure_boot_debian12(tmp_path)
    files["/etc/default/kdump-tools"] += '[ -e /etc/kdump-legacy ] && KDUMP_KEXEC_ARGS="-c"\n'
    result = run_info({}, files, monkeypatch, capsys)
    assert result["security"]["kexec_syscall"] is None
    assert result["security"]["kexec_syscall_reason"].startswith(
        "KDUMP_KEXEC_ARGS cannot be read without running its file: line ")


def test_an_unsigned_capture_kernel_under_lockdown(tmp_path, monkeypatch, capsys):
    files = secure_boot_debian12(tmp_path, kernel="unsigned", **{"/sys/kernel/kexec_crash_loaded": "0\n"})
    result = run_info({}, files, monkeypatch, capsys)
    assert codes(result) == ["capture_kernel_unsigned", "service_not_loaded"]
    assert result["security"]["capture_kernel_signed"] is False


def test_lockdown_without_secure_boot_on_debian_12(tmp_path, monkeypatch, capsys):
    # lockdown=integrity on the command line of a BIOS host: kdump-config adds no -s, and
    # kexec-tools 2.0.25 defaults to kexec_load.
    files = secure_boot_debian12(tmp_path, **{"/sys/kernel/kexec_crash_loaded": "0\n"})
    for name in ("efivar:SecureBoot", "efivar:SetupMode"):
        del files[name]
    result = run_info({}, files, monkeypatch, capsys)
    assert result["security"]["firmware"] == "bios" and result["security"]["secure_boot"] is False
    assert codes(result) == ["lockdown_refuses_kexec_load", "service_not_loaded"]
    assert "kexec-tools 2.0.25 uses kexec_load by default" in result["reasons"][0]["message"]


def test_kexec_load_disabled_before_the_service_loaded(tmp_path, monkeypatch, capsys):
    files = secure_boot_debian12(tmp_path, **{"/sys/kernel/kexec_crash_loaded": "0\n"})
    files["/proc/sys/kernel/kexec_load_disabled"] = "1\n"
    result = run_info({}, files, monkeypatch, capsys)
    assert codes(result) == ["kexec_load_disabled", "service_not_loaded"]
    assert result["security"]["kexec_load_disabled"] is True


def test_a_bios_host_reports_no_secure_boot(tmp_path, monkeypatch, capsys):
    result = run_info({}, debian12(tmp_path), monkeypatch, capsys)
    security = result["security"]
    assert (security["firmware"], security["secure_boot"], security["lockdown"]) == ("bios", False, None)
    # No /var/lib/kdump/vmlinuz: the running kernel's image, unreadable here.
    assert security["capture_kernel"] == "/boot/vmlinuz-6.1.0-50-cloud-amd64"
    assert security["capture_kernel_signed"] is None


class ConfigModule(object):
    def __init__(self, config):
        self.params = dict(config=config)
        self.no_log_values = set()


class VersionRunner(object):
    def __init__(self, version_output):
        self.version_output = version_output
        self.argv = []

    def run(self, argv, check=True):
        self.argv.append(argv)
        return 0, self.version_output, ""


class DebianFacts(object):
    family, version, kernel_release = "debian", "12", "6.1.0-28-amd64"


def test_config_option_is_planned_with_kdump_configs_spec_and_hides_its_secrets(monkeypatch):
    from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import FAMILIES
    from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import checked_options, plan_config
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    def module_with(config):
        # What AnsibleModule gives main(): config checked by the module's own spec.
        checked = ArgumentSpecValidator(kdump_info.ARGUMENT_SPEC).validate(dict(config=config))
        return ConfigModule(checked.validated_parameters["config"]), checked

    lzo = "makedumpfile: version 1.7.2 (released on 20 Oct 2022)\nlzo\tenabled\nsnappy\tdisabled\nzstd\tdisabled\n"
    options = dict(path="/", core_collector=dict(compression="lzo"))
    module, _checked = module_with(options)
    written = plan_config(FAMILIES["debian"], "", checked_options(module.params["config"], FAMILIES["debian"], None),
                          set(["zlib", "lzo", "none"]), DebianFacts.kernel_release).after
    monkeypatch.setattr(kdump_info, "read_text", lambda path: written if path == "/etc/default/kdump-tools" else None)
    monkeypatch.setattr(kdump_info, "host_lockdown", lambda: "none")
    monkeypatch.setattr(kdump_info, "host_secure_boot", lambda: False)
    runner = VersionRunner(lzo)
    assert kdump_info.config_pending(module, runner, DebianFacts, "/usr/bin/makedumpfile") == (False, None)
    assert runner.argv == [["/usr/bin/makedumpfile", "-v"]]
    # Another compression, one makedumpfile lacks: kdump_config has work or words.
    for changed in (dict(options, core_collector=dict(compression="zlib")),
                    dict(options, core_collector=dict(compression="zstd"))):
        assert kdump_info.config_pending(module_with(changed)[0], runner, DebianFacts, "/usr/bin/makedumpfile")[0]
    # Under lockdown the written file's -c is kdump_config's refusal, so not "nothing to do".
    monkeypatch.setattr(kdump_info, "host_lockdown", lambda: "integrity")
    locked = dict(options, extra=dict(KDUMP_KEXEC_ARGS="-c"))
    written = plan_config(FAMILIES["debian"], "", checked_options(module_with(locked)[0].params["config"],
                          FAMILIES["debian"], None), set(["zlib", "lzo", "none"]), DebianFacts.kernel_release).after
    assert kdump_info.config_pending(module_with(locked)[0], runner, DebianFacts, "/usr/bin/makedumpfile")[0] is True
    # extra_secrets is no_log in the module's own spec.
    _module, checked = module_with(dict(options, extra_secrets=dict(KDUMP_SSH_PASSWORD="hunter2")))
    assert "hunter2" in checked._no_log_values
