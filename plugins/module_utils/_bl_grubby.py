# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The grubby backend: RHEL, CentOS, Alma, Rocky, Oracle 7-10 and Fedora.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Python 2.7 and 3.6+. The planning functions are pure: every input is the text
``Backend.read`` gathered (``grubby --info=ALL``, ``grubby --default-kernel``,
files).

What the plan does:

* Every entry ``grubby --info=ALL`` lists (or only the default kernel's) is
  compared with the desired ``crashkernel=`` tokens; only differing entries
  are changed. When every entry differs and all kernels are managed, one
  ``grubby --update-kernel=ALL`` does it: on RHEL 8 that also rewrites
  ``kernelopts`` in grubenv, so entries that say ``options $kernelopts``
  keep saying so instead of being turned into literal options.
* New kernels inherit the value the way each release does it: RHEL 7 (and
  ``grub2-mkconfig`` on any release) reads ``GRUB_CMDLINE_LINUX`` in
  ``/etc/default/grub``; RHEL 9+ and Fedora's kernel-install read
  ``/etc/kernel/cmdline``; RHEL 8's BLS entries use ``$kernelopts``, which the
  ``ALL`` update keeps current.
* ``auto_reset_crashkernel``: kdump-utils (RHEL 9.3+, RHEL 10, Fedora) ships
  ``auto_reset_crashkernel yes`` in ``/etc/kdump.conf``. With it, the package's
  RPM ``%posttrans`` (``kdumpctl _reset-crashkernel-after-update``) and the
  kernel-install plugin ``92-crashkernel.install`` overwrite ANY
  ``crashkernel=`` that differs from the distribution default (since
  kdump-utils commit 5b31b09 they no longer check whether the old value was a
  previous default). A value we set that is not the default would silently be
  reverted at the next kdump-utils update or kernel install, so the plan also
  sets ``auto_reset_crashkernel no`` in that case. A value equal to the
  default is left to the distribution's own mechanism.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BackendBase,
    BootloaderError,
    CRASHKERNEL,
    EntryChange,
    Plan,
    checked_tokens,
    crashkernel_tokens,
    replace_crashkernel,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import CrashkernelError
from ansible_collections.crashdump.kdump.plugins.module_utils._distro_defaults import recommended_crashkernel
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import set_crashkernel

NAME = "grubby"
BLS_ENTRIES = "/boot/loader/entries/*.conf"
# Files grubby rewrites besides those in the plan (BLS entries, grubenv with
# RHEL 8's kernelopts, RHEL 7's grub.cfg): saved so a failure restores them.
# /etc/grub2.cfg and the EFI grubenv of EL7/8 are symbolic links; the
# transaction saves the link and its target.
GRUBBY_TOUCHES = (BLS_ENTRIES, "/boot/grub2/grubenv", "/boot/grub2/grub.cfg",
                  "/boot/efi/EFI/*/grubenv", "/boot/efi/EFI/*/grub.cfg", "/etc/grub2.cfg", "/etc/grub2-efi.cfg")

ETC_DEFAULT_GRUB = "/etc/default/grub"
KERNEL_CMDLINE = "/etc/kernel/cmdline"
KDUMP_CONF = "/etc/kdump.conf"

_FIELDS = ("index", "kernel", "args", "root", "initrd", "title", "id")
_INFO_LINE = re.compile(r"^(index|kernel|args|root|initrd|title|id)=(.*)$")
_AUTO_RESET = re.compile(r"^\s*auto_reset_crashkernel\b\s*(\S*)")


def _unquote(value):
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def parse_info_all(text):
    """The Linux entries of ``grubby --info=ALL`` output, in order.

    Each entry is a dict with ``index`` (int), ``kernel``, ``args``, ``root``,
    ``initrd``, ``title`` and ``id`` (None when grubby did not print it).
    Values may be quoted (grubby-bls, RHEL 8+) or not (grubby 8.28, RHEL 7).
    ``non linux entry`` blocks and lines that are not ``key=value`` (stderr
    noise such as grubby-bls complaining about ``/etc/machine-id``) are skipped.
    """
    entries = []
    current = None
    for line in text.splitlines():
        line = line.rstrip("\r")
        if line.strip() == "non linux entry":
            if current is not None:
                current["_skip"] = True
            continue
        match = _INFO_LINE.match(line)
        if match is None:
            continue
        key, value = match.group(1), _unquote(match.group(2))
        if key == "index":
            current = dict((field, None) for field in _FIELDS)
            try:
                current["index"] = int(value)
            except ValueError:
                raise BootloaderError("grubby printed an index that is not a number: %r" % (line,))
            entries.append(current)
        elif current is not None:
            current[key] = value
    return [dict((field, entry[field]) for field in _FIELDS)
            for entry in entries if not entry.get("_skip") and entry["kernel"]]


def parse_default_kernel(text):
    """The kernel path from ``grubby --default-kernel`` output (stderr noise ignored)."""
    paths = [line.strip() for line in text.splitlines() if line.strip().startswith("/")
             and ":" not in line]
    if not paths:
        raise BootloaderError("grubby --default-kernel printed no kernel path: %r" % (text,))
    return paths[-1]


def _merged_tokens(token_lists):
    """Tokens of several entries, first-seen order, each as often as one entry has it."""
    merged = []
    for tokens in token_lists:
        for token in tokens:
            if tokens.count(token) > merged.count(token):
                merged.append(token)
    return merged


def _command(grubby, kernel, remove, desired):
    argv = [grubby, "--update-kernel=" + kernel]
    if remove:
        argv.append("--remove-args=" + " ".join(remove))
    if desired:
        argv.append("--args=" + " ".join(desired))
    return argv


def _select(entries, kernels, default_kernel):
    if kernels == "all":
        return entries
    if kernels != "default":
        raise BootloaderError("kernels must be 'all' or 'default', not %r" % (kernels,))
    if default_kernel is None:
        raise BootloaderError("kernels=default needs the output of grubby --default-kernel")
    path = parse_default_kernel(default_kernel)
    chosen = [entry for entry in entries if entry["kernel"] == path]
    if not chosen:
        base = path.rsplit("/", 1)[-1]
        chosen = [entry for entry in entries if entry["kernel"].rsplit("/", 1)[-1] == base]
    if not chosen:
        raise BootloaderError("the default kernel %s is not among the boot entries grubby lists" % path)
    return chosen


def replace_in_cmdline_file(text, desired):
    """``/etc/kernel/cmdline`` text with the desired tokens; a missing final newline stays missing."""
    if crashkernel_tokens(text) == list(desired):
        return text
    body = text.rstrip("\n")
    return replace_crashkernel(body, desired) + text[len(body):]


def set_auto_reset_no(text):
    """``/etc/kdump.conf`` text with an active ``auto_reset_crashkernel no``.

    An active ``auto_reset_crashkernel yes`` (or other value) line is replaced
    in place, keeping its indentation; comments are left alone; when there is
    no active line, one is appended.
    """
    lines = text.splitlines(True)
    active = [index for index, line in enumerate(lines) if _AUTO_RESET.match(line)]
    if active and all(_AUTO_RESET.match(lines[index]).group(1) == "no" for index in active):
        return text
    if not active:
        prefix = "" if not text or text.endswith("\n") else "\n"
        return text + prefix + "auto_reset_crashkernel no\n"
    for index in active:
        line = lines[index]
        indent = line[:len(line) - len(line.lstrip())]
        ending = line[len(line.rstrip("\r\n")):]
        lines[index] = indent + "auto_reset_crashkernel no" + ending
    return "".join(lines)


def plan(info_all_text, desired, grubby="grubby", kernels="all", default_kernel=None,
         etc_default_grub=None, kernel_cmdline=None, kdump_conf=None, distro_default=None):
    """Plan the change of every examined boot entry to exactly ``desired``.

    ``info_all_text``: stdout of ``grubby --info=ALL``; ``desired``: the
    crashkernel= tokens (``[]`` removes them all); ``kernels``: ``all`` or
    ``default`` (then ``default_kernel`` is the output of ``grubby
    --default-kernel``); ``etc_default_grub`` / ``kernel_cmdline`` /
    ``kdump_conf``: the files' text when they exist, else None;
    ``distro_default``: the distribution's default value (text after
    ``crashkernel=``, e.g. the output of ``kdumpctl get-default-crashkernel``),
    or None when unknown (then any value counts as non-default).
    """
    desired = checked_tokens(desired)
    entries = parse_info_all(info_all_text)
    if not entries:
        raise BootloaderError("grubby --info=ALL listed no Linux boot entry")
    examined = _select(entries, kernels, default_kernel)

    result = Plan(NAME, desired)
    differing = []
    for entry in examined:
        change = EntryChange(entry["title"] or entry["kernel"], entry["kernel"],
                             crashkernel_tokens(entry["args"] or ""), desired)
        result.entries.append(change)
        if change.changed:
            differing.append(change)
    if differing:
        if kernels == "all" and len(differing) == len(examined):
            remove = _merged_tokens([change.before for change in differing])
            result.commands.append(_command(grubby, "ALL", remove, desired))
        else:
            for change in differing:
                result.commands.append(_command(grubby, change.kernel, change.before, desired))

    if kernels == "all":
        if etc_default_grub is not None:
            new = set_crashkernel(etc_default_grub, desired, target="GRUB_CMDLINE_LINUX",
                                  strip=("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"), path=ETC_DEFAULT_GRUB)
            if new != etc_default_grub:
                result.files[ETC_DEFAULT_GRUB] = new
        if kernel_cmdline is not None:
            new = replace_in_cmdline_file(kernel_cmdline, desired)
            if new != kernel_cmdline:
                result.files[KERNEL_CMDLINE] = new

    if kdump_conf is not None and desired:
        default_tokens = [CRASHKERNEL + distro_default.strip()] if distro_default else None
        if default_tokens != desired:
            new = set_auto_reset_no(kdump_conf)
            if new != kdump_conf:
                result.files[KDUMP_CONF] = new
    return result


class Backend(BackendBase):
    """grubby on the Red Hat family (see the module docstring)."""

    name = NAME

    @staticmethod
    def detect(host, facts):
        """BLS entries with grubby (RHEL 8+ and Fedora, s390x included), or a Red Hat host off s390x."""
        if host.which("grubby") is None:
            return False
        return bool(host.glob(BLS_ENTRIES)) or (facts.family == "redhat" and facts.arch != "s390x")

    def read(self, request):
        tool = self.host.which("grubby", required=True)
        default_kernel = self.host.run([tool, "--default-kernel"])[1] if request.kernels == "default" else None
        try:
            distro_value = recommended_crashkernel(self.host, self.facts)[0]
        except CrashkernelError:
            distro_value = None
        return dict(tool=tool, info_all=self.host.run([tool, "--info=ALL"])[1], default_kernel=default_kernel,
                    etc_default_grub=self.host.read_text(ETC_DEFAULT_GRUB),
                    kernel_cmdline=self.host.read_text(KERNEL_CMDLINE), kdump_conf=self.host.read_text(KDUMP_CONF),
                    distro_default=distro_value,
                    # s390x: grubby edits the BLS entries, zipl writes them to the IPL bootmap; grubby does not
                    # run it (grubby-bls; s390utils' 91-zipl.install does, for kernel-install only).
                    zipl=self.host.which("zipl", required=True) if self.facts.arch == "s390x" else None,
                    regenerated=sorted(set(path for pattern in GRUBBY_TOUCHES for path in self.host.glob(pattern))))

    def plan(self, inputs, request):
        result = plan(inputs["info_all"], request.desired, grubby=inputs["tool"], kernels=request.kernels,
                      default_kernel=inputs["default_kernel"], etc_default_grub=inputs["etc_default_grub"],
                      kernel_cmdline=inputs["kernel_cmdline"], kdump_conf=inputs["kdump_conf"],
                      distro_default=inputs["distro_default"])
        result.regenerated = list(inputs["regenerated"])
        if inputs.get("zipl") and result.commands:
            result.commands.append([inputs["zipl"]])
        return result

    def verify(self, inputs, request):
        again = self.still_to_change(request)
        problems = []
        if again.changed:
            problems.append("still to change after grubby: %s" % ", ".join(
                [e.name for e in again.entries_changed()] + sorted(again.files)))
        if request.kernels == "all" and inputs["etc_default_grub"] is not None:
            # The editor's own re-plan cannot see what it misreads: ask the shell.
            problems.extend(self.grub_defaults_problems(ETC_DEFAULT_GRUB, inputs["etc_default_grub"],
                                                        request.desired, "GRUB_CMDLINE_LINUX"))
        return problems

    def entries(self):
        tool = self.host.which("grubby")
        if not tool:
            return []
        rc, out, _err = self.host.run([tool, "--info=ALL"], check=False)
        if rc != 0:
            return []
        return [EntryChange(e["title"] or e["kernel"], e["kernel"], crashkernel_tokens(e["args"] or ""),
                            crashkernel_tokens(e["args"] or "")) for e in parse_info_all(out)]
