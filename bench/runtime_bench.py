"""Benchmark of the browser runtime (classic profile) in Debian's Chromium.

    .venv/bin/python bench/runtime_bench.py [--runs 3]

Prints: cold start (page load -> Python + numpy/pandas/matplotlib ready), the
worker's own split (Python boot, pre-warm imports), a warm second run's
overhead, bytes downloaded, the start with a warm HTTP cache (page reload in
the same user-data-dir) and whether any file was downloaded twice.
Targets: cold <= 4 s, warm cache <= 2.5 s, warm run overhead <= 0.3 s.
Needs pyodide_bundle/dist (pyodide_bundle/build.sh).
"""

from __future__ import annotations

import argparse
import statistics
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
from static_server import StaticServer  # noqa: E402

ANALYSIS = """
import pandas as pd, numpy as np, matplotlib.pyplot as plt
df = pd.DataFrame({'g': np.arange(2000) % 7, 'v': np.random.rand(2000)})
summary = df.groupby('g')['v'].agg(['mean', 'count'])
fig, ax = plt.subplots(); summary['mean'].plot.bar(ax=ax)
fig.savefig('output/generated/bench/s/chart.png')
print(summary.shape)
"""


def start_page(page, server) -> tuple[float, dict]:
    t0 = time.perf_counter()
    page.goto(server.url("/harness/index.html"))
    page.wait_for_function("window.harnessLoaded === true")
    info = page.evaluate("harness.start()")
    return time.perf_counter() - t0, info


def timed_run(page, code: str) -> float:
    t0 = time.perf_counter()
    result = page.evaluate("c => harness.run(c, {timeout_s: 120, output_dir: 'output/generated/bench/s'})", code)
    if not result["ok"]:
        raise SystemExit(f"bench run failed:\n{result['stderr']}")
    return time.perf_counter() - t0


def one_round(pw, server) -> dict:
    with tempfile.TemporaryDirectory(prefix="kepler-bench-") as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = ctx.new_page()
            server.served.clear()
            cold_s, info = start_page(page, server)
            cold_bytes = sum(n for _, n in server.served)
            first_analysis = timed_run(page, ANALYSIS)
            warm_analysis = timed_run(page, ANALYSIS)
            trivial = statistics.median(timed_run(page, "x = 1") for _ in range(5))
            cold_paths = [p for p, _ in server.served]

            served_before = len(server.served)
            page.reload()
            page.wait_for_function("window.harnessLoaded === true")
            t0 = time.perf_counter()
            warm_info = page.evaluate("harness.start()")
            warm_cache_s = time.perf_counter() - t0
            # the reload itself (navigation) is part of the start a person sees
            nav = page.evaluate("performance.getEntriesByType('navigation')[0].duration") / 1000
            reloaded = [p for p, _ in server.served[served_before:]]
            twice = sorted(p for p, n in Counter(cold_paths + reloaded).items() if n > 1)
            return {
                "cold_s": cold_s,
                "boot_s": info["timings"]["boot_ms"] / 1000,
                "prewarm_s": info["timings"]["prewarm_ms"] / 1000,
                "prewarm_load_s": info["timings"]["prewarm_load_ms"] / 1000,
                "cold_mb": cold_bytes / 1e6,
                "first_analysis_s": first_analysis,
                "warm_analysis_s": warm_analysis,
                "trivial_run_s": trivial,
                "warm_cache_s": warm_cache_s + nav,
                "warm_boot_s": warm_info["timings"]["boot_ms"] / 1000,
                "warm_prewarm_s": warm_info["timings"]["prewarm_ms"] / 1000,
                "reload_requests_to_server": len(reloaded),
                "reload_mb": sum(n for _, n in server.served[served_before:]) / 1e6,
                "downloaded_twice": twice,
            }
        finally:
            ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (ROOT / "pyodide_bundle" / "dist" / "manifest.json").exists():
        raise SystemExit("pyodide_bundle/dist is missing: run pyodide_bundle/build.sh")
    with StaticServer() as server, sync_playwright() as pw:
        rounds = [one_round(pw, server) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0] if k != "downloaded_twice"}
    twice = sorted({p for r in rounds for p in r["downloaded_twice"]})

    def line(label, value, target=None, unit="s"):
        verdict = "" if target is None else ("  OK" if value <= target else f"  OVER target {target} {unit}")
        print(f"{label:<52} {value:8.2f} {unit}{verdict}")

    print(f"runtime bench (classic profile, median of {args.runs} round(s), 127.0.0.1, Debian Chromium)")
    line("cold start: page load -> pandas+matplotlib ready", med["cold_s"], 4.0)
    line("  worker: Python boot", med["boot_s"])
    line("  worker: import numpy+pandas+matplotlib", med["prewarm_s"])
    line("    of which loadPackage (fetch + unpack)", med["prewarm_load_s"])
    line("first analysis run (groupby + PNG chart)", med["first_analysis_s"])
    line("same analysis again (warm)", med["warm_analysis_s"])
    line("trivial run round trip (warm run overhead)", med["trivial_run_s"], 0.3)
    line("bytes downloaded on cold start", med["cold_mb"], unit="MB")
    line("warm HTTP cache: reload -> pandas+matplotlib ready", med["warm_cache_s"], 2.5)
    line("  worker: Python boot", med["warm_boot_s"])
    line("  worker: import numpy+pandas+matplotlib", med["warm_prewarm_s"])
    line("  bytes fetched from the server on reload", med["reload_mb"], unit="MB")
    print(f"{'files downloaded twice across page loads':<52} {twice if twice else 'none'}")


if __name__ == "__main__":
    main()
