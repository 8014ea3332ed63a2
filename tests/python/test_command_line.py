"""The `carerules` command on folders of CSV extracts, its formats, the budget, help texts, bad arguments and
the progress bar."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import carerules
from carerules.cli import cli


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "carerules", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("extracts")
    carerules.write_extracts(carerules.frames_from_json(carerules.demo_population_path()), folder)
    return folder


DEMO = str(carerules.demo_population_path())


def test_evaluate_reads_a_folder_of_csv_extracts(extracts: Path) -> None:
    args = ["-s", "care-homes-es", "-s", "case-management-les", "--as-of", "2025-06-30"]
    from_csv = run("evaluate", "-p", str(extracts), *args)
    from_json = run("evaluate", "-p", DEMO, *args)
    assert from_csv.returncode == 0, from_csv.stderr
    assert from_csv.stdout == from_json.stdout
    assert from_csv.stderr == ""  # not a terminal: no progress bar, nothing else


def test_evaluate_csv_from_a_folder(extracts: Path, tmp_path: Path) -> None:
    out = run("evaluate", "-p", str(extracts), "--as-of", "2025-06-30", "--format", "csv", "--out", str(tmp_path / "o"))
    assert out.returncode == 0, out.stderr
    assert {p.name for p in (tmp_path / "o").iterdir()} == {"tasks.csv", "payments.csv", "findings.csv"}


def test_payments_formats(extracts: Path, tmp_path: Path) -> None:
    doc = json.loads(run("payments", "-p", str(extracts), "--as-of", "2026-03-31", "--format", "json").stdout)
    assert set(doc) == {"as_of", "schemes", "payments", "totals"}
    assert doc["payments"] and set(doc["payments"][0]) >= {"scheme", "practice", "resident", "financial_year", "quarter",
                                                           "kind", "amount_pence", "status", "because"}
    payable = sum(p["amount_pence"] or 0 for p in doc["payments"] if p["status"] == "payable")
    assert payable == sum(t["payable_pence"] for t in doc["totals"] if t["quarter"] == "year")
    out = run("payments", "-p", DEMO, "--as-of", "2026-03-31", "--format", "csv", "--out", str(tmp_path / "claims"))
    assert out.returncode == 0, out.stderr
    assert {p.name for p in (tmp_path / "claims").iterdir()} == {"payments.csv", "payment-totals.csv"}
    text = run("payments", "-p", DEMO, "--as-of", "2026-03-31")
    assert text.returncode == 0, text.stderr
    assert "Park Surgery (P1)" in text.stdout and "£" in text.stdout and "_pence" not in text.stdout  # for people


def test_demo_on_a_folder_and_as_json(extracts: Path) -> None:
    text = run("demo", "-p", str(extracts), "--as-of", "2025-06-30")
    assert text.returncode == 0, text.stderr
    assert "overdue" in text.stdout
    demo_json = run("demo", "--format", "json", "--as-of", "2025-06-30")
    evaluated = run("evaluate", "-p", DEMO, "-s", "care-homes-es", "-s", "case-management-les", "--as-of", "2025-06-30")
    assert demo_json.stdout == evaluated.stdout


def test_budget_from_counts_and_from_a_population(extracts: Path) -> None:
    out = run("budget", "--patients", "1500", "--with-plan", "912")
    assert out.returncode == 0, out.stderr
    for figure in ("£255,000.00", "£135,240.00", "£109,440.00", "£244,680.00", "-£10,320.00"):
        assert figure in out.stdout
    doc = json.loads(run("budget", "--patients", "1500", "--with-plan", "912", "--format", "json").stdout)
    assert (doc["current_total_pence"], doc["projected_total_pence"], doc["impact_pence"]) == (25_500_000, 24_468_000, -1_032_000)
    patients, with_plan = carerules.budget_counts(carerules.load_population(DEMO), "2025-06-30")
    counted = json.loads(run("budget", "-p", str(extracts), "--as-of", "2025-06-30", "--format", "json").stdout)
    assert counted["current"][0]["count"] == patients
    assert [line["count"] for line in counted["projected"]] == [patients - with_plan, with_plan]


def test_budget_in_python() -> None:
    b = carerules.project_budget(1500, 912)
    assert (b.current_total_pence, b.projected_total_pence, b.impact_pence) == (25_500_000, 24_468_000, -1_032_000)
    assert [(line.count, line.per_patient_pence) for line in b.projected] == [(588, 23_000), (912, 12_000)]
    assert list(b.lines["budget"]) == ["current", "projected", "projected"]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_every_help_has_examples() -> None:
    runner = CliRunner()
    commands = _commands(cli)
    assert ("budget",) in commands and ("report", "dashboard") in commands
    for path in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, path


@pytest.mark.parametrize(
    "args, message",
    [
        (["evaluate", "-p", "no-such-folder/", "--as-of", "2025-06-30"], "not found"),
        (["evaluate", "-p", "{empty}", "--as-of", "2025-06-30"], "no CSV extracts"),
        (["evaluate", "-p", "{bad}", "--as-of", "2025-06-30"], "practices.csv:3:19: malformed CSV"),
        (["evaluate", "-p", DEMO, "--as-of", "30/06/2025"], "YYYY-MM-DD"),
        (["evaluate", "-p", DEMO, "--as-of", "2025-06-30", "--format", "xml"], "'xml' is not one of"),
        (["evaluate", "-p", DEMO, "--as-of", "2025-06-30", "--threads", "-1"], "--threads"),
        (["payments", "-p", DEMO, "--as-of", "2025-06-30", "--format", "csv"], "--out"),
        (["demo", "--format", "csv"], "--out"),
        (["budget"], "--patients"),
        (["budget", "--patients", "10"], "--with-plan"),
        (["budget", "--patients", "10", "--with-plan", "11"], "only 10 care home patients"),
        (["budget", "-p", DEMO], "--as-of"),
        (["budget", "--patients", "-5", "--with-plan", "0"], "--patients"),
        (["budget", "--patients", "10", "--with-plan", "5", "--scheme", "care-homes-es"], "no payment item"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_arguments_fail_with_a_clear_message(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "practices.csv").write_text('id,name,list_size\nP1,Park,9500\nP2,"Oak, Lodge",1,extra\n', encoding="utf-8")
    args = [a.replace("{empty}", str(tmp_path / "empty")).replace("{bad}", str(tmp_path / "bad")) for a in args]
    out = run(*args)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def _run_on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Runs the command with stderr on a pseudo-terminal; returns (exit code, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    termios.tcsetwinsize(slave, (24, 100))  # a terminal has a size; a new pseudo-terminal reports 0 x 0
    # stdout goes to a file, not a pipe: the JSON document is larger than a pipe's buffer, and the child would
    # block writing it while this side is still reading the terminal.
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "carerules", *args], stdout=stdout, stderr=slave,
                                env={**os.environ, **env})
        os.close(slave)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        code = proc.wait()
        os.close(master)
        stdout.seek(0)
        written = stdout.read()
    return code, written.decode(), shown.decode(errors="replace")


def test_progress_bar_on_a_terminal_for_long_runs() -> None:
    args = ("evaluate", "-p", DEMO, "--as-of", "2025-06-30")
    code, stdout, shown = _run_on_a_terminal(*args, env={"CARERULES_PROGRESS_DELAY": "0"})
    assert code == 0
    assert json.loads(stdout)["as_of"] == "2025-06-30"
    assert "phases" in shown and all(phase in shown for phase in ("load", "evaluate", "write")), shown
    # A run shorter than the delay shows nothing, even on a terminal.
    code, _, shown = _run_on_a_terminal(*args, env={"CARERULES_PROGRESS_DELAY": "60"})
    assert code == 0 and "phases" not in shown, shown
