"""The built-in offline model does what was asked, or says plainly it can't.

One table of requests as people phrase them, on sklearn's wine and diabetes
tables (XLSX) and a messy latin-1 CSV. Each row is generated through the real
prompt and OfflineChatModel, run with CPython, explained by the offline
`data_analysis` task, and checked: the dataset used, the files produced
(opened with openpyxl / python-docx / pypdf), the numbers in the explanation
against pandas on the same data, and an honest refusal when out of scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import docx
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from tests.llm.offline_workspace import Run, Workspace

BOTH = ["wine", "diabetes"]
LIMIT = "can't do that offline"


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("offline_requests"))


@dataclass
class Case:
    request: str
    names: list[str]
    check: Callable[[Workspace, Run], None]
    kw: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return re.sub(r"\W+", "_", self.request.lower())[:60]


def r_of(ws: Workspace, name: str, a: str, b: str) -> str:
    return f"{ws.frames[name][a].corr(ws.frames[name][b]):.2f}"


def num(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def files_of(run: Run) -> list[str]:
    return sorted(run.files)


def xlsx_sheets(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


# --- checks -------------------------------------------------------------------------

def best_correlation_bmi(ws: Workspace, run: Run) -> None:
    assert "bmi" in run.answer and f"r = {r_of(ws, 'diabetes', 'bmi', 'target')}" in run.answer
    assert r_of(ws, "diabetes", "bmi", "target") == "0.59"
    assert run.of("png") and all(p.read_bytes()[:4] == b"\x89PNG" for p in run.of("png"))
    assert "wine" not in " ".join(files_of(run))


def best_correlation_wine_cultivar(ws: Workspace, run: Run) -> None:
    codes = pd.factorize(ws.frames["wine"]["cultivar"], sort=True)[0]
    numeric = ws.frames["wine"].drop(columns=["cultivar"])
    r = numeric.corrwith(pd.Series(codes, index=numeric.index, dtype=float))
    best = r.abs().idxmax()
    assert f"{best} correlates most with cultivar: r = {r[best]:.2f}" in run.answer.replace("**", "").replace(" —", ":")
    assert run.of("png")


def analysis_of(name: str, rows: int, cols: int):
    def check(ws: Workspace, run: Run) -> None:
        frame = ws.frames[name]
        assert f"{name}.xlsx** ({rows} rows, {cols} columns)" in run.answer
        quoted = re.findall(r"\*\*([\w/]+)\*\* — mean (-?[\d,]*\d(?:\.\d+)?)", run.answer)
        assert len(quoted) >= 3
        for col, mean in quoted:
            assert num(frame[col].mean()) == mean
        pairs = re.findall(r"Correlation ([\w/]+) & ([\w/]+)\*\* — r = (-?[\d.]+)", run.answer)
        assert pairs and all(r_of(ws, name, a, b) == r for a, b, r in pairs)
    return check


def summary_workbook_and_word(ws: Workspace, run: Run) -> None:
    [xlsx], [word] = run.of("xlsx"), run.of("docx")
    sheets = xlsx_sheets(xlsx)
    stats = sheets["Summary statistics"]
    assert stats[0][:3] == ("column", "count", "mean")
    numeric = ws.frames["wine"].select_dtypes("number")
    assert [row[0] for row in stats[1:]] == list(numeric.columns)  # all 13, not the raw 178 x 14
    assert stats[1][2] == pytest.approx(round(numeric.iloc[:, 0].mean(), 3))
    assert len(sheets["Key findings"]) > 3 and len(sheets["Data"]) == 179
    document = docx.Document(str(word))
    title = document.paragraphs[0].text
    assert title == "Wine data: summary statistics and key findings"
    assert "export" not in title.lower() and "excel" not in title.lower()
    assert [c.text for c in document.tables[0].rows[0].cells][:2] == ["column", "count"]
    assert "od280/od315_of_diluted_wines" in [r.cells[0].text for r in document.tables[0].rows]
    assert document.inline_shapes  # the analysis charts are inside the report
    assert not run.of("png")  # ...and not left beside it as unrequested files


def summary_pdf(ws: Workspace, run: Run) -> None:
    [pdf] = run.of("pdf")
    text = re.sub(r"\s+", "", pdf_text(pdf))
    for col in ws.frames["wine"].select_dtypes("number").columns:
        assert col.replace(" ", "") in text  # whole column names, not cut to 6 characters
    assert "Keyfindings" in text


def heatmap_workbook(ws: Workspace, run: Run) -> None:
    [xlsx] = run.of("xlsx")
    rows = next(iter(xlsx_sheets(xlsx).values()))
    numeric = list(ws.frames["wine"].select_dtypes("number").columns)
    assert [r[0] for r in rows[1:]] == numeric and len(rows[0]) == len(numeric) + 1  # every numeric column
    assert run.of("png")


def histogram_alcohol(ws: Workspace, run: Run) -> None:
    alcohol = ws.frames["wine"]["alcohol"]
    assert f"mean {num(alcohol.mean())}" in run.answer and f"max {num(alcohol.max())}" in run.answer
    assert [p.name for p in run.of("png")] == ["histogram_alcohol.png"]


def average_by_cultivar(ws: Workspace, run: Run) -> None:
    means = ws.frames["wine"].groupby("cultivar")["alcohol"].mean()
    for cultivar, value in means.items():
        assert f"{cultivar} {num(value)}" in run.answer
    assert run.of("png")


def missing_column(column: str, dataset: str):
    def check(ws: Workspace, run: Run) -> None:
        assert not run.files
        assert f"no column '{column}'" in run.answer
        assert all(c in run.answer for c in ws.frames[dataset].columns)
    return check


def scatter_bmi_bp(ws: Workspace, run: Run) -> None:
    assert f"r = {r_of(ws, 'diabetes', 'bmi', 'bp')}" in run.answer
    assert run.of("png")


def cleaned_csv(ws: Workspace, run: Run) -> None:
    [path] = run.of("csv")
    clean = pd.read_csv(path)
    assert pd.api.types.is_integer_dtype(clean["Age"]) and pd.api.types.is_numeric_dtype(clean["Income"])
    assert pd.api.types.is_numeric_dtype(clean["Score"])
    assert not clean.astype(str).isin(["unknown", "n/a", "-", "N/A"]).any().any()
    assert clean["Joined"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert clean["City"].iloc[0] == "Zürich" and len(clean) == 7  # latin-1 read right, duplicate dropped
    for reported in ("Age", "converted to numbers", "placeholder", "Joined", "dates", "duplicate"):
        assert reported in run.answer


def cleaned_xlsx(ws: Workspace, run: Run) -> None:
    [path] = run.of("xlsx")
    rows = next(iter(xlsx_sheets(path).values()))
    ages = [r[rows[0].index("Age")] for r in rows[1:]]
    assert all(isinstance(a, int) for a in ages) and not run.of("csv")
    assert "median" in run.answer


def messy_analysis(ws: Workspace, run: Run) -> None:
    assert "messy.csv** (8 rows, 6 columns)" in run.answer
    assert not run.of("csv")  # naming messy.csv is not asking for a CSV


def refusal(ws: Workspace, run: Run) -> None:
    assert LIMIT in run.answer and "LLM_PROVIDER" in run.answer and "Ollama" in run.answer
    assert "What I can do offline" in run.answer
    assert not run.files


def pasted_sum(ws: Workspace, run: Run) -> None:
    assert run.stdout.strip() == "45" and "45" in run.answer


def pasted_df_shape(ws: Workspace, run: Run) -> None:
    assert "(178, 14)" in run.stdout


def explained_code(ws: Workspace, run: Run) -> None:
    assert "defines the function(s) area" in run.stdout and "imports math" in run.stdout


def csv_export_diabetes(ws: Workspace, run: Run) -> None:
    [path] = run.of("csv")
    assert pd.read_csv(path).shape == (442, 11) and not run.of("png")


def pie_cultivar(ws: Workspace, run: Run) -> None:
    shares = ws.frames["wine"]["cultivar"].value_counts(normalize=True) * 100
    for name, share in shares.items():
        assert f"{name} {share:.1f}%" in run.answer


def box_proline(ws: Workspace, run: Run) -> None:
    medians = ws.frames["wine"].groupby("cultivar")["proline"].median()
    assert all(f"{k} {num(v)}" in run.answer for k, v in medians.items())


def word_overview(ws: Workspace, run: Run) -> None:
    [path] = run.of("docx")
    document = docx.Document(str(path))
    assert document.paragraphs[0].text == "Diabetes data: summary statistics and key findings"
    assert [r.cells[0].text for r in document.tables[0].rows[1:]] == list(ws.frames["diabetes"].columns)


def asks_which_dataset(ws: Workspace, run: Run) -> None:
    assert "wine.xlsx" in run.answer and "diabetes.xlsx" in run.answer and "?" in run.answer or "Name the file" in run.answer
    assert not run.files


def chosen_wine(ws: Workspace, run: Run) -> None:
    assert "wine.xlsx** (178 rows, 14 columns)" in run.answer


def rows_of_wine(ws: Workspace, run: Run) -> None:
    assert "178 rows" in run.answer


CASES = [
    Case("which feature correlates most with the target in diabetes.xlsx? plot it", BOTH, best_correlation_bmi),
    Case("In the diabetes data, what correlates most strongly with target?", BOTH, best_correlation_bmi),
    Case("Which column is most correlated with the target? Show a chart", BOTH, best_correlation_bmi,
         {"chosen": "diabetes"}),
    Case("what is the strongest predictor of target in diabetes", BOTH, best_correlation_bmi),
    Case("which measurement is most related to cultivar in the wine data?", BOTH, best_correlation_wine_cultivar),
    Case("analyze the wine dataset", BOTH, analysis_of("wine", 178, 14)),
    Case("Profile diabetes.xlsx", BOTH, analysis_of("diabetes", 442, 11)),
    Case("give me an analysis of the diabetes data", BOTH, analysis_of("diabetes", 442, 11)),
    Case("explore this dataset", ["wine"], analysis_of("wine", 178, 14)),
    Case("export a summary of the wine data to Excel and Word", BOTH, summary_workbook_and_word),
    Case("Summarise wine.xlsx as a PDF report", BOTH, summary_pdf),
    Case("correlation heatmap of the wine data as an Excel file", BOTH, heatmap_workbook),
    Case("histogram of alcohol in the wine data", BOTH, histogram_alcohol),
    Case("plot the distribution of alcohol", ["wine"], histogram_alcohol),
    Case("bar chart of alcohol by cultivar", ["wine"], average_by_cultivar),
    Case("histogram of glucose in the diabetes data", BOTH, missing_column("glucose", "diabetes")),
    Case("bar chart of price by country for wine.xlsx", BOTH, missing_column("price", "wine")),
    Case("scatter plot of bmi vs bp in diabetes", BOTH, scatter_bmi_bp),
    Case("clean messy.csv and give me the cleaned CSV", ["messy"], cleaned_csv),
    Case("Please clean this file", ["messy"], cleaned_csv),
    Case("fix the missing values and types in the messy data", ["messy"], cleaned_csv),
    Case("clean the messy data and save it as Excel", ["messy"], cleaned_xlsx),
    Case("analyse messy.csv", ["messy"], messy_analysis),
    Case("train a neural network to predict the target in diabetes", BOTH, refusal),
    Case("forecast next year's wine sales", BOTH, refusal),
    Case("translate the wine data description into French", BOTH, refusal),
    Case("scrape the latest wine prices from the web", BOTH, refusal),
    Case("cluster the wines with k-means", BOTH, refusal),
    Case("run this:\n```python\nprint(sum(range(10)))\n```", BOTH, pasted_sum),
    Case("Run this Python code: print(sum(range(10)))", BOTH, pasted_sum),
    Case("```python\nprint(df.shape)\n```", BOTH, pasted_df_shape, {"chosen": "wine"}),
    Case("explain this code:\n```python\nimport math\n\ndef area(r):\n    return math.pi * r ** 2\n```", BOTH,
         explained_code),
    Case("export the diabetes data to csv", BOTH, csv_export_diabetes),
    Case("make a pie chart of cultivar", ["wine"], pie_cultivar),
    Case("box plot of proline by cultivar", ["wine"], box_proline),
    Case("give me an overview of diabetes.xlsx in a Word document", BOTH, word_overview),
    Case("analyse the data", BOTH, asks_which_dataset),
    Case("analyse this file", BOTH, chosen_wine, {"chosen": "wine"}),
    Case("how many rows does the wine data have?", BOTH, rows_of_wine),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_offline_request(ws: Workspace, case: Case):
    run = ws.ask(case.request, case.names, **case.kw)
    assert run.ok, run.stderr[-2000:]
    case.check(ws, run)


@pytest.mark.parametrize("request_text", ["write me a poem about wine", "what's the capital of France?",
                                          "what's the weather in Paris today?"])
def test_general_requests_out_of_scope_get_the_honest_answer(request_text):
    from app.services.llm.offline.registry import TaskInput, get_task

    answer = get_task("general_chat")(TaskInput("general_chat", {"request": request_text, "intent": "GENERAL"}))
    assert LIMIT in answer and "LLM_BASE_URL" in answer and "What I can do offline" in answer


def test_adding_a_chart_to_the_word_document_inserts_an_image(ws: Workspace, tmp_path):
    first = ws.ask("export a summary of the wine data to Word", BOTH, out=tmp_path)
    [report] = first.of("docx")
    pictures = len(docx.Document(str(report)).inline_shapes)
    action = {"op": "append", "instruction": "add a chart of alcohol by cultivar to the Word document",
              "target": {"filename": report.name, "path": f"{tmp_path}/{report.name}", "type": "docx"}}
    edit = ws.ask(action["instruction"], BOTH, edit_action=action, out=tmp_path, profiled="wine")
    assert edit.ok, edit.stderr
    document = docx.Document(str(report))
    assert len(document.inline_shapes) == pictures + 1
    assert not any("to the Word document" in p.text for p in document.paragraphs)
    assert "inserted 1 chart image" in edit.stdout and "Average alcohol by cultivar" in edit.stdout
    assert sorted(edit.files) == [report.name]  # the chart went into the document, not beside it
