"""Run behaviour in Chromium (issue 11), through the harness page and the
sandboxed runtime: a runaway loop is stopped at the limit and the replacement
worker is warm before the next run; Stop ends running code and the next run
works; the TimeoutError names the kernel state that was lost."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pyodide_bundle" / "dist"
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))

from static_server import StaticServer, default_routes  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DIST / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: run pyodide_bundle/build.sh"),
]


@pytest.fixture(scope="module")
def server():
    with StaticServer(default_routes()) as srv:
        yield srv


@pytest.fixture
def harness(browser, server):
    context = browser.new_context()
    page = context.new_page()
    sandbox_loads: list[str] = []
    page.on("request", lambda r: sandbox_loads.append(r.url) if r.url.endswith("/api/runtime/sandbox") else None)
    page.goto(server.url("/harness/index.html?profile=modern"))
    page.wait_for_function("window.harnessLoaded === true")
    page.evaluate("harness.start()")
    yield page, sandbox_loads
    context.close()


def run(page, code: str, **opts) -> dict:
    return page.evaluate("([code, opts]) => harness.run(code, opts)", [code, opts])


def test_a_runaway_loop_stops_at_the_limit_and_the_next_run_is_warm(harness):
    page, sandbox_loads = harness
    assert run(page, "import json\ntotals = {'a': 1}\nlabel = 'x'")["ok"]
    result = run(page, "print('working', flush=True)\nwhile True:\n    pass\n", timeout_s=3)
    assert result["timed_out"] is True and result["ok"] is False
    assert result["stdout"] == "working\n"
    first, second = result["stderr"].splitlines()[:2]
    assert first == "TimeoutError: execution exceeded 3 s and was stopped"
    assert "totals, label" in second and "json" in second  # what was lost, what comes back
    assert 3000 <= result["duration_ms"] < 12000
    # a new sandboxed worker is already starting; it is ready before the next run goes in
    assert len(sandbox_loads) == 2
    page.wait_for_function("harness.runtime.status === 'ready'", timeout=120_000)
    t0 = time.monotonic()
    after = run(page, "import pandas as pd\nprint(int(pd.Series([1, 2]).sum()), 'totals' in globals())")
    assert after["ok"], after["stderr"]
    assert after["stdout"] == "3 False\n"
    assert time.monotonic() - t0 < 20  # warm: no boot inside this run (slack for a loaded machine)
    assert page.evaluate("harness.runtime.starts") == 2


def test_stop_ends_running_code_and_the_next_run_works(harness):
    page, sandbox_loads = harness
    page.evaluate("""() => { window.__stopped = harness.run(
        "import time\\nfor i in range(10**9):\\n    print(i, flush=True)\\n    time.sleep(0.05)\\n",
        {timeout_s: 120}); }""")
    page.wait_for_function("harness.events.output.length > 3", timeout=60_000)
    assert page.evaluate("harness.runtime.stop()") is True
    result = page.evaluate("window.__stopped")
    assert result["stopped"] is True and result["ok"] is False and not result.get("timed_out")
    assert result["stderr"] == "Stopped by the user\n"
    assert result["stdout"].startswith("0\n1\n")
    assert result["body"]["stopped"] is True  # what the page posts to the server
    assert page.evaluate("harness.runtime.stop()") is False  # nothing runs now
    after = run(page, "print('again')", timeout_s=120)
    assert after["ok"], after["stderr"]
    assert after["stdout"] == "again\n"
    assert len(sandbox_loads) == 2
