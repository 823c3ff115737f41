#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: vmcore_info
short_description: List the dumps in a dump directory and read a dump's own kernel log
version_added: 0.1.0
description:
  - Lists the dump files under a dump directory as kdump lays them out (one directory per dump), on the
    crashed host or on the dump server that an ssh or NFS target sends them to - run it there with
    C(delegate_to).
  - With O(read_log), reads the kernel log out of the newest listed dump itself with
    C(makedumpfile --dump-dmesg), after C(makedumpfile -R) reassembles a flattened dump (what kdump writes
    over ssh and what Debian's kdump-tools always writes), so that a test can prove which crash the dump
    is of. The kernel log that kdump saves beside a dump is written by the capture kernel, not read from
    the dump file, so it proves nothing about the file.
  - The reassembled copy is written to a private directory beside the dump (where the dump itself fit)
    and removed before the module returns.
requirements:
  - C(makedumpfile) 1.6.8 or later (the kernel 5.10 log format) on the host that holds the dump, for O(read_log).
author:
  - crashdump.kdump contributors (@crashdump)
extends_documentation_fragment:
  - crashdump.kdump.attributes
attributes:
  check_mode:
    support: full
    details: Reads only (the reassembled copy is temporary); check mode returns the same facts.
  diff_mode:
    support: none
  platform:
    support: full
    details: Linux.
options:
  path:
    description:
      - The dump directory, such as C(/var/crash), or on a dump server the directory one host's dumps go to.
        One that does not exist yet (kdump creates it with the first dump) lists no dumps.
    type: path
    required: true
  since:
    description:
      - Only dumps last written at or after this time (seconds since the epoch, the clock of the host
        that holds them) are listed.
    type: int
  read_log:
    description:
      - Read the kernel log of the newest listed dump out of the dump file (RV(log)).
    type: bool
    default: false
  search:
    description:
      - A Python regular expression; the lines of the log that match it are returned in RV(log.matches).
    type: str
  log_lines:
    description:
      - How many of the log's last lines to return in RV(log.tail).
    type: int
    default: 30
seealso:
  - module: crashdump.kdump.kdump_info
  - module: crashdump.kdump.crash_trigger
"""

EXAMPLES = r"""
- name: Find this host's new dump on the dump server, and prove it is of the sysrq crash
  crashdump.kdump.vmcore_info:
    path: /var/crash/web1
    since: "{{ crash.crash_at }}"
    read_log: true
    search: sysrq triggered crash
  delegate_to: dumpserver
  become: true
  register: found

- name: Ad hoc - the dumps of a host
  # ansible web1 -b -m crashdump.kdump.vmcore_info -a path=/var/crash
  crashdump.kdump.vmcore_info:
    path: /var/crash
"""

RETURN = r"""
dumps:
  description:
    - The dump files, oldest first, as RV(crashdump.kdump.kdump_info#module:dumps).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/var/crash/web1/10.77.0.1-202612072112/dump.202612072112", "dir": "/var/crash/web1/10.77.0.1-202612072112",
            "size": 38157312, "mtime": 1796677960, "complete": true, "format": "makedumpfile-flattened",
            "dmesg": "/var/crash/web1/10.77.0.1-202612072112/dmesg.202612072112"}]
  contains:
    path:
      description: The dump file.
      type: str
      sample: /var/crash/web1/10.77.0.1-202612072112/dump.202612072112
    dir:
      description: The directory it is in (one per dump).
      type: str
      sample: /var/crash/web1/10.77.0.1-202612072112
    size:
      description: Its size in bytes.
      type: int
      sample: 38157312
    mtime:
      description: When it was last written, in seconds since the epoch.
      type: int
      sample: 1796677960
    complete:
      description: False for a C(*-incomplete) file, which makedumpfile left unfinished.
      type: bool
      sample: true
    format:
      description: V(elf), V(kdump-compressed), V(makedumpfile-flattened), or null when it is none of them.
      type: str
      sample: makedumpfile-flattened
    dmesg:
      description: The kernel log the capture kernel saved beside it, or null.
      type: str
      sample: /var/crash/web1/10.77.0.1-202612072112/dmesg.202612072112
log:
  description: The kernel log read out of the newest listed dump.
  returned: when O(read_log) is true and a dump is listed
  type: dict
  sample: {"dump": "/var/crash/web1/10.77.0.1-202612072112/dump.202612072112", "lines": 812, "reassembled": true,
           "matches": ["[  102.731950] Kernel panic - not syncing: sysrq triggered crash"],
           "tail": ["[  102.731950] Kernel panic - not syncing: sysrq triggered crash"]}
  contains:
    dump:
      description: The dump file read.
      type: str
      sample: /var/crash/web1/10.77.0.1-202612072112/dump.202612072112
    reassembled:
      description: Whether the dump was flattened and reassembled first (C(makedumpfile -R)).
      type: bool
      sample: true
    lines:
      description: How many lines the log has.
      type: int
      sample: 812
    matches:
      description: The lines that match O(search) (empty without it).
      type: list
      elements: str
      sample: ["[  102.731950] Kernel panic - not syncing: sysrq triggered crash"]
    tail:
      description: The last O(log_lines) lines.
      type: list
      elements: str
      sample: ["[  102.731950] Kernel panic - not syncing: sysrq triggered crash"]
"""

import io
import os
import re
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.crashdump.kdump.plugins.module_utils._dump_files import list_dumps
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import SYSTEM_DIRS, Runner, last_line


class LogError(Exception):
    """The log could not be read; the message says why."""


def read_log(runner, makedumpfile, dump):
    """``(log text, reassembled)`` of the dump file ``dump`` (a kdump_info-style entry); raises LogError."""
    work = tempfile.mkdtemp(prefix=".crashdump-vmcore-info.", dir=dump["dir"])
    try:
        source, reassembled = dump["path"], False
        if dump["format"] == "makedumpfile-flattened":
            # makedumpfile(8): -R rearranges flattened data read from stdin into a dump file.
            source, reassembled = os.path.join(work, "vmcore"), True
            with open(dump["path"], "rb") as flattened:
                rc, _out, err = runner.run([makedumpfile, "-R", source], check=False, stdin=flattened)
            if rc != 0:
                raise LogError("makedumpfile -R %s failed (rc %d): %s" % (source, rc, last_line(err)))
        log_file = os.path.join(work, "dmesg.txt")
        rc, _out, err = runner.run([makedumpfile, "--dump-dmesg", source, log_file], check=False)
        if rc != 0 or not os.path.exists(log_file):
            raise LogError("makedumpfile --dump-dmesg %s failed (rc %d): %s" % (dump["path"], rc, last_line(err)))
        with io.open(log_file, encoding="utf-8", errors="replace") as handle:
            return handle.read(), reassembled
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type="path", required=True), since=dict(type="int"),
                           read_log=dict(type="bool", default=False), search=dict(type="str"),
                           log_lines=dict(type="int", default=30)),
        supports_check_mode=True,
    )
    params = module.params
    pattern = None
    if params["search"] is not None:
        try:
            pattern = re.compile(params["search"])
        except re.error as exc:
            module.fail_json(msg="vmcore_info: search=%r is not a valid Python regular expression: %s"
                             % (params["search"], exc))
    if params["log_lines"] < 0:
        module.fail_json(msg="vmcore_info: log_lines=%d: expected 0 or more lines" % params["log_lines"])
    if os.path.lexists(params["path"]) and not os.path.isdir(params["path"]):
        module.fail_json(msg="vmcore_info: %s is not a directory" % params["path"])
    dumps = [dump for dump in list_dumps(params["path"])
             if params["since"] is None or dump["mtime"] >= params["since"]]
    result = dict(changed=False, dumps=dumps)
    if params["read_log"] and dumps:
        runner = Runner(module)
        makedumpfile = runner.which("makedumpfile", extra_paths=SYSTEM_DIRS)
        if not makedumpfile:
            module.fail_json(msg="vmcore_info: makedumpfile is not installed here, and it is what reads a dump's "
                                 "kernel log; install it (package makedumpfile)", **result)
        newest = dumps[-1]
        try:
            text, reassembled = read_log(runner, makedumpfile, newest)
        except (LogError, IOError, OSError) as exc:
            module.fail_json(msg="vmcore_info: cannot read the kernel log of %s: %s" % (newest["path"], exc), **result)
        lines = text.splitlines()
        result["log"] = dict(dump=newest["path"], reassembled=reassembled, lines=len(lines),
                             matches=[line for line in lines if pattern and pattern.search(line)],
                             tail=lines[-params["log_lines"]:] if params["log_lines"] else [])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
