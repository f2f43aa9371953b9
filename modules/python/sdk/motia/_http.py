"""What an HTTP handler gets (``MotiaHttpArgs``) and its streamed ``response``."""

from . import _bridge
from ._model import camel, lookup, snake
from .types import ApiRequest

CHUNK = 64 * 1024


class ChannelReader:
    """``request_body``: the raw request bytes. ``stream`` iterates 64 KB chunks with ``for`` and
    ``async for``; ``read_all()`` returns them all (awaitable in a coroutine)."""

    def __init__(self, data=b""):
        self._data = data

    @property
    def stream(self):
        return _Chunks(self._data)

    def read_all(self):
        return _bridge.Done(self._data) if _bridge.caller_awaits() else self._data

    readAll = read_all

    def on_message(self, callback):
        pass

    def close(self):
        pass


class _Chunks:
    def __init__(self, data):
        self._data = data

    def _parts(self):
        for i in range(0, len(self._data), CHUNK):
            yield self._data[i : i + CHUNK]

    def __iter__(self):
        return self._parts()

    def __aiter__(self):
        parts = self._parts()

        class _It:
            def __aiter__(self):
                return self

            async def __anext__(self):
                try:
                    return next(parts)
                except StopIteration:
                    raise StopAsyncIteration from None

        return _It()

    async def read(self):
        return self._data


class _Writable:
    """``response.stream``: ``write(bytes | str)`` and ``end(data=None)``; writes go out at once."""

    def __init__(self, response):
        self._r = response

    def write(self, data):
        self._r._frame("write", bytes=_bytes(data))
        return True

    def end(self, data=None):
        if data is not None:
            self.write(data)
        self._r.close()

    close = end


class _Writer:
    def __init__(self, response):
        self.stream = _Writable(response)


class ChannelWriter(_Writer):
    pass


class MotiaHttpResponse:
    """``await response.status(200)``, ``await response.headers({...})``, ``response.stream.write()``,
    ``response.close()``. Status and headers are fixed at the first write, as upstream."""

    def __init__(self, invocation_id=None):
        self._id = invocation_id
        self._closed = False

    def __getattr__(self, name):
        # ``stream`` and ``writer`` are made on first use: most handlers return their response.
        if name == "stream":
            value = self.stream = _Writable(self)
        elif name == "writer":
            value = self.writer = _Writer(self)
        else:
            raise AttributeError(name)
        return value

    def _frame(self, op, **fields):
        if self._closed or self._id is None:
            return
        inv = _bridge.current.get()
        if inv is not None:
            inv.http_used = True
        msg = {"type": "http", "id": self._id, "op": op}
        if "bytes" in fields:
            msg["bytes"] = _bridge.b64(fields.pop("bytes"))
        msg.update(fields)
        # Written at once, not at the end of the loop's turn: a handler that blocks its loop
        # (``time.sleep()`` between writes) would hold every frame until it returned.
        _bridge.send(msg, urgent=True)

    def status(self, code):
        self._frame("status", status=int(code))
        return _bridge.Done()

    def headers(self, headers):
        self._frame("headers", headers={str(k): str(v) for k, v in dict(headers).items()})
        return _bridge.Done()

    def close(self):
        self._frame("close")
        self._closed = True
        return _bridge.Done()


def _bytes(data):
    if isinstance(data, str):
        return data.encode("utf-8")
    return bytes(data)


class MotiaHttpRequest(ApiRequest):
    pass


class MotiaHttpArgs(MotiaHttpRequest):
    """The HTTP handler's argument: ``request``/``response`` plus shortcuts (``body``,
    ``path_params``, ``query_params``, ``headers``, ``method``, ``request_body``). Attribute,
    ``[]`` and ``.get()`` access take snake_case or camelCase (``pathParams``, ``rawBody``)."""

    def __init__(self, method="GET", path_params=None, query_params=None, headers=None, body=None,
                 raw_body=b"", response=None):
        # One update: this runs for every request. `request_body` is made on first use.
        self.__dict__.update(
            method=method,
            path_params=path_params or {},
            query_params=query_params or {},
            headers=headers or {},
            body=body,
            response=response or MotiaHttpResponse(),
            _raw=raw_body,
        )

    @classmethod
    def for_invocation(cls, invocation_id, method, path_params, query_params, headers, body, raw_body):
        """The argument of one engine invocation: ``response`` (which writes that invocation's
        frames) and ``request_body`` are made on first use; most handlers touch neither."""
        args = cls.__new__(cls)
        args.__dict__ = {"method": method, "path_params": path_params, "query_params": query_params,
                         "headers": headers, "body": body, "_raw": raw_body, "_id": invocation_id}
        return args

    @property
    def request(self):
        return self

    @property
    def raw_body(self):
        try:
            return self._raw.decode("utf-8")
        except UnicodeDecodeError:
            return ""

    def __getattr__(self, name):
        if name in ("rawBody", "raw_body"):
            return self.raw_body
        if name in ("request_body", "requestBody"):
            value = self.request_body = ChannelReader(self._raw)
            return value
        if name == "response":
            value = self.response = MotiaHttpResponse(self.__dict__.get("_id"))
            return value
        d = self.__dict__
        for alt in (snake(name), camel(name)):
            if alt in d:
                return d[alt]
        raise AttributeError(name)

    def __getitem__(self, key):
        if key in ("request", "rawBody", "raw_body", "request_body", "requestBody", "response"):
            return getattr(self, key)
        v = lookup(self.__dict__, key, _MISSING)
        if v is _MISSING:
            raise KeyError(key)
        return v

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return ["body", "headers", "pathParams", "queryParams", "rawBody"]

    def model_dump(self, *args, **kwargs):
        return {"path_params": self.path_params, "query_params": self.query_params, "body": self.body,
                "headers": self.headers, "method": self.method}

    def __repr__(self):
        return "MotiaHttpArgs(method=%r, path_params=%r, query_params=%r, body=%r)" % (
            self.method, self.path_params, self.query_params, self.body)


_MISSING = object()
