"""The types of the motia package (``motia.types``), pydantic-free."""

from typing import Any, Callable, Dict, List, Optional, Union  # noqa: F401 - re-exported names step files use

from ._model import AttrDict, Model

_list = lambda: []  # noqa: E731
_dict = lambda: {}  # noqa: E731


class QueueConfig(Model):
    _fields = (
        ("type", "standard"),
        ("max_retries", 3),
        ("visibility_timeout", 30),
        ("delay_seconds", 0),
        ("concurrency", None),
        ("backoff_type", None),
        ("backoff_delay_ms", None),
    )


class HandlerConfig(Model):
    _fields = (("ram", None), ("cpu", None), ("timeout", None))


class InfrastructureConfig(Model):
    _fields = (("handler", None), ("queue", None))


class QueryParam(Model):
    _positional = ("name", "description")
    _fields = (("name", None), ("description", None))


class ApiTrigger(Model):
    _fields = (
        ("type", "http"),
        ("method", "GET"),
        ("path", "/"),
        ("body_schema", None),
        ("response_schema", None),
        ("query_params", None),
        ("middleware", None),
        ("condition", None),
    )


class QueueTrigger(Model):
    _fields = (("type", "queue"), ("topic", None), ("input", None), ("config", None), ("condition", None))


class EventTrigger(Model):
    """The seed docs' ``EventTrigger(subscribes=[...])``."""

    _fields = (("type", "event"), ("subscribes", _list), ("topic", None), ("input", None), ("condition", None))


class CronTrigger(Model):
    _fields = (("type", "cron"), ("expression", None), ("cron", None), ("condition", None))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.expression is None and self.cron is not None:
            object.__setattr__(self, "expression", self.cron)


class StateTrigger(Model):
    _fields = (("type", "state"), ("condition", None))


class StreamTrigger(Model):
    _fields = (("type", "stream"), ("stream_name", None), ("group_id", None), ("item_id", None), ("condition", None))


TriggerConfig = Union[ApiTrigger, QueueTrigger, CronTrigger, StateTrigger, StreamTrigger]


class Emit(Model):
    _fields = (("topic", None), ("label", None), ("conditional", False))


Enqueue = Emit


class StepConfig(Model):
    _fields = (
        ("name", None),
        ("description", None),
        ("triggers", _list),
        ("enqueues", _list),
        ("virtual_enqueues", _list),
        ("virtual_subscribes", _list),
        ("flows", _list),
        ("include_files", _list),
        ("infrastructure", None),
    )


class TriggerInfo(Model):
    _fields = (
        ("type", None),
        ("index", 0),
        ("path", None),
        ("method", None),
        ("topic", None),
        ("expression", None),
        ("stream_name", None),
    )


class TriggerMetadata(Model):
    _fields = (("type", None), ("index", 0))


class ApiResponse(Model):
    """``ApiResponse(status=200, body={...}, headers={...})``; positional ``(status, body)`` too."""

    _positional = ("status", "body", "headers")
    _fields = (("status", 200), ("body", None), ("headers", _dict))


class ApiRequest(Model):
    _fields = (("path_params", _dict), ("query_params", _dict), ("body", None), ("headers", _dict))


class StateTriggerInput(AttrDict):
    pass


class StreamTriggerInput(AttrDict):
    pass


class StreamEvent(AttrDict):
    pass


class StreamSubscription(Model):
    _fields = (("group_id", None), ("id", None))


class StreamConfig(Model):
    _fields = (("name", None), ("schema", None), ("base_config", None))


class StreamAuthInput(Model):
    _fields = (("headers", _dict), ("path", None), ("query_params", _dict), ("addr", None))


class StreamAuthResult(Model):
    _fields = (("context", None),)


class Step(Model):
    _fields = (("file_path", None), ("config", None))


TriggerInput = Any
TriggerCondition = Callable[..., Any]
ApiMiddleware = Callable[..., Any]
ApiRouteMethod = str
Enqueuer = Callable[..., Any]
Emitter = Callable[..., Any]
