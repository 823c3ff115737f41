# Harness-only callback (not part of the collection): at the end of each playbook, print the
# tasks that took longest, so the cost of a scenario can be read from its log.
# On stderr: scenarios run nested ansible and ansible-playbook commands (they inherit molecule's
# ansible.cfg) and parse their stdout, which must stay exactly what the stdout callback wrote.

import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: task_times
type: aggregate
short_description: print the slowest tasks of a playbook run
description: Wall-clock seconds per task (all hosts together), the ten slowest, at the end of the run.
requirements: [enabled in tests/vm/molecule/config.yml]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._started = time.monotonic()
        self._current = None
        self._times = []

    def _close(self):
        if self._current:
            name, start = self._current
            self._times.append((time.monotonic() - start, name))
            self._current = None

    def _open(self, task):
        self._close()
        self._current = (task.get_name(), time.monotonic())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._open(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._open(task)

    def v2_playbook_on_stats(self, stats):
        self._close()
        total = time.monotonic() - self._started
        self._display.display("TASK TIMES (%.0fs in all; slowest first):" % total, stderr=True)
        for seconds, name in sorted(self._times, reverse=True)[:10]:
            self._display.display("  %6.1fs  %s" % (seconds, name), stderr=True)
