"""Benchmark of the browser runtimes in Debian's Chromium: the default
(modern, Pyodide 0.27.7) and the classic 0.17.1 build side by side, rounds
interleaved (modern, classic, modern, ...) in one run, each round in a fresh
browser profile.

    .venv/bin/python bench/runtime_bench.py [--runs 3] [--profiles modern,classic]

Prints medians: cold start (page load -> Python + numpy/pandas/matplotlib
ready, empty HTTP cache), the worker's own split (Python boot, pre-warm
imports), first and warm analysis run, a trivial run's round trip, bytes
downloaded cold (as sent and uncompressed), the start after a reload with a
warm HTTP cache and the files downloaded twice (must be none).
Serves PYODIDE_BUNDLE_DIR (default pyodide_bundle/dist; pyodide_bundle/build.sh).
Every wait is bounded (--timeout per start, 120 s per run).
"""

from __future__ import annotations

import argparse
import statistics
import struct
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))
sys.path.insert(0, str(ROOT / "playwright_tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from static_server import SANDBOX_PATH, StaticServer, bundle_dir  # noqa: E402

ANALYSIS = """
import pandas as pd, numpy as np, matplotlib.pyplot as plt
df = pd.DataFrame({'g': np.arange(2000) % 7, 'v': np.random.rand(2000)})
summary = df.groupby('g')['v'].agg(['mean', 'count'])
fig, ax = plt.subplots(); summary['mean'].plot.bar(ax=ax)
fig.savefig('output/generated/bench/s/chart.png')
print(summary.shape)
"""


def start_runtime(page, timeout_s: float) -> dict:
    page.wait_for_function("window.harnessLoaded === true", timeout=30000)
    return page.evaluate("""ms => Promise.race([harness.start(), new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`runtime not ready after ${ms} ms`)), ms))])""", timeout_s * 1000)


def timed_run(page, code: str) -> float:
    t0 = time.perf_counter()
    result = page.evaluate("c => harness.run(c, {timeout_s: 120, output_dir: 'output/generated/bench/s'})", code)
    if not result["ok"]:
        raise SystemExit(f"bench run failed:\n{result['stderr']}")
    return time.perf_counter() - t0


def uncompressed_size(url_path: str, sent: int) -> int:
    """What a response inflates to: the served file's size, or a gzip-encoded one's ISIZE."""
    if not url_path.startswith("/pyodide/"):
        return sent
    path = bundle_dir() / url_path[len("/pyodide/"):]
    if path.is_file():
        return path.stat().st_size
    gz = path.with_name(path.name + ".gz")
    with gz.open("rb") as f:  # ISIZE: the last 4 bytes of a single-member gzip file
        f.seek(-4, 2)
        return struct.unpack("<I", f.read(4))[0]


def one_round(pw, server, profile: str, timeout_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="kepler-bench-") as user_data_dir:
        ctx = pw.chromium.launch_persistent_context(
            user_data_dir, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = ctx.new_page()
            server.served.clear()
            t0 = time.perf_counter()
            page.goto(server.url(f"/harness/index.html?profile={profile}"))
            info = start_runtime(page, timeout_s)
            cold_s = time.perf_counter() - t0
            cold = list(server.served)
            first_analysis = timed_run(page, ANALYSIS)
            warm_analysis = timed_run(page, ANALYSIS)
            trivial = statistics.median(timed_run(page, "x = 1") for _ in range(5))
            cold_paths = [p for p, _ in server.served]

            served_before = len(server.served)
            t0 = time.perf_counter()
            page.reload()
            warm_info = start_runtime(page, timeout_s)
            warm_cache_s = time.perf_counter() - t0
            reloaded = server.served[served_before:]
            # the sandbox page (/api/runtime/sandbox) is a no-store document by design; the rest must be cached
            files = [p for p in cold_paths + [p for p, _ in reloaded] if p != SANDBOX_PATH]
            twice = sorted(p for p, n in Counter(files).items() if n > 1)
            t, wt = info["timings"], warm_info["timings"]
            return {
                "cold_s": cold_s,
                "boot_s": t["boot_ms"] / 1000,
                "prewarm_s": t["prewarm_ms"] / 1000,
                "prewarm_load_s": t["prewarm_load_ms"] / 1000,
                "import_s": (t["prewarm_ms"] - t["prewarm_load_ms"]) / 1000,
                "cold_mb": sum(n for _, n in cold) / 1e6,
                "cold_raw_mb": sum(uncompressed_size(p, n) for p, n in cold) / 1e6,
                "cold_files": len(cold),
                "first_analysis_s": first_analysis,
                "warm_analysis_s": warm_analysis,
                "trivial_run_s": trivial,
                "warm_cache_s": warm_cache_s,
                "warm_boot_s": wt["boot_ms"] / 1000,
                "warm_prewarm_s": wt["prewarm_ms"] / 1000,
                "reload_requests_to_server": len(reloaded),
                "reload_mb": sum(n for _, n in reloaded) / 1e6,
                "downloaded_twice": twice,
                "marks": t.get("marks", {}),
            }
        finally:
            ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profiles", default="modern,classic")
    parser.add_argument("--timeout", type=float, default=180, help="seconds a start may take before the bench fails")
    parser.add_argument("--marks", action="store_true", help="also print the worker's start-up marks per round")
    args = parser.parse_args()
    profiles = args.profiles.split(",")
    dists = {"modern": bundle_dir() / "modern", "classic": bundle_dir()}
    for name in profiles:
        if not (dists[name] / "manifest.json").exists():
            raise SystemExit(f"the {name} bundle is missing: run pyodide_bundle/build.sh")
    rounds: dict[str, list[dict]] = {name: [] for name in profiles}
    with StaticServer() as server, sync_playwright() as pw:
        for _ in range(args.runs):
            for name in profiles:  # interleaved: both see the same machine load
                rounds[name].append(one_round(pw, server, name, args.timeout))
                if args.marks:
                    print(name, rounds[name][-1]["marks"], flush=True)
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0] if k not in ("downloaded_twice", "marks")}
           for name, rs in rounds.items()}
    twice = {name: sorted({p for r in rs for p in r["downloaded_twice"]}) for name, rs in rounds.items()}

    def line(label, key, unit="s"):
        cells = "".join(f"{med[name][key]:10.2f}" for name in profiles)
        print(f"{label:<60}{cells} {unit}")

    print(f"runtime bench (median of {args.runs} interleaved round(s), 127.0.0.1, Debian Chromium, "
          f"bundle {bundle_dir()})")
    print(f"{'':<60}" + "".join(f"{name:>10}" for name in profiles))
    line("cold start: page load -> pandas+matplotlib ready", "cold_s")
    line("  worker: Python boot", "boot_s")
    line("  worker: import numpy+pandas+matplotlib", "prewarm_s")
    line("    of which loadPackage (fetch + unpack)", "prewarm_load_s")
    line("    the rest: the imports", "import_s")
    line("first analysis run (groupby + PNG chart)", "first_analysis_s")
    line("same analysis again (warm)", "warm_analysis_s")
    line("trivial run round trip (warm run overhead)", "trivial_run_s")
    line("bytes downloaded cold, as sent (gzip where precompressed)", "cold_mb", "MB")
    line("bytes downloaded cold, uncompressed", "cold_raw_mb", "MB")
    line("files downloaded cold", "cold_files", "")
    line("warm HTTP cache: reload -> pandas+matplotlib ready", "warm_cache_s")
    line("  worker: Python boot", "warm_boot_s")
    line("  worker: import numpy+pandas+matplotlib", "warm_prewarm_s")
    line("  requests reaching the server on reload (sandbox page)", "reload_requests_to_server", "")
    line("  bytes fetched from the server on reload", "reload_mb", "MB")
    for name in profiles:
        print(f"{'files downloaded twice (' + name + ')':<60} {twice[name] if twice[name] else 'none'}")


if __name__ == "__main__":
    main()
