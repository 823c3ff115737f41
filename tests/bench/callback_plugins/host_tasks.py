"""Count, per play run, the tasks that reached the managed host (make bench).

Writes {"touched": [...], "local": n, "skipped": n, "changed": n} to $BENCH_TASKS_OUT at the end.
A task "touches" the host when it ran a module there: not skipped, not delegated to localhost,
and not one of the controller-only actions.
"""

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: host_tasks
type: aggregate
short_description: count the tasks that reached the managed host
description: Used by crashdump.kdump's make bench only.
"""

CONTROLLER_ONLY = {
    "set_fact", "debug", "assert", "fail", "meta", "include_role", "import_role", "include_tasks",
    "import_tasks", "add_host", "group_by", "validate_argument_spec", "pause", "set_stats",
}


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "host_tasks"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.touched, self.local, self.skipped, self.changed = [], 0, 0, 0

    def _record(self, result):
        task = result._task
        action = task.action.rsplit(".", 1)[-1]
        if result._result.get("changed"):
            self.changed += 1
        if action in CONTROLLER_ONLY or task.delegate_to in ("localhost", "127.0.0.1"):
            self.local += 1
        else:
            self.touched.append("%s (%s)" % (task.get_name(), task.action))

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result)

    def v2_runner_on_skipped(self, result):
        self.skipped += 1

    def v2_playbook_on_stats(self, stats):
        out = os.environ.get("BENCH_TASKS_OUT")
        if out:
            with open(out, "w", encoding="utf-8") as f:
                json.dump(dict(touched=self.touched, local=self.local, skipped=self.skipped,
                               changed=self.changed), f, indent=1)
