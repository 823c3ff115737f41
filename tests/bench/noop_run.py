"""make bench-noop (part of make bench): what the kdump role costs on a host that is already kdump-ready.

Boots (or reuses) a Debian 12 VM, makes it ready once with crashdump.kdump.enable, then times, in
one run and alternating, ROUNDS no-op runs of the same playbook and ROUNDS `ansible -m ping` round
trips to the same VM. Prints the ratio of the medians and the tasks that touched the host.
Numbers are printed, never asserted: wall time under TCG depends on the machine.

  .venv/bin/python tests/bench/noop_run.py [--rounds N] [--keep] [--vm NAME]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VENV = os.environ.get("CRASHDUMP_VENV", os.path.join(REPO, ".venv"))
sys.path.insert(0, os.path.join(REPO, "tests", "vm"))
import vmhost  # noqa: E402  (tests/vm/vmhost.py)
NAME = "bench-bookworm"


def timed(argv, env, quiet=True):
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode:
        sys.exit("bench: %s failed:\n%s" % (" ".join(argv), proc.stdout or ""))
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the VM running")
    parser.add_argument("--vm", default=NAME, help="harness VM to use (started when not running; default %(default)s)")
    args = parser.parse_args()
    name = args.vm

    vm = vmhost.up(name, "bookworm")
    work = tempfile.mkdtemp(prefix="crashdump-bench-")
    inventory = vmhost.write_inventory(os.path.join(work, "inventory.ini"), name, vm)
    env = vmhost.ansible_env(ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"),
                             ANSIBLE_CALLBACKS_ENABLED="host_tasks")
    bin_dir = os.path.join(VENV, "bin")
    enable = [os.path.join(bin_dir, "ansible-playbook"), "-i", inventory, "crashdump.kdump.enable"]
    ping = [os.path.join(bin_dir, "ansible"), "-i", inventory, name, "-m", "ansible.builtin.ping"]

    print("bench: making %s kdump-ready once (a no-op if it already is)" % name, flush=True)
    timed(enable + ["-e", "kdump_reboot_ok=true"], env, quiet=False)

    noop, pings, counts = [], [], []
    for i in range(args.rounds):
        out = os.path.join(work, "tasks-%d.json" % i)
        noop.append(timed(enable, dict(env, BENCH_TASKS_OUT=out)))
        with open(out, encoding="utf-8") as f:
            counts.append(json.load(f))
        pings.append(timed(ping, env))
    if not args.keep:
        subprocess.run([vmhost.VM, "down", name], stdout=subprocess.DEVNULL, check=False)

    last = counts[-1]
    print()
    print("crashdump.kdump bench — the kdump role on an already-ready Debian 12 VM (%s), %d rounds"
          % (vm["accel"], args.rounds))
    print("  no-op run (ansible-playbook crashdump.kdump.enable)  median %.2f s  (%s)"
          % (statistics.median(noop), ", ".join("%.2f" % s for s in noop)))
    print("  ansible -m ping round trip                           median %.2f s  (%s)"
          % (statistics.median(pings), ", ".join("%.2f" % s for s in pings)))
    print("  ratio: one no-op run = %.1f ping round trips" % (statistics.median(noop) / statistics.median(pings)))
    print("  tasks that touched the host: %d; controller-only: %d; skipped: %d; changed: %s"
          % (len(last["touched"]), last["local"], last["skipped"], ", ".join(str(c["changed"]) for c in counts)))
    for name in last["touched"]:
        print("    - " + name)


if __name__ == "__main__":
    main()
