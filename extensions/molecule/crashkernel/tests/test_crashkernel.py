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


def test_memtest_entries_are_there_and_untouched_on_the_memtest_host(host):
    grub_cfg = host.check_output("sudo cat /boot/grub/grub.cfg")
    memtest = [line for line in grub_cfg.splitlines() if "memtest86+x64.bin" in line and line.strip().startswith("linux")]
    if host.ansible.get_variables()["inventory_hostname"] != "ck-deb12":
        assert memtest == []
        return
    assert len(memtest) == 2  # 20_memtest86+: plain and serial console
    assert all("crashkernel=" not in line for line in memtest)


def test_admins_file_is_left_alone_and_our_dropin_exists(host):
    assert host.file("/etc/default/grub").contains('GRUB_CMDLINE_LINUX="crashkernel=64M"')
    dropin = host.file(DROPIN)
    assert dropin.exists and dropin.user == "root"
    assert "crashkernel=256M" in dropin.content_string
