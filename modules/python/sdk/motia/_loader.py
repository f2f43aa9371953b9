"""Imports step files and turns their configs into the JSON the engine normalises (camelCase,
schemas as JSON Schema). Conditions and middleware stay here: they run in Python."""

import importlib.util
import inspect
import os
import re
import sys
import traceback

from ._model import Model, camel, lookup
from .step import StepDefinition
from .streams import created_names

LEGACY_TYPES = ("api", "event", "cron", "noop")
_STREAM_USE = re.compile(r"""\bStream\s*(?:\[[^\]]*\])?\s*\(\s*["']([A-Za-z0-9_.:-]+)["']""")
_CTX_STREAM_USE = re.compile(r"""\b(?:ctx|context)\.streams\.([A-Za-z_][A-Za-z0-9_]*)""")


class LoadedStep:
    def __init__(self, file, name, handler, legacy, triggers, flows):
        self.file = file
        self.name = name
        self.handler = handler
        self.legacy = legacy
        #: Python-side triggers in the engine's index order: dicts with type, condition, middleware, input.
        self.triggers = triggers
        self.flows = flows


class LoadError(Exception):
    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


def as_mapping(v):
    """A config or trigger object (dict, motia model, pydantic model, plain object) as a dict."""
    if isinstance(v, dict):
        return v
    if isinstance(v, Model):
        return dict(v.__dict__)
    if hasattr(v, "model_dump") and not isinstance(v, type):
        out = {}
        for k in getattr(type(v), "model_fields", {}) or {}:
            out[k] = getattr(v, k)
        return out or v.model_dump()
    if hasattr(v, "__dict__"):
        return {k: x for k, x in vars(v).items() if not k.startswith("_")}
    return None


def import_file(path, dir):
    """Imports a step file as its own module; errors carry the line in that file."""
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(1, folder)
    rel = os.path.relpath(path, dir)
    name = "motia_step_" + re.sub(r"\W", "_", rel)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        sys.modules.pop(name, None)
        raise LoadError("%s: %s" % (type(err).__name__, err.msg), err.lineno) from None
    except BaseException as err:  # noqa: BLE001 - a throwing module is a load problem, not a crash
        sys.modules.pop(name, None)
        line = None
        for frame in traceback.extract_tb(err.__traceback__):
            if os.path.abspath(frame.filename) == os.path.abspath(path):
                line = frame.lineno
        raise LoadError("%s: %s" % (type(err).__name__, err), line) from None
    return module


def find_exports(module):
    """``config`` + ``handler``; or a ``StepDefinition`` (``step()``, ``multi_trigger_step()``); or a
    ``step_wrapper`` handler."""
    config = getattr(module, "config", None)
    handler = getattr(module, "handler", None)
    if isinstance(handler, StepDefinition):
        config = config if config is not None else handler.config
        handler = handler.handler
    if config is None and handler is not None and hasattr(handler, "__motia_config__"):
        return handler.__motia_config__, handler
    if config is None or handler is None:
        for v in vars(module).values():
            if isinstance(v, StepDefinition) and v.handler is not None:
                return v.config, v.handler
            if callable(v) and hasattr(v, "__motia_config__") and handler is None:
                return v.__motia_config__, v
    if isinstance(config, StepDefinition):
        config, handler = config.config, handler or config.handler
    return config, handler


def load_step(path, dir):
    """→ (LoadedStep, config JSON for the engine). Raises LoadError."""
    module = import_file(path, dir)
    config, handler = find_exports(module)
    c = as_mapping(config)
    if c is None:
        raise LoadError("exports no `config` (a dict or StepConfig) and `handler`")
    if handler is not None and not callable(handler):
        raise LoadError("`handler` is not callable (got %s)" % type(handler).__name__)
    legacy = isinstance(c.get("type"), str) and c.get("type") in LEGACY_TYPES and "triggers" not in c
    out = {"name": c.get("name")}
    for key in ("description", "flows"):
        if c.get(key) is not None:
            out[key] = c[key]
    if legacy:
        triggers = _legacy(c, out)
    else:
        raw = lookup(c, "triggers")
        triggers = []
        if isinstance(raw, (list, tuple)):
            out["triggers"] = []
            for t in raw:
                m = as_mapping(t)
                if m is None:
                    out["triggers"].append(t if _jsonable(t) else repr(t))
                    triggers.append({})
                    continue
                out["triggers"].append(trigger_json(m))
                triggers.append(_py_trigger(m))
        elif raw is not None:
            out["triggers"] = repr(raw)
    for src in ("enqueues", "emits"):
        v = lookup(c, src)
        if v is not None:
            out[src] = [_topic(e) for e in v] if isinstance(v, (list, tuple)) else repr(v)
    for key in ("virtual_enqueues", "virtual_emits", "virtual_subscribes", "include_files"):
        v = lookup(c, key)
        if v is not None:
            out[camel(key)] = [_topic(e) if "subscribes" not in key and "files" not in key else e for e in v]
    infra = lookup(c, "infrastructure")
    if infra is not None:
        out["infrastructure"] = _camel_deep(as_mapping(infra) or infra)
    known = {"name", "description", "flows", "triggers", "enqueues", "emits", "virtual_enqueues", "virtualEnqueues",
             "virtual_emits", "virtualEmits", "virtual_subscribes", "virtualSubscribes", "include_files",
             "includeFiles", "infrastructure", "type", "path", "method", "subscribes", "cron", "input",
             "body_schema", "bodySchema", "response_schema", "responseSchema", "query_params", "queryParams",
             "middleware", "expression"}
    for key in c:
        if key not in known and key not in out:
            out[key] = None  # the engine warns about unknown keys by name
    name = out.get("name")
    step = LoadedStep(path, name if isinstance(name, str) else "", handler, legacy, triggers, c.get("flows") or [])
    return step, out


def _legacy(c, out):
    t = c["type"]
    out["type"] = t
    for key in ("path", "method", "subscribes", "cron"):
        if c.get(key) is not None:
            out[key] = c[key]
    for key in ("body_schema", "input"):
        v = lookup(c, key)
        if v is not None:
            out[camel(key)] = schema_json(v)
    rs = lookup(c, "response_schema")
    if rs is not None:
        out["responseSchema"] = {str(k): schema_json(v) for k, v in rs.items()}
    qp = lookup(c, "query_params")
    if qp is not None:
        out["queryParams"] = [_plain(q) for q in qp]
    if t == "api":
        return [{"type": "http", "method": c.get("method"), "path": c.get("path"),
                 "middleware": lookup(c, "middleware") or []}]
    if t == "event":
        return [{"type": "queue", "subscribes": c.get("subscribes"), "input": c.get("input")}]
    if t == "cron":
        return [{"type": "cron", "cron": c.get("cron")}]
    return []


def _py_trigger(m):
    t = dict(m)
    kind = {"api": "http", "event": "queue"}.get(t.get("type"), t.get("type"))
    t["type"] = kind
    t["condition"] = lookup(m, "condition")
    t["middleware"] = lookup(m, "middleware") or []
    t["input"] = lookup(m, "input")
    return t


def trigger_json(m):
    kind = m.get("type")
    out = {"type": kind}
    g = lambda k: lookup(m, k)  # noqa: E731
    if kind in ("http", "api"):
        method = g("method")
        out["method"] = method.upper() if isinstance(method, str) else method
        out["path"] = g("path")
        if g("body_schema") is not None:
            out["bodySchema"] = schema_json(g("body_schema"))
        rs = g("response_schema")
        if isinstance(rs, dict):
            out["responseSchema"] = {str(k): schema_json(v) for k, v in rs.items()}
        if g("query_params") is not None:
            out["queryParams"] = [_plain(q) for q in g("query_params")]
        mw = g("middleware")
        if mw is not None and (not isinstance(mw, (list, tuple)) or not all(callable(f) for f in mw)):
            out["middleware"] = "not a list of functions"
    elif kind in ("queue", "event"):
        for k in ("topic", "subscribes"):
            if g(k) is not None:
                out[k] = g(k)
        if g("input") is not None:
            out["input"] = schema_json(g("input"))
        cfg = g("config")
        if cfg is not None:
            cm = as_mapping(cfg)
            out["config"] = {camel(k): v for k, v in (cm if cm is not None else {}).items() if v is not None} \
                if cm is not None else cfg
    elif kind == "cron":
        expr = g("expression") or g("cron")
        out["expression"] = expr
        if g("timezone") is not None:
            out["timezone"] = g("timezone")
    elif kind == "stream":
        for k in ("stream_name", "group_id", "item_id"):
            if g(k) is not None:
                out[camel(k)] = g(k)
    cond = g("condition")
    if cond is not None and not callable(cond):
        out["condition"] = "not a function"
    return out


def schema_json(v):
    """A pydantic model class (``model_json_schema``) or a JSON Schema dict."""
    if isinstance(v, type) and hasattr(v, "model_json_schema"):
        return v.model_json_schema()
    if hasattr(v, "model_json_schema") and callable(v.model_json_schema):
        return v.model_json_schema()
    if hasattr(v, "json_schema") and callable(v.json_schema):  # pydantic TypeAdapter
        return v.json_schema()
    if isinstance(v, dict):
        return v
    return "not a schema (%s)" % type(v).__name__


def _topic(e):
    if isinstance(e, str):
        return e
    m = as_mapping(e)
    if m is None:
        return repr(e)
    # "type": the topic's name in Motia's first releases; the engine reads it as the topic.
    return {k: v for k, v in m.items() if v is not None and k in ("topic", "type", "label", "conditional")}


def _plain(v):
    m = as_mapping(v)
    return m if m is not None else v


def _camel_deep(v):
    if isinstance(v, dict):
        return {camel(k): _camel_deep(as_mapping(x) if isinstance(x, Model) else x) for k, x in v.items()
                if x is not None}
    return v


def _jsonable(v):
    return isinstance(v, (str, int, float, bool, list, dict)) or v is None


def stream_names(paths):
    """Streams the project's Python code names: ``Stream("x")`` made at import, and uses written
    in the sources (``Stream("x")`` inside a handler, ``ctx.streams.x``)."""
    names = set(created_names)
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            continue
        names.update(_STREAM_USE.findall(text))
        names.update(_CTX_STREAM_USE.findall(text))
    return sorted(names)


def load_stream_file(path, dir):
    module = import_file(path, dir)
    cfg = getattr(module, "config", None)
    m = as_mapping(cfg) if cfg is not None else None
    name = m.get("name") if m else None
    if not isinstance(name, str) or not name:
        for v in vars(module).values():
            if type(v).__name__ == "Stream" and isinstance(getattr(v, "name", None), str):
                return v.name
        raise LoadError("exports no stream `config` with a `name`")
    return name


__all__ = ["load_step", "load_stream_file", "stream_names", "LoadError", "LoadedStep", "inspect"]
