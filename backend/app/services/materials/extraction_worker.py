"""Extraction in a bounded worker process: one short-lived child per file, with a
wall-time limit (EXTRACTION_TIMEOUT, then SIGKILL), an address-space limit
(EXTRACTION_MEMORY_MB more than the child starts with, as RLIMIT_AS), and at most EXTRACTION_WORKERS at a time
per server process. The server's event loop only waits on a pipe.

Children are forked from a forkserver that has the readers (lxml, openpyxl,
pypdf) imported already: a fork from it costs milliseconds, where a spawned
interpreter importing them costs ~0.5 s (bench/extraction_bench.py measures
both). A child per file gives all its memory back when it exits, and a killed
child cannot break a pool. The forkserver itself is single-threaded, so forking
it is safe while the server runs threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import signal
import threading
import weakref
from pathlib import Path

from app.core.config import Settings
from app.services.materials.errors import CorruptFile, FileTooComplex, MaterialError
from app.services.materials.extraction import Extracted, ExtractionLimits, extract_to_file

# "__main__" too: otherwise every child re-runs the server's main script (uvicorn's,
# pytest's) to unpickle its target, ~0.2 s per file.
_PRELOAD = ["__main__", "app.services.materials.extraction_worker", "lxml.etree", "openpyxl", "pypdf"]
_MB = 1024 * 1024
_OOM_PROBE = 32 * _MB

_context_lock = threading.Lock()
_context: multiprocessing.context.BaseContext | None = None
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _forkserver():
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _context = ctx
        return _context


def warm_up() -> None:
    """Start the forkserver now (blocking, ~0.5 s once per server process), so the
    first upload does not pay for it."""
    from multiprocessing import forkserver

    _forkserver()
    forkserver.ensure_running()


def _slot(workers: int) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(max(1, workers))
    return _slots[loop]


# --- in the child ------------------------------------------------------------------


def _address_space() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def _out_of_memory() -> bool:
    """Is the child at its limit? (lxml reports a failed malloc as a parse error.)"""
    try:
        bytearray(_OOM_PROBE)
    except MemoryError:
        return True
    return False


def _child_main(conn, path: str, ext: str, out_path: str, limits: ExtractionLimits, memory_mb: int,
                cpu_seconds: int) -> None:
    # the limit is on top of what the child has at its start (~200 MB of mapped libraries)
    limit = _address_space() + memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # a backstop should the server die and leave the child orphaned
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    failure: Exception | None = None
    try:
        message: tuple = ("ok", extract_to_file(Path(path), ext, Path(out_path), limits))
    except MaterialError as exc:
        message = ("refused", exc)
    except MemoryError:
        message = ("memory", None)
    except Exception as exc:
        failure = exc.with_traceback(None)  # drop the reader's frames (and their memory) first
        message = ("refused", CorruptFile(f"The file could not be read as {ext.upper()}: {failure}"))
    if failure is not None and _out_of_memory():
        message = ("memory", None)
    conn.send(message)
    conn.close()


# --- in the server -----------------------------------------------------------------


async def _readable(fd: int) -> None:
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_reader(fd)


async def _stop(proc) -> None:
    if proc.exitcode is None:
        proc.kill()
    await asyncio.to_thread(proc.join, 10)


def _memory_error(memory_mb: int) -> FileTooComplex:
    return FileTooComplex(
        f"Reading the file needed more than {memory_mb} MB of memory (EXTRACTION_MEMORY_MB); it was stopped."
    )


def _timeout_error(seconds: float) -> FileTooComplex:
    return FileTooComplex(f"Reading the file took longer than {seconds:g} s (EXTRACTION_TIMEOUT); it was stopped.")


async def extract_in_worker(path: Path, ext: str, out_path: Path, settings: Settings) -> Extracted:
    """Extract `path` into `out_path` in a worker process. Raises MaterialError
    subclasses: CorruptFile, ExpandsTooLarge, FileTooComplex (time or memory).
    On any exit (also cancellation) the child is gone when this returns."""
    limits = ExtractionLimits.from_settings(settings)
    timeout = settings.EXTRACTION_TIMEOUT
    memory_mb = settings.EXTRACTION_MEMORY_MB
    async with _slot(settings.EXTRACTION_WORKERS):
        ctx = _forkserver()
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_child_main,
            args=(sender, str(path), ext, str(out_path), limits, memory_mb, int(timeout) + 5),
            name="kepler-extraction",
            daemon=True,
        )
        started = asyncio.ensure_future(asyncio.to_thread(proc.start))
        try:
            try:
                await asyncio.shield(started)
            except asyncio.CancelledError:
                await started  # it must exist to be killed
                raise
            finally:
                sender.close()
            async with asyncio.timeout(timeout):
                await _readable(receiver.fileno())
            try:
                kind, payload = receiver.recv()
            except EOFError:  # died without a word: killed (OOM killer, CPU limit) or crashed
                await _stop(proc)
                if proc.exitcode == -signal.SIGXCPU:
                    raise _timeout_error(timeout) from None
                raise _memory_error(memory_mb) if proc.exitcode == -signal.SIGKILL else CorruptFile(
                    f"The {ext.upper()} reader stopped unexpectedly (exit code {proc.exitcode})."
                ) from None
        except TimeoutError:
            raise _timeout_error(timeout) from None
        finally:
            receiver.close()
            if started.done() and not started.exception():
                await _stop(proc)
                proc.close()  # its sentinel fd now, not at garbage collection
    if kind == "ok":
        return payload
    if kind == "memory":
        raise _memory_error(memory_mb)
    raise payload
