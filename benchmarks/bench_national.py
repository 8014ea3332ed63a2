"""End-to-end benchmark on a national population: load, evaluate, re-evaluate one resident, and what an analyst
would write instead (pandas; SQL on DuckDB) for four rules, checked row for row against carerules.

Population (one of):
- the seeded synthetic generator (`carerules.synthetic`), preset `national` (about 400,000 residents on a day
  in about 15,800 homes) times `--scale` (default), written to Parquet in a temporary folder and read back;
- `--population PATH`: a folder of Parquet files (one per collection; `--write-parquet FOLDER` writes one,
  with the as-of date beside it, so that a national population is generated once) or a
  carerules.population/1 JSON file (give `--as-of`);
- `--source demo`: the bundled demo replicated with fresh ids, `--scale` times the copies that give about
  the national number of residents (a stand-in where the generator is not installed).

Measured (each the median of `--repeat` runs unless said otherwise):
1. loading: Parquet (`carerules.read_parquet`) or JSON to a carerules population, events a second (wall and
   CPU time); memory per loaded event as the library counts it (`Population.summary()["memory_bytes"]`), and
   the resident memory a fresh child process gains by loading, once its allocators have returned what the
   load freed, and at the peak of the load;
2. evaluating on 1 and 2 threads: care-homes-es, both schemes (tasks and payment lines; no DataFrames), and
   care-homes-es restricted to the four rules the alternatives implement;
3. one resident re-evaluated after a new event (`append_event` then `evaluate_resident`, from Python): the
   median over `--samples` calls spread over residents with a stay;
4. the alternatives: pandas (`benchmarks/alternatives/pandas_rules.py`) and DuckDB on 1 and 2 threads
   (`duckdb_rules.py`), each prepared once from the same frames (dates parsed, codes mapped: their "load")
   and timed evaluating the four rules; each answer is compared row for row with carerules' (tasks: resident,
   obligation, home, opens, due, status, completed_on; payment lines: resident, practice, home, year,
   quarter, kind, amount in pence, status). Any difference stops the run with the rows that differ.

5. with `--dask WORKERS`: both schemes from frames to result DataFrames on a local Dask cluster, against one
   process, the results checked equal.

On a shared machine the one-thread figures are also given as the process's CPU time. Speed is measured here,
never in tests; tests/python/test_alternatives.py proves the equality quickly. docs/performance.md has the
figures and the commands that produced them.

    .venv/bin/python benchmarks/bench_national.py --scale 0.1                      # a tenth of England, all of it
    .venv/bin/python benchmarks/bench_national.py --scale 1 --write-parquet /tmp/national
    .venv/bin/python benchmarks/bench_national.py --population /tmp/national --skip-alternatives --json out.json
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TypeVar

import numpy as np
import pandas as pd

import carerules

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alternatives import common, duckdb_rules, pandas_rules  # noqa: E402

T = TypeVar("T")
NATIONAL_RESIDENTS = 400_000  # residents in care homes on a day, England (the generator's national preset)
SCHEMES = ("care-homes-es", "case-management-les")

# ---------------------------------------------------------------------------------------------------------
# Timing and memory


CPU: dict[str, float] = {}  # median process CPU seconds of the last timed() call, by label


def timed(fn: Callable[[], T], repeat: int, label: str = "") -> tuple[float, T]:
    """Median wall-clock seconds of `repeat` runs, and the last run's value. The median CPU seconds of the
    process (every thread) go to CPU[label]: on a shared machine, a one-thread figure's CPU time is what it
    costs when it has a core to itself, its wall time what it took while waiting for one."""
    times: list[float] = []
    cpu: list[float] = []
    value: Any = None
    for _ in range(max(1, repeat)):
        value = None  # the previous run's value is freed first: one population or result in memory at a time
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if label:
        CPU[label] = statistics.median(cpu)
    return statistics.median(times), value


LOAD_PEAK_BYTES_PER_EVENT = 350  # what loading needs at its peak (measured: about 280-340 B an event)


def memory_check(source: Path) -> None:
    """Refuses to load a population whose loading would need more memory than the machine has free."""
    if source.is_file():
        return
    import pyarrow.parquet as pq

    events = pq.ParquetFile(source / "events.parquet").metadata.num_rows
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            available = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration):
        return
    needed = events * LOAD_PEAK_BYTES_PER_EVENT
    if needed > 0.9 * available:
        raise SystemExit(f"loading {events:,} events needs about {needed / 2**30:.1f} GiB at its peak and "
                         f"{available / 2**30:.1f} GiB is available: wait for memory, or --no-memory-check")


def rss_bytes() -> int:
    """The process's resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def peak_rss_bytes() -> int:
    """The process's peak resident set size so far (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, ValueError, StopIteration):
        return 0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------
# Populations


DEMO_ID_COLUMNS = {
    "practices": ["id"], "clinicians": ["id", "practice"], "homes": ["id", "practice", "lead_gp"],
    "residents": ["id", "practice"], "stays": ["id", "resident", "home"], "admissions": ["id", "resident"],
    "events": ["id", "resident", "home", "clinician", "performer"],
}


def replicate(frames: Mapping[str, pd.DataFrame], copies: int) -> dict[str, pd.DataFrame]:
    """The demo `copies` times over, every id suffixed with its copy number (references stay inside a copy)."""
    out: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        n = len(frame)
        part = pd.concat([frame] * copies, ignore_index=True)
        suffix = pd.Series(np.repeat(np.arange(copies), n).astype(str), dtype="str")
        for col in DEMO_ID_COLUMNS.get(name, []):
            if col in part:
                part[col] = (part[col] + "~" + suffix).where(part[col].notna())
        out[name] = part
    return out


def synthetic_frames(scale: float, seed: int) -> tuple[dict[str, pd.DataFrame], datetime.date]:
    try:
        from carerules import synthetic
    except ImportError as e:
        raise SystemExit(f"the synthetic generator is not installed ({e}): use --source demo or --population") from e

    params = synthetic.Parameters.national(residents=max(1, round(NATIONAL_RESIDENTS * scale)))
    return synthetic.generate(params, seed=seed), params.end


def demo_frames(scale: float) -> tuple[dict[str, pd.DataFrame], datetime.date]:
    base = carerules.frames_from_json(carerules.demo_population_path())
    in_homes = base["stays"]["resident"].nunique()
    copies = max(1, round(scale * NATIONAL_RESIDENTS / in_homes))
    return replicate(base, copies), datetime.date(2026, 11, 1)


def write_parquet(frames: Mapping[str, pd.DataFrame], folder: Path) -> None:
    try:
        from carerules import synthetic

        synthetic.write_parquet(frames, folder)
        return
    except ImportError:
        pass
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        cols = {c: (t.cast(pa.date32()) if pa.types.is_timestamp(t.type) else t) for c, t in zip(table.column_names, table.columns)}
        pq.write_table(pa.table(cols), folder / f"{name}.parquet", compression="zstd")


def read_parquet_frames(folder: Path) -> dict[str, pd.DataFrame]:
    """A folder of Parquet files as DataFrames: text Arrow-backed (not copied), dates datetime64."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frames: dict[str, pd.DataFrame] = {}
    for path in sorted(folder.glob("*.parquet")):
        table = pq.read_table(path)
        cols = {}
        for name, col in zip(table.column_names, table.columns):
            if pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            if pa.types.is_date(col.type):
                cols[name] = pd.Series(col.cast(pa.timestamp("s")).to_numpy(), name=name)
            elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                cols[name] = pd.Series(pd.arrays.ArrowExtensionArray(col), name=name)  # not copied
            else:
                cols[name] = col.to_pandas()
        frames[path.stem] = pd.DataFrame(cols)
    return frames


def load(source: Path) -> carerules.Population:
    return carerules.load_population(source) if source.is_file() else load_parquet(source)


def rss_of_load(source: Path) -> dict[str, int]:
    """Resident memory a fresh process gains by loading the population: held once loading is over (after the
    allocators return what the load freed: `untrimmed` before that) and at its peak during the load, in bytes.
    Measured in a child process so that nothing this process allocated before blurs it."""
    out = subprocess.run([sys.executable, __file__, "--rss-of-load", str(source)], check=True, capture_output=True,
                         text=True)
    return {k: int(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}


def rss_child(source: Path) -> None:
    import pyarrow as pa

    gc.collect()
    before = rss_bytes()
    population = load(source)
    gc.collect()
    untrimmed = rss_bytes() - before
    # Give freed memory back to the system (Arrow's pool, and glibc's heap, which keeps what the load freed).
    pa.default_memory_pool().release_unused()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    held = rss_bytes() - before
    peak = peak_rss_bytes() - before
    print(json.dumps({"held": held, "untrimmed": untrimmed, "peak": peak, "events": population.summary()["events"]}))


def load_split(source: Path) -> tuple[float, float, carerules.Population]:
    """Seconds reading the files into columns, seconds building the population from them, and the population.
    A JSON file, or a Parquet folder read by the library's own reader, is one step (all of it "build")."""
    t0 = time.perf_counter()
    if source.is_file() or getattr(carerules, "read_parquet", None) is not None:
        population = load(source)
        return 0.0, time.perf_counter() - t0, population
    frames = read_parquet_frames(source)
    t1 = time.perf_counter()
    population = carerules.population_from_frames(**frames)
    return t1 - t0, time.perf_counter() - t1, population


def load_parquet(folder: Path) -> carerules.Population:
    """Parquet to a carerules population: the library's reader when it has one, else read + from frames."""
    reader = getattr(carerules, "read_parquet", None)
    if reader is not None:
        return reader(folder)  # type: ignore[no-any-return]
    return carerules.population_from_frames(**read_parquet_frames(folder))


# ---------------------------------------------------------------------------------------------------------
# The run


def run(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv)}
    with tempfile.TemporaryDirectory(prefix="carerules-bench-") as tmp:
        folder = Path(tmp) / "population"
        # --- the population, as files
        t0 = time.perf_counter()
        if args.population:
            source = Path(args.population)
            written = source / "bench.json"
            about = json.loads(written.read_text(encoding="utf-8")) if written.is_file() else {}
            as_of = datetime.date.fromisoformat(args.as_of or about["as_of"]) if (args.as_of or about) else None
            figures["population"] = {**about, "source": f"{about.get('source', 'files')} read from {source}"}
        else:
            if args.source == "synthetic":
                frames, end = synthetic_frames(args.scale, args.seed)
            else:
                frames, end = demo_frames(args.scale)
            as_of = datetime.date.fromisoformat(args.as_of) if args.as_of else end
            figures["population"] = {"source": args.source, "scale": args.scale, "seed": args.seed,
                                     "generated_s": time.perf_counter() - t0}
            log(f"generated {sum(len(f) for f in frames.values()):,} records in {time.perf_counter() - t0:.1f} s")
            if args.write_parquet:
                folder = Path(args.write_parquet)
            write_parquet(frames, folder)
            about = {"source": args.source, "scale": args.scale, "seed": args.seed, "as_of": as_of.isoformat()}
            (folder / "bench.json").write_text(json.dumps(about) + "\n", encoding="utf-8")
            del frames
            gc.collect()
            source = folder
            if args.write_parquet:
                log(f"wrote {folder}")
                return figures
        is_json = source.is_file()

        # --- 1. loading
        if not args.no_memory_check:
            memory_check(source)
        rss = rss_of_load(source) if not args.skip_rss else {"held": 0, "untrimmed": 0, "peak": 0}
        splits: list[tuple[float, float]] = []
        load_cpu: list[float] = []
        population = None
        for _ in range(max(1, args.repeat)):
            population = None
            gc.collect()
            c0 = time.process_time()
            t_read, t_build, population = load_split(source)
            splits.append((t_read, t_build))
            load_cpu.append(time.process_time() - c0)
        assert population is not None
        t_load = statistics.median(r + b for r, b in splits)
        summary = population.summary()
        counts = population.counts["total"]
        if counts["rejected"]:
            raise SystemExit(f"the population has {counts['rejected']} rejected records; the alternatives assume a valid one")
        events = summary["events"]
        if as_of is None:
            raise SystemExit("--as-of is needed with --population")
        figures["population"].update({"residents": summary["residents"], "events": events, "as_of": as_of.isoformat(),
                                      "records": counts["accepted"]})
        figures["load"] = {
            "from": "JSON" if is_json else "Parquet",
            "seconds": t_load, "events_per_s": events / t_load, "cpu_s": statistics.median(load_cpu),
            "read_s": statistics.median(r for r, _ in splits), "build_s": statistics.median(b for _, b in splits),
            "bytes_per_event_reported": summary["memory_bytes"] / max(1, events),
            "bytes_per_event_rss": rss["held"] / max(1, events),
            "bytes_per_event_rss_before_trim": rss["untrimmed"] / max(1, events),
            "bytes_per_event_rss_peak": rss["peak"] / max(1, events),
        }
        log(f"loaded {events:,} events in {t_load:.2f} s")

        # --- 2. evaluating
        schemes_sets: dict[str, Sequence[Any]] = {
            "care-homes-es": ["care-homes-es"], "both schemes": list(SCHEMES), "four rules": [common.rules_scheme()]}
        evaluation: dict[str, Any] = {}
        reference_result: Any = None
        for label, schemes in schemes_sets.items():
            row: dict[str, Any] = {}
            for threads in (1, 2):
                ev = carerules.Evaluator(population, schemes, threads=threads)
                t, res = timed(lambda: ev._core.evaluate(as_of), args.repeat, "evaluate")
                row[f"{threads}t_s"] = t
                row[f"{threads}t_cpu_s"] = CPU["evaluate"]
                row["tasks"], row["payment_lines"] = res.task_count, res.payment_count
                if label == "four rules" and threads == 1:
                    reference_result = res
                del res
            row["speedup_2t"] = row["1t_s"] / row["2t_s"]
            evaluation[label] = row
            log(f"evaluated {label}: {row['1t_s']:.3f} s on 1 thread, {row['2t_s']:.3f} s on 2")
        figures["evaluate"] = evaluation

        # --- 4. the alternatives (before the incremental path changes the population)
        if not args.skip_alternatives:
            figures["alternatives"] = alternatives(args, source, is_json, as_of, reference_result, evaluation)
        del reference_result
        gc.collect()

        if args.dask:
            figures["dask"] = dask_figures(source, as_of, args.dask, args.repeat)

        # --- 3. one resident after a new event
        figures["resident"] = one_resident(population, residents_with_a_stay(source), as_of, args.samples, args.seed)
        log(f"one resident: median {figures['resident']['median_us']:.1f} µs")
    return figures


def alternatives(args: argparse.Namespace, source: Path, is_json: bool, as_of: datetime.date, reference_result: Any,
                 evaluation: Mapping[str, Any]) -> dict[str, Any]:
    expected_tasks, expected_payments = common.reference(reference_result)
    frames = carerules.frames_from_json(source) if is_json else read_parquet_frames(source)
    out: dict[str, Any] = {"tasks": len(expected_tasks), "payment_lines": len(expected_payments)}

    def check(label: str, tasks: pd.DataFrame, payments: pd.DataFrame) -> None:
        common.compare(f"{label} tasks", expected_tasks, common.canonical_tasks(tasks))
        common.compare(f"{label} payment lines", expected_payments, common.canonical_payments(payments))
        log(f"{label}: the same {len(expected_tasks):,} tasks and {len(expected_payments):,} payment lines as carerules")

    if not args.skip_pandas:
        t_prep, prep = timed(lambda: pandas_rules.prepare(frames), 1)
        t_eval, answer = timed(lambda: pandas_rules.evaluate(prep, as_of), args.repeat, "pandas")
        check("pandas", answer.tasks, answer.payments)
        out["pandas"] = {"prepare_s": t_prep, "evaluate_s": t_eval, "evaluate_cpu_s": CPU["pandas"]}
        del prep, answer
        gc.collect()
        log(f"pandas: {t_eval:.2f} s")
    for threads in (1, 2):
        if args.skip_duckdb:
            break
        t_prep, con = timed(lambda: duckdb_rules.load(frames, threads=threads), 1)
        t_eval, answer_db = timed(lambda: duckdb_rules.evaluate(con, as_of), args.repeat, "duckdb")
        check(f"DuckDB ({threads} thread{'s' if threads > 1 else ''})", answer_db.tasks.to_pandas(), answer_db.payments.to_pandas())
        out[f"duckdb_{threads}t"] = {"prepare_s": t_prep, "evaluate_s": t_eval, "evaluate_cpu_s": CPU["duckdb"]}
        con.close()
        del answer_db
        gc.collect()
        log(f"DuckDB on {threads} thread(s): {t_eval:.2f} s")
    four, full = evaluation["four rules"], evaluation["care-homes-es"]
    ratios: dict[str, float] = {}
    for name, threads in (("pandas", 1), ("duckdb_1t", 1), ("duckdb_2t", 2)):
        if name in out:
            ratios[f"{name} / carerules four rules"] = out[name]["evaluate_s"] / four[f"{threads}t_s"]
            ratios[f"{name} / carerules care-homes-es"] = out[name]["evaluate_s"] / full[f"{threads}t_s"]
            if threads == 1:
                ratios[f"{name} / carerules four rules, CPU time"] = out[name]["evaluate_cpu_s"] / four["1t_cpu_s"]
    out["ratios"] = ratios
    return out


def dask_figures(source: Path, as_of: datetime.date, workers: int, repeat: int) -> dict[str, Any]:
    """Both schemes from frames to result DataFrames: partitioned by practice on a local Dask cluster of
    `workers` one-thread worker processes (carerules.distributed), and in this process on one thread; the
    two results must be equal."""
    from dask.distributed import Client, LocalCluster

    from carerules import distributed

    frames = carerules.frames_from_json(source) if source.is_file() else read_parquet_frames(source)

    def one_process() -> carerules.Result:
        result = carerules.Evaluator(carerules.population_from_frames(**frames), list(SCHEMES)).evaluate(as_of)
        _ = result.tasks, result.payments, result.findings
        return result

    t_one, single = timed(one_process, repeat)
    t_part, parts = timed(lambda: distributed.partition_by_practice(frames, partitions=workers * 4), 1)
    cluster_of: Any = LocalCluster
    client_of: Any = Client
    with cluster_of(n_workers=workers, threads_per_worker=1, processes=True) as cluster, client_of(cluster) as client:
        distributed.evaluate(parts, list(SCHEMES), as_of, client)  # workers import carerules once
        t_dist, result = timed(lambda: distributed.evaluate(parts, list(SCHEMES), as_of, client), repeat)
    for name in ("tasks", "payments", "findings"):
        pd.testing.assert_frame_equal(getattr(single, name), getattr(result, name))
    log(f"Dask, {workers} workers: {t_dist:.2f} s (one process {t_one:.2f} s), the same result")
    return {"workers": workers, "partitions": result.partitions, "partition_s": t_part, "evaluate_s": t_dist,
            "one_process_s": t_one, "speedup": t_one / t_dist}


def residents_with_a_stay(source: Path) -> list[str]:
    if source.is_file():
        stays = carerules.frames_from_json(source)["stays"]["resident"]
        return sorted(set(stays.dropna().astype(str)))
    import pyarrow.parquet as pq

    return sorted(set(pq.read_table(source / "stays.parquet", columns=["resident"]).column(0).to_pylist()))


def one_resident(population: carerules.Population, with_stay: Sequence[str], as_of: datetime.date, samples: int,
                 seed: int) -> dict[str, Any]:
    """append_event (a medication review on the as-of date) then evaluate_resident, both schemes; timed
    call by call from Python over residents with a stay (`samples` / 10 of them, 10 calls each)."""
    ev = carerules.Evaluator(population, list(SCHEMES))
    core = ev._core
    performer = next(iter(population.ids("clinician")), None)
    rng = random.Random(seed)
    chosen = rng.sample(with_stay, min(len(with_stay), max(1, samples // 10)))
    times: list[float] = []
    for i, resident in enumerate(chosen):
        record: dict[str, Any] = {"id": f"bench-new-{i}", "date": as_of.isoformat(), "resident": resident,
                                  "activity": "medication_review"}
        if performer is not None:
            record["performer"] = performer
        population.append_event(record)
        core.evaluate_resident(resident, as_of)  # first call warms the caches
        for _ in range(10):
            t0 = time.perf_counter_ns()
            core.evaluate_resident(resident, as_of)
            times.append((time.perf_counter_ns() - t0) / 1000)
    times.sort()
    return {"residents": len(chosen), "calls": len(times), "median_us": statistics.median(times),
            "p90_us": times[int(0.9 * (len(times) - 1))], "p99_us": times[int(0.99 * (len(times) - 1))]}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    import duckdb

    return {"cpu": cpu, "cores": os.cpu_count(), "load_average_1min_at_start": load, "python": platform.python_version(),
            "pandas": pd.__version__, "numpy": np.__version__, "duckdb": duckdb.__version__}


# ---------------------------------------------------------------------------------------------------------
# Output


def table(figures: Mapping[str, Any]) -> str:
    p, ld, ev = figures["population"], figures["load"], figures["evaluate"]
    lines = [f"population: {p['residents']:,} residents, {p['events']:,} events, as of {p['as_of']} ({p['source']})", ""]
    rows: list[tuple[str, str]] = [
        (f"load from {ld['from']}", f"{ld['seconds']:.2f} s (CPU {ld['cpu_s']:.2f} s), {ld['events_per_s'] / 1e6:.2f} million events/s"
                                    + (f" (reading {ld['read_s']:.2f} s, building {ld['build_s']:.2f} s)" if ld["read_s"] else "")),
        ("memory per loaded event (library's count)", f"{ld['bytes_per_event_reported']:.1f} B"),
        ("memory per loaded event (RSS a fresh process gains; untrimmed; peak)",
         f"{ld['bytes_per_event_rss']:.1f} B; {ld['bytes_per_event_rss_before_trim']:.1f} B; {ld['bytes_per_event_rss_peak']:.1f} B"),
    ]
    for label, row in ev.items():
        rows.append((f"evaluate {label}, 1 thread / 2 threads",
                     f"{row['1t_s']:.3f} s (CPU {row['1t_cpu_s']:.3f} s) / {row['2t_s']:.3f} s (x{row['speedup_2t']:.2f}); "
                     f"{row['tasks']:,} tasks, {row['payment_lines']:,} lines"))
    if "resident" in figures:
        r = figures["resident"]
        rows.append(("one resident re-evaluated after a new event",
                     f"median {r['median_us']:.1f} µs (p90 {r['p90_us']:.1f}, p99 {r['p99_us']:.1f}; {r['calls']:,} calls)"))
    alt = figures.get("alternatives")
    if alt:
        for name, label in (("pandas", "pandas"), ("duckdb_1t", "DuckDB, 1 thread"), ("duckdb_2t", "DuckDB, 2 threads")):
            if name in alt:
                rows.append((f"{label}: prepare / four rules", f"{alt[name]['prepare_s']:.2f} s / {alt[name]['evaluate_s']:.3f} s "
                             f"(CPU {alt[name]['evaluate_cpu_s']:.3f} s) "
                             f"(equal to carerules: {alt['tasks']:,} tasks, {alt['payment_lines']:,} lines)"))
        for label, ratio in alt["ratios"].items():
            rows.append((label, f"x{ratio:.1f}"))
    if "dask" in figures:
        d = figures["dask"]
        rows.append((f"both schemes, frames to DataFrames: Dask ({d['workers']} workers, {d['partitions']} partitions) / one process",
                     f"{d['evaluate_s']:.2f} s / {d['one_process_s']:.2f} s (x{d['speedup']:.2f}; partitioning {d['partition_s']:.2f} s)"))
    width = max(len(r[0]) for r in rows)
    lines += [f"{a:<{width}}  {b}" for a, b in rows]
    m = figures["machine"]
    lines += ["", f"{m['cpu']}, {m['cores']} cores, load average {m['load_average_1min_at_start']:.2f} at start; "
              f"Python {m['python']}, pandas {m['pandas']}, NumPy {m['numpy']}, DuckDB {m['duckdb']}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=["synthetic", "demo"], default="synthetic",
                        help="generate the population (synthetic, default) or replicate the demo")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the national population (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--population", help="read this Parquet folder or JSON file instead of generating")
    parser.add_argument("--write-parquet", metavar="FOLDER",
                        help="only generate the population and write it here (read it later with --population)")
    parser.add_argument("--as-of", help="default: the generated extract's date (the demo: 2026-11-01)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--samples", type=int, default=2000, help="calls timed for one resident's re-evaluation")
    parser.add_argument("--no-memory-check", action="store_true",
                        help="load even when the machine seems to lack the memory to")
    parser.add_argument("--skip-rss", action="store_true", help="skip measuring memory in a fresh process (a load less)")
    parser.add_argument("--skip-alternatives", action="store_true")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--dask", type=int, metavar="WORKERS", default=0,
                        help="also evaluate on a local Dask cluster of this many workers (frames to DataFrames)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON ('-' for standard output)")
    parser.add_argument("--rss-of-load", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_of_load:
        rss_child(Path(args.rss_of_load))
        return
    figures = run(args)
    if args.write_parquet:
        return
    print(table(figures))
    if args.json:
        text = json.dumps(figures, indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
