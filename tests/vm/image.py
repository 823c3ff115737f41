"""Build recipe for the harness's Debian base images (controller side, stdlib only).

The cache key of an image is the release plus a hash of THIS file, so any change to the
recipe below produces a new image on the next `vm build` / `vm up`.

Two kinds of image per release (BOOTS): `bios` (grub-pc on an MBR disk) and `efi` (Debian's
signed shim and GRUB on a GPT disk with an EFI system partition), which the `uefi` and
`secureboot` firmwares boot (qemu.FIRMWARES).

Steps (no loop-device partitions needed; they do not appear on our CI machine):
  1. debootstrap a minbase root with the cloud kernel, the boot kind's GRUB, sshd, python3, sudo;
  2. configure it (users, SSH key, network, apt sources, GRUB serial console, firstboot unit);
  3. mkfs.ext4 -d ROOT fs.img (and mkfs.vfat an empty ESP); sfdisk a raw disk file; dd them in;
  4. first boot with QEMU direct kernel boot: grub-install && update-grub, power off;
  5. convert to qcow2; verification boot through the firmware and GRUB on a throwaway overlay
     (BOOT_IMAGE=; for efi under Secure Boot, which must be on, with the kernel locked down);
  6. atomic rename of the temp dir into the cache.
Both boots run under accel.Chooser's choice; when KVM fails them (qemu.StartWatch) they run again
under TCG.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import accel  # sibling module: KVM or TCG, and the fallback when KVM fails a VM
import qemu  # sibling module: QEMU command line, SSH helpers

RELEASES = {"bookworm": "Debian 12", "trixie": "Debian 13"}
BOOTS = ("bios", "efi")
ROOT_SIZE_MIB = 6144  # sparse; plenty for kdump-tools, a few dumps, kernels
PART_START_MIB = 1  # bios: leaves the post-MBR gap grub-pc needs; efi: where the ESP starts
ESP_SIZE_MIB = 63  # shim, GRUB and MokManager take ~5 MiB
ESP_VOLUME_ID = "CDDA0001"  # FAT serial, so fstab can name the ESP before it exists (UUID=CDDA-0001)
USER = "debian"
KERNEL = "vmlinuz"  # the image's kernel, kept beside it: accel.Chooser boots it to prove KVM

# What each boot kind adds to PACKAGES. efi: Debian's signed shim and GRUB, which OVMF with
# Microsoft's keys enrolled accepts (shim is signed by Microsoft, GRUB and the kernel by Debian);
# mokutil reports the Secure Boot state; dosfstools checks the ESP at boot.
BOOT_PACKAGES = {
    "bios": ["grub-pc"],
    "efi": ["grub-efi-amd64", "grub-efi-amd64-signed", "shim-signed", "mokutil", "dosfstools"],
}

# What the guest needs beyond minbase. No kdump-tools/kexec-tools: the collection installs those.
PACKAGES = [
    "linux-image-cloud-amd64",  # small MODULES=most initramfs; signed for Secure Boot like the generic one
    "systemd-sysv",
    "udev",
    "dbus",  # logind/hostnamectl/reboot paths Ansible uses expect it
    "openssh-server",
    "python3",
    "python3-apt",  # ansible.builtin.apt would otherwise install it in every VM under TCG
    "sudo",
    "iproute2",
    "procps",
    "e2fsprogs",  # fsck.ext4 for the root fs (not in minbase since bookworm); kdump's initrd wants it
    "less",
    "zstd",
]

# Timers and services that only cost time (or touch apt behind our back) in a test VM.
MASKED_UNITS = [
    "apt-daily.timer",
    "apt-daily-upgrade.timer",
    "apt-daily.service",
    "apt-daily-upgrade.service",
    "man-db.timer",
    "e2scrub_all.timer",
    "e2scrub_reap.service",
    "fstrim.timer",
    # Daily and persistent: the first boot after midnight compresses dpkg's status under TCG for minutes
    # (seen holding a make test guest's boot at "Job dpkg-db-backup.service/start running").
    "dpkg-db-backup.timer",
    "dpkg-db-backup.service",
    "systemd-networkd-wait-online.service",  # slirp DHCP is instant; never wait 2 min for it
    "systemd-firstboot.service",  # must never prompt on the serial console
]

GRUB_DEFAULT = """\
# Written by the crashdump.kdump VM harness: serial console, short menu.
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR=`( . /etc/os-release; echo ${NAME:-Debian} ) 2>/dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0,115200n8"
GRUB_CMDLINE_LINUX=""
GRUB_TERMINAL=serial
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_DISABLE_OS_PROBER=true
"""

NETWORK = """\
[Match]
Name=en* eth*

[Network]
DHCP=ipv4
"""

# One-shot unit for the first boot: install GRUB on the disk it now sees as /dev/vda.
GRUB_INSTALL = {
    "bios": """\
echo "grub-pc grub-pc/install_devices multiselect /dev/vda" | debconf-set-selections
grub-install --target=i386-pc /dev/vda
""",
    # No NVRAM here (the first boot is a direct kernel boot without UEFI): OVMF finds the removable
    # path EFI/BOOT/BOOTX64.EFI (shim), which loads grubx64.efi beside it, which reads the stub
    # EFI/debian/grub.cfg pointing at /boot/grub/grub.cfg. force_efi_extra_removable keeps that copy
    # current when a later grub package runs grub-install, as it would on a real host.
    "efi": """\
echo "grub-efi-amd64 grub2/force_efi_extra_removable boolean true" | debconf-set-selections
echo "grub-efi-amd64 grub2/update_nvram boolean false" | debconf-set-selections
grub-install --target=x86_64-efi --efi-directory=/boot/efi --uefi-secure-boot --no-nvram --force-extra-removable
test -s /boot/efi/EFI/BOOT/BOOTX64.EFI
test -s /boot/efi/EFI/debian/grub.cfg
""",
}

FIRSTBOOT_SCRIPT = """\
#!/bin/sh
set -eu
%s\
update-grub
grep -q "BOOT_IMAGE\\|linux" /boot/grub/grub.cfg
systemctl disable crashdump-firstboot.service
rm -f /etc/systemd/system/crashdump-firstboot.service /usr/local/sbin/crashdump-firstboot
sync
echo CRASHDUMP-FIRSTBOOT-OK > /dev/ttyS0
"""

FIRSTBOOT_UNIT = """\
[Unit]
Description=crashdump.kdump VM harness: install GRUB on first boot
After=local-fs.target
ConditionPathExists=/usr/local/sbin/crashdump-firstboot

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/crashdump-firstboot
# Power off either way; the builder reads the serial log to tell success from failure.
ExecStopPost=/bin/systemctl --no-block poweroff
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
"""

# Keep the image small and dpkg fast under TCG: no man pages, docs or translations.
DPKG_EXCLUDES = """\
path-exclude=/usr/share/man/*
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/info/*
"""


class BuildError(RuntimeError):
    pass


def log(msg):
    print("vm: " + msg, file=sys.stderr, flush=True)


def builder_version():
    """Hash of this recipe (the whole file); part of the cache key, so edits mean a rebuild."""
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


# ---------------------------------------------------------------- mirror from apt's sources


def _parse_one_line_sources(text):
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        # drop an [options] block
        line = re.sub(r"\[[^\]]*\]", "", line)
        parts = line.split()
        if len(parts) >= 3:
            entries.append((parts[1], [parts[2]]))
    return entries


def _parse_deb822_sources(text):
    entries = []
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        if "deb" not in fields.get("types", "").split():
            continue
        for uri in fields.get("uris", "").split():
            entries.append((uri, fields.get("suites", "").split()))
    return entries


def apt_source_entries(root="/etc/apt"):
    """(uri, [suites]) for every enabled `deb` source of the host's apt."""
    entries = []
    paths = [os.path.join(root, "sources.list")]
    d = os.path.join(root, "sources.list.d")
    if os.path.isdir(d):
        paths += [os.path.join(d, n) for n in sorted(os.listdir(d))]
    for path in paths:
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if path.endswith(".list"):
            entries += _parse_one_line_sources(text)
        elif path.endswith(".sources"):
            entries += _parse_deb822_sources(text)
    return entries


# Debian suite names a host may track; anything else (third-party repos) is not a Debian mirror.
DEBIAN_SUITES = {"bullseye", "bookworm", "trixie", "forky", "duke", "sid",
                 "oldstable", "stable", "testing", "unstable"}


def mirrors():
    """Return (archive_uri, security_uri or None, has_updates) for guests.

    Environment overrides: CRASHDUMP_VM_MIRROR (archive), CRASHDUMP_VM_SECURITY_MIRROR
    (security archive; empty string = none). Otherwise read from the host's apt sources: the
    archive is the source carrying a Debian release suite, security the one with its -security.
    """
    archive = security = None
    has_updates = False
    for uri, suites in apt_source_entries():
        for suite in suites:
            base, _sep, pocket = suite.partition("-")
            if base not in DEBIAN_SUITES:
                continue
            if pocket == "security":
                security = security or uri
            elif pocket == "updates":
                has_updates = True
            elif pocket == "":
                archive = archive or uri
    archive = os.environ.get("CRASHDUMP_VM_MIRROR") or archive
    if "CRASHDUMP_VM_SECURITY_MIRROR" in os.environ:
        security = os.environ["CRASHDUMP_VM_SECURITY_MIRROR"] or None
    if not archive:
        raise BuildError(
            "cannot find a Debian mirror in /etc/apt/sources.list{,.d/*}; "
            "set CRASHDUMP_VM_MIRROR=http://<your mirror>/debian"
        )
    return archive.rstrip("/"), (security.rstrip("/") if security else None), has_updates


def guest_sources_list(release, archive, security, has_updates):
    lines = ["# Written by the crashdump.kdump VM harness (same mirror as the build host)."]
    lines.append("deb %s %s main" % (archive, release))
    if has_updates:
        lines.append("deb %s %s-updates main" % (archive, release))
    if security:
        lines.append("deb %s %s-security main" % (security, release))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- helpers


def run(cmd, **kw):
    log("+ " + " ".join(cmd))
    kw.setdefault("stdout", sys.stderr)  # progress is not output: keep stdout clean for callers
    try:
        return subprocess.run(cmd, check=True, **kw)
    except subprocess.CalledProcessError as e:
        raise BuildError("command failed (exit %d): %s" % (e.returncode, " ".join(cmd))) from e


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def chroot(rootdir, *cmd, **kw):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C.UTF-8")
    env.pop("PYTHONPATH", None)
    return run(["chroot", rootdir] + list(cmd), env=env, **kw)


def missing_build_tools(boot):
    tools = ["debootstrap", "qemu-system-x86_64", "qemu-img", "sfdisk", "mkfs.ext4", "ssh-keygen", "ssh", "zstd"]
    if boot == "efi":
        tools.append("mkfs.vfat")
    return [t for t in tools if shutil.which(t) is None]


# ---------------------------------------------------------------- build steps


def debootstrap(release, boot, rootdir, archive):
    cmd = [
        "debootstrap",
        "--variant=minbase",
        "--arch=amd64",
        "--include=" + ",".join(PACKAGES + BOOT_PACKAGES[boot]),
        release,
        rootdir,
        archive,
    ]
    # dpkg excludes must be in place before packages unpack; debootstrap has no hook for that,
    # so they only apply to later installs (inside the guest). Fine: it is about guest speed.
    run(cmd)


def esp_uuid():
    """The ESP's UUID as fstab and blkid spell a FAT serial: CDDA-0001."""
    return "%s-%s" % (ESP_VOLUME_ID[:4], ESP_VOLUME_ID[4:])


# What the collection itself installs: every scenario that installs kdump must see these come in
# (postinst, the capture initrd). What they depend on is in the image, unpacked in the chroot at native
# speed rather than under TCG in each VM. Measured 2026-12-03, Debian 12, one VM alone: perl,
# busybox, the Xen libraries etc. took 118 s (busybox also rebuilds the initramfs) of a 258 s install.
# The role installs with apt's default, Recommends included, so those come in too: on 2026-12-06
# binutils and crash (kdump-tools' Recommends) took 30 s of a 275 s install.
KDUMP_PACKAGES = ["kdump-tools", "kexec-tools", "makedumpfile"]


def preinstall_kdump_dependencies(rootdir):
    """Install what KDUMP_PACKAGES bring in (as the release resolves it today, with Recommends as the
    role's apt task installs them), not themselves.

    Runs before the VM-only initramfs config is written: busybox's trigger rebuilds the image's
    initrd here, and it must carry MODULES=most (the chroot sees the build host's devices)."""
    # Package lists in the image also save every VM an `apt-get update` under TCG.
    # The host's resolv.conf (copied by debootstrap) serves the chroot; the guest gets slirp's DNS.
    chroot(rootdir, "apt-get", "update", "-q")
    plan = chroot(rootdir, "apt-get", "install", "--simulate", *KDUMP_PACKAGES,
                  stdout=subprocess.PIPE, text=True).stdout
    deps = [line.split()[1] for line in plan.splitlines()
            if line.startswith("Inst ") and line.split()[1] not in KDUMP_PACKAGES]
    if not deps:
        raise BuildError("apt planned no dependencies for %s: %s" % (" ".join(KDUMP_PACKAGES), plan))
    chroot(rootdir, "apt-get", "install", "-y", "-q", "--no-install-recommends", *deps)


def disable_initramfs_updates(rootdir):
    """Set update_initramfs=no in update-initramfs.conf: `update-initramfs -u` (dpkg triggers) then
    does nothing; `-c` and mkinitramfs still build."""
    path = os.path.join(rootdir, "etc/initramfs-tools/update-initramfs.conf")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new, count = re.subn(r"(?m)^update_initramfs=.*$", "update_initramfs=no", text)
    if count != 1:
        raise BuildError("%s has no single update_initramfs= line to change:\n%s" % (path, text))
    write(path, new)


def configure(rootdir, release, boot, archive, security, has_updates, pubkey, root_uuid):
    write(os.path.join(rootdir, "etc/hostname"), "crashdump-%s\n" % release)
    write(
        os.path.join(rootdir, "etc/hosts"),
        "127.0.0.1 localhost\n127.0.1.1 crashdump-%s\n::1 localhost ip6-localhost ip6-loopback\n" % release,
    )
    fstab = "UUID=%s / ext4 errors=remount-ro 0 1\n" % root_uuid
    if boot == "efi":
        # As Debian's installer mounts the ESP, but waiting up to 15 minutes for it instead of systemd's
        # 90 s: with five TCG guests on two cores, udev once took longer than that to announce it and
        # the guest stopped in emergency mode (make test, 2026-12-03).
        fstab += "UUID=%s /boot/efi vfat umask=0077,x-systemd.device-timeout=15min 0 1\n" % esp_uuid()
        os.makedirs(os.path.join(rootdir, "boot/efi"), exist_ok=True)
    write(os.path.join(rootdir, "etc/fstab"), fstab)
    write(os.path.join(rootdir, "etc/apt/sources.list"), guest_sources_list(release, archive, security, has_updates))
    write(os.path.join(rootdir, "etc/dpkg/dpkg.cfg.d/01-crashdump-vm-nodoc"), DPKG_EXCLUDES)
    # No Translation-* indexes: smaller lists, faster apt runs under TCG.
    write(os.path.join(rootdir, "etc/apt/apt.conf.d/99-crashdump-vm"), 'Acquire::Languages "none";\n')
    preinstall_kdump_dependencies(rootdir)
    write(os.path.join(rootdir, "etc/default/grub"), GRUB_DEFAULT)
    write(os.path.join(rootdir, "etc/systemd/network/10-dhcp.network"), NETWORK)
    write(os.path.join(rootdir, "etc/ssh/sshd_config.d/crashdump-vm.conf"), "PasswordAuthentication no\nUseDNS no\n")
    write(os.path.join(rootdir, "etc/sudoers.d/90-crashdump-vm"), "%s ALL=(ALL) NOPASSWD:ALL\n" % USER, 0o440)
    write(os.path.join(rootdir, "usr/local/sbin/crashdump-firstboot"), FIRSTBOOT_SCRIPT % GRUB_INSTALL[boot], 0o755)
    write(os.path.join(rootdir, "etc/systemd/system/crashdump-firstboot.service"), FIRSTBOOT_UNIT)
    # kdump-tools' install rebuilds the initramfs inside the VM (and builds its own from the same
    # config): with Debian's MODULES=most and zstd -9 that took over 5 minutes under TCG. `dep` packs
    # only what this VM's disk needs; level 1 compresses in a fraction of the time. Written after the
    # image's own initrd was built in the chroot, where `dep` would have seen the build host's devices.
    write(os.path.join(rootdir, "etc/initramfs-tools/conf.d/crashdump-vm.conf"), "MODULES=dep\nCOMPRESSLEVEL=1\n")
    # Installing or purging kdump-tools adds or removes its initramfs hook, and initramfs-tools' dpkg
    # trigger then rebuilds the boot initrd (`update-initramfs -u`): 2 minutes of TCG per install and
    # per purge, for an initrd the tests never look into (the hook only matters in kdump's own initrd,
    # which kdump-tools builds with mkinitramfs and this setting does not touch; update-initramfs(8),
    # update-initramfs.conf(5)).
    disable_initramfs_updates(rootdir)

    chroot(rootdir, "useradd", "--create-home", "--shell", "/bin/bash", "--groups", "sudo", USER)
    for home, owner in (("root", "root"), ("home/" + USER, USER)):
        sshdir = os.path.join(rootdir, home, ".ssh")
        write(os.path.join(sshdir, "authorized_keys"), pubkey, 0o600)
        os.chmod(sshdir, 0o700)
        chroot(rootdir, "chown", "-R", "%s:%s" % (owner, owner), "/" + home + "/.ssh")

    chroot(rootdir, "systemctl", "enable", "systemd-networkd.service", "ssh.service", "crashdump-firstboot.service")
    chroot(rootdir, "systemctl", "mask", *MASKED_UNITS)

    chroot(rootdir, "apt-get", "clean")
    resolv = os.path.join(rootdir, "etc/resolv.conf")
    if os.path.islink(resolv):
        os.unlink(resolv)
    write(resolv, "nameserver 10.0.2.3\n")  # QEMU user-mode networking's DNS forwarder

    # Each VM should look like a separate machine: systemd makes a new machine-id at first boot.
    write(os.path.join(rootdir, "etc/machine-id"), "")
    dbus_id = os.path.join(rootdir, "var/lib/dbus/machine-id")
    if os.path.lexists(dbus_id):
        os.unlink(dbus_id)


def _dd_into(disk, part_img, start_mib):
    run(["dd", "if=" + part_img, "of=" + disk, "bs=1M", "seek=%d" % start_mib, "conv=notrunc,sparse", "status=none"])
    os.unlink(part_img)


def make_disk(rootdir, workdir, boot, root_uuid):
    """bios: MBR, root at 1 MiB. efi: GPT, an empty FAT ESP at 1 MiB (grub-install fills it at the
    first boot), root after it."""
    fs_img = os.path.join(workdir, "rootfs.img")
    disk = os.path.join(workdir, "disk.raw")
    root_start = PART_START_MIB if boot == "bios" else PART_START_MIB + ESP_SIZE_MIB
    run(["truncate", "-s", "%dM" % ROOT_SIZE_MIB, fs_img])
    # -d copies the tree in without mounting anything; -U so fstab/GRUB know the UUID up front.
    run(["mkfs.ext4", "-q", "-F", "-L", "root", "-U", root_uuid, "-d", rootdir, fs_img])
    run(["truncate", "-s", "%dM" % (root_start + ROOT_SIZE_MIB + 1), disk])  # +1: the backup GPT
    if boot == "bios":
        layout = "label: dos\nstart=%dMiB, type=83, bootable\n" % root_start
    else:
        layout = ("label: gpt\nstart=%dMiB, size=%dMiB, type=U, name=ESP\nstart=%dMiB, size=%dMiB, type=L, name=root\n"
                  % (PART_START_MIB, ESP_SIZE_MIB, root_start, ROOT_SIZE_MIB))
        esp_img = os.path.join(workdir, "esp.img")
        run(["truncate", "-s", "%dM" % ESP_SIZE_MIB, esp_img])
        run(["mkfs.vfat", "-n", "ESP", "-i", ESP_VOLUME_ID, esp_img])
    run(["sfdisk", "--quiet", disk], input=layout.encode())
    if boot == "efi":
        _dd_into(disk, esp_img, PART_START_MIB)
    _dd_into(disk, fs_img, root_start)
    return disk


def first_boot(workdir, disk, kernel, initrd, root_uuid, accel_now):
    """Direct-kernel boot that runs the firstboot unit (grub-install) and powers off.
    Under KVM, raises qemu.KvmTrouble when KVM fails the guest (qemu.StartWatch)."""
    serial = os.path.join(workdir, "firstboot-serial.log")
    qmp_path = os.path.join(workdir, "firstboot.qmp")
    cmd = qemu.base_command(accel_now, memory=1024) + [
        "-drive", "file=%s,if=virtio,format=raw,cache=unsafe" % disk,
        "-kernel", kernel,
        "-initrd", initrd,
        "-append", "root=UUID=%s ro console=ttyS0,115200n8" % root_uuid,
        "-serial", "file:" + serial,
        "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
        "-no-reboot",
    ]
    timeout = int(os.environ.get("CRASHDUMP_VM_FIRSTBOOT_TIMEOUT", "600"))
    log("first boot (grub-install), accel=%s, timeout %ds" % (accel_now, timeout))
    for path in (serial, qmp_path):
        if os.path.exists(path):
            os.unlink(path)
    watch = qemu.StartWatch(serial, qmp_path) if accel_now == "kvm" else None
    start = time.monotonic()
    with open(os.path.join(workdir, "firstboot-qemu.log"), "w+", encoding="utf-8") as qemu_log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_log, stderr=subprocess.STDOUT)
        try:
            while proc.poll() is None:
                trouble = watch.trouble() if watch else None
                if trouble:
                    raise qemu.KvmTrouble(trouble)
                if time.monotonic() - start > timeout:
                    raise BuildError("first boot did not finish within %ds\n%s" % (timeout, qemu.tail(serial)))
                time.sleep(1)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        qemu_log.seek(0)
        qemu_output = qemu_log.read().strip()
    if proc.returncode:
        if watch and watch.printed_nothing():
            raise qemu.KvmTrouble("QEMU exited with status %d before the guest printed anything: %s"
                                  % (proc.returncode, qemu_output[-300:]))
        raise BuildError("first boot failed (QEMU exited with status %d: %s)\n%s"
                         % (proc.returncode, qemu_output, qemu.tail(serial)))
    with open(serial, encoding="utf-8", errors="replace") as f:
        if "CRASHDUMP-FIRSTBOOT-OK" not in f.read():
            raise BuildError("first boot did not install GRUB\n" + qemu.tail(serial))
    log("first boot done in %.0fs" % (time.monotonic() - start))


# Run in the verification boot of an efi image, under Secure Boot: the whole signed chain
# (shim, GRUB, kernel) must have been accepted, and the kernel must have locked itself down.
SECURE_BOOT_CHECK = "sudo mokutil --sb-state; cat /sys/kernel/security/lockdown"
LOCKDOWN_RE = re.compile(r"\[(integrity|confidentiality)\]")


# The saved states of the verification boots, one per firmware that boots the image: `vm up`
# resumes one instead of booting when the VM asks for the same machine (snapshot_matches()); any
# reset afterwards boots for real.
VERIFY_FIRMWARES = {"bios": ("bios",), "efi": ("secureboot", "uefi")}


def snapshot_files(firmware):
    """The files of the saved boot under `firmware`, in an image directory."""
    return {"disk": "snapshot-%s.qcow2" % firmware, "state": "snapshot-%s.zst" % firmware,
            "vars": "snapshot-%s-efivars.fd" % firmware, "info": "snapshot-%s.json" % firmware}


def verify_boot(workdir, image, keyfile, accel_now, boot, firmware):
    """Boot the finished image through `firmware` and GRUB on an overlay; require BOOT_IMAGE= and
    sudo; under Secure Boot, require it on and the kernel locked down. Then save the running VM
    (snapshot_files(firmware)) once systemd has finished starting it. Under KVM, raises
    qemu.KvmTrouble when KVM fails the guest (qemu.StartWatch)."""
    files = snapshot_files(firmware)
    # A relative backing file: the image dir is renamed into place after the build.
    overlay = os.path.join(workdir, files["disk"])
    serial = os.path.join(workdir, "verify-%s-serial.log" % firmware)
    pidfile = os.path.join(workdir, "verify.pid")
    vars_path = qemu.new_vars_store(firmware, os.path.join(workdir, files["vars"]))
    run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", os.path.basename(image), overlay])
    watch = qemu.StartWatch(serial, qemu.control_socket(pidfile)) if accel_now == "kvm" else None
    saved = False
    try:
        port = qemu.start_vm(accel_now, overlay, serial, pidfile, memory=qemu.DEFAULT_MEMORY,
                             name="crashdump-verify", firmware=firmware, vars_path=vars_path)
        timeout = int(os.environ.get("CRASHDUMP_VM_BOOT_TIMEOUT", "300"))
        seconds = qemu.wait_for_ssh(port, USER, keyfile, serial, pidfile, timeout, watch=watch)
        log("verify boot (%s): SSH answered after %.0fs" % (firmware, seconds))
        command = "cat /proc/cmdline; sudo -n true && echo SUDO-OK"
        if firmware == "secureboot":
            command += "; " + SECURE_BOOT_CHECK
        out = qemu.ssh_output(port, USER, keyfile, command)
        log("verify boot: " + out.strip().replace("\n", " | "))
        if "BOOT_IMAGE=" not in out:
            raise BuildError("image did not boot through GRUB (no BOOT_IMAGE= in /proc/cmdline): " + out)
        if "SUDO-OK" not in out:
            raise BuildError("passwordless sudo does not work in the image: " + out)
        if firmware == "secureboot" and ("SecureBoot enabled" not in out or not LOCKDOWN_RE.search(out)):
            raise BuildError("under Secure Boot firmware the image did not report Secure Boot enabled and the "
                             "kernel locked down (%s): %s" % (SECURE_BOOT_CHECK, out))
        state = qemu.ssh_output(port, USER, keyfile, "timeout 120 systemctl is-system-running --wait", check=False)
        qemu.save_state(pidfile, os.path.join(workdir, files["state"]))
        info = {"firmware": firmware, "memory": qemu.DEFAULT_MEMORY, "cpus": qemu.VM_CPUS,
                "cpu": qemu.cpu_model(accel_now), "accel": accel_now, "qemu": qemu.qemu_version(),
                "saved": int(time.time()), "system_state": state.strip()}
        write(os.path.join(workdir, files["info"]), json.dumps(info, indent=1) + "\n")
        saved = True
        log("verify boot: saved the running VM (%s) for `vm up` to resume" % state.strip())
    finally:
        qemu.kill_pidfile(pidfile)
        if not saved:
            for name in files.values():
                if os.path.exists(os.path.join(workdir, name)):
                    os.unlink(os.path.join(workdir, name))


def snapshot_matches(image_dir, firmware, memory, accel):
    """(True, "") when the image's saved state resumes as a VM with these settings, else (False, why)."""
    try:
        with open(os.path.join(image_dir, snapshot_files(firmware)["info"]), encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError):
        return False, "the image has no saved state for firmware %s" % firmware
    info.setdefault("cpu", "host" if info.get("accel") == "kvm" else "max")  # saved before "cpu" was recorded
    wanted = {"firmware": firmware, "memory": memory, "cpus": qemu.VM_CPUS, "cpu": qemu.cpu_model(accel),
              "accel": accel, "qemu": qemu.qemu_version()}
    for key, value in wanted.items():
        if info.get(key) != value:
            return False, "the saved state has %s %s, this VM %s" % (key, info.get(key), value)
    return True, ""


def image_name(release, boot):
    """The cache directory name of an image: release, boot kind and recipe version."""
    return "%s-%s-%s" % (release, boot, builder_version())


def build(release, boot, cache_dir, chooser):
    """Build the base image for RELEASE and BOOT into cache_dir/images/image_name()/; return that dir.
    `chooser`: an accel.Chooser."""
    if release not in RELEASES:
        raise BuildError(
            "unknown release %r; supported: %s"
            % (release, ", ".join("%s (%s)" % (r, n) for r, n in RELEASES.items()))
        )
    if boot not in BOOTS:
        raise BuildError("unknown boot kind %r; supported: %s" % (boot, ", ".join(BOOTS)))
    missing = missing_build_tools(boot)
    if missing:
        raise BuildError(
            "missing tools: %s; install them with: apt-get install qemu-system-x86 qemu-utils debootstrap "
            "fdisk e2fsprogs openssh-client dosfstools zstd (or run tests/vm/install-deps)" % ", ".join(missing)
        )
    if os.geteuid() != 0:
        raise BuildError("building an image needs root (debootstrap, chroot); run as root or via sudo")

    archive, security, has_updates = mirrors()
    images = os.path.join(cache_dir, "images")
    if boot == "efi":
        try:
            for firmware in VERIFY_FIRMWARES[boot]:
                qemu.check_firmware(firmware)  # the verification boots
        except RuntimeError as e:
            raise BuildError(str(e)) from e
    final = os.path.join(images, image_name(release, boot))
    os.makedirs(images, exist_ok=True)
    # Build next to the final place so the last step is an atomic rename on one filesystem.
    workdir = tempfile.mkdtemp(prefix=".build-%s-%s-" % (release, boot), dir=images)
    rootdir = os.path.join(workdir, "root")
    start = time.monotonic()
    log("building %s %s image from %s (security: %s) in %s" % (release, boot, archive, security, workdir))
    try:
        keyfile = os.path.join(workdir, "id_ed25519")
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "crashdump-kdump-vm", "-f", keyfile])
        with open(keyfile + ".pub", encoding="utf-8") as f:
            pubkey = f.read()
        root_uuid = str(uuid.uuid4())

        debootstrap(release, boot, rootdir, archive)
        configure(rootdir, release, boot, archive, security, has_updates, pubkey, root_uuid)
        boot_dir = os.path.join(rootdir, "boot")
        kernels = sorted(n for n in os.listdir(boot_dir) if n.startswith("vmlinuz-"))
        if not kernels:
            raise BuildError("no kernel in %s" % boot_dir)
        kver = kernels[-1][len("vmlinuz-"):]
        kernel = os.path.join(workdir, KERNEL)
        initrd = os.path.join(workdir, "initrd.img")
        shutil.copy(os.path.join(boot_dir, "vmlinuz-" + kver), kernel)
        shutil.copy(os.path.join(boot_dir, "initrd.img-" + kver), initrd)

        disk = make_disk(rootdir, workdir, boot, root_uuid)
        shutil.rmtree(rootdir)
        accel_now, reason = chooser.choose(kernel)
        log("accelerator %s: %s" % (accel_now, reason))
        accel_now, reason = accel.run_with_fallback(
            chooser, "the image's first boot", accel_now, reason,
            lambda a: first_boot(workdir, disk, kernel, initrd, root_uuid, a))[1:]
        image = os.path.join(workdir, "base.qcow2")
        run(["qemu-img", "convert", "-O", "qcow2", disk, image])
        os.unlink(disk)
        for firmware in VERIFY_FIRMWARES[boot]:
            accel_now, reason = accel.run_with_fallback(
                chooser, "the image's verification boot (%s)" % firmware, accel_now, reason,
                lambda a, fw=firmware: verify_boot(workdir, image, keyfile, a, boot, fw))[1:]
        for leftover in ("initrd.img", "firstboot.qmp", "verify.pid", "verify.qmp", "verify-control.qmp"):
            p = os.path.join(workdir, leftover)
            if os.path.exists(p):
                os.unlink(p)
        write(
            os.path.join(workdir, "BUILD-INFO"),
            "release=%s\nboot=%s\nkernel=%s\narchive=%s\nsecurity=%s\nbuilder=%s\nbuild_seconds=%.0f\n"
            % (release, boot, kver, archive, security, builder_version(), time.monotonic() - start),
        )
        os.chmod(workdir, 0o755)
        os.rename(workdir, final)
    except BaseException:
        # A failed or interrupted build leaves nothing behind in the cache.
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    log("built %s %s in %.0fs: %s" % (release, boot, time.monotonic() - start, final))
    return final
