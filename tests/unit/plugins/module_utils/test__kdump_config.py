# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump configuration rendered onto each family's recorded default file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import subprocess

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    OPTIONS_SPEC,
    ConfigError,
    auto_compression,
    available_compressions,
    checked_options,
    choose_compression,
    config_would_change,
    plan_config,
    planned_remote,
    secret_values,
    validate,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import FAMILIES, render
from ansible_collections.crashdump.kdump.plugins.module_utils._secrets import redact

DEBIAN = "debian/velinux-kdump-tools-1.8/etc-default-kdump-tools.active-lines.txt"
RHEL10 = "rhel10/kdump-utils-defaults/etc-kdump.conf.active-lines.x86_64.txt"
FEDORA28 = "fedora/kexec-tools-defaults/etc-kdump.conf.active-lines.f28.txt"
SUSE = "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-master-2026.txt"


def opts(**kwargs):
    return validate(kwargs)


def shell_value(text, name):
    """Source the text in a real shell and print one variable, as kdump-tools would read it."""
    return subprocess.run(["/bin/sh", "-c", '. /dev/stdin; printf %s "$' + name + '"'], input=text.encode(),
                          stdout=subprocess.PIPE, check=True).stdout.decode()


KVER = "6.1.0-28-cloud-amd64"
LZO = set(["zlib", "none", "lzo"])
ZSTD = set(["zlib", "none", "lzo", "zstd"])
ZLIB_ONLY = set(["zlib", "none"])
SSH = dict(type="ssh", host="dumps.example.com", user="kdump")


# family, recorded file, options, makedumpfile's compressions, then the plan: compression (auto: zstd
# where makedumpfile has it; lzo's dumps were too large, see MEASURED_DUMPS), whether the
# capture initrd must be rebuilt, and the command the role runs for it (None: the service's restart does).
@pytest.mark.parametrize("family, sample, options, available, compression, rebuild, argv", [
    ("debian", DEBIAN, dict(path="/var/crash"), LZO, "zlib", False, None),
    ("debian", DEBIAN, dict(target=SSH), ZSTD, "zstd", False, None),
    ("debian", DEBIAN, dict(core_collector=dict(dump_level=31, compression="zlib")), LZO, "zlib", False, None),
    ("redhat", RHEL10, dict(path="/srv/crash"), ZLIB_ONLY, "zlib", True, None),
    ("redhat", FEDORA28, dict(target=SSH), ZSTD, "zstd", True, None),
    ("suse", SUSE, dict(path="/srv/crash"), ZSTD, "zstd", True, ["mkdumprd", "-f"]),
    ("suse", SUSE, dict(target=SSH, core_collector=dict(dump_level=1, compression="none")), LZO, "none", True,
     ["mkdumprd", "-f"]),
])
def test_plan_config(shared_sample, family, sample, options, available, compression, rebuild, argv):
    before = shared_sample(sample)
    plan = plan_config(FAMILIES[family], before, opts(**options), available, KVER, 10)
    assert plan.after == render(family, before, opts(**options), compression, 10)
    assert (plan.compression, plan.changed, plan.restart_service) == (compression, True, True)
    assert (plan.rebuild_initrd, plan.rebuild_initrd_argv) == (rebuild, argv)
    again = plan_config(FAMILIES[family], plan.after, opts(**options), available, KVER, 10)
    assert again.after == plan.after
    assert (again.changed, again.restart_service, again.rebuild_initrd, again.rebuild_initrd_argv) == (False, False, False, None)


def test_plan_config_refuses_a_compression_the_host_lacks(shared_sample):
    with pytest.raises(ConfigError, match="'zstd' is not built into this host's makedumpfile"):
        plan_config(FAMILIES["debian"], shared_sample(DEBIAN),
                    opts(core_collector=dict(dump_level=31, compression="zstd")), LZO, KVER)


def test_debian_defaults_keep_unmanaged_lines_and_are_idempotent(shared_sample):
    before = shared_sample(DEBIAN)
    after = render("debian", before, opts(path="/var/crash"), "lzo")
    for line in ("KDUMP_KERNEL=/var/lib/kdump/vmlinuz", "KDUMP_INITRD=/var/lib/kdump/initrd.img"):
        assert line in after
    assert shell_value(after, "MAKEDUMP_ARGS") == "-l -d 31"
    assert shell_value(after, "USE_KDUMP") == "1"
    assert shell_value(after, "KDUMP_COREDIR") == "/var/crash"
    assert render("debian", after, opts(path="/var/crash"), "lzo") == after


def test_debian_ssh_target(shared_sample):
    after = render("debian", shared_sample(DEBIAN),
                   opts(target=dict(type="ssh", host="dumps.example.com", user="kdump", key="/root/.ssh/k")), "zlib")
    assert shell_value(after, "SSH") == "kdump@dumps.example.com"
    assert shell_value(after, "SSH_KEY") == "/root/.ssh/k"
    assert shell_value(after, "MAKEDUMP_ARGS") == "-c -d 31"


@pytest.mark.parametrize("target", [dict(type="raw", device="/dev/sdb"),
                                    dict(type="fs", device="LABEL=dump", fstype="xfs")])
def test_debian_refuses_targets_kdump_tools_lacks(target, shared_sample):
    with pytest.raises(ConfigError, match="kdump-tools cannot"):
        render("debian", shared_sample(DEBIAN), opts(target=target), "lzo")


def test_redhat_directives_replaced_in_place(shared_sample):
    before = shared_sample(RHEL10)
    after = render("redhat", before, opts(path="/srv/crash", core_collector=dict(dump_level=23),
                                          auto_reset_crashkernel=False, failure_action="reboot"), "zstd", 10)
    assert after.splitlines() == [
        "auto_reset_crashkernel no",
        "path /srv/crash",
        "core_collector makedumpfile -z -d 23 --message-level 7",  # the distro's message level is kept
        "failure_action reboot",
    ]
    assert render("redhat", after, opts(path="/srv/crash", core_collector=dict(dump_level=23),
                                        auto_reset_crashkernel=False, failure_action="reboot"), "zstd", 10) == after


def test_redhat_ssh_target_flattens_and_local_removes_it(shared_sample):
    ssh = render("redhat", shared_sample(RHEL10),
                 opts(target=dict(type="ssh", host="kdump@dumps", key="/root/.ssh/k")), "lzo", 9)
    assert "ssh kdump@dumps\n" in ssh and "sshkey /root/.ssh/k\n" in ssh
    assert "core_collector makedumpfile -F -l -d 31 --message-level 7\n" in ssh
    local = render("redhat", ssh, opts(), "lzo", 9)
    assert "ssh " not in local and "sshkey" not in local


def test_rhel7_spells_failure_action_default(shared_sample):
    after = render("redhat", shared_sample(FEDORA28), opts(failure_action="shell"), "lzo", 7)
    assert "default shell\n" in after and "failure_action" not in after


def test_suse_savedir_format_and_level(shared_sample):
    after = render("suse", shared_sample(SUSE), opts(target=dict(type="nfs", export="nas:/dumps"),
                                                     core_collector=dict(dump_level=15)), "lzo")
    assert 'KDUMP_SAVEDIR="nfs://nas/dumps"' in after
    assert 'KDUMP_DUMPFORMAT="lzo"' in after and "KDUMP_DUMPLEVEL=15" in after
    assert 'KDUMP_CRASHKERNEL="auto"' in after  # unmanaged line kept
    assert render("suse", after, opts(target=dict(type="nfs", export="nas:/dumps"),
                                      core_collector=dict(dump_level=15)), "lzo") == after


@pytest.mark.parametrize("options, fragment", [
    (dict(target=dict(type="ssh")), "needs target.host"),
    (dict(target=dict(type="nfs", export="nas")), "server:/absolute/path"),
    (dict(target=dict(type="raw")), "needs target.device"),
    (dict(target=dict(type="fs", device="/dev/sdb1")), "needs target.fstype"),
    (dict(target=dict(type="tape")), "not one of"),
    (dict(core_collector=dict(dump_level=32)), "0 to 31"),
    (dict(core_collector=dict(dump_level=-1)), "0 to 31"),
    (dict(core_collector=dict(compression="gzip")), "not one of auto"),
    (dict(core_collector=dict(message_level=99)), "0 to 31"),
    (dict(path="var/crash"), "an absolute path of letters"),
    (dict(path="/var/crash; reboot"), "an absolute path of letters"),
    (dict(failure_action="explode"), "not one of"),
    (dict(extra={"BAD-KEY": "1"}), "not a plain name"),
])
def test_invalid_options_are_named(options, fragment):
    with pytest.raises(ConfigError, match=fragment):
        validate(options)


def test_auto_is_the_fastest_measured_whose_dump_is_at_most_a_quarter_larger_than_zlibs():
    measured = {"zlib": (1.0, 1.0), "lzo": (0.5, 1.3), "zstd": (0.7, 0.9), "snappy": (0.6, 1.25)}
    everything = {"zlib", "lzo", "zstd", "snappy", "none"}
    assert auto_compression(everything, measured) == "snappy"   # lzo is faster but 1.3x zlib's size
    assert auto_compression(everything - {"snappy"}, measured) == "zstd"
    assert auto_compression({"zlib", "lzo", "none"}, measured) == "zlib"
    # Not measured, never picked; none is never in the table.
    assert auto_compression({"zlib", "snappy", "none"}, {"zlib": (1.0, 1.0)}) == "zlib"
    assert auto_compression({"none"}, measured) == "zlib"


def test_compression_choice():
    # What auto picks where, as documented (docs/docsite/rst/dump_targets.rst): the measured table
    # passes lzo over (its dumps were 1.30x zlib's on Debian 12), so Debian 12 keeps zlib and Debian 13
    # gets zstd.
    assert choose_compression("auto", {"zlib", "none", "lzo"}) == "zlib"
    assert choose_compression("auto", {"zlib", "none", "zstd", "lzo"}) == "zstd"
    assert choose_compression("auto", {"zlib", "none", "zstd", "lzo", "snappy"}) == "zstd"
    assert choose_compression("auto", {"zlib", "none"}) == "zlib"
    assert choose_compression("zlib", {"zlib", "none"}) == "zlib"
    with pytest.raises(ConfigError, match="not built into"):
        choose_compression("zstd", {"zlib", "none", "lzo"})
    assert available_compressions("") == {"zlib", "none"}


def test_makedumpfile_of_debian12_has_lzo_only(captured):
    assert available_compressions(captured("debian12/makedumpfile-v.txt")) == {"zlib", "none", "lzo"}


def test_real_debian12_kdump_tools_file(captured):
    before = captured("debian12/etc-default-kdump-tools")
    after = render("debian", before, opts(path="/var/crash"), "lzo")
    assert shell_value(after, "MAKEDUMP_ARGS") == "-l -d 31"
    assert shell_value(after, "USE_KDUMP") == "1"
    # Only the managed variable was added; every original line is still there.
    assert [line for line in before.splitlines() if line not in after.splitlines()] == []


def test_no_initrd_rebuild_on_debian_for_any_change(captured):
    # kdump-tools' capture initrd carries only /etc/kdump/sysctl.conf (its initramfs hook), and
    # `kdump-config load` rebuilds it itself: a change of target, path or levels needs none.
    before = captured("debian12/etc-default-kdump-tools")
    local = render("debian", before, opts(path="/var/crash"), "lzo")
    ssh = render("debian", local, opts(target=dict(type="ssh", host="kdump@dumps.example.com")), "lzo")
    nfs = render("debian", local, opts(target=dict(type="nfs", export="nfs.example.com:/dumps")), "lzo")
    assert len({before, local, ssh, nfs}) == 4
    for old, new in [(before, local), (local, ssh), (local, nfs), (ssh, nfs), (ssh, local)]:
        assert not FAMILIES["debian"].initrd_rebuild_needed(old, new)


def test_initrd_rebuild_on_red_hat_and_suse_for_any_change(shared_sample):
    before = shared_sample(RHEL10)
    after = render("redhat", before, opts(core_collector=dict(dump_level=1, compression="zlib")), "zlib", 10)
    assert FAMILIES["redhat"].initrd_rebuild_needed(before, after)
    assert not FAMILIES["redhat"].initrd_rebuild_needed(before, before)
    suse = shared_sample(SUSE)
    assert FAMILIES["suse"].initrd_rebuild_needed(suse, render("suse", suse, opts(path="/srv/crash"), "lzo"))


# Issue 12: kdump_config and the roles.

def active_names(text):
    """Variables assigned on active lines, as the shell would see them."""
    return [line.split("=", 1)[0] for line in text.splitlines() if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", line)]


def test_debian_ssh_to_local_clears_ssh_and_key(captured):
    ssh = render("debian", captured("debian12/etc-default-kdump-tools"),
                 opts(target=dict(type="ssh", host="kdump@dumps.example.com", key="/root/.ssh/kdump")), "lzo")
    assert shell_value(ssh, "SSH") == "kdump@dumps.example.com"
    local = render("debian", ssh, opts(path="/var/crash"), "lzo")
    assert "SSH" not in active_names(local) and "SSH_KEY" not in active_names(local)
    assert shell_value(local, "SSH") == ""
    # The commented examples of the shipped file stay.
    assert '#SSH="<user at server>"' in local


def test_debian_ssh_to_nfs_leaves_only_nfs(captured):
    ssh = render("debian", captured("debian12/etc-default-kdump-tools"),
                 opts(target=dict(type="ssh", host="dumps.example.com")), "lzo")
    nfs = render("debian", ssh, opts(target=dict(type="nfs", export="nas.example.com:/dumps")), "lzo")
    assert "SSH" not in active_names(nfs)
    assert shell_value(nfs, "NFS") == "nas.example.com:/dumps"
    back = render("debian", nfs, opts(target=dict(type="ssh", host="dumps.example.com")), "lzo")
    assert "NFS" not in active_names(back) and shell_value(back, "SSH") == "dumps.example.com"


def test_debian_refuses_to_clear_a_target_inside_a_block():
    text = 'USE_KDUMP=1\nif [ -e /etc/remote ]; then\n    SSH="kdump@dumps"\nfi\n'
    with pytest.raises(ConfigError, match="inside an if/case/loop block"):
        render("debian", text, opts(path="/var/crash"), "lzo")


@pytest.mark.parametrize("target, option", [
    (dict(type="ssh", host="-oProxyCommand=touch /tmp/x"), "target.host"),
    (dict(type="ssh", host="-oProxyCommand=id"), "target.host"),
    (dict(type="ssh", host="root@-oProxyCommand=id"), "target.host"),
    (dict(type="ssh", host="dumps", user="-oProxyCommand=id"), "target.user"),
    (dict(type="ssh", host="-l@dumps"), "the user in target.host"),
    (dict(type="ssh", host="dumps", key="id_kdump"), "target.key"),
    (dict(type="ssh", host="dumps", key="-i/root/k"), "target.key"),
    (dict(type="ssh", host="dumps.example.com."), "target.host"),
    (dict(type="ssh", host="999.1.1.1"), "target.host"),
    (dict(type="nfs", export="-oremount,rw:/x"), "target.export"),
    (dict(type="nfs", export="srv:exports/crash"), "target.export"),
    (dict(type="nfs", export="srv:/x -o rw"), "target.export"),
    (dict(type="raw", device="-f"), "target.device"),
    (dict(type="raw", device="sdb1"), "target.device"),
    (dict(type="nfs", export="nas:/d", key="/root/k"), "target.key does not apply"),
])
def test_values_that_reach_ssh_or_mount_follow_their_grammar(target, option):
    with pytest.raises(ConfigError) as caught:
        validate(dict(target=target))
    message = str(caught.value)
    assert message.startswith(option)
    if "does not apply" not in option:
        assert "expected" in message
        bad = [v for v in target.values() if v not in ("ssh", "nfs", "raw", "dumps")][0]
        assert any("'%s'" % piece in message for piece in [bad] + bad.split("@"))


@pytest.mark.parametrize("target, written", [
    (dict(type="ssh", host="dumps.example.com"), "dumps.example.com"),
    (dict(type="ssh", host="kdump@10.0.2.2"), "kdump@10.0.2.2"),
    (dict(type="ssh", host="[2001:db8::7]", user="kdump"), "kdump@[2001:db8::7]"),
    (dict(type="ssh", host="dump-01", user="svc.kdump"), "svc.kdump@dump-01"),
])
def test_valid_ssh_destinations(target, written):
    assert validate(dict(target=target))["target"]["host"] == written


@pytest.mark.parametrize("export", ["nas:/dumps", "10.0.2.2:/srv/crash", "[2001:db8::7]:/dumps", "nas.example.com:/"])
def test_valid_nfs_exports(export):
    assert validate(dict(target=dict(type="nfs", export=export)))["target"]["export"] == export


def test_user_given_twice_differently_is_refused():
    with pytest.raises(ConfigError, match="give the user once"):
        validate(dict(target=dict(type="ssh", host="a@dumps", user="b")))


@pytest.mark.parametrize("action, value", [("reboot", "true"), ("shell", "false")])
def test_suse_failure_action(action, value, shared_sample):
    after = render("suse", shared_sample(SUSE), opts(failure_action=action), "lzo")
    assert shell_value(after, "KDUMP_CONTINUE_ON_ERROR") == value


@pytest.mark.parametrize("action", ["halt", "poweroff", "dump_to_rootfs"])
def test_suse_refuses_failure_actions_it_lacks(action, shared_sample):
    with pytest.raises(ConfigError, match="SUSE kdump has no failure_action '%s'" % action):
        render("suse", shared_sample(SUSE), opts(failure_action=action), "lzo")


def test_suse_nfs_savedir_keeps_the_slash(shared_sample):
    after = render("suse", shared_sample(SUSE), opts(target=dict(type="nfs", export="srv:/exports/crash")), "lzo")
    assert shell_value(after, "KDUMP_SAVEDIR") == "nfs://srv/exports/crash"


@pytest.mark.parametrize("extra, fragment", [
    ({"dracut_args": "--omit x\x00"}, "control character"),
    ({"dracut_args": "a\nssh evil"}, "control character"),
    ({"auto_reset_crashkernel": True}, "own options"),
    ({"path": "relative"}, "own options"),
    ({"ssh": "-oProxyCommand=id"}, "own options"),
    ({"core_colector": "makedumpfile -d 31"}, "not a kdump.conf directive"),
    ({"force_rebuild": "True"}, "0 or 1"),
    ({"final_action": True}, "reboot, halt or poweroff"),
    ({"final_action": "explode"}, "reboot, halt or poweroff"),
    ({"kdump_post": "post.sh"}, "absolute path"),
    ({"extra_modules": "nfs; reboot"}, "kernel module names"),
])
def test_redhat_extra_follows_kdump_conf_grammar(extra, fragment, shared_sample):
    with pytest.raises(ConfigError, match=fragment):
        render("redhat", shared_sample(RHEL10), opts(extra=extra), "lzo", 10)


def test_redhat_extra_written_when_valid(shared_sample):
    extra = {"force_rebuild": True, "final_action": "poweroff", "extra_modules": "nfs nfsv4"}
    after = render("redhat", shared_sample(RHEL10), opts(extra=extra), "lzo", 10)
    assert "force_rebuild 1\n" in after and "final_action poweroff\n" in after
    assert "extra_modules nfs nfsv4\n" in after


@pytest.mark.parametrize("family, sample, key", [("debian", "debian", "SSH"), ("debian", "debian", "MAKEDUMP_ARGS"),
                                                 ("suse", "suse", "KDUMP_SAVEDIR")])
def test_shell_extra_cannot_set_managed_variables(family, sample, key, shared_sample, captured):
    text = captured("debian12/etc-default-kdump-tools") if sample == "debian" else shared_sample(SUSE)
    with pytest.raises(ConfigError, match="own options"):
        render(family, text, opts(extra={key: "-oProxyCommand=id"}), "lzo")


def test_shell_extra_refuses_booleans_and_control_characters(captured):
    text = captured("debian12/etc-default-kdump-tools")
    with pytest.raises(ConfigError, match="is a boolean"):
        render("debian", text, opts(extra={"KDUMP_SYSCTL_ENABLE": True}), "lzo")
    with pytest.raises(ConfigError, match="control character"):
        render("debian", text, opts(extra={"KDUMP_SYSCTL": "a\x00b"}), "lzo")


def test_secrets_are_redacted_from_diffs(shared_sample):
    after = render("suse", shared_sample(SUSE), opts(extra={"KDUMP_SMTP_PASSWORD": "hunter2",
                                                            "KDUMP_SMTP_USER": "mailer"}), "lzo")
    assert 'KDUMP_SMTP_PASSWORD="hunter2"' in after
    shown = redact(after)
    assert "hunter2" not in shown and 'KDUMP_SMTP_PASSWORD="********"' in shown
    assert 'KDUMP_SMTP_USER="mailer"' in shown  # only secrets are hidden
    assert redact(shared_sample(SUSE)) == shared_sample(SUSE)  # empty values are not secrets
    assert secret_values(opts(extra={"KDUMP_SMTP_PASSWORD": "hunter2", "KDUMP_SMTP_USER": "mailer"})) == ["hunter2"]


@pytest.mark.parametrize("options, option", [
    (dict(target=dict(type="ssh", host="root\n@dumps")), "the user in target.host"),
    (dict(target=dict(type="ssh", host="dumps\n")), "target.host"),
    (dict(path="/var/crash\n"), "path"),
    (dict(target=dict(type="nfs", export="nas:/e\n")), "target.export"),
    (dict(target=dict(type="raw", device="/dev/sdb\n")), "target.device"),
])
def test_a_trailing_newline_is_no_way_past_the_grammar(options, option):
    # Python's $ matches before a final newline; the checks must not.
    with pytest.raises(ConfigError) as caught:
        validate(options)
    assert str(caught.value).startswith(option)


@pytest.mark.parametrize("target", [dict(type="fs", fstype="ext4", device="LABEL=/boot"),
                                    dict(type="fs", fstype="virtiofs", device="myfs"),
                                    dict(type="raw", device="/dev/disk/by-id/virtio-dump"),
                                    dict(type="fs", fstype="xfs", device="/dev/mapper/vg-crash")])
def test_devices_of_the_kdump_conf_examples_are_accepted(target, shared_sample):
    after = render("redhat", shared_sample(RHEL10), opts(target=target), "lzo", 10)
    assert "%s %s\n" % (target.get("fstype", "raw"), target["device"]) in after


def test_a_virtiofs_tag_cannot_be_an_option():
    with pytest.raises(ConfigError, match="a virtiofs tag"):
        validate(dict(target=dict(type="fs", fstype="virtiofs", device="-oremount")))


def test_fence_kdump_nodes_cannot_be_options(shared_sample):
    with pytest.raises(ConfigError, match="host names separated by spaces"):
        render("redhat", shared_sample(RHEL10), opts(extra={"fence_kdump_nodes": "node1 -x"}), "lzo", 10)


def test_ipv6_targets_on_red_hat_only(shared_sample, captured):
    target = dict(type="ssh", host="[2001:db8::7]", user="kdump")
    assert "ssh kdump@[2001:db8::7]\n" in render("redhat", shared_sample(RHEL10), opts(target=target), "lzo", 10)
    with pytest.raises(ConfigError, match="IPv6 address is accepted on the Red Hat family only"):
        render("debian", captured("debian12/etc-default-kdump-tools"), opts(target=target), "lzo")
    with pytest.raises(ConfigError, match="IPv6 address is accepted on the Red Hat family only"):
        render("suse", shared_sample(SUSE), opts(target=dict(type="nfs", export="[2001:db8::7]:/e")), "lzo")


def test_suse_local_without_path_drops_a_remote_savedir(shared_sample):
    remote = render("suse", shared_sample(SUSE), opts(target=dict(type="ssh", host="dumps"), path="/srv/crash"), "lzo")
    assert shell_value(remote, "KDUMP_SAVEDIR") == "ssh://dumps/srv/crash"
    local = render("suse", remote, opts(), "lzo")
    assert shell_value(local, "KDUMP_SAVEDIR") == "/var/crash"
    kept = render("suse", render("suse", shared_sample(SUSE), opts(path="/srv/crash"), "lzo"), opts(), "lzo")
    assert shell_value(kept, "KDUMP_SAVEDIR") == "/srv/crash"


@pytest.mark.parametrize("secret", ["Pa\\ss", "it's", 'say "x"', "tab\there", "new\nline", "Pa!ss"])
def test_a_refused_secret_is_never_shown_in_the_message(shared_sample, secret):
    """Ansible masks a no_log value only verbatim; %r used to print it escaped, so it got through."""
    with pytest.raises(ConfigError) as caught:
        render("suse", shared_sample(SUSE), opts(extra={"KDUMP_SMTP_PASSWORD": secret}), "lzo")
    message = str(caught.value)
    assert "KDUMP_SMTP_PASSWORD" in message and "the value is secret and not shown" in message
    for fragment in (secret, repr(secret), secret.replace("\\", "\\\\")):
        assert fragment not in message


def test_one_vocabulary_for_the_module_and_the_role():
    """kdump_config's argument spec is built from the constants; the role's spec must say the same."""
    import os
    import yaml
    from ansible_collections.crashdump.kdump.plugins.module_utils import _kdump_config
    root = os.path.join(os.path.dirname(_kdump_config.__file__), "..", "..")
    with open(os.path.join(root, "roles", "kdump", "meta", "argument_specs.yml")) as handle:
        options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    target = options["kdump_target"]["options"]
    assert target["type"]["choices"] == list(_kdump_config.TARGET_TYPES)
    assert target["fstype"]["choices"] == list(_kdump_config.FSTYPES)
    assert options["kdump_core_collector"]["options"]["compression"]["choices"] == \
        ["auto"] + list(_kdump_config.COMPRESSIONS)
    assert options["kdump_failure_action"]["choices"] == list(_kdump_config.FAILURE_ACTIONS)
    assert sorted(_kdump_config.COMPRESSION_FLAGS) == sorted(_kdump_config.COMPRESSIONS)


def module_params(**options):
    """kdump_config's parameters as its argument spec gives them to the module (defaults filled in)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    checked = ArgumentSpecValidator(OPTIONS_SPEC).validate(options)
    assert not checked.error_messages, checked.error_messages
    return checked.validated_parameters


def would_change(params, family, before, available="lzo", dirs=("/", "/var", "/var/crash"), exists=()):
    """kdump_info's prediction with makedumpfile's compressions (LZO's; None: no makedumpfile)."""
    return config_would_change(params, FAMILIES[family], before, LZO if available == "lzo" else available, KVER, 10,
                               isdir=lambda path: path in dirs, lexists=lambda path: path in dirs,
                               exists=lambda path: path in exists, refusal=lambda after: None)


@pytest.mark.parametrize("family, sample", [("debian", DEBIAN), ("redhat", RHEL10), ("suse", SUSE)])
@pytest.mark.parametrize("options", [
    dict(path="/var/crash"),
    dict(target=SSH, core_collector=dict(compression="zlib")),
    dict(core_collector=dict(dump_level=1, compression="none"), failure_action="reboot"),
])
def test_kdump_info_predicts_kdump_configs_change_from_its_own_plan(shared_sample, family, sample, options):
    params = module_params(**options)
    before = shared_sample(sample)
    plan = plan_config(FAMILIES[family], before, checked_options(params, FAMILIES[family], 10), LZO, KVER, 10)
    assert would_change(params, family, before) == plan.changed
    # Once written, nothing is left to do.
    assert would_change(params, family, plan.after) is False


def test_kdump_info_says_kdump_config_would_act_where_it_would_refuse_create_or_warn(shared_sample):
    params = module_params(path="/var/crash")
    written = plan_config(FAMILIES["debian"], shared_sample(DEBIAN), checked_options(params, FAMILIES["debian"], 10),
                          LZO, KVER, 10).after
    assert would_change(params, "debian", written) is False
    assert would_change(params, "debian", None) is True                      # no file: it refuses
    assert would_change(params, "debian", written, available=None) is True   # no makedumpfile: it warns
    assert would_change(params, "debian", written, dirs=("/", "/var")) is True  # it creates /var/crash
    assert would_change(params, "debian", written, exists=("/etc/default/kdump-tools.ucf-dist",)) is True
    assert would_change(module_params(path="/var/crash", auto_reset_crashkernel=True), "debian", written) is True
    assert would_change(module_params(path="relative"), "debian", written) is True
    assert would_change(module_params(path="/var/crash", core_collector=dict(compression="zstd")), "debian",
                        written) is True                                     # not built in: it refuses


def test_the_role_gives_kdump_info_and_kdump_config_the_same_options():
    """The role's kdump_config task passes each of __kdump_config_options (which kdump_info plans with)
    and nothing else of kdump_config's options; the dictionary names every one the role can set."""
    import os
    import yaml
    from ansible_collections.crashdump.kdump.plugins.module_utils import _kdump_config
    role = os.path.join(os.path.dirname(_kdump_config.__file__), "..", "..", "roles", "kdump")
    with open(os.path.join(role, "vars", "main.yml")) as handle:
        options = yaml.safe_load(handle)["__kdump_config_options"]
    named = re.findall(r"'(\w+)': ", options)
    assert sorted(named) == sorted(set(OPTIONS_SPEC) - set(["extra_secrets"]))
    with open(os.path.join(role, "tasks", "present.yml")) as handle:
        task = [t for t in yaml.safe_load(handle) if "crashdump.kdump.kdump_config" in t][0]
    args = task["crashdump.kdump.kdump_config"]
    assert dict((k, v) for k, v in args.items() if k in OPTIONS_SPEC) == dict(
        (name, "{{ __kdump_config_options.%s | default(omit) }}" % name) for name in named)
    with open(os.path.join(role, "tasks", "main.yml")) as handle:
        info = [t for t in yaml.safe_load(handle) if "crashdump.kdump.kdump_info" in t][0]
    assert "__kdump_config_options" in info["crashdump.kdump.kdump_info"]["config"]


@pytest.mark.parametrize("family, sample", [("debian", DEBIAN), ("redhat", RHEL10), ("suse", SUSE)])
def test_the_planned_remote_is_what_kdump_reads_back_from_the_written_file(shared_sample, family, sample):
    before = shared_sample(sample)
    ssh = planned_remote(module_params(target=dict(SSH, key="/root/.ssh/kdump_id_ed25519"), path="/var/crash/web1"),
                         FAMILIES[family], before, 10)
    assert (ssh["type"], ssh["destination"], ssh["path"]) == ("ssh", "kdump@dumps.example.com", "/var/crash/web1")
    assert ssh["key"] == "/root/.ssh/kdump_id_ed25519"
    nfs = planned_remote(module_params(target=dict(type="nfs", export="srv:/dumps/web1")), FAMILIES[family], before, 10)
    assert nfs["export"] == "srv:/dumps/web1"
    assert planned_remote(module_params(path="/var/crash"), FAMILIES[family], before, 10) is None
    assert planned_remote(module_params(target=SSH), FAMILIES[family], None, 10)["destination"] == \
        "kdump@dumps.example.com"


@pytest.mark.parametrize("target, words", [
    (dict(type="ssh", host="-oProxyCommand=sh"), "target.host"),
    (dict(type="ssh", host="dumps.example.com", key="kdump_id"), "target.key"),
    (dict(type="nfs", export="srv"), "target.export"),
])
def test_the_planned_remote_refuses_what_kdump_config_refuses(target, words):
    with pytest.raises(ConfigError, match=re.escape(words)):
        planned_remote(module_params(target=target), FAMILIES["debian"], None, 10)
