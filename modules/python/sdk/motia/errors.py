"""Errors a handler may raise to steer retries (queue steps)."""


class NonRetriableError(Exception):
    """The message goes to dead letters at once, without further attempts."""


class RetryAfterError(Exception):
    """Retry no sooner than ``retry_after_ms`` milliseconds from now."""

    def __init__(self, message="", retry_after_ms=1000):
        super().__init__(message)
        self.retry_after_ms = retry_after_ms
