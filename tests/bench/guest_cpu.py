"""make bench-guest-cpu: which TCG guest CPU model runs the harness's heaviest guest work fastest.

For each model (alternating, ROUNDS times), boots a Debian 12 VM under TCG with that
CRASHDUMP_VM_CPU_MODEL, then times inside the guest what dominates the VM scenarios: building an
initramfs (kdump-tools' install and the capture initrd) and user-space work (tar | gzip). Prints each
model's median and its ratio to the first. Numbers are printed, never asserted.

  .venv/bin/python tests/bench/guest_cpu.py [--rounds N] [--models max,qemu64,...]
"""

import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "vm"))
import qemu  # noqa: E402  (tests/vm/qemu.py)
import vmhost  # noqa: E402

NAME = "bench-cpu"
# Both steps write to /tmp only; the image is an overlay dropped at `vm down`.
# Caches dropped first: a VM resumed from the image's saved state would otherwise start warm.
WORKLOAD = ("set -e; sync; echo 3 | sudo tee /proc/sys/vm/drop_caches >/dev/null; s=$(date +%s.%N); sudo mkinitramfs -o /tmp/bench.img >/dev/null 2>&1; "
            "m=$(date +%s.%N); tar -cf - /usr/lib/python3* 2>/dev/null | gzip -1 >/dev/null; "
            "e=$(date +%s.%N); echo \"$s $m $e\"")


def run_once(model):
    env = dict(os.environ, CRASHDUMP_VM_ACCEL="tcg", CRASHDUMP_VM_CPU_MODEL=model)
    subprocess.run([vmhost.VM, "down", NAME], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    os.environ.update(CRASHDUMP_VM_ACCEL="tcg", CRASHDUMP_VM_CPU_MODEL=model)
    try:
        vm = vmhost.up(NAME, "bookworm")
        out = qemu.ssh_output(vm["port"], vm["user"], vm["identity_file"], WORKLOAD, timeout=1800)
    finally:
        subprocess.run([vmhost.VM, "down", NAME], env=env, stdout=subprocess.DEVNULL, check=False)
    start, middle, end = (float(x) for x in out.split())
    return vm["boot_seconds"], middle - start, end - middle


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models", default="max,max,la57=off,qemu64",
                        help="comma-separated; a model's own options use '=' (default %(default)s)")
    args = parser.parse_args()
    models = []
    for part in args.models.split(","):
        if "=" in part and models:
            models[-1] += "," + part  # an option of the previous model
        else:
            models.append(part)
    results = {m: [] for m in models}
    for round_ in range(args.rounds):
        for model in models:
            boot, initramfs, userspace = run_once(model)
            results[model].append((boot, initramfs, userspace))
            print("bench: round %d, -cpu %s: boot %.1f s, mkinitramfs %.1f s, userspace %.1f s"
                  % (round_ + 1, model, boot, initramfs, userspace), flush=True)
    first = None
    for model in models:
        rows = results[model]
        medians = [statistics.median(r[i] for r in rows) for i in range(3)]
        first = first or medians
        print("bench: -cpu %-16s boot %6.1f s (%.2fx)  mkinitramfs %6.1f s (%.2fx)  userspace %6.1f s (%.2fx)"
              % (model, medians[0], medians[0] / first[0], medians[1], medians[1] / first[1],
                 medians[2], medians[2] / first[2]))


if __name__ == "__main__":
    main()
