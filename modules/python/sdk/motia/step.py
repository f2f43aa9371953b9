"""``step(config, handler)``, ``step(config).handle(handler)``, the seed's ``step_wrapper``."""


class StepDefinition:
    def __init__(self, config, handler=None):
        self.config = config
        self.handler = handler

    def __class_getitem__(cls, item):
        return cls


class StepBuilder:
    def __init__(self, config):
        self.config = config

    def handle(self, handler):
        return StepDefinition(self.config, handler)


def step(config, handler=None):
    return StepDefinition(config, handler) if handler is not None else StepBuilder(config)


def step_wrapper(config, file=None, handler=None, *rest):
    """The seed docs' ``step_wrapper(cfg, __file__, handler)``: the handler itself, configured."""
    if handler is None and callable(file):
        handler = file
    handler.__motia_config__ = config
    return handler


def stream_wrapper(config, *_):
    return config


def generate_step_id(path):
    import uuid

    return str(uuid.uuid5(uuid.UUID("7f1c3ff2-9b00-4d0a-bdd7-efb8bca49d4f"), path))
