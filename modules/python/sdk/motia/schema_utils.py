from ._loader import schema_json


def schema_to_json_schema(schema):
    return None if schema is None else schema_json(schema)
