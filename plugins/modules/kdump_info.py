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
    the capture kernel is loaded, the service state, Xen PV guests and containers (where kdump cannot
    work), the firmware, Secure Boot, kernel lockdown and whether the capture kernel can be loaded under them
    (RV(security)), the recommended reservation, the dump directory with its
    free space against what a dump of this host needs, and the dumps already on disk.
  - Reads C(/sys/kernel/kexec/crash_size) and C(/sys/kernel/kexec/crash_loaded) (Linux 6.19 and later)
    first and the older C(/sys/kernel/kexec_crash_size) and C(/sys/kernel/kexec_crash_loaded) where the
    new files do not exist; messages name the file actually read.
  - Read-only; never reports a change. Works on hosts with nothing kdump-related installed, so it
    suits an ad-hoc survey of a fleet - C(ansible all -b -m crashdump.kdump.kdump_info).
requirements:
  - None beyond the host's own files and tools - it reads C(/proc), C(/sys) and kdump's configuration, and runs
    C(systemctl), C(kexec), C(makedumpfile) and C(systemd-detect-virt) where they are installed.
author:
  - crashdump.kdump contributors (@crashdump)
extends_documentation_fragment:
  - crashdump.kdump.attributes
attributes:
  check_mode:
    support: full
    details: Reads only; check mode returns the same facts.
  diff_mode:
    support: none
  platform:
    support: full
    details: Linux - Debian and Ubuntu, the Red Hat family, SUSE.
options:
  min_reserved:
    description:
      - The smallest reservation you accept, such as V(192M), or a range list such as
        V(1G-4G:192M,4G-:256M), which is evaluated against this host's RAM the way the kernel evaluates
        C(crashkernel=) (RAM rounded up to 128M, first matching range). Less is reported as
        V(reservation_too_small).
      - A range list with no range for this host's RAM sets no floor, with a warning saying so. Any other
        form (C(,high), C(,low), C(@offset), V(auto)) or a malformed value fails the task, naming the value
        and what is accepted.
      - By default the distribution's own recommendation for this host's RAM is the floor, because a
        capture kernel with less memory panics while unpacking its initramfs and the host hangs without a dump.
    type: str
  mem_usage_timeout:
    description:
      - Seconds that C(makedumpfile --mem-usage /proc/kcore) may take to measure the dump size (RV(dump_target.needed_bytes));
        it is stopped after that, and the estimate falls back to a rule from C(/proc/meminfo).
      - It runs only when the dump directory's free space is less than all of System RAM, since no dump is larger;
        otherwise the rule gives RV(dump_target.needed_bytes).
      - V(0) never runs makedumpfile and always uses the rule.
    type: int
    default: 10
  remote_timeout:
    description:
      - Seconds the check of a configured ssh or nfs target waits for the server (ssh C(ConnectTimeout), the
        NFS mount's timeout); the whole check is stopped after three times that. V(0) skips the check.
      - ssh runs as kdump runs it, with the configured key only (C(IdentitiesOnly=yes)), C(BatchMode=yes)
        (no password or passphrase prompt) and C(StrictHostKeyChecking=yes) (the server's host key must
        already be in root's C(known_hosts)), and runs a short C(sh) probe on the server (C(test -w), C(df -Pk)).
      - nfs mounts the export on a private directory under C(/run) for the check and unmounts it at once,
        which needs root; as another user the target is not checked.
    type: int
    default: 10
  config:
    description:
      - Options of M(crashdump.kdump.kdump_config), with the same names, types and defaults, checked as
        that module checks them.
      - When given, RV(config_would_change) says whether M(crashdump.kdump.kdump_config) with them would
        change or report anything, planned by the same code, so that a caller (the C(crashdump.kdump.kdump)
        role) can skip that task on a host that is already configured, and RV(config_remote) where they
        send the dumps. Nothing is written.
      - Options that M(crashdump.kdump.kdump_config) would refuse (an option-like ssh host, a relative key
        path, an export without its path, ...) fail this module with that module's message.
    type: dict
    suboptions:
      path:
        description: As O(crashdump.kdump.kdump_config#module:path).
        type: path
      target:
        description: As O(crashdump.kdump.kdump_config#module:target).
        type: dict
        suboptions:
          type:
            description: As O(crashdump.kdump.kdump_config#module:target.type).
            type: str
            choices: [local, ssh, nfs, raw, fs]
            default: local
          host:
            description: As O(crashdump.kdump.kdump_config#module:target.host).
            type: str
          user:
            description: As O(crashdump.kdump.kdump_config#module:target.user).
            type: str
          key:
            description: As O(crashdump.kdump.kdump_config#module:target.key).
            type: path
          export:
            description: As O(crashdump.kdump.kdump_config#module:target.export).
            type: str
          device:
            description: As O(crashdump.kdump.kdump_config#module:target.device).
            type: str
          fstype:
            description: As O(crashdump.kdump.kdump_config#module:target.fstype).
            type: str
            choices: [ext2, ext3, ext4, xfs, btrfs, minix, virtiofs]
      core_collector:
        description: As O(crashdump.kdump.kdump_config#module:core_collector).
        type: dict
        suboptions:
          dump_level:
            description: As O(crashdump.kdump.kdump_config#module:core_collector.dump_level).
            type: int
            default: 31
          compression:
            description: As O(crashdump.kdump.kdump_config#module:core_collector.compression).
            type: str
            choices: [auto, zlib, lzo, snappy, zstd, none]
            default: auto
          message_level:
            description: As O(crashdump.kdump.kdump_config#module:core_collector.message_level).
            type: int
      failure_action:
        description: As O(crashdump.kdump.kdump_config#module:failure_action).
        type: str
        choices: [reboot, halt, poweroff, shell, dump_to_rootfs]
      auto_reset_crashkernel:
        description: As O(crashdump.kdump.kdump_config#module:auto_reset_crashkernel).
        type: bool
      extra:
        description: As O(crashdump.kdump.kdump_config#module:extra); values of secret-named settings are hidden.
        type: dict
      extra_secrets:
        description: As O(crashdump.kdump.kdump_config#module:extra_secrets); never logged or shown.
        type: dict
notes:
  - Run with C(become=true); without root C(/proc/iomem) hides the reserved regions and
    C(makedumpfile --mem-usage) cannot read C(/proc/kcore).
  - C(makedumpfile --mem-usage) reads the kernel's page structures; on hosts with terabytes of RAM it can
    take a while, which O(mem_usage_timeout) bounds. It writes a temporary bitmap file under C($TMPDIR)
    (C(/tmp)) and removes it.
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

- name: Would kdump_config change anything with these options?
  crashdump.kdump.kdump_info:
    config:
      core_collector:
        compression: zstd
  become: true
  register: kdump

- name: Require what RHEL 9 reserves for this host's RAM, and never wait long for makedumpfile
  crashdump.kdump.kdump_info:
    min_reserved: 1G-4G:192M,4G-64G:256M,64G-:512M
    mem_usage_timeout: 10
  become: true
"""

RETURN = r"""
ready:
  description: True when a crash now would boot the capture kernel and write a dump.
  returned: always
  type: bool
  sample: false
reasons:
  description:
    - Why the host is not ready, each with a stable C(code) and a human C(message), in this order.
    - V(unsupported_platform) - not an OS this collection knows; use Debian, Ubuntu, the Red Hat family or SUSE.
    - V(unsupported_xen_pv_domu) - a Xen PV guest, where kdump cannot work; use the hypervisor's dump tools.
    - V(in_container) - running inside a container, which shares the host's kernel and so its crash kernel;
      run against the host.
    - V(not_installed) - the kdump package is missing; install it.
    - V(needs_reboot) - the boot entries and the running kernel disagree on C(crashkernel=); reboot.
    - V(not_reserved) - no memory is reserved for the capture kernel; set C(crashkernel=) and reboot.
    - V(reservation_too_small) - less is reserved than O(min_reserved) or the distribution's recommendation;
      reserve more and reboot.
    - V(service_not_enabled) - the kdump service does not start at boot; enable it.
    - V(kexec_load_disabled) - C(kernel.kexec_load_disabled) is 1 and no capture kernel is loaded, so the kernel
      refuses to load one until the next boot; set that sysctl only after the kdump service has loaded, and reboot.
    - V(lockdown_refuses_kexec_load) - the kernel is locked down and the kdump service would use C(kexec_load)
      (RV(security.kexec_syscall_reason) says why); set RV(security.kexec_args_setting) to C(-s).
    - V(capture_kernel_unsigned) - the kernel is locked down and the capture kernel carries no signature, so
      C(kexec_file_load) refuses it; use the distribution's signed kernel.
    - V(service_not_loaded) - no capture kernel is loaded now; start the kdump service.
    - V(dump_space_low) - the local dump directory has less free space (RV(dump_target.free_bytes)) than
      a dump of this host needs (RV(dump_target.needed_bytes)); free space there or send dumps elsewhere.
    - For an ssh or nfs target, checked as kdump will reach it (RV(dump_target.remote)) -
      V(remote_target_invalid) (a configured value ssh or mount would misread), V(remote_tool_missing)
      (no C(ssh) or C(mount.nfs)), V(remote_key_missing) (the ssh key does not exist or cannot be loaded),
      V(remote_unreachable) (no answer from the server), V(remote_host_key_unknown) (the server's host key is
      not pinned in root's C(known_hosts), or has changed), V(remote_auth_failed) (the key is not authorized,
      or the export refuses this host), V(remote_check_failed) (the check failed in another way; the message
      has the tool's own words), V(remote_not_writable) (the dump directory, or its nearest existing parent, is
      not writable there) and V(remote_space_low) (less free space there than RV(dump_target.needed_bytes)).
  returned: always
  type: list
  elements: dict
  sample: [{"code": "not_installed", "message": "kdump-tools is not installed"}]
  contains:
    code:
      description: The reason's stable code, one of those above.
      type: str
      sample: not_installed
    message:
      description: The reason for people, with the values found on this host.
      type: str
      sample: kdump-tools is not installed
platform:
  description: The host and what its kdump packaging calls things.
  returned: always
  type: dict
  sample: {"family": "debian", "distribution": "debian", "version": "12", "arch": "x86_64",
           "kernel": "6.1.0-28-cloud-amd64", "packages": ["kdump-tools", "kexec-tools", "makedumpfile"],
           "packages_missing": [], "service": "kdump-tools", "tool": "kdump-config",
           "config_files": ["/etc/default/kdump-tools"], "dump_dir": "/var/crash",
           "dump_layout": "<coredir>/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM> and dmesg.<YYYYMMDDHHMM>"}
  contains:
    family:
      description: The kdump packaging family - V(debian), V(redhat), V(suse); null for an OS no family knows.
      type: str
      sample: debian
    distribution:
      description: The distribution's C(ID) from C(/etc/os-release).
      type: str
      sample: debian
    version:
      description: The distribution's C(VERSION_ID).
      type: str
      sample: "12"
    arch:
      description: The machine architecture (C(uname -m)).
      type: str
      sample: x86_64
    kernel:
      description: The running kernel release (C(uname -r)).
      type: str
      sample: 6.1.0-28-cloud-amd64
    packages:
      description: The packages that make kdump work on this release.
      type: list
      elements: str
      sample: [kdump-tools, kexec-tools, makedumpfile]
    packages_missing:
      description:
        - Those of RV(platform.packages) that the package database (C(dpkg-query), C(rpm -q)) says are not
          installed; null when it cannot be asked. The C(crashdump.kdump.kdump) role installs packages only
          when one is missing.
      type: list
      elements: str
      sample: []
    service:
      description: The kdump service's unit name.
      type: str
      sample: kdump-tools
    tool:
      description: The family's own kdump command.
      type: str
      sample: kdump-config
    config_files:
      description: The files of kdump's configuration, the one kdump_config writes first.
      type: list
      elements: str
      sample: [/etc/default/kdump-tools]
    dump_dir:
      description: Where the dumps go (a remote URL without its password).
      type: str
      sample: /var/crash
    dump_layout:
      description: How a dump is laid out under the dump directory, for people.
      type: str
      sample: <coredir>/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM> and dmesg.<YYYYMMDDHHMM>
    remote_packages:
      description: The packages that give this host C(ssh) and C(mount.nfs), for an ssh or nfs target.
      type: dict
      sample: {"ssh": "openssh-client", "nfs": "nfs-common"}
      contains:
        ssh:
          description: The package with C(ssh).
          type: str
          sample: openssh-client
        nfs:
          description: The package with C(mount.nfs).
          type: str
          sample: nfs-common
    capture_unit:
      description:
        - The systemd unit the capture kernel boots into on the real root file system (Debian's
          C(systemd.unit=kdump-tools-dump.service)), which starts only what it wants - the network too, for an
          ssh or nfs target. Null where the capture initramfs brings the network up itself (dracut, SUSE's kdump).
      type: str
      sample: kdump-tools-dump.service
    capture_dropin:
      description:
        - The drop-in of RV(platform.capture_unit) that the C(crashdump.kdump.kdump) role writes for an ssh or
          nfs target, so that the capture boot starts the host's network service; null without a capture unit.
      type: str
      sample: /etc/systemd/system/kdump-tools-dump.service.d/50-crashdump-network.conf
    capture_dropin_present:
      description: Whether that drop-in exists; null without a capture unit.
      type: bool
      sample: true
    propagate:
      description: The family's own command that checks, or installs, the ssh key on the dump server; null where there is none.
      type: list
      elements: str
      sample: [kdump-config, propagate]
installed:
  description: Whether the family's kdump tool is present.
  returned: always
  type: bool
  sample: true
ram_bytes:
  description: System RAM as the kernel sizes the reservation by, in bytes.
  returned: always
  type: int
  sample: 1610612736
crashkernel:
  description:
    - C(running) - the C(crashkernel=) values on C(/proc/cmdline); C(effective) - the entry of each class
      the kernel uses; C(configured) - the values of the first normal boot entry (what the next boot gets);
      C(bootloader) - the backend that reads the boot entries (as the crashkernel module names it, null when
      none is found); C(entries) - every boot entry with its C(name), C(kernel), C(kind) and C(crashkernel).
    - C(kind) is V(linux) for a kernel of this system (the only entries that must carry C(crashkernel=)),
      V(rescue) for rescue and recovery entries, V(memtest) for memtest86+, V(other-system) for entries
      os-prober added for another installed system.
  returned: always
  type: dict
  sample: {"running": "384M-:128M", "effective": {"plain": "384M-:128M", "high": null, "low": null, "cma": null}, "configured": "384M-:128M",
           "bootloader": "update-grub",
           "entries": [{"name": "Debian GNU/Linux", "kernel": "/boot/vmlinuz-6.1.0-28-cloud-amd64",
                        "kind": "linux", "crashkernel": "384M-:128M"},
                       {"name": "Memory test (memtest86+x64.bin)", "kernel": "/boot/memtest86+x64.bin",
                        "kind": "memtest", "crashkernel": ""}]}
  contains:
    running:
      description: The C(crashkernel=) values on C(/proc/cmdline), space-separated; empty when none.
      type: str
      sample: 384M-:128M
    effective:
      description: The C(crashkernel=) entry of each class that the kernel uses, the last of each winning.
      type: dict
      sample: {"plain": "384M-:128M", "high": null, "low": null, "cma": null}
      contains:
        plain:
          description: The plain entry (no suffix), or null.
          type: str
          sample: 384M-:128M
        high:
          description: The C(,high) entry, or null.
          type: str
          sample: null
        low:
          description: The C(,low) entry, or null.
          type: str
          sample: null
        cma:
          description: The C(,cma) entry, or null.
          type: str
          sample: null
    configured:
      description: The C(crashkernel=) values of the first normal boot entry, what the next boot gets.
      type: str
      sample: 384M-:128M
    bootloader:
      description: The backend that reads the boot entries, as the crashkernel module names it; null when none is found.
      type: str
      sample: update-grub
    entries:
      description: Every boot entry.
      type: list
      elements: dict
      sample: [{"name": "Debian GNU/Linux", "kernel": "/boot/vmlinuz-6.1.0-28-cloud-amd64", "kind": "linux",
                "crashkernel": "384M-:128M"}]
      contains:
        name:
          description: The entry's title.
          type: str
          sample: Debian GNU/Linux
        kernel:
          description: The kernel image the entry boots.
          type: str
          sample: /boot/vmlinuz-6.1.0-28-cloud-amd64
        kind:
          description: V(linux), V(rescue), V(memtest) or V(other-system), as above.
          type: str
          sample: linux
        crashkernel:
          description: The entry's C(crashkernel=) values, space-separated; empty when none.
          type: str
          sample: 384M-:128M
reserved:
  description:
    - C(bytes) reserved now, from C(/sys/kernel/kexec/crash_size), else C(/sys/kernel/kexec_crash_size),
      else the sum of the C(regions); C(source) the file it came from; C(regions) the "Crash kernel" ranges of
      C(/proc/iomem); C(expected_bytes) what the next boot reserves with the configured value;
      C(recommended) the distribution's value and C(recommended_bytes) its size for this RAM;
      C(floor_bytes) the least reservation accepted here (from O(min_reserved) or the recommendation;
      0 = none checked).
  returned: always
  type: dict
  sample: {"bytes": 134217728, "source": "/sys/kernel/kexec_crash_size", "expected_bytes": 134217728,
           "regions": [{"start": 855638016, "end": 989855743, "size": 134217728}],
           "recommended": "384M-:128M", "recommended_bytes": 134217728, "floor_bytes": 134217728}
  contains:
    bytes:
      description: Bytes reserved now.
      type: int
      sample: 134217728
    source:
      description: The file RV(reserved.bytes) came from, or C(/proc/iomem).
      type: str
      sample: /sys/kernel/kexec_crash_size
    regions:
      description: The "Crash kernel" ranges of C(/proc/iomem); empty when it hides them (not root).
      type: list
      elements: dict
      sample: [{"start": 855638016, "end": 989855743, "size": 134217728}]
      contains:
        start:
          description: First byte of the range.
          type: int
          sample: 855638016
        end:
          description: Last byte of the range.
          type: int
          sample: 989855743
        size:
          description: Bytes in the range.
          type: int
          sample: 134217728
    expected_bytes:
      description: What the next boot reserves with the configured value.
      type: int
      sample: 134217728
    recommended:
      description: The distribution's recommended C(crashkernel=) value for this host.
      type: str
      sample: 384M-:128M
    recommended_bytes:
      description: What RV(reserved.recommended) reserves on this RAM.
      type: int
      sample: 134217728
    floor_bytes:
      description: The least reservation accepted here, from O(min_reserved) or the recommendation; 0 when none is checked.
      type: int
      sample: 134217728
kexec_crash_loaded:
  description:
    - Whether a capture kernel is loaded (C(/sys/kernel/kexec/crash_loaded), else
      C(/sys/kernel/kexec_crash_loaded); false when neither can be read).
  returned: always
  type: bool
  sample: true
service:
  description: The kdump service's C(name), C(enabled) and C(active) state.
  returned: always
  type: dict
  sample: {"name": "kdump-tools", "enabled": true, "active": true, "enabled_state": "enabled",
           "active_state": "active"}
  contains:
    name:
      description: The service's unit name.
      type: str
      sample: kdump-tools
    enabled:
      description: Whether it starts at boot.
      type: bool
      sample: true
    active:
      description: Whether it is active now.
      type: bool
      sample: true
    enabled_state:
      description: What C(systemctl is-enabled) said (V(not-found) when it said nothing).
      type: str
      sample: enabled
    active_state:
      description: What C(systemctl is-active) said.
      type: str
      sample: active
virtualization:
  description:
    - C(xen_pv_domu) - a Xen paravirtualised guest, where kdump is not supported.
    - C(container) - the container this runs in (such as V(docker), V(podman), V(lxc), V(systemd-nspawn),
      V(wsl)), null on a host. From C(systemd-detect-virt --container) where it is installed, else from the
      files systemd reads (C(/run/host/container-manager), C(/run/systemd/container), C(container=) in
      C(/proc/1/environ), C(/run/.containerenv), C(/.dockerenv), C(/proc/vz)).
  returned: always
  type: dict
  sample: {"xen_pv_domu": false, "container": null}
  contains:
    xen_pv_domu:
      description: Whether this is a Xen paravirtualised guest.
      type: bool
      sample: false
    container:
      description: The container this runs in, null on a host.
      type: str
      sample: null
security:
  description:
    - How the host boots and what that allows kexec. Under kernel lockdown (which distribution kernels such as
      Debian's and RHEL's switch on under Secure Boot) the C(kexec_load) syscall is refused and only
      C(kexec_file_load) (C(kexec -s)) of a signed kernel works; C(kernel.kexec_load_disabled=1) refuses both.
  returned: always
  type: dict
  sample: {"firmware": "uefi", "secure_boot": true, "lockdown": "integrity", "kexec_load_disabled": false,
           "kexec_tools_version": "2.0.25", "kexec_syscall": "kexec_file_load",
           "kexec_syscall_reason": "kdump-config adds -s under Secure Boot",
           "kexec_args_setting": "KDUMP_KEXEC_ARGS in /etc/default/kdump-tools",
           "capture_kernel": "/var/lib/kdump/vmlinuz", "capture_kernel_signed": true}
  contains:
    firmware:
      description: V(uefi) when booted through UEFI (C(/sys/firmware/efi) exists), V(bios) for a legacy x86 boot,
        null elsewhere (s390x, POWER).
      type: str
      sample: uefi
    secure_boot:
      description: Whether the firmware enforces Secure Boot (C(SecureBoot) is 1 and C(SetupMode) 0, as
        C(mokutil --sb-state) and kdump's scripts read them); false when not booted through UEFI, null when unknown.
      type: bool
      sample: true
    lockdown:
      description: The kernel's lockdown mode from C(/sys/kernel/security/lockdown) - V(none), V(integrity) or
        V(confidentiality); null when the kernel has no lockdown support.
      type: str
      sample: integrity
    kexec_load_disabled:
      description: Whether C(/proc/sys/kernel/kexec_load_disabled) is 1; null when unreadable.
      type: bool
      sample: false
    kexec_tools_version:
      description: From C(kexec --version); null when kexec is not installed.
      type: str
      sample: "2.0.25"
    kexec_syscall:
      description:
        - The syscall the kdump service will load the capture kernel with, V(kexec_file_load) or V(kexec_load), by
          the family's own rules - Debian's C(kdump-config) adds C(-s) under Secure Boot and then
          C(KDUMP_KEXEC_ARGS), where a C(-c) wins; the Red Hat family's C(kdumpctl) adds C(-s) after C(KEXEC_ARGS);
          SUSE's kdump always runs C(kexec -a); otherwise kexec-tools' default (C(kexec_load) before 2.0.27).
        - Null when it cannot be told (kexec not installed, or RV(security.kexec_args_setting) set in a form that
          only running the file reads, such as inside an C(if) block); RV(security.kexec_syscall_reason) says which.
      type: str
      sample: kexec_file_load
    kexec_syscall_reason:
      description: What decides RV(security.kexec_syscall).
      type: str
      sample: kdump-config adds -s under Secure Boot
    kexec_args_setting:
      description: The variable and file where the family's kdump takes more kexec options.
      type: str
      sample: KDUMP_KEXEC_ARGS in /etc/default/kdump-tools
    capture_kernel:
      description: The kernel image the kdump service loads (Debian's C(KDUMP_KERNEL), else the running kernel's).
      type: str
      sample: /var/lib/kdump/vmlinuz
    capture_kernel_signed:
      description:
        - Whether that image carries a signature C(kexec_file_load) can check - an Authenticode signature in the PE
          image on x86_64 and arm64, an appended signature on s390x. Whether the kernel trusts the key is not checked.
        - Null when the image cannot be read or the architecture is another.
      type: bool
      sample: true
dump_target:
  description:
    - Where the configuration sends dumps, and whether a dump of this host fits there.
  returned: always
  type: dict
  sample: {"type": "local", "path": "/var/crash", "exists": true, "mode": "0700", "uid": 0,
           "free_bytes": 5368709120, "dump_level": 31, "needed_bytes": 1883955200,
           "estimate": "makedumpfile --mem-usage at dump level 31, before compression"}
  contains:
    type:
      description:
        - V(local) for a directory on this host, else the kind of remote or device target (V(ssh), V(nfs),
          V(raw), V(ext4) and the other file systems of C(/etc/kdump.conf), SUSE's V(ftp), V(sftp), V(cifs)).
      type: str
      sample: local
    path:
      description: The configured dump directory (on the remote side for a remote target).
      type: str
      sample: /var/crash
    exists:
      description: Whether the directory exists; null when the target is not V(local).
      type: bool
      sample: true
    mode:
      description: The directory's permissions as octal text; null when it does not exist or the target is not V(local).
      type: str
      sample: "0700"
    uid:
      description: The directory's owner; null when it does not exist or the target is not V(local).
      type: int
      sample: 0
    free_bytes:
      description:
        - Space available in the directory as C(df) shows it (C(f_bavail)); of the nearest existing parent
          when the directory does not exist yet, since kdump creates it. Null when the target is not V(local)
          (for ssh and nfs, RV(dump_target.remote.free_bytes)).
      type: int
      sample: 5368709120
    remote:
      description:
        - The check of an ssh or nfs target (O(remote_timeout)); null for other targets.
      type: dict
      sample: {"type": "ssh", "where": "root@10.77.0.2", "path": "/var/crash/web1", "key": "/root/.ssh/kdump_id_ed25519",
               "server": "10.77.0.2", "user": "root", "server_dir": "/var/crash/web1", "checked": true, "writable": true,
               "probed_path": "/var/crash", "free_bytes": 2147483648, "error": null}
      contains:
        type:
          description: V(ssh) or V(nfs).
          type: str
          sample: ssh
        where:
          description: The ssh destination (C(user@host)) or the NFS export (C(server:/path)), as configured.
          type: str
          sample: root@10.77.0.2
        path:
          description: The dump directory on the server (ssh), or inside the export (nfs), where kdump creates one directory per dump.
          type: str
          sample: /var/crash/web1
        key:
          description: The ssh key kdump uses (the configured one or the family's default); null for nfs.
          type: str
          sample: /root/.ssh/kdump_id_ed25519
        checked:
          description: Whether the target was checked (false with O(remote_timeout=0), or for nfs when not root).
          type: bool
          sample: true
        writable:
          description: Whether RV(dump_target.remote.probed_path) is writable by the user kdump logs in as; null when not known.
          type: bool
          sample: true
        probed_path:
          description: The deepest existing directory on the way to RV(dump_target.remote.path), which kdump creates the rest of.
          type: str
          sample: /var/crash
        free_bytes:
          description: Space available there (C(df -P) on the server, statvfs over NFS); null when not known.
          type: int
          sample: 2147483648
        server:
          description: The server's host name or address, as ssh or mount names it (an IPv6 address without brackets).
          type: str
          sample: 10.77.0.2
        user:
          description: The user kdump logs in as over ssh (null for nfs, or when none is configured - root).
          type: str
          sample: root
        server_dir:
          description:
            - The directory on the server the dump directories are written in - the ssh path, or for nfs the
              export's own path with the path inside it.
          type: str
          sample: /var/crash/web1
        error:
          description: The reason code of a check that failed (RV(reasons) has its message), or null.
          type: str
          sample: remote_host_key_unknown
    dump_level:
      description:
        - The makedumpfile C(-d) level the estimate is for. Of a list such as C(-d 11,31), the level that needs
          least, since makedumpfile falls back to it when the disk fills up; 0 when the dump is an unfiltered
          copy (no makedumpfile, or a C(core_collector) such as C(cp)).
      type: int
      sample: 31
    needed_bytes:
      description:
        - The size of a dump of this host now at RV(dump_target.dump_level), before compression, so an upper
          bound; compression usually makes it several times smaller. Null when the target is not V(local) -
          not checked.
        - From C(makedumpfile --mem-usage /proc/kcore) (kernel data plus the page types the level keeps, times
          the page size) when makedumpfile has that option in its current form (1.5.8 and later), runs as root
          within O(mem_usage_timeout) on a kernel it supports (4.11 and later), and memory is reserved.
        - Otherwise, and always when the free space holds all of System RAM, by rule from C(/proc/meminfo) -
          System RAM less the crash kernel region, less per C(-d) bit C(MemFree) (16), C(AnonPages) and huge
          pages (8), C(Cached) plus C(Buffers) (4; C(Cached) for 2 alone). Zero pages (1) are not visible there and
          count as kept.
      type: int
      sample: 1883955200
    estimate:
      description: How RV(dump_target.needed_bytes) was made, or why it was not checked.
      type: str
      sample: makedumpfile --mem-usage at dump level 31, before compression
config_would_change:
  description:
    - Whether M(crashdump.kdump.kdump_config) with O(config) would write kdump's configuration, create the
      dump directory, refuse or warn (false only when it would certainly change nothing and say nothing).
  returned: when O(config) is given
  type: bool
  sample: false
config_remote:
  description:
    - The ssh or nfs target that M(crashdump.kdump.kdump_config) with O(config) would leave configured, as
      kdump reads it (the family's default key filled in), with the fields of RV(dump_target.remote) that
      come before any check - C(type), C(where), C(path), C(key), C(server), C(user), C(server_dir) - and the
      client package it needs. Null for a target on this host. The C(crashdump.kdump.kdump) role prepares the dump server from it.
  returned: when O(config) is given
  type: dict
  sample: {"type": "ssh", "where": "root@10.77.0.2", "path": "/var/crash/web1", "key": "/root/.ssh/kdump_id_ed25519",
           "server": "10.77.0.2", "user": "root", "server_dir": "/var/crash/web1", "client_package": "openssh-client",
           "client_package_missing": false}
  contains:
    client_package:
      description: The package that gives this host the ssh or nfs client kdump runs (null when the family names none).
      type: str
      sample: nfs-common
    client_package_missing:
      description: Whether that package is not installed; null when the package database could not be asked.
      type: bool
      sample: false
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
  contains:
    path:
      description: The dump file.
      type: str
      sample: /var/crash/202611280246/dump.202611280246
    dir:
      description: The directory it is in.
      type: str
      sample: /var/crash/202611280246
    size:
      description: Its size in bytes.
      type: int
      sample: 46725725
    mtime:
      description: When it was last written, in seconds since the epoch.
      type: int
      sample: 1795833990
    complete:
      description: False for a C(*-incomplete) file, which makedumpfile left unfinished.
      type: bool
      sample: true
    format:
      description: V(elf), V(kdump-compressed), V(makedumpfile-flattened), or null when it is none of them.
      type: str
      sample: makedumpfile-flattened
    dmesg:
      description: The kernel log saved beside it, or null.
      type: str
      sample: /var/crash/202611280246/dmesg.202611280246
"""

import os
import platform
import stat
import tempfile

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
    parse,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._container import detect_container
from ansible_collections.crashdump.kdump.plugins.module_utils._distro_defaults import recommended_crashkernel
from ansible_collections.crashdump.kdump.plugins.module_utils._dump_files import list_dumps
from ansible_collections.crashdump.kdump.plugins.module_utils._dumps import (
    estimate_dump_bytes,
    parse_mem_usage,
    parse_meminfo,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._io import Host, read_text
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    OPTIONS_SPEC,
    ConfigError,
    built_in_compressions,
    config_would_change,
    planned_remote,
    secret_values,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import (
    dump_dir,
    dump_target,
    family_for,
    remote_target,
    platform_names,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import HostFacts, is_number, xen_pv_domu
from ansible_collections.crashdump.kdump.plugins.module_utils._readiness import (
    ReadinessError,
    min_reserved_floor,
    reasons,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._remote_target import (
    check as check_remote,
    describe,
    server_side,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import SYSTEM_DIRS, CommandError, Runner, last_line
from ansible_collections.crashdump.kdump.plugins.module_utils._security import (
    KEXEC_LOAD_DISABLED_PATH,
    LOCKDOWN_PATH,
    efi_booted,
    efi_variable,
    firmware_kind,
    host_lockdown,
    host_secure_boot,
    kernel_signed,
    kexec_load_refusal,
    kexec_tools_version,
    loader_syscall,
    parse_lockdown,
    secure_boot_state,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import read_var


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


def missing_packages(runner, family, packages):
    """Which of ``packages`` the package database says are not installed; None when it cannot be asked."""
    if family is None or not packages:
        return None
    argv = family.installed_query(packages)
    tool = runner.which(argv[0])
    if not tool:
        return None
    installed = family.installed_packages(packages, runner.run([tool] + argv[1:], check=False)[1])
    return [name for name in packages if name not in installed]


def kernel_exists(path):
    return os.path.exists(path)


def kernel_ends(path):
    """The first and last 4 KiB of a kernel image, (None, None) when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 4096))
            return head, handle.read()
    except (OSError, IOError):
        return None, None


def capture_kernel_path(facts, family, config_text):
    """The image the kdump service loads (``FamilyBase.capture_kernel``); the running kernel's
    /boot/vmlinuz-KVER on a system no family knows (``family`` None)."""
    if family is None:
        return "/boot/vmlinuz-%s" % facts.kernel_release
    return family.capture_kernel(facts.kernel_release, facts.arch, config_text, kernel_exists)


def security_state(runner, facts, config_text):
    """The ``security`` result: firmware, Secure Boot, lockdown, the kexec sysctl, and how the kdump service
    will load the capture kernel (``_security.loader_syscall``) with which image."""
    efi = efi_booted()
    secure_boot = secure_boot_state(efi, efi_variable("SecureBoot"), efi_variable("SetupMode"))
    disabled = (read_text(KEXEC_LOAD_DISABLED_PATH) or "").strip()
    kexec = runner.which("kexec", extra_paths=SYSTEM_DIRS)
    version = kexec_tools_version(runner.run([kexec, "--version"], check=False)[1]) if kexec else None
    family = family_for(facts.family)
    setting_file, setting_var = family.kexec_args if family else (None, None)
    user_args, doubt = read_var(read_text(setting_file) or "", setting_var) if setting_var else (None, None)
    syscall, why = loader_syscall(facts.family, user_args, secure_boot, version, doubt)
    kernel = capture_kernel_path(facts, family, config_text)
    return dict(
        firmware=firmware_kind(facts.arch, efi),
        secure_boot=secure_boot,
        lockdown=parse_lockdown(read_text(LOCKDOWN_PATH)),
        kexec_load_disabled=disabled == "1" if disabled in ("0", "1") else None,
        kexec_tools_version=".".join(str(part) for part in version) if version else None,
        kexec_syscall=syscall,
        kexec_syscall_reason=why,
        kexec_args_setting="%s in %s" % (setting_var, setting_file) if setting_var else None,
        capture_kernel=kernel,
        capture_kernel_signed=kernel_signed(facts.arch, *kernel_ends(kernel)),
    )


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


def dump_dir_state(path):
    """``exists``, ``mode`` ('0700'), ``uid`` and ``free_bytes`` of a local dump directory.

    Free space is what ``df`` shows as available (``f_bavail``); for a directory
    that does not exist yet, that of the nearest existing parent, where kdump
    will create it.
    """
    state = dict(exists=False, mode=None, uid=None, free_bytes=None)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            state.update(exists=True, mode="%04o" % stat.S_IMODE(info.st_mode), uid=info.st_uid)
    except OSError:
        pass
    probe = path
    while probe and not os.path.isdir(probe):
        parent = os.path.dirname(probe.rstrip("/"))
        probe = parent if parent != probe else ""
    try:
        fs = os.statvfs(probe or "/")
        state["free_bytes"] = fs.f_bavail * fs.f_frsize
    except OSError:
        pass
    return state


def mem_usage(runner, makedumpfile, seconds, facts):
    """``(table, None)`` from ``makedumpfile --mem-usage /proc/kcore``, or ``(None, why not)``.

    Time-boxed with timeout(1) to ``seconds`` (then killed 5 s later): a slow
    or failing makedumpfile only makes the caller fall back to the meminfo rule.
    """
    if seconds <= 0:
        return None, "mem_usage_timeout=0"
    if not makedumpfile:
        return None, "makedumpfile is not installed"
    if not facts.reserved_bytes:
        return None, "makedumpfile --mem-usage needs a crash kernel reservation"
    if os.geteuid() != 0:
        return None, "makedumpfile --mem-usage needs root to read /proc/kcore"
    timeout = runner.which("timeout", extra_paths=("/usr/bin", "/bin"))
    if not timeout:
        return None, "no timeout(1) to time-box makedumpfile --mem-usage"
    rc, out, err = runner.run([timeout, "-k", "5", str(seconds), makedumpfile, "--mem-usage", "/proc/kcore"],
                              check=False)
    if rc in (124, 137):
        return None, "makedumpfile --mem-usage did not finish within %d s" % seconds
    try:
        return parse_mem_usage(out + "\n" + err), None
    except ValueError:
        detail = last_line(err or out)
        return None, "makedumpfile --mem-usage failed (rc %d%s)" % (rc, ": " + detail if detail else "")


class MountFs(object):
    """What _remote_target.check_nfs does on this host's file systems around its mount."""

    @staticmethod
    def mkdtemp():
        return tempfile.mkdtemp(prefix="crashdump-nfs-check.", dir="/run" if os.path.isdir("/run") else None)

    @staticmethod
    def rmdir(path):
        try:
            os.rmdir(path)
        except OSError:
            pass

    isdir = staticmethod(os.path.isdir)

    @staticmethod
    def access_w(path):
        return os.access(path, os.W_OK)

    @staticmethod
    def free_bytes(path):
        try:
            fs = os.statvfs(path)
        except OSError:
            return None
        return fs.f_bavail * fs.f_frsize


def remote_state(runner, facts, config_text, seconds):
    """``(dump_target.remote, (code, detail) or None)``: the configured ssh or nfs target and its check;
    ``(None, None)`` for another target."""
    remote = remote_target(facts.family, config_text)
    if remote is None:
        return None, None
    if remote["type"] == "nfs" and os.geteuid() != 0:
        seconds = 0  # mounting needs root
    checked = check_remote(remote, lambda argv: runner.run(argv, check=False),
                           lambda name: runner.which(name, extra_paths=SYSTEM_DIRS),
                           os.path.exists, MountFs, seconds)
    error = checked.pop("error")
    state = dict(remote_description(remote), error=error[0] if error else None, **checked)
    return state, error


def remote_description(remote):
    """What dump_target.remote and config_remote say of a target, before any check."""
    side = server_side(remote)
    return dict(type=remote["type"], where=remote.get("destination") or remote.get("export"), path=remote["path"],
                key=remote.get("key"), server=side["server"], user=side["user"], server_dir=side["dir"])


def dump_space(runner, facts, config_text, directory, makedumpfile, installed, seconds, remote):
    """The ``dump_target`` result: where dumps go, the directory's state and the space a dump needs.

    ``makedumpfile`` is the tool's path (None when it is not installed); only
    where kdump itself is ``installed`` does its absence mean an unfiltered copy
    (before that, the estimate is for the dump the configuration will make).
    ``remote``: the ssh or nfs target's state (``remote_state``), or None.
    """
    target = dump_target(facts.family, config_text, makedumpfile is not None or not installed)
    result = dict(type=target["type"], path=directory, exists=None, mode=None, uid=None, free_bytes=None,
                  needed_bytes=None, dump_level=target["levels"][0], estimate=None, remote=None)
    if remote is not None:
        result["remote"] = remote
        free = remote["free_bytes"]
    elif target["type"] != "local":
        result["estimate"] = ("not checked: dumps go to a %s target, whose free space this module does not measure"
                              % target["type"])
        return result
    else:
        result.update(dump_dir_state(directory))
        free = result["free_bytes"]
    usage, why = (None, None)
    # No dump is larger than an unfiltered copy of RAM: when that fits, makedumpfile's exact (and, on a
    # large or slow host, costly) answer cannot change the verdict.
    whole = facts.ram_bytes - (facts.reserved_bytes or 0)
    if free is not None and whole > 0 and free >= whole:
        why = "makedumpfile --mem-usage not run: the free space holds all of System RAM"
    elif target["levels"] != [0]:
        usage, why = mem_usage(runner, makedumpfile, seconds, facts)
    meminfo = parse_meminfo(read_text("/proc/meminfo") or "")
    needed, level = estimate_dump_bytes(target["levels"], facts.ram_bytes, facts.reserved_bytes, usage, meminfo)
    result.update(needed_bytes=needed, dump_level=level)
    if level == 0:
        result["estimate"] = "all of System RAM but the crash kernel's region: the dump is an unfiltered copy"
    elif usage is not None:
        result["estimate"] = "makedumpfile --mem-usage at dump level %d, before compression" % level
    else:
        result["estimate"] = ("/proc/meminfo rule at dump level %d, before compression (%s)" % (level, why))
    return result


# config takes kdump_config's options with its spec, so that AnsibleModule hides config.extra_secrets
# (no_log) from the invocation it logs and returns, as kdump_config does.
ARGUMENT_SPEC = dict(min_reserved=dict(type="str"), mem_usage_timeout=dict(type="int", default=10),
                     remote_timeout=dict(type="int", default=10), config=dict(type="dict", options=OPTIONS_SPEC))


def config_pending(module, runner, facts, makedumpfile):
    """The ``config_would_change`` and ``config_remote`` results: O(config) (checked by kdump_config's own
    argument spec, OPTIONS_SPEC) planned with kdump_config's own code (``_kdump_config.config_would_change``),
    and the ssh or nfs target it sets. Options kdump_config would refuse fail here, before the role
    touches the host (or a dump server) for them."""
    family = family_for(facts.family)
    if family is None:
        return True, None
    major = facts.version.partition(".")[0]
    rhel_major = int(major) if is_number(major) else None
    before = read_text(family.config_file)
    try:
        remote = planned_remote(module.params["config"], family, before, rhel_major)
    except ConfigError as exc:
        module.fail_json(msg="kdump_info: config: %s. Nothing was changed." % exc)
    available = built_in_compressions(runner, makedumpfile) if makedumpfile else None
    lockdown, secure_boot = host_lockdown(), host_secure_boot()
    changes = config_would_change(module.params["config"], family, before, available, facts.kernel_release, rhel_major,
                                  os.path.isdir, os.path.lexists, os.path.exists,
                                  lambda after: kexec_load_refusal(family, after, family.config_file, lockdown,
                                                                   secure_boot))
    if remote is None:
        return changes, None
    # The role installs the client with the kdump packages, and skips that task when nothing is missing.
    package = remote.get("client_package")
    missing = missing_packages(runner, family, [package]) if package else []
    return changes, dict(remote_description(remote), client_package=package,
                         client_package_missing=None if missing is None else bool(missing))


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    if module.params["config"] is not None:
        # As kdump_config does: secret-named values given in extra are masked from here on.
        module.no_log_values.update(secret_values(module.params["config"]))
    runner = Runner(module)
    host = Host(runner)
    facts = HostFacts(read_text, platform.machine(), platform.release())
    if os.geteuid() != 0:
        module.warn("kdump_info is not running as root: the kernel hides the addresses in /proc/iomem from "
                    "other users, so ram_bytes, the reservation and the dump's needed space come out wrong "
                    "(near 0). Run it with become: true.")
    names = platform_names(facts.family, facts.distribution, facts.version) or {}

    config_text = read_text((names.get("config_files") or [""])[0])
    directory = dump_dir(facts.family, config_text)
    platform_info = dict(family=facts.family, distribution=facts.distribution, version=facts.version,
                         arch=facts.arch, kernel=platform.release(), dump_dir=directory, **names)
    xen = xen_pv_domu(read_text("/sys/hypervisor/type"), read_text("/sys/hypervisor/guest_type"),
                      read_text("/proc/xen/capabilities"), read_text("/sys/hypervisor/properties/features"))
    container = detect_container(read_text, os.path.exists, runner)
    installed = bool(names) and runner.which(names["tool"]) is not None
    if names:
        # The kdump role skips its package task when none is missing.
        platform_info["packages_missing"] = missing_packages(runner, family_for(facts.family), names["packages"])
        dropin = names.get("capture_dropin")
        platform_info["capture_dropin_present"] = os.path.exists(dropin) if dropin else None

    running = crashkernel_tokens(facts.cmdline)
    bootloader, entries = boot_entries(host, facts)
    normal = [entry for entry in entries if must_carry_crashkernel(entry.kind)]
    configured = normal[0].before if normal else running
    expected = evaluate_cmdline(" ".join(configured), facts.ram_bytes, facts.arch).total if configured else 0
    recommended = recommended_value(host, facts)
    floor_text = module.params["min_reserved"]
    if floor_text:
        try:
            floor, warning = min_reserved_floor(floor_text, facts.ram_bytes, facts.arch)
        except ReadinessError as exc:
            module.fail_json(msg="kdump_info: %s" % exc)
        if warning:
            module.warn("kdump_info: %s" % warning)
    else:
        floor = size_on(recommended, facts) or 0

    service = service_state(runner, names["service"]) if names else dict(name=None, enabled=None, active=None)
    makedumpfile = runner.which("makedumpfile", extra_paths=SYSTEM_DIRS)
    remote, remote_error = remote_state(runner, facts, config_text, module.params["remote_timeout"])
    target = dump_space(runner, facts, config_text, directory, makedumpfile, installed,
                        module.params["mem_usage_timeout"], remote)
    remote = remote or {}
    security = security_state(runner, facts, config_text)

    found = reasons(dict(
        platform_known=bool(names), distribution=facts.distribution, version=facts.version,
        xen_pv_domu=xen, container=container,
        installed=installed, package=(names.get("packages") or [None])[0],
        reserved_bytes=facts.reserved_bytes, running=running, configured=configured,
        floor_bytes=floor,
        floor_from="min_reserved" if floor_text else "the distribution's recommendation %s" % recommended,
        service_name=service["name"], service_enabled=service["enabled"],
        crash_loaded=facts.crash_loaded, crash_loaded_path=facts.crash_loaded_path,
        dump_path=directory, dump_free_bytes=target["free_bytes"], dump_needed_bytes=target["needed_bytes"],
        dump_estimate=target["estimate"],
        remote_target=describe(remote) if remote else None,
        remote_error=remote_error, remote_writable=remote.get("writable"),
        remote_probed_path=remote.get("probed_path"), remote_free_bytes=remote.get("free_bytes"),
        lockdown=security["lockdown"], kexec_load_disabled=security["kexec_load_disabled"],
        loader_syscall=security["kexec_syscall"], loader_why=security["kexec_syscall_reason"],
        loader_setting=security["kexec_args_setting"], capture_kernel=security["capture_kernel"],
        capture_kernel_signed=security["capture_kernel_signed"],
    ))

    extra_results = {}
    if module.params["config"] is not None:
        extra_results["config_would_change"], extra_results["config_remote"] = config_pending(
            module, runner, facts, makedumpfile)
    module.exit_json(
        changed=False,
        ready=not found,
        reasons=found,
        platform=platform_info,
        installed=installed,
        ram_bytes=facts.ram_bytes,
        crashkernel=dict(running=values(running), effective=effective_settings(facts.cmdline),
                         configured=values(configured), bootloader=bootloader,
                         entries=[dict(name=e.name, kernel=e.kernel, kind=e.kind, crashkernel=values(e.before))
                                  for e in entries]),
        reserved=dict(bytes=facts.reserved_bytes, source=facts.reserved_source, expected_bytes=expected,
                      regions=[dict(start=start, end=end, size=end - start + 1) for start, end in facts.crash_regions],
                      recommended=recommended, recommended_bytes=size_on(recommended, facts), floor_bytes=floor),
        kexec_crash_loaded=facts.crash_loaded,
        service=service,
        virtualization=dict(xen_pv_domu=xen, container=container),
        security=security,
        dump_target=target,
        dumps=list_dumps(directory),
        **extra_results
    )


if __name__ == "__main__":
    main()
