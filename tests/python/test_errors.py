"""Every C++ exception reaches Python as a carerules exception, never a bare RuntimeError.

carerules' own exceptions keep their details (InputError: collection, index, record, field, value; ParseError:
source, line, column); a bad argument is an ArgumentError (also a ValueError); anything else a CareRulesError.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import carerules
from carerules import _core

from conftest import small_population_dict


@pytest.fixture(scope="module")
def population() -> _core.Population:
    return _core.load_population_json(json.dumps(small_population_dict()))


def _raises(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except BaseException as e:  # noqa: BLE001 - the point is to look at whatever comes out
        return e
    raise AssertionError("no exception")


def test_hierarchy() -> None:
    for cls in (carerules.InputError, carerules.ParseError, carerules.SchemeError, carerules.DateError,
                carerules.MoneyError, carerules.ArgumentError):
        assert issubclass(cls, carerules.CareRulesError)
        assert not issubclass(cls, RuntimeError)
    assert issubclass(carerules.ArgumentError, ValueError)
    assert not issubclass(carerules.CareRulesError, RuntimeError)


def test_input_error_names_collection_record_field_and_value(population: _core.Population) -> None:
    e = _raises(lambda: population.append_event({"id": "E9", "date": "2025-02-01", "resident": "R9", "activity": "care_plan"}))
    assert type(e) is carerules.InputError
    assert isinstance(e, carerules.InputError)
    assert (e.collection, e.record, e.field, e.value) == ("events", "E9", "resident", "R9")
    e = _raises(lambda: _core.load_population_json('{"format": "other/1"}'))
    assert isinstance(e, carerules.InputError) and e.field == "format" and e.value == "other/1"


def test_parse_error_names_line_and_column() -> None:
    e = _raises(lambda: _core.load_population_json('{\n  "format": "carerules.population/1",\n  "homes": [1,]\n}', "x.json"))
    assert isinstance(e, carerules.ParseError)
    assert (e.source, e.line) == ("x.json", 3)
    assert e.column > 0 and str(e).startswith("x.json:3:")


def test_scheme_error() -> None:
    assert isinstance(_raises(lambda: _core.resolve_scheme("no-such-scheme")), carerules.SchemeError)
    assert isinstance(_raises(lambda: _core.load_scheme_json("{}")), carerules.SchemeError)


@pytest.mark.parametrize(
    "name, call, expected",
    [
        ("unreadable population file", lambda tmp: _core.load_population_file(str(tmp)), carerules.CareRulesError),
        ("missing population file", lambda tmp: _core.load_population_file(str(tmp / "none.json")), carerules.CareRulesError),
        ("negative working days", lambda tmp: carerules.add_working_days("2025-01-01", -1), carerules.ArgumentError),
        ("impossible date", lambda tmp: carerules.add_months("2025-02-30", 1), carerules.DateError),
        ("bad month-end policy", lambda tmp: carerules.add_months("2025-01-31", 1, "sideways"), carerules.ArgumentError),
        ("money that is not money", lambda tmp: carerules.parse_pounds("abc"), carerules.MoneyError),
        ("negative budget counts", lambda tmp: carerules.project_budget(-1, 0), carerules.ArgumentError),
        ("more with a plan than patients", lambda tmp: carerules.project_budget(10, 11), carerules.ArgumentError),
        ("no scheme", lambda tmp: _core.Evaluator(_core.load_population_json(json.dumps(small_population_dict())), []),
         carerules.ArgumentError),
        ("unknown subject kind", lambda tmp: _core.load_population_json(json.dumps(small_population_dict())).ids("ward"),
         carerules.ArgumentError),
        ("unknown resident", lambda tmp: _core.Evaluator(_core.load_population_json(json.dumps(small_population_dict())),
                                                         [_core.builtin_scheme("care-homes-es")]).evaluate_resident("R9", "2025-06-30"),
         carerules.InputError),
        ("CSV written over a file", lambda tmp: _write_csv_over_a_file(tmp), carerules.CareRulesError),
        ("report for an unknown home", lambda tmp: _core.ReportContext(
            _core.load_population_json(json.dumps(small_population_dict())), [_core.builtin_scheme("care-homes-es")],
            "2025-06-30").clinic_list("H9", "2025-06-30", 14), carerules.ArgumentError),
        ("columns of different lengths", lambda tmp: _core.population_from_columns(
            {"homes": {"id": np.array(["H1"], dtype=object), "name": np.array([], dtype=object)}}), carerules.InputError),
        ("not a collection", lambda tmp: _core.population_from_columns({"wards": {}}), carerules.InputError),
        ("budget with a scheme without payments", lambda tmp: carerules.project_budget(10, 5, "care-homes-es"),
         carerules.SchemeError),
    ],
)
def test_no_bare_runtime_error(tmp_path: Path, name: str, call: Callable[[Path], Any], expected: type[BaseException]) -> None:
    e = _raises(lambda: call(tmp_path))
    assert type(e) is not RuntimeError, (name, e)
    assert isinstance(e, expected), (name, type(e), e)
    assert str(e), name


def _write_csv_over_a_file(tmp: Path) -> None:
    blocker = tmp / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    population = _core.load_population_json(json.dumps(small_population_dict()))
    result = _core.Evaluator(population, [_core.builtin_scheme("care-homes-es")]).evaluate("2025-06-30")
    result.write_csv(str(blocker / "out"))


def test_wrong_python_types_stay_type_errors(population: _core.Population) -> None:
    # Passing an object of the wrong type is a Python-level mistake: a TypeError, as everywhere in Python.
    assert isinstance(_raises(lambda: carerules.add_months(20250101, 1)), TypeError)  # type: ignore[arg-type]
