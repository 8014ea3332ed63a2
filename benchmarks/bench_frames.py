"""Rows per second from pandas into the C++ model, against the JSON loader on the same records.

Builds a synthetic population (about 1.5 million events by default) as DataFrames with NumPy only, writes the
same records as carerules.population/1 JSON and as a folder of CSV extracts, then times:

- population_from_frames with the frames as pandas makes them (str columns: Arrow-backed when pyarrow is
  installed), with object (Python str) columns, and with dates as datetime64 instead of ISO strings;
- load_population on the JSON file;
- load_population on the CSV folder (pandas.read_csv, then the same columnar path).

Every path must accept the same records; the script checks that the populations agree before timing them.

Run: .venv/bin/python benchmarks/bench_frames.py [--events 1500000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

import carerules


def where_or_none(mask: Any, values: Any) -> Any:
    """An object column: `values` (an array or one value) where `mask`, None elsewhere."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = values[mask] if isinstance(values, np.ndarray) else values
    return out

ACTIVITIES = np.array(
    ["holistic_assessment", "mca_assessment", "medication_review", "falls_assessment", "care_plan", "gp_review",
     "clinic_review", "admin_review", "care_planning", "preferred_place_of_death"],
    dtype=object,
)


def ids(prefix: str, n: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(n).astype(str), 7)).astype(object)


def iso(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype(str).astype(object)


def synthetic(events: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """A population with `events` events: about one resident per 100 events, 50 residents a home."""
    rng = np.random.default_rng(seed)
    n_res = max(events // 100, 10)
    n_homes = max(n_res // 50, 2)
    n_prac = max(n_homes // 5, 1)
    n_clin = n_prac * 10
    practice_ids = ids("P", n_prac)
    clinician_ids = ids("C", n_clin)
    home_ids = ids("H", n_homes)
    resident_ids = ids("R", n_res)

    practices = pd.DataFrame({"id": practice_ids, "name": np.char.add("Practice ", np.arange(n_prac).astype(str)).astype(object),
                              "list_size": rng.integers(5000, 15000, n_prac)})
    clin_practice = np.repeat(np.arange(n_prac), 10)
    roles = np.tile(np.array(["gp", "gp", "gp", "gp", "nurse", "nurse", "nurse", "pharmacist", "other", "other"], dtype=object), n_prac)
    quals = where_or_none(roles == "nurse", "gpn-specialist-practitioner;district-nurse-pgdip")
    clinicians = pd.DataFrame({"id": clinician_ids, "practice": practice_ids[clin_practice], "role": roles, "qualifications": quals})
    home_practice = np.arange(n_homes) % n_prac
    homes = pd.DataFrame({"id": home_ids, "name": np.char.add("Home ", np.arange(n_homes).astype(str)).astype(object),
                          "kind": np.where(np.arange(n_homes) % 2 == 0, "nursing", "residential").astype(object),
                          "beds": rng.integers(20, 80, n_homes), "practice": practice_ids[home_practice],
                          "lead_gp": clinician_ids[home_practice * 10]})

    epoch = np.datetime64("2015-04-01", "D").astype(np.int64)
    born = np.datetime64("1925-01-01", "D").astype(np.int64) + rng.integers(0, 365 * 20, n_res)
    start = epoch + rng.integers(0, 365 * 9, n_res)
    res_home = rng.integers(0, n_homes, n_res)
    in_cohort = rng.random(n_res) < 0.5
    residents = pd.DataFrame({
        "id": resident_ids, "born": iso(born), "practice": practice_ids[home_practice[res_home]],
        "declined_aligned_practice": np.zeros(n_res, dtype=bool),
        "cohort_reason": where_or_none(in_cohort, "care_home"),
        "cohort_from": where_or_none(in_cohort, iso(start)),
        "risk_score": np.round(rng.random(n_res), 2),
    })
    ended = rng.random(n_res) < 0.3
    end = start + rng.integers(30, 900, n_res)
    stays = pd.DataFrame({
        "id": ids("S", n_res), "resident": resident_ids, "home": home_ids[res_home], "start": iso(start),
        "end": where_or_none(ended, iso(end)),
        "residency": np.where(rng.random(n_res) < 0.9, "permanent", "temporary").astype(object),
        "end_reason": where_or_none(ended, "discharge"),
    })
    n_adm = n_res // 2
    adm_res = rng.integers(0, n_res, n_adm)
    adm_start = start[adm_res] + rng.integers(1, 300, n_adm)
    admissions = pd.DataFrame({
        "id": ids("A", n_adm), "resident": resident_ids[adm_res], "start": iso(adm_start),
        "end": iso(adm_start + rng.integers(1, 20, n_adm)),
        "method": np.where(rng.random(n_adm) < 0.8, "emergency", "elective").astype(object),
    })

    # Events: 95% resident activities after their stay started, 4% home clinic visits, 1% clinician training.
    kind = rng.random(events)
    ev_res = rng.integers(0, n_res, events)
    ev_home = rng.integers(0, n_homes, events)
    ev_clin = rng.integers(0, n_clin, events)
    is_res = kind < 0.95
    is_home = (kind >= 0.95) & (kind < 0.99)
    is_clin = kind >= 0.99
    date = np.where(is_res, start[ev_res] + rng.integers(0, 700, events), epoch + rng.integers(0, 365 * 10, events))
    activity = np.where(is_res, ACTIVITIES[rng.integers(0, len(ACTIVITIES), events)],
                        np.where(is_home, "clinic_visit", "safeguarding_training")).astype(object)
    events_df = pd.DataFrame({
        "id": ids("E", events), "date": iso(date),
        "resident": where_or_none(is_res, resident_ids[ev_res]),
        "home": where_or_none(is_home, home_ids[ev_home]),
        "clinician": where_or_none(is_clin, clinician_ids[ev_clin]),
        "activity": activity,
        "performer": where_or_none(is_res, clinician_ids[home_practice[res_home[ev_res]] * 10 + rng.integers(0, 5, events)]),
    })
    return {"practices": practices, "clinicians": clinicians, "homes": homes, "residents": residents, "stays": stays,
            "admissions": admissions, "events": events_df}


def write_json(frames: dict[str, pd.DataFrame], path: Path) -> None:
    parts = ['{"format": "carerules.population/1"']
    for name, frame in frames.items():
        out = frame.copy()
        if name == "residents":
            reason, since = out.pop("cohort_reason"), out.pop("cohort_from")
            text = out.to_json(orient="records")
            rows = json.loads(text)
            for row, r, f in zip(rows, reason, since):
                row["cohort"] = {"reason": r, "from": f} if isinstance(r, str) else None
            text = json.dumps(rows)
        elif name == "clinicians":
            rows = json.loads(out.to_json(orient="records"))
            for row in rows:
                q = row.get("qualifications")
                row["qualifications"] = q.split(";") if q else []
            text = json.dumps(rows)
        else:
            text = out.to_json(orient="records")
        parts.append(f', "{name}": {text}')
    parts.append("}")
    path.write_text("".join(parts), encoding="utf-8")


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_500_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    frames = synthetic(args.events)
    rows = sum(len(f) for f in frames.values())
    print(f"synthetic population: {rows:,} rows ({len(frames['events']):,} events, {len(frames['residents']):,} residents), "
          f"built in {time.perf_counter() - t0:.1f} s")

    # The frames as an analyst has them after pd.DataFrame(...): pandas' default str dtype for text (Arrow-backed
    # when pyarrow is installed), and the same with object columns of Python str, and with datetime64 dates.
    text = {k: [c for c in v.columns if pd.api.types.is_string_dtype(v[c].dtype)] for k, v in frames.items()}
    default = {k: v.astype({c: "str" for c in text[k]}) for k, v in frames.items()}
    obj = {k: v.astype({c: object for c in text[k]}) for k, v in frames.items()}
    dated = {k: v.copy() for k, v in obj.items()}
    for name, cols in {"residents": ["born"], "stays": ["start", "end"], "admissions": ["start", "end"], "events": ["date"]}.items():
        for c in cols:
            dated[name][c] = pd.to_datetime(dated[name][c]).astype("datetime64[s]")

    with tempfile.TemporaryDirectory() as tmp:
        json_path = Path(tmp) / "population.json"
        write_json(frames, json_path)
        csv_dir = Path(tmp) / "extracts"
        carerules.write_extracts(frames, csv_dir)
        print(f"JSON file {json_path.stat().st_size / 1e6:.0f} MB; CSV extracts "
              f"{sum(p.stat().st_size for p in csv_dir.iterdir()) / 1e6:.0f} MB")

        runs: list[tuple[str, Callable[[], Any]]] = [
            ("population_from_frames (pandas str columns" + (", Arrow-backed)" if getattr(default["events"]["id"].dtype, "storage", None) == "pyarrow" else ")"),
             lambda: carerules.population_from_frames(**default)),
            ("population_from_frames (object columns of Python str)", lambda: carerules.population_from_frames(**obj)),
            ("population_from_frames (object columns, dates as datetime64[s])", lambda: carerules.population_from_frames(**dated)),
            ("load_population(JSON file)", lambda: carerules.load_population(json_path)),
            ("load_population(folder of CSV extracts)", lambda: carerules.load_population(csv_dir)),
        ]
        reference = None
        print(f"\n{'path':<70} {'seconds':>8} {'rows/s':>12}")
        for label, fn in runs:
            seconds, population = best_of(args.repeat, fn)
            counts = population.counts["total"]
            summary = population.summary()
            summary.pop("memory_bytes", None)
            if reference is None:
                reference = (counts, summary)
            elif (counts, summary) != reference:
                raise SystemExit(f"{label}: a different population: {counts} {summary} != {reference}")
            print(f"{label:<70} {seconds:8.2f} {rows / seconds:12,.0f}")
        assert reference is not None and reference[0]["rejected"] == 0, reference
    print(f"\nbest of {args.repeat}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"pandas {pd.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
