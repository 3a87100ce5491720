"""The offline coder's programs run in the real browser runtime (Pyodide 0.17.1:
Python 3.8.2, pandas 1.0.5, matplotlib 3.3.3, openpyxl/python-docx/fpdf2 wheels),
not only on the server's CPython. One booted page runs the whole request matrix.
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pyodide_bundle" / "dist"
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))

from static_server import StaticServer, default_routes  # noqa: E402

from app.services.llm.offline import OfflineChatModel  # noqa: E402
from app.services.llm.prompts import extract_code, render_prompt  # noqa: E402

OUT = "output/generated/u1/s1"
HEADER = (
    "import pandas as pd\nimport numpy as np\nimport matplotlib\nmatplotlib.use('Agg')\n"
    "import matplotlib.pyplot as plt\nimport os, json, csv\n"
    f'OUTPUT_DIR = "{OUT}"\nos.makedirs(OUTPUT_DIR, exist_ok=True)\n'
    'sales_path = "/workspace/uploads/sales.csv"\n'
)
MOUNTS = [{"material_id": "m1", "name": "sales.csv", "path": "/workspace/uploads/sales.csv",
           "url": "/files/sales.csv"}]
FILES = [{"var_name": "sales", "filename": "sales.csv", "real_path": "/workspace/uploads/sales.csv",
          "text_path": None, "ext": "csv", "type": "data"}]
PROFILE = {
    "var_name": "sales", "filename": "sales.csv", "shape": [8, 5],
    "columns": ["date", "region", "price", "quantity", "sales"],
    "dtypes": {"date": "object", "region": "object", "price": "float64", "quantity": "int64", "sales": "float64"},
    "sample": [{"date": "2023-01-02", "region": "North", "price": 2.5, "quantity": 4, "sales": 10.0}],
}
CSV_TEXT = "date,region,price,quantity,sales\n" + "\n".join(
    f"2023-01-{d:02d},{r},{p},{q},{p * q}" for d, r, p, q in [
        (2, "North", 2.5, 4), (3, "South", 3.0, 7), (4, "East", 1.5, 10), (5, "West", 4.0, 2),
        (6, "North", 2.0, 9), (7, "South", 3.5, 3), (8, "East", 5.0, 6), (9, "West", 1.0, 12)])

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DIST / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: run pyodide_bundle/build.sh"),
]


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    files = tmp_path_factory.mktemp("files")
    (files / "sales.csv").write_text(CSV_TEXT + "\n")
    import openpyxl

    wb = openpyxl.Workbook()
    for line in CSV_TEXT.splitlines():
        wb.active.append([float(v) if v.replace(".", "").isdigit() else v for v in line.split(",")])
    wb.save(files / "grades.xlsx")
    with StaticServer(default_routes(files_dir=files)) as server:
        context = browser.new_context()
        p = context.new_page()
        p.goto(server.url("/harness/index.html"))
        p.wait_for_function("window.harnessLoaded === true")
        p.evaluate("harness.start()")
        yield p
        context.close()


def generate(request: str, *, file_type=None, edit_action=None, data=True) -> str:
    context = {"request": request, "intent": "DATA_ANALYSIS", "file_type": file_type,
               "workspace_files": FILES if data else [], "analysis_context": PROFILE if data else {},
               "generated_files": [], "edit_action": edit_action,
               "runtime": {"python_version": "3.8.2"}, "previous_vars": {}}
    prompt = render_prompt("code_generation_prompt", context=context, available_libraries="")
    return extract_code(OfflineChatModel().invoke(prompt).content)


def run(page, code: str) -> dict:
    result = page.evaluate("([code, opts]) => harness.run(code, opts)",
                           [HEADER + code, {"mounts": MOUNTS, "timeout_s": 120, "output_dir": OUT}])
    assert result["ok"], f"{result['stderr']}\n--- code ---\n{code}"
    return result


def produced(result: dict) -> dict[str, bytes]:
    return {f["name"]: base64.b64decode(f["bytes"]) for f in result["files"]}


MATRIX = [
    ("Analyse this dataset", None, ["sales_distributions.png", "sales_correlations.png"], "8 rows and 5 columns"),
    ("histogram of price", None, ["histogram_price.png"], "median 2.75"),
    ("bar chart of sales by region", None, ["sales_by_region.png"], "Highest: East (45)"),
    ("line chart of sales over date", None, ["sales_over_date.png"], "peak 30 at 2023-01-08"),
    ("scatter plot of price vs quantity", None, ["scatter_price_vs_quantity.png"], "r = "),
    ("correlation heatmap", None, ["correlation_heatmap.png"], "Correlation"),
    ("export the data as csv", "csv", ["sales_data.csv"], "Saved 8 rows x 5 columns"),
    ("bar chart of sales by region and export to excel", "xlsx", ["sales_by_region.png", "sales_chart_data.xlsx"], "Saved"),
    ("create a word report of this dataset", "docx", ["sales_summary.docx"], "Saved a Word report"),
    ("analyse the data and export a PDF report", "pdf", ["sales_summary.pdf"], "Saved a PDF report"),
    ("Export total sales and quantity by region to an Excel file", "xlsx", ["sales_sales_quantity_by_region.xlsx"],
     "Total quantity by region: East 16, "),
    ("Write a Word report summarising sales by region", "docx", ["sales_sales_by_region.docx"],
     "Highest region: East (45, 36.1% of the total 124.50); lowest: West (20, 16.1%)"),
    ("Make a PDF report of sales by region", "pdf", ["sales_sales_by_region.pdf"], "Saved a PDF report"),
    ("PDF of average price per region", "pdf", ["sales_price_by_region.pdf"], "Average price by region: "),
]


@pytest.mark.parametrize(("request_text", "file_type", "names", "expected"), MATRIX)
def test_dataset_requests_run_in_pyodide(page, request_text, file_type, names, expected):
    result = run(page, generate(request_text, file_type=file_type))
    files = produced(result)
    for name in names:
        assert name in files, sorted(files)
    assert expected in result["stdout"]


def test_top_countries_and_flowchart_run_in_pyodide(page):
    result = run(page, generate("Create a CSV of top 10 countries by population", data=False))
    rows = produced(result)["top_10_countries_by_population.csv"].decode().splitlines()
    assert len(rows) == 11 and rows[1].startswith("1,India,") and rows[2].startswith("2,China,")
    result = run(page, generate("Draw a flowchart of Login -> Verify password -> Dashboard", data=False))
    assert produced(result)["flowchart_login.png"][:4] == b"\x89PNG"


def test_edits_run_in_pyodide(page):
    import docx
    import openpyxl

    run(page, generate("create a word report of this dataset", file_type="docx"))
    edit = {"op": "append", "target": {"filename": "sales_summary.docx", "path": f"{OUT}/sales_summary.docx"},
            "instruction": "add a paragraph saying 'Checked by the tutor.'"}
    result = run(page, generate("add a paragraph", edit_action=edit, data=False))
    document = docx.Document(io.BytesIO(produced(result)["sales_summary.docx"]))
    assert document.paragraphs[-1].text == "Checked by the tutor."

    run(page, generate("bar chart of sales by region and export to excel", file_type="xlsx"))
    edit = {"op": "delete", "target": {"filename": "sales_chart_data.xlsx", "path": f"{OUT}/sales_chart_data.xlsx"},
            "instruction": "delete the row for North"}
    result = run(page, generate("delete the row for North", edit_action=edit, data=False))
    sheet = openpyxl.load_workbook(io.BytesIO(produced(result)["sales_chart_data.xlsx"])).active
    regions = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(regions) == ["East", "South", "West"] and sheet["A1"].font.bold

    run(page, generate("Create a CSV of top 5 countries by population", data=False))
    edit = {"op": "append", "target": {"filename": "top_5_countries_by_population.csv",
                                       "path": f"{OUT}/top_5_countries_by_population.csv"},
            "instruction": "add a column share with the percentage of population"}
    result = run(page, generate("add a share column", edit_action=edit, data=False))
    header = produced(result)["top_5_countries_by_population.csv"].decode().splitlines()[0]
    assert header == "rank,country,population,share"


def test_uploaded_xlsx_dataset_is_read_in_pyodide(page):
    files = [{"var_name": "grades", "filename": "grades.xlsx", "real_path": "/workspace/uploads/grades.xlsx",
              "text_path": None, "ext": "xlsx", "type": "data"}]
    context = {"request": "bar chart of sales by region", "workspace_files": files, "analysis_context": {},
               "edit_action": None, "file_type": None}
    prompt = render_prompt("code_generation_prompt", context=context, available_libraries="")
    code = extract_code(OfflineChatModel().invoke(prompt).content)
    header = HEADER + 'grades_path = "/workspace/uploads/grades.xlsx"\n'
    mounts = [{"material_id": "m2", "name": "grades.xlsx", "path": "/workspace/uploads/grades.xlsx",
               "url": "/files/grades.xlsx"}]
    result = page.evaluate("([code, opts]) => harness.run(code, opts)",
                           [header + code, {"mounts": mounts, "timeout_s": 120, "output_dir": OUT}])
    assert result["ok"], result["stderr"]
    assert "Highest: East (45)" in result["stdout"]
