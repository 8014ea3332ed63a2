"""A progress bar for the command line's phases (load, evaluate, write).

Shown on stderr only when stderr is a terminal, and only once a run has lasted `delay` seconds (default 1;
the environment variable CARERULES_PROGRESS_DELAY sets another): short runs and scripts that capture stderr
never see it. The bar names the phase in progress and is refreshed from a background thread, so that it moves
while a phase runs in C++ with the GIL released. It is erased when the run ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Iterator, Sequence, TextIO

from tqdm import tqdm


def _delay_from_environment() -> float:
    try:
        return max(0.0, float(os.environ.get("CARERULES_PROGRESS_DELAY", "1")))
    except ValueError:
        return 1.0


class Progress:
    """Phases of one command on a tqdm bar: ``with Progress(["load", "evaluate"]) as p: with p.phase("load"): ...``."""

    def __init__(self, phases: Sequence[str], *, stream: TextIO | None = None, delay: float | None = None,
                 enabled: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._delay = _delay_from_environment() if delay is None else delay
        isatty = getattr(self._stream, "isatty", None)
        self._enabled = bool(isatty and isatty()) if enabled is None else enabled
        self._phases = list(phases)
        self._bar: tqdm[Any] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    @property
    def enabled(self) -> bool:
        return self._enabled

    def __enter__(self) -> Progress:
        if not self._enabled:
            return self
        self._started = time.monotonic()
        self._bar = tqdm(total=len(self._phases), file=self._stream, leave=False, delay=self._delay, unit="phase",
                         bar_format="{desc}: {n_fmt}/{total_fmt} phases |{bar:20}| {elapsed}", dynamic_ncols=True)
        self._thread = threading.Thread(target=self._tick, name="carerules-progress", daemon=True)
        self._thread.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(0.2):
            bar = self._bar
            if bar is not None and time.monotonic() - self._started >= self._delay:
                bar.refresh()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Names the phase on the bar while it runs; counts it done at the end."""
        bar = self._bar
        if bar is not None:
            bar.set_description_str(name, refresh=time.monotonic() - self._started >= self._delay)
        yield
        if bar is not None:
            bar.update(1)

    def note(self, text: str) -> None:
        """Writes a message to the bar's stream (stderr) without breaking the bar: tqdm clears it, writes, and
        draws it again."""
        if self._bar is not None:
            tqdm.write(text, file=self._stream)
        else:
            self._stream.write(text + "\n")
            self._stream.flush()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._bar is not None:
            self._bar.close()
            self._bar = None
