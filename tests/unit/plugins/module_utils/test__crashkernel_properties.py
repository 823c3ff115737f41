# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad-input corpus and property-based tests of the crashkernel grammar.

The strict reader (parse + size_for) is checked against the kernel-exact
reader (evaluate_cmdline), which follows kernel/crash_reserve.c step by step:
where the strict reader accepts a value, the kernel must reserve the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given, settings, strategies as st  # noqa: E402

from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import (  # noqa: E402
    CrashkernelError,
    evaluate_cmdline,
    parse,
)

M, G = 1 << 20, 1 << 30

# An independent statement of the accepted grammar (DESIGN §4.1).
_NUM = r"(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[KMGTPEkmgtpe]?"
_RANGE = r"{n}-(?:{n})?:{n}".format(n=_NUM)
GRAMMAR = re.compile(
    r"auto|{n},(?:high|low|cma)|{n}(?:@{n})?|{r}(?:,{r})*(?:@{n})?".format(n=_NUM, r=_RANGE)
)

# (bad value, a fragment the message must contain)
BAD_INPUTS = [
    ("", "empty"),
    ("crashkernel=128M", "only what follows 'crashkernel='"),
    ("CRASHKERNEL=128M", "only what follows 'crashkernel='"),
    ("crashkernel=", "only what follows 'crashkernel='"),
    ("128M;reboot", "character ';'"),
    ("128M&&reboot", "character '&'"),
    ("$(reboot)", "character '$'"),
    ("`id`", "character '`'"),
    ("128M|cat", "character '|'"),
    ("128M>x", "character '>'"),
    ("128M\n", "character '\\n'"),
    ("128M\t", "character '\\t'"),
    (" 128M", "character ' ' at position 0"),
    ("128M ", "character ' ' at position 4"),
    ("128 M", "character ' '"),
    ("512M-2G: 64M", "character ' '"),
    ("128M\x00", "character '\\x00'"),
    (u"\uff11\uff12\uff18M", "character"),      # fullwidth digits
    (u"\u0661\u0662\u0668M", "character"),      # Arabic-Indic digits
    (u"128\uff2d", "character"),               # fullwidth M
    ("1.5G", "character '.'"),
    ("M", "expected size"),
    ("AUTO", "expected size"),
    ("auto@16M", "expected size"),
    ("-128M", "expected size"),
    ("128X", "unexpected 'X'"),
    ("128MB", "unexpected 'B'"),
    ("128MiB", "unexpected 'iB'"),
    ("0x", "unexpected 'x'"),
    ("08M", "unexpected '8M'"),
    ("0", "size of 0"),
    ("0M", "size of 0"),
    ("0,high", "size of 0"),
    ("99999999999999999999", "larger than 2^64-1"),
    ("18446744073709551616", "larger than 2^64-1"),
    ("16E", "larger than 2^64-1"),
    ("0x10000000000000000", "larger than 2^64-1"),
    ("2G-1G:64M", "ends at or before it starts"),
    ("1G-1G:64M", "ends at or before it starts"),
    ("0-0:64M", "ends at or before it starts"),
    ("512M-2G:", "expected size of the range"),
    ("512M-2G:64M,", "expected range start"),
    ("512M-2G:64M,,2G-:128M", "expected range start"),
    ("512M:64M", "expected '-' after the range start"),
    ("-2G:64M", "expected range start"),
    ("512M-2G64M:", "expected ':' between the range and its size"),
    ("512M-2G:64M,2G-:128M@", "expected offset after '@'"),
    ("512M-2G:64M;2G-:128M", "character ';'"),
    ("128M@", "expected offset after '@'"),
    ("128M@abc", "expected offset after '@'"),
    ("128M@16M@32M", "unexpected '@32M'"),
    ("128M,foo", "unknown suffix ',foo'"),
    ("128M,HIGH", "unknown suffix ',HIGH'"),
    ("128M,high,low", "unknown suffix ',high,low'"),
    ("128M@16M,high", "unexpected ',high'"),
    ("1,5G", "unknown suffix ',5G'"),
]


@pytest.mark.parametrize("value, fragment", BAD_INPUTS)
def test_bad_input_is_rejected_with_a_message_naming_the_problem(value, fragment):
    with pytest.raises(CrashkernelError) as err:
        parse(value)
    message = str(err.value)
    assert fragment in message
    assert repr(value) in message or "crashkernel" in message


def test_bad_corpus_is_large_enough():
    assert len(BAD_INPUTS) >= 40


@pytest.mark.parametrize("value", [None, 128, 1.5, ["128M"]])
def test_non_text_is_rejected(value):
    with pytest.raises(CrashkernelError):
        parse(value)


# --- generated values --------------------------------------------------------

UNITS = ["", "K", "M", "G", "T", "k", "m", "g", "t"]


@st.composite
def numbers(draw, low=0, high=1 << 44):
    """A memparse number text in a random notation and its value."""
    unit = draw(st.sampled_from(UNITS))
    shift = {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[unit.lower()]
    mantissa = draw(st.integers(min_value=(low + (1 << shift) - 1) >> shift, max_value=max(1, high >> shift)))
    style = draw(st.sampled_from(["dec", "hex", "oct"]))
    if style == "hex":
        digits = "0x%x" % mantissa
    elif style == "oct" and mantissa:
        digits = "0%o" % mantissa
    else:
        digits = "%d" % mantissa
    return digits + unit, mantissa << shift


def _notation(draw, value):
    """Write an exact byte count in a random unit and base."""
    units = [u for u, shift in (("", 0), ("K", 10), ("M", 20), ("G", 30)) if value % (1 << shift) == 0]
    unit = draw(st.sampled_from(units))
    mantissa = value >> {"": 0, "K": 10, "M": 20, "G": 30}[unit]
    style = draw(st.sampled_from(["%d", "0x%x", "0%o"]))
    if style == "0%o" and mantissa == 0:
        style = "%d"
    return (style % mantissa) + unit


@st.composite
def valid_values(draw):
    kind = draw(st.sampled_from(["size", "size", "ranges", "ranges", "ranges", "high", "low", "cma"]))
    if kind in ("high", "low", "cma"):
        text, value = draw(numbers(low=1 if kind != "low" else 0, high=1 << 36))
        return "%s,%s" % (text, kind)
    offset = ""
    if draw(st.booleans()):
        offset = "@" + draw(numbers(high=1 << 36))[0]
    if kind == "size":
        return draw(numbers(low=1, high=1 << 32))[0] + offset
    count = draw(st.integers(min_value=1, max_value=4))
    # Bounds on a 64 MiB grid up to 32 GiB, so that they straddle the RAM
    # sizes drawn below (and its 128 MiB rounding).
    steps = sorted(draw(st.lists(st.integers(min_value=0, max_value=512),
                                 min_size=count + 1, max_size=count + 1, unique=True)))
    entries = []
    for index in range(count):
        start = _notation(draw, steps[index] * 64 * M)
        open_end = index == count - 1 and draw(st.booleans())
        end = "" if open_end else _notation(draw, steps[index + 1] * 64 * M)
        size = draw(numbers(low=1, high=1 << 31))[0]
        entries.append("%s-%s:%s" % (start, end, size))
    return ",".join(entries) + offset


# Mostly machine-like sizes (1 MiB - 256 GiB), where ranges match; sometimes anything.
RAM = st.one_of(st.integers(min_value=1 << 20, max_value=1 << 35),
                st.integers(min_value=1, max_value=1 << 42))


def _strict(value, ram):
    """(size, offset) by the strict reader, or None where it refuses."""
    try:
        spec = parse(value)
        size = spec.size_for(ram)
    except CrashkernelError:
        return None
    return (size, spec.offset) if size else None


def _kernel(value, ram):
    res = evaluate_cmdline("crashkernel=" + value, ram)
    return (res.size, res.offset) if res.size else None


@settings(max_examples=400, deadline=None)
@given(valid_values())
def test_round_trip_keeps_the_meaning(value):
    spec = parse(value)
    assert parse(spec.format()) == spec
    assert parse(spec.format()).format() == spec.format()


@settings(max_examples=400, deadline=None)
@given(valid_values(), RAM)
def test_size_for_never_reaches_ram(value, ram):
    try:
        size = parse(value).size_for(ram)
    except CrashkernelError:
        return
    assert 0 <= size < ram


@settings(max_examples=1500, deadline=None)
@given(valid_values(), RAM)
@example("512M-2G:64M,2G-:128M", 4 * G)
@example("128M@16M", 4 * G)
@example("0-:210M", 200 * M)
def test_strict_reader_agrees_with_the_kernel(value, ram):
    strict = _strict(value, ram)
    if value.endswith((",low", ",cma")):
        assert strict is None
        return
    assert strict == _kernel(value, ram)


# Text built from the grammar's own characters, plus a few the grammar forbids.
ALPHABET = "0123456789xXabcdefKMGTPEkmgtpe-:,@hilowcmau ;"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=24), RAM)
@example("0x1E", 1 << 20)
@example("K-2G:64M", 1 * G)
def test_never_accepts_what_the_grammar_forbids(value, ram):
    try:
        spec = parse(value)
    except CrashkernelError:
        return
    assert GRAMMAR.fullmatch(value), value
    if spec.kind == "auto":
        return  # only RHEL 7/8 kernels read 'auto'; upstream rejects it
    strict = _strict(value, ram)
    if strict is not None:
        assert strict == _kernel(value, ram), (value, ram)
