#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: kdump_config
short_description: Write kdump's own configuration the same way on every family
version_added: 0.1.0
description:
  - Maps structured options onto the family's configuration file - C(/etc/kdump.conf) on the Red Hat
    family, C(/etc/default/kdump-tools) on Debian and Ubuntu, C(/etc/sysconfig/kdump) on SUSE.
  - Lines it does not manage are kept as they are. Shell-sourced files get quoted values and are checked
    with C(sh -n) before they are written. Writes are atomic.
  - Only the target asked for stays set - switching from V(ssh) to V(local) removes C(SSH=) (Debian) or the
    C(ssh) directive (Red Hat), since kdump's tools would otherwise still use the old target.
  - Values that kdump's scripts pass to C(ssh) or C(mount) are checked against those tools' grammar (host
    names, user names, absolute paths, C(server:/path)); a value such as V(-oProxyCommand=...) is refused,
    naming the option, and nothing is written.
  - Creates a missing local dump directory with mode C(0700), owned by root.
  - On Debian and Ubuntu C(/etc/default/kdump-tools) is managed by ucf. A later upgrade or reinstall of
    kdump-tools keeps the edited file (without asking, when noninteractive) and leaves the package's new
    defaults in C(/etc/default/kdump-tools.ucf-dist), which RV(package_defaults_pending) reports. Running the
    module again after any upgrade restores what it manages.
  - On a host that is locked down or boots with Secure Boot, a setting that would make the kdump service load the
    capture kernel with C(kexec_load), which the kernel refuses there - such as C(KDUMP_KEXEC_ARGS=-c) on Debian - is
    refused, naming the setting, and nothing is written. Debian's C(kdump-config) and the Red Hat family's
    C(kdumpctl) add C(kexec -s) themselves under Secure Boot and SUSE's kdump always uses C(kexec -a), so the
    module never writes C(-s) for them.
  - Reports whether the capture initrd must be rebuilt and the service restarted for the change to
    take effect; it restarts nothing itself.
  - The file must exist - install the distribution's kdump package first.
requirements:
  - The family's kdump package on the host (C(kdump-tools), C(kexec-tools) or C(kdump-utils), C(kdump)) for
    the written configuration to be used; C(makedumpfile) to choose the compression (without it, V(zlib)).
author:
  - crashdump.kdump contributors (@crashdump)
extends_documentation_fragment:
  - crashdump.kdump.attributes
  - crashdump.kdump.attributes.host_lock
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Values of variables whose names say they are secrets (C(KDUMP_SMTP_PASSWORD), ...) are replaced by V(********).
  platform:
    support: full
    details: Debian and Ubuntu, the Red Hat family, SUSE.
options:
  path:
    description: Directory the dumps are written to (on the target), such as V(/var/crash).
    type: path
  target:
    description: Where the dump goes. Omit for the local disk.
    type: dict
    suboptions:
      type:
        description:
          - V(local) disk, V(ssh) to another host, V(nfs) export, V(raw) device, or a V(fs) filesystem
            given by device. V(raw) and V(fs) exist on the Red Hat family only.
        type: str
        choices: [local, ssh, nfs, raw, fs]
        default: local
      host:
        description:
          - With V(ssh), V(user@host) or a host - a DNS name, an IPv4 address or an IPv6 address in brackets
            (with O(target.user)).
        type: str
      user:
        description: With V(ssh), the remote user when O(target.host) has none.
        type: str
      key:
        description: With V(ssh), the private key the capture kernel uses.
        type: path
      export:
        description: With V(nfs), V(server:/path) - the server a host name or address, the path absolute.
        type: str
      device:
        description: With V(raw) or V(fs), the device - V(/dev/sdb1), V(UUID=...) or V(LABEL=...).
        type: str
      fstype:
        description: With V(fs), the filesystem type.
        type: str
        choices: [ext2, ext3, ext4, xfs, btrfs, minix, virtiofs]
  core_collector:
    description: How makedumpfile filters and compresses the dump.
    type: dict
    suboptions:
      dump_level:
        description: makedumpfile's C(-d) bit mask of pages to leave out (V(31) leaves out all but kernel pages).
        type: int
        default: 31
      compression:
        description:
          - V(auto) picks, of those the installed makedumpfile has, the fastest whose dumps were at most 1.25
            times as large as zlib's in the collection's measurements, else V(zlib) - V(zlib) on Debian 12
            (lzo's dumps were 1.30 times zlib's), V(zstd) on Debian 13; the table is in the collection's
            dump targets guide.
            V(none) writes an uncompressed dump.
        type: str
        choices: [auto, zlib, lzo, snappy, zstd, none]
        default: auto
      message_level:
        description: makedumpfile's C(--message-level).
        type: int
  failure_action:
    description:
      - What the capture kernel does when the dump fails. V(shell) and V(dump_to_rootfs) exist on the
        Red Hat family only; SUSE knows V(reboot) and V(shell) only (C(KDUMP_CONTINUE_ON_ERROR)).
    type: str
    choices: [reboot, halt, poweroff, shell, dump_to_rootfs]
  auto_reset_crashkernel:
    description:
      - Red Hat family (RHEL 9+, Fedora) - whether kdump-utils may rewrite C(crashkernel=) to its default on
        its next update or kernel install. Set V(false) to keep a value of your own.
    type: bool
  extra:
    description:
      - Other settings as key/value pairs - shell variables on Debian and SUSE, C(kdump.conf) directives on the
        Red Hat family.
      - On the Red Hat family only these directives, each checked against its C(kdump.conf(5)) grammar -
        V(kdump_pre), V(kdump_post), V(extra_bins), V(extra_modules), V(final_action), V(force_rebuild),
        V(force_no_rebuild) (a boolean becomes V(1)/V(0)), V(dracut_args), V(fence_kdump_args), V(fence_kdump_nodes).
      - What the other options manage (targets, C(path), C(core_collector), C(SSH), C(KDUMP_SAVEDIR), ...) cannot be
        set here. Values must be one line of printable text; booleans are refused for shell variables (write the
        text the file wants, quoted).
      - Values of keys whose names say they are secrets (V(KDUMP_SMTP_PASSWORD), ...) are kept out of results
        and diffs; give such settings in O(extra_secrets) instead, which also keeps them out of the target's
        system log.
    type: dict
  extra_secrets:
    description:
      - Like O(extra), for settings whose values are secrets, such as SUSE's V(KDUMP_SMTP_PASSWORD). Never logged,
        returned or shown in a diff. A key may be in O(extra) or here, not both.
      - Values are written only if they need no shell quoting - letters, digits and the characters C(_.,:@=+/%-).
    type: dict
  backup:
    description: Keep a timestamped copy of the file before it is replaced.
    type: bool
    default: false
notes:
  - Run with C(become=true).
seealso:
  - module: crashdump.kdump.crashkernel
"""

EXAMPLES = r"""
- name: Dumps to /var/crash, the fastest compression this host has
  crashdump.kdump.kdump_config:
    path: /var/crash
  become: true
  register: kdump_conf

- name: Dumps over ssh, zstd, keep only kernel pages
  crashdump.kdump.kdump_config:
    target:
      type: ssh
      host: kdump@dumps.example.com
      key: /root/.ssh/kdump_id_ed25519
    core_collector:
      dump_level: 31
      compression: zstd
  become: true

- name: Keep my crashkernel= across kdump-utils updates (RHEL 9+)
  crashdump.kdump.kdump_config:
    auto_reset_crashkernel: false
  become: true
"""

RETURN = r"""
file:
  description: The configuration file managed.
  returned: always
  type: str
  sample: /etc/default/kdump-tools
compression:
  description: The compression chosen.
  returned: when the options are valid
  type: str
  sample: lzo
compressions_available:
  description: The compressions the installed makedumpfile supports (C(makedumpfile -v)).
  returned: when the options are valid
  type: list
  elements: str
  sample: [lzo, none, zlib]
rebuild_initrd:
  description: Whether the capture initrd must be rebuilt for the change to take effect.
  returned: always
  type: bool
  sample: false
rebuild_initrd_argv:
  description:
    - The command that rebuilds the capture initrd for the running kernel, when RV(rebuild_initrd) is true and
      restarting the service does not rebuild it itself - SUSE's C(mkdumprd -f). V(null) otherwise (the Red Hat
      family's C(kdumpctl restart) rebuilds when C(/etc/kdump.conf) is newer than the initrd). The role's handler
      runs it.
    - On Debian and Ubuntu RV(rebuild_initrd) is always false - kdump-tools' capture initrd holds nothing of
      C(/etc/default/kdump-tools), and C(kdump-config load) rebuilds the initrd itself when it must.
  returned: always
  type: list
  elements: str
  sample: [mkdumprd, -f]
restart_service:
  description: Whether the kdump service must be restarted (reloaded) for the change to take effect.
  returned: always
  type: bool
  sample: true
package_defaults_pending:
  description:
    - New default files a package upgrade left beside the managed file because that file carries local
      settings - C(.ucf-dist) (Debian's C(/etc/default/kdump-tools) is managed by ucf, which keeps the local file
      on a noninteractive upgrade), C(.dpkg-dist), C(.dpkg-new), C(.rpmnew). The module keeps managing the live file;
      a warning says to merge and delete them.
  returned: when the options are valid
  type: list
  elements: str
  sample: [/etc/default/kdump-tools.ucf-dist]
dump_dir_created:
  description: Whether the local dump directory O(path) was missing and created (mode C(0700), owner root).
  returned: with a local target and O(path)
  type: bool
  sample: false
backup_file:
  description: The backup copy, with O(backup=true).
  returned: when a backup was made
  type: str
  sample: /etc/default/kdump-tools.12345.2026-12-07@10:15:02~
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.crashdump.kdump.plugins.module_utils._io import LOCK_ARGUMENT_SPEC, lock_host, read_text, write_atomic
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    OPTIONS_SPEC,
    ConfigError,
    available_compressions,
    built_in_compressions,
    checked_options,
    dump_dir_missing,
    pending_package_defaults,
    plan_config,
    secret_values,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import family_for
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import HostFacts, is_number
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import SYSTEM_DIRS, Runner
from ansible_collections.crashdump.kdump.plugins.module_utils._secrets import redact
from ansible_collections.crashdump.kdump.plugins.module_utils._security import (
    host_lockdown,
    host_secure_boot,
    kexec_load_refusal,
)


class NotWritten(ConfigError):
    """A failure after the checks, before the configuration was written (the dump directory may exist)."""


def create_dump_dir(path):
    """Dumps hold all of kernel memory: the directory is 0700 root:root."""
    try:
        os.makedirs(path, 0o700)
        os.chmod(path, 0o700)
        os.chown(path, 0, 0)
    except OSError as exc:
        raise NotWritten("cannot create the dump directory %s: %s" % (path, exc.strerror or exc))


def makedumpfile_compressions(module, runner):
    """The compressions this host's makedumpfile has (``makedumpfile -v``); warns when it is missing."""
    makedumpfile = runner.which("makedumpfile", extra_paths=SYSTEM_DIRS)
    if not makedumpfile:
        # Debian's kdump-tools only recommends it; without it the dump is a plain, unfiltered copy.
        module.warn("makedumpfile is not installed: dumps will be uncompressed, unfiltered copies of "
                    "/proc/vmcore; install makedumpfile")
        return available_compressions("")
    return built_in_compressions(runner, makedumpfile)


def configure(module, result):
    """Check, plan and write; fills ``result`` as it goes. Refusals raise ConfigError before any write."""
    params = module.params
    facts = HostFacts(read_text, platform.machine())
    family = family_for(facts.family)
    if family is None:
        raise ConfigError("no kdump configuration is known for %s %s; supported: Debian, Ubuntu, the Red Hat "
                          "family, SUSE" % (facts.distribution, facts.version))
    path = result["file"] = family.config_file
    major = facts.version.partition(".")[0]
    rhel_major = int(major) if is_number(major) else None
    opts = checked_options(params, family, rhel_major)

    # Read, render and write under the host lock: another run's write in between would be lost.
    lock_host(module, "kdump_config", params["lock_timeout"], **result)
    before = read_text(path)
    if before is None:
        raise ConfigError("%s does not exist: install the kdump package first (the crashdump.kdump.kdump role "
                          "does)" % path)
    runner = Runner(module)
    available = makedumpfile_compressions(module, runner)
    result["compressions_available"] = sorted(available)
    plan = plan_config(family, before, opts, available, facts.kernel_release, rhel_major)
    after = plan.after
    result["compression"] = plan.compression
    if plan.changed and family.shell_syntax:
        rc, _out, err = runner.run(["/bin/sh", "-n"], check=False, data=after.encode("utf-8"))
        if rc != 0:
            raise ConfigError("the new %s would not be valid shell (%s)" % (path, err.strip()))
    refusal = kexec_load_refusal(family, after, path, host_lockdown(), host_secure_boot())
    if refusal:
        raise ConfigError(refusal)
    make_dump_dir = dump_dir_missing(opts, os.path.isdir, os.path.lexists)

    changed = plan.changed
    result.update(changed=changed, restart_service=plan.restart_service, rebuild_initrd=plan.rebuild_initrd,
                  rebuild_initrd_argv=plan.rebuild_initrd_argv)
    if module._diff:
        result["diff"] = dict(before_header=path, after_header=path, before=redact(before), after=redact(after))
    local_dir = opts["target"]["type"] == "local" and opts.get("path")
    if local_dir and make_dump_dir and not module.check_mode:
        # Before the config names it, so that a directory that cannot be made changes nothing.
        create_dump_dir(opts["path"])
    if changed and not module.check_mode:
        if params["backup"]:
            result["backup_file"] = module.backup_local(path)
        write_atomic(module, path, after.encode("utf-8"))
    pending = result["package_defaults_pending"] = pending_package_defaults(path, os.path.exists)
    if pending:
        module.warn("kdump_config: a package upgrade left new defaults in %s and kept %s with its local settings "
                    "(this module's among them); review and merge them, then delete %s"
                    % (", ".join(pending), path, "it" if len(pending) == 1 else "them"))
    if local_dir:
        result["dump_dir_created"] = make_dump_dir
        result["changed"] = result["changed"] or make_dump_dir


def main():
    module = AnsibleModule(
        argument_spec=dict(
            backup=dict(type="bool", default=False),
            **dict(OPTIONS_SPEC, **LOCK_ARGUMENT_SPEC)
        ),
        supports_check_mode=True,
    )
    # Secret-named values given in extra are masked from here on, failures included.
    module.no_log_values.update(secret_values(dict(extra=module.params["extra"] or {})))
    result = dict(changed=False, file=None, rebuild_initrd=False, rebuild_initrd_argv=None, restart_service=False)
    try:
        configure(module, result)
    except NotWritten as exc:
        module.fail_json(msg="kdump_config: %s. The configuration was not changed." % exc, **result)
    except ConfigError as exc:
        module.fail_json(msg="kdump_config: %s. Nothing was changed." % exc, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
