"""Engine benchmark: load, evaluate (one and two threads), and re-evaluate one resident after a new event.

Populations: the bundled demo (2 practices, 142 patients, 2,621 events) and the demo replicated N times with
renamed ids (`--copies`, default 352: about 50,000 residents and 920,000 events), so that the mix of stays,
admissions and care is the demo's at any size. Also times what an analyst would write instead for four rules
(benchmarks/alternatives: pandas, and SQL on DuckDB on one thread) on the same data, after checking that they
give carerules' rows exactly. benchmarks/bench_national.py does the same on a national synthetic population.

Speed is measured here, never in tests. Run:

    .venv/bin/python benchmarks/bench_engine.py                 # demo and ~50,000 residents
    .venv/bin/python benchmarks/bench_engine.py --copies 50     # smaller
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pandas as pd

import carerules
from carerules import _frames

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alternatives import common, duckdb_rules, pandas_rules  # noqa: E402

ID_COLUMNS = {
    "practices": ["id"],
    "clinicians": ["id", "practice"],
    "homes": ["id", "practice", "lead_gp"],
    "residents": ["id", "practice"],
    "stays": ["id", "resident", "home"],
    "admissions": ["id", "resident"],
    "events": ["id", "resident", "home", "clinician", "performer"],
}


def replicate(frames: dict[str, pd.DataFrame], copies: int) -> dict[str, pd.DataFrame]:
    """The demo `copies` times over, every id suffixed with its copy number (references stay inside a copy)."""
    out: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        parts = []
        for c in range(copies):
            part = frame.copy()
            for col in ID_COLUMNS.get(name, []):
                if col in part:
                    part[col] = part[col].where(part[col].isna(), part[col].astype(str) + f"~{c}")
            parts.append(part)
        out[name] = pd.concat(parts, ignore_index=True)
    return out


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    value = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def run(copies: int, repeat: int, as_of: datetime.date) -> dict[str, Any]:
    demo_path = carerules.demo_population_path()
    base = _frames.frames_from_json(demo_path)
    results: dict[str, Any] = {}
    populations: list[tuple[str, dict[str, pd.DataFrame]]] = [("demo", base)]
    if copies > 1:
        populations.append((f"demo x{copies}", replicate(base, copies)))
    with tempfile.TemporaryDirectory() as tmp:
        for label, frames in populations:
            path = Path(tmp) / "population.json"
            doc: dict[str, Any] = {"format": "carerules.population/1"}
            for name, frame in frames.items():
                doc[name] = json.loads(frame.to_json(orient="records"))
                if name == "residents":
                    for r in doc[name]:
                        reason, start = r.pop("cohort_reason", None), r.pop("cohort_from", None)
                        r["cohort"] = {"reason": reason, "from": start} if reason else None
                if name == "clinicians":
                    for c in doc[name]:
                        q = c.get("qualifications")
                        c["qualifications"] = q.split(";") if isinstance(q, str) and q else []
            path.write_text(json.dumps(doc), encoding="utf-8")
            t_json, pop = timed(lambda: carerules.load_population(path), repeat)
            t_frames, pop_f = timed(lambda: carerules.population_from_frames(**frames), repeat)
            summary = pop.summary()
            assert pop.counts["total"]["rejected"] == 0, pop.counts
            row: dict[str, Any] = {
                "residents": summary["residents"],
                "events": summary["events"],
                "bytes_per_event": round(summary["memory_bytes"] / max(1, summary["events"]), 1),
                "load_json_s": t_json,
                "load_frames_s": t_frames,
            }
            for schemes in (["care-homes-es"], ["care-homes-es", "case-management-les"]):
                for threads in (1, 2):
                    ev = carerules.Evaluator(pop, schemes, threads=threads)
                    t, res = timed(lambda: ev._core.evaluate(as_of), repeat)
                    row[f"evaluate_{len(schemes)}schemes_{threads}t_s"] = t
                    row[f"tasks_{len(schemes)}schemes"] = res.task_count
                    row[f"lines_{len(schemes)}schemes"] = res.payment_count
            ev = carerules.Evaluator(pop, ["care-homes-es", "case-management-les"])
            t_df, _ = timed(lambda: ev.evaluate(as_of).tasks, 1)
            row["evaluate_and_tasks_dataframe_s"] = t_df
            # One resident after one new event (the vendor's path), median over many calls.
            resident = pop.ids("resident")[0]
            pop.append_event({"id": "bench-new-event", "date": as_of.isoformat(), "resident": resident,
                              "activity": "clinic_review"})
            core = ev._core
            samples = []
            for _ in range(2000):
                t0 = time.perf_counter_ns()
                core.evaluate_resident(resident, as_of)
                samples.append(time.perf_counter_ns() - t0)
            row["evaluate_resident_median_us"] = statistics.median(samples) / 1000
            # Four rules as an analyst would write them (pandas; SQL on DuckDB), checked row for row against
            # carerules doing the same four rules (benchmarks/alternatives, tests/python/test_alternatives.py).
            four = carerules.Evaluator(pop_f, [common.rules_scheme()])
            t_four, res_four = timed(lambda: four._core.evaluate(as_of), repeat)
            expected_tasks, expected_payments = common.reference(res_four)
            prep = pandas_rules.prepare(frames)
            t_pd, by_pandas = timed(lambda: pandas_rules.evaluate(prep, as_of), repeat)
            con = duckdb_rules.load(frames, threads=1)
            t_db, by_duckdb = timed(lambda: duckdb_rules.evaluate(con, as_of), repeat)
            con.close()
            for name, tasks, payments in (("pandas", by_pandas.tasks, by_pandas.payments),
                                          ("duckdb", by_duckdb.tasks.to_pandas(), by_duckdb.payments.to_pandas())):
                common.compare(f"{label}: {name} tasks", expected_tasks, common.canonical_tasks(tasks))
                common.compare(f"{label}: {name} payment lines", expected_payments, common.canonical_payments(payments))
            row["four_rules_carerules_s"] = t_four
            row["four_rules_pandas_s"] = t_pd
            row["four_rules_duckdb_1t_s"] = t_db
            row["four_rules_rows_equal"] = len(expected_tasks) + len(expected_payments)
            results[label] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=352, help="copies of the demo (352: about 50,000 residents)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--as-of", default="2026-11-01")
    args = parser.parse_args()
    results = run(args.copies, args.repeat, datetime.date.fromisoformat(args.as_of))
    for label, row in results.items():
        print(f"== {label}")
        for key, value in row.items():
            print(f"  {key:<36} {value:.4f}" if isinstance(value, float) else f"  {key:<36} {value}")


if __name__ == "__main__":
    main()
