"""Reading many files, and other work, on every core.

Each worker reads a chunk of paths with the same ``reader`` the serial path
uses and sends back each entry marshalled: the cache stores exactly those
bytes, and the data is not even unmarshalled until it is needed.  Results come back in
the order of the paths given, whatever order the workers finish in.  Workers
are forked, so they see the same registered rules as the parent; where fork
is not available, or the tree is small, reading stays in this process.
"""
from __future__ import annotations

import marshal
import multiprocessing
import os
import pickle
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import repeat
from pathlib import Path
from typing import Callable, Iterator

from cxctl.store import cachedb

# Below this many files a pool costs more than it saves.
PARALLEL_MIN = 2000
CHUNK = 500


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _picklable(fn) -> bool:
    try:
        pickle.dumps(fn)
    except Exception:     # lambdas, closures: whatever pickle refuses
        return False
    return True


Blobs = tuple[bytes, bytes]


def read_encoded(root: Path, relpaths: list[str], reader: Callable,
                 advance: Callable[[int], None] = lambda n: None) -> Iterator[tuple[object, Blobs | None]]:
    """(entry or None, blobs or None) per path, in order.  From workers only
    the blobs come back, unless they cannot carry the entry (data marshal
    cannot hold): then the entry comes back and nothing is cached."""
    n_workers = workers()
    if len(relpaths) < PARALLEL_MIN or n_workers < 2 or not can_fork() or not _picklable(reader):
        yield from _read_here(root, relpaths, reader, advance)
        return
    chunks = [relpaths[i:i + CHUNK] for i in range(0, len(relpaths), CHUNK)]
    context = multiprocessing.get_context("fork")
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
            for results in pool.map(_read_chunk, repeat(reader), repeat(root), chunks):
                yield from results
                done += len(results)
                advance(len(results))
    except (BrokenProcessPool, OSError):
        # A worker died (killed, out of memory) or no process could be
        # started: what is left is read here.
        yield from _read_here(root, relpaths[done:], reader, advance)


def _read_here(root: Path, relpaths: list[str], reader: Callable, advance) -> Iterator:
    for relpath in relpaths:
        entry = reader(root, relpath)
        yield entry, _encode(entry)[1]
        advance(1)


def _read_chunk(reader: Callable, root: Path, relpaths: list[str]) -> list[tuple[object, Blobs | None]]:
    return [_encode(reader(root, relpath)) for relpath in relpaths]


def _encode(entry) -> tuple[object, Blobs | None]:
    try:
        return None, cachedb.encode(entry)
    except ValueError:           # not marshallable: send the entry itself, do not cache it
        return entry, None


class Pending:
    """What a forked child is computing; ``result()`` waits for it."""

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd = pid, fd

    def result(self):
        """The child's result, or None if it failed in any way (the caller
        then computes it itself, and meets the same error, if any, there)."""
        with os.fdopen(self.fd, "rb") as pipe:
            self.fd = None
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            return None
        try:
            return marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            return None

    def cancel(self) -> None:
        """Stop the child if its result is no longer wanted (the caller is
        leaving on an error): it must not wait for ever to send it."""
        if self.fd is None:
            return
        os.close(self.fd)
        self.fd = None
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


@contextmanager
def cancelled_on_error(pending: Pending | None):
    """Yield ``pending``; if the block raises, the child is stopped."""
    try:
        yield pending
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise


def start_in_child(fn: Callable, *args) -> Pending | None:
    """Run ``fn(*args)`` in a forked child on another core while this process
    goes on; its result must be something marshal can hold.  None when
    there is no other core or fork is not available: compute it here."""
    if workers() < 2 or not can_fork():
        return None
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:                      # the child: compute, send, and leave at once
        code = 1
        try:
            os.close(read_end)
            data = marshal.dumps(fn(*args))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)            # no atexit handlers, no flushing the parent's buffers
    os.close(write_end)
    return Pending(pid, read_end)
