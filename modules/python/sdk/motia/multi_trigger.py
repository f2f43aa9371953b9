"""``multi_trigger_step(cfg).handlers({...})`` and ``.on_http(h).on_queue(h)...handlers()``."""

from .step import StepDefinition


class MultiTriggerStepBuilder:
    def __init__(self, config):
        self.config = config
        self._by_type = {}

    def _on(self, kind, handler):
        self._by_type[kind] = handler
        return self

    def on_http(self, h):
        return self._on("http", h)

    on_api = on_http

    def on_queue(self, h):
        return self._on("queue", h)

    on_event = on_queue

    def on_cron(self, h):
        return self._on("cron", h)

    def on_state(self, h):
        return self._on("state", h)

    def on_stream(self, h):
        return self._on("stream", h)

    def handlers(self, mapping=None):
        if mapping:
            for k, v in mapping.items():
                self._on({"api": "http", "event": "queue"}.get(k, k), v)
        by_type = dict(self._by_type)

        async def handler(input, ctx):
            return await ctx.match(by_type)

        return StepDefinition(self.config, handler)


def multi_trigger_step(config):
    return MultiTriggerStepBuilder(config)
