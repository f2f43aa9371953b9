"""A small stand-in for the pydantic models of the motia package (stdlib only).

Instances take keyword (and, where declared, positional) arguments, read fields as attributes,
``[]`` and ``.get()`` in snake_case or camelCase, accept new attributes, and ``model_dump()``.
``Cls[...]`` works, as annotations of step files subscript these classes eagerly.
"""

import functools
import re

_CAMEL = re.compile(r"_([a-z0-9])")
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


# Names repeat (field names, trigger keys): the regexes ran on every model built.
@functools.lru_cache(maxsize=2048)
def camel(name):
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


@functools.lru_cache(maxsize=2048)
def snake(name):
    return _SNAKE.sub("_", name).lower()


def lookup(mapping, key, default=None):
    """``mapping[key]``, else the same name in the other case style."""
    if key in mapping:
        return mapping[key]
    for alt in (camel(key), snake(key)):
        if alt in mapping:
            return mapping[alt]
    return default


class Model:
    """Fields are declared as ``_fields = (("name", default), ...)``; ``_positional`` names the
    fields that may be passed positionally."""

    _fields = ()
    _positional = ()

    def __class_getitem__(cls, item):
        return cls

    def __init__(self, *args, **kwargs):
        if len(args) > len(self._positional):
            raise TypeError("%s takes at most %d positional arguments" % (type(self).__name__, len(self._positional)))
        values = dict(zip(self._positional, args))
        names = self._field_names()
        for k, v in kwargs.items():
            sk = snake(k)
            values[sk if sk in names else k] = v
        for name, default in self._fields:
            if name in values:
                v = values.pop(name)
            else:
                v = default() if callable(default) and not isinstance(default, type) else default
            object.__setattr__(self, name, v)
        for k, v in values.items():
            object.__setattr__(self, k, v)

    @classmethod
    def _field_names(cls):
        names = cls.__dict__.get("_names")
        if names is None:
            names = frozenset(n for n, _ in cls._fields)
            cls._names = names
        return names

    def __getattr__(self, name):
        d = self.__dict__
        for alt in (snake(name), camel(name)):
            if alt in d:
                return d[alt]
        raise AttributeError("%s has no attribute %r" % (type(self).__name__, name))

    def __getitem__(self, key):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key):
        return lookup(self.__dict__, key, _MISSING) is not _MISSING

    def get(self, key, default=None):
        return lookup(self.__dict__, key, default)

    def model_dump(self, *args, by_alias=False, exclude_none=False, **kwargs):
        out = {}
        for k, v in self.__dict__.items():
            if k.startswith("_") or (exclude_none and v is None):
                continue
            out[camel(k) if by_alias else k] = _dump(v, by_alias, exclude_none)
        return out

    def dict(self, *args, **kwargs):
        return self.model_dump(*args, **kwargs)

    def __eq__(self, other):
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = object.__hash__

    def __repr__(self):
        inner = ", ".join("%s=%r" % (k, v) for k, v in self.__dict__.items() if not k.startswith("_"))
        return "%s(%s)" % (type(self).__name__, inner)


_MISSING = object()


def _dump(v, by_alias, exclude_none):
    if isinstance(v, Model):
        return v.model_dump(by_alias=by_alias, exclude_none=exclude_none)
    if isinstance(v, list):
        return [_dump(x, by_alias, exclude_none) for x in v]
    if isinstance(v, dict):
        return {k: _dump(x, by_alias, exclude_none) for k, x in v.items()}
    return v


class AttrDict(dict):
    """A dict whose keys read as attributes too, in either case style (trigger inputs)."""

    def __class_getitem__(cls, item):
        return cls

    def __getattr__(self, name):
        v = lookup(self, name, _MISSING)
        if v is _MISSING:
            raise AttributeError(name)
        return v

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, key, default=None):
        return lookup(self, key, default)

    def __getitem__(self, key):
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            v = lookup(self, key, _MISSING)
            if v is _MISSING:
                raise
            return v


def attrify(value):
    """JSON data → AttrDicts all the way down."""
    if isinstance(value, dict):
        return AttrDict((k, attrify(v)) for k, v in value.items())
    if isinstance(value, list):
        return [attrify(v) for v in value]
    return value


def plain(v):
    """A pydantic model as its dict (``model_dump()``); anything else as it is."""
    if hasattr(v, "model_dump") and not isinstance(v, dict):
        return v.model_dump()
    return v


def update_ops(ops):
    """``update()``'s ops: one op or a list of them, each a dict or a pydantic model, as a list of dicts."""
    return [plain(op) for op in (ops if isinstance(ops, (list, tuple)) else [ops])]
