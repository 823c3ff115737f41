"""The harness's accelerator choice (tests/vm/accel.py) against a fake QEMU.

The fake stands in for qemu-system-x86_64 on PATH. Under TCG, and under KVM in mode `works`, it
does what a machine would do with the probe: it unpacks /init from the initramfs it is given and
runs it (as `nobody`, so the program's power-off call is refused) with its output on the serial
file. Under KVM it can instead fail as KVM was seen to fail: an internal error (QEMU pauses), a
silent guest, or an abort before the guest runs.
"""

import glob
import json
import os
import subprocess
import sys
import textwrap

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import accel  # noqa: E402
import image  # noqa: E402
import qemu  # noqa: E402

FAKE_QEMU = textwrap.dedent('''\
    #!%(python)s
    import json, os, subprocess, sys, tempfile, time
    args = sys.argv[1:]
    def opt(name):
        return args[args.index(name) + 1]
    with open(os.environ["FAKE_QEMU_CALLS"], "a") as calls:
        calls.write(json.dumps(args) + "\\n")
    mode = os.environ.get("FAKE_QEMU_KVM", "works") if opt("-accel") == "kvm" else "works"
    if os.environ.get("FAKE_QEMU_DISK_ERROR"):  # under any accelerator
        sys.stderr.write("qemu-system-x86_64: -drive file=x: Could not open 'x': No such file or directory\\n")
        sys.exit(1)
    if mode == "internal-error":
        sys.stderr.write("KVM internal error. Suberror: 1\\nemulation failure\\n")
        sys.stderr.flush()
        time.sleep(3600)  # QEMU stops the guest and waits
    if mode == "silent":
        time.sleep(3600)
    if mode == "abort":
        sys.stderr.write("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\\n")
        sys.stderr.flush()
        os.abort()
    # works: unpack /init from the newc cpio archive and run it with its output on the serial file
    data, at, init = open(opt("-initrd"), "rb").read(), 0, None
    while True:
        assert data[at:at + 6] == b"070701", "not a newc cpio member at %%d" %% at
        size, name_size = int(data[at + 54:at + 62], 16), int(data[at + 94:at + 102], 16)
        name = data[at + 110:at + 110 + name_size - 1].decode()
        at += 110 + name_size
        at += -at %% 4
        if name == "init":
            init = data[at:at + size]
        if name == "TRAILER!!!":
            break
        at += size + (-size %% 4)
    program = os.path.join(tempfile.mkdtemp(), "init")  # not under pytest's 0700 folders: nobody runs it
    os.chmod(os.path.dirname(program), 0o755)
    with open(program, "wb") as f:
        f.write(init)
    os.chmod(program, 0o755)
    def as_nobody():
        os.setgid(65534)
        os.setuid(65534)
        if os.getuid() == 0:
            os._exit(99)
    with open(opt("-serial")[len("file:"):], "ab") as serial:
        serial.write(b"Linux version 6.1.0 (fake)\\n")
        serial.flush()
        status = subprocess.call([program], stdout=serial, preexec_fn=as_nobody)
    os.unlink(program)
    os.rmdir(os.path.dirname(program))
    sys.exit(status)
''')


@pytest.fixture
def fake_qemu(tmp_path, monkeypatch):
    """Put the fake QEMU first on PATH; returns a function giving the calls it received."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / qemu.QEMU
    script.write_text(FAKE_QEMU % {"python": sys.executable})
    # Without its #! line the kernel refuses the fake and the PATH search goes on to the real QEMU.
    assert script.read_text().startswith("#!/"), "the fake QEMU lost its #! line"
    script.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    monkeypatch.setenv("FAKE_QEMU_CALLS", str(tmp_path / "calls"))

    def calls():
        path = tmp_path / "calls"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return calls


def quick_probe(kernel):
    """probe_kvm() with a 5 s bound instead of PROBE_SECONDS (a failed KVM probe waits it out)."""
    return accel.probe_kvm(kernel, boots=lambda k, a: accel.linux_boots(k, a, timeout=5))


def chooser(tmp_path, env=None, device=True, boot_id="boot-1", log=None):
    return accel.Chooser(str(tmp_path / "cache"), (log if log is not None else []).append, env=env or {},
                         device_usable=lambda: device, probe=quick_probe, boot_id=lambda: boot_id)


def accels(calls):
    return [args[args.index("-accel") + 1] for args in calls]


def test_no_kvm_device_means_tcg_without_running_qemu(tmp_path, fake_qemu):
    assert chooser(tmp_path, device=False).choose("vmlinuz") == ("tcg", "/dev/kvm is missing or not readable and writable")
    assert fake_qemu() == []


def test_kvm_that_boots_linux_is_chosen(tmp_path, fake_qemu):
    log = []
    accel_now, reason = chooser(tmp_path, log=log).choose("vmlinuz")
    assert accel_now == "kvm"
    assert reason.startswith("KVM: a Linux kernel reached user space in ")
    assert accels(fake_qemu()) == ["kvm"]
    assert log == ["accelerator for this host boot: kvm (%s)" % reason]
    probe = fake_qemu()[0]
    assert probe[probe.index("-cpu") + 1] == "host"  # what the harness's VMs run with under KVM


@pytest.mark.parametrize("mode, why", [
    ("internal-error", "QEMU reported a KVM internal error on a Linux kernel"),
    ("silent", "no sign of user space within 5 s, and the kernel printed nothing"),
    ("abort", "QEMU exited with status -6, and the kernel printed nothing"),
])
def test_kvm_that_fails_on_linux_means_tcg(tmp_path, fake_qemu, monkeypatch, mode, why):
    monkeypatch.setenv("FAKE_QEMU_KVM", mode)
    accel_now, reason = chooser(tmp_path).choose("vmlinuz")
    assert accel_now == "tcg"
    assert reason.startswith("KVM cannot boot Linux here (%s; under TCG it reached user space in " % why)
    assert accels(fake_qemu()) == ["kvm", "tcg"]  # the probe, then its control under TCG


def test_a_probe_that_fails_under_tcg_too_says_so(tmp_path, fake_qemu, monkeypatch):
    def boots(kernel, accel_now):
        return False, "QEMU exited with status 1"
    accel_now, reason = accel.decide(None, True, lambda: accel.probe_kvm("vmlinuz", boots=boots))
    assert accel_now == "tcg"
    assert "the probe failed under TCG too (QEMU exited with status 1), so KVM is not trusted" in reason


@pytest.mark.parametrize("forced", ["tcg", "kvm"])
def test_a_forced_value_wins_without_a_probe(tmp_path, fake_qemu, monkeypatch, forced):
    monkeypatch.setenv("FAKE_QEMU_KVM", "internal-error")
    assert chooser(tmp_path, env={"CRASHDUMP_VM_ACCEL": forced}).choose("vmlinuz") == (forced, "forced by CRASHDUMP_VM_ACCEL")
    assert fake_qemu() == []


def test_a_forced_value_that_is_no_accelerator_is_refused(tmp_path):
    with pytest.raises(ValueError, match="CRASHDUMP_VM_ACCEL=hvf: use one of kvm, tcg"):
        chooser(tmp_path, env={"CRASHDUMP_VM_ACCEL": "hvf"})


def test_the_verdict_is_kept_for_the_host_boot(tmp_path, fake_qemu, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_KVM", "internal-error")
    first = chooser(tmp_path).choose("vmlinuz")
    assert chooser(tmp_path).choose("vmlinuz") == first
    assert accels(fake_qemu()) == ["kvm", "tcg"]  # probed once
    monkeypatch.setenv("FAKE_QEMU_KVM", "works")
    assert chooser(tmp_path, boot_id="boot-2").choose("vmlinuz")[0] == "kvm"  # the host rebooted


def test_a_vm_that_fails_under_kvm_turns_the_verdict_to_tcg(tmp_path, fake_qemu):
    log = []
    assert chooser(tmp_path).choose("vmlinuz")[0] == "kvm"
    accel_now, reason = chooser(tmp_path, log=log).kvm_failed("VM x", "QEMU reports the guest in state internal-error")
    assert (accel_now, reason) == ("tcg", "VM x failed under KVM (QEMU reports the guest in state internal-error)")
    assert log == [reason + "; starting it again under TCG, and TCG for the rest of this host boot"]
    assert chooser(tmp_path).choose("vmlinuz") == ("tcg", reason)
    assert accels(fake_qemu()) == ["kvm"]


def test_forced_kvm_does_not_fall_back(tmp_path):
    with pytest.raises(RuntimeError, match=r"VM x failed under KVM \(silent\), and CRASHDUMP_VM_ACCEL=kvm rules out TCG"):
        chooser(tmp_path, env={"CRASHDUMP_VM_ACCEL": "kvm"}).kvm_failed("VM x", "silent")


def test_run_with_fallback_runs_again_under_tcg_once(tmp_path):
    tried = []

    def attempt(accel_now):
        tried.append(accel_now)
        if accel_now == "kvm":
            raise qemu.KvmTrouble("QEMU exited before the guest printed anything")
        return "port 2222"
    result = accel.run_with_fallback(chooser(tmp_path), "VM x", "kvm", "KVM: fine", attempt)
    assert result == ("port 2222", "tcg", "VM x failed under KVM (QEMU exited before the guest printed anything)")
    assert tried == ["kvm", "tcg"]


def test_run_with_fallback_leaves_other_errors_alone(tmp_path):
    def attempt(accel_now):
        raise RuntimeError("SSH did not answer")
    with pytest.raises(RuntimeError, match="SSH did not answer"):
        accel.run_with_fallback(chooser(tmp_path), "VM x", "kvm", "KVM: fine", attempt)
    assert accel.read_verdict(str(tmp_path / "cache" / "accel"), "boot-1") is None


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def watch_parts(tmp_path, monkeypatch):
    states = {"now": "running"}
    monkeypatch.setattr(qemu, "run_state", lambda path: states["now"])
    serial = tmp_path / "serial.log"
    serial.write_bytes(b"an earlier boot\n")
    return serial, states, Clock()


def test_watch_sees_an_internal_error(watch_parts):
    serial, states, clock = watch_parts
    watch = qemu.StartWatch(str(serial), "qmp", clock=clock)
    assert watch.trouble() is None
    states["now"] = "internal-error"
    assert watch.trouble() == "QEMU reports the guest in state internal-error"


def test_watch_sees_a_silent_boot_and_lets_a_talking_one_be(watch_parts):
    serial, _states, clock = watch_parts
    watch = qemu.StartWatch(str(serial), "qmp", clock=clock)
    assert watch.printed_nothing()
    for _second in range(0, 300, 30):  # five minutes of a boot that keeps printing
        clock.now += 30
        with open(serial, "ab") as f:
            f.write(b"[    1.0] more boot messages\n")
        assert watch.trouble() is None
    assert not watch.printed_nothing()
    clock.now += qemu.SILENT_SECONDS + 1
    assert watch.trouble() == "the guest printed nothing on its serial console for %d s" % qemu.SILENT_SECONDS


def test_watch_gives_a_resumed_guest_a_bound_for_ssh(watch_parts):
    serial, _states, clock = watch_parts
    watch = qemu.StartWatch(str(serial), "qmp", resumed=True, clock=clock)
    clock.now += qemu.RESUMED_SSH_SECONDS - 1
    assert watch.trouble() is None
    clock.now += 2
    assert watch.trouble() == "the resumed guest did not answer on SSH within %d s" % qemu.RESUMED_SSH_SECONDS


def test_wait_for_ssh_blames_kvm_when_qemu_died_silent(watch_parts, tmp_path):
    serial, _states, clock = watch_parts
    pidfile = tmp_path / "qemu.pid"
    dead = subprocess.Popen(["true"])
    dead.wait()
    pidfile.write_text("%d\n" % dead.pid)
    watch = qemu.StartWatch(str(serial), "qmp", clock=clock)
    with pytest.raises(qemu.KvmTrouble, match="QEMU exited before the guest printed anything"):
        qemu.wait_for_ssh(1, "debian", "key", str(serial), str(pidfile), 60, watch=watch)
    with pytest.raises(RuntimeError, match="QEMU exited while waiting for SSH") as raised:
        qemu.wait_for_ssh(1, "debian", "key", str(serial), str(pidfile), 60)  # TCG: not KVM's fault
    assert not isinstance(raised.value, qemu.KvmTrouble)


def start_vm(tmp_path, accel_now):
    return qemu.start_vm(accel_now, str(tmp_path / "overlay.qcow2"), str(tmp_path / "serial.log"),
                         str(tmp_path / "qemu.pid"), 1536, name="x", attempts=1)


def test_qemu_killed_at_start_under_kvm_is_kvm_trouble(tmp_path, fake_qemu, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_KVM", "abort")
    with pytest.raises(qemu.KvmTrouble, match="failed to start under KVM \\(killed by a signal\\): .*failed to set MSR"):
        start_vm(tmp_path, "kvm")


@pytest.mark.parametrize("accel_now", ["kvm", "tcg"])
def test_qemu_that_fails_to_start_for_another_reason_is_no_kvm_trouble(tmp_path, fake_qemu, monkeypatch, accel_now):
    monkeypatch.setenv("FAKE_QEMU_DISK_ERROR", "1")
    with pytest.raises(RuntimeError, match="QEMU failed to start: .*Could not open") as raised:
        start_vm(tmp_path, accel_now)
    assert not isinstance(raised.value, qemu.KvmTrouble)


def cached_kernels():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return sorted(glob.glob(os.path.join(cache, "crashdump-kdump", "images", "*", image.KERNEL)))


@pytest.mark.skipif(not cached_kernels(), reason="no harness image (with its kernel) built on this machine yet")
def test_a_real_kernel_reaches_the_probe_under_tcg():
    """The probe initramfs on a real Debian kernel, under TCG (which runs everywhere)."""
    ok, how = accel.linux_boots(cached_kernels()[-1], "tcg", timeout=120)
    assert ok, how


def test_down_keeps_the_serial_log_where_asked(tmp_path, monkeypatch):
    """A failed scenario's VMs are destroyed; their consoles must outlive them to be read."""
    import vm
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("CRASHDUMP_VM_KEEP_SERIAL", str(tmp_path / "kept"))
    d = tmp_path / "cache" / "crashdump-kdump" / "vms" / "x"
    d.mkdir(parents=True)
    (d / "serial.log").write_text("Booting from Hard Disk...\n")
    vm.down("x", quiet=True)
    assert not d.exists()
    assert (tmp_path / "kept" / "x.serial.log").read_text() == "Booting from Hard Disk...\n"
