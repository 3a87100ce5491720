"""Benchmark of the browser runtimes in Debian's Chromium: the default
(modern, Pyodide 0.27.7) and the classic 0.17.1 build side by side, rounds
interleaved (modern, classic, modern, ...) in one run.

    .venv/bin/python bench/runtime_bench.py [--runs 3] [--profiles modern,classic]

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


def start_page(page, server, profile: str) -> tuple[float, dict]:
    t0 = time.perf_counter()
    page.goto(server.url(f"/harness/index.html?profile={profile}"))
    page.wait_for_function("window.harnessLoaded === true", timeout=180000)
    info = page.evaluate("harness.start()")
    return time.perf_counter() - t0, info


def timed_run(page, code: str) -> float:
    t0 = time.perf_counter()
    result = page.evaluate("c => harness.run(c, {timeout_s: 120, output_dir: 'output/generated/bench/s'})", code)
    if not result["ok"]:
        raise SystemExit(f"bench run failed:\n{result['stderr']}")
    return time.perf_counter() - t0


def one_round(pw, server, profile: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="kepler-bench-") as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = ctx.new_page()
            server.served.clear()
            cold_s, info = start_page(page, server, profile)
            cold_bytes = sum(n for _, n in server.served)
            first_analysis = timed_run(page, ANALYSIS)
            warm_analysis = timed_run(page, ANALYSIS)
            trivial = statistics.median(timed_run(page, "x = 1") for _ in range(5))
            cold_paths = [p for p, _ in server.served]

            served_before = len(server.served)
            page.reload()
            page.wait_for_function("window.harnessLoaded === true", timeout=180000)
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
    parser.add_argument("--profiles", default="modern,classic")
    args = parser.parse_args()
    profiles = args.profiles.split(",")
    dists = {"modern": ROOT / "pyodide_bundle" / "dist" / "modern", "classic": ROOT / "pyodide_bundle" / "dist"}
    for name in profiles:
        if not (dists[name] / "manifest.json").exists():
            raise SystemExit(f"the {name} bundle is missing: run pyodide_bundle/build.sh")
    rounds: dict[str, list[dict]] = {name: [] for name in profiles}
    with StaticServer() as server, sync_playwright() as pw:
        for _ in range(args.runs):
            for name in profiles:  # interleaved: both see the same machine load
                rounds[name].append(one_round(pw, server, name))
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0] if k != "downloaded_twice"}
           for name, rs in rounds.items()}
    twice = {name: sorted({p for r in rs for p in r["downloaded_twice"]}) for name, rs in rounds.items()}

    def line(label, key, unit="s"):
        cells = "".join(f"{med[name][key]:10.2f}" for name in profiles)
        print(f"{label:<52}{cells} {unit}")

    print(f"runtime bench (median of {args.runs} interleaved round(s), 127.0.0.1, Debian Chromium)")
    print(f"{'':<52}" + "".join(f"{name:>10}" for name in profiles))
    line("cold start: page load -> pandas+matplotlib ready", "cold_s")
    line("  worker: Python boot", "boot_s")
    line("  worker: import numpy+pandas+matplotlib", "prewarm_s")
    line("    of which loadPackage (fetch + unpack)", "prewarm_load_s")
    line("first analysis run (groupby + PNG chart)", "first_analysis_s")
    line("same analysis again (warm)", "warm_analysis_s")
    line("trivial run round trip (warm run overhead)", "trivial_run_s")
    line("bytes sent on cold start (as sent: .gz where precompressed)", "cold_mb", "MB")
    line("warm HTTP cache: reload -> pandas+matplotlib ready", "warm_cache_s")
    line("  worker: Python boot", "warm_boot_s")
    line("  worker: import numpy+pandas+matplotlib", "warm_prewarm_s")
    line("  bytes fetched from the server on reload", "reload_mb", "MB")
    for name in profiles:
        print(f"{'files downloaded twice (' + name + ')':<52} {twice[name] if twice[name] else 'none'}")


if __name__ == "__main__":
    main()
