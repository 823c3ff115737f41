"""What the crashkernel scenario leaves on the VM, checked from outside the module."""

import os

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")
import re

DROPIN = "/etc/default/grub.d/zz-crashdump-kdump.cfg"


def test_one_crashkernel_on_the_running_kernel(host):
    cmdline = host.file("/proc/cmdline").content_string
    assert "BOOT_IMAGE=" in cmdline  # booted through GRUB
    assert re.findall(r"(?:^|\s)(crashkernel=\S+)", cmdline) == ["crashkernel=256M"]


def test_kernel_reserved_256m(host):
    assert host.file("/sys/kernel/kexec_crash_size").content_string.strip() == str(256 << 20)
    assert "Crash kernel" in host.check_output("sudo cat /proc/iomem")


def test_every_normal_grub_entry_carries_it_once(host):
    grub_cfg = host.check_output("sudo cat /boot/grub/grub.cfg")
    linux_lines = [line for line in grub_cfg.splitlines() if line.strip().startswith("linux")]
    assert linux_lines
    for line in linux_lines:
        if " single" in line:  # recovery entries
            continue
        if "memtest86+" in line:  # memtest86+ entries never carry it
            assert "crashkernel=" not in line, line
            continue
        assert re.findall(r"(?:^|\s)(crashkernel=\S+)", line) == ["crashkernel=256M"], line


# molecule.yml: ck-deb13 boots with CRASHDUMP_FIRMWARE (bios, uefi or secureboot; the same default
# there: uefi), ck-deb12 with BIOS.
FIRMWARE = os.environ.get("CRASHDUMP_FIRMWARE") or "uefi"


def uefi(host):
    return host.ansible.get_variables()["inventory_hostname"] == "ck-deb13" and FIRMWARE != "bios"


def test_memtest_entries_are_there_and_untouched(host):
    grub_cfg = host.check_output("sudo cat /boot/grub/grub.cfg")
    # Debian 12's 20_memtest86+ writes the BIOS image's entries here; Debian 13's writes the EFI and the
    # BIOS image's entries (grub.cfg picks by $grub_platform at boot), so the UEFI host has .efi entries.
    image = "memtest86+x64.efi" if uefi(host) else "memtest86+x64.bin"
    memtest = [line for line in grub_cfg.splitlines() if "memtest86+" in line and line.strip().startswith("linux")]
    assert [line for line in memtest if image in line], memtest
    assert all("crashkernel=" not in line for line in memtest)


def test_firmware_and_the_grub_cfg_it_reads(host):
    assert host.file("/sys/firmware/efi").is_directory == uefi(host)
    if not uefi(host):
        return
    # The ESP's stub (grub-install) sends GRUB to /boot/grub/grub.cfg, the file the module had rewritten.
    stub = host.check_output("sudo cat /boot/efi/EFI/debian/grub.cfg")
    assert "configfile $prefix/grub.cfg" in stub and "'/boot/grub'" in stub, stub
    # OVMF_VARS_4M.fd has no keys: Secure Boot off (mokutil may add "Platform is in Setup Mode").
    expected = "SecureBoot enabled" if FIRMWARE == "secureboot" else "SecureBoot disabled"
    assert host.check_output("sudo mokutil --sb-state").splitlines()[0] == expected


def test_admins_file_is_left_alone_and_our_dropin_exists(host):
    assert host.file("/etc/default/grub").contains('GRUB_CMDLINE_LINUX="crashkernel=64M"')
    dropin = host.file(DROPIN)
    assert dropin.exists and dropin.user == "root"
    assert "crashkernel=256M" in dropin.content_string
