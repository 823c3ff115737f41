# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump's own configuration: structured options onto each family's file.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Red Hat: /etc/kdump.conf directives; Debian/Ubuntu: /etc/default/kdump-tools
and SUSE: /etc/sysconfig/kdump, both shell variable files. Lines the options do
not manage are kept byte for byte. Pure logic; Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import ShellVarError, get_var, set_var

# makedumpfile's compression flags (makedumpfile(8)).
COMPRESSION_FLAGS = {"zlib": "-c", "lzo": "-l", "snappy": "-p", "zstd": "-z", "none": ""}
# Fastest first: measured here, lzo dumps in about half zlib's time (DESIGN §6).
FASTEST_FIRST = ("lzo", "snappy", "zstd", "zlib")
# SUSE's KDUMP_DUMPFORMAT names for the same choices (kdump(5)).
SUSE_FORMATS = {"zlib": "compressed", "lzo": "lzo", "snappy": "snappy", "zstd": "zstd", "none": "ELF"}
TARGET_TYPES = ("local", "ssh", "nfs", "raw", "fs")
FAILURE_ACTIONS = ("reboot", "halt", "poweroff", "shell", "dump_to_rootfs")
# Red Hat target directives: only one may be active.
REDHAT_TARGETS = ("ssh", "nfs", "raw", "ext2", "ext3", "ext4", "xfs", "btrfs", "minix", "virtiofs")

CONFIG_FILES = {
    "debian": "/etc/default/kdump-tools",
    "redhat": "/etc/kdump.conf",
    "suse": "/etc/sysconfig/kdump",
}


class ConfigError(ValueError):
    """An option value or combination that cannot work; the message says which and why."""


# Debian's kdump-tools packs only the remote-target settings into its initrd; the rest it reads
# from /etc/default/kdump-tools when it loads and when it saves the dump.
DEBIAN_INITRD_VARS = ("SSH", "SSH_KEY", "NFS", "NFS_TIMEO", "NFS_RETRANS")


def initrd_rebuild_needed(family, before, after):
    """Whether the capture initrd must be rebuilt after the config changed from before to after.

    kdumpctl and mkdumprd build what the config names into the initrd, so any change counts on
    Red Hat and SUSE; on Debian only a changed remote target does.
    """
    if before == after:
        return False
    if family != "debian":
        return True
    return any(get_var(before, name) != get_var(after, name) for name in DEBIAN_INITRD_VARS)


def available_compressions(version_output):
    """Compressions the installed makedumpfile has, from ``makedumpfile -v`` (zlib always)."""
    found = set(["zlib", "none"])
    for name in ("lzo", "snappy", "zstd"):
        if re.search(r"^\s*%s\s+enabled" % name, version_output or "", re.M | re.I):
            found.add(name)
    return found


def choose_compression(requested, available):
    if requested != "auto":
        if requested not in available:
            raise ConfigError("compression %r is not built into this host's makedumpfile (it has: %s)"
                              % (requested, ", ".join(sorted(available))))
        return requested
    for name in FASTEST_FIRST:
        if name in available:
            return name
    return "zlib"


def _safe(value, what):
    if not re.match(r"^[A-Za-z0-9_.,:@=+/%\-]+$", str(value)):
        raise ConfigError("%s %r may contain only letters, digits and _ . , : @ = + / %% -" % (what, value))
    return str(value)


def validate(options):
    """Check the options; return them normalised or raise ConfigError naming the problem."""
    opts = dict(options)
    if opts.get("path") is not None:
        _safe(opts["path"], "path")
        if not opts["path"].startswith("/"):
            raise ConfigError("path %r must be absolute" % opts["path"])
    target = dict(opts.get("target") or {})
    kind = target.get("type") or "local"
    if kind not in TARGET_TYPES:
        raise ConfigError("target type %r is not one of %s" % (kind, ", ".join(TARGET_TYPES)))
    if kind == "ssh":
        if not target.get("host"):
            raise ConfigError("an ssh target needs target.host (user@host or host with target.user)")
        host = target["host"] if "@" in target["host"] or not target.get("user") else \
            "%s@%s" % (target["user"], target["host"])
        target["host"] = _safe(host, "target.host")
        if target.get("key"):
            _safe(target["key"], "target.key")
    elif kind == "nfs":
        if not target.get("export") or ":" not in target["export"]:
            raise ConfigError("an nfs target needs target.export as server:/path, got %r" % target.get("export"))
        _safe(target["export"], "target.export")
    elif kind in ("raw", "fs"):
        if not target.get("device"):
            raise ConfigError("a %s target needs target.device (/dev/..., UUID=... or LABEL=...)" % kind)
        _safe(target["device"], "target.device")
        if kind == "fs":
            if target.get("fstype") not in REDHAT_TARGETS[2:]:
                raise ConfigError("an fs target needs target.fstype, one of %s" % ", ".join(REDHAT_TARGETS[2:]))
    target["type"] = kind
    opts["target"] = target
    collector = dict(opts.get("core_collector") or {})
    level = collector.get("dump_level", 31)
    if not isinstance(level, int) or not 0 <= level <= 31:
        raise ConfigError("core_collector.dump_level must be 0 to 31, got %r" % (level,))
    message_level = collector.get("message_level")
    if message_level is not None and (not isinstance(message_level, int) or not 0 <= message_level <= 31):
        raise ConfigError("core_collector.message_level must be 0 to 31, got %r" % (message_level,))
    compression = collector.get("compression") or "auto"
    if compression != "auto" and compression not in COMPRESSION_FLAGS:
        raise ConfigError("core_collector.compression %r is not one of auto, %s"
                          % (compression, ", ".join(sorted(COMPRESSION_FLAGS))))
    collector.update(dump_level=level, compression=compression, message_level=message_level)
    opts["core_collector"] = collector
    action = opts.get("failure_action")
    if action is not None and action not in FAILURE_ACTIONS:
        raise ConfigError("failure_action %r is not one of %s" % (action, ", ".join(FAILURE_ACTIONS)))
    for key, value in (opts.get("extra") or {}).items():
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(key)):
            raise ConfigError("extra key %r is not a plain name" % (key,))
        if "\n" in str(value):
            raise ConfigError("extra value of %s contains a newline" % key)
    return opts


def makedumpfile_args(collector, compression, flattened=False):
    """'-l -d 31 [--message-level N] [-F]' for the chosen options."""
    words = []
    if COMPRESSION_FLAGS[compression]:
        words.append(COMPRESSION_FLAGS[compression])
    words += ["-d", str(collector["dump_level"])]
    if collector.get("message_level") is not None:
        words += ["--message-level", str(collector["message_level"])]
    if flattened:
        words.insert(0, "-F")
    return " ".join(words)


def _keep_message_level(collector, current):
    """The collector with the current --message-level kept when none was asked for."""
    if collector.get("message_level") is not None or not current:
        return collector
    match = re.search(r"--message-level[= ](\d+)", current)
    if not match:
        return collector
    kept = dict(collector)
    kept["message_level"] = int(match.group(1))
    return kept


def _set_shell(text, name, value):
    try:
        return set_var(text, name, value)
    except ShellVarError as exc:
        raise ConfigError(str(exc))


def render_debian(text, opts, compression):
    """/etc/default/kdump-tools (kdump-tools(5))."""
    target = opts["target"]
    if target["type"] in ("raw", "fs"):
        raise ConfigError("kdump-tools cannot dump to a %s target; use local, ssh or nfs" % target["type"])
    if opts.get("failure_action") in ("shell", "dump_to_rootfs"):
        raise ConfigError("kdump-tools has no failure_action %r; use reboot, halt or poweroff" % opts["failure_action"])
    text = _set_shell(text, "USE_KDUMP", "1")
    if opts.get("path"):
        text = _set_shell(text, "KDUMP_COREDIR", opts["path"])
    collector = _keep_message_level(opts["core_collector"], get_var(text, "MAKEDUMP_ARGS"))
    text = _set_shell(text, "MAKEDUMP_ARGS", makedumpfile_args(collector, compression))
    if target["type"] == "ssh":
        text = _set_shell(text, "SSH", target["host"])
        if target.get("key"):
            text = _set_shell(text, "SSH_KEY", target["key"])
    elif target["type"] == "nfs":
        text = _set_shell(text, "NFS", target["export"])
    if opts.get("failure_action"):
        text = _set_shell(text, "KDUMP_FAIL_CMD", "%s -f" % opts["failure_action"])
    for key in sorted(opts.get("extra") or {}):
        text = _set_shell(text, key, str(opts["extra"][key]))
    return text


def render_suse(text, opts, compression):
    """/etc/sysconfig/kdump (kdump(5))."""
    target = opts["target"]
    path = opts.get("path") or "/var/crash"
    if target["type"] == "ssh":
        savedir = "ssh://%s%s" % (target["host"], path)
    elif target["type"] == "nfs":
        server, _sep, export = target["export"].partition(":")
        savedir = "nfs://%s%s" % (server, export)
    elif target["type"] == "local":
        savedir = path if opts.get("path") else get_var(text, "KDUMP_SAVEDIR") or path
    else:
        raise ConfigError("SUSE kdump cannot dump to a %s target; use local, ssh or nfs" % target["type"])
    text = _set_shell(text, "KDUMP_SAVEDIR", savedir)
    if target.get("key"):
        text = _set_shell(text, "KDUMP_SSH_IDENTITY", target["key"])
    text = _set_shell(text, "KDUMP_DUMPLEVEL", str(opts["core_collector"]["dump_level"]))
    text = _set_shell(text, "KDUMP_DUMPFORMAT", SUSE_FORMATS[compression])
    if opts.get("failure_action") is not None:
        text = _set_shell(text, "KDUMP_CONTINUE_ON_ERROR", "false" if opts["failure_action"] == "shell" else "true")
    for key in sorted(opts.get("extra") or {}):
        text = _set_shell(text, key, str(opts["extra"][key]))
    return text


def _directive(line):
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    return stripped.split(None, 1)[0]


def _set_directive(lines, name, value, also=()):
    """Make ``name value`` the one active line among ``name`` and ``also``; keep its place."""
    names = (name,) + tuple(also)
    wanted = "%s %s" % (name, value)
    result = []
    placed = False
    for line in lines:
        if _directive(line) in names:
            if not placed:
                result.append(wanted + "\n")
                placed = True
            continue
        result.append(line)
    if not placed:
        if result and not result[-1].endswith("\n"):
            result[-1] += "\n"
        result.append(wanted + "\n")
    return result


def _drop_directives(lines, names):
    return [line for line in lines if _directive(line) not in names]


def render_redhat(text, opts, compression, rhel_major=None):
    """/etc/kdump.conf (kdump.conf(5)); RHEL 7 spells failure_action ``default``."""
    lines = text.splitlines(True)
    target = opts["target"]
    if opts.get("path"):
        lines = _set_directive(lines, "path", opts["path"])
    if target["type"] == "local":
        lines = _drop_directives(lines, REDHAT_TARGETS + ("sshkey",))
    elif target["type"] == "ssh":
        lines = _set_directive(lines, "ssh", target["host"], also=REDHAT_TARGETS)
        if target.get("key"):
            lines = _set_directive(lines, "sshkey", target["key"])
    elif target["type"] == "nfs":
        lines = _set_directive(lines, "nfs", target["export"], also=REDHAT_TARGETS)
    elif target["type"] == "raw":
        lines = _set_directive(lines, "raw", target["device"], also=REDHAT_TARGETS)
    else:
        lines = _set_directive(lines, target["fstype"], target["device"], also=REDHAT_TARGETS)
    # ssh and raw targets need makedumpfile's flattened format.
    flattened = target["type"] in ("ssh", "raw")
    current = [line for line in lines if _directive(line) == "core_collector"]
    collector = _keep_message_level(opts["core_collector"], current[-1] if current else None)
    lines = _set_directive(lines, "core_collector",
                           "makedumpfile " + makedumpfile_args(collector, compression, flattened))
    if opts.get("failure_action"):
        if rhel_major == 7:
            lines = _set_directive(lines, "default", opts["failure_action"], also=("failure_action",))
        else:
            lines = _set_directive(lines, "failure_action", opts["failure_action"], also=("default",))
    if opts.get("auto_reset_crashkernel") is not None:
        lines = _set_directive(lines, "auto_reset_crashkernel", "yes" if opts["auto_reset_crashkernel"] else "no")
    for key in sorted(opts.get("extra") or {}):
        lines = _set_directive(lines, key, str(opts["extra"][key]))
    return "".join(lines)


def render(family, text, opts, compression, rhel_major=None):
    if family == "debian":
        return render_debian(text, opts, compression)
    if family == "suse":
        return render_suse(text, opts, compression)
    if family == "redhat":
        return render_redhat(text, opts, compression, rhel_major)
    raise ConfigError("no kdump configuration is known for this OS family (%r)" % (family,))
