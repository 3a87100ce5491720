"""The default runtime profile end to end: Pyodide 0.27.7 (npm `pyodide`,
Python 3.12) from pyodide_bundle/dist/modern, driven through the harness
page with ?profile=modern (runtimeClient.js starts pyodide.worker.modern.js
as an ES-module worker) in Debian's Chromium, everything from 127.0.0.1.

Needs the bundle: run `pyodide_bundle/build.sh` first.
"""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODERN = ROOT / "pyodide_bundle" / "dist" / "modern"
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))

from static_server import StaticServer, default_routes  # noqa: E402

OUT = "output/generated/u1/s1"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (MODERN / "manifest.json").exists(),
                       reason="pyodide_bundle/dist/modern is not built: run pyodide_bundle/build.sh"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    files = tmp_path_factory.mktemp("files")
    (files / "scores.csv").write_text("name,score\nada,3\nbob,4\n")
    with StaticServer(default_routes(files_dir=files)) as srv:
        yield srv


def open_harness(browser, server):
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page.goto(server.url("/harness/index.html?profile=modern"))
    page.wait_for_function("window.harnessLoaded === true")
    info = page.evaluate("harness.start()")
    return context, page, info, requests


@pytest.fixture(scope="module")
def session(browser, server):
    context, page, info, requests = open_harness(browser, server)
    yield page, info, requests
    context.close()


def run(page, code: str, **opts) -> dict:
    return page.evaluate("([code, opts]) => harness.run(code, opts)", [code, opts])


def test_modern_runtime_boots_python_312_from_its_own_manifest(session):
    page, info, requests = session
    manifest = json.loads((MODERN / "manifest.json").read_text())
    assert info["profile"] == manifest["profile"] == "modern"
    assert info["python_version"] == manifest["python_version"]
    assert info["python_version"] == "3.12.7"
    assert {p["name"] for p in info["packages"]} == {p["name"] for p in manifest["packages"]}
    assert any(u.endswith("/pyodide/modern/pyodide.asm.wasm") for u in requests)
    assert not any(u.endswith("/pyodide/pyodide.js") for u in requests)  # not the classic core
    result = run(page, "import sys, os\nprint(sys.version_info[:2], os.getcwd())")
    assert result["ok"], result["stderr"]
    assert result["stdout"] == "(3, 12) /workspace\n"


def test_stdout_and_stderr_are_captured_with_a_full_traceback(session):
    page, _, _ = session
    result = run(page, "import sys\ndef divide(a, b):\n    return a / b\n\n"
                       "print('before')\nprint('to stderr', file=sys.stderr)\nprint('é ∑ 😀')\ndivide(1, 0)\n")
    assert not result["ok"]
    assert result["stdout"] == "before\né ∑ 😀\n"
    stderr = result["stderr"]
    assert stderr.startswith("to stderr\nTraceback (most recent call last):\n")
    assert 'File "<cell-' in stderr and "line 8, in <module>" in stderr and "line 3, in divide" in stderr
    assert "return a / b" in stderr
    assert stderr.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "_kepler" not in stderr and "keplerlab_kernel" not in stderr
    # the page saw the same text streamed as 'stdout' / 'stderr' messages
    events = page.evaluate("harness.events.output")
    streamed = "".join(e["text"] for e in events if e["stream"] == "stdout")
    assert streamed.endswith("before\né ∑ 😀\n")


def test_openpyxl_from_the_bundle_writes_a_real_xlsx(session):
    page, _, requests = session
    mounts = [{"material_id": "m1", "name": "scores.csv", "path": "/workspace/uploads/scores.csv",
               "url": "/files/scores.csv"}]
    code = f"""
import csv
from openpyxl import Workbook
from tabulate import tabulate
rows = list(csv.reader(open('uploads/scores.csv')))
wb = Workbook(); ws = wb.active; ws.title = 'Scores'
for name, score in rows[1:]:
    ws.append([name, int(score)])
wb.save('{OUT}/scores.xlsx')
print(tabulate(rows[1:], headers=rows[0]))
"""
    result = run(page, code, mounts=mounts)
    assert result["ok"], result["stderr"]
    assert [line.split() for line in result["stdout"].splitlines()] == [
        ["name", "score"], ["------", "-------"], ["ada", "3"], ["bob", "4"]]
    [xlsx] = [f for f in result["files"] if f["name"] == "scores.xlsx"]
    assert xlsx["path"] == f"/workspace/{OUT}/scores.xlsx"
    assert xlsx["type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = base64.b64decode(xlsx["bytes"])
    assert len(data) == xlsx["size"]

    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert [list(r) for r in wb["Scores"].iter_rows(values_only=True)] == [["ada", 3], ["bob", 4]]
    # both wheels (and openpyxl's dependency) came from the bundle via pyodide-lock.json
    assert any(u.endswith("/pyodide/modern/wheels/openpyxl-3.1.5-py2.py3-none-any.whl") for u in requests)
    assert any(u.endswith("/pyodide/modern/wheels/et_xmlfile-2.0.0-py3-none-any.whl") for u in requests)


def test_file_saved_lines_and_changed_files_only(session):
    page, _, _ = session
    first = run(page, f"open('{OUT}/a.txt', 'w').write('one')")
    assert [f["name"] for f in first["files"]] == ["a.txt"]
    second = run(page, "open('/tmp/note.txt', 'w').write('x')\nprint('FILE_SAVED:/tmp/note.txt')")
    assert [f["name"] for f in second["files"]] == ["note.txt"]


def test_a_package_the_bundle_lacks_fails_as_module_not_found(session):
    page, _, _ = session
    result = run(page, "import statsmodels_is_not_here")  # never reaches for a CDN
    assert not result["ok"]
    assert "ModuleNotFoundError" in result["stderr"]
    result = run(page, "import jinja2")  # excluded: no markupsafe from the registries
    assert not result["ok"] and "ModuleNotFoundError" in result["stderr"]


def test_globals_persist_between_runs_until_reset(session):
    page, _, _ = session
    first = run(page, "kept_total = 41\nlabels = ['a']\ndef helper():\n    return 1")
    assert first["ok"], first["stderr"]
    assert first["vars"]["kept_total"] == "int" and first["vars"]["labels"] == "list"
    assert "helper" not in first["vars"]
    assert run(page, "kept_total += 1\nprint(kept_total, helper())")["stdout"] == "42 1\n"
    page.evaluate("harness.reset()")
    third = run(page, "print(kept_total)")
    assert not third["ok"]
    assert "NameError: name 'kept_total' is not defined" in third["stderr"]
    assert third["vars"] == {}


def test_every_request_stays_on_127_0_0_1(session):
    _page, _, requests = session
    assert requests
    foreign = [u for u in requests if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert foreign == []


def test_timeout_stops_the_run_and_a_fresh_worker_takes_over(browser, server):
    context, page, _info, requests = open_harness(browser, server)
    try:
        assert run(page, "survivor = 1")["ok"]
        result = run(page, "print('started', flush=True)\nwhile True:\n    pass\n", timeout_s=3)
        assert not result["ok"]
        assert result["stderr"].startswith("TimeoutError: execution exceeded 3 s and was stopped\n")
        assert result["stdout"] == "started\n"
        assert 3000 <= result["duration_ms"] < 6000
        after = run(page, "print(1 + 1)\nprint('survivor' in globals())", timeout_s=60)
        assert after["ok"], after["stderr"]
        assert after["stdout"] == "2\nFalse\n"
        assert page.evaluate("harness.runtime.info.profile") == "modern"
        assert all(urlsplit(u).hostname == "127.0.0.1" for u in requests if urlsplit(u).scheme == "http")
    finally:
        context.close()


def manifest_imports() -> list[str]:
    manifest = json.loads((MODERN / "manifest.json").read_text())
    return sorted({i for p in manifest["packages"] if p["source"] != "wasi" for i in p["imports"]
                   if i not in ("pylab", "_ssl", "_sqlite3")})


def test_every_library_the_manifest_names_imports(session):
    page, _, _ = session
    names = manifest_imports()
    assert {"numpy", "pandas", "sklearn", "scipy", "seaborn", "plotly", "openpyxl", "fpdf", "reportlab",
            "pyarrow", "networkx", "xlrd", "tabulate", "PIL", "micropip", "ssl"} <= set(names)
    # real import statements, as generated code writes them (the worker loads packages from them)
    code = "import json\nbad = {}\n" + "".join(
        f"try:\n    import {n}\nexcept Exception as e:\n    bad[{n!r}] = repr(e)\n" for n in names
    ) + "print(json.dumps(bad))\n"
    result = run(page, code, timeout_s=600)
    assert result["ok"], result["stderr"]
    assert json.loads(result["stdout"]) == {}


def test_matplotlib_docstrings_read_as_matplotlib_writes_them(session):
    """The kernel parses each Artist setter's docstring once at start (0.1 s); matplotlib
    3.8.4's set() docstrings and kwdoc must not change."""
    page, _, _ = session
    check = ROOT / "pyodide_bundle" / "harness" / "matplotlib_docs_check.py"
    result = run(page, check.read_text(), timeout_s=120)
    assert result["ok"], result["stderr"]
    assert int(result["stdout"].split()[0]) > 100


def test_modern_idioms_run_first_time(session, tmp_path):
    page, _, _ = session
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "sales", "cost"])
    for row in [["north", 10, 4], ["south", 14, 6], ["east", 9, 5], ["west", 20, 8]]:
        ws.append(row)
    xlsx = tmp_path / "sales.xlsx"
    wb.save(xlsx)
    page.evaluate("""(b64) => { window.__xlsx = Uint8Array.from(atob(b64), c => c.charCodeAt(0)).buffer; }""",
                  base64.b64encode(xlsx.read_bytes()).decode())
    code = """
from __future__ import annotations
import pandas as pd, numpy as np
import seaborn as sns
import matplotlib.pyplot as plt
from scipy import stats
from sklearn.linear_model import LinearRegression

def top(values: list[int], limit: int | None = None) -> list[tuple[str, int]]:
    return [(str(v), v) for v in sorted(values)[:limit]]

match top([3, 1, 2], 2):
    case [(_, 1), *rest]:
        print("match ok", len(rest))
df = pd.read_excel("uploads/sales.xlsx")
df["label"] = df["region"]
print(df.corr(numeric_only=True).round(2).loc["sales", "cost"])
print(df[["sales"]].map(lambda v: v * 2)["sales"].tolist())
print(df.to_markdown(index=False).splitlines()[0])
fig, ax = plt.subplots(layout="constrained")
sns.heatmap(df.corr(numeric_only=True), annot=True, ax=ax)
fig.savefig("output/generated/u1/s1/heat.png")
model = LinearRegression().fit(df[["cost"]], df["sales"])
print("r2", round(model.score(df[["cost"]], df["sales"]), 3))
print("pearson", round(stats.pearsonr(df["sales"], df["cost"])[0], 3))
"""
    mounts = [{"material_id": "m2", "name": "sales.xlsx", "path": "/workspace/uploads/sales.xlsx",
               "url": "/files/none.xlsx"}]
    result = page.evaluate(
        """async ([code, mounts]) => {
            const rt = harness.runtime;
            const r = await rt.run({run_id: 'r', exec_id: 'idioms', code, timeout_s: 600,
                                    output_dir: 'output/generated/u1/s1', mounts},
                                   {fetchMount: async () => window.__xlsx});
            return {ok: r.ok, stdout: r.stdout, stderr: r.stderr, files: r.files.map(f => f.name)};
        }""", [code, mounts])
    assert result["ok"], result["stderr"]
    lines = result["stdout"].splitlines()
    assert lines[0] == "match ok 1"
    assert lines[2] == "[20, 28, 18, 40]"
    assert lines[3].startswith("| region")
    assert lines[4].startswith("r2 ") and lines[5].startswith("pearson ")
    assert "heat.png" in result["files"]


def test_xlsx_pdf_csv_png_written_in_the_browser_open_with_their_readers(session):
    page, _, _ = session
    code = """
import pandas as pd, matplotlib.pyplot as plt
from fpdf import FPDF
df = pd.DataFrame({"city": ["Oslo", "Lima"], "pop": [0.7, 10.1]})
out = "output/generated/u1/s1/"
df.to_excel(out + "cities.xlsx", index=False)
df.to_csv(out + "cities.csv", index=False)
fig, ax = plt.subplots()
df.plot.bar(x="city", y="pop", ax=ax)
fig.savefig(out + "cities.png")
pdf = FPDF()
pdf.add_page()
pdf.set_font("helvetica", size=12)
pdf.cell(text="Cities report: Oslo and Lima")
pdf.output(out + "cities.pdf")
"""
    result = run(page, code, timeout_s=600)
    assert result["ok"], result["stderr"]
    files = {f["name"]: base64.b64decode(f["bytes"]) for f in result["files"]}
    import openpyxl
    from PIL import Image
    from pypdf import PdfReader

    ws = openpyxl.load_workbook(io.BytesIO(files["cities.xlsx"])).active
    assert [c.value for c in ws[2]] == ["Oslo", 0.7]
    assert files["cities.csv"].decode().splitlines() == ["city,pop", "Oslo,0.7", "Lima,10.1"]
    assert Image.open(io.BytesIO(files["cities.png"])).size[0] > 100
    assert "Cities report" in PdfReader(io.BytesIO(files["cities.pdf"])).pages[0].extract_text()
