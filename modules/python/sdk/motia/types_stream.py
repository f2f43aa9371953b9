from .types import StreamAuthInput, StreamAuthResult, StreamConfig, StreamSubscription  # noqa: F401
