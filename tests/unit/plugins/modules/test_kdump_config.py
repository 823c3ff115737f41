# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump_config as a module: stale targets, refused values, the host lock, secrets, the dump directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat

import pytest

from ansible.module_utils.common import warnings
from ansible_collections.crashdump.kdump.tests.unit.plugins.modules.module_args import patch_module_args

from ansible_collections.crashdump.kdump.plugins.module_utils import _io
from ansible_collections.crashdump.kdump.plugins.module_utils._io import HostLock
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import FAMILIES
from ansible_collections.crashdump.kdump.plugins.modules import kdump_config

SUSE = "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-master-2026.txt"


def facts_of(family, distribution, version):
    class Facts(object):
        def __init__(self, read_text, machine, kernel_release=""):
            self.family, self.distribution, self.version = family, distribution, version
            self.kernel_release = "6.1.0-28-cloud-amd64"
    return Facts


@pytest.fixture
def host(tmp_path, monkeypatch):
    """A host whose kdump file lives under tmp_path; returns (config path, runner)."""
    def make(family, text, distribution="debian", version="12"):
        path = tmp_path / ("config-" + family)
        path.write_text(text)
        monkeypatch.setattr(FAMILIES[family], "config_file", str(path))
        monkeypatch.setattr(kdump_config, "HostFacts", facts_of(family, distribution, version))
        monkeypatch.setattr(kdump_config.Runner, "which", lambda self, *a, **k: None)
        # Not locked down, no Secure Boot, whatever the machine running the tests is.
        monkeypatch.setattr(kdump_config, "host_lockdown", lambda: "none")
        monkeypatch.setattr(kdump_config, "host_secure_boot", lambda: False)
        monkeypatch.setattr(warnings, "_global_warnings", type(warnings._global_warnings)())
        return path
    return make


@pytest.fixture
def run(capsys, monkeypatch):
    """Run main() once; its host lock is released afterwards, as its process's end would."""
    def run_once(args, check_mode=False, diff=False):
        held = []
        monkeypatch.setattr(kdump_config, "lock_host", lambda *a, **k: held.append(_io.lock_host(*a, **k)))
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        try:
            with patch_module_args(args):
                with pytest.raises(SystemExit):
                    kdump_config.main()
        finally:
            for lock in held:
                if lock is not None:
                    lock.release()
        out = capsys.readouterr().out
        return json.loads(out), out
    return run_once


def test_ssh_to_local_removes_ssh(run, host, captured, tmp_path):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    result, _out = run(dict(target=dict(type="ssh", host="kdump@10.0.2.2", key="/root/.ssh/kdump")))
    # Nothing for the role's handler to build: kdump-config load rebuilds the initrd when it must.
    assert result["changed"] and result["restart_service"]
    assert not result["rebuild_initrd"] and result["rebuild_initrd_argv"] is None
    assert 'SSH="kdump@10.0.2.2"' in path.read_text()
    result, _out = run(dict(target=dict(type="ssh", host="kdump@10.0.2.2", key="/root/.ssh/kdump")))
    assert not result["changed"] and result["rebuild_initrd_argv"] is None
    result, _out = run(dict(path=str(tmp_path / "crash")))
    text = path.read_text()
    assert result["changed"] and not result["rebuild_initrd"]
    assert not [line for line in text.splitlines() if line.startswith(("SSH=", "SSH_KEY="))]


@pytest.mark.parametrize("args", [
    dict(target=dict(type="ssh", host="-oProxyCommand=touch /tmp/pwned")),
    dict(target=dict(type="ssh", host="dumps", user="-oProxyCommand=id")),
    dict(target=dict(type="ssh", host="dumps", key="relative/key")),
    dict(target=dict(type="nfs", export="-oremount,rw:/x")),
    dict(extra=dict(SSH="-oProxyCommand=id")),
])
def test_option_like_values_fail_and_change_no_byte(run, args, host, captured, host_lock_path):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    before = path.read_bytes()
    result, _out = run(args)
    assert result["failed"] and "Nothing was changed" in result["msg"]
    assert "not accepted: expected" in result["msg"] or "own options" in result["msg"]
    assert path.read_bytes() == before
    assert not os.path.exists(host_lock_path)  # refused before even the lock file was made


def test_a_held_lock_fails_the_run_naming_the_holder(run, host, captured):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    before = path.read_bytes()
    other = HostLock().acquire("crashkernel", 0)
    result, _out = run(dict(target=dict(type="ssh", host="dumps.example.com")))
    assert result["failed"]
    assert "pid %d (crashkernel) since" % os.getpid() in result["msg"]
    assert path.read_bytes() == before
    other.release()


def test_check_mode_does_not_wait_for_the_lock(run, host, captured):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    before = path.read_bytes()
    other = HostLock().acquire("crashkernel", 0)
    result, _out = run(dict(target=dict(type="ssh", host="dumps.example.com"), lock_timeout=600),
                       check_mode=True)
    assert not result.get("failed") and result["changed"]
    assert "another crashdump.kdump run" in json.dumps(result["warnings"])
    assert path.read_bytes() == before
    other.release()


def test_secrets_stay_out_of_the_result_and_the_diff(run, host, shared_sample):
    text = shared_sample(SUSE).replace('KDUMP_SMTP_PASSWORD=""', 'KDUMP_SMTP_PASSWORD="old-secret"')
    path = host("suse", text, "sles", "15.7")
    result, out = run(dict(extra=dict(KDUMP_SMTP_PASSWORD="hunter2", KDUMP_SMTP_USER="mailer")), diff=True)
    assert result["changed"]
    assert "hunter2" not in out and "old-secret" not in out
    assert 'KDUMP_SMTP_PASSWORD="********"' in result["diff"]["after"]
    assert 'KDUMP_SMTP_USER="mailer"' in result["diff"]["after"]
    assert 'KDUMP_SMTP_PASSWORD="hunter2"' in path.read_text()  # the file itself has the real value


def test_a_missing_dump_directory_is_made_0700_root(run, host, captured, tmp_path):
    host("debian", captured("debian12/etc-default-kdump-tools"))
    crash = tmp_path / "crash"
    result, _out = run(dict(path=str(crash)), check_mode=True)
    assert result["dump_dir_created"] and result["changed"] and not crash.exists()
    result, _out = run(dict(path=str(crash)))
    assert result["dump_dir_created"]
    info = os.stat(str(crash))
    assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == 0 and info.st_gid == 0
    result, _out = run(dict(path=str(crash)))
    assert not result["changed"] and not result["dump_dir_created"]


def test_new_package_defaults_left_by_ucf_are_reported(run, host, captured, tmp_path):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    result, _out = run(dict(path=str(tmp_path / "crash")))
    assert result["package_defaults_pending"] == []
    (path.parent / (path.name + ".ucf-dist")).write_text(u"USE_KDUMP=1\n")
    result, _out = run(dict(path=str(tmp_path / "crash")))
    assert result["package_defaults_pending"] == [str(path) + ".ucf-dist"]
    assert "review and merge them" in json.dumps(result["warnings"])


def test_a_secret_stays_hidden_when_the_run_fails_early(run, host, captured):
    host("debian", captured("debian12/etc-default-kdump-tools"))
    result, out = run(dict(target=dict(type="ssh", host="-oProxyCommand=id"),
                           extra=dict(KDUMP_SMTP_PASSWORD="hunter2")))
    assert result["failed"] and "hunter2" not in out


def test_extra_secrets_are_written_but_never_shown(run, host, shared_sample):
    path = host("suse", shared_sample(SUSE), "sles", "15.7")
    result, out = run(dict(extra_secrets=dict(KDUMP_SMTP_USER="mailer-7f3a")), diff=True)
    assert result["changed"] and "mailer-7f3a" not in out
    assert 'KDUMP_SMTP_USER="mailer-7f3a"' in path.read_text()
    result, _out = run(dict(extra=dict(KDUMP_SMTP_USER="a"), extra_secrets=dict(KDUMP_SMTP_USER="b")))
    assert result["failed"] and "give it once" in result["msg"]


def test_a_dump_path_that_is_a_file_fails_before_anything_is_written(run, host, captured, tmp_path):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    before = path.read_bytes()
    crash = tmp_path / "crash"
    crash.write_text(u"not a directory\n")
    result, _out = run(dict(path=str(crash)))
    assert result["failed"] and "is not a directory" in result["msg"]
    assert path.read_bytes() == before


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_dump_path_under_a_file_fails_before_anything_is_written(run, host, captured, tmp_path, check_mode):
    """Check mode used to predict dump_dir_created; the real run wrote the config, then raised
    NotADirectoryError with the config already changed."""
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    before = path.read_bytes()
    (tmp_path / "not-a-dir").write_text(u"x\n")
    crash = tmp_path / "not-a-dir" / "crash"
    result, _out = run(dict(path=str(crash)), check_mode=check_mode)
    assert result["failed"]
    assert result["msg"] == ("kdump_config: the dump directory %s cannot be created: %s is not a directory. "
                             "Nothing was changed." % (crash, tmp_path / "not-a-dir"))
    assert path.read_bytes() == before


def test_a_dump_directory_that_cannot_be_created_leaves_the_config_as_it_was(run, host, captured, tmp_path,
                                                                             monkeypatch):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    before = path.read_bytes()

    def no_space(directory, mode=0o777):
        raise OSError(28, "No space left on device", directory)
    monkeypatch.setattr(kdump_config.os, "makedirs", no_space)
    result, _out = run(dict(path=str(tmp_path / "crash")))
    assert result["failed"] and "cannot create the dump directory" in result["msg"]
    assert "No space left on device" in result["msg"] and "not changed" in result["msg"]
    assert path.read_bytes() == before


# --- lockdown ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lockdown, secure_boot", [("integrity", True), ("integrity", False), ("none", True)])
def test_kexec_load_is_refused_where_the_kernel_refuses_it(run, host, captured, monkeypatch, lockdown, secure_boot):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    before = path.read_text()
    monkeypatch.setattr(kdump_config, "host_lockdown", lambda: lockdown)
    monkeypatch.setattr(kdump_config, "host_secure_boot", lambda: secure_boot)
    result, _out = run(dict(extra=dict(KDUMP_KEXEC_ARGS="--kexec-syscall")))
    assert result["failed"]
    assert "KDUMP_KEXEC_ARGS=\"--kexec-syscall\" forces kexec_load" in result["msg"]
    assert "drop -c/--kexec-syscall from KDUMP_KEXEC_ARGS" in result["msg"]
    assert result["msg"].endswith("Nothing was changed.")
    assert path.read_text() == before


def test_kexec_options_the_shell_alone_can_read_are_refused_under_lockdown(run, host, captured, monkeypatch):
    # A line reader sees no KDUMP_KEXEC_ARGS here; kdump-config, sourcing the file, may get -c (kexec_load).
    path = host("debian", captured("debian12/etc-default-kdump-tools")
                + 'if [ -e /etc/kdump-legacy ]; then KDUMP_KEXEC_ARGS="-c"; fi\n')
    before = path.read_text()
    monkeypatch.setattr(kdump_config, "host_lockdown", lambda: "integrity")
    result, _out = run(dict(core_collector=dict(dump_level=31)))
    assert result["failed"]
    assert "KDUMP_KEXEC_ARGS in %s cannot be read without running the file" % path in result["msg"]
    assert "inside if ...; then" in result["msg"] and result["msg"].endswith("Nothing was changed.")
    assert path.read_text() == before


def test_kexec_options_are_free_where_nothing_is_locked(run, host, captured):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    result, _out = run(dict(extra=dict(KDUMP_KEXEC_ARGS="-c")))
    assert result["changed"] and 'KDUMP_KEXEC_ARGS="-c"' in path.read_text()


def test_kexec_file_load_options_pass_under_lockdown(run, host, captured, monkeypatch):
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    monkeypatch.setattr(kdump_config, "host_lockdown", lambda: "integrity")
    result, _out = run(dict(extra=dict(KDUMP_KEXEC_ARGS="-s")))
    assert result["changed"] and 'KDUMP_KEXEC_ARGS="-s"' in path.read_text()


def test_suse_kexec_options_cannot_force_kexec_load(run, host, shared_sample, monkeypatch):
    # SUSE's load.sh puts -a after KEXEC_OPTIONS: kexec_file_load is tried first whatever they say.
    path = host("suse", shared_sample(SUSE), distribution="opensuse-leap", version="15.6")
    monkeypatch.setattr(kdump_config, "host_lockdown", lambda: "integrity")
    result, _out = run(dict(extra=dict(KEXEC_OPTIONS="-c")))
    assert result["changed"] and 'KEXEC_OPTIONS="-c"' in path.read_text()


# --- kdump_info's prediction (its config option) against what this module really does -------------

LZO_BUILT_IN = set(["zlib", "lzo", "none"])


def predicted(options, path, lockdown, secure_boot):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import OPTIONS_SPEC, config_would_change
    from ansible_collections.crashdump.kdump.plugins.module_utils._security import kexec_load_refusal

    family = FAMILIES["debian"]
    params = ArgumentSpecValidator(OPTIONS_SPEC).validate(options).validated_parameters
    return config_would_change(params, family, path.read_text(), LZO_BUILT_IN, "6.1.0-28-cloud-amd64", None,
                               os.path.isdir, os.path.lexists, os.path.exists,
                               lambda after: kexec_load_refusal(family, after, str(path), lockdown, secure_boot))


@pytest.mark.parametrize("case", ["written", "locked, kexec_load set", "locked, options unreadable",
                                  "secure boot, kexec_load set", "dump directory gone", "another dump level"])
def test_kdump_info_predicts_a_change_exactly_where_this_module_changes_fails_or_warns(
        run, host, captured, monkeypatch, tmp_path, case):
    dump_dir = tmp_path / "crash"
    options = dict(path=str(dump_dir), extra=dict(KDUMP_KEXEC_ARGS="-c") if "kexec_load" in case else None)
    monkeypatch.setattr(kdump_config, "makedumpfile_compressions", lambda module, runner: LZO_BUILT_IN)
    path = host("debian", captured("debian12/etc-default-kdump-tools"))
    first, _out = run(options)              # written while nothing is locked
    assert first["changed"] and not first.get("failed")
    lockdown, secure_boot = ("integrity" if "locked" in case else "none"), "secure boot" in case
    if case == "locked, options unreadable":
        path.write_text(path.read_text() + 'if [ -e /etc/kdump-legacy ]; then KDUMP_KEXEC_ARGS="-c"; fi\n')
    if case == "dump directory gone":
        dump_dir.rmdir()
    if case == "another dump level":
        options["core_collector"] = dict(dump_level=1)
    monkeypatch.setattr(kdump_config, "host_lockdown", lambda: lockdown)
    monkeypatch.setattr(kdump_config, "host_secure_boot", lambda: secure_boot)
    prediction = predicted(options, path, lockdown, secure_boot)
    result, _out = run(options, check_mode=True)
    acts = bool(result["changed"] or result.get("failed") or result.get("warnings"))
    assert prediction == acts, result
    assert acts == (case != "written")
