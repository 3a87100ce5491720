"""The offline coder writes programs that really run and really produce the files.

Each test renders the real code-generation prompt, asks the OfflineChatModel,
prepends a workspace header like the agent's, runs the program with this
venv's CPython in a subprocess, and opens what it wrote.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from app.services.llm.offline import OfflineChatModel
from app.services.llm.prompts import extract_code, render_prompt

OUTPUT_DIR = "output/generated/u1/s1"
LIBRARIES = "- pandas 1.0.5 — data manipulation\n- matplotlib 3.3.3 — charts"
REGIONS = ["North", "South", "East", "West"]
PRODUCTS = ["Widget", "Gadget", "Gizmo"]


def sales_frame() -> pd.DataFrame:
    rows = []
    start = dt.date(2023, 1, 2)
    for i in range(48):
        price = round(5 + (i * 7) % 23 + 0.25 * (i % 4), 2)
        quantity = 3 + (i * 5) % 17
        rows.append({
            "date": (start + dt.timedelta(days=7 * (i // 2))).isoformat(),
            "region": REGIONS[i % 4],
            "product": PRODUCTS[i % 3],
            "price": price,
            "quantity": quantity,
            "sales": round(price * quantity, 2),
        })
    return pd.DataFrame(rows)


def profile(df: pd.DataFrame, filename: str, var_name: str) -> dict:
    """What the server-side data profiler hands the coder."""
    return {
        "material_id": "m1",
        "filename": filename,
        "var_name": var_name,
        "shape": list(df.shape),
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
        "describe": df.describe().round(3).to_dict(),
        "nulls": {str(c): int(v) for c, v in df.isnull().sum().items()},
        "sample": df.head(5).astype(str).to_dict(orient="records"),
    }


def fmt(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


class Workspace:
    def __init__(self, root: Path):
        self.root = root
        self.out = root / OUTPUT_DIR
        self.out.mkdir(parents=True)
        (root / "uploads").mkdir()
        self.df = sales_frame()
        self.files = self.upload_csv(self.df, "sales")
        self.csv_path = Path(self.files[0]["real_path"])

    def upload_csv(self, df: pd.DataFrame, var: str) -> list[dict]:
        """uploads/<var>.csv, profiled as the workspace's data; returns the workspace file list."""
        path = self.root / "uploads" / f"{var}.csv"
        df.to_csv(path, index=False)
        self.profile = profile(df, path.name, var)
        return [{"var_name": var, "filename": path.name, "real_path": str(path),
                 "text_path": None, "ext": "csv", "type": "data"}]

    def header(self, files: list[dict]) -> str:
        lines = [
            "import pandas as pd", "import numpy as np", "import matplotlib", "matplotlib.use('Agg')",
            "import matplotlib.pyplot as plt", "import os, json, csv",
            f'OUTPUT_DIR = "{OUTPUT_DIR}"', "os.makedirs(OUTPUT_DIR, exist_ok=True)",
        ]
        for f in files:
            if f["type"] == "data":
                lines.append(f'{f["var_name"]}_path = "{f["real_path"]}"')
            else:
                lines.append(f'{f["var_name"]}_text_path = "{f["text_path"]}"')
        return "\n".join(lines) + "\n"

    def generate(self, request: str, *, files: list[dict] | None = None, profiled: bool = True,
                 file_type: str | None = None, edit_action: dict | None = None,
                 intent: str = "DATA_ANALYSIS") -> str:
        files = self.files if files is None else files
        context = {
            "request": request, "intent": intent, "file_type": file_type, "workspace_files": files,
            "analysis_context": self.profile if (profiled and files) else {},
            "generated_files": [], "edit_action": edit_action,
            "runtime": {"python_version": "3.8.2", "packages": {"pandas": "1.0.5"}}, "previous_vars": {},
        }
        prompt = render_prompt("code_generation_prompt", context=context, available_libraries=LIBRARIES)
        answer = OfflineChatModel().invoke(prompt).content
        assert answer.startswith("```python\n") and answer.rstrip().endswith("```")
        code = extract_code(answer)
        check_static(code)
        return code

    def run(self, code: str, files: list[dict] | None = None) -> subprocess.CompletedProcess:
        script = self.root / "run.py"
        script.write_text(self.header(self.files if files is None else files) + code)
        result = subprocess.run([sys.executable, str(script)], cwd=self.root, capture_output=True, text=True,
                                timeout=240, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\ncode:\n{code}"
        return result

    def saved(self, result: subprocess.CompletedProcess) -> list[Path]:
        paths = [line.split("FILE_SAVED:", 1)[1].strip() for line in result.stdout.splitlines()
                 if line.startswith("FILE_SAVED:")]
        for p in paths:
            assert p.startswith(OUTPUT_DIR + "/"), p
            assert (self.root / p).is_file(), p
        return [self.root / p for p in paths]


def check_static(code: str) -> None:
    tree = ast.parse(code, feature_version=(3, 8))
    compile(code, "<generated>", "exec")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            assert not (isinstance(func, ast.Name) and func.id == "input"), "input() in generated code"
            assert not (isinstance(func, ast.Attribute) and func.attr == "show"), "plt.show() in generated code"
            assert not (isinstance(func, ast.Attribute) and func.attr == "to_markdown")
    assert "numeric_only" not in code and "include_groups" not in code


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


# --- analysis and charts -----------------------------------------------------------


def test_analyse_dataset_prints_profile_numbers_and_saves_charts(ws: Workspace):
    result = ws.run(ws.generate("Analyse this dataset"))
    pngs = ws.saved(result)
    assert len(pngs) >= 2 and all(is_png(p) for p in pngs)
    out = result.stdout
    assert "48 rows and 6 columns" in out
    assert f"price: mean {fmt(ws.df['price'].mean())}" in out
    assert f"max {fmt(ws.df['sales'].max())}" in out
    assert "No missing values" in out
    counts = ws.df["region"].value_counts()
    top = counts.index[0]
    if counts.nunique() == 1:
        assert f"Rows per region: {counts.iloc[0]} each (" in out
    else:
        assert f"Rows per region: {top} {counts.iloc[0]}" in out
    corr = ws.df[["price", "quantity", "sales"]].corr()
    assert f"{corr.loc['quantity', 'sales']:.2f}" in out


def test_analysis_lists_no_top_values_of_a_column_that_names_each_row(ws: Workspace):
    named = ws.df.assign(order=[f"Order {i}" for i in range(len(ws.df))])
    files = ws.upload_csv(named, "orders")
    out = ws.run(ws.generate("Analyse orders.csv", files=files), files=files).stdout
    assert "Rows per region: " in out
    assert "Rows per order" not in out  # 48 distinct values, each counted once, is not a finding


def test_analysis_counts_rows_per_category_most_first(ws: Workspace):
    uneven = ws.df[~((ws.df["region"] == "North") & (ws.df.index < 20))]  # North loses 5 rows
    files = ws.upload_csv(uneven, "uneven")
    out = ws.run(ws.generate("Analyse uneven.csv", files=files), files=files).stdout
    counts = uneven["region"].value_counts()
    assert counts.nunique() > 1
    listed = ", ".join(f"{k} {v}" for k, v in counts.items())
    assert f"Rows per region: {listed}" in out
    assert listed.endswith(f"North {counts['North']}")  # the fewest last


def test_histogram_of_named_column(ws: Workspace):
    code = ws.generate("Show me a histogram of Price")
    assert "'price'" in code  # matched case-insensitively at generation time
    result = ws.run(code)
    [png] = ws.saved(result)
    assert png.name == "histogram_price.png" and is_png(png)
    assert f"median {fmt(ws.df['price'].median())}" in result.stdout


def test_bar_chart_of_sales_by_region(ws: Workspace):
    result = ws.run(ws.generate("bar chart of sales by region"))
    [png] = ws.saved(result)
    assert png.name == "sales_by_region.png"
    totals = ws.df.groupby("region")["sales"].sum().sort_values(ascending=False)
    assert f"Highest: {totals.index[0]} ({fmt(totals.iloc[0])})" in result.stdout


def test_bar_chart_without_profile_matches_columns_at_run_time(ws: Workspace):
    code = ws.generate("bar chart of sales by region", profiled=False)
    assert "find_column" in code
    result = ws.run(code)
    assert len(ws.saved(result)) == 1
    totals = ws.df.groupby("region")["sales"].sum().sort_values(ascending=False)
    assert f"Highest: {totals.index[0]} ({fmt(totals.iloc[0])})" in result.stdout


def test_line_chart_over_date(ws: Workspace):
    result = ws.run(ws.generate("line chart of sales over date"))
    [png] = ws.saved(result)
    assert is_png(png)
    by_day = ws.df.groupby("date")["sales"].sum()
    assert f"peak {fmt(by_day.max())} at {by_day.idxmax()}" in result.stdout


def test_scatter_x_vs_y_reports_correlation(ws: Workspace):
    result = ws.run(ws.generate("scatter plot of price vs quantity"))
    [png] = ws.saved(result)
    assert png.name == "scatter_price_vs_quantity.png"
    r = ws.df["price"].corr(ws.df["quantity"])
    assert f"Correlation between price and quantity: r = {r:.2f} (48 rows)" in result.stdout


def test_correlation_heatmap(ws: Workspace):
    result = ws.run(ws.generate("correlation heatmap"))
    [png] = ws.saved(result)
    assert png.name == "correlation_heatmap.png" and is_png(png)
    r = ws.df["quantity"].corr(ws.df["sales"])
    assert f"Correlation quantity & sales: {r:.2f}" in result.stdout


# --- exports -------------------------------------------------------------------------


def test_export_dataset_to_csv(ws: Workspace):
    result = ws.run(ws.generate("export the data as a CSV file", file_type="csv", intent="FILE_GENERATION"))
    [path] = ws.saved(result)
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(ws.df.columns) and len(rows) == 49


def test_csv_of_the_top_10_rows_by_a_column_is_those_rows_sorted(ws: Workspace):
    result = ws.run(ws.generate("save a CSV of the top 10 rows by sales", file_type="csv", intent="FILE_GENERATION"))
    [path] = ws.saved(result)
    assert path.name == "sales_top_10_by_sales_data.csv"
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(ws.df.columns)
    assert frame["sales"].tolist() == ws.df["sales"].nlargest(10).tolist()


def test_csv_of_the_first_five_rows_keeps_the_file_order(ws: Workspace):
    result = ws.run(ws.generate("export the first 5 rows as csv", file_type="csv", intent="FILE_GENERATION"))
    [path] = ws.saved(result)
    assert pd.read_csv(path)["date"].tolist() == ws.df["date"].head(5).tolist()


def test_export_sales_by_region_to_xlsx_with_bold_header(ws: Workspace):
    result = ws.run(ws.generate("bar chart of sales by region and export it to excel", file_type="xlsx"))
    paths = ws.saved(result)
    [xlsx] = [p for p in paths if p.suffix == ".xlsx"]
    sheet = openpyxl.load_workbook(xlsx).active
    assert [c.value for c in sheet[1]] == ["region", "sum_sales"]
    assert all(c.font.bold for c in sheet[1])
    totals = ws.df.groupby("region")["sales"].sum()
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values == pytest.approx(totals.to_dict())
    assert sheet.column_dimensions["B"].width >= len("sum_sales")


def test_word_report_has_heading_summary_and_table(ws: Workspace):
    result = ws.run(ws.generate("create a word report of this dataset", file_type="docx",
                                intent="FILE_GENERATION"))
    [path] = ws.saved(result)
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "48 rows and 6 columns" in text
    assert len(document.tables) == 1
    table = document.tables[0]  # a report summarises: one row of summary statistics per numeric column
    assert [c.text for c in table.rows[0].cells][:3] == ["column", "count", "mean"]
    assert [r.cells[0].text for r in table.rows[1:]] == ["price", "quantity", "sales"]
    assert table.rows[1].cells[2].text == fmt(round(ws.df["price"].mean(), 3))
    assert len(document.inline_shapes) >= 1  # the analysis charts are inside the report


def test_pdf_report_of_analysis(ws: Workspace):
    result = ws.run(ws.generate("analyse the data and export a PDF report", file_type="pdf"))
    paths = ws.saved(result)
    [pdf] = [p for p in paths if p.suffix == ".pdf"]
    text = "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "48 rows and 6 columns" in text
    assert "quantity" in text and fmt(ws.df["quantity"].max()) in text


def test_top_10_countries_by_population_csv(ws: Workspace):
    result = ws.run(ws.generate("Create a CSV of top 10 countries by population", files=[],
                                intent="FILE_GENERATION"), files=[])
    [path] = ws.saved(result)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 10
    assert [r["country"] for r in rows[:2]] == ["India", "China"]
    populations = [int(r["population"]) for r in rows]
    assert populations == sorted(populations, reverse=True) and populations[0] > 1_400_000_000
    assert "World Population Prospects" in result.stdout


def test_flowchart_from_arrows(ws: Workspace):
    code = ws.generate("Draw a flowchart of Login -> Verify password -> Dashboard", files=[])
    assert "networkx" in code
    result = ws.run(code, files=[])
    [png] = ws.saved(result)
    assert is_png(png)
    assert "3 steps and 2 connections" in result.stdout
    assert "Login -> Verify password" in result.stdout


def test_data_request_without_data_prints_a_message(ws: Workspace):
    result = ws.run(ws.generate("plot a histogram of price", files=[]), files=[])
    assert "FILE_SAVED" not in result.stdout
    assert "Upload a CSV or Excel file" in result.stdout


# --- edits of generated files ------------------------------------------------------------


def test_edit_appends_a_percentage_column_to_a_csv(ws: Workspace):
    first = ws.run(ws.generate("Create a CSV of top 5 countries by population", files=[]), files=[])
    [path] = ws.saved(first)
    rel = str(path.relative_to(ws.root))
    edit = {"op": "append", "target": {"filename": path.name, "path": rel},
            "instruction": "add a column share with the percentage of population"}
    result = ws.run(ws.generate("add a column share with the percentage of population", files=[],
                                edit_action=edit), files=[])
    assert ws.saved(result) == [path]
    frame = pd.read_csv(path)
    assert list(frame.columns) == ["rank", "country", "population", "share"]
    assert frame["share"].sum() == pytest.approx(100, abs=0.05)


def test_edit_adds_a_paragraph_to_a_docx(ws: Workspace):
    path = ws.out / "notes.docx"
    document = docx.Document()
    document.add_heading("Cell biology", 0)
    document.add_paragraph("Cells are the unit of life.")
    document.save(str(path))
    edit = {"op": "append", "target": {"filename": "notes.docx", "path": f"{OUTPUT_DIR}/notes.docx"},
            "instruction": "add a paragraph saying 'Prepared for the biology class.'"}
    result = ws.run(ws.generate("add a paragraph saying 'Prepared for the biology class.'", files=[],
                                edit_action=edit), files=[])
    assert ws.saved(result) == [path]
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert paragraphs == ["Cell biology", "Cells are the unit of life.", "Prepared for the biology class."]


def test_edit_deletes_a_row_from_an_xlsx(ws: Workspace):
    path = ws.out / "countries.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["country", "population"])
    for row in [("India", 1428627663), ("China", 1425671352), ("United States", 339996563)]:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = openpyxl.styles.Font(bold=True)
    wb.save(path)
    edit = {"op": "delete", "target": {"filename": "countries.xlsx", "path": f"{OUTPUT_DIR}/countries.xlsx"},
            "instruction": "delete the row for China"}
    result = ws.run(ws.generate("delete the row for China", files=[], edit_action=edit), files=[])
    assert ws.saved(result) == [path]
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("country", "population"), ("India", 1428627663), ("United States", 339996563)]
    assert all(c.font.bold for c in sheet[1])
    assert "Deleted 1 row(s)" in result.stdout


def test_uploaded_xlsx_dataset_without_profile(ws: Workspace):
    xlsx = ws.root / "uploads" / "grades.xlsx"
    ws.df.to_excel(xlsx, index=False)
    files = [{"var_name": "grades", "filename": "grades.xlsx", "real_path": str(xlsx), "text_path": None,
              "ext": "xlsx", "type": "data"}]
    code = ws.generate("average price by product", files=files, profiled=False)
    assert 'read_excel(path, engine="openpyxl")' in code  # pandas 2.2 in the browser reads .xlsx with openpyxl
    result = ws.run(code, files=files)
    means = ws.df.groupby("product")["price"].mean().sort_values(ascending=False)
    assert f"Highest: {means.index[0]} ({fmt(means.iloc[0])})" in result.stdout
