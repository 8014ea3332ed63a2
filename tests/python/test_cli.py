"""The `carerules` command, run as a user's script would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "carerules", *args], capture_output=True, text=True, check=False)


def test_evaluate_prints_the_json_document(small_population_file: Path) -> None:
    out = run("evaluate", "--population", str(small_population_file), "--scheme", "care-homes-es", "--as-of", "2025-06-30")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["as_of"] == "2025-06-30" and doc["input"]["rejected"] == 0


def test_evaluate_writes_csv(small_population_file: Path, tmp_path: Path) -> None:
    out = run("evaluate", "-p", str(small_population_file), "--as-of", "2025-06-30", "--format", "csv", "--out", str(tmp_path / "o"))
    assert out.returncode == 0, out.stderr
    assert {p.name for p in (tmp_path / "o").iterdir()} == {"tasks.csv", "payments.csv", "findings.csv"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["evaluate", "-p", "missing.json", "--as-of", "2025-06-30"], "not found"),
        (["evaluate", "-p", "{pop}", "--as-of", "2025-02-30"], "YYYY-MM-DD"),
        (["evaluate", "-p", "{pop}", "--as-of", "2025-06-30", "--scheme", "nope"], "unknown scheme"),
        (["evaluate", "-p", "{pop}", "--as-of", "2025-06-30", "--format", "csv"], "--out"),
    ],
)
def test_bad_arguments_fail_with_a_clear_message(small_population_file: Path, args: list[str], message: str) -> None:
    out = run(*[a.replace("{pop}", str(small_population_file)) for a in args])
    assert out.returncode != 0
    assert message in out.stderr


def test_malformed_population_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format": "carerules.population/1",\n  "homes": [1,]\n}', encoding="utf-8")
    out = run("evaluate", "-p", str(bad), "--as-of", "2025-06-30")
    assert out.returncode != 0
    assert ":3:" in out.stderr


def test_schemes_show_prints_an_editable_copy(tmp_path: Path, small_population_file: Path) -> None:
    out = run("schemes", "show", "care-homes-es")
    assert out.returncode == 0
    scheme = json.loads(out.stdout)
    assert scheme["id"] == "care-homes-es"
    # A commissioner's edit (the care plan due in 1 month instead of 3) changes the result without recompiling.
    for ob in scheme["obligations"]:
        if ob["id"] == "care-plan":
            ob["due"] = {"months": 1}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(scheme), encoding="utf-8")
    res = run("evaluate", "-p", str(small_population_file), "--scheme", str(edited), "--as-of", "2025-06-30")
    assert res.returncode == 0, res.stderr
    due = [t["due"] for t in json.loads(res.stdout)["tasks"] if t["obligation"] == "care-plan"]
    assert due == ["2025-02-10"]


def test_schemes_list_names_both_schemes() -> None:
    out = run("schemes", "list")
    assert out.returncode == 0
    assert "care-homes-es" in out.stdout and "case-management-les" in out.stdout


def test_demo_prints_homes_and_payments() -> None:
    out = run("demo")
    assert out.returncode == 0, out.stderr
    assert "overdue" in out.stdout and "Payment lines" in out.stdout


def test_every_help_has_examples() -> None:
    for args in (["--help"], ["evaluate", "--help"], ["schemes", "--help"], ["payments", "--help"], ["demo", "--help"]):
        out = run(*args)
        assert out.returncode == 0
        assert "Example" in out.stdout, args
