# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kernel's ``crashkernel=`` boot argument: read, compute and format it.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Pure logic, no I/O, runs on Python 2.7 and 3.6+.

Two readers live here, on purpose:

* ``parse(value)`` reads what a *user* asks for. It is stricter than the
  kernel: it rejects anything the kernel would silently misread (trailing
  garbage, ``@`` without a number, numbers past 2**64, ...), and its messages
  name the bad part and the accepted forms.
* ``evaluate_cmdline(cmdline, ram)`` reads a *whole kernel command line*
  exactly as the kernel does (``kernel/crash_reserve.c`` and ``memparse()`` in
  ``lib/cmdline.c``), quirks included, to tell what a booted or to-be-booted
  kernel reserves.

Every value ``parse`` accepts, the kernel reads the same way; the unit tests
check one reader against the other on generated values.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

try:
    _INTEGER_TYPES = (int, long)  # noqa: F821  # novermin - Python 2 only, guarded
    _TEXT_TYPES = (str, unicode)  # noqa: F821  # novermin - Python 2 only, guarded
except NameError:
    _INTEGER_TYPES = (int,)
    _TEXT_TYPES = (str,)

KIB = 1 << 10
MIB = 1 << 20
GIB = 1 << 30
TIB = 1 << 40
U64_MAX = (1 << 64) - 1

# memparse() suffixes, binary, either case (lib/cmdline.c).
UNIT_SHIFT = {"k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}
# Canonical formatting uses the largest unit that divides the value.
_FORMAT_UNITS = (("E", 60), ("P", 50), ("T", 40), ("G", 30), ("M", 20), ("K", 10))

# In range mode the kernel rounds System RAM up to this before matching
# (parse_crashkernel_mem(): firmware keeps some RAM for itself).
RAM_ROUNDING = 128 * MIB

SUFFIXES = ("high", "low", "cma")

ACCEPTED_FORMS = (
    "accepted forms: SIZE[@OFFSET] (e.g. 256M, 128M@16M), "
    "START-[END]:SIZE[,START-[END]:SIZE...][@OFFSET] (e.g. 512M-2G:64M,2G-:128M), "
    "SIZE,high, SIZE,low, SIZE,cma, or auto (RHEL 7/8 kernels); "
    "a SIZE is a number (decimal, 0x hex or 0-prefixed octal) with an optional "
    "unit K, M, G, T, P or E"
)

# Architecture names as Ansible (uname -m) and Debian spell them.
ARCH_ALIASES = {
    "amd64": "x86_64",
    "arm64": "aarch64",
    "ppc64el": "ppc64le",
    "i686": "i386",
    "i586": "i386",
    "riscv": "riscv64",
}

# Alignment of an explicit @offset; the kernel fails to reserve a misaligned
# fixed region ("memory is in use"). x86 CRASH_ALIGN 16M and arm64 2M:
# arch/*/include/asm/crash_reserve.h and Documentation/admin-guide/kdump/kdump.rst;
# riscv/loongarch CRASH_ALIGN is PMD_SIZE (2M); s390 rounds to HPAGE_SIZE (1M);
# ppc64 page-aligns (64K pages on ppc64le distributions).
OFFSET_ALIGN = {
    "x86_64": 16 * MIB,
    "i386": 16 * MIB,
    "aarch64": 2 * MIB,
    "riscv64": 2 * MIB,
    "loongarch64": 2 * MIB,
    "s390x": 1 * MIB,
    "ppc64le": 64 * KIB,
    "ppc64": 64 * KIB,
}

# Arches whose parse_crashkernel() reads ,high/,low (the generic reservation,
# CONFIG_ARCH_HAS_GENERIC_CRASHKERNEL_RESERVATION); ppc64 passes NULL for both.
HIGH_LOW_ARCHES = frozenset(("x86_64", "aarch64", "riscv64", "loongarch64"))
# ,cma: x86 first (Linux 6.17), then ppc64.
CMA_ARCHES = frozenset(("x86_64", "ppc64le", "ppc64"))

# Low region reserved with ,high when no ,low is given
# (DEFAULT_CRASH_KERNEL_LOW_SIZE): x86_64 max(swiotlb 64M + 8M, 256M);
# the generic header says 128M.
DEFAULT_LOW_SIZE = {"x86_64": 256 * MIB}
GENERIC_LOW_SIZE = 128 * MIB


class CrashkernelError(ValueError):
    """A crashkernel value the kernel (or this collection) does not accept."""


def normalize_arch(arch):
    """Return the uname -m spelling of ``arch``, or raise for unknown ones."""
    name = ARCH_ALIASES.get(arch, arch)
    if name not in OFFSET_ALIGN:
        raise CrashkernelError(
            "unknown architecture %r; known: %s" % (arch, ", ".join(sorted(OFFSET_ALIGN)))
        )
    return name


_HUMAN_UNITS = (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10))


def human_size(value):
    """Bytes for a person: 1610612736 -> '1.5 GiB', 512 -> '512 bytes'. For amounts the kernel
    measured (System RAM is rarely a round number: 25165435K is 24.0 GiB), not for values to type."""
    for unit, shift in _HUMAN_UNITS:
        if value >= 1 << shift:
            return "%.1f %s" % (value / float(1 << shift), unit)
    return "%d bytes" % value


def format_size(value):
    """Format bytes the shortest exact way: 268435456 -> '256M', 0 -> '0'."""
    if value == 0:
        return "0"
    for unit, shift in _FORMAT_UNITS:
        if value % (1 << shift) == 0:
            return "%d%s" % (value >> shift, unit)
    return "%d" % value


# --------------------------------------------------------------------------
# The user-facing, strict reader
# --------------------------------------------------------------------------

# One memparse() number. Hex needs a hex digit after 0x (else the kernel reads
# octal 0 and stops at the 'x'); hex digits swallow 'e'/'E', so 0x1E is 30
# bytes, never an exbibyte suffix, exactly as in the kernel.
_NUMBER = re.compile(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([KMGTPEkmgtpe]?)")


class _Reader(object):
    """A cursor over the value that reports errors with the offending text."""

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def at_end(self):
        return self.pos >= len(self.text)

    def peek(self):
        return self.text[self.pos:self.pos + 1]

    def fail(self, problem):
        raise CrashkernelError(
            "invalid crashkernel value %r: %s; %s" % (self.text, problem, ACCEPTED_FORMS)
        )

    def rest(self):
        return self.text[self.pos:]

    def expect(self, char, what):
        if self.peek() != char:
            found = repr(self.rest()) if not self.at_end() else "the end of the value"
            self.fail("expected %s at %s (after %r)" % (what, found, self.text[:self.pos]))
        self.pos += 1

    def number(self, what):
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            found = repr(self.rest()) if not self.at_end() else "the end of the value"
            self.fail("expected %s (a number such as 256M) at %s" % (what, found))
        digits, unit = match.group(1), match.group(2)
        if digits[:2] in ("0x", "0X"):
            value = int(digits[2:], 16)
        elif digits[0] == "0" and len(digits) > 1:
            value = int(digits[1:], 8)
        else:
            value = int(digits)
        value <<= UNIT_SHIFT.get(unit.lower(), 0)
        if value > U64_MAX:
            self.fail("%s %r is larger than 2^64-1 bytes" % (what, match.group(0)))
        self.pos = match.end()
        return value


class Crashkernel(object):
    """A parsed ``crashkernel=`` value.

    ``kind`` is one of ``size``, ``ranges``, ``high``, ``low``, ``cma``, ``auto``.
    ``size`` is the fixed size (0 for ``ranges`` and ``auto``), ``ranges`` a tuple
    of ``(start, end or None, size)``, ``offset`` the requested base in bytes
    (0 = the kernel chooses).
    """

    def __init__(self, kind, size=0, ranges=(), offset=0):
        self.kind = kind
        self.size = size
        self.ranges = tuple(ranges)
        self.offset = offset

    @property
    def suffix(self):
        return self.kind if self.kind in SUFFIXES else None

    def __eq__(self, other):
        return isinstance(other, Crashkernel) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def _key(self):
        return (self.kind, self.size, self.ranges, self.offset)

    def __repr__(self):
        return "Crashkernel(%r)" % self.format()

    def __str__(self):
        return self.format()

    def format(self):
        """The canonical text after ``crashkernel=`` (units normalised)."""
        if self.kind == "auto":
            return "auto"
        if self.kind in SUFFIXES:
            return "%s,%s" % (format_size(self.size), self.kind)
        if self.kind == "ranges":
            text = ",".join(
                "%s-%s:%s" % (format_size(start), "" if end is None else format_size(end), format_size(size))
                for start, end, size in self.ranges
            )
        else:
            text = format_size(self.size)
        if self.offset:
            text += "@" + format_size(self.offset)
        return text

    def size_for(self, ram_bytes, arch="x86_64", rhel_major=8):
        """Bytes the kernel reserves for the main region with ``ram_bytes`` of System RAM.

        Returns 0 where no range matches (the kernel reserves nothing and logs
        "crashkernel size resulted in zero bytes"); raises CrashkernelError
        where the kernel rejects the value for that RAM. ``arch`` matters only for
        the suffix forms and ``auto``, ``rhel_major`` only for ``auto``.
        """
        if not isinstance(ram_bytes, _INTEGER_TYPES) or isinstance(ram_bytes, bool) or ram_bytes <= 0:
            raise CrashkernelError("RAM size must be a positive number of bytes, got %r" % (ram_bytes,))
        arch = normalize_arch(arch)
        if self.kind == "auto":
            return auto_size(ram_bytes, arch, rhel_major)
        if self.kind in ("low", "cma"):
            raise CrashkernelError(
                "crashkernel=%s on its own reserves nothing: the kernel reads ,%s only "
                "next to a crashkernel=SIZE,high (low) or a main reservation (cma)"
                % (self.format(), self.kind)
            )
        if self.kind == "high" and arch not in HIGH_LOW_ARCHES:
            raise CrashkernelError(
                "crashkernel=%s: %s kernels do not read ,high; use a plain size" % (self.format(), arch)
            )
        size = self.size
        if self.kind == "ranges":
            size = _match_ranges(self.ranges, ram_bytes)
            if size == 0:
                return 0
        if size >= ram_bytes:
            raise CrashkernelError(
                "crashkernel=%s asks for %s, not less than the %s of System RAM; "
                "the kernel would reserve nothing" % (self.format(), format_size(size), human_size(ram_bytes))
            )
        return size


# The kernel refuses only a reservation not below RAM; one that takes more than
# half of it leaves the running system starved (OOM at boot, or the low region
# failing). This collection refuses that too.
MAX_RESERVED_FRACTION = (1, 2)


def check_reservation(text, reserved_bytes, ram_bytes):
    """Raise CrashkernelError when ``reserved_bytes`` (main plus low region) is more than half of RAM."""
    numerator, denominator = MAX_RESERVED_FRACTION
    limit = ram_bytes * numerator // denominator
    if reserved_bytes > limit:
        raise CrashkernelError(
            "%s would reserve %s of this host's %s of System RAM, more than half: the running system would be "
            "starved of memory; accepted here: at most %s in all (main and ,low regions)"
            % (text, format_size(reserved_bytes), human_size(ram_bytes), format_size(limit >> 20 << 20)))


def _match_ranges(ranges, ram_bytes):
    """parse_crashkernel_mem(): first range holding the rounded RAM wins."""
    total = -(-ram_bytes // RAM_ROUNDING) * RAM_ROUNDING
    for start, end, size in ranges:
        if size >= total:
            raise CrashkernelError(
                "crashkernel range %s-%s:%s: size %s is not below the System RAM rounded up "
                "to 128M (%s); the kernel rejects the whole value"
                % (format_size(start), "" if end is None else format_size(end), format_size(size),
                   format_size(size), format_size(total))
            )
        if start <= total and (end is None or total < end):
            return size
    return 0


def parse(value):
    """Parse the text after ``crashkernel=`` as a user request; see the module doc."""
    if not isinstance(value, _TEXT_TYPES):
        raise CrashkernelError("invalid crashkernel value %r: it must be text; %s" % (value, ACCEPTED_FORMS))
    if value == "":
        raise CrashkernelError("invalid crashkernel value '': it is empty; " + ACCEPTED_FORMS)
    if value.lower().startswith("crashkernel="):
        raise CrashkernelError(
            "invalid crashkernel value %r: give only what follows 'crashkernel=' (e.g. %r)"
            % (value, value[len("crashkernel="):])
        )
    bad = re.search(r"[^0-9A-Za-z@:,\-]", value)
    if bad:
        raise CrashkernelError(
            "invalid crashkernel value %r: character %r at position %d is not allowed; %s"
            % (value, bad.group(0), bad.start(), ACCEPTED_FORMS)
        )
    if value == "auto":
        return Crashkernel("auto")

    reader = _Reader(value)
    # The kernel takes the range syntax whenever a ':' is present.
    if ":" in value:
        return _parse_ranges(reader)

    size = reader.number("size")
    if reader.peek() == ",":
        reader.pos += 1
        suffix = reader.rest()
        if suffix not in SUFFIXES:
            reader.fail("unknown suffix %r after the size (known: ,high ,low ,cma)" % ("," + suffix))
        if size == 0 and suffix != "low":
            reader.fail("a size of 0 reserves nothing (0 is meaningful only as 0,low)")
        return Crashkernel(suffix, size=size)
    offset = _parse_offset(reader)
    if not reader.at_end():
        reader.fail("unexpected %r after %r" % (reader.rest(), value[:reader.pos]))
    if size == 0:
        reader.fail("a size of 0 reserves nothing (to remove the reservation, use state=absent)")
    return Crashkernel("size", size=size, offset=offset)


def _parse_offset(reader):
    if reader.peek() != "@":
        return 0
    reader.pos += 1
    return reader.number("offset after '@'")


def _parse_ranges(reader):
    ranges = []
    while True:
        entry_at = reader.pos
        start = reader.number("range start")
        reader.expect("-", "'-' after the range start")
        end = None
        if reader.peek() != ":":
            end = reader.number("range end")
            if end <= start:
                reader.fail("range %r ends at or before it starts (end must be greater than start)"
                            % reader.text[entry_at:reader.pos])
        reader.expect(":", "':' between the range and its size")
        size = reader.number("size of the range")
        ranges.append((start, end, size))
        if reader.peek() != ",":
            break
        reader.pos += 1
    offset = _parse_offset(reader)
    if not reader.at_end():
        reader.fail("unexpected %r after %r" % (reader.rest(), reader.text[:reader.pos]))
    return Crashkernel("ranges", ranges=ranges, offset=offset)


def check_platform(spec, arch, kernel_release=None):
    """Raise CrashkernelError where ``spec`` cannot work on this architecture/kernel.

    ``kernel_release`` (uname -r) decides whether ``auto`` is understood: only
    RHEL 7 and 8 kernels (``.el7``/``.el8``) implement it.
    """
    arch = normalize_arch(arch)
    if spec.kind == "auto":
        if not kernel_supports_auto(kernel_release):
            raise CrashkernelError(
                "crashkernel=auto is understood only by RHEL 7 and 8 kernels, not by %s; "
                "use an explicit size or range list (the distro's recommendation)"
                % (kernel_release or "this kernel")
            )
        return
    if spec.kind in ("high", "low") and arch not in HIGH_LOW_ARCHES:
        raise CrashkernelError(
            "crashkernel=%s: ,high and ,low exist only on %s, not on %s"
            % (spec.format(), ", ".join(sorted(HIGH_LOW_ARCHES)), arch)
        )
    if spec.kind == "cma" and arch not in CMA_ARCHES:
        raise CrashkernelError(
            "crashkernel=%s: ,cma exists only on %s, not on %s"
            % (spec.format(), ", ".join(sorted(CMA_ARCHES)), arch)
        )
    align = OFFSET_ALIGN[arch]
    if spec.offset % align:
        raise CrashkernelError(
            "crashkernel=%s: offset %s is not a multiple of %s, which %s requires; "
            "the kernel would fail to reserve it"
            % (spec.format(), format_size(spec.offset), format_size(align), arch)
        )


def kernel_supports_auto(kernel_release):
    """True for RHEL 7 and 8 kernels, the only ones that implement crashkernel=auto."""
    return bool(kernel_release) and re.search(r"\.el[78](?:[._]|$)", kernel_release) is not None


def auto_rhel_major(kernel_release):
    """Which RHEL's crashkernel=auto rule a kernel follows (``auto_size``): 7 for .el7 kernels, else 8."""
    return 7 if ".el7" in (kernel_release or "") else 8


# --------------------------------------------------------------------------
# The kernel-exact reader for whole command lines
# --------------------------------------------------------------------------

class Reservation(object):
    """What a kernel reserves from a command line.

    ``size`` main region bytes (0 = nothing), ``offset`` requested base,
    ``low`` the extra low region (with ,high, or 0), ``high`` whether the main
    region was asked for with ,high, ``cma`` the ,cma size, ``problem`` the
    kernel's reason when it reserves nothing.
    """

    def __init__(self, size=0, offset=0, low=0, high=False, cma=0, problem=None):
        self.size = size
        self.offset = offset
        self.low = low
        self.high = high
        self.cma = cma
        self.problem = problem

    @property
    def total(self):
        """Bytes /sys/kernel/kexec_crash_size reports: the main plus the low region."""
        return self.size + self.low

    def as_dict(self):
        return dict(size=self.size, offset=self.offset, low=self.low, high=self.high,
                    cma=self.cma, total=self.total, problem=self.problem)


class _KernelReject(Exception):
    pass


def _k_strtoull(text, pos):
    """simple_strtoull(s, &end, 0): wraps modulo 2^64 like the kernel."""
    base = 10
    if text[pos:pos + 1] == "0":
        if text[pos + 1:pos + 2] in ("x", "X") and text[pos + 2:pos + 3] and \
                text[pos + 2] in "0123456789abcdefABCDEF":
            base = 16
            pos += 2
        else:
            base = 8
    value = 0
    while pos < len(text):
        char = text[pos].lower()
        if "0" <= char <= "9":
            digit = ord(char) - ord("0")
        elif "a" <= char <= "f":
            digit = ord(char) - ord("a") + 10
        else:
            break
        if digit >= base:
            break
        value = (value * base + digit) & U64_MAX
        pos += 1
    return value, pos


def _k_memparse(text, pos):
    """memparse(): number, then one optional unit letter (consumed even without digits)."""
    value, end = _k_strtoull(text, pos)
    shift = UNIT_SHIFT.get(text[end:end + 1].lower())
    if shift is not None:
        value = (value << shift) & U64_MAX
        end += 1
    return value, end


def _at(text, pos):
    return text[pos] if pos < len(text) else "\0"


def _k_parse_mem(text, pos, system_ram):
    """parse_crashkernel_mem()."""
    total = -(-system_ram // RAM_ROUNDING) * RAM_ROUNDING
    crash_size = 0
    crash_base = 0
    while True:
        start, tmp = _k_memparse(text, pos)
        if tmp == pos:
            raise _KernelReject("crashkernel: Memory value expected")
        pos = tmp
        if _at(text, pos) != "-":
            raise _KernelReject("crashkernel: '-' expected")
        pos += 1
        end = U64_MAX
        if _at(text, pos) != ":":
            end, tmp = _k_memparse(text, pos)
            if tmp == pos:
                raise _KernelReject("crashkernel: Memory value expected")
            pos = tmp
            if end <= start:
                raise _KernelReject("crashkernel: end <= start")
        if _at(text, pos) != ":":
            raise _KernelReject("crashkernel: ':' expected")
        pos += 1
        size, tmp = _k_memparse(text, pos)
        if tmp == pos:
            raise _KernelReject("crashkernel: Memory value expected")
        pos = tmp
        if size >= total:
            raise _KernelReject("crashkernel: invalid size")
        if start <= total < end:
            crash_size = size
            break
        more = _at(text, pos) == ","
        pos += 1
        if not more:
            break
    if crash_size > 0:
        while _at(text, pos) not in ("\0", " ", "@"):
            pos += 1
        if _at(text, pos) == "@":
            pos += 1
            crash_base, tmp = _k_memparse(text, pos)
            if tmp == pos:
                raise _KernelReject("crashkernel: Memory value expected after '@'")
    return crash_size, crash_base


def _k_parse_simple(text, pos):
    """parse_crashkernel_simple()."""
    size, cur = _k_memparse(text, pos)
    if cur == pos:
        raise _KernelReject("crashkernel: memory value expected")
    base = 0
    if _at(text, cur) == "@":
        base, cur = _k_memparse(text, cur + 1)
    elif _at(text, cur) not in (" ", "\0"):
        raise _KernelReject("crashkernel: unrecognized char: %s" % _at(text, cur))
    return size, base


def _k_parse_suffix(text, pos, suffix):
    """parse_crashkernel_suffix()."""
    size, cur = _k_memparse(text, pos)
    if cur == pos:
        raise _KernelReject("crashkernel: memory value expected")
    if not text.startswith(suffix, cur):
        raise _KernelReject("crashkernel: unrecognized char: %s" % _at(text, cur))
    cur += len(suffix)
    if _at(text, cur) not in (" ", "\0"):
        raise _KernelReject("crashkernel: unrecognized char: %s" % _at(text, cur))
    return size


_NAME = "crashkernel="
_SUFFIX_TEXT = {"high": ",high", "low": ",low", "cma": ",cma"}


def _last_crashkernel(cmdline, suffix):
    """get_last_crashkernel(): index of the value of the last matching entry, or None.

    Like the kernel, it finds 'crashkernel=' anywhere (even inside another
    word) and classifies an entry by how its space-delimited token ends.
    """
    found = None
    pos = cmdline.find(_NAME)
    while pos != -1:
        end = cmdline.find(" ", pos)
        if end == -1:
            end = len(cmdline)
        token = cmdline[pos:end]
        if suffix is None:
            if not any(token.endswith(s) for s in _SUFFIX_TEXT.values()):
                found = pos
        elif token.endswith(_SUFFIX_TEXT[suffix]):
            found = pos
        pos = cmdline.find(_NAME, pos + 1)
    return None if found is None else found + len(_NAME)


def _k_parse_class(cmdline, system_ram, suffix):
    """__parse_crashkernel(): (size, base), None when absent, or _KernelReject."""
    pos = _last_crashkernel(cmdline, suffix)
    if pos is None:
        return None
    if suffix is not None:
        return _k_parse_suffix(cmdline, pos, _SUFFIX_TEXT[suffix]), 0
    colon = cmdline.find(":", pos)
    space = cmdline.find(" ", pos)
    if colon != -1 and (space == -1 or colon < space):
        return _k_parse_mem(cmdline, pos, system_ram)
    return _k_parse_simple(cmdline, pos)


def effective_settings(cmdline):
    """The text of the ``crashkernel=`` entry the kernel uses in each class.

    Returns a dict with keys ``plain``, ``high``, ``low``, ``cma``; a value is
    None when the command line has no entry of that class. The last entry of
    each class wins.
    """
    cmdline = cmdline.rstrip("\n")  # /proc/cmdline ends with one; the kernel's copy does not
    result = {}
    for key, suffix in (("plain", None), ("high", "high"), ("low", "low"), ("cma", "cma")):
        pos = _last_crashkernel(cmdline, suffix)
        if pos is None:
            result[key] = None
        else:
            end = cmdline.find(" ", pos)
            result[key] = cmdline[pos:] if end == -1 else cmdline[pos:end]
    return result


def evaluate_cmdline(cmdline, ram_bytes, arch="x86_64"):
    """What the kernel reserves when booted with ``cmdline`` on ``ram_bytes`` of RAM.

    Follows parse_crashkernel() for ``arch``; placement (whether the memory is
    free at boot) is not modelled. ``auto`` (RHEL 7/8 only) is not evaluated:
    it comes back with a ``problem``.
    """
    arch = normalize_arch(arch)
    cmdline = cmdline.rstrip("\n")  # as read from /proc/cmdline
    generic = arch in HIGH_LOW_ARCHES
    result = Reservation()
    try:
        plain = _k_parse_class(cmdline, ram_bytes, None)
        if plain is not None:
            result.size, result.offset = plain
        elif generic:
            high = _k_parse_class(cmdline, 0, "high")
            if high is None or high[0] == 0:
                raise _KernelReject("no crashkernel= on the command line" if high is None
                                    else "crashkernel: ,high size is zero")
            result.size, result.high = high[0], True
            low = _k_parse_class(cmdline, 0, "low")
            result.low = DEFAULT_LOW_SIZE.get(arch, GENERIC_LOW_SIZE) if low is None else low[0]
        else:
            raise _KernelReject("no crashkernel= on the command line")
        if arch in CMA_ARCHES:
            try:
                cma = _k_parse_class(cmdline, 0, "cma")
            except _KernelReject:
                cma = None  # the kernel ignores a bad ,cma
            result.cma = cma[0] if cma else 0
        if result.size == 0:
            raise _KernelReject("crashkernel size resulted in zero bytes")
        if result.size >= ram_bytes:
            raise _KernelReject("crashkernel: size not below System RAM")
    except _KernelReject as exc:
        return Reservation(problem=str(exc))
    return result


# --------------------------------------------------------------------------
# crashkernel=auto as RHEL 7 and 8 kernels expand it (the distributions'
# own defaults are in _distro_defaults).
# --------------------------------------------------------------------------

# RHEL 8 kernels' built-in expansion of crashkernel=auto (quoted in the LKML
# RFC "crashkernel=auto" and the 2022 post "What's Wrong with crashkernel=auto").
RHEL8_AUTO = {
    "x86_64": "1G-4G:160M,4G-64G:192M,64G-1T:256M,1T-:512M",
    "s390x": "1G-4G:160M,4G-64G:192M,64G-1T:256M,1T-:512M",
    "aarch64": "2G-:448M",
    "ppc64le": "2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G",
}

# RHEL 7 crashkernel=auto on x86_64/s390x: "160 MB + 2 bits for every 4 KB of
# RAM", only on hosts with at least 2 GiB (RHEL 7 Kernel Crash Dump Guide,
# "Supported kdump configurations and targets", memory thresholds).
RHEL7_AUTO_BASE = 160 * MIB
RHEL7_AUTO_THRESHOLD = 2 * GIB
RHEL7_AUTO_ARCHES = ("x86_64", "s390x")


def auto_size(ram_bytes, arch, rhel_major):
    """Bytes a RHEL 7 or 8 kernel reserves for crashkernel=auto."""
    arch = normalize_arch(arch)
    if rhel_major == 7:
        if arch not in RHEL7_AUTO_ARCHES:
            raise CrashkernelError("no known crashkernel=auto formula for RHEL 7 on %s" % arch)
        if ram_bytes < RHEL7_AUTO_THRESHOLD:
            return 0
        # 2 bits per 4 KiB page = one byte per 16 KiB.
        return RHEL7_AUTO_BASE + ram_bytes // (16 * KIB)
    if rhel_major == 8:
        if arch not in RHEL8_AUTO:
            raise CrashkernelError("no known crashkernel=auto table for RHEL 8 on %s" % arch)
        try:
            return parse(RHEL8_AUTO[arch]).size_for(ram_bytes, arch)
        except CrashkernelError:
            # On small hosts the expanded table is invalid (e.g. 1T-:512M with
            # 512M of RAM): the kernel rejects it and reserves nothing.
            return 0
    raise CrashkernelError("crashkernel=auto exists only on RHEL 7 and 8, not %r" % (rhel_major,))


def reserved_after_boot(cmdline, ram_bytes, arch, kernel_release):
    """Bytes a ``kernel_release`` kernel reserves when booted with ``cmdline`` on ``ram_bytes`` of RAM.

    The kernel-exact reader, and crashkernel=auto where it is the plain entry the kernel uses
    (``effective_settings``): RHEL 7 and 8 kernels expand it (``auto_size``), others reserve nothing.
    """
    if effective_settings(cmdline)["plain"] == "auto":
        if not kernel_supports_auto(kernel_release):
            return 0
        return auto_size(ram_bytes, arch, auto_rhel_major(kernel_release))
    return evaluate_cmdline(cmdline, ram_bytes, arch).total
