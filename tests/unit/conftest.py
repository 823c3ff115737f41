# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures: recorded real samples (see fixtures/samples/SOURCES.md)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

SAMPLES = os.path.join(os.path.dirname(__file__), "fixtures", "samples")
CAPTURED = os.path.join(os.path.dirname(__file__), "fixtures", "captured")


def _reader(root):
    def read(path):
        with open(os.path.join(root, path)) as handle:
            return handle.read()
    return read


@pytest.fixture
def shared_sample():
    """Read one recorded sample by its path in the team's fixture pack (samples/SOURCES.md)."""
    return _reader(SAMPLES)


@pytest.fixture
def captured():
    """Read a file captured from the project's own VMs (captured/SOURCES.md)."""
    return _reader(CAPTURED)


@pytest.fixture(autouse=True)
def host_lock_path(tmp_path, monkeypatch):
    """Each test's modules lock a file of their own, never this machine's /run/crashdump-kdump/lock.

    Modules run inside the test process and exit by exception, so a lock they took is never
    released: a fresh path per test keeps one test's lock from blocking the next.
    """
    from ansible_collections.crashdump.kdump.plugins.module_utils import _io
    path = str(tmp_path / "crashdump-kdump.lock")
    monkeypatch.setattr(_io, "LOCK_PATH", path)
    return path
