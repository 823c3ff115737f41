"""Which accelerator the VM harness uses: KVM only where it really runs a Linux kernel.

`/dev/kvm` can open, run a boot sector, and still fail on Linux: on one machine kind QEMU stopped
at the kernel's first `lock cmpxchg16b` with "KVM internal error. Suberror: 1 ... emulation
failure", and a kernel booted directly printed nothing after "Probing EDD". So the probe boots a
real kernel (the image's own) with a tiny initramfs whose /init prints PROBE_MARK on the serial
console and powers off: KVM is chosen only when that mark arrives in time. The verdict is kept
per host boot (the boot id) in the harness cache; a VM that fails under KVM later anyway
(runtime_failure()) turns it to TCG for the rest of that boot.

CRASHDUMP_VM_ACCEL=kvm|tcg forces a choice. Stdlib only.
"""

import fcntl
import os
import struct
import subprocess
import tempfile
import time

import qemu  # sibling module: KvmTrouble

QEMU = qemu.QEMU
ACCELS = ("kvm", "tcg")
PROBE_MARK = b"CRASHDUMP-ACCEL-PROBE-OK"
# Under TCG the same kernel reaches /init in about 4 s; under a working KVM in well under 2 s.
PROBE_SECONDS = 30
INTERNAL_ERROR_TEXT = "KVM internal error"  # what QEMU prints when KVM cannot run the guest


def _init_program(message):
    """A static x86-64 Linux ELF executable: write(1, message); reboot(POWER_OFF); exit(0).

    Hand-assembled so the probe needs nothing beyond QEMU and a kernel: no compiler, no busybox.
    The kernel opens /dev/console as fd 1 for init; the reboot magic numbers are
    LINUX_REBOOT_MAGIC1/2 and LINUX_REBOOT_CMD_POWER_OFF from include/uapi/linux/reboot.h.
    If power-off fails, init exits, the kernel panics, and `panic=-1` with QEMU's -no-reboot ends
    the run all the same.
    """
    base = 0x400000
    header_size = 64 + 56  # ELF header + one program header
    code = b"".join([
        b"\xb8\x01\x00\x00\x00",                        # mov eax, 1 (write)
        b"\xbf\x01\x00\x00\x00",                        # mov edi, 1
        b"\x48\x8d\x35\x00\x00\x00\x00",                # lea rsi, [rip + message] (patched below)
        b"\xba" + struct.pack("<I", len(message)),      # mov edx, len(message)
        b"\x0f\x05",                                    # syscall
        b"\xb8\xa9\x00\x00\x00",                        # mov eax, 169 (reboot)
        b"\xbf\xad\xde\xe1\xfe",                        # mov edi, 0xfee1dead
        b"\xbe\x69\x19\x12\x28",                        # mov esi, 672274793
        b"\xba\xdc\xfe\x21\x43",                        # mov edx, 0x4321fedc (POWER_OFF)
        b"\x0f\x05",                                    # syscall
        b"\xb8\x3c\x00\x00\x00",                        # mov eax, 60 (exit)
        b"\x31\xff",                                    # xor edi, edi
        b"\x0f\x05",                                    # syscall
    ])
    lea_end = 5 + 5 + 7  # the rip the lea's displacement counts from
    code = code[:13] + struct.pack("<i", len(code) - lea_end) + code[17:]
    body = code + message
    size = header_size + len(body)
    elf_header = (b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
                  + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, base + header_size, 64, 0, 0, 64, 56, 1, 0, 0, 0))
    program_header = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)  # PT_LOAD, R+X
    return elf_header + program_header + body


def _cpio_entry(name, mode, data=b"", rdev=(0, 0)):
    """One member of a cpio archive in the "newc" format the kernel unpacks
    (Documentation/driver-api/early-userspace/buffer-format.rst)."""
    name_bytes = name.encode() + b"\0"
    fields = (0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0)
    header = b"070701" + b"".join(b"%08X" % value for value in fields)
    entry = header + name_bytes
    entry += b"\0" * (-len(entry) % 4)
    return entry + data + b"\0" * (-len(data) % 4)


def probe_initramfs():
    """An initramfs holding /dev/console and /init (see _init_program())."""
    return b"".join([
        _cpio_entry("dev", 0o040755),
        _cpio_entry("dev/console", 0o020600, rdev=(5, 1)),
        _cpio_entry("init", 0o100755, _init_program(PROBE_MARK + b"\n")),
        _cpio_entry("TRAILER!!!", 0),
    ])


def probe_command(accel, kernel, initrd, serial):
    """The QEMU command that boots `kernel` with the probe initramfs, as the harness would run it."""
    return [
        QEMU, "-accel", accel, "-cpu", "host" if accel == "kvm" else "max", "-machine", "pc",
        "-m", "256", "-smp", "1", "-nodefaults", "-display", "none", "-vga", "none", "-monitor", "none",
        "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 panic=-1 quiet",
        "-serial", "file:" + serial, "-no-reboot",
    ]


def linux_boots(kernel, accel="kvm", timeout=PROBE_SECONDS, run=subprocess.run):
    """(True, how long) when `kernel` reaches user space under `accel` within `timeout`, else
    (False, what went wrong in a few words). `run` is subprocess.run (replaced in tests)."""
    with tempfile.TemporaryDirectory(prefix="crashdump-accel-") as tmp:
        initrd = os.path.join(tmp, "probe.cpio")
        serial = os.path.join(tmp, "serial.log")
        with open(initrd, "wb") as f:
            f.write(probe_initramfs())
        start = time.monotonic()
        try:
            proc = run(probe_command(accel, kernel, initrd, serial), check=False, timeout=timeout,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            output = (proc.stdout or b"") + (proc.stderr or b"")
            why = "QEMU exited with status %d" % proc.returncode
        except subprocess.TimeoutExpired as e:
            output = (e.stdout or b"") + (e.stderr or b"")
            why = "no sign of user space within %d s" % timeout
        seconds = time.monotonic() - start
        try:
            with open(serial, "rb") as f:
                console = f.read()
        except OSError:
            console = b""
    if PROBE_MARK in console:
        return True, "a Linux kernel reached user space in %.1f s" % seconds
    if INTERNAL_ERROR_TEXT.encode() in output:
        return False, "QEMU reported a KVM internal error on a Linux kernel"
    if not console.strip():
        why += ", and the kernel printed nothing"
    return False, why


def kvm_device_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def probe_kvm(kernel, boots=linux_boots):
    """linux_boots() under KVM; when that fails, the same kernel under TCG as a control, so a
    probe that cannot work at all (a bad kernel) is told apart from a KVM that cannot."""
    ok, how = boots(kernel, "kvm")
    if ok:
        return ok, how
    control_ok, control_how = boots(kernel, "tcg")
    if control_ok:
        return False, "%s; under TCG %s" % (how, control_how.replace("a Linux kernel ", "it "))
    return False, "%s; the probe failed under TCG too (%s), so KVM is not trusted" % (how, control_how)


def decide(forced, device_usable, probe):
    """(accel, reason). `forced`: CRASHDUMP_VM_ACCEL's value or None; `probe`: a callable that runs
    linux_boots() under KVM. Raises ValueError on a forced value that is not an accelerator."""
    if forced:
        if forced not in ACCELS:
            raise ValueError("CRASHDUMP_VM_ACCEL=%s: use one of %s" % (forced, ", ".join(ACCELS)))
        return forced, "forced by CRASHDUMP_VM_ACCEL"
    if not device_usable:
        return "tcg", "/dev/kvm is missing or not readable and writable"
    ok, how = probe()
    if ok:
        return "kvm", "KVM: " + how
    return "tcg", "KVM cannot boot Linux here (%s)" % how


def host_boot_id():
    with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
        return f.read().strip()


def read_verdict(path, boot_id):
    """(accel, reason) cached for this host boot, or None."""
    try:
        with open(path, encoding="utf-8") as f:
            cached_boot, accel, reason = f.read().rstrip("\n").split(" ", 2)
    except (OSError, ValueError):
        return None
    if cached_boot != boot_id or accel not in ACCELS:
        return None
    return accel, reason


def write_verdict(path, boot_id, accel, reason):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("%s %s %s\n" % (boot_id, accel, reason.replace("\n", " ")))
    os.rename(tmp, path)


class Chooser:
    """The harness's accelerator for this host boot: probed once (decide(), probe_kvm()) and kept
    in `cache_dir`/accel; turned to TCG when a VM fails under KVM anyway (kvm_failed())."""

    def __init__(self, cache_dir, log, env=None, device_usable=kvm_device_usable, probe=probe_kvm,
                 boot_id=host_boot_id):
        env = os.environ if env is None else env
        self.forced = env.get("CRASHDUMP_VM_ACCEL") or None
        if self.forced:
            decide(self.forced, None, None)  # a forced value that is no accelerator: ValueError now
        self.path = os.path.join(cache_dir, "accel")
        self.log, self.device_usable, self.probe, self.boot_id = log, device_usable, probe, boot_id

    def choose(self, kernel):
        """(accel, reason) for VMs booting `kernel` (any Linux kernel proves the point)."""
        if self.forced:
            return decide(self.forced, None, None)
        boot_id = self.boot_id()
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        # Parallel image builds and lanes ask at once: one probes, the others wait for its verdict.
        with open(self.path + ".lock", "w", encoding="ascii") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cached = read_verdict(self.path, boot_id)
            if cached:
                return cached
            accel, reason = decide(None, self.device_usable(), lambda: self.probe(kernel))
            write_verdict(self.path, boot_id, accel, reason)
        self.log("accelerator for this host boot: %s (%s)" % (accel, reason))
        return accel, reason

    def kvm_failed(self, what, trouble):
        """`what` (a VM) failed under KVM: ("tcg", reason), kept for this host boot. With
        CRASHDUMP_VM_ACCEL=kvm there is no fallback: RuntimeError."""
        if self.forced == "kvm":
            raise RuntimeError("%s failed under KVM (%s), and CRASHDUMP_VM_ACCEL=kvm rules out TCG" % (what, trouble))
        reason = "%s failed under KVM (%s)" % (what, trouble)
        write_verdict(self.path, self.boot_id(), "tcg", reason)
        self.log("%s; starting it again under TCG, and TCG for the rest of this host boot" % reason)
        return "tcg", reason


def run_with_fallback(chooser, what, accel, reason, attempt):
    """attempt(accel); when KVM fails the VM (qemu.KvmTrouble), attempt("tcg") once more. `attempt`
    stops its own VM before it raises. Returns (attempt's result, accel, reason) as last run."""
    try:
        return attempt(accel), accel, reason
    except qemu.KvmTrouble as e:
        accel, reason = chooser.kvm_failed(what, str(e))
        return attempt(accel), accel, reason
