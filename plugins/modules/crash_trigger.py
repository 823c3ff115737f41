#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: crash_trigger
short_description: Crash the host on purpose to test kdump, with guards
version_added: 0.1.0
description:
  - Schedules C(echo c > /proc/sysrq-trigger) a few seconds ahead, detached from the connection, and
    returns at once with the boot id and the time, so that a playbook can wait for the host to come back
    and prove that a new dump came from this crash.
  - B(The host panics.) Everything running on it stops; it reboots through the capture kernel.
  - Refuses, leaving the host untouched, unless O(confirm=true) and a capture kernel is loaded
    (C(/sys/kernel/kexec/crash_loaded) is 1, or C(/sys/kernel/kexec_crash_loaded) on kernels before
    6.19, which lack the first). A crash without a loaded capture kernel only hangs or reboots the host
    and writes no dump.
  - Refuses inside a container (docker, podman, LXC, systemd-nspawn and the others that
    C(systemd-detect-virt --container) or their marker files reveal). The crash kernel belongs to the
    host, and a crash there would take down the host and everything on it.
  - Never crashes while another run of the collection changes the host (a half-written boot configuration
    could leave it unbootable) - it takes the host lock, see O(lock_timeout), and the scheduled crash checks
    the lock again (C(flock -n)) right before it fires; if another run holds it then, the crash is dropped
    (the boot id stays the same, which the C(crashdump.kdump.kdump_verify) role reports).
  - Never crashes in check mode.
requirements:
  - Linux with magic SysRq (C(/proc/sysrq-trigger)) and a loaded capture kernel.
  - C(systemd-run) or C(setsid) on the host, to fire the crash after the module returns.
author:
  - crashdump.kdump contributors (@crashdump)
extends_documentation_fragment:
  - crashdump.kdump.attributes
  - crashdump.kdump.attributes.host_lock
attributes:
  check_mode:
    support: full
    details: Checks the guards and reports what a real run would do; never crashes.
  diff_mode:
    support: none
  platform:
    support: full
    details: Linux.
options:
  confirm:
    description:
      - Must be V(true), saying that you mean to crash this host.
    type: bool
    default: false
  delay:
    description:
      - Seconds between the module's return and the crash, so that Ansible's connection can close cleanly.
    type: int
    default: 5
notes:
  - Run with C(become=true).
  - Follow it with M(ansible.builtin.wait_for_connection), then compare the boot id; the
    C(crashdump.kdump.kdump_verify) role does all of that and checks the dump.
seealso:
  - module: crashdump.kdump.kdump_info
"""

EXAMPLES = r"""
- name: Crash the test host (kdump must be loaded)
  crashdump.kdump.crash_trigger:
    confirm: true
  become: true
  register: crash

- name: Wait for it to come back through the capture kernel
  ansible.builtin.wait_for_connection:
    delay: 30
    timeout: 900
"""

RETURN = r"""
boot_id:
  description: The boot id before the crash (C(/proc/sys/kernel/random/boot_id)); a new one proves a reboot.
  returned: always
  type: str
  sample: 6f1e0a3c-6d8e-4d86-9b1e-0f6a2b7c9d41
time:
  description: When the module ran, in seconds since the epoch (the crash follows O(delay) seconds later).
  returned: always
  type: float
  sample: 1796540400.25
crash_at:
  description: When the crash is scheduled, in seconds since the epoch.
  returned: always
  type: float
  sample: 1796540405.25
dump_dir:
  description: The directory the new dump will appear under.
  returned: always
  type: str
  sample: /var/crash
scheduled_with:
  description: How the crash was scheduled (C(systemd-run) or C(setsid)); null in check mode.
  returned: always
  type: str
  sample: systemd-run
container:
  description:
    - The container the module ran in (such as V(docker), V(podman), V(lxc)), where it refuses; null on a host.
  returned: always
  type: str
  sample: null
"""

import os
import platform
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.crashdump.kdump.plugins.module_utils import _io
from ansible_collections.crashdump.kdump.plugins.module_utils._io import LOCK_ARGUMENT_SPEC, lock_host, read_text
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import dump_dir, platform_names
from ansible_collections.crashdump.kdump.plugins.module_utils._container import detect_container
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import HostFacts, not_loaded_detail
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import Runner

CRASH_SCRIPT = "sync; echo c > /proc/sysrq-trigger"


def crash_command(runner):
    """The crash as a shell command; under flock(1) on the host lock where the tool exists, so that
    a run of crashkernel or kdump_config started after this module returned is not cut off mid-write.

    ``-n``: when the lock is held at that moment the crash is dropped, not postponed - a crash that
    fires minutes later, after the playbook gave up waiting for it, would surprise everyone.
    """
    flock = runner.which("flock", extra_paths=("/usr/bin", "/bin"))
    if not flock:
        return CRASH_SCRIPT
    return "%s -n %s -c '%s'" % (flock, _io.LOCK_PATH, CRASH_SCRIPT)


def schedule(runner, delay):
    """Start the crash ``delay`` seconds from now, detached from this process; return how."""
    systemd_run = runner.which("systemd-run")
    if systemd_run:
        rc, _out, _err = runner.run([systemd_run, "--unit", "crashdump-kdump-crash-%d" % int(time.time()),
                                     "--on-active=%ds" % delay, "--timer-property=AccuracySec=100ms",
                                     "/bin/sh", "-c", crash_command(runner)], check=False)
        if rc == 0:
            return "systemd-run"
    # No systemd: a shell in its own session (setsid --fork), its output closed at once so that
    # run_command returns and Ansible's exit does not take it down.
    runner.run([runner.which("setsid", required=True), "-f", "/bin/sh", "-c",
                "exec </dev/null >/dev/null 2>&1; sleep %d; %s" % (delay, crash_command(runner))])
    return "setsid"


def main():
    module = AnsibleModule(
        argument_spec=dict(confirm=dict(type="bool", default=False), delay=dict(type="int", default=5),
                           **LOCK_ARGUMENT_SPEC),
        supports_check_mode=True,
    )
    runner = Runner(module)
    facts = HostFacts(read_text, platform.machine())
    names = platform_names(facts.family, facts.distribution, facts.version) or {}
    directory = dump_dir(facts.family, read_text((names.get("config_files") or [""])[0]))
    boot_id = (read_text("/proc/sys/kernel/random/boot_id") or "").strip()
    now = time.time()
    delay = module.params["delay"]
    container = detect_container(read_text, os.path.exists, runner)
    result = dict(boot_id=boot_id, time=now, crash_at=now + delay, dump_dir=directory, scheduled_with=None,
                  container=container)

    if delay < 1 or delay > 3600:
        module.fail_json(msg="crash_trigger: delay must be between 1 and 3600 seconds, got %d" % delay, **result)
    if container:
        module.fail_json(msg="crash_trigger: refusing to crash from inside a container (%s): the crash kernel and "
                             "/proc/sysrq-trigger belong to the host, so a crash here would take down the whole "
                             "host and every container on it, or do nothing. Run this against the host itself. "
                             "Nothing was done." % container, **result)
    if not module.params["confirm"]:
        module.fail_json(msg="crash_trigger: refusing to crash %s: this would panic the kernel and stop everything "
                             "running on it. Set confirm=true to mean it. Nothing was done." % platform.node(),
                         **result)
    if not facts.crash_loaded:
        module.fail_json(msg="crash_trigger: refusing to crash %s: no capture kernel is loaded "
                             "(%s), so a crash would write no dump and the host might hang. Make it "
                             "kdump-ready first (crashdump.kdump.kdump role). Nothing was done."
                             % (platform.node(), not_loaded_detail(facts.crash_loaded_path)), **result)
    lock_host(module, "crash_trigger", module.params["lock_timeout"], **result)
    if module.check_mode:
        module.exit_json(changed=True, **result)
    result["scheduled_with"] = schedule(runner, delay)
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
