# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SUSE: kdump (kdumptool), configured in /etc/sysconfig/kdump (kdump(5)).

PRIVATE to the crashdump.kdump collection; it may change without notice.

A shell variable file, read and written through ``_shellvars`` as the shell reads it.
Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    ConfigError,
    refuse_ipv6,
    set_shell,
    shell_extra_value,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_family import FamilyBase, rpm_installed, rpm_query
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import is_number
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import get_var

CONFIG_FILE = "/etc/sysconfig/kdump"
# KDUMP_DUMPFORMAT's names for the compressions (kdump(5)).
FORMATS = {"zlib": "compressed", "lzo": "lzo", "snappy": "snappy", "zstd": "zstd", "none": "ELF"}
# kdumptool's KDUMP_CONTINUE_ON_ERROR: true goes on (reboots) after a failed save, false stops at the
# error (the initrd's shell). SUSE has no halt, poweroff or local fallback.
FAILURE_ACTIONS = {"reboot": "true", "shell": "false"}
# The variables the options manage; extra may not set them behind the checks.
MANAGED_VARS = ("KDUMP_SAVEDIR", "KDUMP_SSH_IDENTITY", "KDUMP_DUMPLEVEL", "KDUMP_DUMPFORMAT", "KDUMP_CONTINUE_ON_ERROR")


class Suse(FamilyBase):
    name = "suse"
    config_file = CONFIG_FILE
    config_files = (CONFIG_FILE,)
    service = "kdump"
    shell_syntax = True
    tool = "kdumptool"
    kexec_args_in_config_file = True
    kexec_args = (CONFIG_FILE, "KEXEC_OPTIONS")
    dump_layout = "<savedir>/<YYYY-MM-DD-HH-MM>/vmcore and dmesg"
    # kdump(5): KDUMP_SAVEDIR ssh://host/path or nfs://server/export; with KDUMP_SSH_IDENTITY empty,
    # ssh's own identity files are used.
    client_packages = dict(ssh="openssh-clients", nfs="nfs-client")

    def packages(self, distribution, version):
        return ["kdump", "kexec-tools", "makedumpfile"]

    def installed_query(self, packages):
        return rpm_query(packages)

    def installed_packages(self, packages, output):
        return rpm_installed(packages, output)

    def render(self, text, opts, compression, rhel_major=None):
        extra = dict((key, shell_extra_value(key, value, MANAGED_VARS))
                     for key, value in (opts.get("extra") or {}).items())
        target = opts["target"]
        refuse_ipv6(target, "SUSE")
        path = opts.get("path") or "/var/crash"
        if target["type"] == "ssh":
            savedir = "ssh://%s%s" % (target["host"], path)
        elif target["type"] == "nfs":
            server, _sep, export = target["export"].partition(":")
            savedir = "nfs://%s%s" % (server, export)
        elif target["type"] == "local":
            current = get_var(text, "KDUMP_SAVEDIR") or ""
            # Keep a local directory already set; a remote one (ssh://, nfs://, ...) must go.
            local = current.startswith("/") or current.startswith("file://")
            savedir = path if opts.get("path") or not local else current
        elif target["type"] == "fs" and target.get("fstype") == "virtiofs":
            # KDUMP_SAVEDIR takes file, ftp, sftp, ssh, nfs and cifs URLs only (kdump(5)).
            raise ConfigError("SUSE kdump cannot dump to a virtiofs share (KDUMP_SAVEDIR takes file://, ftp://, "
                              "sftp://, ssh://, nfs:// and cifs:// URLs); use local, ssh or nfs")
        else:
            raise ConfigError("SUSE kdump cannot dump to a %s target; use local, ssh or nfs" % target["type"])
        text = set_shell(text, "KDUMP_SAVEDIR", savedir)
        if target.get("key"):
            text = set_shell(text, "KDUMP_SSH_IDENTITY", target["key"])
        text = set_shell(text, "KDUMP_DUMPLEVEL", str(opts["core_collector"]["dump_level"]))
        text = set_shell(text, "KDUMP_DUMPFORMAT", FORMATS[compression])
        action = opts.get("failure_action")
        if action is not None:
            if action not in FAILURE_ACTIONS:
                raise ConfigError("SUSE kdump has no failure_action %r: it can only reboot (KDUMP_CONTINUE_ON_ERROR"
                                  "=true) or stop at a shell (false) after a failed dump; use %s"
                                  % (action, " or ".join(sorted(FAILURE_ACTIONS))))
            text = set_shell(text, "KDUMP_CONTINUE_ON_ERROR", FAILURE_ACTIONS[action])
        for key in sorted(extra):
            text = set_shell(text, key, extra[key])
        return text

    def configured_dump_dir(self, text):
        value = get_var(text, "KDUMP_SAVEDIR")
        if value and value.startswith("file://"):
            value = value[len("file://"):]
        return value

    def read(self, text):
        # KDUMP_SAVEDIR is a URL (kdump(5)): file:// or a plain path is local; ssh://[user@]host/path and
        # nfs://server/export are what render writes; other schemes are reported by name only.
        savedir = get_var(text, "KDUMP_SAVEDIR") or ""
        scheme, sep, rest = savedir.partition("://")
        if not sep:
            scheme, rest = "file", savedir
        where, slash, path = rest.partition("/")
        if scheme == "file":
            target, path = dict(type="local"), rest or None
        elif scheme == "ssh":
            target, path = dict(type="ssh", host=where), slash + path if path else None
            key = get_var(text, "KDUMP_SSH_IDENTITY")
            if key:
                target["key"] = key
        elif scheme == "nfs":
            target, path = dict(type="nfs", export="%s:/%s" % (where, path)), None
        else:
            target, path = dict(type=scheme), None
        level = (get_var(text, "KDUMP_DUMPLEVEL") or "").strip()
        dump_format = get_var(text, "KDUMP_DUMPFORMAT")
        compressions = dict((name, compression) for compression, name in FORMATS.items())
        action = get_var(text, "KDUMP_CONTINUE_ON_ERROR")
        actions = dict((value, name) for name, value in FAILURE_ACTIONS.items())
        return dict(target=target, path=path, levels=[int(level)] if is_number(level) else None,
                    compression=compressions.get(dump_format), failure_action=actions.get(action))

    def initrd_rebuild_needed(self, before, after):
        # mkdumprd builds what the config names into the initrd: any change counts.
        return before != after

    def rebuild_initrd_argv(self, kernel_release):
        return ["mkdumprd", "-f"]

    def capture_kernel(self, kernel_release, arch, config_text, exists):
        # SUSE's kdump loads the running kernel; arm64 names its image Image.
        return "/boot/%s-%s" % ("Image" if arch == "aarch64" else "vmlinuz", kernel_release)
