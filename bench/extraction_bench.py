"""Extraction benchmark: the small files that used to cost minutes or gigabytes,
read by the old readers (python-docx, openpyxl padded rows; kept verbatim below)
and by the new ones, each in a fresh interpreter so peak memory (VmHWM,
including the ~60 MB of an interpreter with the readers imported) is its own.
The old readers get --limit seconds per file (default 60) and are stopped there.

Then the start cost of the bounded worker: a child forked from the warm
forkserver vs. a freshly spawned interpreter importing the readers, and the
whole `extract_in_worker` round trip for a small DOCX.

    .venv/bin/python bench/extraction_bench.py [--limit 60] [--cases styles8000,wide,...]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1] / "backend"
sys.path.insert(0, str(BACKEND))

from tests import hostile_files  # noqa: E402  (the same builders as the tests)

CASES = {
    "styles2000": ("docx", lambda: hostile_files.many_styles_docx(2000, 2000)),
    "styles4000": ("docx", lambda: hostile_files.many_styles_docx(4000, 4000)),
    "styles8000": ("docx", lambda: hostile_files.many_styles_docx(8000, 8000)),
    "wide": ("xlsx", lambda: hostile_files.wide_rows_xlsx(5000)),
    "dimension": ("xlsx", lambda: hostile_files.huge_dimension_xlsx(100_000)),
    "docx_bomb": ("docx", lambda: hostile_files.docx_bomb(200)),
    "xlsx_bomb": ("xlsx", lambda: hostile_files.xlsx_bomb(100)),
}


# --- the readers before the fix (app/services/materials/extraction.py at 96e8c09) ----------


def legacy_docx_text(path: Path) -> str:
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                lines.append(" | ".join(cell.text.strip() for cell in row.cells))
            lines.append("")
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if style.startswith("Heading") and style[-1:].isdigit():
            text = "#" * int(style[-1]) + " " + text
        elif style == "Title":
            text = "# " + text
        lines.append(text)
    return "\n".join(lines).strip() + "\n"


def legacy_xlsx_text(path: Path) -> str:
    import openpyxl

    fh = open(path, "rb")  # noqa: SIM115
    workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    try:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for sheet in workbook.worksheets:
            out.write(f"# Sheet: {sheet.title}\n")
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                while cells and cells[-1] == "":
                    cells.pop()
                if cells:
                    writer.writerow(cells)
            out.write("\n")
        return out.getvalue()
    finally:
        workbook.close()
        fh.close()


# --- one measurement, in a fresh interpreter -------------------------------------------


def _peak_rss_mb() -> float:
    """VmHWM: unlike ru_maxrss it is not inherited from the (forking) parent's RSS."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def _measure_one(which: str, path: Path, ext: str) -> dict:
    import lxml.etree  # noqa: F401  (imported before the clock, as in the worker)
    import openpyxl  # noqa: F401
    import pypdf  # noqa: F401

    from app.core.config import Settings
    from app.services.materials.errors import MaterialError
    from app.services.materials.extraction import ExtractionLimits, extract_to_file

    start = time.perf_counter()
    result = "ok"
    if which == "old":
        text = {"docx": legacy_docx_text, "xlsx": legacy_xlsx_text}[ext](path)
        chars = len(text)
    else:
        out = Path(tempfile.mkstemp(suffix=".txt")[1])
        try:
            chars = extract_to_file(path, ext, out, ExtractionLimits.from_settings(Settings())).chars
        except MaterialError as exc:
            chars, result = 0, f"refused {exc.status_code}"
        out.unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    peak_mb = _peak_rss_mb()
    return {"seconds": seconds, "peak_mb": peak_mb, "chars": chars, "result": result}


def measure(which: str, path: Path, ext: str, limit: float) -> dict:
    cmd = [sys.executable, __file__, "--one", which, str(path), ext]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mb": None, "chars": None, "result": f"stopped at {limit:g} s"}
    if done.returncode != 0:
        return {"seconds": None, "peak_mb": None, "chars": None, "result": done.stderr.strip().splitlines()[-1][:60]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt(row: dict) -> str:
    if row["seconds"] is None:
        return f"{row['result']:>36}"
    return f"{row['seconds']:8.2f} s {row['peak_mb']:7.0f} MB {row['chars']:>12,} ch  {row['result'][:11]:<11}"


# --- the worker's start cost ---------------------------------------------------------------


def _noop() -> None:
    pass


def start_costs(repeats: int = 10) -> None:
    from app.core.config import Settings
    from app.services.materials import extraction_worker

    extraction_worker.warm_up()
    ctx = extraction_worker._forkserver()
    p = ctx.Process(target=_noop)
    p.start()
    p.join()  # waits for the forkserver's imports once
    forked = []
    for _ in range(repeats):
        t = time.perf_counter()
        p = ctx.Process(target=_noop)
        p.start()
        p.join()
        forked.append(time.perf_counter() - t)
    spawned = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import lxml.etree, openpyxl, pypdf"], check=True)
        spawned.append(time.perf_counter() - t)
    print(f"\nworker start, median of {repeats}: forkserver child {statistics.median(forked) * 1000:.0f} ms"
          f" | fresh interpreter + reader imports {statistics.median(spawned) * 1000:.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "small.docx", Path(tmp) / "small.txt"
        src.write_bytes(hostile_files.many_styles_docx(50, 5))

        async def round_trips() -> list[float]:
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                await extraction_worker.extract_in_worker(src, "docx", out, Settings())
                times.append(time.perf_counter() - t)
            return times

        trips = asyncio.run(round_trips())
    print(f"extract_in_worker round trip, small DOCX, median of {repeats}: {statistics.median(trips) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=60, help="seconds per file for each reader")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--one", nargs=3, metavar=("WHICH", "PATH", "EXT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        which, path, ext = args.one
        print(json.dumps(_measure_one(which, Path(path), ext)))
        return

    print(f"{'file':<12} {'size':>8}   {'before (old readers)':<36} | after (new readers, default limits)")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases.split(","):
            ext, build = CASES[name]
            data = build()
            path = Path(tmp) / f"{name}.{ext}"
            path.write_bytes(data)
            size_kib = len(data) / 1024
            del data  # the children are measured, not this process
            old = measure("old", path, ext, args.limit)
            new = measure("new", path, ext, args.limit)
            print(f"{name:<12} {size_kib:6.0f} KiB  {_fmt(old)} | {_fmt(new)}", flush=True)
    start_costs()


if __name__ == "__main__":
    main()
