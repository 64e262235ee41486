"""Pausing the cycle collector while hundreds of thousands of objects are made.

Loads and caches make millions of long-lived objects and no reference
cycles; the collector would only walk them again and again (a third of the
time of a warm load)."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False):
    """With ``freeze``, what was made is moved out of the collector's sight
    before it resumes: it lives until the command ends, and the collector's
    first pass after a pause would otherwise walk all of it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if collecting:
            gc.enable()
