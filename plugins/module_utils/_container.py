# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whether this host is a container, where kdump cannot work.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


# kdump belongs to the kernel, and a container shares the host's kernel: the
# reservation, the capture kernel and /proc/sysrq-trigger are the host's. The
# checks follow systemd's detect_container() (src/basic/virt.c), in its order:
# OpenVZ (/proc/vz without /proc/bc), WSL (osrelease), the container manager's
# own files (/run/host/container-manager, /run/systemd/container, container= in
# PID 1's environment), then the marker files of podman (/run/.containerenv)
# and docker (/.dockerenv). systemd's proot and cgroup-namespace checks are left
# to ``systemd-detect-virt --container``, whose answer wins when it is given.

CONTAINER_PATHS = (
    "/proc/vz", "/proc/bc", "/proc/sys/kernel/osrelease", "/run/host/container-manager",
    "/run/systemd/container", "/proc/1/environ", "/run/.containerenv", "/.dockerenv",
)


def _marker_files(files):
    if files.get("/run/.containerenv") is not None:
        return "podman"
    if files.get("/.dockerenv") is not None:
        return "docker"
    return None


def _environ_container(environ):
    """The value of container= in a NUL-separated environment block, or None."""
    for entry in (environ or "").split("\0"):
        if entry.startswith("container="):
            return entry[len("container="):].strip()
    return None


def container_name(files, detect_virt=None):
    """The container this runs in (e.g. 'docker', 'podman', 'lxc', 'systemd-nspawn'), or None on a host.

    ``files`` maps each of CONTAINER_PATHS to its text, ``""`` when it exists
    but cannot be read (or is a directory), None when it does not exist.
    ``detect_virt`` is what ``systemd-detect-virt --container`` printed, None
    when the tool is not there or printed nothing.
    """
    answer = (detect_virt or "").strip()
    if answer:
        return None if answer == "none" else answer
    if files.get("/proc/vz") is not None and files.get("/proc/bc") is None:
        return "openvz"
    osrelease = files.get("/proc/sys/kernel/osrelease") or ""
    if "Microsoft" in osrelease or "WSL" in osrelease:
        return "wsl"
    for name in ((files.get("/run/host/container-manager") or "").strip(),
                 (files.get("/run/systemd/container") or "").strip(),
                 _environ_container(files.get("/proc/1/environ"))):
        if name == "oci":
            # Some images hard-code container=oci, which names no manager: look for one.
            return _marker_files(files) or "container-other"
        if name:
            return name
    return _marker_files(files)


def detect_container(read_text, exists, runner=None):
    """container_name() of this host: reads CONTAINER_PATHS and asks systemd-detect-virt when there."""
    files = {}
    for path in CONTAINER_PATHS:
        text = read_text(path)
        files[path] = text if text is not None else ("" if exists(path) else None)
    detect_virt = None
    tool = runner.which("systemd-detect-virt", extra_paths=("/usr/bin", "/bin")) if runner else None
    if tool:
        # Prints the name (exit 0) or "none" (exit 1); anything else is ignored.
        detect_virt = runner.run([tool, "--container"], check=False)[1].strip() or None
    return container_name(files, detect_virt)
