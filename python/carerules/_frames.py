"""pandas DataFrames, NumPy arrays and CSV extracts into the C++ model, column by column.

Each column goes to ``_core.population_from_columns`` whole: NumPy arrays as they are, Arrow-backed strings as
their buffers (no copy), nullable pandas columns as values and a mask. The C++ side reads every record with the
JSON loader's record reader, so it accepts or rejects it exactly as the JSON loader would; nothing here
decides whether a record is valid, and nothing loops over rows (except where a file is already known to be
malformed, to say where).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from carerules import _core, _schema

# The collections and the columns each reads, from the core's population schema (see _schema.py).
COLLECTIONS: tuple[str, ...] = _schema.COLLECTIONS
COLUMNS: dict[str, tuple[str, ...]] = _schema.COLUMNS
ALIASES: dict[str, str] = _schema.ALIASES

ColumnLike = Union["pd.Series[Any]", np.ndarray, Sequence[Any], pd.Index]
FrameLike = Union[pd.DataFrame, Mapping[str, Any]]
PathLike = Union[str, "os.PathLike[str]"]


# ---------------------------------------------------------------------------------------------------------
# Columns


def _arrow_strings(chunked: Any) -> Any:
    """An Arrow string column as ("utf8", offsets, data, validity, offset, length): its buffers, not copied."""
    import pyarrow as pa

    if chunked.num_chunks == 1:
        arr = chunked.chunk(0)
    else:
        arr = chunked.combine_chunks()
    if pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
    large = pa.types.is_large_string(arr.type)
    validity, offsets, data = arr.buffers()
    offsets_np = np.frombuffer(offsets, dtype=np.int64 if large else np.int32) if offsets is not None else np.zeros(1, np.int32)
    data_np = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    validity_np = np.frombuffer(validity, dtype=np.uint8) if validity is not None and arr.null_count > 0 else None
    return ("utf8", offsets_np, data_np, validity_np, arr.offset, len(arr))


def _is_arrow_string(series: pd.Series[Any]) -> bool:
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return True
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        t = dtype.pyarrow_dtype
        return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))
    return False


def column_values(values: Any, collection: str = "", name: str = "") -> Any:
    """One column as ``_core.population_from_columns`` reads it (see _core.pyi)."""
    if isinstance(values, (pd.Index, pd.api.extensions.ExtensionArray)):
        values = pd.Series(values, copy=False)
    if not isinstance(values, pd.Series):
        return values  # NumPy arrays, lists: read by the C++ side as NumPy arrays
    series = values
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        raise _core.ArgumentError(
            f"{collection}: column {name!r} has a time zone ({dtype}): dates are calendar dates; "
            "drop the zone with .dt.tz_localize(None) or give .dt.date"
        )
    if isinstance(dtype, pd.CategoricalDtype):
        # Dictionary-encoded: each distinct value is read once, each row by its code.
        codes = np.asarray(series.cat.codes.to_numpy(), dtype=np.int32)
        missing = codes < 0
        categories = column_values(pd.Series(dtype.categories, copy=False), collection, name)
        return ("dict", np.where(missing, 0, codes), missing if missing.any() else None, categories)
    if _is_arrow_string(series):
        return _arrow_strings(series.array.__arrow_array__())  # type: ignore[attr-defined]
    if isinstance(dtype, pd.StringDtype):
        return series.to_numpy(dtype=object)
    if isinstance(dtype, pd.BooleanDtype):
        return ("masked", series.to_numpy(dtype=bool, na_value=False), series.isna().to_numpy())
    if isinstance(dtype, (pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype)):
        return ("masked", series.to_numpy(dtype=np.int64, na_value=0), series.isna().to_numpy())
    if isinstance(dtype, (pd.UInt8Dtype, pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype)):
        return ("masked", series.to_numpy(dtype=np.uint64, na_value=0), series.isna().to_numpy())
    if isinstance(dtype, (pd.Float32Dtype, pd.Float64Dtype)):
        return ("masked", series.to_numpy(dtype=np.float64, na_value=np.nan), series.isna().to_numpy())
    return series.to_numpy()


def frame_columns(collection: str, frame: FrameLike) -> dict[str, Any]:
    """The known columns of one collection's frame (or dict of columns), ready for the C++ side."""
    if collection not in COLUMNS:
        raise _core.ArgumentError(f"{collection!r} is not a collection: expected one of {', '.join(COLLECTIONS)}")
    if isinstance(frame, pd.DataFrame):
        names = [str(c) for c in frame.columns]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise _core.ArgumentError(f"{collection}: column {duplicated[0]!r} appears more than once")
        columns: dict[str, Any] = {str(c): frame[c] for c in frame.columns}
        rows = len(frame)
    elif isinstance(frame, Mapping):
        columns = {str(k): v for k, v in frame.items()}
        rows = len(next(iter(columns.values()))) if columns else 0
    else:
        raise _core.ArgumentError(f"{collection}: expected a pandas DataFrame or a dict of columns, not {type(frame).__name__}")
    for alias, canonical in ALIASES.items():
        if alias in columns and canonical not in columns:
            columns[canonical] = columns.pop(alias)
    known = COLUMNS[collection]
    out = {name: column_values(values, collection, name) for name, values in columns.items() if name in known}
    if not out and rows:
        # No column this collection reads: every record is rejected, each saying its id is missing.
        out["id"] = np.full(rows, None, dtype=object)
    return out


def population_from_columns(tables: Mapping[str, FrameLike], *, text_values: bool = False) -> _core.Population:
    """The compiled population from {collection: frame}; each record accepted or rejected as in JSON."""
    prepared = {name: frame_columns(name, frame) for name, frame in tables.items() if frame is not None}
    return _core.population_from_columns(prepared, text_values)


# ---------------------------------------------------------------------------------------------------------
# CSV extracts: one file per collection, named after it, with a header row of column names.


def _parse_error(source: str, line: int, column: int, what: str) -> _core.ParseError:
    err = _core.ParseError(f"{source}:{line}:{column}: {what}")
    err.source = source
    err.line = line
    err.column = column
    return err


def _line_text(text: str, line: int) -> tuple[int, int]:
    """Start and end offsets of 1-based `line` in `text`."""
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text), len(text)
        start = nl + 1
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _locate_parser_error(path: Path, message: str) -> _core.ParseError:
    """Where pandas' C parser stopped, by line and column, from its message and the file's text."""
    source = str(path)
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, line, saw = (int(g) for g in fields.groups())
        # The column where field `expected + 1` starts: after the expected-th comma outside quotes.
        start, _ = _line_text(text, line)
        i, commas, quoted = start, 0, False
        while i < len(text):
            ch = text[i]
            if ch == '"':
                quoted = not quoted
            elif ch == "," and not quoted:
                commas += 1
                if commas == expected:
                    i += 1
                    break
            i += 1
        at_line, at_column = _position(text, i)
        return _parse_error(source, at_line, at_column,
                            f"malformed CSV: {saw} fields where the header has {expected}")
    unterminated = re.search(r"EOF inside string starting at row (\d+)", message)
    if unterminated:
        line = int(unterminated.group(1)) + 1
        start, _ = _line_text(text, line)
        i, quoted, opened = start, False, start
        while i < len(text):
            if text[i] == '"':
                if not quoted:
                    opened = i
                quoted = not quoted
            elif text[i] == "\n" and not quoted:
                break
            i += 1
        at_line, at_column = _position(text, opened)
        return _parse_error(source, at_line, at_column, "malformed CSV: a quoted field is never closed")
    line_only = re.search(r"line (\d+)", message)
    line = int(line_only.group(1)) if line_only else 1
    detail = message.split("C error: ")[-1].strip()
    return _parse_error(source, line, 1, f"malformed CSV: {detail}")


def _unicode_error(path: Path) -> _core.ParseError:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        line_start = raw.rfind(b"\n", 0, e.start) + 1
        column = len(raw[line_start:e.start].decode("utf-8", errors="replace")) + 1
        return _parse_error(str(path), line, column, f"not UTF-8 text: byte 0x{raw[e.start]:02x} cannot start a character")
    return _parse_error(str(path), 1, 1, "not UTF-8 text")


def _header(path: Path) -> list[str]:
    """The header row's column names; ParseError for an empty file or a name given twice."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    if not first.strip():
        raise _parse_error(str(path), 1, 1, "empty: a CSV extract starts with a header row naming its columns")
    names = next(csv.reader(io.StringIO(first)))
    seen: dict[str, int] = {}
    offset = 0
    for name in names:
        key = name.strip()
        if key in seen:
            column = first.find(name, offset) + 1 if name else offset + 1
            raise _parse_error(str(path), 1, max(column, 1), f"column {key!r} appears twice in the header")
        seen[key] = offset
        offset = first.find(name, offset) + len(name) + 1 if name else offset + 1
    return [n.strip() for n in names]


def _check_quotes(path: Path) -> None:
    """ParseError at the opening quote when a quoted field is never closed (an odd number of '"' in the file).

    Without this, a CSV reader takes everything after the quote, later records included, as one field."""
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            count += chunk.count(b'"')
    if count % 2 == 0:
        return
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    quoted, opened = False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            if not quoted:
                opened = i
            quoted = not quoted
    line, column = _position(text, opened)
    raise _parse_error(str(path), line, column, "malformed CSV: a quoted field is never closed")


def _extra_fields_error(path: Path) -> _core.ParseError:
    """ParseError at the first record with more fields than the header (pandas would shift such a record
    into an index and read the wrong values)."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows)
    for row in rows:
        if len(row) > len(header):
            line = rows.line_num
            start, _ = _line_text(text, line)
            # The column where the first extra field starts: after the header's count of commas outside quotes.
            i, commas, quoted = start, 0, False
            while i < len(text):
                if text[i] == '"':
                    quoted = not quoted
                elif text[i] == "," and not quoted:
                    commas += 1
                    if commas == len(header):
                        i += 1
                        break
                i += 1
            at_line, at_column = _position(text, i)
            return _parse_error(str(path), at_line, at_column,
                                f"malformed CSV: {len(row)} fields where the header has {len(header)}")
    return _parse_error(str(path), 1, 1, "malformed CSV: a record has more fields than the header")


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def read_csv_extract(path: PathLike) -> pd.DataFrame:
    """One CSV extract as a DataFrame of text columns (empty cells are missing values), unvalidated.

    A file that is not well-formed CSV raises ParseError naming the file, line and column.
    """
    p = Path(path)
    options: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_values": [""], "encoding": "utf-8-sig"}
    try:
        _header(p)
        _check_quotes(p)
        try:
            # pyarrow's reader is several times faster and gives Arrow-backed text columns (read in C++ without a
            # copy); pandas' own C reader is the fallback, and the one whose errors say where.
            frame: pd.DataFrame = pd.read_csv(p, engine="pyarrow" if _has_pyarrow() else "c", **options)
        except (pd.errors.ParserError, ValueError) as first:
            if isinstance(first, UnicodeDecodeError):
                raise
            frame = pd.read_csv(p, engine="c", **options)
    except UnicodeDecodeError:
        raise _unicode_error(p) from None
    except pd.errors.ParserError as e:
        raise _locate_parser_error(p, str(e)) from None
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas' C reader takes the first fields of rows longer than the header as an index: refused.
        raise _extra_fields_error(p)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def collection_files(folder: PathLike, suffix: str, kind: str) -> dict[str, Path]:
    """{collection: path} for each of practices<suffix> ... events<suffix> in `folder`; FileNotFoundError when the
    folder is missing or holds none of them (`kind` names them in the message: "CSV extracts")."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"population folder not found: {root}")
    found = {c: root / f"{c}{suffix}" for c in COLLECTIONS if (root / f"{c}{suffix}").is_file()}
    if not found:
        raise FileNotFoundError(
            f"no {kind} in {root}: expected one or more of {', '.join(c + suffix for c in COLLECTIONS)}"
        )
    return found


def extract_paths(folder: PathLike) -> dict[str, Path]:
    """The CSV extracts in `folder`: {collection: path} for each of practices.csv ... events.csv there."""
    return collection_files(folder, ".csv", "CSV extracts")


def read_extracts(folder: PathLike) -> dict[str, pd.DataFrame]:
    """Every CSV extract in `folder` as a DataFrame of text columns, by collection (unvalidated)."""
    return {c: read_csv_extract(p) for c, p in extract_paths(folder).items()}


def population_from_extracts(folder: PathLike, files: Iterable[str] | None = None) -> _core.Population:
    """The compiled population from a folder of CSV extracts (numbers and booleans read from their text)."""
    paths = extract_paths(folder)
    wanted = set(files) if files is not None else set(paths)
    tables = {c: read_csv_extract(p) for c, p in paths.items() if c in wanted}
    return population_from_columns(tables, text_values=True)


# ---------------------------------------------------------------------------------------------------------
# The other way: a population JSON file as DataFrames, and DataFrames as CSV extracts.


def frames_from_json(source: Union[PathLike, Mapping[str, Any]], dtype: Any = None) -> dict[str, pd.DataFrame]:
    """A carerules.population/1 JSON file's records (or those of the same document already parsed, a dict) as
    DataFrames, one per collection, in the column layout of CSV extracts and population_from_frames (cohort
    as cohort_reason and cohort_from, qualifications joined with ";"). Values are as written: nothing is
    validated. `dtype` goes to pandas.DataFrame (``object`` keeps every value exactly as written, where pandas
    would otherwise turn a column of whole numbers with a missing value into floats).

    What the column layout cannot hold raises ArgumentError naming the record, rather than being dropped or
    changed: a collection that is not an array, a record that is not an object, an object field (cohort) that
    is not an object, a document nested too deeply for Python's JSON reader. (The JSON loader reads such a
    document, rejecting those records with findings: load it with load_population to see them.)"""
    name = "document" if isinstance(source, Mapping) else str(source)
    if isinstance(source, Mapping):
        doc: Any = source
    else:
        try:
            with Path(source).open(encoding="utf-8-sig") as f:
                doc = json.load(f)
        except RecursionError:
            raise _core.ArgumentError(f"{name}: nested too deeply to read as DataFrames; load it with "
                                      "load_population") from None
    if not isinstance(doc, Mapping):
        raise _core.ArgumentError(f"{name}: not a population document (a JSON object)")
    out: dict[str, pd.DataFrame] = {}
    for collection in COLLECTIONS:
        records = doc.get(collection)
        if records is None:
            continue
        if not isinstance(records, list):
            raise _core.ArgumentError(f"{name}: {collection!r} must be an array of records, not "
                                      f"{type(records).__name__}")
        rows: list[dict[str, Any]] = []
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise _core.ArgumentError(f"{name}: {collection}[{index}] is {type(record).__name__}, not an object")
            row = dict(record)
            for parent, leaves in _schema.OBJECTS[collection].items():
                if parent in row:
                    value = row.pop(parent)
                    if isinstance(value, dict):
                        for leaf, column in leaves.items():
                            row[column] = value.get(leaf)
                    elif value is not None:
                        raise _core.ArgumentError(
                            f"{name}: {collection}[{index}] field {parent!r} = {value!r} must be an object "
                            f"{{{', '.join(repr(leaf) for leaf in leaves)}}}, not {type(value).__name__}")
            for name in _schema.LISTS[collection]:
                items = row.get(name)
                # Joined only when the text reads back as the same items; otherwise kept as a list.
                if isinstance(items, list) and all(isinstance(q, str) and q and q == q.strip() and ";" not in q
                                                   for q in items):
                    row[name] = ";".join(items)
            rows.append(row)
        columns = list(dict.fromkeys([*COLUMNS[collection], *(k for r in rows for k in r)]))
        out[collection] = pd.DataFrame(rows, columns=columns, dtype=dtype)
    return out


def _cell_text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, np.ndarray)):
        return ";".join(str(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return value


def write_extracts(frames: Mapping[str, pd.DataFrame], folder: PathLike) -> dict[str, Path]:
    """Writes each frame to `folder`/<collection>.csv (booleans as true/false, lists joined with ";", missing
    values as empty cells); returns the paths written."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for collection, frame in frames.items():
        if collection not in COLUMNS:
            raise _core.ArgumentError(f"{collection!r} is not a collection: expected one of {', '.join(COLLECTIONS)}")
        out = frame.copy()
        for name in out.columns:
            col = out[name]
            if col.dtype == object or isinstance(col.dtype, pd.BooleanDtype) or col.dtype == bool:
                out[name] = col.map(_cell_text).astype(object)
        path = root / f"{collection}.csv"
        out.to_csv(path, index=False, lineterminator="\n")
        written[collection] = path
    return written
