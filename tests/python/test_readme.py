"""The README's commands, run as written, in order, in an empty folder: each reads the files the ones before it
wrote. Not run: the two set-up commands (./dev demo, ./dev test: the test suite is what ./dev test runs), the C++
snippet (a fragment; tests/consumer builds a program against the installed library), and the system packages'
`apt-get install` lines, which are checked instead: each package they name is one that is installed here."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    """(language, text) of each fenced block, in order."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(README)]


def shell_lines(text: str) -> list[str]:
    """A shell block's commands, one a line (the README uses no continuation lines)."""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


SET_UP = ["./dev demo", "./dev test"]


def test_the_first_block_is_the_two_set_up_commands() -> None:
    language, text = blocks()[0]
    assert language == "sh"
    assert [line.split("#")[0].strip() for line in shell_lines(text)] == SET_UP
    every = [line for lang, t in blocks() if lang == "sh" for line in shell_lines(t)]
    assert [line for line in every if line.startswith("./dev")] == [line for line in shell_lines(text)]


def test_system_packages_the_readme_names_are_real_and_installed() -> None:
    named = [shlex.split(line.split("#")[0])[3:] for lang, t in blocks() if lang == "sh" for line in shell_lines(t)
             if line.startswith("sudo apt-get install")]
    assert len(named) == 2  # pip users, CMake users
    for packages in named:
        assert {"nlohmann-json3-dev", "libhowardhinnant-date-dev"} <= set(packages)
        for package in packages:
            status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True,
                                    check=False).stdout
            assert status == "install ok installed", package


def test_the_readme_demo_path_exists() -> None:
    paths = re.findall(r"\[`(python/carerules/data/[^`]+)`\]", README)
    assert paths == ["python/carerules/data/demo_population.json"]
    assert (ROOT / paths[0]).is_file()


def test_every_command_runs_as_written(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = 0
    for language, text in blocks():
        if language == "sh":
            for line in shell_lines(text):
                if line.startswith(("./dev ", "sudo apt-get install")):
                    continue
                out = subprocess.run(["bash", "-c", f"set -eo pipefail; {line}"], cwd=tmp_path, env=env,
                                     capture_output=True, text=True, check=False)
                assert out.returncode == 0, f"{line}\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
                assert "Traceback" not in out.stderr, line
                ran += 1
        elif language == "python":
            out = subprocess.run([sys.executable, "-c", text], cwd=tmp_path, env=env, capture_output=True, text=True,
                                 check=False)
            assert out.returncode == 0, f"{text}\n{out.stderr[-2000:]}"
            ran += 1
    assert ran >= 15
    # What the tour says it writes is there.
    for written in ("practice.json", "result.json", "results/tasks.csv", "claims/payment-totals.csv", "my-scheme.json",
                    "clinic.html", "meeting.html", "quarterly/quarterly-2024-25-Q4.html", "dashboard/dashboard-all.html"):
        assert (tmp_path / written).is_file(), written


@pytest.mark.parametrize("name", ["broken.json"])
def test_the_broken_example_breaks_one_resident(name: str, tmp_path: Path) -> None:
    """The README's 30 February example rejects the first resident (and what refers to it), not everything."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    lines = [line for lang, t in blocks() if lang == "sh" for line in shell_lines(t)]
    make = [line for line in lines if line.startswith(("carerules synthesize", "sed "))]
    assert len(make) == 2
    for line in make:
        subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, check=True, capture_output=True)
    out = subprocess.run(["carerules", "evaluate", "-p", name, "--as-of", "2025-03-31", "--out", "r.json"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0
    assert re.search(r'residents\[0\] \(id "R\w+"\): field "born" = "1931-02-30" is not a date', out.stderr)
    assert re.search(r"records rejected \(1 in residents,", out.stderr)
