"""make bench-dump (part of make bench): how long a crashed host is down writing its dump, per compression.

  .venv/bin/python tests/bench/dump_downtime.py [--releases bookworm,trixie] [--rounds 2] [--keep]

For each Debian release, one VM is made kdump-ready (crashdump.kdump.enable), then crashed by
crashdump.kdump.verify once per round and per compression its makedumpfile has (`makedumpfile -v`),
set with the kdump_config module. The times come from the capture kernel's own console lines (its
clock starts at the crash's kexec): "crash to dump" is its uptime when kdump-tools says "saved vmcore",
"makedumpfile" the time from "running makedumpfile ... /proc/vmcore" to that line. The size is the
dump's, from verify's report. Printed as ratios to zlib (makedumpfile -c, the distros' default) in
one run; `auto` is what the rule in plugins/module_utils/_kdump_config.py picks from this table.

Threads: makedumpfile --num-threads writes only the kdump-compressed format to a file
(makedumpfile(8)), and Debian's kdump-config always adds -F and pipes the flattened dump to
`compress` (kdump-tools 1.8.1 and 1.10.7), so Debian has no thread setting to measure.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VENV = os.environ.get("CRASHDUMP_VENV", os.path.join(REPO, ".venv"))
sys.path.insert(0, os.path.join(REPO, "tests", "vm"))
import vmhost  # noqa: E402  (tests/vm/vmhost.py)

sys.path.insert(0, vmhost.ansible_env()["ANSIBLE_COLLECTIONS_PATH"].split(":")[0])
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (  # noqa: E402
    MEASURED_DUMPS,
    auto_compression,
    available_compressions,
)

ORDER = ("zlib", "lzo", "snappy", "zstd")
# The firmware each release's VM boots in make test (their images are then built already).
FIRMWARE = {"bookworm": "bios", "trixie": "uefi"}
# Capture kernel console lines (kdump-config's log_action_msg and log_success_msg).
STAMP = re.compile(r"^\[\s*(\d+\.\d+)\]")
RUNNING = re.compile(r"running makedumpfile .* /proc/vmcore \|")
SAVED = re.compile(r"saved vmcore in ")


def run(argv, env, what):
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if proc.returncode:
        sys.exit("bench: %s failed:\n%s" % (what, proc.stdout[-4000:]))
    return proc.stdout


def capture_times(console):
    """(crash to dump saved, makedumpfile) seconds from the capture kernel's console text."""
    running = saved = None
    for line in console.splitlines():
        line = line.strip()
        stamp = STAMP.match(line)
        if not stamp:
            continue
        if RUNNING.search(line):
            running = float(stamp.group(1))
        elif SAVED.search(line) and running is not None:
            saved = float(stamp.group(1))
    if saved is None:
        return None, None
    return saved, saved - running


def bench_release(release, rounds, work, keep):
    name = "bench-dump-" + release
    print("bench: %s: starting %s and making it kdump-ready" % (release, name), flush=True)
    vm = vmhost.up(name, release, FIRMWARE.get(release, "bios"))
    inventory = vmhost.write_inventory(os.path.join(work, "%s.ini" % name), name, vm)
    env = vmhost.ansible_env()
    bin_dir = os.path.join(VENV, "bin")
    playbook = [os.path.join(bin_dir, "ansible-playbook"), "-i", inventory]
    adhoc = [os.path.join(bin_dir, "ansible"), "-i", inventory, name, "--become"]
    run(playbook + ["crashdump.kdump.enable", "-e", "kdump_reboot_ok=true"], env, "enable on " + name)
    version = run(adhoc + ["-m", "ansible.builtin.command", "-a", "makedumpfile -v"], env, "makedumpfile -v")
    codecs = [c for c in ORDER if c in available_compressions(version)]
    rows = {}
    try:
        for codec in codecs:
            for round_ in range(rounds):
                run(adhoc + ["-m", "crashdump.kdump.kdump_config", "-a",
                             json.dumps(dict(core_collector=dict(compression=codec)))], env, "kdump_config " + codec)
                run(adhoc + ["-m", "ansible.builtin.systemd_service", "-a", "name=kdump-tools state=restarted"],
                    env, "restart kdump-tools")
                with open(vm["serial_log"], "rb") as f:
                    offset = f.seek(0, os.SEEK_END)
                reports = os.path.join(work, "%s-%s-%d" % (release, codec, round_))
                os.makedirs(reports)
                run(playbook + ["crashdump.kdump.verify", "-e", "kdump_verify_confirm_crash=true",
                                "-e", "kdump_verify_report_dir=" + reports], env, "verify (%s)" % codec)
                with open(vm["serial_log"], "rb") as f:
                    f.seek(offset)
                    console = f.read().decode("utf-8", "replace")
                with open(os.path.join(reports, name + ".json"), encoding="utf-8") as f:
                    report = json.load(f)
                down, write = capture_times(console)
                if down is None:
                    sys.exit("bench: %s %s: no 'saved vmcore' line on the console after the crash" % (name, codec))
                rows.setdefault(codec, []).append((down, write, report["dump_size"]))
                print("bench: %s %-6s round %d: crash to dump %.1f s, makedumpfile %.1f s, dump %.1f MiB"
                      % (release, codec, round_ + 1, down, write, report["dump_size"] / 1048576.0), flush=True)
    finally:
        if not keep:
            subprocess.run([vmhost.VM, "down", name], stdout=subprocess.DEVNULL, check=False)
    return vm["accel"], rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", default="bookworm,trixie")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="leave the VMs running")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="crashdump-bench-dump-")
    results = [(release,) + bench_release(release, args.rounds, work, args.keep)
               for release in args.releases.split(",")]

    print()
    print("crashdump.kdump bench: downtime after a crash per compression, median of %d crashes each" % args.rounds)
    print("  release   codec   crash->dump s  makedumpfile s  dump MiB  time/zlib  size/zlib")
    for release, accel, rows in results:
        medians = dict((codec, [statistics.median(v[i] for v in values) for i in range(3)])
                       for codec, values in rows.items())
        zlib = medians["zlib"]
        for codec in ORDER:
            if codec in medians:
                down, write, size = medians[codec]
                print("  %-8s  %-6s  %13.1f  %14.1f  %8.1f  %9.2f  %9.2f"
                      % (release, codec, down, write, size / 1048576.0, write / zlib[1], size / zlib[2]))
        ratios = dict((codec, (write / zlib[1], size / zlib[2])) for codec, (_down, write, size) in medians.items())
        print("  %-8s  auto picks %s with the rule's table (%s), %s with this run's ratios (%s)" % (
            release, auto_compression(set(medians) | set(["none"])),
            ", ".join("%s %.2f/%.2f" % (c, t, s) for c, (t, s) in sorted(MEASURED_DUMPS.items())),
            auto_compression(set(medians) | set(["none"]), ratios), accel))


if __name__ == "__main__":
    main()
