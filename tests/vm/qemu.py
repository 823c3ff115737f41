"""QEMU and SSH helpers for the VM harness (controller side, stdlib only). accel.py chooses KVM or TCG."""

import errno
import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

QEMU = "qemu-system-x86_64"
SSH_OPTS = [
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR",
    "-o", "BatchMode=yes",
    "-o", "IdentitiesOnly=yes",
    "-o", "ConnectTimeout=10",
    "-o", "ServerAliveInterval=15",
]


def log(msg):
    print("vm: " + msg, file=sys.stderr, flush=True)


def tail(path, lines=50):
    """Last `lines` lines of a serial log, framed for an error message."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().replace("\r", "")
    except OSError as e:
        return "(no serial log at %s: %s)" % (path, e)
    last = text.splitlines()[-lines:]
    return "--- last %d lines of %s ---\n%s\n--- end of serial log ---" % (len(last), path, "\n".join(last))


# One vCPU per guest (CRASHDUMP_VM_CPUS overrides). make test runs three guests on two host cores;
# with two vCPUs each, a vCPU preempted while holding a guest spinlock leaves its sibling spinning.
# Measured 2026-12-02, lanes no_reboot,default: 2 vCPUs 1343 s / 1769 s, 1 vCPU 563 s / 770 s.
VM_CPUS = int(os.environ.get("CRASHDUMP_VM_CPUS") or 1)
# The guest CPU model under TCG (CRASHDUMP_VM_CPU_MODEL overrides); KVM always passes the host's.
TCG_CPU_MODEL = os.environ.get("CRASHDUMP_VM_CPU_MODEL") or "max"
DEFAULT_MEMORY = 1536  # MiB; `vm up --memory` overrides, and then the VM boots cold (no snapshot)


# The firmwares a VM can boot with, from Debian's ovmf package (/usr/share/doc/ovmf/README.Debian):
# `uefi` is OVMF with an empty variable store (Secure Boot off); `secureboot` is the build that
# needs SMM (q35, smm=on, secure pflash) with the `.ms` store: Microsoft's keys enrolled, Secure
# Boot on. Both boot the `efi` image (image.BOOTS); `bios` is SeaBIOS and the `bios` image.
OVMF_DIR = "/usr/share/OVMF"
FIRMWARES = {
    "bios": None,
    "uefi": ("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"),
    "secureboot": ("OVMF_CODE_4M.ms.fd", "OVMF_VARS_4M.ms.fd"),
}


def boot_kind(firmware):
    """The image kind (image.BOOTS) a firmware boots."""
    return "bios" if firmware == "bios" else "efi"


def check_firmware(firmware):
    """Raise RuntimeError unless `firmware` is known and its OVMF files are installed."""
    if firmware not in FIRMWARES:
        raise RuntimeError("unknown firmware %r; supported: %s" % (firmware, ", ".join(FIRMWARES)))
    for name in FIRMWARES[firmware] or ():
        if not os.path.exists(os.path.join(OVMF_DIR, name)):
            raise RuntimeError("%s is missing for firmware %s; install it with: apt-get install ovmf "
                               "(or run tests/vm/install-deps)" % (os.path.join(OVMF_DIR, name), firmware))


def new_vars_store(firmware, path):
    """Copy the firmware's variable store template to `path` (each VM writes its own); None for bios."""
    if not FIRMWARES[firmware]:
        return None
    shutil.copyfile(os.path.join(OVMF_DIR, FIRMWARES[firmware][1]), path)
    return path


def firmware_args(firmware, vars_path):
    """Machine type and flash drives for `firmware`; `vars_path` from new_vars_store()."""
    if firmware == "bios":
        return ["-machine", "pc"]
    code = os.path.join(OVMF_DIR, FIRMWARES[firmware][0])
    args = ["-machine", "q35,smm=on" if firmware == "secureboot" else "q35"]
    if firmware == "secureboot":
        # Only SMM code may write the variable store: what makes Secure Boot's keys tamper-proof.
        args += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
    return args + ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                   "-drive", "if=pflash,format=raw,unit=1,file=" + vars_path]


_QEMU_VERSION = []


def qemu_version():
    """QEMU's version line: a saved VM state resumes only under the QEMU that wrote it."""
    if not _QEMU_VERSION:
        out = subprocess.run([QEMU, "--version"], check=True, stdout=subprocess.PIPE, text=True).stdout
        _QEMU_VERSION.append(out.splitlines()[0].strip())
    return _QEMU_VERSION[0]


def cpu_model(accel):
    return "host" if accel == "kvm" else TCG_CPU_MODEL


def base_command(accel, memory, name="crashdump-vm", smp=None, firmware="bios", vars_path=None):
    smp = smp or VM_CPUS
    cmd = [QEMU, "-name", name] + firmware_args(firmware, vars_path) + ["-accel", accel]
    cmd += ["-cpu", cpu_model(accel)]
    cmd += ["-smp", str(smp), "-m", str(memory), "-nodefaults", "-display", "none", "-vga", "none"]
    cmd += ["-device", "virtio-rng-pci"]  # sshd must not wait for entropy
    return cmd


# A LAN between harness VMs (`vm up --lan NAME`): each VM's second NIC on one UDP multicast group of
# the host's loopback (QEMU's `-netdev socket,mcast=`), so the guests reach each other directly at
# layer 2 while the controller reaches each only through its own forwarded SSH port. The group and
# port come from the LAN's name: VMs naming the same LAN share a wire, other LANs are not on it.
LAN_GROUP = "239.255.77.1"  # administratively scoped (RFC 2365): never routed off the host
LAN_PORT_BASE, LAN_PORTS = 40000, 20000


def lan_port(lan):
    return LAN_PORT_BASE + int(hashlib.sha256(lan.encode()).hexdigest(), 16) % LAN_PORTS


def lan_mac(vm_name):
    """The VM's LAN NIC address: QEMU's own prefix 52:54:00, the rest from the VM's name (stable across runs)."""
    digest = hashlib.sha256(vm_name.encode()).digest()
    return "52:54:00:%02x:%02x:%02x" % (digest[0], digest[1], digest[2])


def lan_args(lan, vm_name):
    return ["-netdev", "socket,id=lan0,mcast=%s:%d,localaddr=127.0.0.1" % (LAN_GROUP, lan_port(lan)),
            "-device", "virtio-net-pci,netdev=lan0,mac=%s" % lan_mac(vm_name)]


def free_port(exclude=()):
    """A loopback TCP port nobody listens on right now."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in exclude:
            return port


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def read_pid(pidfile):
    try:
        with open(pidfile, encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    # A zombie is not alive for our purposes.
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# Under TCG, a warm reset of a q35 machine with SMM (the secureboot firmware) hung in about half of
# the reboots we tried on Debian 12 guests (2026-12-02: once before OVMF printed anything, once after
# GRUB's banner), while cold starts booted 5 of 5. So for these firmwares a guest reset makes QEMU
# exit (-no-reboot) and a supervisor starts the same command again: a power cycle, the way a host
# with a stuck reset would be recovered. The variable store and the disk persist on files.
# Plain OVMF (`uefi`) came back from warm resets, but slowly: a Debian 13 VM alone, `systemctl
# reboot` to SSH, 255 s and 235 s warm (OVMF at 100% CPU for minutes), 97 s as a cold start
# (2026-12-06, tests/vm/README.md Timings).
COLD_RESET_FIRMWARES = ("uefi", "secureboot")


def control_socket(pidfile):
    """The QMP socket every harness VM listens on (save_state() uses it), beside its pidfile."""
    return os.path.splitext(pidfile)[0] + "-control.qmp"


def start_vm(accel, disk, serial, pidfile, memory, name, port=None, attempts=5, firmware="bios", vars_path=None,
             incoming=None, lan=None):
    """Start QEMU on `disk` in the background; return the host port forwarded to the guest's SSH.

    A port that is taken (or that QEMU cannot bind because someone raced us) is replaced by
    another free one, up to `attempts` times. Guest reboots and kdump's capture-kernel reboot
    reset the machine and keep the port: QEMU resets in place, or for COLD_RESET_FIRMWARES is
    started again by supervise(); `pidfile` then holds the supervisor's pid, alive across resets.
    `incoming`: a state file from save_state() to resume instead of booting (`disk` must then be an
    overlay of the disk saved with it, and the machine the same). `lan`: a LAN name (lan_args()).
    """
    last_error, killed = "", False
    for _attempt in range(attempts):
        if port is None or not port_is_free(port):
            if port is not None:
                log("port %d is busy, choosing another" % port)
            port = free_port()
        cmd = base_command(accel, memory, name=name, firmware=firmware, vars_path=vars_path) + [
            "-drive", "file=%s,if=virtio,format=qcow2,cache=unsafe,discard=unmap" % disk,
            "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:22" % port,
            "-device", "virtio-net-pci,netdev=net0",
            # append=on: the log keeps every boot of this instance (normal, crash, capture kernel).
            "-chardev", "file,id=serial0,path=%s,append=on" % serial,
            "-serial", "chardev:serial0",
            "-monitor", "none",
            "-qmp", "unix:%s,server=on,wait=off" % control_socket(pidfile),
        ]
        if lan:
            cmd += lan_args(lan, name)
        if incoming:
            cmd += ["-incoming", "exec:zstd -dcq " + shlex.quote(incoming)]
        if firmware in COLD_RESET_FIRMWARES:
            ok, last_error = _start_supervised(cmd, pidfile)
        else:
            proc = subprocess.run(cmd + ["-pidfile", pidfile, "-daemonize"], check=False, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            ok, last_error = proc.returncode == 0, (proc.stderr or proc.stdout).strip()
            killed = proc.returncode < 0
        if ok:
            if incoming:
                _resume(pidfile)
            return port
        if "hostfwd" in last_error or "forwarding" in last_error:
            log("QEMU could not bind port %d (%s); retrying with another" % (port, last_error))
            port = None
            continue
        break
    if accel == "kvm" and (killed or "kvm" in last_error.lower()):
        # Seen on a host whose KVM runs a boot sector but not Linux: QEMU aborts on "failed to set MSR".
        raise KvmTrouble("QEMU failed to start under KVM%s: %s" % (" (killed by a signal)" if killed else "",
                                                                   " ".join(last_error.split())))
    raise RuntimeError("QEMU failed to start: %s\ncommand: %s" % (last_error, " ".join(cmd)))


def _start_supervised(cmd, pidfile, timeout=60):
    """Start supervise() detached; (True, "") once it has QEMU running, else (False, QEMU's error)."""
    base = os.path.splitext(pidfile)[0]
    log_path, qmp_path = base + "-supervisor.log", base + ".qmp"
    for path in (pidfile, log_path):
        if os.path.exists(path):
            os.unlink(path)
    with open(log_path, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "supervise", pidfile, qmp_path, "--"] + cmd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if read_pid(pidfile) == proc.pid:
            return True, ""
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    else:
        proc.kill()
    proc.wait()
    with open(log_path, encoding="utf-8", errors="replace") as f:
        return False, f.read().strip() or "supervisor exited with status %s" % proc.returncode


def _qmp_events(qmp_path, child):
    """Connect to QEMU's QMP socket (retrying while QEMU starts) and yield its events until EOF."""
    while True:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(qmp_path)
            break
        except OSError:
            sock.close()
            if child.poll() is not None:
                return
            time.sleep(0.1)
    with sock, sock.makefile("rw", encoding="utf-8") as f:
        f.readline()  # greeting
        f.write('{"execute": "qmp_capabilities"}\n')
        f.flush()
        for line in f:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "event" in message or "return" in message:
                yield message


def supervise(pidfile, qmp_path, cmd):
    """Run QEMU (`cmd`) with -no-reboot until it exits for another reason than a guest reset.

    Writes its own pid to `pidfile` once QEMU answers on QMP; SIGTERM stops QEMU and itself.
    Exits with QEMU's status.
    """
    cmd = cmd + ["-no-reboot", "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    child = None

    def stop(_signum, _frame):
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait()
        sys.exit(143)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    starts = 0
    while True:
        if os.path.exists(qmp_path):
            os.unlink(qmp_path)
        if starts and "-incoming" in cmd:
            # A reset after resuming a saved state boots: through the firmware and GRUB, like any reset.
            at = cmd.index("-incoming")
            cmd = cmd[:at] + cmd[at + 2:]
        child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        starts += 1
        guest_reset = False
        for message in _qmp_events(qmp_path, child):
            if "return" in message and starts == 1:
                with open(pidfile + ".tmp", "w", encoding="ascii") as f:
                    f.write("%d\n" % os.getpid())
                os.rename(pidfile + ".tmp", pidfile)
            if message.get("event") == "SHUTDOWN":
                guest_reset = message.get("data", {}).get("reason") == "guest-reset"
        status = child.wait()
        reset_note = ", guest reset: cold start" if guest_reset else ""
        log("%s QEMU exited with status %d%s" % (time.strftime("%H:%M:%S"), status, reset_note))
        if not guest_reset:
            sys.exit(status)


def _die_with_parent():
    """In the QEMU child: get SIGKILL when the supervisor dies, so no QEMU outlives it (prctl)."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def qmp(path, command, arguments=None, timeout=60):
    """Run one QMP command on the socket at `path`; return its "return" value (events are skipped)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        with sock.makefile("rw", encoding="utf-8") as f:
            f.readline()  # greeting
            for request in ({"execute": "qmp_capabilities"}, {"execute": command, "arguments": arguments or {}}):
                f.write(json.dumps(request) + "\n")
                f.flush()
                while True:
                    message = json.loads(f.readline())
                    if "error" in message:
                        raise RuntimeError("QMP %s failed: %s" % (request["execute"], message["error"]))
                    if "return" in message:
                        break
    return message["return"]


def save_state(pidfile, state_path, timeout=300):
    """Stop the VM and write its whole state (RAM, devices) to `state_path`, zstd-compressed; then
    quit QEMU. The disk is flushed by the stop: keep it, unchanged, as the state's disk."""
    path = control_socket(pidfile)
    qmp(path, "stop")
    qmp(path, "migrate", {"uri": "exec:zstd -1 -q -o " + shlex.quote(state_path)})
    deadline = time.monotonic() + timeout
    while True:
        status = qmp(path, "query-migrate").get("status")
        if status == "completed":
            break
        if status in ("failed", "cancelled") or time.monotonic() > deadline:
            raise RuntimeError("saving the VM state to %s: migration %s" % (state_path, status or "timed out"))
        time.sleep(0.5)
    qmp(path, "quit")
    wait_pid_exit(pidfile, 60)


def _resume(pidfile, timeout=120):
    """Once the incoming state is loaded, run the guest: it was saved stopped (save_state)."""
    path = control_socket(pidfile)
    deadline = time.monotonic() + timeout
    while True:
        status = qmp(path, "query-migrate").get("status")
        if status == "completed":
            qmp(path, "cont")
            return
        if status == "failed" or time.monotonic() > deadline:
            raise RuntimeError("loading the saved VM state failed (migration %s)" % (status or "timed out"))
        time.sleep(0.2)


def ssh_command(port, user, keyfile, extra=()):
    return ["ssh"] + SSH_OPTS + ["-i", keyfile, "-p", str(port)] + list(extra) + ["%s@127.0.0.1" % user]


def ssh_output(port, user, keyfile, command, check=True, timeout=120):
    proc = subprocess.run(ssh_command(port, user, keyfile) + [command], check=False, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError("ssh command failed (%d): %s\n%s" % (proc.returncode, command, proc.stderr))
    return proc.stdout


class KvmTrouble(RuntimeError):
    """A VM started under KVM is not running its guest (StartWatch); TCG may well run it."""


# Under KVM a guest that boots prints on its serial console (GRUB, then the kernel without `quiet`)
# without pause, and a resumed one answers SSH within seconds; TCG is never watched.
SILENT_SECONDS = 60
RESUMED_SSH_SECONDS = 60
FAILED_RUN_STATES = ("internal-error", "guest-panicked")


def run_state(qmp_path):
    """QEMU's run state (QMP query-status), or None when its QMP socket does not answer."""
    try:
        return qmp(qmp_path, "query-status", timeout=5).get("status")
    except (OSError, ValueError, RuntimeError):
        return None


def _file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class StartWatch:
    """Watches a VM just started under KVM for the ways KVM fails on guests that TCG runs: QEMU
    stopped on a KVM internal error (seen: "emulation failure" at the kernel's first `lock
    cmpxchg16b`), QEMU gone before the guest printed anything, a booting guest silent on its serial
    console, a resumed guest that never answers. `clock` is replaced in tests."""

    def __init__(self, serial, qmp_path, resumed=False, clock=time.monotonic):
        self.serial, self.qmp_path, self.resumed, self.clock = serial, qmp_path, resumed, clock
        self.first_size = self.size = _file_size(serial)
        self.started = self.last_output = clock()

    def printed_nothing(self):
        return _file_size(self.serial) == self.first_size

    def trouble(self):
        """Why the guest is not running, in a few words; None while all looks well."""
        now = self.clock()
        size = _file_size(self.serial)
        if size != self.size:
            self.size, self.last_output = size, now
        state = run_state(self.qmp_path)
        if state in FAILED_RUN_STATES:
            return "QEMU reports the guest in state %s" % state
        if self.resumed and now - self.started > RESUMED_SSH_SECONDS:
            return "the resumed guest did not answer on SSH within %d s" % RESUMED_SSH_SECONDS
        if not self.resumed and now - self.last_output > SILENT_SECONDS:
            return "the guest printed nothing on its serial console for %d s" % SILENT_SECONDS
        return None


def wait_for_ssh(port, user, keyfile, serial, pidfile, timeout, watch=None):
    """Wait until a real SSH login works (slirp accepts TCP before sshd is up, so connect() is
    no proof). Raises with the serial log's tail when the deadline passes or QEMU dies, and
    KvmTrouble when `watch` (a StartWatch) sees KVM fail the guest."""
    start = time.monotonic()
    while True:
        if not pid_alive(read_pid(pidfile)):
            if watch is not None and watch.printed_nothing():
                raise KvmTrouble("QEMU exited before the guest printed anything")
            raise RuntimeError("QEMU exited while waiting for SSH\n" + tail(serial))
        if watch is not None:
            trouble = watch.trouble()
            if trouble:
                raise KvmTrouble(trouble)
        try:
            proc = subprocess.run(ssh_command(port, user, keyfile, ["-o", "ConnectTimeout=5"]) + ["true"], check=False,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=30)
            if proc.returncode == 0:
                return time.monotonic() - start
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() - start > timeout:
            raise RuntimeError("SSH on 127.0.0.1:%d did not answer within %ds\n%s" % (port, timeout, tail(serial)))
        time.sleep(2)


def wait_pid_exit(pidfile, timeout):
    pid = read_pid(pidfile)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(1)
    return not pid_alive(pid)


def kill_pidfile(pidfile, expect=None):
    """Stop the QEMU whose pid is in `pidfile`. `expect`: a string its command line must contain,
    so a recycled pid never gets killed."""
    pid = read_pid(pidfile)
    if not pid_alive(pid):
        return False
    if expect is not None:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if expect.encode() not in f.read():
                    return False
        except OSError:
            return False
    os.kill(pid, signal.SIGTERM)
    for _attempt in range(50):
        if not pid_alive(pid):
            return True
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    return True


if __name__ == "__main__":
    # python3 qemu.py supervise PIDFILE QMP_SOCKET -- QEMU-COMMAND...  (see start_vm)
    if len(sys.argv) < 5 or sys.argv[1] != "supervise" or sys.argv[4] != "--":
        sys.exit("usage: qemu.py supervise PIDFILE QMP_SOCKET -- QEMU-COMMAND...")
    supervise(sys.argv[2], sys.argv[3], sys.argv[5:])
