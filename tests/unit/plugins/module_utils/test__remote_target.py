# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The check of a remote dump target: ssh as kdump runs it, the probe on the server, mount.nfs's
answers, and nothing run for a value ssh or mount would misread."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils import _remote_target as rt
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import remote_target

SSH = dict(type="ssh", destination="root@10.77.0.2", key="/root/.ssh/kdump_id_ed25519", path="/var/crash/web1",
           client_package="openssh-client")
NFS = dict(type="nfs", export="10.77.0.2:/srv/dumps", path="/", client_package="nfs-common")
TOOLS = dict(ssh="/usr/bin/ssh", timeout="/usr/bin/timeout", mount="/bin/mount", umount="/bin/umount")
TOOLS["mount.nfs"] = "/sbin/mount.nfs"

# What the probe printed on a Debian 12 dump server (df -Pk of its root file system).
PROBE_OUT = ("crashdump-probe 1 /var/crash\n"
             "/dev/vda1          3021608 1398260   1447272      50% /\n")


class Recorder(object):
    """A host's run(): answers from a list, records every argv."""

    def __init__(self, *answers):
        self.answers, self.argvs = list(answers), []

    def __call__(self, argv):
        self.argvs.append(list(argv))
        return self.answers.pop(0) if self.answers else (0, "", "")


def which(missing=()):
    return lambda name: None if name in missing else TOOLS[name]


def test_ssh_runs_as_kdump_does_without_prompts_or_new_host_keys():
    argv = rt.ssh_argv("/usr/bin/ssh", "root@10.77.0.2", "/root/.ssh/k", "/var/crash/web1", 10)
    options = [argv[i + 1] for i, word in enumerate(argv) if word == "-o"]
    assert options == ["BatchMode=yes", "StrictHostKeyChecking=yes", "ConnectTimeout=10", "IdentitiesOnly=yes"]
    assert argv[1:3] == ["-i", "/root/.ssh/k"]
    # The destination comes after "--": whatever it holds, ssh reads it as the destination.
    assert argv[-3:-1] == ["--", "root@10.77.0.2"]


def test_without_a_key_ssh_uses_its_own_identities():
    argv = rt.ssh_argv("/usr/bin/ssh", "server", None, "/var/crash", 5)
    assert "-i" not in argv and "IdentitiesOnly=yes" not in argv


@pytest.mark.parametrize("make, path, writable", [
    ("crash", "crash/web1/deeper", True),    # kdump creates web1/deeper with mkdir -p
    ("crash/web1", "crash/web1", True),
])
def test_the_probe_finds_the_deepest_existing_directory_and_its_free_space(tmp_path, make, path, writable):
    os.makedirs(str(tmp_path / make))
    out = subprocess.check_output(["/bin/sh", "-c", rt.probe_script(str(tmp_path / path))]).decode()
    found, probed, free = rt.parse_probe(out)
    assert (found, probed) == (writable, str(tmp_path / make))
    stat = os.statvfs(str(tmp_path))
    assert abs(free - stat.f_bavail * stat.f_frsize) < 64 << 20


def test_the_probe_quotes_the_path_for_the_remote_shell(tmp_path):
    odd = tmp_path / "it's $(touch pwned)"
    os.makedirs(str(odd))
    out = subprocess.check_output(["/bin/sh", "-c", rt.probe_script(str(odd))], cwd=str(tmp_path)).decode()
    assert rt.parse_probe(out)[1] == str(odd)
    assert not (tmp_path / "pwned").exists()


def test_a_probe_that_printed_nothing_useful_is_an_error():
    for out in ("", "crashdump-probe 1 /var/crash\n", "crashdump-probe 1 /x\nFilesystem 1024-blocks\n"):
        with pytest.raises(ValueError):
            rt.parse_probe(out)


def test_a_reachable_writable_server_passes():
    run = Recorder((0, PROBE_OUT, ""))
    got = rt.check(SSH, run, which(), lambda path: True, None, timeout=10)
    assert got == dict(checked=True, writable=True, free_bytes=1447272 * 1024, probed_path="/var/crash", error=None)
    assert run.argvs[0][:4] == ["/usr/bin/timeout", "-k", "5", "30"] and run.argvs[0][4] == "/usr/bin/ssh"


# (what OpenSSH 9.2 printed to stderr, exit status 255, on Debian 12 VMs: seen 2026-12-07 for the host key,
# key, refused, timed out, no route and banner cases; the code it means)
SSH_FAILURES = [
    ("No ED25519 host key is known for 10.77.0.2 and you have requested strict checking.\r\n"
     "Host key verification failed.\r\n", "remote_host_key_unknown"),
    ("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n"
     "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n"
     "Host key verification failed.\r\n", "remote_host_key_unknown"),
    ("root@10.77.0.2: Permission denied (publickey).\r\n", "remote_auth_failed"),
    ("ssh: connect to host 10.77.0.2 port 22: Connection refused\r\n", "remote_unreachable"),
    ("ssh: connect to host 10.77.0.2 port 22: Connection timed out\r\n", "remote_unreachable"),
    ("ssh: connect to host 10.77.0.9 port 22: No route to host\r\n", "remote_unreachable"),
    ("ssh: Could not resolve hostname dumps.invalid: Name or service not known\r\n", "remote_unreachable"),
    ("Load key \"/root/.ssh/kdump_id_ed25519\": invalid format\r\n"
     "root@10.77.0.2: Permission denied (publickey).\r\n", "remote_key_missing"),
    ("kex_exchange_identification: read: Connection reset by peer\r\n", "remote_unreachable"),
    # A host with no route of its own to the server, whose packets a NAT (QEMU's user network) answers.
    ("Connection timed out during banner exchange\r\nConnection to 10.77.0.2 port 22 timed out\r\n",
     "remote_unreachable"),
    ("something new\r\n", "remote_check_failed"),
]


@pytest.mark.parametrize("stderr, code", SSH_FAILURES)
def test_each_ssh_failure_has_its_code_and_the_tools_words(stderr, code):
    got = rt.check(SSH, Recorder((255, "", stderr)), which(), lambda path: True, None)
    assert got["error"][0] == code
    assert got["error"][1].startswith("ssh root@10.77.0.2: ") and stderr.strip().splitlines()[-1] in got["error"][1]
    assert got["writable"] is None and got["free_bytes"] is None


def test_a_stalled_server_is_unreachable_after_the_guard():
    got = rt.check(SSH, Recorder((124, "", "")), which(), lambda path: True, None, timeout=4)
    assert got["error"] == ("remote_unreachable", "ssh root@10.77.0.2 did not finish within 12 s")


def test_a_missing_key_or_ssh_is_said_before_anything_runs():
    run = Recorder()
    assert rt.check(SSH, run, which(), lambda path: False, None)["error"] == (
        "remote_key_missing", "the ssh key /root/.ssh/kdump_id_ed25519 does not exist")
    assert rt.check(SSH, run, which(missing=("ssh",)), lambda path: True, None)["error"] == (
        "remote_tool_missing", "ssh is not installed (openssh-client)")
    assert run.argvs == []


@pytest.mark.parametrize("changes, fragment", [
    (dict(destination="-oProxyCommand=touch /tmp/x"), "target.host"),
    (dict(destination="root@-oProxyCommand=x"), "target.host"),
    (dict(destination="-l@server"), "the user in target.host"),
    (dict(key="kdump_id"), "the ssh key"),
    (dict(path="var/crash"), "the dump directory"),
])
def test_values_ssh_would_misread_are_refused_and_nothing_runs(changes, fragment):
    run = Recorder()
    got = rt.check(dict(SSH, **changes), run, which(), lambda path: True, None)
    assert got["error"][0] == "remote_target_invalid" and fragment in got["error"][1]
    assert run.argvs == []


def test_timeout_zero_checks_nothing():
    run = Recorder()
    assert rt.check(SSH, run, which(), lambda path: True, None, timeout=0) == rt.result(checked=False)
    assert run.argvs == []


class FakeFs(object):
    def __init__(self, dirs=(), writable=True, free=1 << 30):
        self.dirs, self.writable, self.free = set(dirs), writable, free
        self.made, self.removed = [], []

    def mkdtemp(self):
        self.made.append("/run/crashdump-nfs-check.x")
        self.dirs.add(self.made[-1])
        return self.made[-1]

    def rmdir(self, path):
        self.removed.append(path)

    def isdir(self, path):
        return path in self.dirs

    def access_w(self, path):
        return self.writable

    def free_bytes(self, path):
        return self.free


def test_an_export_is_mounted_probed_and_always_unmounted():
    fs, run = FakeFs(), Recorder((0, "", ""))
    got = rt.check(NFS, run, which(), None, fs, timeout=10)
    assert got == dict(checked=True, writable=True, free_bytes=1 << 30, probed_path="10.77.0.2:/srv/dumps", error=None)
    mount, umount = run.argvs
    assert mount[4:] == ["/bin/mount", "-t", "nfs", "-o", "nolock,tcp,soft,timeo=50,retrans=1,retry=0",
                         "10.77.0.2:/srv/dumps", "/run/crashdump-nfs-check.x"]
    assert umount == ["/bin/umount", "/run/crashdump-nfs-check.x"] and fs.removed == fs.made


def test_the_dump_directory_inside_an_export_is_probed_at_its_deepest_existing_part():
    fs = FakeFs(dirs=["/run/crashdump-nfs-check.x/var"], writable=False)
    got = rt.check(dict(NFS, path="/var/crash"), Recorder(), which(), None, fs)
    assert got["probed_path"] == "10.77.0.2:/srv/dumps/var" and got["writable"] is False


# (what mount.nfs of nfs-utils 2.6 printed, on Debian 12; the code it means)
NFS_FAILURES = [
    (32, "mount.nfs: Connection timed out\n", "remote_unreachable"),
    (32, "mount.nfs: No route to host\n", "remote_unreachable"),
    (32, "mount.nfs: access denied by server while mounting 10.77.0.2:/srv/dumps\n", "remote_auth_failed"),
    (32, "mount.nfs: mounting 10.77.0.2:/srv/nope failed, reason given by server: No such file or directory\n",
     "remote_check_failed"),
    (124, "", "remote_unreachable"),
]


@pytest.mark.parametrize("rc, stderr, code", NFS_FAILURES)
def test_a_failed_mount_has_its_code_and_leaves_no_directory(rc, stderr, code):
    fs, run = FakeFs(), Recorder((rc, "", stderr))
    got = rt.check(NFS, run, which(), None, fs)
    assert got["error"][0] == code and got["writable"] is None
    assert len(run.argvs) == 1 and fs.removed == fs.made  # nothing mounted, nothing to unmount


def test_a_busy_mount_point_is_detached_lazily():
    fs, run = FakeFs(), Recorder((0, "", ""), (32, "", "umount: target is busy."))
    rt.check(NFS, run, which(), None, fs)
    assert run.argvs[2] == ["/bin/umount", "-l", "/run/crashdump-nfs-check.x"] and fs.removed == fs.made


def test_without_mount_nfs_the_client_package_is_named():
    fs = FakeFs()
    got = rt.check(NFS, Recorder(), which(missing=("mount.nfs",)), None, fs)
    assert got["error"] == ("remote_tool_missing", "mount.nfs is not installed (nfs-common)") and fs.made == []


def test_an_export_ssh_or_mount_would_misread_is_refused():
    got = rt.check(dict(NFS, export="-oremount:/x"), Recorder(), which(), None, FakeFs())
    assert got["error"][0] == "remote_target_invalid" and "target.export" in got["error"][1]


def test_each_family_says_where_its_remote_target_writes():
    debian = remote_target("debian", 'SSH="root@10.77.0.2"\nKDUMP_COREDIR="/var/crash/web1"\n')
    assert debian == dict(type="ssh", destination="root@10.77.0.2", key="/root/.ssh/kdump_id_rsa",
                          path="/var/crash/web1", client_package="openssh-client")
    # kdump-config mounts the export on KDUMP_COREDIR: dumps land at the export's top.
    assert remote_target("debian", 'NFS="srv:/dumps/web1"\nKDUMP_COREDIR="/var/crash"\n')["path"] == "/"
    # kdump.conf(5): path is inside the export.
    redhat = remote_target("redhat", "nfs srv:/dumps\npath /web1\n")
    assert (redhat["export"], redhat["path"], redhat["client_package"]) == ("srv:/dumps", "/web1", "nfs-utils")
    assert remote_target("redhat", "ssh kdump@srv\nsshkey /root/.ssh/k\n")["key"] == "/root/.ssh/k"
    suse = remote_target("suse", 'KDUMP_SAVEDIR="ssh://root@srv/var/crash"\n')
    assert (suse["destination"], suse["path"], suse["key"]) == ("root@srv", "/var/crash", None)
    assert remote_target("debian", 'KDUMP_COREDIR="/var/crash"\n') is None
    assert remote_target(None, "") is None


@pytest.mark.parametrize("remote, side", [
    (SSH, dict(server="10.77.0.2", user="root", dir="/var/crash/web1")),
    (dict(SSH, destination="dumps.example.com"), dict(server="dumps.example.com", user=None, dir="/var/crash/web1")),
    (dict(SSH, destination="kdump@[2001:db8::2]"), dict(server="2001:db8::2", user="kdump", dir="/var/crash/web1")),
    # nfs-kernel-server exports a directory by its own path: the dumps are there, or under path inside it.
    (NFS, dict(server="10.77.0.2", user=None, dir="/srv/dumps")),
    (dict(NFS, export="10.77.0.2:/srv/dumps/", path="/web1"), dict(server="10.77.0.2", user=None, dir="/srv/dumps/web1")),
    (dict(NFS, export="[2001:db8::2]:/", path="/"), dict(server="2001:db8::2", user=None, dir="/")),
    (dict(NFS, export="[2001:db8::2]:/srv/a:b", path="/"), dict(server="2001:db8::2", user=None, dir="/srv/a:b")),
])
def test_the_server_side_names_the_login_and_the_directory_on_the_server(remote, side):
    assert rt.server_side(remote) == side
