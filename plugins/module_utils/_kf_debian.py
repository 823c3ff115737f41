# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian and Ubuntu: kdump-tools, configured in /etc/default/kdump-tools (kdump-tools(5)).

PRIVATE to the crashdump.kdump collection; it may change without notice.

A shell variable file, read and written through ``_shellvars`` as the shell reads it.
Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    FAILURE_ACTIONS,
    ConfigError,
    compression_of,
    keep_message_level,
    makedumpfile_args,
    refuse_ipv6,
    set_shell,
    shell_extra_value,
    unset_shell,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_family import FamilyBase, dump_levels
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import get_var

CONFIG_FILE = "/etc/default/kdump-tools"
# The variables the options manage; extra may not set them behind the checks.
MANAGED_VARS = ("USE_KDUMP", "KDUMP_COREDIR", "MAKEDUMP_ARGS", "SSH", "SSH_KEY", "NFS", "KDUMP_FAIL_CMD")
# kdump-config's default KDUMP_KERNEL: a link it points at /boot/vmlinuz-KVER.
KDUMP_KERNEL_LINK = "/var/lib/kdump/vmlinuz"


class Debian(FamilyBase):
    name = "debian"
    config_file = CONFIG_FILE
    config_files = (CONFIG_FILE,)
    service = "kdump-tools"
    shell_syntax = True
    tool = "kdump-config"
    kexec_args_in_config_file = True
    kexec_args = (CONFIG_FILE, "KDUMP_KEXEC_ARGS")
    copies_without_makedumpfile = True   # kdump-tools then copies /proc/vmcore with cp
    dump_layout = "<coredir>/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM> and dmesg.<YYYYMMDDHHMM>"
    # kdump-config (1:1.8.1, 1:1.10.7): SSH_KEY defaults to /root/.ssh/kdump_id_rsa; an NFS export is
    # mounted on KDUMP_COREDIR, so dumps go to <export>/<hosttag>-<stamp>; over ssh to
    # <KDUMP_COREDIR>/<hosttag>-<stamp> on the server (hosttag: the host's IP address, or its name
    # with HOSTTAG=hostname).
    default_ssh_key = "/root/.ssh/kdump_id_rsa"
    client_packages = dict(ssh="openssh-client", nfs="nfs-common")
    # The capture kernel boots the real root with systemd.unit=kdump-tools-dump.service (KDUMP_CMDLINE_APPEND,
    # kdump-config): only that unit's dependencies start, and its Wants=network-online.target brings up
    # nothing where no wait-online service is enabled (seen: "Network is unreachable" 16 times, no dump).
    capture_unit = "kdump-tools-dump.service"
    # kdump-config propagate: ssh-copy-id of SSH_KEY, which only logs in when the key is already installed.
    propagate = ("kdump-config", "propagate")

    def packages(self, distribution, version):
        return ["kdump-tools", "kexec-tools", "makedumpfile"]

    def installed_query(self, packages):
        # Unknown names make dpkg-query exit 1 and say so on stderr; the known ones are still printed.
        return ["dpkg-query", "-W", "-f", "${Package} ${Status}\n"] + list(packages)

    def installed_packages(self, packages, output):
        # ${Status} is "want ok state": "install ok installed" (or "hold ok installed") once unpacked and
        # configured; "deinstall ok config-files" after a remove.
        installed = set()
        for line in (output or "").splitlines():
            words = line.split()
            if len(words) == 4 and words[3] == "installed":
                installed.add(words[0].split(":")[0])
        return [name for name in packages if name in installed]

    def render(self, text, opts, compression, rhel_major=None):
        extra = dict((key, shell_extra_value(key, value, MANAGED_VARS))
                     for key, value in (opts.get("extra") or {}).items())
        target = opts["target"]
        refuse_ipv6(target, "Debian")
        if target["type"] in ("raw", "fs"):
            raise ConfigError("kdump-tools cannot dump to a %s target; use local, ssh or nfs" % target["type"])
        if opts.get("failure_action") in ("shell", "dump_to_rootfs"):
            raise ConfigError("kdump-tools has no failure_action %r; use reboot, halt or poweroff"
                              % opts["failure_action"])
        text = set_shell(text, "USE_KDUMP", "1")
        if opts.get("path"):
            text = set_shell(text, "KDUMP_COREDIR", opts["path"])
        collector = keep_message_level(opts["core_collector"], get_var(text, "MAKEDUMP_ARGS"))
        text = set_shell(text, "MAKEDUMP_ARGS", makedumpfile_args(collector, compression))
        # kdump-config tries SSH, then NFS, then the local disk: a target left from an earlier run
        # would win over the one asked for now, so only the chosen one may stay set.
        if target["type"] == "ssh":
            text = set_shell(text, "SSH", target["host"])
            if target.get("key"):
                text = set_shell(text, "SSH_KEY", target["key"])
        else:
            text = unset_shell(text, "SSH")
            text = unset_shell(text, "SSH_KEY")
        if target["type"] == "nfs":
            text = set_shell(text, "NFS", target["export"])
        else:
            text = unset_shell(text, "NFS")
        if opts.get("failure_action"):
            text = set_shell(text, "KDUMP_FAIL_CMD", "%s -f" % opts["failure_action"])
        for key in sorted(extra):
            text = set_shell(text, key, extra[key])
        return text

    def configured_dump_dir(self, text):
        return self.read(text)["path"]

    def read(self, text):
        # kdump-config tries SSH, then NFS, then the local directory (kdump-tools(5)).
        ssh, nfs = get_var(text, "SSH"), get_var(text, "NFS")
        if ssh:
            target = dict(type="ssh", host=ssh)
            key = get_var(text, "SSH_KEY")
            if key:
                target["key"] = key
        elif nfs:
            target = dict(type="nfs", export=nfs)
        else:
            target = dict(type="local")
        args = get_var(text, "MAKEDUMP_ARGS")
        action = (get_var(text, "KDUMP_FAIL_CMD") or "").split()
        return dict(target=target, path=get_var(text, "KDUMP_COREDIR") or None,
                    levels=dump_levels(args), compression=compression_of(args) if args else None,
                    failure_action=action[0] if action and action[0] in FAILURE_ACTIONS else None)

    def initrd_rebuild_needed(self, before, after):
        # Nothing of this file is in kdump-tools' capture initrd: its initramfs hook
        # (/usr/share/initramfs-tools/hooks/kdump-tools, 1:1.8.1 and 1:1.10.7) copies only
        # /etc/kdump/sysctl.conf, and the capture kernel mounts the real root and runs
        # kdump-tools-dump.service, which reads this file there. `kdump-config load` (the service's
        # start) rebuilds the initrd itself when it is missing or sysctl.conf changed
        # (check_sysctl_change, kdump_create_symlinks). A build here would be thrown away by that
        # first load: it keys on a copy of sysctl.conf only load writes.
        return False

    def rebuild_initrd_argv(self, kernel_release):
        return None

    def capture_kernel(self, kernel_release, arch, config_text, exists):
        configured = get_var(config_text or "", "KDUMP_KERNEL") or KDUMP_KERNEL_LINK
        if exists(configured):
            return configured
        return "/boot/vmlinuz-%s" % kernel_release
