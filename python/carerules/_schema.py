"""The population's collections and fields as the compiled core declares them (model/population_schema.hpp).

Everything here is derived from ``_core.population_schema()``: the column lists of DataFrames, CSV and Parquet
extracts, the columns a Parquet file must have and the Arrow types that can hold each field, and the JSON
Schema of the population file (docs/population.schema.json, checked against this by a test).
"""

from __future__ import annotations

from typing import Any

from carerules import _core

FieldInfo = dict[str, Any]

SCHEMA: list[dict[str, Any]] = _core.population_schema()

COLLECTIONS: tuple[str, ...] = tuple(c["collection"] for c in SCHEMA)

FIELDS: dict[str, list[FieldInfo]] = {c["collection"]: list(c["fields"]) for c in SCHEMA}

# The columns each collection reads: the JSON field names, with a field inside an object (cohort.reason) as a
# column of its own (cohort_reason).
COLUMNS: dict[str, tuple[str, ...]] = {c: tuple(f["column"] for f in fields) for c, fields in FIELDS.items()}

# Other spellings accepted for a column: the JSON path, as pandas.json_normalize writes it ("cohort.reason").
ALIASES: dict[str, str] = {
    f["name"]: f["column"] for fields in FIELDS.values() for f in fields if f["name"] != f["column"]
}

# Fields inside an object, by collection: {"residents": {"cohort": {"reason": "cohort_reason", "from": "cohort_from"}}}.
OBJECTS: dict[str, dict[str, dict[str, str]]] = {c: {} for c in FIELDS}
for _collection, _fields in FIELDS.items():
    for _f in _fields:
        if "." in _f["name"]:
            _parent, _leaf = _f["name"].split(".", 1)
            OBJECTS[_collection].setdefault(_parent, {})[_leaf] = _f["column"]

# Fields that hold a list of names (qualifications), by collection.
LISTS: dict[str, tuple[str, ...]] = {
    c: tuple(f["column"] for f in fields if f["type"] == "choice_list") for c, fields in FIELDS.items()
}

# Columns that must be present in a collection's extract.
REQUIRED: dict[str, tuple[str, ...]] = {
    c: tuple(f["column"] for f in fields if f["presence"] == "required") for c, fields in FIELDS.items()
}

# Groups of columns of which a record names exactly one ({"events": {"subject": ("resident", "home", "clinician")}}).
ONE_OF: dict[str, dict[str, tuple[str, ...]]] = {
    c: {g: tuple(f["column"] for f in fields if f["group"] == g and f["presence"] == "one_of")
        for g in dict.fromkeys(f["group"] for f in fields if f["presence"] == "one_of")}
    for c, fields in FIELDS.items()
}

_ID = {"type": "string", "minLength": 1}
_DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}


def _field_schema(field: FieldInfo) -> dict[str, Any]:
    kind = field["type"]
    value: dict[str, Any]
    if kind == "string":
        value = {"type": "string"}
    elif kind == "reference":
        value = {**_ID, "description": f"the id of a record of {field['references']}"}
    elif kind == "date":
        value = dict(_DATE)
    elif kind == "whole_number":
        # 42 or 42.0; the builder adds the ranges (not negative).
        value = {"type": "number", "multipleOf": 1}
    elif kind == "number":
        value = {"type": "number"}
    elif kind == "boolean":
        value = {"type": "boolean"}
    elif kind == "choice":
        value = {"enum": list(field["choices"])}
    elif kind == "choice_list":
        value = {"type": "array", "items": {"enum": list(field["choices"])}}
    else:  # pragma: no cover - a type the core added without this function knowing it
        raise AssertionError(f"unknown field type {kind!r}")
    if field["name"] == "id":
        value = dict(_ID)
    if field["presence"] == "required":
        return value
    return {"anyOf": [value, {"type": "null"}]}


def _record_schema(collection: str) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    objects: dict[str, dict[str, Any]] = {}
    groups: dict[str, list[str]] = {}
    context: dict[str, str] = {}  # a field of a group that may stand beside another as its context
    for field in FIELDS[collection]:
        name: str = field["name"]
        if "." in name:
            parent, leaf = name.split(".", 1)
            obj = objects.setdefault(parent, {"type": "object", "properties": {}})
            obj["properties"][leaf] = _field_schema(field)
            properties[parent] = {"anyOf": [obj, {"type": "null"}]}
            continue
        properties[name] = _field_schema(field)
        if field["presence"] == "required":
            required.append(name)
        if field["presence"] == "one_of":
            groups.setdefault(field["group"], []).append(name)
            if field.get("context_of"):
                context[name] = field["context_of"]
    record: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    for names in groups.values():
        # Exactly one of the group is given (present and not null); a field that may stand beside another as
        # its context (an event's home beside its resident) is the subject only without that other.
        record["oneOf"] = [
            {"required": [n], "properties": {n: {"type": "string"},
                                             **({context[n]: {"type": "null"}} if n in context else {})}}
            for n in names
        ]
    return record


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a carerules.population/1 file, from the core's schema. It checks the
    shape of each record (fields, types, enumerations); the loader also checks references, ranges and dates
    that do not exist, and rejects a bad record with a finding rather than the whole file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "carerules population (carerules.population/1)",
        "description": "Generated from the population schema of the C++ core (include/carerules/model/"
                       "population_schema.hpp) by carerules._schema.json_schema(); field by field in "
                       "docs/input-format.md.",
        "type": "object",
        "required": ["format"],
        "properties": {
            "format": {"const": "carerules.population/1"},
            **{c: {"anyOf": [{"type": "array", "items": _record_schema(c)}, {"type": "null"}]} for c in COLLECTIONS},
        },
    }
