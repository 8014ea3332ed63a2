"""Populations from a folder of Parquet files, one per collection, through the columnar path.

Each file is read with pyarrow and each column handed to ``_core.population_from_columns`` as its Arrow
buffers or as a NumPy view of them: text as offsets and bytes (dictionary-encoded text as indices and a
dictionary, so that each distinct id is read once), dates (date32) as days, numbers and booleans as values
and a mask. No Python work is done per row (except for list-typed qualifications, one small column).

A file whose schema cannot hold a collection (a required column missing, a column of a type that cannot
hold its field, such as whole numbers in a date column) raises InputError naming the collection, the first
record, the field and its value. Records that cannot be used are rejected with findings, as every loader
rejects them; ``strict=True`` raises InputError for the first rejected record instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Union

import numpy as np

from carerules import _core
from carerules import _frames, _schema
from carerules._frames import COLLECTIONS, COLUMNS, _arrow_strings

PathLike = Union[str, "os.PathLike[str]"]

# Columns that must be present in a collection's file (an event also needs one of resident, home, clinician).
REQUIRED: dict[str, tuple[str, ...]] = _schema.REQUIRED

# What each field holds, for the schema check: t text, d date, w whole number, n number, b boolean, q a list of
# names (qualifications); from the core's population schema.
_KIND_OF_TYPE = {"string": "t", "reference": "t", "choice": "t", "date": "d", "whole_number": "w", "number": "n",
                 "boolean": "b", "choice_list": "q"}
KINDS: dict[str, dict[str, str]] = {
    c: {f["column"]: _KIND_OF_TYPE[f["type"]] for f in fields} for c, fields in _schema.FIELDS.items()
}

_WANTED = {"t": "text", "d": "a date (Arrow date32, or text YYYY-MM-DD)", "w": "a whole number",
           "n": "a number", "b": "true or false", "q": "text separated by \";\" or a list of text"}


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - only where pyarrow is absent
        raise ImportError("reading Parquet needs pyarrow: pip install 'carerules[parquet]' (or pyarrow)") from e
    return pyarrow


def parquet_paths(folder: PathLike) -> dict[str, Path]:
    """The Parquet files in ``folder``: {collection: path} for each of practices.parquet ... events.parquet."""
    return _frames.collection_files(folder, ".parquet", "Parquet files")


def has_parquet(folder: PathLike) -> bool:
    root = Path(folder)
    return root.is_dir() and any((root / f"{c}.parquet").is_file() for c in COLLECTIONS)


def read_tables(folder: PathLike) -> dict[str, Any]:
    """Every collection's file as a pyarrow Table (text columns kept dictionary-encoded as stored)."""
    _pyarrow()
    import pyarrow.parquet as pq

    tables: dict[str, Any] = {}
    for collection, path in parquet_paths(folder).items():
        try:
            schema = pq.read_schema(path)
            # Text read as dictionaries (as Parquet stores it where values repeat), but for the ids: each is unique.
            text = [f.name for f in schema if f.name in COLUMNS[collection] and f.name != "id" and _is_text(f.type)]
            tables[collection] = pq.read_table(path, read_dictionary=text)
        except Exception as e:  # pyarrow's errors: a file that is not Parquet, or damaged
            err = _core.ParseError(f"{path}: not a readable Parquet file: {e}")
            err.source = str(path)
            err.line = 0
            err.column = 0
            raise err from None
    return tables


def _is_text(t: Any) -> bool:
    pa = _pyarrow()
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _input_error(collection: str, index: int, record: str, field: str, value: str, message: str) -> _core.InputError:
    err = _core.InputError(message)
    err.collection = collection
    err.index = index
    err.record = record
    err.field = field
    err.value = value
    return err


def _first_value(table: Any, name: str) -> tuple[int, str, str]:
    """(row, record id, value as text) of the first row where column ``name`` has a value."""
    pa = _pyarrow()
    import pyarrow.compute as pc

    column = table.column(name)
    valid = pc.is_valid(column)
    rows = np.flatnonzero(np.asarray(valid.to_numpy(zero_copy_only=False), dtype=bool))
    row = int(rows[0]) if len(rows) else 0
    value = column[row].as_py() if len(column) else None
    record = ""
    if "id" in table.column_names and len(column):
        rid = table.column("id")[row].as_py()
        record = rid if isinstance(rid, str) else ("" if rid is None else str(rid))
    del pa
    return row, record, "" if value is None else str(value)


def _check_schema(collection: str, table: Any, source: str) -> None:
    pa = _pyarrow()
    names = table.column_names
    for name in REQUIRED[collection]:
        if name not in names:
            raise _input_error(
                collection, -1, "", name, "",
                f"{source}: {collection} has no column {name!r}: it is required (columns: {', '.join(names) or 'none'})",
            )
    for group, columns in _schema.ONE_OF[collection].items():
        if not any(s in names for s in columns):
            listed = ", ".join(repr(s) for s in columns)
            raise _input_error(collection, -1, "", group, "",
                               f"{source}: {collection} has none of the columns {listed}: an event names its {group}")
    for name in names:
        kind = KINDS[collection].get(name)
        if kind is None:
            continue  # unknown columns are ignored, as unknown JSON fields are
        t = table.schema.field(name).type
        if pa.types.is_dictionary(t):
            t = t.value_type
        ok = pa.types.is_null(t) or {
            "t": _is_text(t),
            "d": _is_text(t) or pa.types.is_date(t) or pa.types.is_timestamp(t),
            "w": pa.types.is_integer(t) or pa.types.is_floating(t),
            "n": pa.types.is_integer(t) or pa.types.is_floating(t),
            "b": pa.types.is_boolean(t),
            "q": _is_text(t) or (pa.types.is_list(t) or pa.types.is_large_list(t)),
        }[kind]
        if not ok and table.column(name).null_count == table.num_rows:
            ok = True  # no value to misread: every record has the field absent
        if not ok:
            row, record, value = _first_value(table, name)
            where = f"{collection}[{row}]" + (f" (id \"{record}\")" if record else "")
            raise _input_error(
                collection, row, record, name, value,
                f"{source}: column {name!r} has type {t}, which cannot hold {_WANTED[kind]}: "
                f"{where}: field \"{name}\" = {value!r}",
            )


def _days(arr: Any) -> Any:
    """A date32 array as datetime64[D] (NaT where null), from its buffers."""
    pa = _pyarrow()
    n = len(arr)
    validity, values = arr.buffers()[:2]
    days = np.frombuffer(values, dtype=np.int32, count=arr.offset + n)[arr.offset:].astype(np.int64) if values is not None else np.zeros(n, np.int64)
    if arr.null_count:
        mask = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        days[mask] = np.iinfo(np.int64).min
    del pa
    return days.view("datetime64[D]")


def _column(chunked: Any) -> Any:
    """One Arrow column as ``population_from_columns`` reads it."""
    pa = _pyarrow()
    import pyarrow.compute as pc

    t = chunked.type
    if pa.types.is_dictionary(t) and _is_text(t.value_type):
        # Each chunk has its own dictionary: their values side by side, each chunk's indices shifted to its own
        # (no unification: a value in two dictionaries is read twice, which costs nothing per row).
        chunks = [c for c in chunked.chunks if len(c)] or [pa.array([], type=t)]
        dictionaries = [c.dictionary.cast(pa.large_string()) for c in chunks]
        shift = np.cumsum([0] + [len(d) for d in dictionaries[:-1]])
        width: Any = np.int64 if shift[-1] + len(dictionaries[-1]) >= 2**31 else np.int32
        parts: list[Any] = []
        for c, s in zip(chunks, shift):
            part: Any = np.asarray(c.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=width)
            parts.append(part + width(s))
        idx = np.concatenate(parts)
        mask = None
        if chunked.null_count:
            mask = np.concatenate([np.asarray(c.is_null().to_numpy(zero_copy_only=False), dtype=bool) for c in chunks])
        return ("dict", idx, mask, _arrow_strings(pa.chunked_array(dictionaries, type=pa.large_string())))
    arr = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    t = arr.type
    n = len(arr)
    if pa.types.is_null(t):
        return np.full(n, None, dtype=object)
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
        t = arr.type
    if _is_text(t):
        return _arrow_strings(pa.chunked_array([arr]))
    if pa.types.is_date32(t):
        return _days(arr)
    if pa.types.is_date64(t):
        return _days(arr.cast(pa.date32()))
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            raise _core.ArgumentError(f"column of type {t} has a time zone: dates are calendar dates")
        return arr.cast(pa.timestamp(t.unit)).to_numpy(zero_copy_only=False)
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        if arr.null_count:
            mask = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            filler = False if pa.types.is_boolean(t) else 0
            values = np.asarray(pc.fill_null(arr, filler).to_numpy(zero_copy_only=False))
            return ("masked", values, mask)
        return np.asarray(arr.to_numpy(zero_copy_only=False))
    # Lists (qualifications) and anything else: Python objects (one small column).
    return np.asarray(arr.to_pylist() + [None], dtype=object)[:-1]


def table_columns(collection: str, table: Any) -> dict[str, Any]:
    return {name: _column(table.column(name)) for name in table.column_names if name in COLUMNS[collection]}


def population_from_parquet(folder: PathLike, strict: bool = False) -> _core.Population:
    """The compiled population from a folder of Parquet files (see the module's docstring)."""
    paths = parquet_paths(folder)
    tables = read_tables(folder)
    prepared: dict[str, dict[str, Any]] = {}
    for collection, table in tables.items():
        _check_schema(collection, table, str(paths[collection]))
        prepared[collection] = table_columns(collection, table)
    population = _core.population_from_columns(prepared, False)
    if strict:
        for f in population.findings:
            if f.get("code") == "invalid-record":
                index = f.get("index")
                raise _input_error(
                    str(f.get("collection") or ""), index if isinstance(index, int) else -1,
                    str(f.get("subject") or ""), str(f.get("field") or ""), str(f.get("value") or ""),
                    f"{paths.get(str(f.get('collection')), folder)}: {f.get('message')}",
                )
    return population
