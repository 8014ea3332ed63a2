"""A new user's first hour: ./dev says what it is doing and runs every stage, rejected records are never
silent, the reports say what to install, --out takes a folder, and people read pounds, names and quarters."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
import pytest
from click.testing import CliRunner, Result

import carerules
from carerules.cli import cli
from conftest import ROOT, small_population_dict

DEMO = str(carerules.demo_population_path())


def run(*args: str, python_prelude: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Runs the command as a user would; `python_prelude` runs first in the same interpreter (to hide a package)."""
    if python_prelude is None:
        command = [sys.executable, "-m", "carerules", *args]
    else:
        command = [sys.executable, "-c", f"{python_prelude}\nfrom carerules.cli import main\nmain()", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)


def invoke(*args: str) -> Result:
    """Runs the command in this process (quicker than a new interpreter for each of many runs)."""
    return CliRunner().invoke(cli, list(args))


# ./dev ------------------------------------------------------------------------------------------------------


def run_stages(script: str) -> subprocess.CompletedProcess[str]:
    """Sources ./dev (which then defines its functions only) and runs `script` with them."""
    return subprocess.run(["bash", "-c", f'set -euo pipefail; source "{ROOT / "dev"}"; {script}'], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def test_dev_runs_every_stage_when_one_fails_and_summarises_them() -> None:
    out = run_stages('run_stage "first" true; run_stage "second" bash -c "exit 3"; '
                     'stops() { false; echo "went on after a failing step"; }; run_stage "third" stops; '
                     'run_stage "fourth" true; summary')
    assert out.returncode == 1
    # Each stage is named as it starts.
    for number, name in enumerate(["first", "second", "third", "fourth"], start=1):
        assert f"==> [{number}] {name}" in out.stderr
    assert "[2] second failed (exit 3)" in out.stderr
    # A stage stops at its first failing step, and the next stage still runs.
    assert "went on after a failing step" not in out.stdout + out.stderr
    summary = out.stderr[out.stderr.index("==> summary"):]
    assert re.findall(r"^  (passed|failed) +\d+s  (\w+)$", summary, re.M) == [
        ("passed", "first"), ("failed", "second"), ("failed", "third"), ("passed", "fourth")]
    assert "2 of 4 stages failed" in summary


def test_dev_passes_when_every_stage_passes() -> None:
    out = run_stages('run_stage "only" true; summary')
    assert out.returncode == 0, out.stderr
    assert "all 1 stages passed" in out.stderr


def test_dev_test_runs_each_stage_through_the_stage_runner_and_ci_calls_it() -> None:
    dev = (ROOT / "dev").read_text(encoding="utf-8")
    test_branch = dev[dev.index("    test)"):dev.index("      summary")]
    for stage in ("ensure_system_packages", "ensure_python_packages", "ensure_carerules_installed", "cpp_stages release",
                  "cpp_stages sanitize", "mypy --strict", "pytest"):
        assert stage in test_branch
    assert ">/dev/null" not in dev[dev.index("cpp_build()"):dev.index("cpp_test()")]  # Ninja's [done/all] shows
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1] == "./dev test"


# Rejected records and --strict --------------------------------------------------------------------------------


@pytest.fixture
def born_on_30_february(tmp_path: Path) -> Path:
    """The small population with its resident born on 1931-02-30: the resident, its stay and its event go."""
    doc = small_population_dict()
    doc["residents"][0]["born"] = "1931-02-30"
    path = tmp_path / "born-30-february.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


COMMANDS = [
    ["evaluate", "-p", "{pop}", "--as-of", "2025-06-30", "--out", "{tmp}/result.json"],
    ["payments", "-p", "{pop}", "--as-of", "2025-06-30"],
    ["cohort", "-p", "{pop}", "--as-of", "2025-06-30"],
    ["budget", "-p", "{pop}", "--as-of", "2025-06-30"],
    ["demo", "-p", "{pop}", "--as-of", "2025-06-30"],
    ["report", "clinic-list", "-p", "{pop}", "--home", "H1", "--visit-date", "2025-06-30"],
    ["report", "meeting-pack", "-p", "{pop}", "--home", "H1", "--as-of", "2025-06-30", "--out", "{tmp}/pack.html"],
    ["report", "quarterly", "-p", "{pop}", "--as-of", "2025-06-30", "--out", "{tmp}/q/"],
    ["report", "dashboard", "-p", "{pop}", "--as-of", "2025-06-30", "--out", "{tmp}/dashboard/"],
]


def _args(args: list[str], pop: Path, tmp: Path) -> list[str]:
    return [a.replace("{pop}", str(pop)).replace("{tmp}", str(tmp)) for a in args]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_summarises_rejected_records_on_stderr(args: list[str], born_on_30_february: Path,
                                                             tmp_path: Path) -> None:
    out = invoke(*_args(args, born_on_30_february, tmp_path))
    assert out.exit_code == 0, out.output
    assert "3 of 6 records rejected (1 in residents, 1 in stays, 1 in events)" in out.stderr
    assert 'residents[0] (id "R1"): field "born" = "1931-02-30" is not a date that exists' in out.stderr
    assert 'stays[0] (id "S1"): field "resident" = "R1" names a resident that was rejected' in out.stderr
    assert out.exception is None


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_strict_makes_any_rejection_an_error_before_anything_is_written(args: list[str], born_on_30_february: Path,
                                                                         tmp_path: Path) -> None:
    out = invoke(*_args(args, born_on_30_february, tmp_path), "--strict")
    assert out.exit_code == 1
    assert "--strict: 3 rejected records" in out.stderr
    assert out.stdout == ""
    assert list(tmp_path.iterdir()) == [born_on_30_february]


def test_strict_passes_a_clean_population(small_population_file: Path) -> None:
    out = run("evaluate", "-p", str(small_population_file), "--as-of", "2025-06-30", "--strict")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert json.loads(out.stdout)["input"]["rejected"] == 0


def test_the_summary_quotes_the_first_three_reasons_and_counts_the_rest(tmp_path: Path) -> None:
    doc = small_population_dict()
    doc["events"] = [{"id": f"E{i}", "date": "2025-02-30", "resident": "R1", "activity": "care_plan", "performer": "C1"}
                     for i in range(5)]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = run("evaluate", "-p", str(path), "--as-of", "2025-06-30")
    assert out.returncode == 0
    assert "5 of 10 records rejected (5 in events)" in out.stderr
    assert [f'events[{i}] (id "E{i}")' in out.stderr for i in range(5)] == [True, True, True, False, False]
    assert "... and 2 more" in out.stderr


# The reports without their optional packages -------------------------------------------------------------------

WITHOUT_JINJA = "import sys; sys.modules['jinja2'] = None"
WITHOUT_REPORTS = "import sys; sys.modules['jinja2'] = None; sys.modules['plotly'] = None"


@pytest.mark.parametrize("args, prelude, missing", [
    (["report", "clinic-list", "-p", DEMO, "--home", "H1", "--visit-date", "2026-11-03", "--format", "html"],
     WITHOUT_JINJA, "jinja2, which is"),
    (["report", "meeting-pack", "-p", DEMO, "--home", "H1", "--as-of", "2026-11-01"], WITHOUT_JINJA, "jinja2, which is"),
    (["report", "quarterly", "-p", DEMO, "--as-of", "2026-11-01"], WITHOUT_JINJA, "jinja2, which is"),
    (["report", "dashboard", "-p", DEMO, "--as-of", "2026-11-01", "--out", "{tmp}/d"], WITHOUT_REPORTS,
     "jinja2 and plotly, which are"),
])
def test_html_reports_without_their_packages_say_what_to_install(args: list[str], prelude: str, missing: str,
                                                                 tmp_path: Path) -> None:
    out = run(*[a.replace("{tmp}", str(tmp_path)) for a in args], python_prelude=prelude)
    assert out.returncode == 1
    assert out.stderr == f"Error: the HTML reports need {missing} not installed: pip install 'carerules[reports]'\n"
    assert not (tmp_path / "d").exists()


def test_the_csv_clinic_list_needs_no_optional_package() -> None:
    out = run("report", "clinic-list", "-p", DEMO, "--home", "H1", "--visit-date", "2026-11-03",
              python_prelude=WITHOUT_REPORTS)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("rank,resident,")


# --out as a folder -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("out, existing", [("q1/", False), ("q1", False), ("q1", True), ("q1/", True)])
def test_quarterly_out_names_a_folder_and_gets_a_proper_file_name(out: str, existing: bool, tmp_path: Path) -> None:
    if existing:
        (tmp_path / "q1").mkdir()
    result = run("report", "quarterly", "-p", DEMO, "--as-of", "2026-07-01", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "q1" / "quarterly-2026-27-Q1.html"
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()] == [written.relative_to(tmp_path)]
    assert written.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert f"to {Path('q1') / 'quarterly-2026-27-Q1.html'}" in result.stderr


def test_quarterly_out_with_a_suffix_is_the_file(tmp_path: Path) -> None:
    result = run("report", "quarterly", "-p", DEMO, "--as-of", "2026-07-01", "--practice", "P1", "--out", "p1.html",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["p1.html"]


def test_clinic_list_and_meeting_pack_into_folders(tmp_path: Path) -> None:
    clinic = run("report", "clinic-list", "-p", DEMO, "--home", "H1", "--visit-date", "2026-11-03", "--format", "html",
                 "--out", "clinics/", cwd=tmp_path)
    assert clinic.returncode == 0, clinic.stderr
    pack = run("report", "meeting-pack", "-p", DEMO, "--home", "H1", "--as-of", "2026-11-01", "--out", "packs",
               cwd=tmp_path)
    assert pack.returncode == 0, pack.stderr
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.html")) == [
        "clinics/clinic-list-H1-2026-11-03.html", "packs/meeting-pack-H1.html"]


# One vocabulary for people -----------------------------------------------------------------------------------


def test_payments_text_is_in_pounds_with_practice_names_and_quarters_as_people_write_them() -> None:
    out = run("payments", "-p", DEMO, "--as-of", "2026-03-31")
    assert out.returncode == 0, out.stderr
    assert "_pence" not in out.stdout
    row = re.search(r"^care-homes-es +Park Surgery \(P1\) +2025-26 Q1 +(\d+) +(£[\d,]+\.\d\d) ", out.stdout, re.M)
    assert row is not None, out.stdout
    # The same figure as the JSON's integer pence for the same quarter.
    doc = json.loads(run("payments", "-p", DEMO, "--as-of", "2026-03-31", "--format", "json").stdout)
    [total] = [t for t in doc["totals"] if t["scheme"] == "care-homes-es" and t["practice"] == "P1"
               and t["financial_year"] == "2025-26" and t["quarter"] == "Q1"]
    assert row.group(2) == carerules._core.format_pounds(total["payable_pence"], True)
    assert int(row.group(1)) == total["lines"]


def test_demo_text_writes_quarters_one_way_and_names_practices_with_their_ids() -> None:
    out = run("demo", "--as-of", "2026-11-01")
    assert out.returncode == 0, out.stderr
    payments = out.stdout[out.stdout.index("== Payment lines"):out.stdout.index("== Findings")]
    assert re.search(r"Park Surgery \(P1\) +2026-27 Q1 ", payments)
    assert re.findall(r"(?<!\d{4}-\d{2} )\bQ[1-4]\b", out.stdout) == []  # never a quarter without its year


def test_sentences_name_activities_as_people_do() -> None:
    doc = json.loads(run("evaluate", "-p", DEMO, "--as-of", "2026-11-01").stdout)
    entry = [t for t in doc["tasks"] if t["obligation"] == "entry-assessment" and t["status"] == "overdue"]
    assert entry
    falls = [t for t in entry if t["missing"] == ["falls_assessment"]]
    assert falls, entry
    # The program's field keeps the id; the sentence a manager reads names the activity.
    assert all(t["because"].endswith("; still missing falls assessment") for t in falls)
    assert not any(re.search(r"[a-z]_[a-z]", t["because"]) for t in doc["tasks"])


def test_cohort_never_rounds_a_small_share_to_nothing(tmp_path: Path) -> None:
    out = run("cohort", "-p", DEMO, "--as-of", "2025-06-30")
    assert out.returncode == 0, out.stderr
    assert " 0% of the list" not in out.stdout
    # Park Surgery: 15 of 9,500 in the cohort (0.16%), 2 by clinical judgement (0.02%).
    park = out.stdout[out.stdout.index("Park Surgery (P1)"):out.stdout.index("Riverside")]
    assert "cohort 15 (0.2% of the list; at most 475)" in park
    assert "clinical judgement 2 (under 0.1% of the list)" in park


def test_budget_text_writes_no_false_equation() -> None:
    out = run("budget", "--patients", "1500", "--with-plan", "912")
    assert out.returncode == 0, out.stderr
    assert "1,500 x £170.00 per patient (£110.00 + 2 x £30.00)  £255,000.00" in out.stdout
    assert "912 x £120.00 per patient (3 x £40.00)" in out.stdout
    assert not re.search(r"x £[\d,.]+ = ", out.stdout)


# The demo: what is not tied to a home ---------------------------------------------------------------------------


def test_demo_lists_residents_under_their_home_and_explains_tasks_older_than_the_extract() -> None:
    out = run("demo", "--as-of", "2026-11-01").stdout
    sections = {s.split("\n", 1)[0]: s for s in out.split("\n== ")[1:]}
    [beech] = [s for title, s in sections.items() if title.startswith("Beech House (H2)")]
    [others] = [s for title, s in sections.items() if title.startswith("Not tied to a home")]
    # R007 lives in Beech House: its annual health review (an obligation of the patient, not of the home) is
    # listed there, marked as older than anything the extract records, and explained.
    assert re.search(r"- R007 +due 2013-04-01\* Annual health review", beech)
    assert "R007" not in others
    assert re.search(r"^\* \d+ overdue since before \d{4}-\d\d-\d\d, the first work this extract records", out, re.M)
    # What is left is community patients and clinicians.
    assert re.search(r"^   - clinician C12 ", others, re.M)
    assert "overdue since 2013" not in others


# CMake: installing needs no doctest; a missing library names its Debian package -----------------------------------


def cmake() -> str:
    found = shutil.which("cmake", path=str(Path(sys.executable).parent)) or shutil.which("cmake")
    assert found, "cmake is installed by requirements-dev.txt"
    return found


def test_cmake_configures_for_install_without_doctest_or_the_tests(tmp_path: Path) -> None:
    out = subprocess.run([cmake(), "-S", str(ROOT), "-B", str(tmp_path), "-G", "Ninja",
                          "-DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON"], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "carerules_tests" not in (tmp_path / "build.ninja").read_text(encoding="utf-8")
    assert "install" in (tmp_path / "build.ninja").read_text(encoding="utf-8")


@pytest.mark.parametrize("package, debian", [("nlohmann_json", "nlohmann-json3-dev"),
                                             ("date", "libhowardhinnant-date-dev")])
def test_cmake_names_the_debian_package_of_a_missing_library(package: str, debian: str, tmp_path: Path) -> None:
    out = subprocess.run([cmake(), "-S", str(ROOT), "-B", str(tmp_path), "-G", "Ninja",
                          f"-DCMAKE_DISABLE_FIND_PACKAGE_{package}=ON"], capture_output=True, text=True, check=False)
    assert out.returncode != 0
    assert f"sudo apt-get install {debian}" in out.stderr


def test_cmake_names_doctest_when_the_tests_are_asked_for(tmp_path: Path) -> None:
    out = subprocess.run([cmake(), "-S", str(ROOT), "-B", str(tmp_path), "-G", "Ninja", "-DCARERULES_BUILD_TESTS=ON",
                          "-DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON"], capture_output=True, text=True, check=False)
    assert out.returncode != 0
    assert "sudo apt-get install doctest-dev" in out.stderr


def test_pip_builds_neither_the_tests_nor_needs_doctest() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'CARERULES_BUILD_TESTS = "OFF"' in pyproject


# A progress bar in every command that loads, evaluates or generates a population ----------------------------------


@pytest.mark.parametrize("args", [
    ["cohort", "-p", DEMO, "--as-of", "2025-06-30"],
    ["budget", "-p", DEMO, "--as-of", "2025-06-30"],
    ["payments", "-p", DEMO, "--as-of", "2025-06-30"],
    ["report", "clinic-list", "-p", DEMO, "--home", "H1", "--visit-date", "2026-11-03"],
    ["synthesize", "--preset", "home", "--out", "{tmp}/home.json"],
], ids=lambda a: a[0] if a[0] != "report" else a[1])
def test_every_command_shows_a_progress_bar_on_a_terminal(args: list[str], tmp_path: Path) -> None:
    from test_command_line import _run_on_a_terminal

    code, _, shown = _run_on_a_terminal(*[a.replace("{tmp}", str(tmp_path)) for a in args],
                                        env={"CARERULES_PROGRESS_DELAY": "0"})
    assert code == 0, shown
    assert re.search(r"(load|evaluate|count|generate|write): \d/\d phases", shown), shown
