"""Each handler on its own: a fake context and the SDK calls recorded (no engine, no pip install).

Run from the project root: ``python3 -m unittest``.
"""

import importlib.util
import os
import sys
import unittest
from unittest import mock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The motia module the binary carries, written by `motia create`, `motia install` and `motia dev`.
sys.path.insert(0, os.path.join(ROOT, ".motia", "python"))

from motia import FlowContext, MotiaHttpArgs, TriggerInfo  # noqa: E402


def load_step(rel):
    """A step file imported by path, as the engine imports it."""
    spec = importlib.util.spec_from_file_location("step_" + rel.replace("/", "_")[:-3], os.path.join(ROOT, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_context(kind):
    return FlowContext(trace_id="test-trace", trigger=TriggerInfo(type=kind))


class FakeState:
    """``stateManager`` in memory."""

    def __init__(self):
        self.groups = {}

    def set(self, group, key, value):
        old = self.groups.setdefault(group, {}).get(key)
        self.groups[group][key] = value
        return {"old_value": old, "new_value": value}

    def get(self, group, key):
        return self.groups.get(group, {}).get(key)

    def list(self, group):
        return list(self.groups.get(group, {}).values())


class FakeStream(FakeState):
    pass


class CreateTaskTest(unittest.TestCase):
    def setUp(self):
        self.step = load_step("steps/tasks/create_task_step.py")

    def test_accepts_a_task_and_enqueues_it(self):
        sent = []
        with mock.patch.object(self.step, "enqueue", sent.append):
            res = self.step.handler(MotiaHttpArgs(method="POST", body={"title": " write docs "}), fake_context("http"))
        self.assertEqual(res.status, 202)
        self.assertEqual(sent, [{"topic": "task.created", "data": {"id": res.body["id"], "title": "write docs", "done": False}}])

    def test_refuses_a_blank_title(self):
        sent = []
        with mock.patch.object(self.step, "enqueue", sent.append):
            res = self.step.handler(MotiaHttpArgs(method="POST", body={"title": "  "}), fake_context("http"))
        self.assertEqual((res.status, sent), (400, []))


class StoreTaskTest(unittest.TestCase):
    def test_writes_state_and_the_live_feed(self):
        step = load_step("steps/tasks/store_task_step.py")
        state, feed = FakeState(), FakeStream()
        task = {"id": "t1", "title": "ship it", "done": False}
        with mock.patch.object(step, "stateManager", state), mock.patch.object(step, "feed", feed):
            step.handler(task, fake_context("queue"))
        self.assertEqual(state.get("tasks", "t1"), task)
        self.assertEqual(feed.get("all", "t1"), task)


class DailyDigestTest(unittest.TestCase):
    def test_counts_open_tasks(self):
        step = load_step("steps/daily_digest_step.py")
        state = FakeState()
        state.set("tasks", "a", {"id": "a", "title": "a", "done": False})
        state.set("tasks", "b", {"id": "b", "title": "b", "done": True})
        with mock.patch.object(step, "stateManager", state):
            self.assertEqual(step.handler(None, fake_context("cron")), 1)


if __name__ == "__main__":
    unittest.main()
