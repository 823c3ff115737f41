# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Red Hat family (RHEL and its rebuilds, Fedora): kdumpctl, configured in /etc/kdump.conf
(kdump.conf(5)), with its kexec options in /etc/sysconfig/kdump.

PRIVATE to the crashdump.kdump collection; it may change without notice.

kdump.conf is a list of directives, one per line; kdumpctl reads the last line of each
(kdump_get_conf_val in kdump-lib-initramfs.sh), and only one dump target may be active.
Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    FSTYPES,
    ConfigError,
    check_text,
    compression_of,
    keep_message_level,
    makedumpfile_args,
    refuse,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_family import (
    FamilyBase,
    dump_levels,
    rpm_installed,
    rpm_query,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import is_number

CONFIG_FILE = "/etc/kdump.conf"
# Target directives: only one may be active.
TARGETS = ("ssh", "nfs", "raw") + FSTYPES
# kdump.conf(5) directives that extra may set, with the grammar kdumpctl accepts for each; the
# others (targets, path, core_collector, failure_action, ...) are options of their own.
_WORDS_OF_PATHS = re.compile(r"^/[^\s]*(?:\s+/[^\s]*)*\Z")
EXTRA = {
    "kdump_pre": (re.compile(r"^/[^\s]+\Z"), "an absolute path of an executable"),
    "kdump_post": (re.compile(r"^/[^\s]+\Z"), "an absolute path of an executable"),
    "extra_bins": (_WORDS_OF_PATHS, "absolute paths separated by spaces"),
    "extra_modules": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(?:\s+[A-Za-z0-9_][A-Za-z0-9_-]*)*\Z"),
                      "kernel module names separated by spaces"),
    "final_action": (re.compile(r"^(?:reboot|halt|poweroff)\Z"), "reboot, halt or poweroff"),
    "force_rebuild": (re.compile(r"^[01]\Z"), "0 or 1"),
    "force_no_rebuild": (re.compile(r"^[01]\Z"), "0 or 1"),
    "dracut_args": (re.compile(r"^\S.*\Z"), "dracut arguments on one line"),
    "fence_kdump_args": (re.compile(r"^\S.*\Z"), "fence_kdump_send arguments on one line"),
    "fence_kdump_nodes": (re.compile(r"^[A-Za-z0-9\[][A-Za-z0-9.:\[\]-]*(?:\s+[A-Za-z0-9\[][A-Za-z0-9.:\[\]-]*)*\Z"),
                          "host names separated by spaces"),
}
MANAGED = TARGETS + ("sshkey", "path", "core_collector", "failure_action", "default", "auto_reset_crashkernel")


def extra_value(key, value):
    """The text written for one ``extra`` directive, checked against kdumpctl's grammar for it."""
    if key in MANAGED:
        raise ConfigError("extra %s: %s is set by this module's own options (path, target, core_collector, "
                          "failure_action, auto_reset_crashkernel), not by extra" % (key, key))
    if key not in EXTRA:
        raise ConfigError("extra %s is not a kdump.conf directive extra can set; accepted: %s"
                          % (key, ", ".join(sorted(EXTRA))))
    pattern, accepted = EXTRA[key]
    if isinstance(value, bool):
        if accepted != "0 or 1":
            refuse("extra %s" % key, value, accepted)
        value = "1" if value else "0"
    text = check_text("extra %s" % key, to_text(value))
    if not pattern.match(text):
        refuse("extra %s" % key, value, accepted)
    return text


def directive(line):
    """The directive a kdump.conf line sets, or None for a blank or comment line."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    return stripped.split(None, 1)[0]


def directives(text):
    """[(directive, [arguments])] of the active lines, in file order, comments removed."""
    found = []
    for line in (text or "").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            found.append((words[0], words[1:]))
    return found


def _set_directive(lines, name, value, also=()):
    """Make ``name value`` the one active line among ``name`` and ``also``; keep its place."""
    names = (name,) + tuple(also)
    wanted = "%s %s" % (name, value)
    result = []
    placed = False
    for line in lines:
        if directive(line) in names:
            if not placed:
                result.append(wanted + "\n")
                placed = True
            continue
        result.append(line)
    if not placed:
        if result and not result[-1].endswith("\n"):
            result[-1] += "\n"
        result.append(wanted + "\n")
    return result


def _drop_directives(lines, names):
    return [line for line in lines if directive(line) not in names]


class RedHat(FamilyBase):
    name = "redhat"
    config_file = CONFIG_FILE
    config_files = (CONFIG_FILE, "/etc/sysconfig/kdump")
    service = "kdump"
    shell_syntax = False
    tool = "kdumpctl"
    kexec_args = ("/etc/sysconfig/kdump", "KEXEC_ARGS")
    dump_layout = "<path>/<ip>-<YYYY-MM-DD-HH:MM:SS>/vmcore and vmcore-dmesg.txt"
    # kdump.conf(5): sshkey defaults to /root/.ssh/kdump_id_rsa; "path" is the directory on the ssh
    # server, and inside the export for nfs.
    default_ssh_key = "/root/.ssh/kdump_id_rsa"
    nfs_dumps_under_path = True
    client_packages = dict(ssh="openssh-clients", nfs="nfs-utils")
    propagate = ("kdumpctl", "propagate")   # kdumpctl(8)

    def packages(self, distribution, version):
        major = str(version).partition(".")[0]
        if is_number(major) and ((distribution == "fedora" and int(major) >= 40)
                                 or (distribution != "fedora" and int(major) >= 10)):
            # kdumpctl moved to kdump-utils, makedumpfile split out (Fedora 40, RHEL 10).
            return ["kdump-utils", "kexec-tools", "makedumpfile"]
        return ["kexec-tools"]

    def installed_query(self, packages):
        return rpm_query(packages)

    def installed_packages(self, packages, output):
        return rpm_installed(packages, output)

    def render(self, text, opts, compression, rhel_major=None):
        """RHEL 7 spells failure_action ``default``."""
        extra = dict((key, extra_value(key, value)) for key, value in (opts.get("extra") or {}).items())
        lines = text.splitlines(True)
        target = opts["target"]
        if opts.get("path"):
            lines = _set_directive(lines, "path", opts["path"])
        if target["type"] == "local":
            lines = _drop_directives(lines, TARGETS + ("sshkey",))
        elif target["type"] == "ssh":
            lines = _set_directive(lines, "ssh", target["host"], also=TARGETS)
            if target.get("key"):
                lines = _set_directive(lines, "sshkey", target["key"])
        elif target["type"] == "nfs":
            lines = _set_directive(lines, "nfs", target["export"], also=TARGETS)
        elif target["type"] == "raw":
            lines = _set_directive(lines, "raw", target["device"], also=TARGETS)
        else:
            lines = _set_directive(lines, target["fstype"], target["device"], also=TARGETS)
        # ssh and raw targets need makedumpfile's flattened format.
        flattened = target["type"] in ("ssh", "raw")
        current = [line for line in lines if directive(line) == "core_collector"]
        collector = keep_message_level(opts["core_collector"], current[-1] if current else None)
        lines = _set_directive(lines, "core_collector",
                               "makedumpfile " + makedumpfile_args(collector, compression, flattened))
        if opts.get("failure_action"):
            if rhel_major == 7:
                lines = _set_directive(lines, "default", opts["failure_action"], also=("failure_action",))
            else:
                lines = _set_directive(lines, "failure_action", opts["failure_action"], also=("default",))
        if opts.get("auto_reset_crashkernel") is not None:
            lines = _set_directive(lines, "auto_reset_crashkernel", "yes" if opts["auto_reset_crashkernel"] else "no")
        for key in sorted(extra):
            lines = _set_directive(lines, key, extra[key])
        return "".join(lines)

    def configured_dump_dir(self, text):
        return self.read(text)["path"]

    def read(self, text):
        # kdumpctl takes the last of each directive (kdump.conf(5): one target only).
        found = dict((name, words) for name, words in directives(text) if words)
        target = dict(type="local")
        for name, words in directives(text):
            if name == "ssh":
                target = dict(type="ssh", host=words[0]) if words else target
            elif name == "nfs":
                target = dict(type="nfs", export=words[0]) if words else target
            elif name in TARGETS:
                target = dict(type="raw" if name == "raw" else "fs", device=words[0]) if words else target
                if name != "raw":
                    target["fstype"] = name
        if target["type"] == "ssh" and found.get("sshkey"):
            target["key"] = found["sshkey"][0]
        levels = compression = None
        collector = found.get("core_collector")
        if collector:
            args = " ".join(collector[1:])
            makedumpfile = collector[0].endswith("makedumpfile")
            levels = dump_levels(args) if makedumpfile else [0]
            compression = compression_of(args) if makedumpfile else "none"
        action = found.get("failure_action") or found.get("default")
        return dict(target=target, path=(found.get("path") or [None])[0], levels=levels,
                    compression=compression, failure_action=action[0] if action else None)

    def initrd_rebuild_needed(self, before, after):
        # kdumpctl builds what kdump.conf names into the initrd: any change counts.
        return before != after

    def rebuild_initrd_argv(self, kernel_release):
        # `kdumpctl restart` rebuilds when kdump.conf is newer than the initrd.
        return None

    def capture_kernel(self, kernel_release, arch, config_text, exists):
        # kdumpctl loads the running kernel (KDUMP_KERNELVER unset).
        return "/boot/vmlinuz-%s" % kernel_release
