"""The offline model's file-producing answers run in the real browser runtime.

A subset of backend/tests/llm/test_offline_requests.py's table — the rows that
write files — generated on the server side exactly as there, then run by the
Pyodide worker in headless Chromium (pyodide_bundle/harness) with the wine and
diabetes workbooks and the messy latin-1 CSV mounted. The files come back as
bytes and are opened with openpyxl / python-docx / pypdf; the explanation is
written from the browser's stdout and checked with the same checks.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pyodide_bundle" / "dist"
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))

from static_server import StaticServer, default_routes  # noqa: E402

from tests.llm import test_offline_requests as table  # noqa: E402
from tests.llm.offline_workspace import Run, Workspace  # noqa: E402

OUT = "output/generated/u1/s1"
BROWSER_CASES = [
    "which feature correlates most with the target in diabetes.xlsx? plot it",
    "export a summary of the wine data to Excel and Word",
    "Summarise wine.xlsx as a PDF report",
    "correlation heatmap of the wine data as an Excel file",
    "clean messy.csv and give me the cleaned CSV",
    "bar chart of alcohol by cultivar",
    "analyze the wine dataset",
]
CASES = [c for c in table.CASES if c.request in BROWSER_CASES]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DIST / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: run pyodide_bundle/build.sh"),
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("offline_browser"))


@pytest.fixture(scope="module")
def page(browser, ws):
    with StaticServer(default_routes(files_dir=ws.root / "uploads")) as server:
        context = browser.new_context()
        p = context.new_page()
        p.goto(server.url("/harness/index.html"))
        p.wait_for_function("window.harnessLoaded === true")
        p.evaluate("harness.start()")
        yield p
        context.close()


def browser_header(ws: Workspace) -> str:
    lines = ["import pandas as pd", "import numpy as np", "import matplotlib", "matplotlib.use('Agg')",
             "import matplotlib.pyplot as plt", "import os, json, csv", f'OUTPUT_DIR = "{OUT}"',
             "os.makedirs(OUTPUT_DIR, exist_ok=True)"]
    lines += [f'{name}_path = "/workspace/uploads/{path.name}"' for name, path in ws.paths.items()]
    return "\n".join(lines) + "\n"


def run_in_browser(page, ws: Workspace, code: str, tmp: Path) -> Run:
    mounts = [{"material_id": f"m-{n}", "name": p.name, "path": f"/workspace/uploads/{p.name}",
               "url": f"/files/{p.name}"} for n, p in ws.paths.items()]
    result = page.evaluate("([code, opts]) => harness.run(code, opts)",
                           [browser_header(ws) + code, {"mounts": mounts, "timeout_s": 300, "output_dir": OUT}])
    files = {}
    for f in result["files"]:
        path = tmp / f["name"]
        path.write_bytes(base64.b64decode(f["bytes"]))
        files[f["name"]] = path
    return Run(code, result["stdout"], result["stderr"], bool(result["ok"]), files)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_offline_answer_runs_in_the_browser_runtime(page, ws, case, tmp_path):
    code = ws.generate(ws.context(case.request, case.names, **case.kw))
    run = run_in_browser(page, ws, code, tmp_path)
    assert run.ok, f"{run.stderr[-3000:]}\n--- code ---\n{code}"
    run.answer = ws.explain(case.request, run)
    case.check(ws, run)
