#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: kdump_info
short_description: Report whether this host would write a crash dump today, and why not
version_added: 0.1.0
description:
  - Reads everything kdump depends on and gives a verdict, RV(ready), with machine-readable
    RV(reasons) - what the platform calls its packages, service and files, the memory reserved now
    and after the next boot, the C(crashkernel=) on the running kernel and in the boot entries, whether
    the capture kernel is loaded, the service state, Xen PV guests (where kdump cannot work), Secure
    Boot and kernel lockdown, the recommended reservation, and the dumps already on disk.
  - Read-only; never reports a change. Works on hosts with nothing kdump-related installed, so it
    suits an ad-hoc survey of a fleet - C(ansible all -b -m crashdump.kdump.kdump_info).
author:
  - crashdump.kdump contributors (@crashdump)
attributes:
  check_mode:
    description: Can run in check mode and return the same facts.
    support: full
  diff_mode:
    description: Returns no diff; nothing changes.
    support: none
  platform:
    description: Target OS families the module can act on.
    support: full
    platforms: posix
    details: Linux - Debian and Ubuntu, the Red Hat family, SUSE.
options:
  min_reserved:
    description:
      - The smallest reservation you accept, such as V(192M). Less is reported as
        V(reservation_too_small).
      - By default the distribution's own recommendation for this host's RAM is the floor, because a
        capture kernel with less memory panics while unpacking its initramfs and the host hangs without a dump.
    type: str
notes:
  - Run with C(become=true); without root C(/proc/iomem) hides the reserved regions.
seealso:
  - module: crashdump.kdump.crashkernel
"""

EXAMPLES = r"""
- name: Which hosts would write a dump today?
  crashdump.kdump.kdump_info:
  become: true
  register: kdump

- name: Say why not
  ansible.builtin.debug:
    msg: "{{ kdump.reasons | map(attribute='message') | list }}"
  when: not kdump.ready

- name: Require at least 256 MiB
  crashdump.kdump.kdump_info:
    min_reserved: 256M
  become: true
"""

RETURN = r"""
ready:
  description: True when a crash now would boot the capture kernel and write a dump.
  returned: always
  type: bool
reasons:
  description:
    - Why the host is not ready, each with a stable C(code) and a human C(message). Codes are
      V(unsupported_platform), V(unsupported_xen_pv_domu), V(not_installed), V(not_reserved),
      V(needs_reboot), V(reservation_too_small), V(service_not_enabled), V(service_not_loaded).
  returned: always
  type: list
  elements: dict
  sample: [{"code": "not_installed", "message": "kdump-tools is not installed"}]
platform:
  description: The host and what its kdump packaging calls things.
  returned: always
  type: dict
  sample: {"family": "debian", "distribution": "debian", "version": "12", "arch": "x86_64",
           "kernel": "6.1.0-28-cloud-amd64", "packages": ["kdump-tools", "kexec-tools", "makedumpfile"],
           "service": "kdump-tools", "tool": "kdump-config", "config_files": ["/etc/default/kdump-tools"],
           "dump_dir": "/var/crash", "dump_layout": "<coredir>/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM> and dmesg.<YYYYMMDDHHMM>"}
installed:
  description: Whether the family's kdump tool is present.
  returned: always
  type: bool
ram_bytes:
  description: System RAM as the kernel sizes the reservation by, in bytes.
  returned: always
  type: int
crashkernel:
  description:
    - C(running) - the C(crashkernel=) values on C(/proc/cmdline); C(effective) - the entry of each class
      the kernel uses; C(configured) - the values of the first normal boot entry (what the next boot gets);
      C(bootloader) - the backend that reads the boot entries (as the crashkernel module names it, null when
      none is found); C(entries) - every boot entry with its C(name), C(kernel), C(kind) and C(values).
    - C(kind) is V(linux) for a kernel of this system (the only entries that must carry C(crashkernel=)),
      V(rescue) for rescue and recovery entries, V(memtest) for memtest86+, V(other-system) for entries
      os-prober added for another installed system.
  returned: always
  type: dict
  sample: {"running": "384M-:128M", "effective": {"plain": "384M-:128M", "high": null, "low": null, "cma": null}, "configured": "384M-:128M",
           "bootloader": "update-grub",
           "entries": [{"name": "Debian GNU/Linux", "kernel": "/boot/vmlinuz-6.1.0-28-cloud-amd64",
                        "kind": "linux", "values": "384M-:128M"},
                       {"name": "Memory test (memtest86+x64.bin)", "kernel": "/boot/memtest86+x64.bin",
                        "kind": "memtest", "values": ""}]}
reserved:
  description:
    - C(bytes) reserved now (C(/sys/kernel/kexec_crash_size) or C(/sys/kernel/kexec/crash_size)),
      C(regions) the "Crash kernel" ranges of C(/proc/iomem), C(expected_bytes) what the next boot
      reserves with the configured value, C(recommended) the distribution's value and
      C(recommended_bytes) its size for this RAM.
  returned: always
  type: dict
kexec_crash_loaded:
  description: Whether a capture kernel is loaded (C(/sys/kernel/kexec_crash_loaded)).
  returned: always
  type: bool
service:
  description: The kdump service's C(name), C(enabled) and C(active) state.
  returned: always
  type: dict
virtualization:
  description: C(xen_pv_domu) - a Xen paravirtualised guest, where kdump is not supported.
  returned: always
  type: dict
security:
  description:
    - C(secure_boot) (true, false or null when unknown) and C(lockdown) (the kernel's lockdown mode).
      With either, kexec must use C(kexec_file_load) with a signed kernel.
  returned: always
  type: dict
dumps:
  description:
    - Dump files already on disk, oldest first, with C(path), C(dir), C(size), C(mtime) (epoch seconds),
      C(complete) (false for a C(*-incomplete) file), C(format) from the file's magic number
      (V(elf), V(kdump-compressed), V(makedumpfile-flattened), or null when it is none of them) and
      C(dmesg), the kernel log saved beside it (null when there is none).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/var/crash/202611280246/dump.202611280246", "dir": "/var/crash/202611280246",
            "size": 46725725, "mtime": 1795833990, "complete": true, "format": "makedumpfile-flattened",
            "dmesg": "/var/crash/202611280246/dmesg.202611280246"}]
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BootloaderError,
    crashkernel_tokens,
    must_carry_crashkernel,
    token_values as values,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._bootloaders import select
from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import (
    CrashkernelError,
    auto_rhel_major,
    auto_size,
    effective_settings,
    evaluate_cmdline,
    format_size,
    parse,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._io import Host, read_bytes, read_text
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import (
    DUMP_HEADER_BYTES,
    HostFacts,
    dump_dir,
    dump_format,
    is_dmesg_file,
    is_dump_file,
    platform_names,
    recommended_crashkernel,
    xen_pv_domu,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import CommandError, Runner


def boot_entries(host, facts):
    """(bootloader name, [EntryChange]) of the boot entries, read-only; (None, []) when unknown."""
    try:
        backend = select(host, facts)
        return backend.name, backend.entries()
    except (BootloaderError, CommandError):
        return None, []


def service_state(runner, name):
    systemctl = runner.which("systemctl")
    if not systemctl:
        return dict(name=name, enabled=None, active=None)
    enabled = runner.run([systemctl, "is-enabled", name + ".service"], check=False)[1].strip()
    active = runner.run([systemctl, "is-active", name + ".service"], check=False)[1].strip()
    return dict(name=name, enabled=enabled in ("enabled", "enabled-runtime", "static", "alias"),
                active=active == "active", enabled_state=enabled or "not-found", active_state=active or "unknown")


def secure_boot():
    """True/False from the SecureBoot EFI variable, None when not an EFI boot or unknown."""
    if not os.path.isdir("/sys/firmware/efi"):
        return False
    directory = "/sys/firmware/efi/efivars"
    try:
        names = [n for n in os.listdir(directory) if n.startswith("SecureBoot-")]
        with open(os.path.join(directory, names[0]), "rb") as handle:
            data = handle.read()
        return bytearray(data)[-1] == 1
    except (OSError, IOError, IndexError):
        return None


def lockdown():
    text = read_text("/sys/kernel/security/lockdown")
    if not text:
        return None
    for word in text.split():
        if word.startswith("["):
            return word.strip("[]")
    return None


def list_dumps(directory):
    found = []
    if not os.path.isdir(directory):
        return found
    for sub in sorted(os.listdir(directory)):
        path = os.path.join(directory, sub)
        if not os.path.isdir(path):
            continue
        names = sorted(os.listdir(path))
        dmesg = [os.path.join(path, name) for name in names if is_dmesg_file(name)]
        for name in names:
            if is_dump_file(name):
                file_path = os.path.join(path, name)
                stat = os.stat(file_path)
                found.append(dict(path=file_path, dir=path, size=stat.st_size, mtime=int(stat.st_mtime),
                                  complete="incomplete" not in name, format=dump_format(read_bytes(file_path, DUMP_HEADER_BYTES) or b""),
                                  dmesg=dmesg[0] if dmesg else None))
    return sorted(found, key=lambda dump: dump["mtime"])


def recommended_value(host, facts):
    try:
        return recommended_crashkernel(host, facts)[0]
    except CrashkernelError:
        return None


def size_on(value, facts):
    if not value:
        return None
    try:
        if value == "auto":
            return auto_size(facts.ram_bytes, facts.arch, auto_rhel_major(facts.kernel_release))
        return parse(value).size_for(facts.ram_bytes, facts.arch)
    except CrashkernelError:
        return 0


def main():
    module = AnsibleModule(argument_spec=dict(min_reserved=dict(type="str")), supports_check_mode=True)
    runner = Runner(module)
    host = Host(runner)
    facts = HostFacts(read_text, platform.machine(), platform.release())
    names = platform_names(facts.family, facts.distribution, facts.version) or {}
    reasons = []

    def reason(code, message):
        reasons.append(dict(code=code, message=message))

    directory = dump_dir(facts.family, read_text((names.get("config_files") or [""])[0]))
    platform_info = dict(family=facts.family, distribution=facts.distribution, version=facts.version,
                         arch=facts.arch, kernel=platform.release(), dump_dir=directory, **names)
    if not names:
        reason("unsupported_platform", "%s %s is not a platform this collection knows (Debian, Ubuntu, "
               "the Red Hat family, SUSE)" % (facts.distribution or "this OS", facts.version))

    xen = xen_pv_domu(read_text("/sys/hypervisor/type"), read_text("/sys/hypervisor/guest_type"),
                      read_text("/proc/xen/capabilities"), read_text("/sys/hypervisor/properties/features"))
    if xen:
        reason("unsupported_xen_pv_domu", "this is a Xen PV guest (domU): kdump cannot work here; "
               "use the hypervisor's dump tools (xl dump-core)")

    installed = bool(names) and runner.which(names["tool"]) is not None
    if names and not installed:
        reason("not_installed", "%s is not installed" % names["packages"][0])

    running = crashkernel_tokens(facts.cmdline)
    bootloader, entries = boot_entries(host, facts)
    normal = [entry for entry in entries if must_carry_crashkernel(entry.kind)]
    configured = normal[0].before if normal else running
    expected = evaluate_cmdline(" ".join(configured), facts.ram_bytes, facts.arch).total if configured else 0
    recommended = recommended_value(host, facts)
    floor_text = module.params["min_reserved"]
    try:
        floor = parse(floor_text).size if floor_text else size_on(recommended, facts)
    except CrashkernelError as exc:
        module.fail_json(msg="kdump_info: min_reserved: %s" % exc)

    if facts.reserved_bytes == 0:
        if configured and configured != running:
            reason("needs_reboot", "the boot entries carry crashkernel=%s but the running kernel was booted "
                   "without it: reboot to reserve the memory" % " ".join(values(configured)))
        else:
            reason("not_reserved", "no memory is reserved for the capture kernel (no crashkernel= in effect)")
    elif configured != running:
        reason("needs_reboot", "the boot entries carry %s but the running kernel has %s: reboot to apply"
               % (" ".join(configured) or "no crashkernel=", " ".join(running) or "no crashkernel="))
    if facts.reserved_bytes and floor and facts.reserved_bytes < floor:
        reason("reservation_too_small", "%s reserved, less than the %s this host needs (%s); the capture kernel "
               "would run out of memory and hang instead of writing a dump"
               % (format_size(facts.reserved_bytes), format_size(floor),
                  "min_reserved" if floor_text else "the distribution's recommendation %s" % recommended))

    service = service_state(runner, names["service"]) if names else dict(name=None, enabled=None, active=None)
    if installed and not service["enabled"]:
        reason("service_not_enabled", "the %s service is not enabled: kdump will not be armed after a reboot"
               % service["name"])
    if not facts.crash_loaded:
        reason("service_not_loaded", "no capture kernel is loaded (/sys/kernel/kexec_crash_loaded is 0): "
               "a crash now would not be captured")

    module.exit_json(
        changed=False,
        ready=not reasons,
        reasons=reasons,
        platform=platform_info,
        installed=installed,
        ram_bytes=facts.ram_bytes,
        crashkernel=dict(running=values(running), effective=effective_settings(facts.cmdline),
                         configured=values(configured), bootloader=bootloader,
                         entries=[dict(name=e.name, kernel=e.kernel, kind=e.kind, values=values(e.before))
                                  for e in entries]),
        reserved=dict(bytes=facts.reserved_bytes, expected_bytes=expected,
                      regions=[dict(start=start, end=end, size=end - start + 1) for start, end in facts.crash_regions],
                      recommended=recommended, recommended_bytes=size_on(recommended, facts)),
        kexec_crash_loaded=facts.crash_loaded,
        service=service,
        virtualization=dict(xen_pv_domu=xen),
        security=dict(secure_boot=secure_boot(), lockdown=lockdown()),
        dumps=list_dumps(directory),
    )


if __name__ == "__main__":
    main()
