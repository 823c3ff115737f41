# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A host for the bootloader backends that answers from recorded outputs (the shape of _io.Host)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import subprocess


class FakeFacts(object):
    def __init__(self, family, arch="x86_64", distribution="", version="", kernel_release=""):
        self.family, self.arch = family, arch
        self.distribution, self.version, self.kernel_release = distribution, version, kernel_release


class FakeHost(object):
    def __init__(self, files=None, tools=(), outputs=None, shell=None):
        self.files = dict(files or {})
        self.tools = set(tools)
        self.outputs = dict(outputs or {})   # tuple(argv) -> stdout
        self.shell = shell                   # e.g. "bash": /bin/sh commands really run, as that shell
        self.ran = []

    def read_text(self, path):
        return self.files.get(path)

    def exists(self, path):
        return path in self.files

    def isdir(self, path):
        return any(name.startswith(path + "/") for name in self.files)

    def listdir(self, path):
        return sorted(name[len(path) + 1:] for name in self.files if name.startswith(path + "/"))

    def glob(self, pattern):
        return sorted(name for name in self.files if fnmatch.fnmatch(name, pattern))

    def which(self, name, required=False):
        if name in self.tools:
            return "/usr/sbin/" + name
        if required:
            raise AssertionError("required tool %s missing" % name)
        return None

    def run(self, argv, check=True, data=None):
        self.ran.append(list(argv))
        if self.shell and argv[0] == "/bin/sh" and tuple(argv) not in self.outputs:
            done = subprocess.run([self.shell] + list(argv[1:]), input=data or b"", stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, check=check)
            return done.returncode, done.stdout.decode(), done.stderr.decode()
        return 0, self.outputs[tuple(argv)], ""
