# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every kdump config family object answers (``FamilyBase``), and the readers they share.

PRIVATE to the crashdump.kdump collection; it may change without notice.

A family is one kdump packaging: Debian's kdump-tools (``_kf_debian``), the Red Hat family's
kdumpctl (``_kf_redhat``) and SUSE's kdump (``_kf_suse``). Each object owns its config file, how
options are written into it and how they are read back, its service, packages and kexec options
variable, when and how the capture initrd is rebuilt, and which kernel it loads as the capture
kernel; ``_kdump_families`` picks one. Pure logic; Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._dumps import DEFAULT_DUMP_LEVEL
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import is_number
from ansible_collections.crashdump.kdump.plugins.module_utils._secrets import redact_url
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import ShellVarError

DEFAULT_DUMP_DIR = "/var/crash"


def dump_levels(args):
    """The -d levels in makedumpfile arguments ('-c -d 31', '-d1,31'), or None."""
    match = re.search(r"(?:^|\s)-d\s*([0-9][0-9,]*)", args or "")
    if not match:
        return None
    levels = [int(word) for word in match.group(1).split(",") if is_number(word)]
    return levels or None


def rpm_query(packages):
    """``rpm -q`` of ``packages``, one name per installed package (the Red Hat family and SUSE)."""
    return ["rpm", "-q", "--queryformat", "%{NAME}\n"] + list(packages)


def rpm_installed(packages, output):
    """The ``packages`` that ``rpm_query`` printed: rpm prints "package X is not installed" for the others."""
    printed = set(line.strip() for line in (output or "").splitlines())
    return [name for name in packages if name in printed]


class FamilyBase(object):
    """One kdump packaging. Subclasses set the names and implement every method below."""

    name = None             # 'debian', 'redhat', 'suse' (_family.FAMILY_NAMES)
    config_file = None      # the file kdump_config writes and the readers read
    config_files = ()       # every file of its configuration, config_file first
    service = None
    shell_syntax = False    # config_file is a shell variable file (checked with sh -n before it is written)
    tool = None             # the family's own command (kdump-config, kdumpctl, kdumptool)
    kexec_args = (None, None)   # (file, shell variable) where the kdump script takes more kexec options
    kexec_args_in_config_file = False   # that file is config_file (kdump_config then writes it)
    dump_layout = None      # how a dump is laid out under the dump directory, for people
    copies_without_makedumpfile = False   # without makedumpfile the service copies /proc/vmcore whole
    default_ssh_key = None  # the key the family's ssh uses when the configuration names none (None: ssh's own)
    nfs_dumps_under_path = False   # an nfs target writes under the dump directory inside the export, not at its top
    client_packages = dict(ssh=None, nfs=None)   # what provides ssh and mount.nfs
    capture_unit = None     # the unit the capture kernel boots into on the real root (None: an initramfs does the dump)
    propagate = None        # the family's command that checks or installs the ssh key on the server

    def packages(self, distribution, version):
        """The packages that make kdump work on this release."""
        raise NotImplementedError

    def installed_query(self, packages):
        """The command (argv) that tells which of ``packages`` are installed; ``installed_packages`` reads it."""
        raise NotImplementedError

    def installed_packages(self, packages, output):
        """The ``packages`` that ``installed_query``'s output says are installed."""
        raise NotImplementedError

    def capture_dropin(self):
        """The drop-in of capture_unit that makes the capture boot start the network for an ssh or nfs
        target (the kdump role writes it), or None where the family has no such unit."""
        return "/etc/systemd/system/%s.d/50-crashdump-network.conf" % self.capture_unit if self.capture_unit else None

    def names(self, distribution, version):
        """Packages, service, tool, config files, dump layout and the remote target's needs: ``kdump_info``'s
        ``platform``."""
        return dict(packages=self.packages(distribution, version), service=self.service, tool=self.tool,
                    config_files=list(self.config_files), dump_layout=self.dump_layout,
                    remote_packages=dict(self.client_packages), capture_unit=self.capture_unit,
                    capture_dropin=self.capture_dropin(),
                    propagate=list(self.propagate) if self.propagate else None)

    def render(self, text, opts, compression, rhel_major=None):
        """``text`` of config_file with the validated options applied (``_kdump_config.validate``)."""
        raise NotImplementedError

    def configured_dump_dir(self, text):
        """The dump directory config_file's ``text`` sets, or None when it sets none."""
        raise NotImplementedError

    def dump_dir(self, text):
        """Where the dumps go (a remote URL without its password), the family's default when unset."""
        value = (self.configured_dump_dir(text or "") or "").strip()
        return redact_url(value) if value else DEFAULT_DUMP_DIR

    def read(self, text):
        """The options config_file's ``text`` sets, read as the family's tools read them (``render``
        read back): ``dict(target=dict(type=..., and host/key, export or device/fstype), path=...,
        levels=[...], compression=..., failure_action=...)``; a value the file leaves unset is None
        (``levels`` ``[0]`` where the dump is copied unfiltered). ``target.type`` is ``local`` for a
        directory on this host. Raises ShellVarError where a shell file's value cannot be read."""
        raise NotImplementedError

    def dump_target(self, text, makedumpfile_installed=True):
        """``dict(type=..., levels=[...])``: where config_file's ``text`` sends the dump and the
        makedumpfile dump levels in the order they are tried (``[0]`` when it is copied unfiltered).
        ``type`` is ``local`` for a directory on this host, else the remote kind or the file system."""
        try:
            options = self.read(text or "")
        except ShellVarError:
            options = dict(target=dict(type="local"), levels=None)
        target = options["target"]
        levels = options["levels"] or [DEFAULT_DUMP_LEVEL]
        if not makedumpfile_installed and self.copies_without_makedumpfile:
            levels = [0]
        return dict(type=target.get("fstype") or target["type"], levels=levels)

    def remote_target(self, text):
        """Where config_file's ``text`` sends dumps over the network, as kdump will reach it, or None
        for a target on this host: ``dict(type='ssh', destination, key, path)`` (``path`` on the server)
        or ``dict(type='nfs', export, path)`` (``path`` inside the export), each with the
        ``client_package`` the host needs. Values are as read, not checked (``_remote_target`` does)."""
        try:
            options = self.read(text or "")
        except ShellVarError:
            return None
        target, path = options["target"], options["path"] or DEFAULT_DUMP_DIR
        if target["type"] == "ssh":
            return dict(type="ssh", destination=target["host"], key=target.get("key") or self.default_ssh_key,
                        path=path, client_package=self.client_packages["ssh"])
        if target["type"] == "nfs":
            return dict(type="nfs", export=target["export"], path=path if self.nfs_dumps_under_path else "/",
                        client_package=self.client_packages["nfs"])
        return None

    def initrd_rebuild_needed(self, before, after):
        """Whether the capture initrd must be rebuilt after config_file changed from before to after."""
        raise NotImplementedError

    def rebuild_initrd_argv(self, kernel_release):
        """The command that rebuilds the capture initrd for ``kernel_release``, or None where the
        service's restart rebuilds it itself."""
        raise NotImplementedError

    def capture_kernel(self, kernel_release, arch, config_text, exists):
        """The kernel image the service loads as the capture kernel; ``exists(path)`` checks a path."""
        raise NotImplementedError
