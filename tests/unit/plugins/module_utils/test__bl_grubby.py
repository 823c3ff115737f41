# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The grubby planner against recorded ``grubby --info=ALL`` outputs and files (fixtures/samples)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BootloaderError,
    crashkernel_tokens,
    replace_crashkernel,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._bl_grubby import (
    parse_default_kernel,
    parse_info_all,
    plan,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import get_var

CENTOS76 = "rhel7/grubby-info-all.centos7.6.txt"
RHEL75 = "rhel7/grubby-info-all.rhel7.5.insights.txt"
RHEL86 = "rhel8/grubby-info-all.rhel8.6.redhat-docs.txt"
RHEL810 = "rhel8/mql-rhel8.10-ec2/grubby-info-all.txt"
RHEL91 = "rhel9/grubby-info-all.rhel9.1.insights.txt"
ROCKY91 = "rhel9/grubby-info-all.rocky9.1.txt"
ROCKY98 = "rhel9/mql-rocky9.8-ec2/grubby-info-all.txt"
RHEL96 = "rhel9/mql-rhel9.6-ec2/grubby-info-all.txt"
RHEL96_ARM = "rhel9/mql-rhel9.6-aarch64-ec2/grubby-info-all.txt"
STREAM9 = "rhel9/mql-centos-stream9-ec2/grubby-info-all.txt"
RHEL100 = "rhel10/mql-rhel10.0-ec2/grubby-info-all.txt"
FEDORA37 = "fedora/grubby-info-all.fedora37.txt"
FEDORA38 = "fedora/baeldung-f38/grubby-info-all.fedora38.txt"

# sample -> (number of Linux entries, crashkernel= tokens every entry carries)
INFO_ALL = {
    CENTOS76: (2, ["crashkernel=128M"]),
    RHEL75: (2, ["crashkernel=auto"]),
    RHEL86: (2, ["crashkernel=auto"]),
    RHEL810: (2, ["crashkernel=auto"]),
    RHEL91: (2, ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]),
    ROCKY91: (4, ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]),
    ROCKY98: (2, ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]),
    RHEL96: (1, ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]),
    RHEL96_ARM: (1, ["crashkernel=1G-4G:256M,4G-64G:320M,64G-:576M"]),
    STREAM9: (1, ["crashkernel=1G-2G:192M,2G-64G:256M,64G-:512M"]),
    RHEL100: (1, ["crashkernel=2G-64G:256M,64G-:512M"]),
    FEDORA37: (4, []),
    FEDORA38: (2, []),
}

DESIREDS = [
    ["crashkernel=256M"],
    ["crashkernel=256M,high", "crashkernel=72M,low"],
    ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"],
    [],
]


def apply_grubby(info_text, argv):
    """Simulate one ``grubby --update-kernel`` on ``--info=ALL`` text: rewrite the args lines."""
    target = argv[1].split("=", 1)[1]
    remove = []
    add = []
    for arg in argv[2:]:
        if arg.startswith("--remove-args="):
            remove = arg.split("=", 1)[1].split()
        elif arg.startswith("--args="):
            add = arg.split("=", 1)[1].split()
    out = []
    kernel = None
    for line in info_text.splitlines(True):
        match = re.match(r'^kernel="?([^"\n]*)"?$', line)
        if match:
            kernel = match.group(1)
        match = re.match(r'^args="(.*)"$', line)
        if match and target in ("ALL", kernel):
            words = match.group(1).split()
            for token in remove:
                if token in words:
                    words.remove(token)
            # grubby-bls replaces every argument with the key of an added one
            words = [word for word in words if word.split("=", 1)[0] not in
                     [a.split("=", 1)[0] for a in add]] + add
            line = 'args="%s"\n' % " ".join(words)
        out.append(line)
    return "".join(out)


def apply_plan(info_text, result, files):
    for argv in result.commands:
        info_text = apply_grubby(info_text, argv)
    files = dict(files)
    files.update(result.files)
    return info_text, files


# --- parsing ------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(INFO_ALL))
def test_parse_every_sample(shared_sample, path):
    count, tokens = INFO_ALL[path]
    entries = parse_info_all(shared_sample(path))
    assert len(entries) == count
    assert [entry["index"] for entry in entries] == list(range(count))
    for entry in entries:
        assert entry["kernel"].startswith("/boot/vmlinuz-")
        assert crashkernel_tokens(entry["args"]) == tokens
        assert entry["title"]
        assert not entry["kernel"].startswith('"') and not entry["args"].endswith('"')


def test_parse_rhel7_unquoted_and_non_linux_entry(shared_sample):
    text = shared_sample(CENTOS76)
    assert "non linux entry" in text and "index=2" in text
    entries = parse_info_all(text)
    assert entries[0] == {
        "index": 0,
        "kernel": "/boot/vmlinuz-3.10.0-957.el7.x86_64",
        "args": "ro crashkernel=128M rd.lvm.lv=c7vg/root_lv rd.lvm.lv=c7vg/swap_lv console=ttyS0,115200n8 LANG=en_US.UTF-8",
        "root": "/dev/mapper/c7vg-root_lv",
        "initrd": "/boot/initramfs-3.10.0-957.el7.x86_64.img",
        "title": "CentOS Linux (3.10.0-957.el7.x86_64) 7 (Core)",
        "id": None,
    }


def test_parse_rhel8_quoted_with_tuned_params(shared_sample):
    entries = parse_info_all(shared_sample(RHEL86))
    assert entries[0]["args"].endswith("$tuned_params zswap.enabled=1")
    assert entries[0]["initrd"] == "/boot/initramfs-4.18.0-372.9.1.el8.x86_64.img $tuned_initrd"
    assert entries[1]["id"] == "67db13ba8cdb420794ef3ee0a8313205-0-rescue"


def test_parse_rocky98_trailing_space_in_args(shared_sample):
    entries = parse_info_all(shared_sample(ROCKY98))
    assert entries[0]["args"].endswith("nvme_core.max_retries=10 ")
    assert crashkernel_tokens(entries[0]["args"]) == ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]


def test_parse_ignores_stderr_noise(shared_sample):
    # grubby-bls prints this stderr line when /etc/machine-id is missing (recorded in
    # rhel8/grubby-default-kernel.with-stderr-noise...); mixed into --info=ALL here.
    noise = shared_sample("rhel8/grubby-default-kernel.with-stderr-noise.rhel8.10.txt").splitlines()[0]
    assert noise.startswith("/usr/libexec/grubby/grubby-bls: line 37:")
    text = noise + "\n" + shared_sample(RHEL810)
    assert parse_info_all(text) == parse_info_all(shared_sample(RHEL810))


def test_parse_default_kernel(shared_sample):
    assert parse_default_kernel(shared_sample("rhel9/mql-rhel9.6-ec2/grubby-default-kernel.txt")) == \
        "/boot/vmlinuz-5.14.0-570.132.1.el9_6.x86_64"
    noisy = shared_sample("rhel8/grubby-default-kernel.with-stderr-noise.rhel8.10.txt")
    assert parse_default_kernel(noisy) == "/boot/vmlinuz-4.18.0-553.56.1.el8_10.x86_64"
    with pytest.raises(BootloaderError):
        parse_default_kernel("")


# --- commands -----------------------------------------------------------------

def test_rhel7_all_entries_one_command(shared_sample):
    result = plan(shared_sample(CENTOS76), ["crashkernel=256M"])
    assert result.commands == [["grubby", "--update-kernel=ALL", "--remove-args=crashkernel=128M",
                                "--args=crashkernel=256M"]]
    assert [entry.as_dict() for entry in result.entries] == [
        dict(name="CentOS Linux (3.10.0-957.el7.x86_64) 7 (Core)", kernel="/boot/vmlinuz-3.10.0-957.el7.x86_64",
             kind="linux", before=["crashkernel=128M"], after=["crashkernel=256M"], changed=True),
        dict(name="CentOS Linux (0-rescue-59c8a0b7323f456ab9d1194e09abca71) 7 (Core)",
             kernel="/boot/vmlinuz-0-rescue-59c8a0b7323f456ab9d1194e09abca71", kind="rescue",
             before=["crashkernel=128M"], after=["crashkernel=256M"], changed=True),
    ]
    assert result.changed and not result.files


def test_rhel75_high_low_pair_and_custom_grubby_path(shared_sample):
    result = plan(shared_sample(RHEL75), ["crashkernel=256M,high", "crashkernel=72M,low"],
                  grubby="/usr/sbin/grubby")
    assert result.commands == [["/usr/sbin/grubby", "--update-kernel=ALL", "--remove-args=crashkernel=auto",
                                "--args=crashkernel=256M,high crashkernel=72M,low"]]


def test_already_correct_plans_nothing(shared_sample):
    for path, (_count, tokens) in INFO_ALL.items():
        result = plan(shared_sample(path), tokens)
        assert not result.changed, path
        assert result.commands == [] and result.files == {}
        assert not result.entries_changed()


def test_only_differing_entries_get_a_command(shared_sample):
    # Variant: one entry of Rocky 9.1 already carries 256M (edited here from the real sample).
    text = shared_sample(ROCKY91)
    old = "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"
    lines = text.splitlines(True)
    first_args = [i for i, line in enumerate(lines) if line.startswith("args=")][0]
    lines[first_args] = lines[first_args].replace(old, "crashkernel=256M")
    result = plan("".join(lines), ["crashkernel=256M"])
    assert result.commands == [
        ["grubby", "--update-kernel=/boot/vmlinuz-5.14.0-70.30.1.el9_0.x86_64",
         "--remove-args=" + old, "--args=crashkernel=256M"],
        ["grubby", "--update-kernel=/boot/vmlinuz-5.14.0-70.22.1.el9_0.x86_64",
         "--remove-args=" + old, "--args=crashkernel=256M"],
        ["grubby", "--update-kernel=/boot/vmlinuz-0-rescue-a98618aa1631441dbb52c75a50834a0a",
         "--remove-args=" + old, "--args=crashkernel=256M"],
    ]
    assert [entry.changed for entry in result.entries] == [False, True, True, True]


def test_fedora_without_crashkernel_no_remove_args(shared_sample):
    result = plan(shared_sample(FEDORA37), ["crashkernel=512M"])
    assert result.commands == [["grubby", "--update-kernel=ALL", "--args=crashkernel=512M"]]


def test_absent_removes_every_crashkernel_no_args(shared_sample):
    result = plan(shared_sample(RHEL100), [])
    assert result.commands == [["grubby", "--update-kernel=ALL",
                                "--remove-args=crashkernel=2G-64G:256M,64G-:512M"]]
    # nothing to remove and nothing wanted: no command at all
    assert not plan(shared_sample(FEDORA38), []).changed


def test_absent_merges_tokens_of_all_entries(shared_sample):
    # Variant derived from RHEL 7.5: the rescue entry carries a different value and a duplicate.
    text = shared_sample(RHEL75).replace(
        'net.ifnames=0 crashkernel=auto"\nroot', 'net.ifnames=0 crashkernel=64M crashkernel=64M"\nroot')
    result = plan(text, [])
    assert result.commands == [["grubby", "--update-kernel=ALL",
                                "--remove-args=crashkernel=auto crashkernel=64M crashkernel=64M"]]
    final, _files = apply_plan(text, result, {})
    assert "crashkernel" not in final


def test_kernels_default_only_examines_the_default(shared_sample):
    # RHEL 9.6 has one entry; the default kernel output is recorded from the same host
    info = shared_sample(RHEL96)
    default = shared_sample("rhel9/mql-rhel9.6-ec2/grubby-default-kernel.txt")
    result = plan(info, ["crashkernel=256M"], kernels="default", default_kernel=default,
                  etc_default_grub='GRUB_CMDLINE_LINUX=""\n', kernel_cmdline="root=x")
    assert result.commands == [["grubby", "--update-kernel=/boot/vmlinuz-5.14.0-570.132.1.el9_6.x86_64",
                                "--remove-args=crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M",
                                "--args=crashkernel=256M"]]
    # what new kernels inherit is left alone when only the default kernel is managed
    assert result.files == {}


def test_kernels_default_picks_one_of_several(shared_sample):
    # Rocky 9.1 with the newest kernel as default (the path as grubby --default-kernel prints it)
    result = plan(shared_sample(ROCKY91), ["crashkernel=256M"], kernels="default",
                  default_kernel="/boot/vmlinuz-5.14.0-70.30.1.el9_0.x86_64\n")
    assert [entry.kernel for entry in result.entries] == ["/boot/vmlinuz-5.14.0-70.30.1.el9_0.x86_64"]
    assert result.commands[0][1] == "--update-kernel=/boot/vmlinuz-5.14.0-70.30.1.el9_0.x86_64"
    with pytest.raises(BootloaderError, match="not among"):
        plan(shared_sample(ROCKY91), ["crashkernel=256M"], kernels="default",
             default_kernel="/boot/vmlinuz-9.9.9")
    with pytest.raises(BootloaderError):
        plan(shared_sample(ROCKY91), ["crashkernel=256M"], kernels="default")
    with pytest.raises(BootloaderError):
        plan(shared_sample(ROCKY91), ["crashkernel=256M"], kernels="newest")


def test_no_linux_entry_is_an_error():
    with pytest.raises(BootloaderError, match="no Linux boot entry"):
        plan("index=0\nnon linux entry\n", ["crashkernel=256M"])


# --- RHEL 8 BLS: $kernelopts ----------------------------------------------------

def test_rhel8_bls_kernelopts_entry_uses_update_all(shared_sample):
    # The BLS entry of the same RHEL 8.10 host says "options $kernelopts $tuned_params".
    # grubby-bls prints a $variable literally when grubenv has no value for it; this
    # variant replaces the first entry's args by that options line (edit made here).
    bls = shared_sample("rhel8/mql-rhel8.10-ec2/boot-loader-entries-"
                        "ffffffffffffffffffffffffffffffff-4.18.0-553.158.1.el8_10.x86_64.conf")
    options = [line for line in bls.splitlines() if line.startswith("options ")][0].split(" ", 1)[1]
    assert options == "$kernelopts $tuned_params"
    info = shared_sample(RHEL810)
    text = info.replace(
        'args="console=tty0 console=ttyS0,115200n8 net.ifnames=0 rd.blacklist=nouveau '
        'nvme_core.io_timeout=4294967295 crashkernel=auto $tuned_params"', 'args="%s"' % options)
    entries = parse_info_all(text)
    assert entries[0]["args"] == "$kernelopts $tuned_params"
    result = plan(text, ["crashkernel=256M"])
    # Both entries differ: ONE --update-kernel=ALL, which grubby-bls applies to kernelopts
    # in grubenv too, so the $kernelopts entry is not turned into literal options.
    assert result.commands == [["grubby", "--update-kernel=ALL", "--remove-args=crashkernel=auto",
                                "--args=crashkernel=256M"]]


@pytest.mark.parametrize("path", [
    "rhel8/boot-loader-entries.rhel8.0-kernelopts.redhat-docs.conf",
    "rhel8/boot-loader-entries.rhel8.0-literal-options.insights.conf",
])
def test_bls_options_lines_with_and_without_kernelopts(shared_sample, path):
    # The options line of a BLS entry is what grubby --info prints as args (after
    # expanding $variables): its crashkernel= words are found either way.
    bls = shared_sample(path)
    options = [line for line in bls.splitlines() if line.startswith("options ")][0].split(" ", 1)[1]
    info = 'index=0\nkernel="/boot/vmlinuz-x"\nargs="%s"\ntitle="t"\n' % options
    tokens = crashkernel_tokens(options)
    result = plan(info, ["crashkernel=256M"])
    assert result.entries[0].before == tokens
    if "$kernelopts" in options:
        assert tokens == []
        assert result.commands == [["grubby", "--update-kernel=ALL", "--args=crashkernel=256M"]]
    else:
        assert tokens == ["crashkernel=auto"]
        assert result.commands == [["grubby", "--update-kernel=ALL", "--remove-args=crashkernel=auto",
                                    "--args=crashkernel=256M"]]


# --- what new kernels inherit ----------------------------------------------------

def test_rhel7_etc_default_grub_follows(shared_sample):
    grub = shared_sample("rhel7/etc-default-grub.centos7.9-user-modified.txt")
    result = plan(shared_sample(CENTOS76), ["crashkernel=256M"], etc_default_grub=grub)
    new = result.files["/etc/default/grub"]
    assert crashkernel_tokens(get_var(new, "GRUB_CMDLINE_LINUX")) == ["crashkernel=256M"]
    assert "crashkernel=auto" not in new
    assert list(result.files) == ["/etc/default/grub"]


def test_rocky98_default_var_moved_and_entries(shared_sample):
    grub = shared_sample("rhel9/mql-rocky9.8-ec2/etc-default-grub")
    result = plan(shared_sample(ROCKY98), ["crashkernel=512M"], etc_default_grub=grub)
    new = result.files["/etc/default/grub"]
    assert "crashkernel" not in get_var(new, "GRUB_CMDLINE_LINUX_DEFAULT")
    assert get_var(new, "GRUB_CMDLINE_LINUX") == "crashkernel=512M"
    # the same value as the AMI's: nothing at all to do, the file stays where it is
    same = plan(shared_sample(ROCKY98), ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"],
                etc_default_grub=grub)
    assert not same.changed


def test_rhel9_kernel_cmdline_without_trailing_newline(shared_sample):
    cmdline = shared_sample("rhel9/mql-rhel9.6-ec2/etc-kernel-cmdline")
    assert not cmdline.endswith("\n") and "crashkernel" not in cmdline
    result = plan(shared_sample(RHEL96), ["crashkernel=256M"], kernel_cmdline=cmdline,
                  etc_default_grub=shared_sample("rhel9/mql-rhel9.6-aarch64-ec2/etc-default-grub"))
    assert result.files["/etc/kernel/cmdline"] == cmdline + " crashkernel=256M"
    # With a final newline, it is kept
    result = plan(shared_sample(RHEL96), [], kernel_cmdline=cmdline + " crashkernel=1G\n")
    assert result.files["/etc/kernel/cmdline"] == cmdline + "\n"


def test_rhel9_entry_correct_but_kernel_cmdline_lacks_it(shared_sample):
    # Recorded as is on RHEL 9.6: the entry carries the default, /etc/kernel/cmdline does not;
    # a kernel installed next would boot without a reservation. The plan fixes only the file.
    cmdline = shared_sample("rhel9/mql-rhel9.6-ec2/etc-kernel-cmdline")
    value = ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]
    result = plan(shared_sample(RHEL96), value, kernel_cmdline=cmdline)
    assert result.commands == []
    assert result.files == {"/etc/kernel/cmdline": cmdline + " " + value[0]}
    assert not result.entries_changed()


# --- auto_reset_crashkernel -----------------------------------------------------

RHEL10_KDUMP_CONF = "rhel10/kdump-utils-defaults/etc-kdump.conf.active-lines.x86_64.txt"
F36_KDUMP_CONF = "fedora/kexec-tools-defaults/etc-kdump.conf.active-lines.f36.txt"


def distro_default_value(shared_sample):
    return shared_sample("rhel10/kdumpctl-get-default-crashkernel.kdump-utils-howto.txt").strip()


@pytest.mark.parametrize("conf", [RHEL10_KDUMP_CONF, F36_KDUMP_CONF])
def test_non_default_value_turns_auto_reset_off(shared_sample, conf):
    text = shared_sample(conf)
    assert "auto_reset_crashkernel yes\n" in text
    result = plan(shared_sample(RHEL100), ["crashkernel=384M"], kdump_conf=text,
                  distro_default=distro_default_value(shared_sample))
    new = result.files["/etc/kdump.conf"]
    assert new == text.replace("auto_reset_crashkernel yes\n", "auto_reset_crashkernel no\n")


def test_default_value_leaves_auto_reset_alone(shared_sample):
    default = distro_default_value(shared_sample)
    assert default == "2G-64G:256M,64G-:512M"
    result = plan(shared_sample(RHEL100), ["crashkernel=" + default],
                  kdump_conf=shared_sample(RHEL10_KDUMP_CONF), distro_default=default + "\n")
    assert not result.changed


def test_absent_leaves_auto_reset_alone(shared_sample):
    result = plan(shared_sample(RHEL100), [], kdump_conf=shared_sample(RHEL10_KDUMP_CONF),
                  distro_default=distro_default_value(shared_sample))
    assert "/etc/kdump.conf" not in result.files


def test_unknown_default_counts_as_non_default(shared_sample):
    result = plan(shared_sample(RHEL100), ["crashkernel=2G-64G:256M,64G-:512M"],
                  kdump_conf=shared_sample(RHEL10_KDUMP_CONF))
    assert result.files["/etc/kdump.conf"].startswith("auto_reset_crashkernel no\n")
    assert result.commands == []


def test_auto_reset_comments_untouched_and_appended(shared_sample):
    # Variant: the RHEL 10 default with the setting only in comments, no final newline.
    text = "# auto_reset_crashkernel yes\n" + shared_sample(RHEL10_KDUMP_CONF).replace(
        "auto_reset_crashkernel yes\n", "").rstrip("\n")
    result = plan(shared_sample(RHEL100), ["crashkernel=1G"], kdump_conf=text)
    assert result.files["/etc/kdump.conf"] == text + "\nauto_reset_crashkernel no\n"
    already = text + "\nauto_reset_crashkernel no\n"
    assert "/etc/kdump.conf" not in plan(shared_sample(RHEL100), ["crashkernel=1G"], kdump_conf=already).files


# --- the properties: exact, idempotent, no command without a change --------------------

@pytest.mark.parametrize("path", sorted(INFO_ALL))
@pytest.mark.parametrize("desired", DESIREDS)
def test_apply_then_replan_is_empty(shared_sample, path, desired):
    info = shared_sample(path)
    files = {
        "etc_default_grub": shared_sample("rhel7/etc-default-grub.centos7.9-user-modified.txt"),
        "kernel_cmdline": shared_sample("rhel10/mql-rhel10.0-ec2/etc-kernel-cmdline"),
        "kdump_conf": shared_sample(RHEL10_KDUMP_CONF),
    }
    result = plan(info, desired, distro_default="2G-64G:256M,64G-:512M", **files)
    # a command only where an entry changes; the entries after are the desired ones
    assert bool(result.commands) == bool(result.entries_changed())
    assert all(entry.after == desired for entry in result.entries)
    for argv in result.commands:
        assert isinstance(argv, list) and all(isinstance(arg, str) for arg in argv)
    new_info, new_files = apply_plan(info, result, {})
    for entry in parse_info_all(new_info):
        assert crashkernel_tokens(entry["args"]) == desired
    keyed = {"etc_default_grub": "/etc/default/grub", "kernel_cmdline": "/etc/kernel/cmdline",
             "kdump_conf": "/etc/kdump.conf"}
    files_after = dict((key, new_files.get(path_, files[key])) for key, path_ in keyed.items())
    again = plan(new_info, desired, distro_default="2G-64G:256M,64G-:512M", **files_after)
    assert not again.changed
    assert again.commands == [] and again.files == {}


def test_simulator_matches_replace_crashkernel(shared_sample):
    # keep the simulator honest: on an entry it gives what replace_crashkernel gives
    info = shared_sample(CENTOS76)
    argv = ["grubby", "--update-kernel=ALL", "--remove-args=crashkernel=128M", "--args=crashkernel=1G"]
    expected = replace_crashkernel(parse_info_all(info)[0]["args"], ["crashkernel=1G"])
    assert parse_info_all(apply_grubby(info, argv))[0]["args"] == expected
