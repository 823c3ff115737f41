"""Which saved boot `vm up` resumes (tests/vm/image.py snapshot_files, snapshot_matches).

An efi image keeps one saved boot per firmware it was verified under (secureboot and uefi); a VM
resumes only the one saved under its own firmware, memory, vCPUs, CPU model, accelerator and QEMU.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import image  # noqa: E402
import qemu  # noqa: E402


def save_info(image_dir, firmware, **changes):
    info = {"firmware": firmware, "memory": qemu.DEFAULT_MEMORY, "cpus": qemu.VM_CPUS,
            "cpu": qemu.cpu_model("tcg"), "accel": "tcg", "qemu": "QEMU emulator version 7.2.0"}
    info.update(changes)
    with open(os.path.join(image_dir, image.snapshot_files(firmware)["info"]), "w", encoding="utf-8") as f:
        json.dump(info, f)


def test_each_firmware_has_its_own_files():
    names = [set(image.snapshot_files(fw).values()) for fw in ("bios", "uefi", "secureboot")]
    assert not names[0] & names[1] and not names[1] & names[2] and not names[0] & names[2]


def test_efi_images_are_verified_under_both_efi_firmwares():
    assert set(image.VERIFY_FIRMWARES["efi"]) == {"secureboot", "uefi"}
    assert image.VERIFY_FIRMWARES["bios"] == ("bios",)


def test_a_vm_resumes_the_boot_saved_under_its_firmware(tmp_path, monkeypatch):
    monkeypatch.setattr(qemu, "qemu_version", lambda: "QEMU emulator version 7.2.0")
    save_info(str(tmp_path), "secureboot")
    assert image.snapshot_matches(str(tmp_path), "secureboot", qemu.DEFAULT_MEMORY, "tcg") == (True, "")
    ok, why = image.snapshot_matches(str(tmp_path), "uefi", qemu.DEFAULT_MEMORY, "tcg")
    assert not ok and "no saved state for firmware uefi" in why
    save_info(str(tmp_path), "uefi")
    assert image.snapshot_matches(str(tmp_path), "uefi", qemu.DEFAULT_MEMORY, "tcg") == (True, "")


def test_another_machine_boots(tmp_path, monkeypatch):
    monkeypatch.setattr(qemu, "qemu_version", lambda: "QEMU emulator version 7.2.0")
    save_info(str(tmp_path), "uefi")
    ok, why = image.snapshot_matches(str(tmp_path), "uefi", 2048, "tcg")
    assert not ok and "memory" in why
    save_info(str(tmp_path), "uefi", qemu="QEMU emulator version 8.2.0")
    ok, why = image.snapshot_matches(str(tmp_path), "uefi", qemu.DEFAULT_MEMORY, "tcg")
    assert not ok and "qemu" in why
