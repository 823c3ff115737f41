# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Firmware, Secure Boot, kernel lockdown and kexec: which way of loading the capture kernel works.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Pure parsers over text and bytes the caller read, so they can be tested on recorded samples, and
the readers of this host's firmware and lockdown state (efi_booted, efi_variable, host_*). Python 2.7 and 3.6+.

The kernel's rules (kernel_lockdown(7); Documentation/admin-guide/sysctl/kernel.rst):

* Under lockdown (``integrity`` or ``confidentiality`` in /sys/kernel/security/lockdown), the
  ``kexec_load`` syscall is refused; only ``kexec_file_load`` (``kexec -s``) works, and only with
  a kernel image whose signature the kernel can verify (on x86_64 and arm64 a signed PE image, on
  s390x an appended module-style signature).
* ``kernel.kexec_load_disabled=1`` refuses every later kexec load, both syscalls, until the next
  boot; a capture kernel loaded before the switch stays loaded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import struct

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import family_for
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import read_var

LOCKDOWN_PATH = "/sys/kernel/security/lockdown"
KEXEC_LOAD_DISABLED_PATH = "/proc/sys/kernel/kexec_load_disabled"
EFI_DIR = "/sys/firmware/efi"
EFIVARS_DIR = "/sys/firmware/efi/efivars"
LOCKED_DOWN = ("integrity", "confidentiality")
# kexec(8): -c / --kexec-syscall force kexec_load; -s / --kexec-file-syscall force kexec_file_load;
# -a / --kexec-syscall-auto tries kexec_file_load first and falls back to kexec_load only when the
# kernel lacks it (ENOSYS, EINVAL, ENOEXEC, ENOTSUP), never after a refused signature or EPERM.
KEXEC_LOAD_OPTIONS = ("-c", "--kexec-syscall")
KEXEC_FILE_LOAD_OPTIONS = ("-s", "--kexec-file-syscall")
KEXEC_AUTO_OPTIONS = ("-a", "--kexec-syscall-auto")
# kexec's short options (KEXEC_OPT_STR in kexec/kexec.h: "h?vdfixyluet:pscaS"): getopt reads "-dc" as
# -d -c. Only -t takes an argument (the rest of the word, or the next word).
_KEXEC_SHORT_WITH_ARGUMENT = "t"
# What kernel/module_signing.h appends to a signed image (s390x kexec_file_load checks it).
APPENDED_SIGNATURE_MAGIC = b"~Module signature appended~\n"


def parse_lockdown(text):
    """The active mode of /sys/kernel/security/lockdown ('none [integrity] confidentiality' ->
    'integrity'), or None when the file is absent (a kernel without the lockdown LSM)."""
    for word in (text or "").split():
        if word.startswith("[") and word.endswith("]"):
            return word[1:-1]
    return None


def locked_down(mode):
    return mode in LOCKED_DOWN


def efi_booted():
    return os.path.isdir(EFI_DIR)


def efi_variable(name):
    """The raw bytes of the EFI global variable ``name`` (SecureBoot, SetupMode), None when unreadable."""
    try:
        found = [entry for entry in os.listdir(EFIVARS_DIR) if entry.startswith(name + "-")]
        if not found:
            return None
        with open(os.path.join(EFIVARS_DIR, found[0]), "rb") as handle:
            return handle.read(64)
    except (OSError, IOError):
        return None


def host_lockdown():
    """parse_lockdown() of this host's lockdown file."""
    try:
        with open(LOCKDOWN_PATH) as handle:
            return parse_lockdown(handle.read())
    except (OSError, IOError):
        return None


def host_secure_boot():
    """secure_boot_state() of this host."""
    return secure_boot_state(efi_booted(), efi_variable("SecureBoot"), efi_variable("SetupMode"))


def efi_variable_true(data):
    """An EFI boolean variable as efivarfs shows it (4 bytes of attributes, then the value):
    True for 1, False for 0, None when it is not a one-byte value."""
    if data is None or len(data) != 5:
        return None
    return bytearray(data)[4] == 1


def secure_boot_state(efi_booted, secure_boot_var, setup_mode_var=None):
    """True when the firmware enforces Secure Boot, False when not or not an EFI boot, None when
    unknown. ``*_var`` are the raw bytes of SecureBoot-* and SetupMode-* (None when unreadable).
    In setup mode the firmware enforces nothing, so SecureBoot=1 with SetupMode=1 is off, as
    Debian's kdump-config and mokutil count it."""
    if not efi_booted:
        return False
    enabled = efi_variable_true(secure_boot_var)
    if enabled and efi_variable_true(setup_mode_var):
        return False
    return enabled


def firmware_kind(arch, efi_booted):
    """'uefi' for an EFI boot, 'bios' for a legacy x86 boot, None where neither applies (s390x IPL,
    POWER firmware) or is known."""
    if efi_booted:
        return "uefi"
    if re.match(r"^(x86_64|i[3-6]86)$", arch or ""):
        return "bios"
    return None


def pe_signed(head):
    """Whether a PE image (x86_64 bzImage and arm64 Image with an EFI stub) carries an Authenticode
    signature: a non-empty certificate table (the fifth data directory of the optional header,
    PE/COFF specification). False for a PE image without one and for an image that is not PE
    at all; None when ``head`` is too short to tell. ``head``: the file's first 4 KiB or more."""
    if head is None or len(head) < 0x40:
        return None
    if head[:2] != b"MZ":
        return False
    (pe_offset,) = struct.unpack_from("<I", head, 0x3C)
    optional = pe_offset + 4 + 20  # "PE\0\0", then the COFF header
    if len(head) < optional + 2:
        return None
    if head[pe_offset:pe_offset + 4] != b"PE\0\0":
        return False
    (magic,) = struct.unpack_from("<H", head, optional)
    if magic == 0x20B:  # PE32+
        count_at, directories = optional + 108, optional + 112
    elif magic == 0x10B:  # PE32
        count_at, directories = optional + 92, optional + 96
    else:
        return False
    certificate_table = directories + 4 * 8
    if len(head) < certificate_table + 8:
        return None
    (count,) = struct.unpack_from("<I", head, count_at)
    if count < 5:
        return False
    _address, size = struct.unpack_from("<II", head, certificate_table)
    return size > 0


def kernel_signed(arch, head, tail):
    """Whether the kernel image a capture kernel is loaded from carries a signature
    kexec_file_load can check on ``arch``; None where this is not known. ``head``/``tail``: its
    first and last 4 KiB."""
    if arch == "s390x":
        if tail is None:
            return None
        return tail.endswith(APPENDED_SIGNATURE_MAGIC)
    if arch in ("x86_64", "aarch64"):
        return pe_signed(head)
    return None


def kexec_syscall_option(args):
    """Which syscall kexec(8) options ask for: 'kexec_load' (-c), 'kexec_file_load' (-s), 'auto'
    (-a: kexec_file_load first), or None when they leave it to kexec's default. The last one wins,
    as kexec parses them (kexec/kexec.c, OPT_KEXEC_*SYSCALL*)."""
    chosen = None
    words = (args or "").split()
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word.startswith("--") or not word.startswith("-"):
            options = [word]
        else:
            options = []
            for position, letter in enumerate(word[1:], 1):
                options.append("-" + letter)
                if letter in _KEXEC_SHORT_WITH_ARGUMENT:
                    index += 1 if position == len(word) - 1 else 0   # the argument is the next word
                    break
        for option in options:
            if option in KEXEC_LOAD_OPTIONS:
                chosen = "kexec_load"
            elif option in KEXEC_FILE_LOAD_OPTIONS:
                chosen = "kexec_file_load"
            elif option in KEXEC_AUTO_OPTIONS:
                chosen = "auto"
    return chosen


# kexec-tools 2.0.27 made -a the default (commit 29fe506 "kexec: make -a the default", Debian bug
# #1030248); before, kexec used kexec_load unless told otherwise (bookworm has 2.0.25).
KEXEC_AUTO_DEFAULT_SINCE = (2, 0, 27)


def kexec_tools_version(text):
    """(2, 0, 25) from `kexec --version` ('kexec-tools 2.0.25'), None when it does not say."""
    match = re.search(r"kexec-tools\s+(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


def loader_syscall(family, user_args, secure_boot, kexec_version, args_doubt=None):
    """``(syscall, why)``: the syscall the family's kdump script will load the capture kernel with
    ('kexec_load' or 'kexec_file_load'; None when it cannot be told), and what decides it.

    ``user_args``: the value of the family's kexec options variable (``FamilyBase.kexec_args``); ``secure_boot``: secure_boot_state();
    ``kexec_version``: kexec_tools_version(); ``args_doubt``: why the shell may read another value
    than ``user_args`` (``_shellvars.read_var``), which leaves the syscall untold. The scripts' own rules:

    * Debian kdump-config (kdump_load(), kdump-tools 1.8.1 and 1.10.x): ``kexec -p``, then ``-s``
      when SecureBoot=1 and SetupMode=0, then KDUMP_KEXEC_ARGS - so a ``-c`` there wins.
    * Red Hat kdumpctl (prepare_kexec_args(), kdump-utils): KEXEC_ARGS, then ``-s`` under Secure
      Boot - so Secure Boot wins; KEXEC_ARGS defaults to ``-s`` on x86_64, aarch64, ppc64le, s390x.
    * SUSE kdump (init/load.sh, 1.9.6 and later): KEXEC_OPTIONS, then ``-a`` - always
      kexec_file_load first.
    """
    known = family_for(family)
    name = known.kexec_args[1] if known else "the kexec options"
    user = (user_args or "").strip()
    if family == "suse":
        return "kexec_file_load", "SUSE's kdump runs kexec -a after %s (kexec_file_load first)" % name
    if args_doubt and family in ("debian", "redhat"):
        return None, "%s cannot be read without running its file: %s" % (name, args_doubt)
    if family == "debian":
        words = ("-s " if secure_boot else "") + user
        script = "kdump-config"
    elif family == "redhat":
        words = user + (" -s" if secure_boot else "")
        script = "kdumpctl"
    else:
        return None, "not a platform this collection knows"
    forced = kexec_syscall_option(words)
    if forced == "auto":
        return "kexec_file_load", "%s=\"%s\" asks kexec for -a (kexec_file_load first)" % (name, user)
    if forced:
        if forced == kexec_syscall_option(user):
            return forced, "%s=\"%s\" forces %s" % (name, user, forced)
        return forced, "%s adds -s under Secure Boot" % script
    if kexec_version is None:
        return None, "kexec-tools' version is unknown, so is its default"
    version = ".".join(str(part) for part in kexec_version)
    if kexec_version >= KEXEC_AUTO_DEFAULT_SINCE:
        return "kexec_file_load", "kexec-tools %s tries kexec_file_load first by default" % version
    return "kexec_load", ("kexec-tools %s uses kexec_load by default, %s adds -s only under Secure Boot and "
                          "%s=\"%s\" does not ask for it" % (version, script, name, user))


def kexec_load_refusal(family, text, path, lockdown, secure_boot):
    """Why the kdump configuration ``text`` (the family's file at ``path``) would make the kdump service
    load the capture kernel with kexec_load on a host that is ``lockdown`` (host_lockdown()) or boots with
    ``secure_boot``, where the kernel refuses that syscall; None when it would not. kdump_config refuses
    to write such a file, and kdump_info's ``config`` says kdump_config would refuse.

    Debian's and SUSE's kexec options live in the file kdump_config writes; the Red Hat family's
    (KEXEC_ARGS in /etc/sysconfig/kdump) do not, and kdumpctl's -s wins over them under Secure Boot."""
    if not family.kexec_args_in_config_file or not (locked_down(lockdown) or secure_boot):
        return None
    name = family.kexec_args[1]
    where = "is locked down (%s)" % lockdown if locked_down(lockdown) else "boots with Secure Boot"
    user, doubt = read_var(text, name)
    if doubt:
        return ("this host %s, where the kernel refuses kexec_load, and %s in %s cannot be read without "
                "running the file (%s), so whether the capture kernel would load cannot be told; make "
                "it a plain %s=\"...\" line" % (where, name, path, doubt, name))
    syscall, why = loader_syscall(family.name, user, secure_boot, None)
    if syscall == "kexec_load":
        return ("%s: this host %s, where the kernel refuses kexec_load, so the capture kernel could not "
                "be loaded; drop -c/--kexec-syscall from %s (kdump then uses kexec_file_load)"
                % (why, where, name))
    return None
