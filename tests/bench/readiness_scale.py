"""make bench-readiness (part of make bench): what the readiness playbook costs per host as the inventory grows.

Boots (or reuses) two Debian 12 VMs and writes inventories of SIZES hosts, each an alias of one of
the two VMs. For each size and FORKS value, times, in one run and alternating, ROUNDS runs of
`ansible-playbook crashdump.kdump.readiness` and of `ansible all -m ping` on the same inventory, and
prints the per-host cost of readiness as a ratio to ping's. Goal: at most 1.5 (one module call per
host). Numbers are printed, never asserted: wall time under TCG depends on the machine.

  .venv/bin/python tests/bench/readiness_scale.py [--sizes 1,10,50] [--forks 5,25] [--rounds N] [--keep]
"""

import argparse
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

VMS = ("bench-scale-a", "bench-scale-b")


def write_aliases(path, vms, size):
    """An inventory of `size` hosts, alternating between the VMs (one line per alias)."""
    with open(path, "w", encoding="utf-8") as f:
        for index in range(size):
            name, vm = vms[index % len(vms)]
            f.write("%s-%03d ansible_host=%s ansible_port=%s ansible_user=%s ansible_ssh_private_key_file=%s "
                    "ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null' ansible_python_interpreter=auto_silent\n"
                    % (name, index, vm["host"], vm["port"], vm["user"], vm["identity_file"]))
    return path


def timed(argv, env):
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode:
        sys.exit("bench: %s failed:\n%s" % (" ".join(argv), proc.stdout[-4000:]))
    return seconds


# A round at 50 hosts takes minutes under TCG and its median moves little: rounds are capped so that
# each size costs about as much as 3 rounds of 10 hosts.
HOST_RUNS_PER_SIZE = 30


def rounds_for(size, rounds):
    return max(1, min(rounds, HOST_RUNS_PER_SIZE // size))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,50")
    parser.add_argument("--forks", default="5,25")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per size, at most %s host-runs each (50 hosts: 1 round; default %%(default)s)"
                        % HOST_RUNS_PER_SIZE)
    parser.add_argument("--keep", action="store_true", help="leave the VMs running")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    forks_values = [int(f) for f in args.forks.split(",")]

    vms = [(name, vmhost.up(name, "bookworm")) for name in VMS]
    work = tempfile.mkdtemp(prefix="crashdump-bench-scale-")
    env = vmhost.ansible_env()
    bin_dir = os.path.join(VENV, "bin")
    rows = []
    try:
        for size in sizes:
            inventory = write_aliases(os.path.join(work, "hosts-%d.ini" % size), vms, size)
            for forks in forks_values:
                readiness = [os.path.join(bin_dir, "ansible-playbook"), "-i", inventory, "-f", str(forks),
                             "crashdump.kdump.readiness"]
                ping = [os.path.join(bin_dir, "ansible"), "-i", inventory, "all", "-f", str(forks),
                        "-m", "ansible.builtin.ping"]
                report, pings = [], []
                for _round in range(rounds_for(size, args.rounds)):
                    report.append(timed(readiness, env))
                    pings.append(timed(ping, env))
                r, p = statistics.median(report), statistics.median(pings)
                rows.append((size, forks, rounds_for(size, args.rounds), r, p))
                print("bench: %3d hosts, forks %2d: readiness %6.1f s (%.2f s/host), ping %6.1f s (%.2f s/host), "
                      "ratio %.2f" % (size, forks, r, r / size, p, p / size, r / p), flush=True)
    finally:
        if not args.keep:
            for name, _vm in vms:
                subprocess.run([vmhost.VM, "down", name], stdout=subprocess.DEVNULL, check=False)

    print()
    print("crashdump.kdump bench: readiness playbook against ping, aliases of %d VMs (%s), median of the rounds"
          % (len(vms), vms[0][1]["accel"]))
    print("  hosts  forks  rounds  readiness s  ping s  readiness/ping (goal <= 1.5)")
    for size, forks, rounds, r, p in rows:
        print("  %5d  %5d  %6d  %11.1f  %6.1f  %.2f" % (size, forks, rounds, r, p, r / p))


if __name__ == "__main__":
    main()
