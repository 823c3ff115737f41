"""Build recipe for the harness's Debian base images (controller side, stdlib only).

The cache key of an image is the release plus a hash of THIS file, so any change to the
recipe below produces a new image on the next `vm build` / `vm up`.

Steps (no loop-device partitions needed; they do not appear on our CI machine):
  1. debootstrap a minbase root with the cloud kernel, grub-pc, sshd, python3, sudo;
  2. configure it (users, SSH key, network, apt sources, GRUB serial console, firstboot unit);
  3. mkfs.ext4 -d ROOT fs.img; sfdisk a raw disk file; dd the fs into partition 1;
  4. first boot with QEMU direct kernel boot: grub-install /dev/vda && update-grub, power off;
  5. convert to qcow2; verification boot through GRUB on a throwaway overlay (BOOT_IMAGE=);
  6. atomic rename of the temp dir into the cache.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import qemu  # sibling module: QEMU command line, accel probe, SSH helpers

RELEASES = {"bookworm": "Debian 12", "trixie": "Debian 13"}
ROOT_SIZE_MIB = 6144  # sparse; plenty for kdump-tools, a few dumps, kernels
PART_START_MIB = 1  # leaves the post-MBR gap grub-pc needs
USER = "debian"

# What the guest needs beyond minbase. No kdump-tools/kexec-tools: the collection installs those.
PACKAGES = [
    "linux-image-cloud-amd64",  # small MODULES=most initramfs: kdump-tools installs in ~4 min, not 12
    "grub-pc",
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
FIRSTBOOT_SCRIPT = """\
#!/bin/sh
set -eu
echo "grub-pc grub-pc/install_devices multiselect /dev/vda" | debconf-set-selections
grub-install --target=i386-pc /dev/vda
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


def chroot(rootdir, *cmd):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C.UTF-8")
    env.pop("PYTHONPATH", None)
    return run(["chroot", rootdir] + list(cmd), env=env)


def missing_build_tools():
    tools = ["debootstrap", "qemu-system-x86_64", "qemu-img", "sfdisk", "mkfs.ext4", "ssh-keygen", "ssh"]
    return [t for t in tools if shutil.which(t) is None]


# ---------------------------------------------------------------- build steps


def debootstrap(release, rootdir, archive):
    cmd = [
        "debootstrap",
        "--variant=minbase",
        "--arch=amd64",
        "--include=" + ",".join(PACKAGES),
        release,
        rootdir,
        archive,
    ]
    # dpkg excludes must be in place before packages unpack; debootstrap has no hook for that,
    # so they only apply to later installs (inside the guest). Fine: it is about guest speed.
    run(cmd)


def configure(rootdir, release, archive, security, has_updates, pubkey, root_uuid):
    write(os.path.join(rootdir, "etc/hostname"), "crashdump-%s\n" % release)
    write(
        os.path.join(rootdir, "etc/hosts"),
        "127.0.0.1 localhost\n127.0.1.1 crashdump-%s\n::1 localhost ip6-localhost ip6-loopback\n" % release,
    )
    write(os.path.join(rootdir, "etc/fstab"), "UUID=%s / ext4 errors=remount-ro 0 1\n" % root_uuid)
    write(os.path.join(rootdir, "etc/apt/sources.list"), guest_sources_list(release, archive, security, has_updates))
    write(os.path.join(rootdir, "etc/dpkg/dpkg.cfg.d/01-crashdump-vm-nodoc"), DPKG_EXCLUDES)
    # No Translation-* indexes: smaller lists, faster apt runs under TCG.
    write(os.path.join(rootdir, "etc/apt/apt.conf.d/99-crashdump-vm"), 'Acquire::Languages "none";\n')
    write(os.path.join(rootdir, "etc/default/grub"), GRUB_DEFAULT)
    write(os.path.join(rootdir, "etc/systemd/network/10-dhcp.network"), NETWORK)
    write(os.path.join(rootdir, "etc/ssh/sshd_config.d/crashdump-vm.conf"), "PasswordAuthentication no\nUseDNS no\n")
    write(os.path.join(rootdir, "etc/sudoers.d/90-crashdump-vm"), "%s ALL=(ALL) NOPASSWD:ALL\n" % USER, 0o440)
    write(os.path.join(rootdir, "usr/local/sbin/crashdump-firstboot"), FIRSTBOOT_SCRIPT, 0o755)
    write(os.path.join(rootdir, "etc/systemd/system/crashdump-firstboot.service"), FIRSTBOOT_UNIT)
    # kdump-tools' install rebuilds the initramfs inside the VM (and builds its own from the same
    # config): with Debian's MODULES=most and zstd -9 that took over 5 minutes under TCG. `dep` packs
    # only what this VM's disk needs; level 1 compresses in a fraction of the time. Written after the
    # image's own initrd was built in the chroot, where `dep` would have seen the build host's devices.
    write(os.path.join(rootdir, "etc/initramfs-tools/conf.d/crashdump-vm.conf"), "MODULES=dep\nCOMPRESSLEVEL=1\n")

    chroot(rootdir, "useradd", "--create-home", "--shell", "/bin/bash", "--groups", "sudo", USER)
    for home, owner in (("root", "root"), ("home/" + USER, USER)):
        sshdir = os.path.join(rootdir, home, ".ssh")
        write(os.path.join(sshdir, "authorized_keys"), pubkey, 0o600)
        os.chmod(sshdir, 0o700)
        chroot(rootdir, "chown", "-R", "%s:%s" % (owner, owner), "/" + home + "/.ssh")

    chroot(rootdir, "systemctl", "enable", "systemd-networkd.service", "ssh.service", "crashdump-firstboot.service")
    chroot(rootdir, "systemctl", "mask", *MASKED_UNITS)

    # Package lists in the image save every VM an `apt-get update` under TCG.
    # The host's resolv.conf (copied by debootstrap) serves the chroot; the guest gets slirp's DNS.
    chroot(rootdir, "apt-get", "update", "-q")
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


def make_disk(rootdir, workdir, root_uuid):
    fs_img = os.path.join(workdir, "rootfs.img")
    disk = os.path.join(workdir, "disk.raw")
    run(["truncate", "-s", "%dM" % ROOT_SIZE_MIB, fs_img])
    # -d copies the tree in without mounting anything; -U so fstab/GRUB know the UUID up front.
    run(["mkfs.ext4", "-q", "-F", "-L", "root", "-U", root_uuid, "-d", rootdir, fs_img])
    run(["truncate", "-s", "%dM" % (ROOT_SIZE_MIB + PART_START_MIB), disk])
    layout = "label: dos\nstart=%dMiB, type=83, bootable\n" % PART_START_MIB
    run(["sfdisk", "--quiet", disk], input=layout.encode())
    run(
        ["dd", "if=" + fs_img, "of=" + disk, "bs=1M", "seek=%d" % PART_START_MIB, "conv=notrunc,sparse", "status=none"]
    )
    os.unlink(fs_img)
    return disk


def first_boot(workdir, disk, kernel, initrd, root_uuid, accel):
    """Direct-kernel boot that runs the firstboot unit (grub-install) and powers off."""
    serial = os.path.join(workdir, "firstboot-serial.log")
    cmd = qemu.base_command(accel, memory=1024) + [
        "-drive", "file=%s,if=virtio,format=raw,cache=unsafe" % disk,
        "-kernel", kernel,
        "-initrd", initrd,
        "-append", "root=UUID=%s ro console=ttyS0,115200n8" % root_uuid,
        "-serial", "file:" + serial,
        "-no-reboot",
    ]
    timeout = int(os.environ.get("CRASHDUMP_VM_FIRSTBOOT_TIMEOUT", "600"))
    log("first boot (grub-install), accel=%s, timeout %ds" % (accel, timeout))
    start = time.monotonic()
    try:
        subprocess.run(cmd, check=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        raise BuildError("first boot failed (%s)\n%s" % (e, qemu.tail(serial))) from e
    with open(serial, encoding="utf-8", errors="replace") as f:
        if "CRASHDUMP-FIRSTBOOT-OK" not in f.read():
            raise BuildError("first boot did not install GRUB\n" + qemu.tail(serial))
    log("first boot done in %.0fs" % (time.monotonic() - start))


def verify_boot(workdir, image, keyfile, accel):
    """Boot the finished image through GRUB on a throwaway overlay; require BOOT_IMAGE=."""
    overlay = os.path.join(workdir, "verify.qcow2")
    serial = os.path.join(workdir, "verify-serial.log")
    pidfile = os.path.join(workdir, "verify.pid")
    run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image, overlay])
    port = qemu.start_vm(accel, overlay, serial, pidfile, memory=1024, name="crashdump-verify")
    try:
        timeout = int(os.environ.get("CRASHDUMP_VM_BOOT_TIMEOUT", "300"))
        seconds = qemu.wait_for_ssh(port, USER, keyfile, serial, pidfile, timeout)
        log("verify boot: SSH answered after %.0fs" % seconds)
        out = qemu.ssh_output(port, USER, keyfile, "cat /proc/cmdline; sudo -n true && echo SUDO-OK")
        log("verify boot: " + out.strip().replace("\n", " | "))
        if "BOOT_IMAGE=" not in out:
            raise BuildError("image did not boot through GRUB (no BOOT_IMAGE= in /proc/cmdline): " + out)
        if "SUDO-OK" not in out:
            raise BuildError("passwordless sudo does not work in the image: " + out)
        qemu.ssh_output(port, USER, keyfile, "sudo systemctl poweroff", check=False)
        qemu.wait_pid_exit(pidfile, 120)
    finally:
        qemu.kill_pidfile(pidfile)
        os.unlink(overlay)


def build(release, cache_dir, accel):
    """Build the base image for RELEASE into cache_dir/images/<release>-<version>/; return that dir."""
    if release not in RELEASES:
        raise BuildError(
            "unknown release %r; supported: %s"
            % (release, ", ".join("%s (%s)" % (r, n) for r, n in RELEASES.items()))
        )
    missing = missing_build_tools()
    if missing:
        raise BuildError(
            "missing tools: %s; install them with: apt-get install qemu-system-x86 qemu-utils debootstrap "
            "fdisk e2fsprogs openssh-client (or run tests/vm/install-deps)" % ", ".join(missing)
        )
    if os.geteuid() != 0:
        raise BuildError("building an image needs root (debootstrap, chroot); run as root or via sudo")

    archive, security, has_updates = mirrors()
    images = os.path.join(cache_dir, "images")
    final = os.path.join(images, "%s-%s" % (release, builder_version()))
    os.makedirs(images, exist_ok=True)
    # Build next to the final place so the last step is an atomic rename on one filesystem.
    workdir = tempfile.mkdtemp(prefix=".build-%s-" % release, dir=images)
    rootdir = os.path.join(workdir, "root")
    start = time.monotonic()
    log("building %s image from %s (security: %s) in %s" % (release, archive, security, workdir))
    try:
        keyfile = os.path.join(workdir, "id_ed25519")
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "crashdump-kdump-vm", "-f", keyfile])
        with open(keyfile + ".pub", encoding="utf-8") as f:
            pubkey = f.read()
        root_uuid = str(uuid.uuid4())

        debootstrap(release, rootdir, archive)
        configure(rootdir, release, archive, security, has_updates, pubkey, root_uuid)
        boot = os.path.join(rootdir, "boot")
        kernels = sorted(n for n in os.listdir(boot) if n.startswith("vmlinuz-"))
        if not kernels:
            raise BuildError("no kernel in %s" % boot)
        kver = kernels[-1][len("vmlinuz-"):]
        kernel = os.path.join(workdir, "vmlinuz")
        initrd = os.path.join(workdir, "initrd.img")
        shutil.copy(os.path.join(boot, "vmlinuz-" + kver), kernel)
        shutil.copy(os.path.join(boot, "initrd.img-" + kver), initrd)

        disk = make_disk(rootdir, workdir, root_uuid)
        shutil.rmtree(rootdir)
        first_boot(workdir, disk, kernel, initrd, root_uuid, accel)
        image = os.path.join(workdir, "base.qcow2")
        run(["qemu-img", "convert", "-O", "qcow2", disk, image])
        os.unlink(disk)
        verify_boot(workdir, image, keyfile, accel)
        for leftover in ("vmlinuz", "initrd.img", "verify.pid"):
            p = os.path.join(workdir, leftover)
            if os.path.exists(p):
                os.unlink(p)
        write(
            os.path.join(workdir, "BUILD-INFO"),
            "release=%s\nkernel=%s\narchive=%s\nsecurity=%s\nbuilder=%s\nbuild_seconds=%.0f\n"
            % (release, kver, archive, security, builder_version(), time.monotonic() - start),
        )
        os.chmod(workdir, 0o755)
        os.rename(workdir, final)
    except BaseException:
        # A failed or interrupted build leaves nothing behind in the cache.
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    log("built %s in %.0fs: %s" % (release, time.monotonic() - start, final))
    return final
