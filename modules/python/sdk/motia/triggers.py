"""Trigger helpers: ``http()``, ``api()``, ``queue()``, ``event()``, ``cron()``, ``state()``, ``stream()``."""

import warnings

from .types import ApiTrigger, CronTrigger, EventTrigger, QueueTrigger, StateTrigger, StreamTrigger


def http(method, path, *, body_schema=None, response_schema=None, query_params=None, middleware=None,
         condition=None, **kw):
    return ApiTrigger(type="http", method=method, path=path, body_schema=body_schema or kw.pop("bodySchema", None),
                      response_schema=response_schema or kw.pop("responseSchema", None),
                      query_params=query_params or kw.pop("queryParams", None), middleware=middleware,
                      condition=condition, **kw)


def api(method, path, *, body_schema=None, response_schema=None, query_params=None, middleware=None,
        condition=None, **kw):
    warnings.warn("api() is deprecated; use http()", DeprecationWarning, stacklevel=2)
    return http(method, path, body_schema=body_schema, response_schema=response_schema, query_params=query_params,
                middleware=middleware, condition=condition, **kw)


def queue(topic, *, input=None, config=None, condition=None, **kw):
    return QueueTrigger(type="queue", topic=topic, input=input, config=config, condition=condition, **kw)


def event(topic, *, input=None, config=None, condition=None, **kw):
    """The RC-era helper: a queue trigger on ``topic``."""
    return QueueTrigger(type="queue", topic=topic, input=input, config=config, condition=condition, **kw)


def cron(expression, *, condition=None, **kw):
    return CronTrigger(type="cron", expression=expression, condition=condition, **kw)


def state(*, condition=None, **kw):
    return StateTrigger(type="state", condition=condition, **kw)


def stream(stream_name, *, group_id=None, item_id=None, condition=None, **kw):
    return StreamTrigger(type="stream", stream_name=stream_name, group_id=group_id, item_id=item_id,
                         condition=condition, **kw)


__all__ = ["http", "api", "queue", "event", "cron", "state", "stream", "EventTrigger"]
