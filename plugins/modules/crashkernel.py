#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: crashkernel
short_description: Set the kernel's crashkernel= reservation on every boot entry
version_added: 0.1.0
description:
  - Computes the C(crashkernel=) boot argument that reserves memory for the kdump capture
    kernel and applies it, exactly once, to every boot entry through the platform's own
    bootloader tool.
  - The value is checked against this host before anything changes - the grammar as the
    kernel reads it, the architecture's rules (offset alignment, which suffixes exist) and
    the host's RAM (more than half of it, main and C(,low) regions together, is refused; a range
    list that reserves nothing on this host's RAM gives a warning).
  - Only the Linux kernels of this system must carry the value. Rescue and recovery entries are
    handled as each tool generates them; memtest86+ entries, entries os-prober added for other installed
    systems, chainloader and firmware-setup entries are never changed. RV(entries) gives each entry's C(kind).
  - B(Debian and Ubuntu) (V(update-grub)) - writes the drop-in
    C(/etc/default/grub.d/zz-crashdump-kdump.cfg), sourced after the package's C(kdump-tools.cfg)
    (a dpkg conffile it never edits) and after C(/etc/default/grub), which removes every other
    C(crashkernel=) and adds the requested one; then runs C(update-grub) and checks that every menu
    entry of C(/boot/grub/grub.cfg) carries it.
  - B(RHEL, CentOS, Alma, Rocky, Oracle Linux 7-10 and Fedora) (V(grubby)) - compares every entry of
    C(grubby --info=ALL) and changes only those that differ (all at once with C(--update-kernel=ALL)
    when all differ, which keeps RHEL 8's C($kernelopts)); makes new kernels inherit the value through
    C(/etc/default/grub) and, where it exists, C(/etc/kernel/cmdline); and, when the value is not the
    distribution's default, sets C(auto_reset_crashkernel no) in C(/etc/kdump.conf), because kdump-utils
    otherwise rewrites any non-default value on its next update or kernel install.
  - B(SUSE) (V(grub2-mkconfig)) - edits C(GRUB_CMDLINE_LINUX_DEFAULT) in C(/etc/default/grub), runs
    C(grub2-mkconfig), and keeps C(KDUMP_CRASHKERNEL) in C(/etc/sysconfig/kdump) equal so that kdump's own
    C(kdump-commandline.service) does not undo it.
  - B(s390x) (V(zipl)) - edits the C(parameters=) of every boot section of C(/etc/zipl.conf) and runs C(zipl).
    On s390x hosts with BLS entries (RHEL 8+, Fedora), V(grubby) is used and C(zipl) runs after it.
  - B(Image-based hosts) (V(rpm-ostree)) - C(rpm-ostree kargs --delete/--append) on the next deployment.
  - If the bootloader tool fails, or the regenerated configuration does not carry the value,
    every file touched is restored byte for byte (symbolic links stay links) and the task fails with the
    tool's output; a file that cannot be restored is named in the message and in C(not_restored).
  - Memory is reserved at boot, so a change takes effect after a reboot; RV(reboot_required) says
    whether one is needed. The module never reboots.
  - Refuses inside a container (RV(container)) - the boot entries and the crash kernel belong to the host.
  - Diffs never show secrets kept in the files it changes (values of variables named like
    C(KDUMP_SMTP_PASSWORD), passwords in URLs such as SUSE's C(KDUMP_SAVEDIR)).
requirements:
  - The platform's own bootloader tool - C(update-grub) (Debian, Ubuntu), C(grubby) (the Red Hat family),
    C(grub2-mkconfig) (SUSE), C(zipl) (s390x) or C(rpm-ostree) (image-based hosts).
author:
  - crashdump.kdump contributors (@crashdump)
extends_documentation_fragment:
  - crashdump.kdump.attributes
  - crashdump.kdump.attributes.host_lock
attributes:
  check_mode:
    support: full
    details: Nothing is written; the result predicts C(changed), RV(entries) and RV(reboot_required) of a real run.
  diff_mode:
    support: full
    details: Shows the drop-in before and after, and the C(crashkernel=) of every boot entry before and after.
  platform:
    support: full
    details: Linux with GRUB (Debian family, Red Hat family, SUSE), zipl (s390x) or rpm-ostree.
options:
  size:
    description:
      - What to reserve, as the text after C(crashkernel=) - a size such as V(256M), a range list
        such as V(512M-2G:64M,2G-:128M) (the first range that holds this host's RAM, rounded up to
        128 MiB, wins), or V(auto).
      - V(auto) asks for the distribution's recommendation for this host - C(crashkernel=auto)
        on RHEL 7 and 8 kernels, the output of C(kdumpctl get-default-crashkernel) where it exists,
        otherwise the kdump packages' own default for this release and architecture
        (for example V(384M-:128M) on Debian 12, V(512M-:192M) on Debian 13).
      - Numbers are read as the kernel reads them - units K, M, G, T, P, E in either case,
        C(0x) hex and leading-zero octal.
      - Required when O(state=present).
    type: str
  offset:
    description:
      - Physical start address of the reservation, such as V(16M) (C(crashkernel=SIZE@OFFSET)).
        Must be aligned as the architecture requires (16 MiB on x86_64, 2 MiB on aarch64).
      - Omit to let the kernel choose, which is what almost every host wants.
    type: str
  high:
    description:
      - Reserve O(size) with C(,high) so that it may sit above 4 GiB (x86_64, aarch64, riscv64,
        loongarch64). The kernel then also reserves a low region; see O(low).
    type: bool
    default: false
  low:
    description:
      - With O(high=true), the size of the region below 4 GiB (C(crashkernel=SIZE,low)); V(0)
        disables it. Omit to let the kernel pick its default (256 MiB on x86_64).
    type: str
  state:
    description:
      - V(present) makes every boot entry carry the requested value.
      - V(absent) removes the value this module manages, so the memory comes back after the next
        boot. The kdump packages' own default (for example Debian's C(kdump-tools.cfg)) stays
        unless O(remove_distro_default=true).
    type: str
    choices: [present, absent]
    default: present
  remove_distro_default:
    description:
      - With O(state=absent), also neutralise the C(crashkernel=) that the kdump packages or
        C(/etc/default/grub) add, without editing the packages' files.
    type: bool
    default: false
  kernels:
    description:
      - Which boot entries to change - V(all), or only the V(default) one (C(grubby --default-kernel)).
      - With V(default), new kernels do not inherit the value.
      - On Debian and Ubuntu every GRUB entry is generated from one configuration, so only V(all) is possible.
    type: str
    choices: [all, default]
    default: all
  bootloader:
    description:
      - How the boot configuration is written. V(auto) detects it - V(rpm-ostree) on image-based hosts,
        V(grubby) where BLS entries exist (RHEL 8+ and Fedora, s390x included), V(zipl) on s390x hosts whose
        entries live in C(/etc/zipl.conf), V(grubby) on the rest of the Red Hat family, V(grub2-mkconfig) on
        SUSE, V(update-grub) on Debian and Ubuntu.
    type: str
    choices: [auto, update-grub, grubby, grub2-mkconfig, zipl, rpm-ostree]
    default: auto
  backup:
    description:
      - Keep a timestamped copy of each configuration file before it is replaced.
    type: bool
    default: false
notes:
  - Run with C(become=true); reading C(/proc/iomem) and writing the boot configuration need root.
  - Debian 12 and 13 are tested in real virtual machines booted through their own GRUB. The Red Hat,
    SUSE, zipl and rpm-ostree paths are tested against recorded real outputs of those systems only,
    because their images cannot be fetched where the collection is tested.
seealso:
  - name: Kernel documentation for crashkernel=
    description: The grammar and the reservation rules the module follows.
    link: https://docs.kernel.org/admin-guide/kdump/kdump.html
"""

EXAMPLES = r"""
- name: Reserve 128 MiB for the capture kernel
  crashdump.kdump.crashkernel:
    size: 128M
  become: true
  register: reservation

- name: Reserve 128 MiB starting at 16 MiB (x86_64 needs 16 MiB alignment)
  crashdump.kdump.crashkernel:
    size: 128M
    offset: 16M
  become: true

- name: 64 MiB on hosts with 512 MiB to 2 GiB of RAM, 128 MiB on larger ones
  crashdump.kdump.crashkernel:
    size: 512M-2G:64M,2G-:128M
  become: true

- name: The distribution's recommendation for this host
  crashdump.kdump.crashkernel:
    size: auto
  become: true

- name: Reserve above 4 GiB with a 72 MiB low region
  crashdump.kdump.crashkernel:
    size: 256M
    high: true
    low: 72M
  become: true

- name: Give the memory back (after the next boot), including the package default
  crashdump.kdump.crashkernel:
    state: absent
    remove_distro_default: true
  become: true

- name: Tell whether a reboot is still needed
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} must reboot to reserve {{ reservation.expected_reserved_bytes }} bytes"
  when: reservation.reboot_required
"""

RETURN = r"""
container:
  description: The container the module ran in (such as V(docker), V(podman), V(lxc)), where it refuses.
  returned: when the module refuses because it runs inside a container
  type: str
  sample: docker
crashkernel:
  description: The C(crashkernel=) value(s) the boot entries carry after this run, space-separated; empty when none.
  returned: always
  type: str
  sample: 512M-2G:64M,2G-:128M
previous:
  description: The C(crashkernel=) value(s) the first normal boot entry carried before this run.
  returned: always
  type: str
  sample: 384M-:128M
running:
  description: The C(crashkernel=) value(s) on the running kernel's command line (C(/proc/cmdline)).
  returned: always
  type: str
  sample: 384M-:128M
reboot_required:
  description:
    - True when the running kernel's C(crashkernel=) differs from what the boot entries now carry,
      or the memory reserved now differs from what will be reserved after a reboot.
  returned: always
  type: bool
  sample: true
reserved_bytes:
  description: Memory reserved for the capture kernel now (C(/sys/kernel/kexec_crash_size)), in bytes.
  returned: always
  type: int
  sample: 134217728
expected_reserved_bytes:
  description: Memory the kernel will reserve after a reboot with the new value on this host's RAM (main plus low region), in bytes.
  returned: always
  type: int
  sample: 268435456
ram_bytes:
  description: System RAM the kernel sizes the reservation by (from C(/proc/iomem)), in bytes.
  returned: always
  type: int
  sample: 1610612736
recommended:
  description: With O(size=auto), the value the distribution recommends and where it came from.
  returned: when O(size=auto)
  type: dict
  sample: {"value": "384M-:128M", "source": "kdump-tools default for debian 12"}
  contains:
    value:
      description: The recommended value, the text after C(crashkernel=).
      type: str
      sample: 384M-:128M
    source:
      description: Where it came from.
      type: str
      sample: kdump-tools default for debian 12
bootloader:
  description: The backend used.
  returned: always
  type: str
  sample: update-grub
entries:
  description:
    - Every boot entry examined, with its C(crashkernel=) tokens before and after, and its C(kind) -
      V(linux) (a kernel of this system; these must carry the value), V(rescue), V(memtest) or V(other-system).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "Debian GNU/Linux", "kernel": "/boot/vmlinuz-6.1.0-28-cloud-amd64", "kind": "linux",
            "before": ["crashkernel=384M-:128M"], "after": ["crashkernel=256M"], "changed": true}]
  contains:
    name:
      description: The entry's title.
      type: str
      sample: Debian GNU/Linux
    kernel:
      description: The kernel image it boots.
      type: str
      sample: /boot/vmlinuz-6.1.0-28-cloud-amd64
    kind:
      description: V(linux), V(rescue), V(memtest) or V(other-system).
      type: str
      sample: linux
    before:
      description: Its C(crashkernel=) tokens before this run.
      type: list
      elements: str
      sample: ["crashkernel=384M-:128M"]
    after:
      description: Its C(crashkernel=) tokens after this run (or a real run, in check mode).
      type: list
      elements: str
      sample: ["crashkernel=256M"]
    changed:
      description: Whether its tokens change.
      type: bool
      sample: true
files:
  description: Configuration files written (or removed) by this run, or that a real run would write in check mode.
  returned: always
  type: list
  elements: str
  sample: ["/etc/default/grub.d/zz-crashdump-kdump.cfg"]
commands:
  description: The commands run (or that a real run would run in check mode), as argument lists.
  returned: always
  type: list
  elements: list
  sample: [["/usr/sbin/update-grub"]]
not_restored:
  description: On failure, the files the rollback could not put back (the message says why); restore them by hand.
  returned: when the rollback of a failed run could not restore every file
  type: list
  elements: str
  sample: ["/etc/default/grub.d/zz-crashdump-kdump.cfg"]
backup_files:
  description: Backup copies made with O(backup=true).
  returned: when O(backup=true) and a file was replaced
  type: list
  elements: str
  sample: ["/etc/default/grub.12345.2026-12-07@10:15:02~"]
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BootloaderError,
    Request,
    crashkernel_tokens,
    desired_tokens,
    token_values,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._bootloaders import NAMES, select
from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import (
    CrashkernelError,
    check_platform,
    check_reservation,
    format_size,
    human_size,
    parse,
    reserved_after_boot,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._distro_defaults import recommended_crashkernel
from ansible_collections.crashdump.kdump.plugins.module_utils._io import (
    LOCK_ARGUMENT_SPEC,
    FileTransaction,
    Host,
    backup_copy,
    lock_host,
    read_text,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._container import detect_container
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import HostFacts
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import CommandError, Runner
from ansible_collections.crashdump.kdump.plugins.module_utils._secrets import redact
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import ShellVarError


# crashkernel=SIZE,low is placed below 4 GiB (Documentation/admin-guide/kernel-parameters.txt).
LOW_REGION_END = 4 << 30


def resolve_value(params, host, facts):
    """The value to set (text after crashkernel=) and, for size=auto, where it came from."""
    size = params["size"]
    recommended = None
    if size == "auto":
        value, source = recommended_crashkernel(host, facts)
        recommended = dict(value=value, source=source)
        size = value
    spec = parse(size)
    if params["offset"] is not None:
        if spec.kind not in ("size", "ranges") or spec.offset:
            raise CrashkernelError("offset %r needs a plain size or range list without '@', not %r"
                                   % (params["offset"], size))
        spec = parse("%s@%s" % (spec.format(), params["offset"]))
    low = None
    if params["high"]:
        if spec.kind != "size" or spec.offset:
            raise CrashkernelError("high=true needs a plain size without offset, not %r" % size)
        spec = parse(format_size(spec.size) + ",high")
        if params["low"] is not None:
            low_size = parse(params["low"] + ",low").size
            if low_size >= LOW_REGION_END:
                raise CrashkernelError("low=%s: the ,low region lies below 4G, so it must be smaller than 4G"
                                       % params["low"])
            low = format_size(low_size)
    elif params["low"] is not None:
        raise CrashkernelError("low=%s is only meaningful with high=true" % params["low"])
    check_platform(spec, facts.arch, facts.kernel_release)
    return spec, low, recommended


def check_offset_in_ram(spec, facts):
    """Raise CrashkernelError when SIZE@OFFSET does not lie inside one System RAM region of this host:
    the kernel reserves exactly there or nothing ("crashkernel reservation failed")."""
    regions = getattr(facts, "ram_regions", None)
    if not spec.offset or not regions:
        return
    size = spec.size_for(facts.ram_bytes, facts.arch)
    if not size:
        return
    start, end = spec.offset, spec.offset + size - 1
    if any(low <= start and end <= high for low, high in regions):
        return
    raise CrashkernelError(
        "crashkernel=%s would place %s at %s, ending at %#x, which is not inside one System RAM region of this "
        "host (its RAM ends at %#x); the kernel would reserve nothing there. Pick an offset inside RAM, or none"
        % (spec.format(), format_size(size), format_size(spec.offset), end, max(high for _low, high in regions)))


def build_diff(plan, before_files):
    diffs = []
    for path in sorted(plan.files):
        # /etc/sysconfig/kdump (SUSE) may hold KDUMP_SMTP_PASSWORD and passwords in KDUMP_SAVEDIR URLs.
        diffs.append(dict(before_header=path, after_header=path,
                          before=redact(before_files.get(path) or ""), after=redact(plan.files[path] or "")))
    diffs.append(dict(
        before_header="boot entries (crashkernel=)", after_header="boot entries (crashkernel=)",
        before="".join("%s: %s\n" % (e.name, " ".join(e.before)) for e in plan.entries),
        after="".join("%s: %s\n" % (e.name, " ".join(e.after)) for e in plan.entries)))
    return diffs


def apply_plan(module, runner, plan, verify):
    """Back up, write the files, run the commands, verify; restore everything on any failure.

    Backups are made before anything is written, so a failing backup changes nothing.
    The restore never raises: the failure message names what it put back and what it could not.
    """
    backups = []
    if module.params["backup"]:
        try:
            for path in sorted(plan.files):
                if os.path.exists(path):
                    backups.append(backup_copy(path))
        except (IOError, OSError) as exc:
            for copy in backups:
                try:
                    os.unlink(copy)
                except OSError:
                    pass
            module.fail_json(msg="crashkernel: cannot back up %s: %s. Nothing was changed." % (
                getattr(exc, "filename", None) or "a configuration file", exc))
    transaction = FileTransaction(module)
    try:
        for path in plan.regenerated:
            transaction.save(path)
        for path, text in sorted(plan.files.items()):
            if text is None:
                transaction.remove(path)
            else:
                transaction.write(path, text.encode("utf-8"))
        for argv in plan.commands:
            runner.run(argv)
        problems = verify()
        if problems:
            raise BootloaderError("the regenerated boot configuration is not as planned: " + "; ".join(problems))
    except (CommandError, BootloaderError, ShellVarError, IOError, OSError) as exc:
        restored, failed = transaction.rollback()
        msg = "crashkernel: %s. Restored as they were: %s." % (exc, ", ".join(restored) or "nothing")
        if failed:
            msg += " COULD NOT RESTORE: %s - put them back by hand (backups: %s) before the next reboot." % (
                "; ".join("%s (%s)" % pair for pair in failed), ", ".join(backups) or "none")
        module.fail_json(msg=msg, stderr=getattr(exc, "stderr", None), restored=restored,
                         not_restored=[path for path, _reason in failed])
    return backups


def values(tokens):
    """'crashkernel=256M,high crashkernel=72M,low' -> '256M,high 72M,low'."""
    return " ".join(token_values(tokens))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            size=dict(type="str"),
            offset=dict(type="str"),
            high=dict(type="bool", default=False),
            low=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            remove_distro_default=dict(type="bool", default=False),
            kernels=dict(type="str", default="all", choices=["all", "default"]),
            bootloader=dict(type="str", default="auto", choices=["auto"] + list(NAMES)),
            backup=dict(type="bool", default=False),
            **LOCK_ARGUMENT_SPEC
        ),
        required_if=[("state", "present", ["size"])],
        mutually_exclusive=[("offset", "high")],
        supports_check_mode=True,
    )
    params = module.params
    runner = Runner(module)
    host = Host(runner)
    facts = HostFacts(read_text, platform.machine(), platform.release())
    result = dict(changed=False, ram_bytes=facts.ram_bytes, reserved_bytes=facts.reserved_bytes,
                  running=values(crashkernel_tokens(facts.cmdline)))
    container = detect_container(read_text, os.path.exists, runner)
    if container:
        # As kdump_info says it: otherwise the first error would be "no supported bootloader tool found".
        module.fail_json(msg="crashkernel: refusing to run inside a container (%s): the boot entries and the "
                             "crash kernel belong to the host. Run this against the host itself. Nothing was "
                             "changed." % container, container=container, **result)

    spec = low = None
    tokens = []
    try:
        if params["state"] == "present":
            spec, low, recommended = resolve_value(params, host, facts)
            if recommended:
                result["recommended"] = recommended
            tokens = desired_tokens(spec.format(), low)
            if spec.kind != "auto":
                # Raises where the kernel would reject the value for this RAM, or it would starve the host.
                spec.size_for(facts.ram_bytes, facts.arch)
                check_offset_in_ram(spec, facts)
                check_reservation(" ".join(tokens), reserved_after_boot(" ".join(tokens), facts.ram_bytes, facts.arch,
                                                                        facts.kernel_release), facts.ram_bytes)
        elif params["size"] or params["offset"] or params["high"] or params["low"]:
            module.fail_json(msg="crashkernel: size, offset, high and low go with state=present only")
    except CrashkernelError as exc:
        module.fail_json(msg="crashkernel: %s. Nothing was changed." % exc)

    # Read, plan and write under the host lock: a plan made from files another run is changing
    # would undo that run's work (and its rollback could undo ours).
    lock_host(module, "crashkernel", params["lock_timeout"])
    try:
        backend = select(host, facts, params["bootloader"])
        request = Request(tokens, state=params["state"], kernels=params["kernels"],
                          remove_distro_default=params["remove_distro_default"])
        inputs = backend.read(request)
        plan = backend.plan(inputs, request)
        expected = plan.reserved_after_reboot(facts)
    except (CommandError, BootloaderError, ShellVarError, CrashkernelError) as exc:
        module.fail_json(msg="crashkernel: cannot plan the change: %s. Nothing was changed." % exc,
                         bootloader=params["bootloader"])

    after_tokens = plan.tokens_after
    if spec is not None and spec.kind == "ranges" and after_tokens == tokens and expected == 0:
        module.warn("crashkernel=%s reserves nothing on this host: no range holds its %s of System RAM "
                    "(rounded up to 128M); kdump will not work here after the reboot"
                    % (spec.format(), human_size(facts.ram_bytes)))
    result.update(
        bootloader=backend.name,
        crashkernel=values(after_tokens),
        previous=values(plan.tokens_before),
        entries=[e.as_dict() for e in plan.entries],
        files=sorted(plan.files),
        commands=plan.commands,
        changed=plan.changed,
        expected_reserved_bytes=expected,
        reboot_required=plan.reboot_required(facts),
    )
    if module._diff:
        result["diff"] = build_diff(plan, dict((path, read_text(path)) for path in plan.files))

    if plan.changed and not module.check_mode:
        backups = apply_plan(module, runner, plan, lambda: backend.verify(inputs, request))
        if backups:
            result["backup_files"] = backups
    module.exit_json(**result)


if __name__ == "__main__":
    main()
