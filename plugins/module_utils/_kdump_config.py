# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump's own configuration: the options' vocabulary, their checks, and the helpers every family's
writer shares.

PRIVATE to the crashdump.kdump collection; it may change without notice.

The families' files (Red Hat: /etc/kdump.conf directives; Debian/Ubuntu: /etc/default/kdump-tools
and SUSE: /etc/sysconfig/kdump, both shell variable files) are written and read back by the family
objects (``_kdump_families``). Lines the options do not manage are kept byte for byte. Pure logic
(but ``built_in_compressions``, which asks makedumpfile through the caller's Runner); Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re
from collections import namedtuple

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.crashdump.kdump.plugins.module_utils._secrets import is_secret_name, shown
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import ShellVarError, set_var, unset_var

# The options' vocabulary: kdump_config's argument spec and the role's are built from (or tested
# against) these.
COMPRESSIONS = ("zlib", "lzo", "snappy", "zstd", "none")
# makedumpfile's compression flags (makedumpfile(8)).
COMPRESSION_FLAGS = {"zlib": "-c", "lzo": "-l", "snappy": "-p", "zstd": "-z", "none": ""}
# makedumpfile's time and dump size with each compression, as ratios to zlib's (-c, the distros'
# default): per compression the larger of Debian 12's and 13's medians, measured by `make bench-dump`
# on 2026-12-07 (1.5 GiB TCG VMs crashed at dump level 31, two crashes per compression; the table is
# in docs/docsite/rst/dump_targets.rst). lzo's dumps were 1.30x zlib's on Debian 12 (1.11x on 13).
# A compression not measured (snappy: neither Debian release builds it in) is never picked by auto.
MEASURED_DUMPS = {"zlib": (1.0, 1.0), "lzo": (0.53, 1.30), "zstd": (0.43, 0.99)}
# compression: auto picks the fastest whose dumps are at most this many times zlib's.
AUTO_MAX_SIZE_RATIO = 1.25
TARGET_TYPES = ("local", "ssh", "nfs", "raw", "fs")
# File systems an fs target may name (kdump.conf(5): each is a directive of its own there).
FSTYPES = ("ext2", "ext3", "ext4", "xfs", "btrfs", "minix", "virtiofs")
FAILURE_ACTIONS = ("reboot", "halt", "poweroff", "shell", "dump_to_rootfs")

# Where a package upgrade leaves its new defaults beside a locally changed file: ucf (Debian's
# /etc/default/kdump-tools; seen in a Debian 12 VM, noninteractive: ours kept, theirs in .ucf-dist),
# dpkg conffiles, rpm %config(noreplace).
PACKAGE_DEFAULT_SUFFIXES = (".ucf-dist", ".dpkg-dist", ".dpkg-new", ".rpmnew")


def pending_package_defaults(path, exists):
    """The package's new default files left beside ``path`` by an upgrade that kept ours."""
    return [path + suffix for suffix in PACKAGE_DEFAULT_SUFFIXES if exists(path + suffix)]


class ConfigError(ValueError):
    """An option value or combination that cannot work; the message says which and why."""


# What writing the options over a family's file gives: the new text, and what must follow the write.
ConfigPlan = namedtuple("ConfigPlan", "after compression changed restart_service rebuild_initrd rebuild_initrd_argv")


def plan_config(family, before, opts, available, kernel_release, rhel_major=None):
    """The ConfigPlan of writing the validated ``opts`` over ``before`` (the family's config file)
    on a host whose makedumpfile has the ``available`` compressions. Pure: refusals raise
    ConfigError, and planning the plan's own ``after`` again gives ``changed=False``."""
    compression = choose_compression(opts["core_collector"]["compression"], available)
    after = family.render(before, opts, compression, rhel_major)
    changed = after != before
    rebuild = family.initrd_rebuild_needed(before, after)
    return ConfigPlan(after=after, compression=compression, changed=changed, restart_service=changed,
                      rebuild_initrd=rebuild,
                      rebuild_initrd_argv=family.rebuild_initrd_argv(kernel_release) if rebuild else None)


def available_compressions(version_output):
    """Compressions the installed makedumpfile has, from ``makedumpfile -v`` (zlib always)."""
    found = set(["zlib", "none"])
    for name in ("lzo", "snappy", "zstd"):
        if re.search(r"^\s*%s\s+enabled" % name, version_output or "", re.M | re.I):
            found.add(name)
    return found


def built_in_compressions(runner, makedumpfile):
    """available_compressions() of the makedumpfile at path ``makedumpfile``, asked through the caller's
    Runner: ``makedumpfile -v`` lists them (on stdout or stderr, by version). The one query of the tool
    here, for kdump_config and kdump_info's prediction of it."""
    return available_compressions("".join(runner.run([makedumpfile, "-v"], check=False)[1:]))


def choose_compression(requested, available):
    if requested != "auto":
        if requested not in available:
            raise ConfigError("compression %r is not built into this host's makedumpfile (it has: %s)"
                              % (requested, ", ".join(sorted(available))))
        return requested
    return auto_compression(available)


def auto_compression(available, measured=None):
    """What compression ``auto`` means with the ``available`` ones: the fastest of the ``measured``
    (MEASURED_DUMPS) whose dumps are at most AUTO_MAX_SIZE_RATIO times zlib's (zlib when none fits)."""
    measured = MEASURED_DUMPS if measured is None else measured
    fits = [name for name, (_time, size) in measured.items() if name in available and size <= AUTO_MAX_SIZE_RATIO]
    return min(fits, key=lambda name: (measured[name][0], name)) if fits else "zlib"


# Values reach ssh, scp and mount unquoted in kdump's own scripts (kdump-config, kdumpctl,
# SUSE's kdump-save), so each is checked against the grammar of the tool that takes it: a value
# with a leading '-' would be read as an option (``-oProxyCommand=...`` runs a command as root).
# Text of either kind: str and unicode on Python 2, str on Python 3 (what six.string_types was; ansible-core
# 2.21 deprecates module_utils.six, and the modules still run on Python 2.7).
string_types = (str, type(u""))
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_.,:@=+/%\-]*\Z")
# RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\Z")
_IPV6_BRACKETED = re.compile(r"^\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?\]\Z")
# useradd(8)'s portable names (NAME_REGEX): no leading '-'.
_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}\Z")
_DEVICE = re.compile(r"^(?:/dev/[A-Za-z0-9_.:+/-]+|(?:UUID|PARTUUID)=[0-9A-Fa-f-]+|(?:LABEL|PARTLABEL)=[A-Za-z0-9_.+/-]+)\Z")
# virtiofs is mounted by its tag (kdump.conf(5): "virtiofs myfs").
_VIRTIOFS_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
_CONTROL = re.compile(u"[\x00-\x1f\x7f]")

HOST_GRAMMAR = ("a DNS host name (letters, digits, inner hyphens, dots), an IPv4 address or an IPv6 "
                "address in brackets")
USER_GRAMMAR = "a user name of letters, digits, _ . - that starts with a letter or _"
PATH_GRAMMAR = "an absolute path of letters, digits and _ . , : @ = + / % -"


def refuse(option, value, accepted):
    raise ConfigError("%s %s is not accepted: expected %s" % (option, shown(option, value), accepted))


def check_path(option, value):
    if not isinstance(value, string_types) or not _SAFE_PATH.match(value):
        refuse(option, value, PATH_GRAMMAR)
    return value


def _is_host_name(text):
    labels = text.split(".")
    return bool(text) and len(text) <= 253 and all(_HOST_LABEL.match(label) for label in labels) \
        and not labels[-1].isdigit()


def _is_host(text):
    """A host name, an IPv4 address or a bracketed IPv6 address."""
    return bool(_IPV4.match(text) or _IPV6_BRACKETED.match(text) or _is_host_name(text))


def _check_host(option, value):
    if not (isinstance(value, string_types) and _is_host(value)):
        refuse(option, value, HOST_GRAMMAR)
    return value


def ssh_destination(target):
    """``user@host`` from target.host (which may carry the user) and target.user."""
    host = target["host"]
    user = target.get("user")
    if isinstance(host, string_types) and "@" in host:
        user_in_host, _sep, host = host.rpartition("@")
        if user and user != user_in_host:
            raise ConfigError("target.host %r names user %r but target.user is %r: give the user once"
                              % (target["host"], user_in_host, user))
        user = user_in_host
        if not _USER.match(user):
            refuse("the user in target.host", user, USER_GRAMMAR)
    if user is not None and not _USER.match(to_text(user)):
        refuse("target.user", user, USER_GRAMMAR)
    host = _check_host("target.host", host)
    return "%s@%s" % (user, host) if user else host


def split_export(text):
    """``(server, path)`` of ``server:/path`` as mount reads it (a bracketed IPv6 server keeps its
    brackets); path None where there is no ``:`` after the server. Not checked (nfs_export checks)."""
    if text.startswith("["):
        server, _sep, rest = text.partition("]")
        return server + "]", rest[1:] if rest.startswith(":") else None
    server, sep, path = text.partition(":")
    return server, path if sep else None


def nfs_export(value):
    """``server:/path`` checked: the server by host grammar, the path absolute."""
    text = value if isinstance(value, string_types) else ""
    server, path = split_export(text)
    accepted = "server:/absolute/path, the server %s" % HOST_GRAMMAR
    if path is None or not _SAFE_PATH.match(path) or not _is_host(server):
        refuse("target.export", value, accepted)
    return text


def check_text(option, value):
    """Free text written into a config file: no control characters (NUL, newline, ...)."""
    if _CONTROL.search(value):
        raise ConfigError("%s %s contains a control character (newline, NUL, ...); write it on one line "
                          "of printable characters" % (option, shown(option, value)))
    return value


# kdump_config's options, also taken by kdump_info's ``config`` (which predicts whether kdump_config
# would change anything with them); the lock and backup options are kdump_config's own.
TARGET_SPEC = dict(
    type=dict(type="str", default="local", choices=list(TARGET_TYPES)),
    host=dict(type="str"),
    user=dict(type="str"),
    key=dict(type="path", no_log=False),
    export=dict(type="str"),
    device=dict(type="str"),
    fstype=dict(type="str", choices=list(FSTYPES)),
)
COLLECTOR_SPEC = dict(
    dump_level=dict(type="int", default=31),
    compression=dict(type="str", default="auto", choices=["auto"] + list(COMPRESSIONS)),
    message_level=dict(type="int"),
)
OPTIONS_SPEC = dict(
    path=dict(type="path"),
    target=dict(type="dict", options=TARGET_SPEC),
    core_collector=dict(type="dict", options=COLLECTOR_SPEC),
    failure_action=dict(type="str", choices=list(FAILURE_ACTIONS)),
    auto_reset_crashkernel=dict(type="bool"),
    extra=dict(type="dict"),
    extra_secrets=dict(type="dict", no_log=True),
)


def merged_extra(params):
    """``extra`` with ``extra_secrets`` added; a key in both is refused."""
    extra = dict(params.get("extra") or {})
    for key, value in (params.get("extra_secrets") or {}).items():
        if key in extra:
            raise ConfigError("%s is in both extra and extra_secrets; give it once" % key)
        extra[key] = value
    return extra


def checked_options(params, family, rhel_major):
    """The validated options of kdump_config's ``params`` for ``family``; ConfigError when refused.
    Checked before anything is read or locked, so that bad input changes nothing at all."""
    if params.get("auto_reset_crashkernel") is not None and family.name != "redhat":
        raise ConfigError("auto_reset_crashkernel exists only on the Red Hat family (kdump-utils), not on %s"
                          % family.name)
    opts = validate(dict([(key, params.get(key)) for key in (
        "path", "target", "core_collector", "failure_action", "auto_reset_crashkernel")]
        + [("extra", merged_extra(params))]))
    family.render("", opts, "zlib", rhel_major)
    return opts


def dump_dir_missing(opts, isdir, lexists):
    """Whether the local dump directory must be created; refuses (before any write) a non-directory."""
    path = opts.get("path")
    if opts["target"]["type"] != "local" or not path or isdir(path):
        return False
    if lexists(path):
        raise ConfigError("the dump directory %s exists but is not a directory" % path)
    parent = posixpath.dirname(path.rstrip("/")) or "/"
    while not lexists(parent):
        parent = posixpath.dirname(parent)
    if not isdir(parent):
        raise ConfigError("the dump directory %s cannot be created: %s is not a directory" % (path, parent))
    return True


def config_would_change(params, family, before, available, kernel_release, rhel_major, isdir, lexists, exists,
                        refusal):
    """Whether kdump_config with ``params`` would do anything on this host (kdump_info's ``config``):
    write the file, create the dump directory, or say something (a refusal, a missing file or
    makedumpfile (``available`` None), package defaults left to merge). ``refusal(after)`` is the
    host's own objection to the planned text, as kdump_config makes it (``_security.kexec_load_refusal``).
    False only when kdump_config would certainly report ok and change nothing."""
    if before is None or available is None or pending_package_defaults(family.config_file, exists):
        return True
    try:
        opts = checked_options(params, family, rhel_major)
        plan = plan_config(family, before, opts, available, kernel_release, rhel_major)
        return plan.changed or bool(refusal(plan.after)) or dump_dir_missing(opts, isdir, lexists)
    except (ConfigError, ShellVarError):
        return True


def planned_remote(params, family, before, rhel_major):
    """The ssh or nfs target kdump_config with ``params`` leaves in config_file (whose text now is
    ``before``, None when missing), as kdump reads it back (``FamilyBase.remote_target``), or None for
    a target on this host. ConfigError when kdump_config would refuse them. Options left unset keep
    ``before``'s values, where it can be read."""
    opts = checked_options(params, family, rhel_major)
    try:
        after = family.render(before or "", opts, "zlib", rhel_major)
    except ShellVarError:
        after = family.render("", opts, "zlib", rhel_major)
    return family.remote_target(after)


def validate(options):
    """Check the options; return them normalised or raise ConfigError naming the problem.

    ``extra`` is checked against each family's grammar by ``render``.
    """
    opts = dict(options)
    if opts.get("path") is not None:
        check_path("path", opts["path"])
    target = dict(opts.get("target") or {})
    kind = target.get("type") or "local"
    if kind not in TARGET_TYPES:
        raise ConfigError("target type %r is not one of %s" % (kind, ", ".join(TARGET_TYPES)))
    if kind == "ssh":
        if not target.get("host"):
            raise ConfigError("an ssh target needs target.host (user@host or host with target.user)")
        target["host"] = ssh_destination(target)
        if target.get("key"):
            check_path("target.key", target["key"])
    elif kind == "nfs":
        if not target.get("export"):
            raise ConfigError("an nfs target needs target.export as server:/path")
        nfs_export(target["export"])
    elif kind in ("raw", "fs"):
        if not target.get("device"):
            raise ConfigError("a %s target needs target.device (/dev/..., UUID=... or LABEL=...)" % kind)
        if kind == "fs" and target.get("fstype") == "virtiofs":
            if not _VIRTIOFS_TAG.match(to_text(target["device"])):
                refuse("target.device", target["device"], "a virtiofs tag of letters, digits and _ . -")
        elif not _DEVICE.match(to_text(target["device"])):
            refuse("target.device", target["device"], "/dev/..., UUID=..., PARTUUID=..., LABEL=... or PARTLABEL=...")
        if kind == "fs":
            if target.get("fstype") not in FSTYPES:
                raise ConfigError("an fs target needs target.fstype, one of %s" % ", ".join(FSTYPES))
    for name in ("key", "user", "export", "device", "fstype"):
        if target.get(name) and name not in _TARGET_FIELDS[kind]:
            raise ConfigError("target.%s does not apply to a %s target" % (name, kind))
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
    if compression != "auto" and compression not in COMPRESSIONS:
        raise ConfigError("core_collector.compression %r is not one of auto, %s"
                          % (compression, ", ".join(sorted(COMPRESSIONS))))
    collector.update(dump_level=level, compression=compression, message_level=message_level)
    opts["core_collector"] = collector
    action = opts.get("failure_action")
    if action is not None and action not in FAILURE_ACTIONS:
        raise ConfigError("failure_action %r is not one of %s" % (action, ", ".join(FAILURE_ACTIONS)))
    for key, value in (opts.get("extra") or {}).items():
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", to_text(key)):
            raise ConfigError("extra key %r is not a plain name (letters, digits, _)" % (key,))
        if value is None or isinstance(value, (dict, list)):
            raise ConfigError("extra %s: %s is not a single value" % (key, shown(key, value)))
    opts["extra"] = dict(opts.get("extra") or {})
    return opts


_TARGET_FIELDS = {
    "local": (),
    "ssh": ("key", "user"),
    "nfs": ("export",),
    "raw": ("device",),
    "fs": ("device", "fstype"),
}


def secret_values(opts):
    """The values of extra settings whose names say they are secrets (for no_log)."""
    return [to_text(value) for key, value in (opts.get("extra") or {}).items()
            if is_secret_name(to_text(key)) and value not in (None, "")]


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


def compression_of(args):
    """The compression that makedumpfile arguments ask for (``makedumpfile_args`` read back): a
    flag of COMPRESSION_FLAGS, else none (makedumpfile then writes uncompressed pages)."""
    words = (args or "").split()
    for name, flag in COMPRESSION_FLAGS.items():
        if flag and flag in words:
            return name
    return "none"


def keep_message_level(collector, current):
    """The collector with the current --message-level kept when none was asked for."""
    if collector.get("message_level") is not None or not current:
        return collector
    match = re.search(r"--message-level[= ](\d+)", current)
    if not match:
        return collector
    kept = dict(collector)
    kept["message_level"] = int(match.group(1))
    return kept


def set_shell(text, name, value):
    try:
        return set_var(text, name, value)
    except ShellVarError as exc:
        raise ConfigError(str(exc))


def unset_shell(text, name):
    try:
        return unset_var(text, name)
    except ShellVarError as exc:
        raise ConfigError(str(exc))


def shell_extra_value(key, value, managed):
    """The text written for one ``extra`` shell variable (Debian, SUSE); ``managed``: the variables
    the module's own options set, which extra may not set behind their checks."""
    if key in managed:
        raise ConfigError("extra %s: %s is set by this module's own options (path, target, core_collector, "
                          "failure_action), not by extra" % (key, key))
    if isinstance(value, bool):
        # kdump-tools and SUSE's kdump read shell words: a YAML true would become 'True'.
        raise ConfigError("extra %s: %s is a boolean; give the text the file wants, such as \"1\", \"yes\" or "
                          "\"true\", quoted" % (key, value))
    return check_text("extra %s" % key, to_text(value))


def refuse_ipv6(target, family):
    # kdump-tools and SUSE's kdump pass these unquoted to ssh/scp/mount, where a bracketed address
    # would be read as a glob pattern (and scp needs the brackets): host names only there.
    value = target.get("host") or target.get("export") or ""
    option = "target.host" if target.get("host") else "target.export"
    if "[" in value:
        raise ConfigError("%s %r: an IPv6 address is accepted on the Red Hat family only (kdump.conf); %s's kdump "
                          "needs a host name here" % (option, value, family))
