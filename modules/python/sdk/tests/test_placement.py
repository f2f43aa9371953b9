"""Where ``def`` functions run (motia/_placement.py): the pool first, inline once quick, back to
the pool when an inline call is slow or waits for the engine."""

import asyncio
import concurrent.futures
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import motia  # noqa: E402
from motia import _bridge, _invoke, _placement  # noqa: E402


class Placement(unittest.TestCase):
    def setUp(self):
        self.policy = asyncio.get_event_loop_policy()
        asyncio.set_event_loop_policy(_placement.LoopCounting())  # as the runner does
        self.loop = asyncio.new_event_loop()
        self.pool = concurrent.futures.ThreadPoolExecutor(4)
        self.runner = _invoke.Runner(self.loop, self.pool)
        self.frames = []
        _bridge.configure(self.answer)

    def tearDown(self):
        self.pool.shutdown()
        self.loop.close()
        asyncio.set_event_loop_policy(self.policy)

    def answer(self, data):
        msg = json.loads(data)
        self.frames.append(msg)
        if msg["type"] == "call":  # answered at once: only the wait itself tells these calls apart
            _bridge.on_reply({"type": "reply", "callId": msg["callId"], "ok": True, "value": 7})

    def threads(self, fn, calls):
        """The thread of each call of ``fn`` made through the Runner, one after another."""

        async def run():
            _bridge.current.set(_bridge.Invocation(1, "S", "trace"))
            out = []
            for _ in range(calls):
                out.append(await self.runner.call(fn, None, None))
                self.assertIs(asyncio.get_running_loop(), self.loop)
            return out

        return self.loop.run_until_complete(run())

    def calls_until_inline(self, fn, least):
        """How many calls ``fn`` needed to run inline: none of the first ``least`` did. (Any call
        descheduled past FAST restarts the run, so on a loaded machine it may take more.)"""
        main = threading.get_ident()
        seen = self.threads(fn, least)
        self.assertNotIn(main, seen)
        for extra in range(1, 1000):
            if self.threads(fn, 1) == [main]:
                return least + extra
        self.fail("%s never ran inline" % fn.__name__)

    def test_a_quick_def_runs_inline_after_a_run_of_quick_calls(self):
        def quick(req, ctx):
            return threading.get_ident()

        self.assertGreater(self.calls_until_inline(quick, _placement.PROMOTE_AFTER), _placement.PROMOTE_AFTER)

    def test_a_slow_inline_call_sends_it_back_with_a_longer_run_needed(self):
        slow = {"on": False}

        def sometimes(req, ctx):
            if slow["on"]:
                time.sleep(_placement.SLOW * 2)
            return threading.get_ident()

        main = threading.get_ident()
        self.calls_until_inline(sometimes, _placement.PROMOTE_AFTER)
        slow["on"] = True
        self.assertEqual(self.threads(sometimes, 1), [main])  # the one slow call that shows it
        self.assertNotIn(main, self.threads(sometimes, 3))  # slow calls stay in the pool
        slow["on"] = False
        self.calls_until_inline(sometimes, 2 * _placement.PROMOTE_AFTER)

    def test_a_def_that_waits_for_the_engine_stays_in_the_pool(self):
        def reads_state(req, ctx):
            motia.stateManager.get("g", "k")
            return threading.get_ident()

        def reads_from_a_thread(req, ctx):
            # The call's thread has no invocation: the loop must not be the one waiting for it.
            t = threading.Thread(target=motia.stateManager.get, args=("g", "k"))
            t.start()
            t.join()
            return threading.get_ident()

        def runs_a_loop(req, ctx):
            async def get():
                return await motia.stateManager.get("g", "k")

            assert asyncio.run(get()) == 7
            return threading.get_ident()

        main = threading.get_ident()
        for fn in (reads_state, reads_from_a_thread, runs_a_loop):
            self.assertNotIn(main, self.threads(fn, 2 * _placement.PROMOTE_AFTER), fn.__name__)

    def test_a_def_that_makes_an_event_loop_stays_in_the_pool(self):
        def uses_asyncio_run(req, ctx):
            return asyncio.run(asyncio.sleep(0, threading.get_ident()))

        seen = self.threads(uses_asyncio_run, 2 * _placement.PROMOTE_AFTER)
        self.assertNotIn(threading.get_ident(), seen)

    def test_middleware_stays_in_the_pool(self):
        seen = []

        def mw(req, ctx, next):
            seen.append(threading.get_ident())
            return next()

        async def handler(req, ctx):
            return 1

        async def run():
            for _ in range(_placement.PROMOTE_AFTER + 2):
                await _invoke.run_chain(self.runner, [mw], None, None,
                                        lambda: self.runner.call(handler, None, None))

        self.loop.run_until_complete(run())
        self.assertNotIn(threading.get_ident(), seen)


if __name__ == "__main__":
    unittest.main()
