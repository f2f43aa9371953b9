"""The text of frames: values as JSON, queued lines as the bytes of one write.

Every value an SDK call or a handler's answer holds becomes JSON here (pydantic models, dates,
dataclasses, sets... as plain data; anything else is refused naming its type). A str holding a
lone surrogate has no UTF-8 form: ``encoded`` keeps it from costing the other lines of a write.
"""

import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from json.encoder import c_make_encoder, encode_basestring


def _default(o):
    dump = getattr(o, "model_dump", None)
    if callable(dump) and not isinstance(o, type):
        try:
            return dump(mode="json")
        except TypeError:
            return dump()
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
        return o.isoformat()
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, decimal.Decimal):
        return float(o)
    if isinstance(o, uuid.UUID):
        return str(o)
    if isinstance(o, enum.Enum):
        return o.value
    if isinstance(o, (bytes, bytearray, memoryview)):
        return bytes(o).decode("utf-8", "replace")
    raise TypeError("%s is not plain data (JSON): it cannot be sent to the engine" % type(o).__name__)


# NaN and Infinity are not JSON: the engine could not read the frame (a ValueError instead).
_encoder = json.JSONEncoder(separators=(",", ":"), default=_default, ensure_ascii=False, allow_nan=False)
# On the loop's thread, where most frames are made, the C encoder is called directly: `encode`
# sets one up per call. Its circular-reference marks are shared, so other threads use `encode`.
_marks = {}
_c_encode = c_make_encoder and c_make_encoder(_marks, _default, encode_basestring, None, ":", ",", False, False, False)

encode = _encoder.encode


def encode_on_loop(value):
    """JSON text of ``value``, made on the loop's thread (the only one the C encoder serves)."""
    if _c_encode is None:
        return _encoder.encode(value)
    try:
        return "".join(_c_encode(value, 0))
    except BaseException:
        _marks.clear()  # a failed encoding leaves its marks behind
        raise


def encoded(parts):
    """The bytes of queued frame lines. A str holding a lone surrogate (``"\\ud800"``, which is
    not Unicode text) has no UTF-8 form: only then is each line encoded alone, so that one line
    never costs the others of the write (they were taken off the queue already)."""
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        return b"".join(_encoded_line(line) for line in parts)


def _encoded_line(line):
    """One line with a lone surrogate. An HTTP answer holding one (an ``R`` line, a ``done`` frame
    with a response, a streamed response's headers) becomes that invocation's error: its client
    gets a 500 naming the problem. Any other frame (a call, a log line, an error's message) keeps
    the surrogate as the JSON escape ``\\ud800`` (a lone surrogate only occurs inside a JSON
    string), which the engine reads back as the same string."""
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError as err:
        bad = err.object[err.start]
    inv_id = None
    if line.startswith("R"):
        inv_id = int(line[1 : line.index(" ")])
    else:
        try:
            msg = json.loads(line)
        except ValueError:
            msg = None
        if msg.__class__ is dict and (
            (msg.get("type") == "done" and "response" in (msg.get("outcome") or {})) or msg.get("type") == "http"
        ):
            inv_id = msg.get("id")
    if inv_id is None:
        return line.encode("utf-8", "backslashreplace")
    message = ("the response holds the lone surrogate U+%04X (a str that is not valid Unicode text): it has "
               "no UTF-8 form, so it cannot be sent" % ord(bad))
    error = {"name": "InvalidResponse", "code": "E_HANDLER_FAILED", "message": message}
    frame = {"type": "done", "id": inv_id, "outcome": {"status": "error", "error": error, "retryable": False}}
    return (json.dumps(frame) + "\n").encode("utf-8")
