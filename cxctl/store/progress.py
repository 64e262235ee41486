"""A progress bar on stderr while many files are read, for people at a terminal.

Under cron (stderr not a terminal) nothing is printed, and rich is not even
imported.
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator

# Below this many files to read, a load is quick enough to need no bar.
PROGRESS_MIN = 2000
REFRESH_SECONDS = 0.1


def wanted(total: int) -> bool:
    try:
        return total >= PROGRESS_MIN and sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):     # a closed or replaced stderr
        return False


@contextmanager
def bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a transient bar only when ``wanted``."""
    if not wanted(total):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeRemainingColumn)
    # Redrawn from this thread only: no refresh thread is running when the
    # reading pool forks its workers.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                  auto_refresh=False) as progress:
        task = progress.add_task(label, total=total)
        last = [0.0]

        def advance(n: int) -> None:
            progress.advance(task, n)
            now = time.monotonic()
            if now - last[0] >= REFRESH_SECONDS:
                last[0] = now
                progress.refresh()

        yield advance
