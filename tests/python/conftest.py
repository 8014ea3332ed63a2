"""Shared fixtures: the bundled demo population and small populations built in the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import carerules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_population() -> carerules.Population:
    return carerules.load_population(carerules.demo_population_path())


def small_population_dict() -> dict[str, Any]:
    """One practice, one home, one GP, one resident admitted on 2025-01-10 with a care plan on 2025-01-20."""
    return {
        "format": "carerules.population/1",
        "practices": [{"id": "P1", "name": "Park Surgery", "list_size": 9500}],
        "clinicians": [{"id": "C1", "practice": "P1", "role": "gp", "qualifications": []}],
        "homes": [{"id": "H1", "name": "Oak Lodge", "kind": "nursing", "beds": 42, "practice": "P1", "lead_gp": "C1"}],
        "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1", "declined_aligned_practice": False}],
        "stays": [{"id": "S1", "resident": "R1", "home": "H1", "start": "2025-01-10", "end": None,
                   "residency": "permanent", "end_reason": None}],
        "admissions": [],
        "events": [{"id": "E1", "date": "2025-01-20", "resident": "R1", "activity": "care_plan", "performer": "C1"}],
    }


@pytest.fixture
def small_population_file(tmp_path: Path) -> Path:
    path = tmp_path / "population.json"
    path.write_text(json.dumps(small_population_dict()), encoding="utf-8")
    return path
