"""No-op tracing helpers (spans of Python handlers are made by the engine)."""

import contextlib

HAS_OTEL = False


class _Span:
    def set_attribute(self, *a, **k):
        pass

    def add_event(self, *a, **k):
        pass

    def record_exception(self, *a, **k):
        pass

    def set_status(self, *a, **k):
        pass

    def end(self):
        pass


class _Tracer:
    @contextlib.contextmanager
    def start_as_current_span(self, *a, **k):
        yield _Span()

    def start_span(self, *a, **k):
        return _Span()


def get_tracer(*a, **k):
    return _Tracer()


def instrument_bridge(*a, **k):
    return None


@contextlib.contextmanager
def step_span(*a, **k):
    yield _Span()


@contextlib.contextmanager
def operation_span(*a, **k):
    yield _Span()
