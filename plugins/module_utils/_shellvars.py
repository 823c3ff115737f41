# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read and edit files of shell variable assignments.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Pure logic, no I/O; Python 2.7 and 3.6+. Files like ``/etc/default/grub``,
``/etc/sysconfig/kdump`` and ``/etc/default/kdump-tools`` are sourced by a
shell. We edit only the assignments we must, and keep every other byte
(comments, blank lines, other variables, the quoting style of the line we
touch, a missing final newline).

``NAME=value`` and ``NAME+=value`` (bash's append; ``/etc/default/grub`` is
edited here only on the Red Hat family and SUSE, where ``/bin/sh`` is bash) at
the start of a line are understood. The file is read as the shell reads it:
quotes (a ``#`` inside them starts no comment), backslashes, comments, lines
inside a multi-line quoted value and here-document bodies (which assign
nothing). What we refuse to edit, with a
``ShellVarError`` naming the file, the line and the way out: a variable we
manage whose value holds a command substitution (``$(...)`` or backticks) or
refers to another variable, spans several lines, mixes quoting styles, ends in
a carriage return (CRLF line endings), is followed by more shell code on the
same line, sits inside an ``if``/``case``/loop block, or is assigned anywhere
else or used in a form we do not follow (two assignments on one line, ``if ...;
then NAME=...``, ``${NAME:=...}``, ``readonly``/``unset``/``eval``, a here-document
that mentions it). Such a value cannot be rewritten safely, and its effective
content cannot be known without running the file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._secrets import shown

CRASHKERNEL = "crashkernel="

_ASSIGNMENT = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
# Words that open and close compound commands at the start of a line.
_BLOCK_OPEN = re.compile(r"^\s*(?:if|case|for|while|until|select)\b|^\s*\{\s*$|^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(\)\s*\{")
_BLOCK_CLOSE = re.compile(r"^\s*(?:fi|esac|done|\})(?:\s|;|$)")
# Characters a value we write may hold without any escaping inside "..." or '...'.
# \Z, not $: Python's $ also matches before a final newline.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.,:@=+/%-]*( [A-Za-z0-9_.,:@=+/%-]+)*\Z")
_UNQUOTED_OK = re.compile(r"^[A-Za-z0-9_.,:@=+/%-]*\Z")
_WORD_END = " \t\n;&|<>()"


class ShellVarError(ValueError):
    """A shell variable file cannot be read or edited safely (the message names the file and line)."""


class _Assignment(object):
    """One ``NAME=value`` (or ``NAME+=value``) assignment, located by offsets into the text."""

    def __init__(self, name, line, start, vstart, vend, end, append=False, nested=False):
        self.name = name
        self.append = append      # NAME+=value
        self.nested = nested      # inside an if/case/loop/function block
        self.line = line          # 1-based line number, for messages
        self.start = start        # offset of the line
        self.vstart = vstart      # offset of the value
        self.vend = vend          # offset just past the value
        self.end = end            # offset just past the line (after its newline)
        self.raw = None           # the value as written
        self.rest = None          # what follows the value on its line
        self.kind = None          # '"', "'", '' (unquoted) or None (not editable)
        self.inner = None         # the text between the quotes
        self.problem = None       # why it cannot be edited, or None
        self.name_at = start      # offset of NAME

    def words(self):
        return _unquote(self.raw).split()


def _scan_word(text, pos):
    """Return (end, closed): the end of the shell word starting at ``pos``."""
    length = len(text)
    while pos < length:
        char = text[pos]
        if char in _WORD_END:
            return pos, True
        if char == "\\":
            pos += 2
            continue
        if char in "\"'":
            close = pos + 1
            while close < length and text[close] != char:
                if char == '"' and text[close] == "\\":
                    close += 1
                close += 1
            if close >= length:
                return length, False
            pos = close + 1
            continue
        pos += 1
    return min(pos, length), True


def _lex(text):
    """Read ``text`` as the shell does, for where commands and comments are.

    Returns ``(line_starts, masked)``: the offsets of the lines that start in plain code (not inside
    a quoted value, after a backslash-newline, or in a here-document body), and ``text`` with its
    comments blanked (newlines kept). A ``#`` starts a comment only at the start of a word, outside
    quotes (POSIX, Shell Command Language 2.3). Quoted text and here-document bodies are kept in
    ``masked``, so a variable named there is still seen.
    """
    length = len(text)
    masked = list(text)
    line_starts = set()
    heredocs = []                     # (delimiter, strip leading tabs) waiting for the next newline
    pos = 0
    word_start = True
    at_line = True
    while pos < length:
        if at_line:
            line_starts.add(pos)
            at_line = False
        char = text[pos]
        if char == "\n":
            pos += 1
            for delimiter, strip_tabs in heredocs:
                while pos < length:
                    newline = text.find("\n", pos)
                    end = length if newline < 0 else newline
                    body_line = text[pos:end]
                    pos = end + 1
                    if (body_line.lstrip("\t") if strip_tabs else body_line) == delimiter:
                        break
            heredocs = []
            word_start = at_line = True
        elif char == "#" and word_start:
            newline = text.find("\n", pos)
            end = length if newline < 0 else newline
            masked[pos:end] = " " * (end - pos)
            pos = end
        elif char == "\\":
            pos += 2                  # an escaped character, or a line continuation
            word_start = False
        elif char in "'\"`":
            pos = _quote_end(text, pos)
            word_start = False
        elif text.startswith("<<", pos) and not text.startswith("<<<", pos):
            start = pos + 2
            strip_tabs = text.startswith("-", start)
            start += 1 if strip_tabs else 0
            while start < length and text[start] in " \t":
                start += 1
            end = _scan_word(text, start)[0]
            heredocs.append((_unquote(text[start:end]), strip_tabs))
            pos = max(end, pos + 2)
            word_start = True
        else:
            word_start = char in " \t;&|()<>"
            pos += 1
    return line_starts, "".join(masked)


def _quote_end(text, pos):
    """The offset just past the quoted text that starts at ``pos`` ('...', "..." or `...`)."""
    quote = text[pos]
    close = pos + 1
    while close < len(text) and text[close] != quote:
        if quote != "'" and text[close] == "\\":
            close += 1
        close += 1
    return min(close + 1, len(text))


def _unquote(raw):
    """The value of a shell word after quote removal (no expansion)."""
    out = []
    pos = 0
    length = len(raw)
    while pos < length:
        char = raw[pos]
        if char == "'":
            close = raw.find("'", pos + 1)
            close = length if close < 0 else close
            out.append(raw[pos + 1:close])
            pos = close + 1
        elif char == '"':
            pos += 1
            while pos < length and raw[pos] != '"':
                if raw[pos] == "\\" and pos + 1 < length and raw[pos + 1] in '$`"\\\n':
                    if raw[pos + 1] != "\n":
                        out.append(raw[pos + 1])
                    pos += 2
                    continue
                out.append(raw[pos])
                pos += 1
            pos += 1
        elif char == "\\" and pos + 1 < length:
            if raw[pos + 1] != "\n":
                out.append(raw[pos + 1])
            pos += 2
        else:
            out.append(char)
            pos += 1
    return "".join(out)


def _refers_to_others(assignment, raw):
    """True when the value expands a variable other than itself ($NAME, ${NAME}, $1, ...)."""
    for match in re.finditer(r"\$(\{)?([A-Za-z_][A-Za-z0-9_]*|.)", raw):
        if match.group(2) != assignment.name or (match.group(1) and not raw[match.end():].startswith("}")):
            return True
    return False


def _expansion_problem(assignment, raw):
    """Why the value of ``raw`` cannot be known without running the file: a command, or another variable."""
    if "$(" in raw or "`" in raw:
        return "its value runs a command ($(...) or backticks)"
    if "$" in raw and _refers_to_others(assignment, raw):
        return "its value refers to another variable, whose value cannot be seen without running the file"
    return None


def _classify(assignment, text):
    raw = text[assignment.vstart:assignment.vend]
    assignment.raw = raw
    assignment.rest = text[assignment.vend:assignment.end]
    expansion = _expansion_problem(assignment, raw)
    if "\r" in text[assignment.start:assignment.end]:
        assignment.problem = ("the line ends with a carriage return (CRLF line endings); convert the file "
                              "to Unix line endings, for example with dos2unix")
    elif expansion:
        assignment.problem = expansion
    elif "\n" in raw:
        assignment.problem = "its value spans several lines"
    elif assignment.rest.strip() and not assignment.rest.strip().startswith("#"):
        assignment.problem = "more shell code follows the value on the same line"
    elif len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'" and raw[0] not in raw[1:-1]:
        assignment.kind = raw[0]
        assignment.inner = raw[1:-1]
    elif not any(char in raw for char in "\"'\\"):
        assignment.kind = ""
        assignment.inner = raw
    else:
        assignment.problem = "its value mixes quoting styles or escapes"


def parse_assignments(text):
    """Every ``NAME=value`` or ``NAME+=value`` assignment at the start of a line, in file order."""
    assignments = []
    pos = 0
    line = 1
    depth = 0
    length = len(text)
    line_starts = _lex(text)[0]
    while pos < length:
        newline = text.find("\n", pos)
        line_end = length if newline < 0 else newline + 1
        if pos not in line_starts:     # inside a quoted value or a here-document
            pos = line_end
            line += 1
            continue
        match = _ASSIGNMENT.match(text, pos, line_end)
        if match is None:
            code = text[pos:line_end]
            if _BLOCK_CLOSE.match(code):
                depth = max(0, depth - 1)
            elif _BLOCK_OPEN.match(code) and not re.search(r"\b(?:fi|esac|done)\s*(?:;|#|$)|\}\s*$", code.strip()[1:]):
                depth += 1
            pos = line_end
            line += 1
            continue
        vstart = match.end()
        vend, closed = _scan_word(text, vstart)
        newline = text.find("\n", vend)
        end = length if newline < 0 else newline + 1
        assignment = _Assignment(match.group(1), line, pos, vstart, vend, end,
                                 append=bool(match.group(2)), nested=depth > 0)
        assignment.name_at = match.start(1)
        _classify(assignment, text)
        assignment.closed = closed
        if not closed:
            assignment.problem = "its quoted value is never closed"
        assignments.append(assignment)
        line += text.count("\n", pos, end)
        pos = end
    return assignments


def get_var(text, name):
    """The value of ``name`` after its assignments (``+=`` appends), quotes removed, or None."""
    value = None
    for assignment in parse_assignments(text):
        if assignment.name == name:
            if assignment.append:
                value = (value or "") + _unquote(assignment.raw)
            else:
                value = _unquote(assignment.raw)
    return value


def _check_safe(value, what):
    if not _SAFE_VALUE.match(value):
        raise ShellVarError(
            "refusing to write %s: %s holds characters that would need shell quoting" % (what, shown(what, value)))


def _remove_crashkernel_words(inner):
    """``inner`` without its crashkernel= words; other bytes kept where possible."""
    pieces = re.split(r"(\s+)", inner)
    out = []
    skip_space = False
    for index, piece in enumerate(pieces):
        if index % 2:                      # whitespace
            if skip_space:
                skip_space = False
                continue
            out.append(piece)
        elif piece.startswith(CRASHKERNEL):
            if out and out[-1].isspace():
                out.pop()
            else:
                skip_space = True
        else:
            skip_space = False
            out.append(piece)
    return "".join(out)


def _append_words(inner, words, append=False):
    """``inner`` with ``words`` added at its end. ``append``: the value of a ``NAME+=`` line, which
    the shell glues to the value before it, so it must start with a space to add separate words."""
    if not words:
        return inner
    body = inner.rstrip()
    trailing = inner[len(body):]
    joined = " ".join(words)
    return (body + " " + joined if body or append else joined) + trailing


def _render(assignment, inner):
    kind = assignment.kind
    if kind == "" and not _UNQUOTED_OK.match(inner):
        kind = '"'
    return kind + inner + kind


_WAY_OUT = ("make it a plain %s=\"...\" line of its own, outside any if/case block, "
            "without other variables or commands in its value")


def _check_editable(assignments, path):
    """Refuse (ShellVarError) to edit any of ``assignments`` that cannot be rewritten safely."""
    for assignment in assignments:
        problem = assignment.problem
        if problem is None and assignment.nested:
            problem = "it is inside an if/case/loop block, so whether it applies depends on the shell"
        if problem:
            raise ShellVarError("cannot safely edit %s line %d (%s%s=...): %s; %s" % (
                path, assignment.line, assignment.name, "+" if assignment.append else "", problem,
                _WAY_OUT % assignment.name))


def _hidden_mention(text, assignments, names):
    """``(name, line)`` of the first place ``names`` are assigned, or may be, outside ``assignments``.

    ``A=1 NAME=...``, ``if ...; then NAME=...; fi``, ``: ${NAME:=...}``, ``readonly NAME``,
    ``eval "NAME=..."`` or a here-document that names it set the variable in ways a line reader does
    not follow. Reading it (``$NAME``, ``${NAME}``) is fine; comments are not code, but quoted text is
    looked at too. None when there is no such place."""
    accepted = set(a.name_at for a in assignments)
    masked = _lex(text)[1]
    mention = re.compile(r"(?<![A-Za-z0-9_])(%s)(?![A-Za-z0-9_])" % "|".join(re.escape(n) for n in sorted(names)))
    for match in mention.finditer(masked):
        start, end = match.span()
        if start in accepted:
            continue
        if masked[start - 1:start] == "$" or (masked[start - 2:start] == "${" and masked[end:end + 1] == "}"):
            continue
        return match.group(1), text.count("\n", 0, start) + 1
    return None


_HIDDEN_FORMS = ("after another assignment or command on the same line, inside if ...; then, ${%s:=...}, "
                 "readonly, unset, eval or a here-document")


def _check_no_hidden_assignments(text, assignments, names, path):
    """Refuse when ``names`` are assigned, or may be, anywhere but in ``assignments``: the edit would then
    be wrong (for example a fresh ``NAME="crashkernel=..."`` line that drops the other boot arguments)."""
    hidden = _hidden_mention(text, assignments, names)
    if hidden:
        name, line = hidden
        raise ShellVarError("cannot safely edit %s line %d: %s is assigned or used there in a form this editor "
                            "does not follow (%s); %s" % (path, line, name, _HIDDEN_FORMS % name, _WAY_OUT % name))


def read_var(text, name):
    """``(value, doubt)``: the value the shell holds in ``name`` after sourcing ``text`` (None when unset),
    and None as the doubt when that is certain, else why the shell may hold another value.

    For decisions that must match what the kdump service sees when it sources the file: a caller
    that gets a doubt says it cannot tell, rather than act on a value the shell may not have.
    Self-references (``NAME="$NAME x"``) are expanded; anything else that needs running the file is a doubt."""
    assignments = parse_assignments(text)
    hidden = _hidden_mention(text, assignments, [name])
    if hidden:
        return get_var(text, name), "line %d sets or may set %s in a form read only by running the file (%s)" % (
            hidden[1], name, _HIDDEN_FORMS % name)
    value = None
    self_reference = re.compile(r"\$(?:\{%s\}|%s(?![A-Za-z0-9_]))" % (name, name))
    for assignment in assignments:
        if assignment.name != name:
            continue
        problem = _read_problem(assignment)
        if problem:
            return get_var(text, name), "line %d (%s%s=...): %s" % (
                assignment.line, name, "+" if assignment.append else "", problem)
        value = self_reference.sub(lambda _match, before=value: before or "", _unquote(assignment.raw))
    return value, None


def _read_problem(assignment):
    """Why the shell may read another value than quote removal gives; quotes of any style, escapes
    and values over several lines are read exactly (``_unquote``)."""
    raw = assignment.raw
    if assignment.append:
        return "+= appends in bash only; dash, which sources this file on Debian, stops at that line"
    if "$" in raw and ("'" in raw or "\\$" in raw):
        return "its value holds a $ that quoting may keep literal"
    expansion = _expansion_problem(assignment, raw)
    if expansion:
        return expansion
    if not assignment.closed:
        return "its quoted value is never closed"
    if "\r" in raw + assignment.rest:
        return "the line ends with a carriage return (CRLF line endings), which the shell keeps in the value"
    if assignment.rest.strip() and not assignment.rest.strip().startswith("#"):
        return "more shell code follows the value on the same line"
    if assignment.nested:
        return "it is inside an if/case/loop block, so whether it applies depends on the shell"
    return None


def _splice(text, edits):
    """Apply ``[(start, end, replacement)]`` (non-overlapping) to ``text``."""
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _append_line(text, line):
    if text and not text.endswith("\n"):
        text += "\n"
    return text + line + "\n"


def set_crashkernel(text, desired, target="GRUB_CMDLINE_LINUX",
                    strip=("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"), path="/etc/default/grub"):
    """Return ``text`` with exactly the ``desired`` crashkernel= tokens, in ``target``.

    A file that already holds the desired tokens (once, in order) in the last
    assignment of one of the managed variables (``target`` and ``strip``), and
    no crashkernel= anywhere else in them, is returned unchanged, byte for
    byte: the effective command line is already right. Otherwise every
    crashkernel= word is removed from every assignment of the ``strip``
    variables and of ``target``, and the desired tokens are appended to the
    last assignment of ``target`` (keeping its quoting), or a new
    ``target="..."`` line is added at the end when there is none. ``path``
    names the file in errors.
    """
    desired = list(desired)
    for token in desired:
        if not token.startswith(CRASHKERNEL):
            raise ShellVarError("not a crashkernel= token: %r" % (token,))
        _check_safe(token, "the boot argument")
    managed = set(strip) | set([target])
    assignments = [a for a in parse_assignments(text) if a.name in managed]
    _check_editable(assignments, path)
    _check_no_hidden_assignments(text, assignments, managed, path)

    last = {}
    for assignment in assignments:
        last[assignment.name] = assignment
    holders = [a for a in assignments if [w for w in a.words() if w.startswith(CRASHKERNEL)]]
    if not holders and not desired:
        return text
    if (len(holders) == 1 and last.get(holders[0].name) is holders[0]
            and [w for w in holders[0].words() if w.startswith(CRASHKERNEL)] == desired):
        return text

    target_last = last.get(target)
    edits = []
    for assignment in assignments:
        if assignment.append and assignment.inner[:1] not in ("", " ", "\t") and assignment.inner.startswith(CRASHKERNEL):
            raise ShellVarError("cannot safely edit %s line %d (%s+=...): its value starts with crashkernel= "
                                "glued to the value before it (bash reads the two as one word); %s" % (
                                    path, assignment.line, assignment.name, _WAY_OUT % assignment.name))
        inner = _remove_crashkernel_words(assignment.inner)
        if assignment is target_last:
            inner = _append_words(inner, desired, append=assignment.append)
        if inner != assignment.inner:
            edits.append((assignment.vstart, assignment.vend, _render(assignment, inner)))
    text = _splice(text, edits)
    if target_last is None and desired:
        text = _append_line(text, '%s="%s"' % (target, " ".join(desired)))
    return text


def set_var(text, name, value, path="the shell variable file"):
    """Return ``text`` with the last assignment of ``name`` set to ``value``.

    The line keeps its quoting (an unquoted value that now needs quotes gets
    double quotes); a missing variable is appended as ``name="value"``. When the
    variable already holds that value (after quote removal) the text is returned
    unchanged.
    """
    _check_safe(value, name)
    assignments = [a for a in parse_assignments(text) if a.name == name]
    _check_no_hidden_assignments(text, assignments, [name], path)
    if any(a.append for a in assignments):
        raise ShellVarError("cannot safely edit %s line %d: %s+= appends to %s; %s" % (
            path, [a for a in assignments if a.append][0].line, name, name, _WAY_OUT % name))
    if assignments and _unquote(assignments[-1].raw) == value:
        return text
    if not assignments:
        return _append_line(text, '%s="%s"' % (name, value))
    last = assignments[-1]
    _check_editable([last], path)
    return _splice(text, [(last.vstart, last.vend, _render(last, value))])


def unset_var(text, name, path="the shell variable file"):
    """Return ``text`` without any assignment of ``name`` (whole lines removed).

    For settings that must not survive a change of option, such as kdump-tools'
    ``SSH=`` once the dump goes to the local disk. A file without the variable
    comes back unchanged.
    """
    assignments = [a for a in parse_assignments(text) if a.name == name]
    _check_no_hidden_assignments(text, assignments, [name], path)
    if not assignments:
        return text
    for assignment in assignments:
        rest = (assignment.rest or "").strip()
        if assignment.nested or (rest and not rest.startswith("#")):
            # Removing the line would take the block's logic or the other command with it.
            _check_editable([assignment], path)
    return _splice(text, [(a.start, a.end, "") for a in assignments])
