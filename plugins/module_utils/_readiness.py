# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The readiness verdict of kdump_info: would a crash now write a dump, and if not, why not.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Pure: ``reasons(observations)`` takes what kdump_info observed (a plain dict,
keys below, OBSERVATIONS) and returns ``[{code, message}]``, one rule per code, in the
order of RULES. The codes are stable (roles and playbooks match on them);
REASON_CODES lists them with what each means and how to fix it.
Python 2.7 and 3.6+.

Observation keys (missing ones take the "nothing known" default):

* ``platform_known`` (bool), ``distribution``, ``version``
* ``xen_pv_domu`` (bool), ``container`` (name or None)
* ``installed`` (bool), ``package`` (the family's kdump package)
* ``reserved_bytes`` (int), ``running`` and ``configured`` (``crashkernel=``
  tokens on /proc/cmdline and in the first normal boot entry)
* ``floor_bytes`` (int), ``floor_from`` (what the floor is: "min_reserved" or
  "the distribution's recommendation 384M-:128M")
* ``service_name``, ``service_enabled`` (bool or None)
* ``crash_loaded`` (bool), ``crash_loaded_path`` (the sysfs file read; None when neither could be)
* ``lockdown`` (the kernel's lockdown mode or None), ``kexec_load_disabled`` (bool or None),
  ``loader_syscall`` and ``loader_why`` (``_security.loader_syscall()``), ``loader_setting`` (the
  file and variable that take kexec options), ``capture_kernel`` (its path) and
  ``capture_kernel_signed`` (bool or None, ``_security.kernel_signed()``)
* ``dump_path``, ``dump_free_bytes``, ``dump_needed_bytes`` (int or None when
  not checked), ``dump_estimate`` (how needed_bytes was made)
* ``remote_target`` (where a remote target sends dumps, as text; None for a target on this host),
  ``remote_error`` (``(code, detail)`` from ``_remote_target.check``, or None), ``remote_writable``
  (bool or None), ``remote_probed_path`` and ``remote_free_bytes`` (of the deepest existing directory
  on the way to the dump directory)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import token_values
from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import (
    ACCEPTED_FORMS,
    RAM_ROUNDING,
    CrashkernelError,
    format_size,
    human_size,
    parse,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import not_loaded_detail
from ansible_collections.crashdump.kdump.plugins.module_utils._security import locked_down

# code -> (what it means, how to fix it); the order is the order of RULES.
REASON_CODES = (
    ("unsupported_platform", "the OS is not one this collection knows", "use Debian, Ubuntu, the Red Hat family or SUSE"),
    ("unsupported_xen_pv_domu", "a Xen PV guest, where kdump cannot work", "use the hypervisor's dump tools (xl dump-core)"),
    ("in_container", "running inside a container, which shares the host's kernel",
     "run against the host itself"),
    ("not_installed", "the kdump package is missing", "install it (the crashdump.kdump.kdump role does)"),
    ("needs_reboot", "the boot entries and the running kernel disagree on crashkernel=", "reboot"),
    ("not_reserved", "no memory is reserved for the capture kernel", "set crashkernel= (crashdump.kdump.crashkernel) and reboot"),
    ("reservation_too_small", "less is reserved than min_reserved or the distribution's recommendation",
     "reserve more and reboot"),
    ("service_not_enabled", "the kdump service does not start at boot", "enable it"),
    ("kexec_load_disabled", "kernel.kexec_load_disabled is 1 and no capture kernel is loaded: the kernel refuses "
     "to load one until the next boot", "let the kdump service load before that sysctl is set, then reboot"),
    ("lockdown_refuses_kexec_load", "the kernel is locked down and kdump is set to load with kexec_load, which "
     "lockdown refuses", "have it use kexec_file_load (kexec -s)"),
    ("capture_kernel_unsigned", "the kernel is locked down and the capture kernel carries no signature "
     "kexec_file_load can verify", "use the distribution's signed kernel"),
    ("service_not_loaded", "no capture kernel is loaded now", "start the kdump service (after the reservation exists)"),
    ("dump_space_low", "the local dump directory has less free space than a dump of this host needs",
     "free space there, or send dumps elsewhere (crashdump.kdump.kdump_config path or target)"),
    ("remote_target_invalid", "the configured ssh or nfs target holds a value ssh or mount would misread",
     "set the target with crashdump.kdump.kdump_config"),
    ("remote_tool_missing", "ssh or mount.nfs, which the target needs, is not installed",
     "install the client package the message names"),
    ("remote_key_missing", "the ssh key kdump uses does not exist or cannot be loaded",
     "create it (ssh-keygen -t ed25519 -N '' -f KEY) and add its public key to the server's authorized_keys"),
    ("remote_unreachable", "the dump server does not answer (name, route, port or timeout)",
     "check the server, its address and the network between them"),
    ("remote_host_key_unknown", "the server's ssh host key is not in root's known_hosts, or has changed",
     "pin the server's host key in /root/.ssh/known_hosts, read from the server itself, not from the network"),
    ("remote_auth_failed", "the server refuses the host: its key is not authorized (ssh), or the export is "
     "not exported to it (nfs)", "authorize the key (ssh) or export to this host (nfs)"),
    ("remote_check_failed", "the check of the remote target failed in another way", "read the message"),
    ("remote_not_writable", "the dump directory on the server cannot be written by the user kdump logs in as",
     "give that user the directory (or its nearest existing parent)"),
    ("remote_space_low", "the dump directory on the server has less free space than a dump of this host needs",
     "free space there"),
)
# The codes a failed check of a remote target reports (_remote_target.check): each a rule below.
REMOTE_ERROR_CODES = ("remote_target_invalid", "remote_tool_missing", "remote_key_missing", "remote_unreachable",
                      "remote_host_key_unknown", "remote_auth_failed", "remote_check_failed")


# What kdump_info observes (the keys above), as named fields: a misspelt key, in a rule or in the
# caller, fails instead of reading as "nothing known".
OBSERVATIONS = (
    "platform_known", "distribution", "version", "xen_pv_domu", "container", "installed", "package",
    "reserved_bytes", "running", "configured", "floor_bytes", "floor_from", "service_name", "service_enabled",
    "crash_loaded", "crash_loaded_path", "lockdown", "kexec_load_disabled", "loader_syscall", "loader_why",
    "loader_setting", "capture_kernel", "capture_kernel_signed", "dump_path", "dump_free_bytes",
    "dump_needed_bytes", "dump_estimate", "remote_target", "remote_error", "remote_writable",
    "remote_probed_path", "remote_free_bytes",
)
Observations = namedtuple("Observations", OBSERVATIONS)


class ReadinessError(ValueError):
    """An option kdump_info cannot use; the message names the value and what is accepted."""


MIN_RESERVED_ACCEPTED = ("accepted: a size such as 192M, or a range list such as 1G-4G:192M,4G-:256M, which is "
                         "evaluated against this host's RAM as the kernel evaluates crashkernel=")


def min_reserved_floor(value, ram_bytes, arch="x86_64"):
    """The floor ``min_reserved`` sets on this host: ``(bytes, warning or None)``.

    A size is the floor; a range list is evaluated against ``ram_bytes`` with
    the crashkernel grammar (``_crashkernel.parse(...).size_for``), so
    ``1G-4G:192M,4G-:256M`` is 192M on a 2 GiB host. A range list with no range
    for this RAM gives 0 and a warning that no floor is checked. Anything else
    raises ReadinessError naming the value and what is accepted.
    """
    try:
        spec = parse(value)
    except CrashkernelError as exc:
        # The grammar's message ends with every crashkernel= form (@OFFSET, ,high, auto), most of which
        # min_reserved refuses: keep what is wrong, and name only what min_reserved accepts.
        problem = str(exc).replace("; " + ACCEPTED_FORMS, "")
        raise ReadinessError("min_reserved=%s is not valid: %s; %s" % (value, problem, MIN_RESERVED_ACCEPTED))
    if spec.kind not in ("size", "ranges") or spec.offset:
        raise ReadinessError("min_reserved=%s is not a floor this module can check (%s); %s"
                             % (value, "an @offset places memory, it does not size it" if spec.offset
                                else "the %s form" % spec.kind, MIN_RESERVED_ACCEPTED))
    if spec.kind == "size":
        return spec.size, None
    try:
        floor = spec.size_for(ram_bytes, arch)
    except CrashkernelError as exc:
        raise ReadinessError("min_reserved=%s cannot be evaluated for this host's %s of System RAM: %s; %s"
                             % (value, human_size(ram_bytes), exc, MIN_RESERVED_ACCEPTED))
    if floor == 0:
        rounded = -(-ram_bytes // RAM_ROUNDING) * RAM_ROUNDING
        return 0, ("min_reserved=%s has no range for this host's %s of System RAM (%s once rounded up to a "
                   "multiple of 128M, as the kernel matches ranges): no floor is checked"
                   % (value, human_size(ram_bytes), format_size(rounded)))
    return floor, None


def _joined(tokens, empty="no crashkernel="):
    return " ".join(tokens) or empty


def _unsupported_platform(obs):
    if not obs.platform_known:
        return ("%s %s is not a platform this collection knows (Debian, Ubuntu, the Red Hat family, SUSE)"
                % (obs.distribution or "this OS", obs.version or ""))
    return None


def _unsupported_xen_pv_domu(obs):
    if obs.xen_pv_domu:
        return ("this is a Xen PV guest (domU): kdump cannot work here; "
                "use the hypervisor's dump tools (xl dump-core)")
    return None


def _in_container(obs):
    if obs.container:
        return ("kdump cannot work inside a container (%s): the crash kernel belongs to the host; "
                "run this against the host" % obs.container)
    return None


def _not_installed(obs):
    if obs.platform_known and not obs.installed:
        return "%s is not installed" % obs.package
    return None


def _configured_but_not_booted(obs):
    """Nothing reserved yet, but the boot entries carry a crashkernel= the running kernel lacks."""
    running, configured = list(obs.running or []), list(obs.configured or [])
    return not obs.reserved_bytes and bool(configured) and configured != running


def _needs_reboot(obs):
    running, configured = list(obs.running or []), list(obs.configured or [])
    if not obs.reserved_bytes:
        if _configured_but_not_booted(obs):
            return ("the boot entries carry crashkernel=%s but the running kernel was booted without it: "
                    "reboot to reserve the memory" % " ".join(token_values(configured)))
        return None
    if configured != running:
        return ("the boot entries carry %s but the running kernel has %s: reboot to apply"
                % (_joined(configured), _joined(running)))
    return None


def _not_reserved(obs):
    if not obs.reserved_bytes and not _configured_but_not_booted(obs):
        return "no memory is reserved for the capture kernel (no crashkernel= in effect)"
    return None


def _reservation_too_small(obs):
    reserved, floor = obs.reserved_bytes or 0, obs.floor_bytes or 0
    if reserved and floor and reserved < floor:
        return ("%s reserved, less than the %s this host needs (%s); the capture kernel would run out of memory "
                "and hang instead of writing a dump" % (format_size(reserved), format_size(floor), obs.floor_from))
    return None


def _service_not_enabled(obs):
    if obs.installed and not obs.service_enabled:
        return "the %s service is not enabled: kdump will not be armed after a reboot" % obs.service_name
    return None


def _kexec_load_disabled(obs):
    if obs.kexec_load_disabled and not obs.crash_loaded:
        return ("kernel.kexec_load_disabled is 1 and no capture kernel is loaded: the kernel refuses every kexec load "
                "(kexec_load and kexec_file_load) until the next boot; set the sysctl only after the kdump service "
                "has loaded (e.g. in a unit ordered after %s), then reboot" % (obs.service_name or "kdump"))
    return None


def _lockdown_refuses_kexec_load(obs):
    if locked_down(obs.lockdown) and obs.loader_syscall == "kexec_load" and not obs.crash_loaded:
        return ("the kernel is locked down (%s), which refuses kexec_load, and %s: set %s to \"-s\" so the capture "
                "kernel is loaded with kexec_file_load" % (obs.lockdown, obs.loader_why, obs.loader_setting))
    return None


def _capture_kernel_unsigned(obs):
    if locked_down(obs.lockdown) and obs.capture_kernel_signed is False and not obs.crash_loaded:
        return ("the kernel is locked down (%s) and the capture kernel %s carries no signature, so kexec_file_load "
                "will refuse it; use the distribution's signed kernel" % (obs.lockdown, obs.capture_kernel))
    return None


def _service_not_loaded(obs):
    if not obs.crash_loaded:
        return ("no capture kernel is loaded (%s): a crash now would not be captured"
                % not_loaded_detail(obs.crash_loaded_path))
    return None


def _dump_space_low(obs):
    free, needed = obs.dump_free_bytes, obs.dump_needed_bytes
    if free is not None and needed is not None and free < needed:
        return ("%s has %s free, less than the %s a dump of this host needs (%s): the dump would fail or be "
                "cut short; free space there or send dumps elsewhere"
                % (obs.dump_path, human_size(free), human_size(needed), obs.dump_estimate))
    return None


def _remote_error(code):
    def rule(obs):
        if obs.remote_error and obs.remote_error[0] == code:
            return ("the dump target %s cannot take a dump: %s; a crash now would not reach it"
                    % (obs.remote_target, obs.remote_error[1]))
        return None
    return rule


def _remote_not_writable(obs):
    if obs.remote_writable is False:
        return ("the dump target %s: %s is not writable by the user kdump logs in as, so the dump cannot be created"
                % (obs.remote_target, obs.remote_probed_path))
    return None


def _remote_space_low(obs):
    free, needed = obs.remote_free_bytes, obs.dump_needed_bytes
    if free is not None and needed is not None and free < needed:
        return ("the dump target %s: %s has %s free, less than the %s a dump of this host needs (%s)"
                % (obs.remote_target, obs.remote_probed_path, human_size(free), human_size(needed), obs.dump_estimate))
    return None


RULES = (
    ("unsupported_platform", _unsupported_platform),
    ("unsupported_xen_pv_domu", _unsupported_xen_pv_domu),
    ("in_container", _in_container),
    ("not_installed", _not_installed),
    ("needs_reboot", _needs_reboot),
    ("not_reserved", _not_reserved),
    ("reservation_too_small", _reservation_too_small),
    ("service_not_enabled", _service_not_enabled),
    ("kexec_load_disabled", _kexec_load_disabled),
    ("lockdown_refuses_kexec_load", _lockdown_refuses_kexec_load),
    ("capture_kernel_unsigned", _capture_kernel_unsigned),
    ("service_not_loaded", _service_not_loaded),
    ("dump_space_low", _dump_space_low),
) + tuple((code, _remote_error(code)) for code in REMOTE_ERROR_CODES) + (
    ("remote_not_writable", _remote_not_writable),
    ("remote_space_low", _remote_space_low),
)


def reasons(observations):
    """Every rule that holds for ``observations`` (a dict of OBSERVATIONS keys), as ``[{code, message}]``
    (empty = ready). A key that is not an observation raises TypeError, naming it."""
    obs = Observations(**dict(dict.fromkeys(OBSERVATIONS), **observations))
    found = []
    for code, rule in RULES:
        message = rule(obs)
        if message:
            found.append(dict(code=code, message=message))
    return found
