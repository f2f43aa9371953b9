"""Unit tests of the motia Python SDK (no engine: frames are captured)."""

import asyncio
import json
import os
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import motia  # noqa: E402
from motia import _bridge, _invoke, _loader  # noqa: E402
from motia._model import AttrDict, attrify  # noqa: E402


class Engine:
    """Captures frames and answers calls with ``answers[(target, op)]``."""

    def __init__(self, answers=None):
        self.frames = []
        self.answers = answers or {}
        _bridge.configure(self.write)

    def write(self, data):
        msg = json.loads(data)
        self.frames.append(msg)
        if msg["type"] == "call":
            value = self.answers.get((msg["target"], msg.get("op")))
            threading.Timer(0.001, _bridge.on_reply, [{"type": "reply", "callId": msg["callId"], "ok": True,
                                                       "value": value}]).start()

    def calls(self):
        return [f for f in self.frames if f["type"] == "call"]


class SyncAsyncRule(unittest.TestCase):
    def test_sync_caller_gets_the_value(self):
        Engine({("state", "get"): {"a": 1}})
        self.assertEqual(motia.stateManager.get("g", "k"), {"a": 1})

    def test_coroutine_caller_gets_an_awaitable(self):
        Engine({("state", "get"): {"a": 2}})

        async def handler():
            pending = motia.stateManager.get("g", "k")
            self.assertTrue(hasattr(pending, "__await__"))
            return await pending

        self.assertEqual(asyncio.run(handler()), {"a": 2})

    def test_comprehension_in_a_coroutine_defers_to_the_coroutine(self):
        Engine({("state", "get"): 5})

        async def handler():
            return await asyncio.gather(*(motia.stateManager.get("g", str(i)) for i in range(3)))

        self.assertEqual(asyncio.run(handler()), [5, 5, 5])

    def test_legacy_state_set_returns_the_value(self):
        Engine({("state", "set"): {"old_value": None, "new_value": {"x": 1}}})
        self.assertEqual(motia.StateManager(legacy=True).set("g", "k", {"x": 1}), {"x": 1})
        self.assertEqual(motia.stateManager.set("g", "k", {"x": 1}), {"old_value": None, "new_value": {"x": 1}})

    def test_list_groups_reads_as_a_list_and_as_upstream_dict(self):
        Engine({("state", "listGroups"): ["a", "b"]})
        groups = motia.stateManager.list_groups()
        self.assertEqual(list(groups), ["a", "b"])
        self.assertEqual(groups["groups"], ["a", "b"])

    def test_enqueue_forms(self):
        e = Engine()
        motia.enqueue({"topic": "t", "data": 1, "messageGroupId": "g"})
        motia.enqueue("t2", {"x": 1})
        self.assertEqual([c["args"][0] for c in e.calls()],
                         [{"topic": "t", "data": 1, "messageGroupId": "g"}, {"topic": "t2", "data": {"x": 1}}])

    def test_calls_carry_the_invocation_origin(self):
        e = Engine()
        token = _bridge.current.set(_bridge.Invocation(1, "S", "trace1", "span1"))
        try:
            motia.enqueue({"topic": "t", "data": None})
        finally:
            _bridge.current.reset(token)
        self.assertEqual(e.calls()[0]["origin"], {"step": "S", "traceId": "trace1", "spanId": "span1"})

    def test_print_becomes_log_lines(self):
        e = Engine()
        out = motia._logging.PrintToLog()
        out.write("a\nb")
        out.flush()
        self.assertEqual([f["record"]["msg"] for f in e.frames if f["type"] == "log"], ["a", "b"])


class Signatures(unittest.TestCase):
    def test_arity_rule(self):
        ctx = object()
        self.assertEqual(_invoke.call_user(lambda i, c: (i, c), 1, ctx), (1, ctx))
        self.assertEqual(_invoke.call_user(lambda i: i, 1, ctx), 1)
        self.assertEqual(_invoke.call_user(lambda: 0, 1, ctx), 0)
        self.assertEqual(_invoke.call_user(lambda *a: a, 1, ctx), (1, ctx))
        self.assertIsNone(_invoke.call_user(lambda x: x, None, ctx, kind="cron"))

        def cron_ctx(ctx):
            return ctx

        self.assertIs(_invoke.call_user(cron_ctx, None, ctx, kind="cron"), ctx)
        self.assertIs(_invoke.call_user(lambda x: x, None, ctx, kind="cron", legacy=True), ctx)


class Models(unittest.TestCase):
    def test_api_response(self):
        r = motia.ApiResponse(status=201, body={"a": 1})
        self.assertEqual(r.model_dump(), {"status": 201, "body": {"a": 1}, "headers": {}})
        self.assertEqual(motia.ApiResponse(200, "x").body, "x")

    def test_subscriptable(self):
        self.assertIs(motia.ApiRequest[dict], motia.ApiRequest)
        self.assertIs(motia.Stream[dict], motia.Stream)
        self.assertIs(motia.FlowContext[dict], motia.FlowContext)

    def test_attrdict_both_namings(self):
        d = attrify({"group_id": "g", "streamName": "s", "event": {"type": "create"}})
        self.assertEqual((d.group_id, d.groupId, d.stream_name, d.event.type), ("g", "g", "s", "create"))
        self.assertIsInstance(d, AttrDict)

    def test_encode_response(self):
        self.assertEqual(_invoke.encode_response({"status": 200, "body": b"\x00"}),
                         {"status": 200, "bodyBytes": "AA=="})
        self.assertEqual(_invoke.encode_response(motia.ApiResponse(status=204, body="")),
                         {"status": 204, "body": ""})
        self.assertEqual(_invoke.encode_response({"status_code": 201, "body": "hi"})["status"], 201)
        self.assertEqual(_invoke.encode_response({"status": 200, "body": "<p>", "headers": {"Content-Type": "text/html"}}),
                         {"status": 200, "headers": {"Content-Type": "text/html"}, "bodyText": "<p>"})
        self.assertEqual(_invoke.encode_response({"status": 201, "body": {"a": 1}}), {"status": 201, "body": {"a": 1}})


class Configs(unittest.TestCase):
    def load(self, text):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x_step.py")
            with open(path, "w") as f:
                f.write(text)
            return _loader.load_step(path, d)

    def test_helpers_and_snake_case_to_engine_json(self):
        _, cfg = self.load(
            "from motia import http, queue\n"
            "config = {'name': 'A', 'triggers': [http('get', '/a', query_params=[{'name': 'q'}]),"
            " queue('t', config={'max_retries': 7, 'type': 'fifo'})], 'virtual_enqueues': ['v']}\n"
            "def handler(i, c): pass\n")
        self.assertEqual(cfg, {"name": "A", "triggers": [
            {"type": "http", "method": "GET", "path": "/a", "queryParams": [{"name": "q"}]},
            {"type": "queue", "topic": "t", "config": {"maxRetries": 7, "type": "fifo"}}],
            "virtualEnqueues": ["v"]})

    def test_legacy_dict(self):
        step, cfg = self.load("config = {'type': 'event', 'name': 'E', 'subscribes': ['a'], 'emits': ['b']}\n"
                              "async def handler(i, c): pass\n")
        self.assertTrue(step.legacy)
        self.assertEqual(cfg, {"name": "E", "type": "event", "subscribes": ["a"], "emits": ["b"]})

    def test_syntax_error_has_its_line(self):
        with self.assertRaises(_loader.LoadError) as e:
            self.load("x = 1\ny = (\n")
        self.assertEqual(e.exception.line, 2)

    def test_stream_names_from_sources(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "s_step.py")
            with open(p, "w") as f:
                f.write("s = Stream[dict]('orders')\nasync def h(i, ctx): await ctx.streams.todo.get('a','b')\n")
            self.assertIn("orders", _loader.stream_names([p]))
            self.assertIn("todo", _loader.stream_names([p]))


class FrameQueues(unittest.TestCase):
    """With a loop attached, the frames of one loop turn leave together, in the order made."""

    def setUp(self):
        self.writes = []
        _bridge.configure(self.writes.append)
        self.loop = asyncio.new_event_loop()
        _bridge.attach_loop(self.loop)

    def tearDown(self):
        _bridge._t.loop = None
        _bridge._t.loop_thread = None
        self.loop.close()

    def lines(self):
        return b"".join(self.writes).decode().splitlines()

    def test_one_write_per_turn_in_order_with_other_threads_frames(self):
        async def turn():
            _bridge.send({"type": "log", "n": 1})
            _bridge.reply_on_loop(7, 200, {"ok": "é"})
            _bridge.send_reply(8, 201, {"b": 2})
            t = threading.Thread(target=_bridge.send, args=({"type": "log", "n": 2},))
            t.start()
            t.join()
            self.assertEqual(self.writes, [])  # nothing written before the turn ends
            await asyncio.sleep(0)

        self.loop.run_until_complete(turn())
        self.assertEqual(len(self.writes), 1)
        self.assertEqual(self.lines(), ['{"type":"log","n":1}', 'R7 200 {"ok":"é"}', 'R8 201 {"b":2}',
                                        '{"type":"log","n":2}'])

    def test_a_long_batch_leaves_every_eight_frames(self):
        async def turn():
            for i in range(9):
                _bridge.reply_on_loop(i, 200, {})
            self.assertEqual(len(self.writes), 1)
            await asyncio.sleep(0)

        self.loop.run_until_complete(turn())
        self.assertEqual([len(w.splitlines()) for w in self.writes], [8, 1])

    def test_an_urgent_frame_takes_what_the_loop_queued_first(self):
        async def turn():
            _bridge.reply_on_loop(1, 200, {})
            _bridge.send({"type": "call", "callId": 1}, urgent=True)
            self.assertEqual(self.lines(), ["R1 200 {}", '{"type":"call","callId":1}'])

        self.loop.run_until_complete(turn())

    def test_a_batch_read_off_the_pipe_is_answered_in_the_same_loop_iteration(self):
        r, w = os.pipe()
        try:
            inbox = _bridge.Inbox(r, lambda batch: [_bridge.reply_on_loop(m[1], 200, {}) for m in batch], lambda: None)
            os.write(w, b'[["h",1],["h",2]]\n')
            inbox.on_readable()
            self.assertEqual(self.lines(), ["R1 200 {}", "R2 200 {}"])
            self.assertFalse(_bridge._t.scheduled)  # nothing left for a later iteration
        finally:
            os.close(r)
            os.close(w)

    def test_what_a_batch_queued_leaves_even_when_its_delivery_raises(self):
        def deliver(batch):
            _bridge.reply_on_loop(batch[0][1], 200, {})
            raise RuntimeError("a frame the runner could not handle")

        r, w = os.pipe()
        try:
            inbox = _bridge.Inbox(r, deliver, lambda: None)
            os.write(w, b'[["h",3]]\n')
            with self.assertRaises(RuntimeError):
                inbox.on_readable()
            self.assertEqual(self.lines(), ["R3 200 {}"])
            self.assertFalse(_bridge._t.delivering)
        finally:
            os.close(r)
            os.close(w)

    def test_a_body_that_is_not_json_raises_and_leaves_nothing_queued(self):
        async def turn():
            with self.assertRaises(ValueError):
                _bridge.reply_on_loop(1, 200, {"x": float("nan")})
            _bridge.reply_on_loop(2, 200, {"x": 1})
            await asyncio.sleep(0)

        self.loop.run_until_complete(turn())
        self.assertEqual(self.lines(), ['R2 200 {"x":1}'])


if __name__ == "__main__":
    unittest.main()
