"""motia for Python steps, provided by the motia binary (stdlib only; pydantic optional).

It shadows a PyPI ``motia``: step files written for any release run unchanged (docs/python.md).
"""

from . import metrics, tracing  # noqa: F401
from ._context import FlowContext
from ._enqueue import enqueue
from ._http import ChannelReader, ChannelWriter, MotiaHttpArgs, MotiaHttpRequest, MotiaHttpResponse
from ._logging import Logger, logger
from ._model import AttrDict
from .errors import NonRetriableError, RetryAfterError
from .guards import (
    get_api_triggers, get_cron_triggers, get_queue_triggers, get_state_triggers, get_stream_triggers,
    is_api_step, is_api_trigger, is_cron_step, is_cron_trigger, is_event_step, is_noop_step, is_queue_step,
    is_queue_trigger, is_state_step, is_state_trigger, is_stream_step, is_stream_trigger,
)
from .iii import get_instance, init_iii
from .multi_trigger import MultiTriggerStepBuilder, multi_trigger_step
from .schema_utils import schema_to_json_schema
from .state import StateManager, state_manager, stateManager
from .step import StepBuilder, StepDefinition, generate_step_id, step, step_wrapper, stream_wrapper
from .streams import Stream
from .triggers import api, cron, event, http, queue, state, stream
from .types import (
    ApiMiddleware, ApiRequest, ApiResponse, ApiRouteMethod, ApiTrigger, CronTrigger, Emit, Emitter, Enqueue,
    Enqueuer, EventTrigger, HandlerConfig, InfrastructureConfig, QueryParam, QueueConfig, QueueTrigger,
    StateTrigger, StateTriggerInput, Step, StepConfig, StreamAuthInput, StreamAuthResult, StreamConfig,
    StreamEvent, StreamSubscription, StreamTrigger, StreamTriggerInput, TriggerCondition, TriggerConfig,
    TriggerInfo, TriggerInput, TriggerMetadata,
)

# `motia.state` is the trigger helper (as upstream); the state manager is `stateManager`.
emit = enqueue
bridge = None


class Motia:
    """Upstream's registry object; steps are registered by the engine here."""

    def add_step(self, *a, **k):
        return None

    def add_stream(self, *a, **k):
        return None

    def initialize(self, *a, **k):
        return None


def setup_step_endpoint(*a, **k):
    return None


__all__ = [
    "get_instance", "init_iii", "ChannelReader", "ChannelWriter", "Motia", "setup_step_endpoint", "generate_step_id",
    "api", "http", "queue", "cron", "state", "stream", "event", "schema_to_json_schema", "step", "StepDefinition",
    "StepBuilder", "multi_trigger_step", "MultiTriggerStepBuilder", "ApiMiddleware", "ApiRequest", "ApiResponse",
    "ApiRouteMethod", "MotiaHttpRequest", "MotiaHttpArgs", "MotiaHttpResponse", "ApiTrigger", "CronTrigger",
    "Enqueue", "Enqueuer", "FlowContext", "QueryParam", "QueueTrigger", "StateTrigger", "StateTriggerInput",
    "Step", "StepConfig", "StreamConfig", "StreamAuthInput", "StreamAuthResult", "StreamEvent",
    "StreamSubscription", "StreamTrigger", "StreamTriggerInput", "TriggerCondition", "TriggerConfig", "TriggerInfo",
    "TriggerInput", "enqueue", "logger", "Logger", "Stream", "StateManager", "stateManager", "state_manager",
    "is_api_trigger", "is_queue_trigger", "is_cron_trigger", "is_state_trigger", "is_stream_trigger", "is_api_step",
    "is_queue_step", "is_cron_step", "is_state_step", "is_stream_step", "get_api_triggers", "get_queue_triggers",
    "get_cron_triggers", "get_state_triggers", "get_stream_triggers", "tracing", "EventTrigger", "step_wrapper",
    "stream_wrapper", "InfrastructureConfig", "HandlerConfig", "QueueConfig", "Emit", "Emitter", "TriggerMetadata",
    "is_event_step", "is_noop_step", "bridge", "emit", "AttrDict", "NonRetriableError", "RetryAfterError",
]
