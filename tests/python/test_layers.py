"""Layers point one way: no header or source of a layer includes one of a layer above it (docs/architecture.md)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("core", "model", "io", "schemes", "engine", "results", "reports")
INCLUDE = re.compile(r'^\s*#\s*include\s+["<](?:carerules/)?([a-z_]+)/', re.MULTILINE)


def _layer_of(path: Path) -> str:
    for base in (ROOT / "include" / "carerules", ROOT / "src"):
        if base in path.parents:
            return path.relative_to(base).parts[0]
    raise AssertionError(path)


def _library_files() -> list[Path]:
    files = [p for base in (ROOT / "include" / "carerules", ROOT / "src") for p in base.rglob("*.[ch]pp")]
    return [p for p in files if p.parent != ROOT / "include" / "carerules"]  # the umbrella header includes all


def test_every_library_file_is_in_a_layer_folder() -> None:
    files = _library_files()
    assert len(files) > 30
    assert {_layer_of(p) for p in files} == set(LAYERS)


def test_no_include_points_up_a_layer() -> None:
    upward = []
    for path in _library_files():
        own = LAYERS.index(_layer_of(path))
        for layer in INCLUDE.findall(path.read_text(encoding="utf-8")):
            if layer in LAYERS and LAYERS.index(layer) > own:
                upward.append(f"{path.relative_to(ROOT)} includes {layer}/")
    assert upward == []


def test_the_check_sees_an_upward_include() -> None:
    # The pattern reads both spellings the project uses, so the check above cannot pass by reading nothing.
    text = '#include "carerules/reports/cohort.hpp"\n#include "engine/engine_internal.hpp"\n'
    assert INCLUDE.findall(text) == ["reports", "engine"]
