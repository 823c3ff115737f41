# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every bootloader backend shares: the plan, the boot entry rule, the token helpers.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Each bootloader is one backend object in its own ``_bl_<name>.py`` (the name is
the tool, as the crashkernel module's ``bootloader`` option spells it), with
the same small interface::

    Backend.detect(host, facts)  -> bool   the host boots through this tool
    backend = Backend(host, facts)
    backend.read(request)        -> inputs (files and tool output, as text)
    backend.plan(inputs, request)-> Plan   pure: files, commands, entries before/after
    backend.verify(inputs, request)-> [problem, ...] after the tool ran
    backend.entries()            -> [EntryChange] the boot entries, read-only (kdump_info)

``host`` is the I/O the backend may do (``_io.Host``: read files, list
directories, find and run tools), passed in so that tests give recorded
outputs instead. The pure planning functions of each backend take text and
are table-tested on recorded real outputs. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import reserved_after_boot

CRASHKERNEL = "crashkernel="

# What a boot entry boots. Only ENTRY_LINUX entries must carry crashkernel=.
ENTRY_LINUX = "linux"               # a kernel of this system
ENTRY_RESCUE = "rescue"             # rescue (Red Hat) or recovery mode (Debian, SUSE) entry
ENTRY_MEMTEST = "memtest"           # memtest86+ (linux, linux16 or linuxefi loading memtest86+*.bin/.efi)
ENTRY_OTHER_SYSTEM = "other-system"  # another installed system found by os-prober

# Debian's and SUSE's 10_linux title recovery entries "... (recovery mode)";
# Red Hat's rescue kernel is vmlinuz-0-rescue-<machine-id>, titled "... rescue ...".
_RESCUE_TITLE = re.compile(r"\(recovery mode\)|\brescue\b", re.I)
# GRUB's 30_os-prober ends each title with " (on /dev/...)" and gives it an id
# 'osprober-<type>-...' (util/grub.d/30_os-prober.in).
_OTHER_SYSTEM_TITLE = re.compile(r"\(on /dev/[^)]*\)\s*$")


def entry_kind(title, kernel, entry_id=None):
    """The one rule for what a boot entry is (ENTRY_LINUX, ENTRY_RESCUE, ENTRY_MEMTEST, ENTRY_OTHER_SYSTEM).

    Firmware-setup and chainloader entries have no kernel, so backends never list them.
    """
    title = title or ""
    base = (kernel or "").rsplit("/", 1)[-1].lower()
    if "memtest" in base:
        return ENTRY_MEMTEST
    if (entry_id or "").startswith("osprober-") or _OTHER_SYSTEM_TITLE.search(title):
        return ENTRY_OTHER_SYSTEM
    if _RESCUE_TITLE.search(title) or base.startswith("vmlinuz-0-rescue"):
        return ENTRY_RESCUE
    return ENTRY_LINUX


def must_carry_crashkernel(kind):
    """Whether an entry of this kind must boot with the requested crashkernel=."""
    return kind == ENTRY_LINUX


class BootloaderError(Exception):
    """The boot configuration cannot be read or planned (message says why)."""


class EntryChange(object):
    """One boot entry: its ``crashkernel=`` tokens now and after the plan, and what it boots."""

    def __init__(self, name, kernel, before, after, kind=None, entry_id=None):
        self.name = name
        self.kernel = kernel
        self.before = list(before)
        self.after = list(after)
        self.kind = kind or entry_kind(name, kernel, entry_id)

    @property
    def changed(self):
        return self.before != self.after

    def as_dict(self):
        return dict(name=self.name, kernel=self.kernel, kind=self.kind, before=self.before, after=self.after,
                    changed=self.changed)


class Plan(object):
    """Files to write (``path -> text``, ``None`` = remove), then commands to run."""

    def __init__(self, bootloader, desired=()):
        self.bootloader = bootloader
        self.files = {}
        self.commands = []
        self.entries = []
        # Files the commands rewrite (e.g. grub.cfg): saved and restored on failure.
        self.regenerated = []
        # What a normal entry boots with afterwards when no entry is listed (e.g. no grub.cfg yet).
        self.default_after = list(desired)

    @property
    def changed(self):
        return bool(self.files or self.commands)

    def entries_changed(self):
        return [entry for entry in self.entries if entry.changed]

    def normal_entries(self):
        """The entries that must carry crashkernel= (see ``must_carry_crashkernel``)."""
        return [entry for entry in self.entries if must_carry_crashkernel(entry.kind)]

    @property
    def tokens_before(self):
        normal = self.normal_entries()
        return normal[0].before if normal else []

    @property
    def tokens_after(self):
        normal = self.normal_entries()
        return normal[0].after if normal else list(self.default_after)

    def reserved_after_reboot(self, facts):
        """Bytes the kernel reserves once the host of ``facts`` (``_platform.HostFacts``) boots a normal entry."""
        return reserved_after_boot(" ".join(self.tokens_after), facts.ram_bytes, facts.arch, facts.kernel_release)

    def reboot_required(self, facts):
        """Whether the running kernel has other crashkernel= tokens, or another reservation, than a reboot gives."""
        return (crashkernel_tokens(facts.cmdline) != self.tokens_after
                or facts.reserved_bytes != self.reserved_after_reboot(facts))


class Request(object):
    """What the user asks of a backend: the tokens every normal entry must carry, and how."""

    def __init__(self, desired, state="present", kernels="all", remove_distro_default=False):
        self.desired = checked_tokens(desired)
        self.state = state
        self.kernels = kernels
        self.remove_distro_default = remove_distro_default


_MENU_OPEN = re.compile(r"^\s*(menuentry|submenu)\s+(?:'([^']*)'|\"([^\"]*)\"|(\S+))")
_MENU_ID = re.compile(r"\$menuentry_id_option\s+(?:'([^']*)'|\"([^\"]*)\"|(\S+))")
_LINUX = re.compile(r"^\s*(linux|linuxefi|linux16)\s+(\S+)(.*)$")


def grub_cfg_entries(text):
    """The kernel-loading entries of a generated grub.cfg, in order.

    Each a dict: ``title`` (innermost menuentry), ``id`` (its
    ``$menuentry_id_option``, or None), ``loader`` (``linux``, ``linuxefi`` or
    ``linux16``), ``kernel``, ``args`` and ``kind`` (``entry_kind``). Entries
    without a kernel line (chainloader, fwsetup) are not listed.
    """
    entries = []
    stack = []          # (kind, title, id) of the open { ... } blocks
    for line in text.splitlines():
        stripped = line.strip()
        opened = _MENU_OPEN.match(line)
        if stripped.endswith("{"):
            if opened:
                title = opened.group(2) or opened.group(3) or opened.group(4)
                ident = _MENU_ID.search(line)
                ident = (ident.group(1) or ident.group(2) or ident.group(3)) if ident else None
                stack.append((opened.group(1), title, ident))
            else:
                stack.append(("other", None, None))
            continue
        if stripped == "}":
            if stack:
                stack.pop()
            continue
        menus = [(title, ident) for block, title, ident in stack if block == "menuentry"]
        linux = _LINUX.match(line)
        if linux and menus:
            title, ident = menus[-1]
            args = linux.group(3).strip()
            entries.append(dict(title=title, id=ident, loader=linux.group(1), kernel=linux.group(2), args=args,
                                kind=entry_kind(title, linux.group(2), ident)))
    return entries


def checked_tokens(desired):
    """``desired`` as a list, after checking every item is a crashkernel= token."""
    desired = list(desired)
    for token in desired:
        if not token.startswith(CRASHKERNEL):
            raise BootloaderError("not a crashkernel= token: %r" % (token,))
    return desired


def token_values(tokens):
    """['crashkernel=256M,high', 'crashkernel=72M,low'] -> ['256M,high', '72M,low']."""
    return [token[len(CRASHKERNEL):] for token in tokens]


def crashkernel_tokens(cmdline):
    """The ``crashkernel=`` words of a command line, in order."""
    return [word for word in cmdline.split() if word.startswith(CRASHKERNEL)]


def replace_crashkernel(cmdline, desired):
    """``cmdline`` without any ``crashkernel=`` word, then the ``desired`` tokens appended."""
    words = [word for word in cmdline.split() if not word.startswith(CRASHKERNEL)]
    return " ".join(words + list(desired))


def desired_tokens(value=None, low=None):
    """The tokens that express a request: ``crashkernel=VALUE`` and optionally ``,low``.

    ``value`` is the canonical text after ``crashkernel=`` (None for none at all);
    ``low`` the canonical low size text (e.g. ``72M``) that goes with a ``,high`` value.
    """
    tokens = []
    if value:
        tokens.append(CRASHKERNEL + value)
    if low is not None:
        tokens.append(CRASHKERNEL + low + ",low")
    return tokens


# Prints GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT as grub2-mkconfig sees them after sourcing
# the /etc/default/grub text given on stdin (with /bin/sh, which is bash where this file is edited: the
# Red Hat family and SUSE), then GRUB_DEFAULTS_END so that output cut short is told from empty values.
GRUB_DEFAULTS_END = "# end of the GRUB defaults as the shell read them"
READ_GRUB_DEFAULTS = ('. /dev/stdin >/dev/null 2>&1\n'
                      'printf "%%s\\n%%s\\n%%s\\n" "$GRUB_CMDLINE_LINUX" "$GRUB_CMDLINE_LINUX_DEFAULT" "%s"\n'
                      % GRUB_DEFAULTS_END)


def parse_grub_defaults(stdout):
    """(GRUB_CMDLINE_LINUX words, GRUB_CMDLINE_LINUX_DEFAULT words) from READ_GRUB_DEFAULTS' output."""
    lines = stdout.split("\n")
    if len(lines) != 4 or lines[2] != GRUB_DEFAULTS_END or lines[3] != "":
        raise BootloaderError("cannot read GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT through the shell: "
                              "it printed %r" % stdout[-400:])
    return lines[0].split(), lines[1].split()


def grub_defaults_edit_problems(before, after, desired, target, path):
    """What is wrong with an edit of ``path`` as the shell reads it: ``before`` and ``after`` are
    parse_grub_defaults() results. Every other boot argument must stay, in order, and ``target`` must
    carry exactly the ``desired`` crashkernel= tokens, the other variable none."""
    def others(words):
        return [word for word in words if not word.startswith(CRASHKERNEL)]

    def crash(words):
        return [word for word in words if word.startswith(CRASHKERNEL)]

    names = ("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT")
    problems = []
    if others(after[0] + after[1]) != others(before[0] + before[1]):
        problems.append("%s as the shell reads it changed other boot arguments: %s became %s" % (
            path, " ".join(others(before[0] + before[1])) or "none", " ".join(others(after[0] + after[1])) or "none"))
    for name, words in zip(names, after):
        want = list(desired) if name == target else []
        if crash(words) != want:
            problems.append("%s as the shell reads it sets %s to %s, expected %s" % (
                path, name, " ".join(crash(words)) or "no crashkernel=", " ".join(want) or "no crashkernel="))
    return problems


class BackendBase(object):
    """What every backend object shares: the host and facts it works on, and verification by replanning.

    A subclass sets ``name`` and implements every method below that raises NotImplementedError.
    """

    name = None

    def __init__(self, host, facts):
        self.host = host
        self.facts = facts

    @staticmethod
    def detect(host, facts):
        """Whether the host boots through this backend's tool."""
        raise NotImplementedError

    def read(self, request):
        """The inputs ``plan`` needs (files and tool output, as text); opaque to callers."""
        raise NotImplementedError

    def plan(self, inputs, request):
        """The Plan for ``request`` from ``inputs``: pure."""
        raise NotImplementedError

    def verify(self, inputs, request):
        """[problem, ...] once the tool ran, read from the host again."""
        raise NotImplementedError

    def entries(self):
        """[EntryChange] of the boot entries, read-only (kdump_info)."""
        raise NotImplementedError

    def still_to_change(self, request):
        """The plan a second read of the host gives after the tool ran (empty when it took effect)."""
        return self.plan(self.read(request), request)

    def grub_defaults_problems(self, path, before_text, desired, target):
        """Problems with ``path`` (an /etc/default/grub) as the shell reads it now, against ``before_text``."""
        def read(text):
            return parse_grub_defaults(self.host.run(["/bin/sh", "-c", READ_GRUB_DEFAULTS],
                                                     data=text.encode("utf-8"))[1])
        return grub_defaults_edit_problems(read(before_text), read(self.host.read_text(path) or ""), desired, target,
                                           path)

    def grub_cfg_entries(self, path):
        """The entries of a generated grub.cfg as read-only EntryChanges."""
        return [EntryChange(e["title"], e["kernel"], crashkernel_tokens(e["args"]), crashkernel_tokens(e["args"]),
                            kind=e["kind"]) for e in grub_cfg_entries(self.host.read_text(path) or "")]
