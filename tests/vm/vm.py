"""crashdump.kdump VM harness: Debian VMs under QEMU for molecule scenarios and `make demo`.

  vm build RELEASE [--firmware F]           build or reuse the base image (bookworm, trixie)
  vm up NAME --release RELEASE [--firmware bios|uefi|secureboot] [--memory MIB]
                                            start a VM, wait for SSH, print JSON
  vm ssh NAME [-- CMD...]                   run a command (or a shell) in the VM
  vm down NAME                              stop the VM and delete its overlay
  vm list [--json]                          instances and whether they run
  vm prune                                  delete images of other builder versions no VM uses

Progress goes to stderr; `up` prints exactly one JSON object on stdout. Stdlib only.
See tests/vm/README.md for the cache layout and environment variables.
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import accel  # noqa: E402  (KVM or TCG)
import image  # noqa: E402  (build recipe)
import qemu  # noqa: E402

DEFAULT_MEMORY = qemu.DEFAULT_MEMORY
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
INSTALL_HINT = "apt-get install qemu-system-x86 qemu-utils debootstrap (or run tests/vm/install-deps as root)"


class Error(Exception):
    pass


def log(msg):
    print("vm: " + msg, file=sys.stderr, flush=True)


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "crashdump-kdump")


def vm_dir(name):
    return os.path.join(cache_dir(), "vms", name)


def accel_chooser():
    try:
        return accel.Chooser(cache_dir(), log)
    except ValueError as e:
        raise Error(str(e)) from e


def check_release(release):
    if release not in image.RELEASES:
        raise Error(
            "unknown release %r; supported: %s"
            % (release, ", ".join("%s (%s)" % (r, n) for r, n in image.RELEASES.items()))
        )


def check_name(name):
    if not NAME_RE.match(name):
        raise Error("bad VM name %r: use letters, digits, '.', '_' and '-'" % name)


def lan_name(text):
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", text):
        raise argparse.ArgumentTypeError("LAN name %r: expected letters, digits, _ . - (up to 64)" % text)
    return text


def check_firmware(firmware):
    try:
        qemu.check_firmware(firmware)
    except RuntimeError as e:
        raise Error(str(e)) from e


def image_dir(release, boot):
    return os.path.join(cache_dir(), "images", image.image_name(release, boot))


def images_in_use():
    used = set()
    vms = os.path.join(cache_dir(), "vms")
    for name in os.listdir(vms) if os.path.isdir(vms) else []:
        info = read_info(name)
        if info:
            used.add(os.path.dirname(info.get("image", "")))
    return used


class StdoutToStderr:
    """Send fd 1 to stderr while building: child tools (debootstrap, apt) print progress on
    stdout, and `up`'s stdout must carry nothing but its JSON."""

    def __enter__(self):
        sys.stdout.flush()
        self.saved = os.dup(1)
        os.dup2(2, 1)

    def __exit__(self, *exc):
        sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.saved)


def ensure_image(release, boot):
    """Path of the base image dir for `release` and `boot` (image.BOOTS), building it first when
    it is missing."""
    check_release(release)
    final = image_dir(release, boot)
    if os.path.exists(os.path.join(final, "base.qcow2")):
        return final
    if shutil.which("qemu-system-x86_64") is None or shutil.which("qemu-img") is None \
            or shutil.which("debootstrap") is None:
        raise Error("QEMU or debootstrap is missing; install them with: " + INSTALL_HINT)
    os.makedirs(os.path.join(cache_dir(), "images"), exist_ok=True)
    # One builder per image at a time; a second caller waits and then reuses the result.
    lock_path = os.path.join(cache_dir(), "images", ".lock-%s-%s" % (release, boot))
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(final, "base.qcow2")):
            return final
        try:
            with StdoutToStderr():
                built = image.build(release, boot, cache_dir(), accel_chooser())
        except image.BuildError as e:
            raise Error("image build failed: %s" % e) from e
    # Older builds are not deleted here: another checkout (branch) may share this cache and use
    # them. `vm prune` removes them.
    return built


def read_info(name):
    try:
        with open(os.path.join(vm_dir(name), "info.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def is_running(name):
    d = vm_dir(name)
    pid = qemu.read_pid(os.path.join(d, "qemu.pid"))
    if not qemu.pid_alive(pid):
        return False
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return os.path.join(d, "overlay.qcow2").encode() in f.read()
    except OSError:
        return False


def cmd_prune(args):
    """Delete base images of other builder versions that no VM uses."""
    images = os.path.join(cache_dir(), "images")
    current = {image_dir(r, b) for r in image.RELEASES for b in image.BOOTS}
    in_use = images_in_use()
    for name in sorted(os.listdir(images)) if os.path.isdir(images) else []:
        path = os.path.join(images, name)
        if name.startswith(".") or path in current:
            continue
        if path in in_use:
            log("keeping %s: a VM still uses it" % path)
            continue
        log("removing " + path)
        shutil.rmtree(path, ignore_errors=True)


def cmd_build(args):
    start = time.monotonic()
    check_firmware(args.firmware)
    path = ensure_image(args.release, qemu.boot_kind(args.firmware))
    log("image ready in %.0fs: %s" % (time.monotonic() - start, os.path.join(path, "base.qcow2")))
    print(os.path.join(path, "base.qcow2"))


def cmd_up(args):
    check_name(args.name)
    check_release(args.release)
    if shutil.which("qemu-system-x86_64") is None or shutil.which("qemu-img") is None:
        raise Error("QEMU is missing; install it with: " + INSTALL_HINT)
    check_firmware(args.firmware)
    if is_running(args.name):
        info = read_info(args.name)
        if info and info.get("release") == args.release and info.get("firmware", "bios") == args.firmware \
                and (info.get("lan") or {}).get("name") == args.lan:
            log("%s is already running; reusing it" % args.name)
            print(json.dumps(info))
            return
        raise Error("%s is running with another release, firmware or LAN; run `vm down %s` first"
                    % (args.name, args.name))
    down(args.name, quiet=True)  # leftovers of a dead instance

    img = ensure_image(args.release, qemu.boot_kind(args.firmware))
    d = vm_dir(args.name)
    os.makedirs(d)
    overlay = os.path.join(d, "overlay.qcow2")
    serial = os.path.join(d, "serial.log")
    pidfile = os.path.join(d, "qemu.pid")
    keyfile = os.path.join(img, "id_ed25519")
    base = os.path.join(img, "base.qcow2")
    chooser = accel_chooser()
    chosen, accel_reason = chooser.choose(os.path.join(img, image.KERNEL))
    log("%s: accelerator %s: %s" % (args.name, chosen, accel_reason))

    def start(accel_now):
        """Boot (or resume) the VM under `accel_now` and wait for SSH; on failure leave nothing running."""
        resume, why_not = image.snapshot_matches(img, args.firmware, args.memory, accel_now)
        saved = image.snapshot_files(args.firmware)
        if os.environ.get("CRASHDUMP_VM_SNAPSHOT", "1") == "0":
            resume, why_not = False, "CRASHDUMP_VM_SNAPSHOT=0"
        elif args.lan:
            # A saved machine resumes only with the same devices, and it had no LAN NIC.
            resume, why_not = False, "the saved boot has no LAN NIC"
        try:
            backing = os.path.join(img, saved["disk"]) if resume else base
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", backing, overlay],
                           check=True)
            # The VM's own UEFI variable store: what its firmware and OS write persist across its reboots.
            # Resuming, it must be the store the saved firmware was using.
            vars_path = qemu.new_vars_store(args.firmware, os.path.join(d, "efivars.fd"))
            if resume and vars_path:
                shutil.copyfile(os.path.join(img, saved["vars"]), vars_path)
            started = time.monotonic()
            watch = qemu.StartWatch(serial, qemu.control_socket(pidfile), resumed=resume) \
                if accel_now == "kvm" else None
            port = qemu.start_vm(accel_now, overlay, serial, pidfile, args.memory, name="crashdump-" + args.name,
                                 firmware=args.firmware, vars_path=vars_path,
                                 incoming=os.path.join(img, saved["state"]) if resume else None, lan=args.lan)
            log("%s: QEMU pid %s (%s), SSH on 127.0.0.1:%d, serial log %s; %s"
                % (args.name, qemu.read_pid(pidfile), accel_now, port, serial,
                   "resuming the image's saved boot" if resume else "booting (no saved state: %s)" % why_not))
            # A cold boot took over 200 s to reach udev with five guests on two cores (2026-12-03).
            timeout = int(os.environ.get("CRASHDUMP_VM_BOOT_TIMEOUT", "900"))
            qemu.wait_for_ssh(port, image.USER, keyfile, serial, pidfile, timeout, watch=watch)
            if resume:
                # The guest's clock stands where it was saved; apt refuses Release files "not valid yet".
                qemu.ssh_output(port, image.USER, keyfile, "sudo date -u -s @%d >/dev/null" % time.time())
            return port, resume, round(time.monotonic() - started, 1)
        except BaseException:
            # Keep the serial log for the message; leave no running VM or overlay behind.
            qemu.kill_pidfile(pidfile, expect=overlay)
            for path in (overlay, pidfile):
                if os.path.exists(path):
                    os.unlink(path)
            raise

    try:
        (port, resume, boot_seconds), chosen, accel_reason = accel.run_with_fallback(
            chooser, "VM " + args.name, chosen, accel_reason, start)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        message = "%s: %s" % (args.name, e)
        down(args.name, quiet=True)
        raise Error(message) from e
    info = {
        "name": args.name,
        "release": args.release,
        "firmware": args.firmware,
        "host": "127.0.0.1",
        "port": port,
        "user": image.USER,
        "identity_file": keyfile,
        "serial_log": serial,
        "pid": qemu.read_pid(pidfile),
        "accel": chosen,
        "accel_reason": accel_reason,
        "memory": args.memory,
        "boot_seconds": boot_seconds,
        "started": "resumed" if resume else "booted",
        "image": base,
        "overlay": overlay,
    }
    if args.lan:
        info["lan"] = {"name": args.lan, "mac": qemu.lan_mac("crashdump-" + args.name)}
    with open(os.path.join(d, "info.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    log("%s: SSH answered after %.1fs" % (args.name, boot_seconds))
    print(json.dumps(info))


def cmd_ssh(args):
    check_name(args.name)
    info = read_info(args.name)
    if not info or not is_running(args.name):
        raise Error("no running VM named %r (see `vm list`)" % args.name)
    command = args.command
    if command and command[0] == "--":
        command = command[1:]
    extra = ["-t"] if not command and sys.stdin.isatty() else []
    argv = qemu.ssh_command(info["port"], info["user"], info["identity_file"], extra) + command
    os.execvp(argv[0], argv)


def down(name, quiet=False):
    d = vm_dir(name)
    if not os.path.isdir(d):
        if not quiet:
            log("%s: no such VM (nothing to do)" % name)
        return
    killed = qemu.kill_pidfile(os.path.join(d, "qemu.pid"), expect=os.path.join(d, "overlay.qcow2"))
    keep = os.environ.get("CRASHDUMP_VM_KEEP_SERIAL")
    if keep:
        # The console of every boot of this VM, for reading after a failed run; the last run of a name wins.
        os.makedirs(keep, exist_ok=True)
        for log_name in ("serial.log", "qemu-supervisor.log"):
            if os.path.exists(os.path.join(d, log_name)):
                shutil.copyfile(os.path.join(d, log_name), os.path.join(keep, "%s.%s" % (name, log_name)))
    shutil.rmtree(d, ignore_errors=True)
    if not quiet:
        log("%s: %s, overlay removed" % (name, "stopped" if killed else "was not running"))


def cmd_down(args):
    check_name(args.name)
    down(args.name)


def cmd_list(args):
    vms = os.path.join(cache_dir(), "vms")
    rows = []
    for name in sorted(os.listdir(vms)) if os.path.isdir(vms) else []:
        info = read_info(name) or {"name": name}
        info["running"] = is_running(name)
        rows.append(info)
    if args.json:
        print(json.dumps(rows))
        return
    width = max([len(r["name"]) for r in rows] + [4])
    fmt = "%-" + str(width) + "s  %-9s %-10s %-8s %-6s %-5s %s"
    print(fmt % ("NAME", "RELEASE", "FIRMWARE", "STATE", "PORT", "ACCEL", "SERIAL LOG"))
    for r in rows:
        print(fmt % (r["name"], r.get("release", "?"), r.get("firmware", "bios"),
                     "running" if r["running"] else "stopped",
                     r.get("port", "-"), r.get("accel", "-"), r.get("serial_log", "-")))


def main(argv=None):
    p = argparse.ArgumentParser(prog="vm", description=__doc__.split("\n\n", maxsplit=1)[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build or reuse the base image")
    b.add_argument("release")
    b.add_argument("--firmware", choices=sorted(qemu.FIRMWARES), default="bios",
                   help="build the image this firmware boots (uefi and secureboot share one)")
    b.set_defaults(func=cmd_build)
    u = sub.add_parser("up", help="start a VM and wait for SSH; prints JSON")
    u.add_argument("name")
    u.add_argument("--release", required=True)
    u.add_argument("--memory", type=int, default=DEFAULT_MEMORY, metavar="MIB")
    u.add_argument("--firmware", choices=sorted(qemu.FIRMWARES), default="bios",
                   help="bios (SeaBIOS, the default and fastest), uefi (OVMF) or secureboot "
                        "(OVMF with Microsoft's keys, Secure Boot on)")
    u.add_argument("--lan", type=lan_name, metavar="NAME",
                   help="a second NIC on the host-local LAN NAME, shared by every VM that names it "
                        "(no DHCP there: the guest configures its address; the NIC's MAC is in the JSON)")
    u.set_defaults(func=cmd_up)
    s = sub.add_parser("ssh", help="ssh into a VM: vm ssh NAME -- CMD...")
    s.add_argument("name")
    s.add_argument("command", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_ssh)
    d = sub.add_parser("down", help="stop a VM and remove its overlay")
    d.add_argument("name")
    d.set_defaults(func=cmd_down)
    ls = sub.add_parser("list", help="list VMs")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    pr = sub.add_parser("prune", help="delete base images of other builder versions")
    pr.set_defaults(func=cmd_prune)
    args = p.parse_args(argv)
    try:
        args.func(args)
    except Error as e:
        print("vm: error: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
