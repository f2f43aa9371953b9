"""``logger``: log lines go to the engine's logger with the current invocation's trace id."""

import logging as _std_logging
import sys
import time
import traceback

from . import _bridge

_LEVELS = {"debug", "info", "warn", "error"}


def emit(level, msg, data=None):
    inv = _bridge.current.get()
    record = {"time": time.time() * 1000, "level": level, "msg": str(msg)}
    if inv is not None:
        record["step"] = inv.step
        record["traceId"] = inv.trace_id
        if inv.span_id:
            record["spanId"] = inv.span_id
    if data is not None:
        record["fields"] = data if isinstance(data, dict) else {"data": data}
    if not _bridge.connected():
        sys.stderr.write("[%s] %s %s\n" % (level, msg, "" if data is None else data))
        return
    try:
        _bridge.send({"type": "log", "record": record})
    except TypeError:
        record["fields"] = {"data": repr(data)}
        _bridge.send({"type": "log", "record": record})


class Logger:
    """``info|warn|error|debug(msg, data=None)``; ``warning``/``exception`` and ``exc_info=`` too."""

    def _log(self, level, msg, data=None, exc_info=None, **fields):
        if fields:
            data = dict(data or {}, **fields) if isinstance(data, dict) or data is None else {"data": data, **fields}
        if exc_info:
            tb = traceback.format_exc() if exc_info is True else "".join(traceback.format_exception(*_exc_tuple(exc_info)))
            data = dict(data or {}) if isinstance(data, dict) or data is None else {"data": data}
            data["traceback"] = tb
        emit(level, msg, data)
        return _bridge.Done()

    def info(self, msg, data=None, **kw):
        return self._log("info", msg, data, **kw)

    def warn(self, msg, data=None, **kw):
        return self._log("warn", msg, data, **kw)

    warning = warn

    def error(self, msg, data=None, **kw):
        return self._log("error", msg, data, **kw)

    def exception(self, msg, data=None, **kw):
        kw.setdefault("exc_info", True)
        return self._log("error", msg, data, **kw)

    def debug(self, msg, data=None, **kw):
        return self._log("debug", msg, data, **kw)

    def log(self, entry=None, **kw):
        entry = dict(entry or {}, **kw)
        level = entry.pop("level", "info")
        msg = entry.pop("msg", entry.pop("message", ""))
        return self._log(level if level in _LEVELS else "info", msg, entry or None)


def _exc_tuple(exc_info):
    if isinstance(exc_info, BaseException):
        return (type(exc_info), exc_info, exc_info.__traceback__)
    return exc_info


logger = Logger()


class PrintToLog:
    """``sys.stdout`` inside the runner: each printed line becomes an info log line."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, level="info"):
        self.level = level
        self._buf = {}

    def write(self, text):
        if not isinstance(text, str):
            text = str(text)
        key = _bridge.current.get()
        buf = self._buf.get(id(key), "") + text
        *lines, rest = buf.split("\n")
        for line in lines:
            emit(self.level, line, None)
        if rest:
            self._buf[id(key)] = rest
        else:
            self._buf.pop(id(key), None)
        return len(text)

    def flush(self):
        for k in list(self._buf):
            text = self._buf.pop(k, "")
            if text:
                emit(self.level, text, None)

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        raise OSError("stdout of a motia python step is the step log, not a file")


class EngineLogHandler(_std_logging.Handler):
    """Python ``logging`` records inside handlers go to the step log too."""

    _MAP = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "ERROR": "error", "CRITICAL": "error"}

    def emit(self, record):
        try:
            data = None
            if record.exc_info:
                data = {"traceback": "".join(traceback.format_exception(*record.exc_info))}
            emit(self._MAP.get(record.levelname, "info"), record.getMessage(), data)
        except Exception:  # noqa: BLE001 - logging must never fail the caller
            pass
