"""make demo: a local Debian 12 VM made kdump-ready by the collection, crashed, and its vmcore shown.

  .venv/bin/python tests/demo.py [--release bookworm|trixie] [--firmware bios|uefi|secureboot] [--keep]

Uses only what `make demo` installed (.venv, QEMU, debootstrap). The VM is stopped at the end
unless --keep (then: tests/vm/vm ssh demo-RELEASE, tests/vm/vm down demo-RELEASE).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "vm"))
import vmhost  # noqa: E402  (tests/vm/vmhost.py)

VENV = os.environ.get("CRASHDUMP_VENV", os.path.join(REPO, ".venv"))
WORK = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "crashdump-kdump", "demo")
# Console lines worth showing while Ansible waits on a booting or dumping VM.
CONSOLE = re.compile(r"sysrq|Kernel panic|kdump|makedumpfile|Copying data|Saving|vmcore|Rebooting|"
                     r"reboot: Restarting|Linux version|login:", re.I)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def step(text):
    print("\n\033[1m==> %s\033[0m" % text, flush=True)


def size(n):
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return "%.1f %s" % (n, unit)
        n /= 1024


class ConsoleTail(threading.Thread):
    """Print the interesting lines of the VM's serial console as they arrive."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()

    def run(self):
        with open(self.path, "rb") as f:
            f.seek(0, os.SEEK_END)
            buf = b""
            while not self.stop.is_set():
                chunk = f.read()
                if not chunk:
                    time.sleep(0.5)
                    continue
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for raw in lines:
                    line = ANSI.sub("", raw.decode("utf-8", "replace")).strip()
                    if line and CONSOLE.search(line):
                        print("    console | " + line[:150], flush=True)


def playbook(name, inventory, serial_log, *extra):
    env = vmhost.ansible_env(ANSIBLE_DISPLAY_SKIPPED_HOSTS="False", ANSIBLE_CALLBACK_RESULT_FORMAT="yaml")
    argv = [os.path.join(VENV, "bin", "ansible-playbook"), "-i", inventory, "crashdump.kdump." + name] + list(extra)
    print("    $ " + " ".join(argv[1:]), flush=True)
    tail = ConsoleTail(serial_log)
    tail.start()
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, env=env, cwd=WORK, check=False)
    finally:
        tail.stop.set()
    if proc.returncode:
        sys.exit("demo: crashdump.kdump.%s failed (exit %d); the VM is left running for a look: "
                 "tests/vm/vm ssh demo-..., serial log %s" % (name, proc.returncode, serial_log))
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", default="bookworm", choices=["bookworm", "trixie"])
    parser.add_argument("--firmware", default=os.environ.get("FIRMWARE") or "bios",
                        choices=["bios", "uefi", "secureboot"],
                        help="how the VM boots (default bios, the fastest; FIRMWARE= in the environment)")
    parser.add_argument("--keep", action="store_true", help="leave the VM running at the end")
    args = parser.parse_args()
    name = "demo-" + args.release
    os.makedirs(WORK, exist_ok=True)
    begin = time.monotonic()

    step("Starting a Debian %s VM (%s, %s firmware) under QEMU; the first run builds its image (about 4 min)"
         % ({"bookworm": 12, "trixie": 13}[args.release], args.release, args.firmware))
    subprocess.run([vmhost.VM, "down", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    vm = vmhost.up(name, args.release, args.firmware)
    boot_seconds = time.monotonic() - begin
    inventory = vmhost.write_inventory(os.path.join(WORK, "inventory.ini"), name, vm)
    print("    %s answers on SSH at %s:%s (%s, %.0f s)" % (name, vm["host"], vm["port"], vm["accel"], boot_seconds))
    print("    accelerator %s: %s" % (vm["accel"], vm.get("accel_reason", "")))

    step("Making it kdump-ready: install kdump-tools, reserve memory, configure, reboot, re-check")
    enable_seconds = playbook("enable", inventory, vm["serial_log"], "-e", "kdump_reboot_ok=true")

    step("Crashing it on purpose (echo c > /proc/sysrq-trigger) and looking for the vmcore")
    reports = os.path.join(WORK, "reports")
    verify_seconds = playbook("verify", inventory, vm["serial_log"], "-e", "kdump_verify_confirm_crash=true",
                              "-e", "kdump_verify_report_dir=" + reports, "-e", "kdump_verify_fetch_dir=" + reports)
    with open(os.path.join(reports, name + ".json"), encoding="utf-8") as f:
        report = json.load(f)

    if not args.keep:
        subprocess.run([vmhost.VM, "down", name], stdout=subprocess.DEVNULL, check=False)
    rows = [
        ("host", "%s (Debian %s VM, %s, %s firmware)"
         % (name, {"bookworm": 12, "trixie": 13}[args.release], vm["accel"], args.firmware)),
        ("crashkernel=", report["crashkernel"]),
        ("memory reserved", size(report["reserved_bytes"])),
        ("crash -> dump -> back", "%.0f s (capture kernel, makedumpfile, reboot, SSH)" % float(report["seconds_to_ssh"])),
        ("vmcore", "%s" % report["dump_path"]),
        ("vmcore size", "%s, %s" % (size(report["dump_size"]), report["dump_format"])),
        ("kernel log", "%s (copy: %s)" % (report["dmesg_path"], os.path.join(reports, name))),
        ("wall time", "VM up %.0f s, make ready %.0f s, crash test %.0f s"
         % (boot_seconds, enable_seconds, verify_seconds)),
    ]
    step("kdump works: a real crash wrote a valid vmcore")
    for key, value in rows:
        print("    %-22s %s" % (key, value))
    if args.keep:
        print("\n    The VM is still running: tests/vm/vm ssh %s   |   tests/vm/vm down %s" % (name, name))


if __name__ == "__main__":
    main()
