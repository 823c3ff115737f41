"""The kdump_verify report against the files on the VM after the crash."""

import hashlib
import json
import os

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")

RESULTS = os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]
MAGIC = {"kdump-compressed": b"KDUMP   ", "elf": b"\x7fELF", "makedumpfile-flattened": b"makedumpfile"}


def report(host):
    with open(os.path.join(RESULTS, host.backend.host + "-report.json"), encoding="utf-8") as f:
        return json.load(f)


def kdump_info(host):
    with open(os.path.join(RESULTS, host.backend.host + "-kdump_info.json"), encoding="utf-8") as f:
        return json.load(f)


# molecule.yml: the firmware the VMs boot with (secureboot unless CRASHDUMP_FIRMWARE says otherwise;
# the same default there).
FIRMWARE = os.environ.get("CRASHDUMP_FIRMWARE") or "secureboot"


def test_firmware_secure_boot_and_lockdown(host):
    assert host.file("/sys/firmware/efi").is_directory == (FIRMWARE != "bios")
    if FIRMWARE != "secureboot":
        return
    # OVMF with Microsoft's keys: shim, GRUB and the kernel were all accepted, and the kernel locked
    # itself down, so it refuses kexec_load: the capture kernel loaded above came in through kexec_file_load.
    assert host.check_output("sudo mokutil --sb-state").strip() == "SecureBoot enabled"
    assert "[integrity]" in host.file("/sys/kernel/security/lockdown").content_string
    assert host.file("/sys/kernel/kexec_crash_loaded").content_string.strip() == "1"


def test_kdump_info_reports_the_firmware_and_the_loader(host):
    info = kdump_info(host)
    security = info["security"]
    assert info["ready"], info["reasons"]
    assert security["firmware"] == ("bios" if FIRMWARE == "bios" else "uefi")
    assert security["secure_boot"] is (FIRMWARE == "secureboot")
    assert security["kexec_load_disabled"] is False
    assert security["capture_kernel_signed"] is True  # Debian's signed cloud kernel
    if FIRMWARE == "secureboot":
        assert security["lockdown"] == "integrity"
        assert security["kexec_syscall"] == "kexec_file_load"
        assert security["kexec_syscall_reason"] == "kdump-config adds -s under Secure Boot"
    else:
        assert security["lockdown"] == "none"


def test_rebooted_by_the_crash(host):
    rep = report(host)
    boot_id = host.file("/proc/sys/kernel/random/boot_id").content_string.strip()
    assert boot_id == rep["boot_id_after"]
    assert rep["boot_id_before"] == rep["boot_id_start"] != boot_id


def test_dump_file_matches_the_report(host):
    rep = report(host)
    dump = host.file(rep["dump_path"])
    assert dump.exists and dump.is_file
    assert dump.size == int(rep["dump_size"]) > 1 << 20
    head = host.check_output("sudo head -c 16 %s | od -An -tx1" % rep["dump_path"]).split()
    assert bytes(int(b, 16) for b in head).startswith(MAGIC[rep["dump_format"]])
    assert os.path.dirname(rep["dump_path"]) == rep["dump_dir"]
    assert rep["dump_dir"].startswith("/var/crash/")


def test_kernel_log_shows_the_sysrq_panic(host):
    rep = report(host)
    text = host.check_output("sudo cat %s" % rep["dmesg_path"])
    assert "sysrq triggered crash" in text.lower()


def test_kernel_log_fetched_to_the_controller(host):
    rep = report(host)
    local = os.path.join(RESULTS, "fetched", host.backend.host, os.path.basename(rep["dmesg_path"]))
    with open(local, "rb") as f:
        fetched = hashlib.sha256(f.read()).hexdigest()
    assert fetched == host.check_output("sudo sha256sum %s" % rep["dmesg_path"]).split()[0]


def test_timing_reported(host):
    assert 0 < float(report(host)["seconds_to_ssh"]) < 900


def test_still_ready_after_the_crash(host):
    assert host.file("/sys/kernel/kexec_crash_loaded").content_string.strip() == "1"
