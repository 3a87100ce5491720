"""The browser runtime end to end: the built Pyodide bundle and
frontend/src/runtime/ served from 127.0.0.1, driven through the harness page
(pyodide_bundle/harness/index.html) in Debian's Chromium.

Needs the bundle: run `pyodide_bundle/build.sh` first (the test script does).
Most tests share one booted page (like one chat session); the timeout test
gets its own because it kills that page's worker.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pyodide_bundle" / "dist"
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))

from static_server import StaticServer, default_routes  # noqa: E402

OUT = "output/generated/u1/s1"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DIST / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: run pyodide_bundle/build.sh"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    files = tmp_path_factory.mktemp("files")
    (files / "sales.csv").write_text("region,sales\nNorth,120\nSouth,80\nEast,100\n")
    with StaticServer(default_routes(files_dir=files)) as srv:
        yield srv


def open_harness(browser, server):
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page.goto(server.url("/harness/index.html?profile=classic"))  # this file tests the opt-in 0.17.1 build
    page.wait_for_function("window.harnessLoaded === true")
    info = page.evaluate("harness.start()")
    return context, page, info, requests


@pytest.fixture(scope="module")
def session(browser, server):
    """One booted runtime shared by the tests below: (page, ready info, requests seen)."""
    context, page, info, requests = open_harness(browser, server)
    yield page, info, requests
    context.close()


def run(page, code: str, **opts) -> dict:
    return page.evaluate("([code, opts]) => harness.run(code, opts)", [code, opts])


def file_bytes(result: dict, name: str) -> bytes:
    matches = [f for f in result["files"] if f["name"] == name]
    assert matches, f"{name} not among {[f['name'] for f in result['files']]}"
    data = base64.b64decode(matches[0]["bytes"])
    assert len(data) == matches[0]["size"]
    return data


def test_runtime_boots_with_the_bundles_python(session):
    _page, info, _ = session
    manifest = json.loads((DIST / "manifest.json").read_text())
    assert info["python_version"] == manifest["python_version"] == "3.8.2"
    assert {p["name"] for p in info["packages"]} == {p["name"] for p in manifest["packages"]}


def test_start_runs_on_the_bundles_bytecode_and_reads_each_file_once(session):
    page, _, requests = session
    result = run(page, "import gc, json, os, sys\n"
                       "mods = [m for m in list(sys.modules.values())\n"
                       "        if (getattr(m, '__file__', None) or '').endswith('.py') and hasattr(m, '__cached__')]\n"
                       "no_pyc = sorted(m.__name__ for m in mods if not os.path.isfile(m.__cached__))\n"
                       "import pandas\n"
                       "print(json.dumps({'prefix': sys.pycache_prefix, 'modules': len(mods), 'no_pyc': no_pyc,\n"
                       "  'pandas_tests': os.path.exists(os.path.join(os.path.dirname(pandas.__file__), 'tests')),\n"
                       "  'gc': gc.isenabled(), 'frozen': gc.get_freeze_count()}))")
    assert result["ok"], result["stderr"]
    facts = json.loads(result["stdout"])
    # Python's own start-up modules and the pre-warm's all came from the
    # bundle's .pyc files (Python here never writes bytecode itself).
    assert facts["prefix"] == "/kepler_pycache"
    # the kernel (pyodide_bundle/kernel) is the worker's own module, installed at start, not part of the bundle's bytecode
    assert facts["modules"] > 500 and [m for m in facts["no_pyc"] if m != "keplerlab_kernel"] == []
    assert facts["pandas_tests"] is False  # test suites stay packed
    # the cyclic GC, paused during the pre-warm, is back on; the pre-warm's objects are frozen
    assert facts["gc"] is True and facts["frozen"] > 10_000
    paths = [urlsplit(u).path for u in requests]
    data_files = [p for p in paths if p.endswith(".data")]
    assert "/pyodide/pandas.data" in data_files and len(data_files) == len(set(data_files))
    assert "/pyodide/pycache-boot.bin" in paths and "/pyodide/pycache-packages.bin" in paths


def test_a_server_without_precompressed_files_still_gets_the_bytecode(browser):
    # A plain static host answers 404 for pycache-*.bin: the worker fetches the
    # .gz files and inflates them itself.
    with StaticServer(default_routes(), precompressed=False) as plain:
        context, page, _info, requests = open_harness(browser, plain)
        try:
            result = run(page, "import os, sys, asyncio, pandas\n"
                               "print(sys.pycache_prefix, os.path.isfile(asyncio.__cached__),"
                               " os.path.isfile(pandas.__cached__))")
        finally:
            context.close()
    assert result["ok"], result["stderr"]
    assert result["stdout"].split() == ["/kepler_pycache", "True", "True"]
    paths = {urlsplit(u).path for u in requests}
    assert {"/pyodide/pycache-boot.bin.gz", "/pyodide/pycache-packages.bin.gz"} <= paths


def test_numpy_pandas_matplotlib_are_ready_after_start(session):
    page, _, _ = session
    result = run(page, "import numpy as np, pandas as pd, matplotlib\n"
                       "print(np.__version__, pd.__version__, matplotlib.get_backend())\n"
                       "print(int(pd.DataFrame({'a': np.arange(5)})['a'].sum()))")
    assert result["ok"], result["stderr"]
    assert result["stdout"].split() == ["1.17.5", "1.0.5", "agg", "10"]
    assert result["duration_ms"] < 2000  # pre-warmed at start, not loaded now


def test_every_manifest_import_is_importable(session):
    page, _, _ = session
    manifest = json.loads((DIST / "manifest.json").read_text())
    imports = sorted({i for p in manifest["packages"] for i in p["imports"]})
    code = "import importlib, json\nfailed = {}\n"
    # Plain import statements so the runtime sees (and loads) every package.
    for name in imports:
        code += f"try:\n    import {name}\nexcept Exception as e:\n    failed[{name!r}] = repr(e)\n"
    code += "print(json.dumps(failed))\n"
    result = run(page, code, timeout_s=240)
    assert result["ok"], result["stderr"]
    failed = json.loads(result["stdout"].strip().splitlines()[-1])
    assert failed == {}, f"imports that failed: {failed}"
    assert result["stderr"] == ""


def test_generated_files_come_back_as_real_documents(session):
    page, _, _ = session
    code = f"""
import pandas as pd, matplotlib.pyplot as plt
from docx import Document
from fpdf import FPDF
OUTPUT_DIR = '{OUT}'
df = pd.DataFrame({{'region': ['North', 'South'], 'sales': [120, 80]}})
df.to_csv(f'{{OUTPUT_DIR}}/sales.csv', index=False)
df.to_excel(f'{{OUTPUT_DIR}}/sales.xlsx', index=False, sheet_name='Sales')
doc = Document(); doc.add_heading('Sales report', 0); doc.add_paragraph('Total sales: 200')
doc.save(f'{{OUTPUT_DIR}}/report.docx')
pdf = FPDF(); pdf.add_page(); pdf.set_font('Helvetica', size=14); pdf.cell(text='Total sales: 200')
pdf.output(f'{{OUTPUT_DIR}}/report.pdf')
fig, ax = plt.subplots(figsize=(4, 3)); ax.bar(df['region'], df['sales'])
fig.savefig(f'{{OUTPUT_DIR}}/chart.png', dpi=100)
plt.show()
print('saved')
"""
    result = run(page, code, timeout_s=120)
    assert result["ok"], result["stderr"]
    assert result["stderr"] == ""
    names = sorted(f["name"] for f in result["files"])
    assert names == ["chart.png", "report.docx", "report.pdf", "sales.csv", "sales.xlsx"]
    for f in result["files"]:
        assert f["path"] == f"/workspace/{OUT}/{f['name']}"
    assert {f["name"]: f["type"] for f in result["files"]}["chart.png"] == "image/png"

    rows = list(csv.reader(io.StringIO(file_bytes(result, "sales.csv").decode())))
    assert rows == [["region", "sales"], ["North", "120"], ["South", "80"]]

    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(file_bytes(result, "sales.xlsx")))
    assert [list(r) for r in wb["Sales"].iter_rows(values_only=True)] == [
        ["region", "sales"], ["North", 120], ["South", 80]]

    import docx
    paragraphs = [p.text for p in docx.Document(io.BytesIO(file_bytes(result, "report.docx"))).paragraphs]
    assert paragraphs == ["Sales report", "Total sales: 200"]

    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(file_bytes(result, "report.pdf")))
    assert "Total sales: 200" in reader.pages[0].extract_text()

    from PIL import Image
    image = Image.open(io.BytesIO(file_bytes(result, "chart.png")))
    assert image.format == "PNG" and image.size == (400, 300)

    # The POST body the page would send validates against the server's contract.
    from app.services.code_execution.contract import ExecutionResult
    body = ExecutionResult.model_validate(result["body"])
    assert sorted(f.name for f in body.files) == names


def test_only_new_or_changed_output_files_are_returned(session):
    page, _, _ = session
    first = run(page, f"open('{OUT}/a.txt', 'w').write('one')\nopen('{OUT}/b.txt', 'w').write('two')")
    assert sorted(f["name"] for f in first["files"]) == ["a.txt", "b.txt"]
    second = run(page, f"open('{OUT}/b.txt', 'w').write('two, longer')\nopen('/tmp/elsewhere.txt', 'w').write('x')\n"
                       "print('FILE_SAVED:/tmp/elsewhere.txt')")
    assert sorted(f["name"] for f in second["files"]) == ["b.txt", "elsewhere.txt"]
    assert base64.b64decode([f for f in second["files"] if f["name"] == "b.txt"][0]["bytes"]) == b"two, longer"


def test_globals_persist_between_runs_until_reset(session):
    page, _, _ = session
    first = run(page, "import pandas as pd\nkept_total = 41\nframe = pd.DataFrame({'x': [1]})\n"
                      "def helper():\n    return 1")
    assert first["ok"]
    assert first["vars"]["kept_total"] == "int" and first["vars"]["frame"] == "DataFrame"
    assert "pd" not in first["vars"] and "helper" not in first["vars"]
    second = run(page, "kept_total += 1\nprint(kept_total, helper())")
    assert second["stdout"] == "42 1\n"
    page.evaluate("harness.reset()")
    third = run(page, "print(kept_total)")
    assert not third["ok"]
    assert "NameError: name 'kept_total' is not defined" in third["stderr"]
    assert third["vars"] == {}


def test_exception_reports_full_traceback_in_stderr(session):
    page, _, _ = session
    result = run(page, "def divide(a, b):\n    return a / b\n\nprint('before')\ndivide(1, 0)\n")
    assert not result["ok"]
    assert result["stdout"] == "before\n"
    stderr = result["stderr"]
    assert stderr.startswith("Traceback (most recent call last):\n")
    assert 'File "<cell-' in stderr and "line 5, in <module>" in stderr and "line 2, in divide" in stderr
    assert "    return a / b\n" in stderr  # source lines are shown
    assert stderr.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "_kepler" not in stderr  # no runtime internals


def test_mounts_appear_under_workspace_uploads(session):
    page, _, _ = session
    mounts = [{"material_id": "m1", "name": "sales.csv", "path": "/workspace/uploads/sales.csv",
               "url": "/files/sales.csv"}]
    code = ("import os, pandas as pd\nprint(sorted(os.listdir('/workspace/uploads')))\n"
            "df = pd.read_csv('uploads/sales.csv')\nprint(int(df['sales'].sum()), os.getcwd())")
    result = run(page, code, mounts=mounts)
    assert result["ok"], result["stderr"]
    assert result["stdout"] == "['sales.csv']\n300 /workspace\n"


def test_pandas_lzma_warning_never_reaches_stderr(session):
    page, _, _ = session
    code = ("import warnings, pandas.compat as compat\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    compat._import_lzma()\n"
            "print(any('lzma' in str(w.message) for w in caught))\n"
            "compat._import_lzma()\n")
    result = run(page, code)
    assert result["ok"], result["stderr"]
    assert result["stdout"] == "True\n"  # the warning exists in this pandas...
    assert "lzma" not in result["stderr"]  # ...and the runtime keeps it out of the user's stderr


def test_fpdf2_md5_with_usedforsecurity_works_on_python_38(session):
    page, _, _ = session
    result = run(page, "import hashlib\nprint(hashlib.new('md5', b'k', usedforsecurity=False).hexdigest())")
    assert result["ok"], result["stderr"]
    assert result["stdout"].strip() == "8ce4b16b22b58894aa86c421e8759df3"


def test_every_request_stays_on_127_0_0_1(session):
    _page, _, requests = session
    assert requests, "no requests were recorded"
    foreign = [u for u in requests if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"]
    assert foreign == []


def test_timeout_stops_the_run_and_a_fresh_worker_takes_over(browser, server):
    context, page, _info, _ = open_harness(browser, server)
    try:
        assert run(page, "survivor = 1")["ok"]
        result = run(page, "print('started', flush=True)\nwhile True:\n    pass\n", timeout_s=3)
        assert not result["ok"]
        assert result["stderr"].startswith("TimeoutError: execution exceeded 3 s and was stopped\n")
        assert "restarted" in result["stderr"]
        assert result["stdout"] == "started\n"  # streamed before the worker was killed
        assert 3000 <= result["duration_ms"] < 6000
        after = run(page, "print(1 + 1)\nprint('survivor' in globals())", timeout_s=120)
        assert after["ok"], after["stderr"]
        assert after["stdout"] == "2\nFalse\n"
    finally:
        context.close()
