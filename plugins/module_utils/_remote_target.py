# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A remote dump target checked before anyone crashes the host.

PRIVATE to the crashdump.kdump collection; it may change without notice.

A crash is the worst moment to learn that the dump server is down, does not know the host's key or
has no room: the capture kernel then loops on "Bad kdump network destination", falls back to the
root file system, or waits for a password nobody types. ``check(...)`` asks what kdump will ask,
the way kdump asks it, and answers ``dict(checked, writable, free_bytes, probed_path, error)``
where ``error`` is None or ``(code, detail)`` with a stable code of ``_readiness.REASON_CODES``:

* ssh: ``ssh -i KEY`` with ``BatchMode=yes`` (no prompt: the capture kernel has nobody to answer
  one), ``StrictHostKeyChecking=yes`` (the capture environment cannot accept a new host key
  either) and ``IdentitiesOnly=yes`` (only the key kdump uses), running a POSIX sh probe on the
  server that finds the deepest existing directory on the way to the dump directory (kdump creates
  the rest with ``mkdir -p``), whether it is writable, and its free space (``df -Pk``).
* nfs: the export mounted on a private directory with the tool kdump uses (``mount -t nfs``), short
  timeouts instead of kdump's patient ones, the dump directory inside it probed with access(2)
  (over NFS the server answers, root squashing included) and statvfs(2), then unmounted.

The commands and parsers are pure; ``check`` takes the running, file and mount functions as
arguments, so it is tested on recorded ssh and mount.nfs messages. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    ConfigError,
    check_path,
    nfs_export,
    split_export,
    ssh_destination,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import last_line

# Seconds the check waits for the server by default (ssh ConnectTimeout, the NFS mount): far less
# than kdump waits at crash time, where a slow network is worth waiting for.
DEFAULT_TIMEOUT = 10

PROBE_MARK = "crashdump-probe"


def quote(text):
    """``text`` as one POSIX sh word (the probe runs in the remote user's shell)."""
    return "'%s'" % text.replace("'", "'\"'\"'")


def probe_script(path):
    """The sh command run on the server: ``crashdump-probe W DIR`` then df's line for DIR."""
    return ("d=%s; while [ ! -d \"$d\" ]; do d=$(dirname \"$d\"); done; "
            "if [ -w \"$d\" ]; then w=1; else w=0; fi; echo \"%s $w $d\"; df -Pk \"$d\" | tail -n 1"
            % (quote(path), PROBE_MARK))


def ssh_argv(ssh, destination, key, path, timeout):
    argv = [ssh]
    if key:
        argv += ["-i", key]
    argv += ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=%d" % timeout]
    if key:
        argv += ["-o", "IdentitiesOnly=yes"]
    # "--": nothing after it is an option, whatever the configuration holds.
    return argv + ["--", destination, probe_script(path)]


def parse_probe(out):
    """``(writable, probed_path, free_bytes)`` from the probe's output; raises ValueError."""
    lines = [line.strip() for line in (out or "").splitlines() if line.strip()]
    marks = [index for index, line in enumerate(lines) if line.startswith(PROBE_MARK + " ")]
    if not marks or marks[-1] + 1 >= len(lines):
        raise ValueError("the probe printed no result: %r" % (out or "")[-200:])
    _mark, writable, probed = lines[marks[-1]].split(" ", 2)
    # df -P: Filesystem 1024-blocks Used Available Capacity Mounted-on (POSIX.1-2017 df).
    fields = lines[marks[-1] + 1].split()
    if len(fields) < 6 or not fields[3].isdigit():
        raise ValueError("df printed %r" % lines[marks[-1] + 1])
    return writable == "1", probed, int(fields[3]) * 1024


# What ssh (OpenSSH 7 to 10) and mount.nfs (nfs-utils 1.3 to 2.8) print, by the code it means.
# The first pattern that matches the tool's stderr wins.
SSH_ERRORS = (
    ("remote_host_key_unknown", r"Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED"
                                r"|host key is known for|No .* host key is known"),
    ("remote_key_missing", r"Load key .*: (bad permissions|invalid format|No such file)|UNPROTECTED PRIVATE KEY"
                           r"|Identity file .* not accessible"),
    ("remote_unreachable", r"Could not resolve hostname|Name or service not known|name resolution"
                           r"|Connection timed out|Operation timed out|No route to host|Network is unreachable"
                           r"|Connection refused|Connection closed by|Connection reset"),
    ("remote_auth_failed", r"Permission denied|Too many authentication failures"),
)
NFS_ERRORS = (
    ("remote_unreachable", r"Connection timed out|No route to host|Network is unreachable|Connection refused"
                           r"|Failed to resolve server|Name or service not known|server is down|timed out"),
    ("remote_auth_failed", r"access denied by server|Permission denied"),
)


def classify(patterns, stderr, otherwise="remote_check_failed"):
    for code, pattern in patterns:
        if re.search(pattern, stderr or ""):
            return code
    return otherwise


def _probe_path(remote):
    """The checked destination and paths, or raise ConfigError (kdump_config's own grammar: a value
    read back from a hand-written file may hold what kdump would pass to ssh as an option)."""
    path = check_path("the dump directory", remote["path"])
    if remote["type"] == "ssh":
        target = dict(host=remote["destination"])
        destination = ssh_destination(target)
        key = check_path("the ssh key", remote["key"]) if remote.get("key") else None
        return destination, key, path
    return nfs_export(remote["export"]), None, path


def result(checked=True, writable=None, free_bytes=None, probed_path=None, error=None):
    return dict(checked=checked, writable=writable, free_bytes=free_bytes, probed_path=probed_path, error=error)


# timeout(1)'s exit statuses: the command outlived the guard (TERM), and then its -k grace (KILL).
TIMED_OUT = (124, 137)


def guarded(argv, guard, timeout):
    """``argv`` under timeout(1) (``guard``, None where it is missing) at three times ``timeout``: the
    tools' own timeouts bound the connection, not a server that accepts it and then stalls."""
    return [guard, "-k", "5", str(timeout * 3)] + argv if guard else argv


def check_ssh(remote, run, which, exists, timeout):
    try:
        destination, key, path = _probe_path(remote)
    except ConfigError as exc:
        return result(error=("remote_target_invalid", str(exc)))
    ssh = which("ssh")
    if not ssh:
        return result(error=("remote_tool_missing", "ssh is not installed (%s)" % remote["client_package"]))
    if key and not exists(key):
        return result(error=("remote_key_missing", "the ssh key %s does not exist" % key))
    rc, out, err = run(guarded(ssh_argv(ssh, destination, key, path, timeout), which("timeout"), timeout))
    if rc in TIMED_OUT:
        return result(error=("remote_unreachable", "ssh %s did not finish within %d s" % (destination, timeout * 3)))
    if rc != 0:
        code = classify(SSH_ERRORS, err) if rc == 255 else "remote_check_failed"
        return result(error=(code, "ssh %s: %s" % (destination, last_line(err) or "exit status %d" % rc)))
    try:
        writable, probed, free = parse_probe(out)
    except ValueError as exc:
        return result(error=("remote_check_failed", "ssh %s: %s" % (destination, exc)))
    return result(writable=writable, free_bytes=free, probed_path=probed)


def nfs_mount_argv(mount, export, mountpoint):
    # kdump-config mounts with "nolock,tcp,soft,timeo=600,retrans=3"; a check needs an answer soon:
    # timeo is in tenths of a second, retry=0 gives up after the first try (nfs(5)).
    return [mount, "-t", "nfs", "-o", "nolock,tcp,soft,timeo=50,retrans=1,retry=0", export, mountpoint]


def deepest_existing(root, path, isdir):
    """The deepest existing directory from ``root`` (the mount point) along ``path`` (inside it)."""
    probe = os.path.join(root, path.lstrip("/"))
    while probe != root and not isdir(probe):
        probe = os.path.dirname(probe)
    return probe


def check_nfs(remote, run, which, fs, timeout):
    """``fs``: mkdtemp(), rmdir(path), isdir(path), access_w(path) and free_bytes(path), as an object."""
    try:
        export, _key, path = _probe_path(remote)
    except ConfigError as exc:
        return result(error=("remote_target_invalid", str(exc)))
    mount, umount = which("mount.nfs"), which("umount")
    if not mount or not umount:
        return result(error=("remote_tool_missing", "mount.nfs is not installed (%s)" % remote["client_package"]))
    mountpoint = fs.mkdtemp()
    try:
        rc, _out, err = run(guarded(nfs_mount_argv(which("mount") or "mount", export, mountpoint), which("timeout"),
                                    timeout))
        if rc in TIMED_OUT:
            return result(error=("remote_unreachable", "mounting %s did not finish within %d s" % (export, timeout * 3)))
        if rc != 0:
            return result(error=(classify(NFS_ERRORS, err), "mounting %s: %s"
                                 % (export, last_line(err) or "exit status %d" % rc)))
        try:
            probed = deepest_existing(mountpoint, path, fs.isdir)
            inside = os.path.relpath(probed, mountpoint)
            shown = export.rstrip("/") + ("" if inside == "." else "/" + inside)
            return result(writable=fs.access_w(probed), free_bytes=fs.free_bytes(probed), probed_path=shown)
        finally:
            # A busy mount point (should something hold it) is detached lazily rather than left mounted.
            if run([umount, mountpoint])[0] != 0:
                run([umount, "-l", mountpoint])
    finally:
        fs.rmdir(mountpoint)


def describe(remote):
    """The target for people: ``ssh root@server:/var/crash/web1``, ``nfs server:/srv/dumps``."""
    if remote["type"] == "ssh":
        return "ssh %s:%s" % (remote.get("destination") or remote.get("where"), remote["path"])
    inside = "" if remote["path"] in ("", "/") else " (under %s)" % remote["path"]
    return "nfs %s%s" % (remote.get("export") or remote.get("where"), inside)


def server_side(remote):
    """Who and where on the dump server, for the role that prepares it and the one that looks there:
    ``dict(server, user, dir)``. ``server`` is the host as ssh or mount names it (an IPv6 address
    without its brackets, as known_hosts(5) writes it), ``user`` the ssh login (None for nfs, or
    when ssh logs in as the capture kernel's own user, root), ``dir`` the directory on the server the
    dump directories are written in: the ssh path, or for nfs the export's own path (nfs-kernel-server
    exports a directory by its path, exports(5)) joined with the path inside it."""
    if remote["type"] == "ssh":
        user, _sep, host = remote["destination"].rpartition("@")
        return dict(server=host.strip("[]"), user=user or None, dir=remote["path"])
    server, exported = split_export(remote["export"])
    inside = "" if remote["path"] in ("", "/") else remote["path"]
    return dict(server=server.strip("[]"), user=None, dir=((exported or "").rstrip("/") + inside) or "/")


def check(remote, run, which, exists, fs, timeout=DEFAULT_TIMEOUT):
    """The check of ``remote`` (``FamilyBase.remote_target``), or ``checked: False`` with ``timeout`` 0."""
    if timeout <= 0:
        return result(checked=False)
    if remote["type"] == "ssh":
        return check_ssh(remote, run, which, exists, timeout)
    return check_nfs(remote, run, which, fs, timeout)
