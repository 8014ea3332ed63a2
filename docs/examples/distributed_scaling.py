"""Times a synthetic population evaluated in one process and on Dask LocalClusters of 1 and 2 workers.

Run: python docs/examples/distributed_scaling.py --residents 5000 --workers 1 2

Each run goes from DataFrames per collection to the tasks, payment lines and findings as DataFrames: in one
process ``carerules.evaluate`` and the three DataFrames; on the cluster ``carerules.distributed.evaluate``
(validating and partitioning by practice, shipping the partitions, evaluating and building each partition's
DataFrames on the workers, joining them). Cluster start-up is not timed; one untimed run warms the workers
up. Every distributed result is checked against the one-process result. It also times, in this process, the
parts of a distributed run: the serial ones (partitioning, joining) and the partitions' own work, which a
cluster runs in parallel. Needs ``carerules[distributed]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any, Callable, Sequence

import pandas as pd

import carerules
from carerules import distributed, synthetic

SCHEMES = ["care-homes-es", "case-management-les"]


def one_process(frames: dict[str, pd.DataFrame], as_of: str) -> carerules.Result:
    result = carerules.evaluate(carerules.population_from_frames(**frames), SCHEMES, as_of)
    result.tasks, result.payments, result.findings  # built here, as the distributed result builds them
    return result


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The median time of `repeats` runs, in seconds, and the last run's value."""
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def same(result: distributed.DistributedResult, one: carerules.Result) -> None:
    pd.testing.assert_frame_equal(result.tasks, one.tasks)
    pd.testing.assert_frame_equal(result.payments, one.payments)
    pd.testing.assert_frame_equal(result.findings, one.findings)


def parts(frames: dict[str, pd.DataFrame], as_of: str, partitions: int | None) -> dict[str, float]:
    """Seconds spent on each part of a distributed run, all in this process."""
    start = time.perf_counter()
    split = distributed.partition_by_practice(frames, partitions)
    partitioned = time.perf_counter()
    each = []
    results = []
    for p in split.partitions:
        t = time.perf_counter()
        results.append(distributed.evaluate_partition(p, SCHEMES, as_of))
        each.append(time.perf_counter() - t)
    t = time.perf_counter()
    distributed.combine(results, (split.input_findings, split.input), SCHEMES)
    return {"partitions": len(split.partitions), "partition": partitioned - start, "work": sum(each),
            "largest": max(each), "combine": time.perf_counter() - t}


def on_cluster(frames: dict[str, pd.DataFrame], as_of: str, client: Any, one: carerules.Result, repeats: int,
               partitions: int | None) -> float:
    """Median seconds of ``distributed.evaluate`` on `client` (after one warm-up run), its result checked."""
    distributed.evaluate(frames, SCHEMES, as_of, client, partitions=partitions)
    seconds, result = best_of(repeats, lambda: distributed.evaluate(frames, SCHEMES, as_of, client, partitions=partitions))
    same(result, one)
    return seconds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=5000, help="synthetic.Parameters.residents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="LocalCluster sizes to time")
    parser.add_argument("--partitions", type=int, default=None, help="default: one per practice")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    frames = synthetic.generate(synthetic.Parameters(residents=args.residents, years=1), seed=args.seed)
    as_of = str(pd.Timestamp(frames["events"]["date"].max()).date())
    sizes = {c: len(f) for c, f in frames.items()}
    print(f"population: {sizes}; as of {as_of}; {os.cpu_count()} cores")
    seconds, one = best_of(args.repeats, lambda: one_process(frames, as_of))
    print(f"{len(one.tasks)} tasks, {len(one.payments)} payment lines, {len(one.findings)} findings")
    population = carerules.population_from_frames(**frames)
    engine, _ = best_of(args.repeats, lambda: carerules.Evaluator(population, SCHEMES).evaluate(as_of))
    print(f"one process: {seconds:.2f} s (of which the engine {engine:.2f} s, the rest loading and DataFrames)")
    p = parts(frames, as_of, args.partitions)
    print(f"distributed, in one process: {p['partitions']:.0f} partitions; serial: validating and partitioning "
          f"{p['partition']:.2f} s, joining {p['combine']:.2f} s; partitions' work {p['work']:.2f} s in all, "
          f"the largest {p['largest']:.2f} s")
    for n in args.workers:
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                          scheduler_port=0, silence_logs=40) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
            took = on_cluster(frames, as_of, client, one, args.repeats, args.partitions)
            print(f"LocalCluster, {n} worker(s) of 1 thread: {took:.2f} s (results identical)")


if __name__ == "__main__":
    main()
