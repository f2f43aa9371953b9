"""The python process the engine starts: ``python -m motia._runner <project dir>``.

Protocol (modules/python/protocol.ts is the typed definition): newline-delimited JSON, a line
holding one frame or an array of them. Frames from the engine arrive on stdin (read by the event
loop, ``_bridge.Inbox``); frames to it leave on what was stdout when the process started.
Before user code is imported, fd 1 is pointed at stderr and ``sys.stdout`` at the step log, so
``print()`` (and a C library writing to fd 1) can never corrupt a frame.
"""

import asyncio
import concurrent.futures
import contextvars
import functools
import gc
import logging
import os
import sys
import types


def _take_fds():
    proto_in = os.dup(0)
    out_fd = os.dup(1)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    def write(data):
        view = memoryview(data)
        try:
            while view:
                n = os.write(out_fd, view)
                view = view[n:]
        except BrokenPipeError:
            # The engine is gone (killed): nobody is left to answer. Staying would spin, each
            # failed write logged as a frame that fails to write in turn.
            os._exit(0)

    return proto_in, write


def load_env(dir):
    """``<project>/.env`` without overriding what is set (the engine normally passed it already)."""
    path = os.path.join(dir, ".env")
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[7:]
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        os.environ.setdefault(key, value)


class Worker:
    def __init__(self, dir, loop, threads):
        from . import _bridge, _http, _invoke

        self.dir = dir
        self.loop = loop
        self.bridge = _bridge
        self.invoke_mod = _invoke
        self.runner = _invoke.Runner(loop, concurrent.futures.ThreadPoolExecutor(max_workers=threads,
                                                                                 thread_name_prefix="motia-step"))
        self.steps = {}
        self.errors = {}
        self.tasks = set()
        self.plans = {}
        self.http_plans = {}
        self.http_args = _http.MotiaHttpArgs.for_invocation
        self.closing = False

    # -- loading -------------------------------------------------------------------------------
    def load(self, msg):
        from ._loader import LoadError, load_step, load_stream_file, stream_names

        reports = []
        for path in msg.get("files", []):
            try:
                step, config = load_step(path, self.dir)
                self.steps[path] = step
                reports.append({"file": path, "config": config})
            except LoadError as err:
                self.errors[path] = str(err)
                e = {"message": str(err)}
                if err.line:
                    e["line"] = err.line
                reports.append({"file": path, "error": e})
        streams = []
        for path in msg.get("streamFiles", []):
            try:
                streams.append({"file": path, "name": load_stream_file(path, self.dir)})
            except LoadError as err:
                e = {"message": str(err)}
                if err.line:
                    e["line"] = err.line
                streams.append({"file": path, "error": e})
        used = stream_names(list(msg.get("files", [])))
        # What the steps imported lives as long as the process: out of the collector's way, so a
        # full collection under load walks the requests' objects only (shorter pauses, p99).
        gc.collect()
        gc.freeze()
        self.bridge.send({"type": "loaded", "steps": reports, "streams": streams, "streamNames": used,
                          "python": sys.version.split()[0]})

    # -- invocations ---------------------------------------------------------------------------
    def start(self, coro):
        # Started at once, in a context of its own (the invocation's contextvars): most handlers
        # finish without waiting, and a Task per invocation cost more than the handler. One
        # that waits goes on as a Task from where it stopped.
        ctx = contextvars.copy_context()
        try:
            waiting_on = ctx.run(coro.send, None)
        except StopIteration:
            return
        # Made inside the invocation's context, the Task runs in a copy of it (create_task's own
        # `context=` needs Python 3.11).
        task = ctx.run(self.loop.create_task, _resume(coro, waiting_on))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run_http(self, t):
        """An HTTP invocation, the tuple ``["h", id, file, triggerIndex, traceId, spanId, method,
        pathParams, queryParams, headers, body, rawBody]``; answered with an ``R`` line when the
        response is a JSON body with no headers (``_bridge.reply_on_loop``), else a ``done``
        frame. The hot path of Python HTTP steps (bench/python.ts): each call and object here is
        paid per request."""
        b, iv = self.bridge, self.invoke_mod
        inv_id = t[1]
        try:
            plan = self.http_plans.get((t[2], t[3])) or self.http_plan(t[2], t[3])
            step = plan.step
            b.current.set(b.Invocation(inv_id, step.name, t[4], t[5], step.legacy))
            raw = t[11]
            req = self.http_args(inv_id, t[6], t[7], t[8], t[9], t[10], b.unb64(raw) if raw else b"")
            if plan.direct and (plan.place is None or plan.place.inline):
                # The common step, in this one frame: an async handler, or a `def` one that runs
                # inline (_placement.py), no condition, no middleware (and no ctx to make when it
                # takes none). The arguments follow call_user's rule.
                n, handler = plan.arity, plan.handler
                if n >= 2:
                    result = handler(req, iv.new_context(step, plan.info, t[4], req, step.legacy))
                else:
                    result = handler(req) if n == 1 else handler()
                if result.__class__ is types.CoroutineType:
                    result = await result
                while iv.awaitable(result):
                    result = await result
            else:
                ctx = iv.new_context(step, plan.info, t[4], req, step.legacy)
                cond, mws = plan.cond, plan.mws
                if cond is not None and not bool(await self.runner.call(cond, req, ctx, kind="http")):
                    b.send({"type": "done", "id": inv_id, "outcome": {"status": "skipped"}})
                    return

                def handler_call():
                    return self.runner.call(step.handler, req, ctx, kind="http", legacy=step.legacy)

                result = await (iv.run_chain(self.runner, mws, req, ctx, handler_call) if mws else handler_call())
            if result.__class__ is dict and len(result) == 2:
                # `{"status": 200, "body": {...}}`, most handlers' answer: the R line, as it is.
                status, body = result.get("status"), result.get("body")
                if body.__class__ is dict and status.__class__ is int and status and status not in _NULL_BODY:
                    try:
                        b.reply_on_loop(inv_id, status, body)
                    except (TypeError, ValueError) as err:  # the body is not JSON
                        b.send({"type": "done", "id": inv_id, "outcome": iv.error_outcome(err)})
                    return
            response = iv.encode_response(result)
            if response is None:
                frame = {"type": "done", "id": inv_id, "outcome": {"status": "ok"}}
            elif ("body" in response and "headers" not in response and response["status"].__class__ is int
                  and response["status"] not in _NULL_BODY):
                frame = None
            else:
                frame = {"type": "done", "id": inv_id, "outcome": {"status": "ok", "response": response}}
        except asyncio.CancelledError:
            raise
        except BaseException as err:  # noqa: BLE001 - SystemExit in a handler fails that handler only
            frame = {"type": "done", "id": inv_id, "outcome": iv.error_outcome(err)}
        try:
            if frame is None:
                b.send_reply(inv_id, response["status"], response["body"])
            else:
                b.send(frame)
        except (TypeError, ValueError) as err:  # the return value is not JSON
            b.send({"type": "done", "id": inv_id, "outcome": iv.error_outcome(err)})

    async def run(self, msg):
        """A background invocation (queue, cron, state, stream)."""
        b, iv = self.bridge, self.invoke_mod
        inv_id = msg["id"]
        try:
            key = (msg["file"], msg.get("triggerIndex", 0), msg.get("kind"), msg.get("topic"))
            plan = self.plans.get(key) or self.plan(key)
            step, kind, cond = plan.step, plan.kind, plan.cond
            inv = b.Invocation(inv_id, step.name, msg.get("traceId"), msg.get("spanId"), step.legacy)
            b.current.set(inv)
            data = iv.background_input(kind, msg.get("input"), plan.trigger)
            ctx = iv.new_context(step, plan.info, inv.trace_id, data, step.legacy)
            if cond is not None and not bool(await self.runner.call(cond, data, ctx, kind=kind, legacy=step.legacy)):
                outcome = {"status": "skipped"}
            else:
                await self.runner.call(step.handler, data, ctx, kind=kind, legacy=step.legacy)
                outcome = {"status": "ok"}
        except asyncio.CancelledError:
            raise
        except BaseException as err:  # noqa: BLE001 - SystemExit in a handler fails that handler only
            outcome = iv.error_outcome(err)
        b.send({"type": "done", "id": inv_id, "outcome": outcome})

    def plan(self, key):
        """What every invocation of one trigger shares, worked out at its first invocation."""
        file, index, kind, topic = key
        step = self.steps.get(file)
        if step is None:
            why = self.errors.get(file, "it is not loaded in this python process")
            raise RuntimeError("step file %s cannot run: %s" % (file, why))
        plan = self.plans[key] = _Plan(step, index, kind, topic, self.invoke_mod, self.runner)
        return plan

    def http_plan(self, file, index):
        plan = self.http_plans[(file, index)] = self.plan((file, index, "http", None))
        return plan

    # -- the engine's frames -------------------------------------------------------------------
    def handle_all(self, batch):
        for msg in batch:
            if msg.__class__ is list:  # the HTTP invocation tuple
                self.start(self.run_http(msg))
                continue
            t = msg.get("type")
            if t == "invoke":
                self.start(self.run(msg))
            elif t == "load":
                self.load(msg)

    async def drain(self):
        """stdin closed: finish what runs, then exit."""
        self.closing = True
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
        sys.stdout.flush()
        self.bridge.flush()
        os._exit(0)


# Statuses whose responses have no body: answered in a `done` frame, never an `R` line.
_NULL_BODY = frozenset((204, 205, 304))


class _Plan:
    """One trigger of one step, as every invocation of it runs."""

    __slots__ = ("step", "trigger", "kind", "info", "cond", "mws", "direct", "arity", "place", "handler")

    def __init__(self, step, index, kind, topic, iv, runner):
        self.step = step
        self.trigger = trigger = step.triggers[index] if 0 <= index < len(step.triggers) else {}
        self.kind = kind = trigger.get("type") or kind
        self.info = iv.trigger_info(trigger, kind, index, topic)
        self.cond = trigger.get("condition")
        self.mws = trigger.get("middleware") or []
        # A handler with no condition and no middleware is called in place (no Runner hop): an
        # async one always, a `def` one while its placement says inline.
        self.direct = kind == "http" and self.cond is None and not self.mws
        self.arity = iv.arity(step.handler)[0]
        self.place = None
        self.handler = step.handler
        if self.direct and not iv.is_async(step.handler):
            self.place = runner.placement(step.handler)
            if self.place is None:
                self.direct = False
            else:
                self.handler = functools.partial(self.place.run_inline, step.handler)


@types.coroutine
def _resume(coro, waiting_on):
    """Continues a coroutine stepped once outside any Task: yields what it was waiting on to
    the Task driving this, then passes results and exceptions through until it returns."""
    value = waiting_on
    while True:
        try:
            sent = yield value
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as err:  # noqa: BLE001 - thrown in by the Task (cancellation)
            try:
                value = coro.throw(err)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                value = coro.send(sent)
            except StopIteration as stop:
                return stop.value


def main():
    dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MOTIA_PROJECT_DIR", "."))
    proto_in, write = _take_fds()
    from . import _bridge
    from ._logging import EngineLogHandler, PrintToLog

    _bridge.configure(write)
    sys.stdout = PrintToLog()
    logging.getLogger().addHandler(EngineLogHandler())
    load_env(dir)
    # After the SDK's folder: the project's own modules import by name, a PyPI `motia` never wins.
    if dir not in sys.path:
        sys.path.insert(1, dir)
    os.chdir(dir)
    from ._placement import LoopCounting

    asyncio.set_event_loop_policy(LoopCounting())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    _bridge.attach_loop(loop)
    worker = Worker(dir, loop, int(os.environ.get("MOTIA_PYTHON_THREADS", "32")))
    inbox = _bridge.Inbox(proto_in, worker.handle_all, lambda: loop.create_task(worker.drain()))
    inbox.attach(loop)
    _bridge.send({"type": "ready", "pid": os.getpid()})
    loop.run_forever()


if __name__ == "__main__":
    main()
