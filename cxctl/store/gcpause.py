"""Pausing the cycle collector while hundreds of thousands of objects are made.

Loads and caches make millions of long-lived objects and no reference
cycles; the collector would only walk them again and again (a third of the
time of a warm load)."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
