# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The zipl backend: s390x hosts whose boot entries live in ``/etc/zipl.conf``.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Python 2.7 and 3.6+; the planning functions are pure, ``Backend`` does the I/O.

``/etc/zipl.conf`` has ``[name]`` sections and ``:name`` menu sections of
``key=value`` lines. A boot section is one with an ``image=`` line and no
``dumpto=``/``dumptofs=``; its ``parameters=`` (or ``parameters = "..."``)
lines hold the kernel command line. Every boot section's parameters get
exactly the desired ``crashkernel=`` tokens (removed from every such line,
appended to the last one, quoting kept); ``[defaultboot]``, dump and menu
sections are left alone. After the file changes, ``zipl`` must run to write
the boot record. (RHEL 8+ and Fedora on s390x keep their entries in BLS
files under ``/boot/loader/entries``, which grubby manages, and their
``zipl.conf`` holds only ``[defaultboot]``; this backend is for zipl.conf-based
hosts such as RHEL 7 and Debian, and refuses a zipl.conf without boot sections
instead of reporting success with nothing planned.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BackendBase,
    BootloaderError,
    EntryChange,
    Plan,
    checked_tokens,
    crashkernel_tokens,
    replace_crashkernel,
)

NAME = "zipl"
ZIPL_CONF = "/etc/zipl.conf"

_SECTION = re.compile(r"^\s*\[([^\]]*)\]\s*$")
_MENU = re.compile(r"^\s*:(\S+)")
_KEY = re.compile(r"^(\s*)([A-Za-z_]+)(\s*=\s*)(.*?)(\s*)$")


class _Section(object):
    def __init__(self, name, menu):
        self.name = name
        self.menu = menu
        self.keys = {}          # key -> [line index, ...]
        self.image = None


def _sections(lines):
    sections = []
    current = None
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        section = _SECTION.match(body)
        menu = _MENU.match(body)
        if section or menu:
            current = _Section((section or menu).group(1), bool(menu))
            sections.append(current)
            continue
        match = _KEY.match(body)
        if current is None or match is None or body.lstrip().startswith("#"):
            continue
        key = match.group(2).lower()
        current.keys.setdefault(key, []).append(index)
        if key == "image":
            current.image = match.group(4)
    return sections


def _split_value(value, line_number):
    """(quote, inner) of a parameters value: "...", '...' or unquoted."""
    if value[:1] in "\"'":
        quote = value[0]
        if len(value) < 2 or not value.endswith(quote) or quote in value[1:-1]:
            raise BootloaderError("cannot safely edit /etc/zipl.conf line %d: unbalanced quotes in %r"
                                  % (line_number, value))
        return quote, value[1:-1]
    return "", value


def _boot_sections(lines):
    return [section for section in _sections(lines)
            if not section.menu and section.image is not None
            and "dumpto" not in section.keys and "dumptofs" not in section.keys]


def has_boot_sections(zipl_conf):
    """Whether ``zipl_conf`` (its text) has a boot section, i.e. the entries live in it and not in BLS files."""
    return bool(_boot_sections((zipl_conf or "").splitlines(True)))


def plan(zipl_conf, desired, zipl=("zipl",)):
    """Plan ``desired`` crashkernel= tokens for every boot section of ``zipl_conf`` (its text)."""
    desired = checked_tokens(desired)
    lines = zipl_conf.splitlines(True)
    replaced = {}           # line index -> new text (may hold an added line)
    result = Plan(NAME, desired)
    sections = _boot_sections(lines)
    if not sections:
        raise BootloaderError("%s has no boot section (a [section] with image=): on RHEL 8+ and Fedora the boot "
                              "entries are BLS files under /boot/loader/entries, which grubby manages; use "
                              "bootloader=grubby" % ZIPL_CONF)
    for section in sections:
        parsed = []
        before = []
        for index in section.keys.get("parameters", []):
            match = _KEY.match(lines[index].rstrip("\r\n"))
            quote, inner = _split_value(match.group(4), index + 1)
            parsed.append((index, match, quote, inner))
            before.extend(crashkernel_tokens(inner))
        change = EntryChange(section.name, section.image, before, desired)
        result.entries.append(change)
        if not change.changed:
            continue
        if not parsed:
            # a boot section without parameters: add the line after its image= line
            index = section.keys["image"][-1]
            line = lines[index]
            indent = _KEY.match(line.rstrip("\r\n")).group(1)
            ending = line[len(line.rstrip("\r\n")):]
            added = '%sparameters="%s"' % (indent, " ".join(desired))
            # the new line ends as the image= line did (no newline at the end of the file stays so)
            replaced[index] = line + added + ending if ending else line + "\n" + added
            continue
        for position, (index, match, quote, inner) in enumerate(parsed):
            last = position == len(parsed) - 1
            new_inner = replace_crashkernel(inner, desired if last else [])
            if quote == "" and " " in new_inner:
                quote = '"'
            ending = lines[index][len(lines[index].rstrip("\r\n")):]
            replaced[index] = "".join((match.group(1), match.group(2), match.group(3), quote, new_inner,
                                       quote, match.group(5), ending))
    new = "".join(replaced.get(index, line) for index, line in enumerate(lines))
    if new != zipl_conf:
        result.files[ZIPL_CONF] = new
        result.commands.append(list(zipl))
    return result


class Backend(BackendBase):
    """zipl on s390x hosts whose entries live in /etc/zipl.conf (see the module docstring)."""

    name = NAME

    @staticmethod
    def detect(host, facts):
        return (facts.arch == "s390x" and host.which("zipl") is not None
                and has_boot_sections(host.read_text(ZIPL_CONF)))

    def read(self, request):
        return dict(zipl_conf=self.host.read_text(ZIPL_CONF) or "", zipl=(self.host.which("zipl", required=True),))

    def plan(self, inputs, request):
        return plan(inputs["zipl_conf"], request.desired, zipl=inputs["zipl"])

    def verify(self, inputs, request):
        return ["%s still needs changes" % ZIPL_CONF] if self.still_to_change(request).changed else []

    def entries(self):
        text = self.host.read_text(ZIPL_CONF)
        if not has_boot_sections(text):
            return []
        return [EntryChange(e.name, e.kernel, e.before, e.before, kind=e.kind)
                for e in plan(text, []).entries]
