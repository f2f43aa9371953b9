"""III SDK for Python."""

from .channels import ChannelReader, ChannelWriter
from .iii import TriggerAction, register_worker
from .iii_constants import FunctionRef, InitOptions, ReconnectionConfig, TelemetryOptions
from .iii_types import (
    EnqueueResult,
    FunctionInfo,
    HttpAuthConfig,
    HttpInvocationConfig,
    MessageType,
    RegisterFunctionInput,
    RegisterFunctionMessage,
    RegisterServiceInput,
    RegisterTriggerInput,
    RegisterTriggerMessage,
    RegisterTriggerTypeInput,
    RegisterTriggerTypeMessage,
    StreamChannelRef,
    TriggerActionEnqueue,
    TriggerActionVoid,
    TriggerInfo,
    TriggerRequest,
)
from .logger import Logger
from .stream import IStream, StreamContext
from .telemetry_types import OtelConfig
from .triggers import Trigger, TriggerConfig, TriggerHandler
from .types import (
    ApiRequest,
    ApiResponse,
    Channel,
    HttpRequest,
    HttpResponse,
    IIIClient,
    InternalHttpRequest,
    RemoteFunctionHandler,
)
from .utils import http

__all__ = [
    # Channels
    "ChannelReader",
    "ChannelWriter",
    # Core
    "FunctionRef",
    "InitOptions",
    "OtelConfig",
    "ReconnectionConfig",
    "register_worker",
    "TelemetryOptions",
    "TriggerAction",
    # Message types
    "EnqueueResult",
    "FunctionInfo",
    "HttpAuthConfig",
    "HttpInvocationConfig",
    "MessageType",
    "RegisterFunctionInput",
    "RegisterFunctionMessage",
    "RegisterServiceInput",
    "RegisterTriggerInput",
    "RegisterTriggerMessage",
    "RegisterTriggerTypeInput",
    "RegisterTriggerTypeMessage",
    "StreamChannelRef",
    "TriggerActionEnqueue",
    "TriggerActionVoid",
    "TriggerInfo",
    "TriggerRequest",
    # Logger
    "Logger",
    # Triggers
    "Trigger",
    "TriggerConfig",
    "TriggerHandler",
    # Types
    "ApiRequest",
    "ApiResponse",
    "Channel",
    "HttpRequest",
    "HttpResponse",
    "IIIClient",
    "InternalHttpRequest",
    "RemoteFunctionHandler",
    # Stream
    "IStream",
    "StreamContext",
    # Utilities
    "http",
]
