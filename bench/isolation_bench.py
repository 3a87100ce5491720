"""Benchmark of the sandboxed runtime vs the same-origin worker (issue 11), in Debian's Chromium.

    .venv/bin/python bench/isolation_bench.py [--runs 1]

For each mode (isolated: the worker in the opaque-origin sandbox iframe, files
handed over by the page; plain: the old same-origin worker) in one run, prints:
  cold start        first page load -> Python + numpy/pandas/matplotlib ready
  reload -> ready   page reload with a warm HTTP cache (same user-data-dir), and
                    the MB the server sent again (bytes downloaded twice)
  timeout -> ready  a `while True` stopped at a 2 s limit -> the replacement worker ready
  new chat -> ready old: a new runtime per chat (a boot on a warm cache);
                    new: the notebook's warm runtime, globals reset, next run done
Needs pyodide_bundle/dist (pyodide_bundle/build.sh).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))
sys.path.insert(0, str(ROOT / "playwright_tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from static_server import StaticServer  # noqa: E402

MAKE = """async (isolated) => {
  const { PyodideRuntime } = await import('/runtime/runtimeClient.js');
  window.rt = new PyodideRuntime({ isolated, workerUrl: '/runtime/pyodide.worker.js' });
  const t0 = performance.now();
  await window.rt.start();
  return (performance.now() - t0) / 1000;
}"""

RUN = """(code) => window.rt.run({run_id: 'b', exec_id: 'e' + Math.random(), code, timeout_s: 2,
                              output_dir: 'output/generated/bench/s', mounts: []})"""


def load(page, server, isolated: bool) -> float:
    t0 = time.perf_counter()
    page.goto(server.url("/harness/index.html?profile=classic"))
    page.wait_for_function("window.harnessLoaded === true")
    page.evaluate(MAKE, isolated)
    return time.perf_counter() - t0


def one_mode(pw, server, isolated: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="kepler-isobench-") as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                    headless=True)
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            cold = load(page, server, isolated)
            assert page.evaluate(RUN, "import pandas\nframe = pandas.DataFrame({'a': [1]})")["ok"]
            before = len(server.served)
            reload_s = load(page, server, isolated)
            again_mb = sum(n for p, n in server.served[before:] if p.startswith("/pyodide/")) / 1e6

            page.evaluate(RUN, "import pandas\nframe = pandas.DataFrame({'a': [1]})")
            result = page.evaluate(RUN, "while True:\n    pass\n")
            assert result["timed_out"], result
            t0 = time.perf_counter()
            page.wait_for_function("window.rt.status === 'ready'", timeout=120_000)
            timeout_ready = time.perf_counter() - t0

            # new chat, old way: a fresh runtime (a boot on a warm HTTP cache)
            page.evaluate("window.rt.terminate()")
            old_chat = page.evaluate(MAKE, isolated)
            # new chat, new way: the same warm runtime, globals reset, first run done
            t0 = time.perf_counter()
            page.evaluate("window.rt.reset()")
            assert page.evaluate(RUN, "x = 1")["ok"]
            new_chat = time.perf_counter() - t0
            return {"cold_s": cold, "reload_s": reload_s, "reload_again_mb": again_mb,
                    "timeout_ready_s": timeout_ready, "new_chat_old_s": old_chat, "new_chat_new_s": new_chat}
        finally:
            ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rows: dict[str, list[dict]] = {"plain": [], "isolated": []}
    with StaticServer() as server, sync_playwright() as pw:
        for _ in range(args.runs):
            for mode in ("plain", "isolated"):
                rows[mode].append(one_mode(pw, server, mode == "isolated"))
    med = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for m, rs in rows.items()}
    print(f"runtime isolation bench (median of {args.runs}; seconds unless noted)")
    print(f"{'':34}{'plain':>10}{'isolated':>10}")
    for key, label in [("cold_s", "cold start -> ready"), ("reload_s", "reload -> ready (warm cache)"),
                       ("reload_again_mb", "  MB downloaded again on reload"),
                       ("timeout_ready_s", "timeout -> ready again"),
                       ("new_chat_old_s", "new chat -> ready, old (new worker)"),
                       ("new_chat_new_s", "new chat -> ready, new (warm reset)")]:
        print(f"{label:34}{med['plain'][key]:>10.2f}{med['isolated'][key]:>10.2f}")


if __name__ == "__main__":
    main()
