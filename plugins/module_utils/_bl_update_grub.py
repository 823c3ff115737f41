# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The update-grub backend (Debian and Ubuntu): crashkernel= through a GRUB drop-in.

PRIVATE to the crashdump.kdump collection; it may change without notice.

kdump-tools ships /etc/default/grub.d/kdump-tools.cfg, a dpkg conffile that
appends its default to GRUB_CMDLINE_LINUX_DEFAULT; editing it would make every
package upgrade ask the admin. Instead we add our own drop-in, named to be
sourced after it (grub-mkconfig sources /etc/default/grub, then
/etc/default/grub.d/*.cfg in C collation order). It removes every
crashkernel= that /etc/default/grub and the other drop-ins set and appends
ours once, so every normal menu entry carries exactly the requested value.
Recovery entries carry only GRUB_CMDLINE_LINUX (10_linux); memtest86+ and
os-prober entries carry neither and are left alone. Python 2.7 and 3.6+; the
planning functions are pure, ``Backend`` does the I/O through ``host``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BackendBase,
    ENTRY_LINUX,
    ENTRY_RESCUE,
    BootloaderError,
    EntryChange,
    Plan,
    crashkernel_tokens,
    grub_cfg_entries,
)

NAME = "update-grub"

DROPIN_DIR = "/etc/default/grub.d"
# 'zz-' sorts after 'kdump-tools.cfg' and the cloud images' '50-cloudimg-*.cfg'.
DROPIN = DROPIN_DIR + "/zz-crashdump-kdump.cfg"
GRUB_CFG = "/boot/grub/grub.cfg"

_STRIP = "sed -e 's/\\(^\\|[[:space:]]\\)crashkernel=[^[:space:]]*//g'"

# Prints the two variables as grub-mkconfig would see them, one per line, then END_MARK so that
# output cut short is told from empty variables. Arguments: the drop-ins in order; '-' stands for our
# planned drop-in, read from stdin.
END_MARK = "# end of the evaluated GRUB defaults"
EVALUATE_SCRIPT = (
    '[ -f /etc/default/grub ] && . /etc/default/grub\n'
    'for f in "$@"; do\n'
    '  if [ "$f" = - ]; then . /dev/stdin; elif [ -e "$f" ]; then . "$f"; fi\n'
    'done\n'
    'printf "%%s\\n%%s\\n%%s\\n" "$GRUB_CMDLINE_LINUX" "$GRUB_CMDLINE_LINUX_DEFAULT" "%s"\n' % END_MARK
)


def render_dropin(desired):
    """The drop-in's text: strip every crashkernel=, then add ``desired`` (a token list)."""
    lines = [
        "# Managed by the crashdump.kdump Ansible collection (crashdump.kdump.crashkernel).",
        "# Local changes are overwritten. Sourced after /etc/default/grub and the other",
        "# drop-ins (kdump-tools.cfg included): removes every crashkernel= they set and",
        "# adds the value this host should boot with, exactly once.",
        'GRUB_CMDLINE_LINUX="$(printf \'%%s\\n\' "$GRUB_CMDLINE_LINUX" | %s)"' % _STRIP,
    ]
    default = 'GRUB_CMDLINE_LINUX_DEFAULT="$(printf \'%%s\\n\' "$GRUB_CMDLINE_LINUX_DEFAULT" | %s)' % _STRIP
    for token in desired:
        if not re.match(r"^crashkernel=[0-9A-Za-z@:,\-]+$", token):
            raise BootloaderError("refusing to write %r into a shell file" % token)
        default += " " + token
    lines.append(default + '"')
    return "\n".join(lines) + "\n"


def dropin_order(existing_names, ours_present):
    """Arguments for EVALUATE_SCRIPT: the other drop-ins in C order, '-' where ours goes."""
    ours = DROPIN.rsplit("/", 1)[1]
    names = sorted(set(n for n in existing_names if n.endswith(".cfg")) - set([ours]))
    if ours_present:
        names = sorted(names + [ours])
    return ["-" if name == ours else DROPIN_DIR + "/" + name for name in names]


def parse_evaluated(stdout):
    """(tokens from GRUB_CMDLINE_LINUX, tokens from GRUB_CMDLINE_LINUX_DEFAULT) from EVALUATE_SCRIPT's output."""
    lines = stdout.split("\n")
    if len(lines) != 4 or lines[2] != END_MARK or lines[3] != "":
        raise BootloaderError("cannot read GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT as grub-mkconfig "
                              "would see them: the shell printed %r, expected two lines and %r (a value with a "
                              "line break, or output cut short). Nothing was changed." % (stdout[-400:], END_MARK))
    return crashkernel_tokens(lines[0]), crashkernel_tokens(lines[1])


def _expected(kind, predicted):
    """What an entry of ``kind`` carries after update-grub, or None for entries GRUB_CMDLINE_* never reach."""
    linux_tokens, default_tokens = predicted
    if kind == ENTRY_LINUX:
        return list(linux_tokens) + list(default_tokens)
    if kind == ENTRY_RESCUE:
        return list(linux_tokens)
    return None


def plan(dropin_text, grub_cfg_text, manage, desired, predicted, update_grub):
    """Plan the drop-in and update-grub.

    ``dropin_text``: our drop-in now (None if absent). ``manage``: whether the
    drop-in should exist (present, or absent with the distro default removed).
    ``desired``: tokens our drop-in adds. ``predicted``: (LINUX tokens,
    LINUX_DEFAULT tokens) as grub-mkconfig will see them with the planned
    drop-in. ``update_grub``: the argv that regenerates grub.cfg.
    """
    linux_tokens, default_tokens = predicted
    result = Plan(NAME, desired=list(linux_tokens) + list(default_tokens))
    wanted = render_dropin(desired) if manage else None
    if wanted != dropin_text:
        result.files[DROPIN] = wanted
    for entry in grub_cfg_entries(grub_cfg_text or ""):
        after = _expected(entry["kind"], predicted)
        if after is not None:
            result.entries.append(EntryChange(entry["title"], entry["kernel"], crashkernel_tokens(entry["args"]),
                                              after, kind=entry["kind"]))
    if result.files or result.entries_changed() or (grub_cfg_text is None and manage):
        result.commands.append(list(update_grub))
        # grub-mkconfig writes grub.cfg.new first and leaves it behind when it fails.
        result.regenerated.extend([GRUB_CFG, GRUB_CFG + ".new"])
    return result


def verify(grub_cfg_text, predicted):
    """Problems with the regenerated grub.cfg: this system's entries that do not carry what was planned."""
    problems = []
    entries = [entry for entry in grub_cfg_entries(grub_cfg_text or "")
               if _expected(entry["kind"], predicted) is not None]
    if not entries:
        problems.append("%s has no Linux entries" % GRUB_CFG)
    for entry in entries:
        want = _expected(entry["kind"], predicted)
        have = crashkernel_tokens(entry["args"])
        if have != want:
            problems.append("%r boots with %s, expected %s" % (
                entry["title"], " ".join(have) or "no crashkernel=", " ".join(want) or "no crashkernel="))
    return problems


class Backend(BackendBase):
    """update-grub on Debian and Ubuntu (see the module docstring)."""

    name = NAME

    @staticmethod
    def detect(host, facts):
        return facts.family == "debian" and host.which("update-grub") is not None

    def read(self, request):
        if request.kernels != "all":
            raise BootloaderError("with update-grub every GRUB entry comes from one configuration; "
                                  "kernels=default is not possible")
        manage = request.state == "present" or request.remove_distro_default
        planned = render_dropin(request.desired) if manage else ""
        order = dropin_order(self.host.listdir(DROPIN_DIR), manage)
        out = self.host.run(["/bin/sh", "-c", EVALUATE_SCRIPT, "sh"] + order, data=planned.encode("utf-8"))[1]
        return dict(manage=manage, predicted=parse_evaluated(out), dropin=self.host.read_text(DROPIN),
                    grub_cfg=self.host.read_text(GRUB_CFG),
                    update_grub=[self.host.which("update-grub", required=True)])

    def plan(self, inputs, request):
        predicted = inputs["predicted"]
        normal_after = list(predicted[0]) + list(predicted[1])
        if request.state == "present" and normal_after != request.desired:
            raise BootloaderError("a GRUB drop-in sourced after %s would still change crashkernel= (entries "
                                  "would boot with %s)" % (DROPIN, " ".join(normal_after) or "none"))
        return plan(inputs["dropin"], inputs["grub_cfg"], inputs["manage"], request.desired, predicted,
                    inputs["update_grub"])

    def verify(self, inputs, request):
        return verify(self.host.read_text(GRUB_CFG), inputs["predicted"])

    def entries(self):
        return self.grub_cfg_entries(GRUB_CFG)
