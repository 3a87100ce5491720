"""Reading requests and errors, table-driven: the one module each that the intent rules,
the planner, the reflection and the offline model share."""

from __future__ import annotations

import pytest

from app.services.agent.error_reading import (
    cannot_import_name,
    clean_stderr,
    error_summary,
    exception_class,
    header_line_count,
    is_timeout,
    map_traceback_lines,
    missing_columns,
    missing_module,
    missing_path,
)
from app.services.agent.intent import classify_intent
from app.services.agent.request_reading import (
    ExpectedOutputs,
    choose_dataset,
    edit_operation,
    expected_outputs,
    involves_dataset,
    is_edit_request,
    missing_outputs,
    requested_file_type,
    requested_file_types,
    timeout_for,
    wants_more_time,
)

# (request, file types in the order asked, a chart wanted as its own file, intent with a dataset present)
PHRASINGS = [
    ("summary of units per region to Excel and Word", ["xlsx", "docx"], False, "FILE_GENERATION"),
    ("export the cleaned table as CSV and as an Excel workbook", ["csv", "xlsx"], False, "FILE_GENERATION"),
    ("fit a regression of price on area and report R^2", [], False, "DATA_ANALYSIS"),
    ("run a t-test on the two groups and report the p-value", [], False, "DATA_ANALYSIS"),
    ("please report the mean glucose by outcome", [], False, "DATA_ANALYSIS"),
    ("write a report on the sales trends", ["docx"], False, "FILE_GENERATION"),
    ("make a summary report as a PDF", ["pdf"], False, "FILE_GENERATION"),
    ("a pdf with a chart of units by region", ["pdf"], False, "FILE_GENERATION"),
    ("bar chart of units by region", [], True, "FILE_GENERATION"),
    ("plot glucose against BMI", [], True, "DATA_ANALYSIS"),
    ("histogram of ages", [], True, "DATA_ANALYSIS"),
    ("save the chart as a png and the table as xlsx", ["png", "xlsx"], True, "FILE_GENERATION"),
    ("analyse sales.csv", [], False, "DATA_ANALYSIS"),
    ("analyse sales.csv and export it to csv", ["csv"], False, "FILE_GENERATION"),
    ("give me a csv", ["csv"], False, "FILE_GENERATION"),
    ("make an excel sheet of the totals", ["xlsx"], False, "FILE_GENERATION"),
    ("create a Word document with the top 5 products", ["docx"], False, "FILE_GENERATION"),
    ("put it in a word doc", ["docx"], False, "FILE_GENERATION"),
    ("count the word frequency in the notes", [], False, "DATA_ANALYSIS"),
    ("in a word, is the trend up or down?", [], False, "DATA_ANALYSIS"),
    ("an interactive chart of sales over time", ["html"], False, "FILE_GENERATION"),
    ("export to PDF, Word and Excel", ["pdf", "docx", "xlsx"], False, "FILE_GENERATION"),
    ("visualise the distribution of BMI", [], True, "DATA_ANALYSIS"),
    ("describe the dataset", [], False, "DATA_ANALYSIS"),
    ("what is the average age?", [], False, "DATA_ANALYSIS"),
    ("create a CSV of the top 10 countries by population", ["csv"], False, "FILE_GENERATION"),
    ("a heatmap of the correlations", [], True, "DATA_ANALYSIS"),
    ("save as .xlsx", ["xlsx"], False, "FILE_GENERATION"),
    ("make flashcards from chapter 1", [], False, "CONTENT_GENERATION"),
    ("hello", [], False, "GENERAL"),
    ("compute R2 and report back", [], False, "DATA_ANALYSIS"),
    ("draft a short report of the findings in Word", ["docx"], False, "FILE_GENERATION"),
]


@pytest.mark.parametrize(("request_text", "types", "chart", "intent"), PHRASINGS)
def test_file_types_chart_and_intent_are_read_from_the_request(request_text, types, chart, intent):
    assert requested_file_types(request_text) == types
    assert expected_outputs(request_text).chart is chart
    assert classify_intent(request_text, has_data=True, has_documents=False) == intent


def test_there_are_at_least_thirty_phrasings():
    assert len(PHRASINGS) >= 30


@pytest.mark.parametrize(("request_text", "main"), [
    ("a pdf with a chart", "pdf"), ("bar chart", "png"), ("word report", "docx"), ("tell me a story", None),
    ("Excel and Word", "xlsx"),
])
def test_the_main_file_type_prefers_documents_over_charts(request_text, main):
    assert requested_file_type(request_text) == main


def test_expected_outputs_name_every_requested_file():
    assert expected_outputs("summary to Excel and Word") == ExpectedOutputs(("xlsx", "docx"), False, False)
    assert missing_outputs(expected_outputs("summary to Excel and Word"), ["summary.xlsx"]) == ["docx"]
    assert missing_outputs(expected_outputs("bar chart of units"), []) == ["chart"]
    assert missing_outputs(expected_outputs("bar chart of units"), ["units.png"]) == []
    assert missing_outputs(expected_outputs("fit a regression and report R^2"), []) == []


@pytest.mark.parametrize(("message", "op"), [
    ("delete the last row", "delete"), ("remove the Notes column", "delete"), ("rename column a to b", "replace"),
    ("change the title to Sales", "replace"), ("fix the typo in the heading", "replace"),
    ("add a column total", "append"), ("append a row for March", "append"), ("include a summary paragraph", "append"),
])
def test_edit_operation_is_read_from_the_verb(message, op):
    assert edit_operation(message) == op


def test_an_edit_needs_a_generated_file_and_no_new_one():
    made = [{"filename": "report.csv"}]
    assert is_edit_request("add a column total", made)
    assert not is_edit_request("add a column total", [])
    assert not is_edit_request("add a new chart", made)


def data_file(material_id: str, filename: str) -> dict:
    stem = filename.rsplit(".", 1)[0].lower().replace(" ", "_")
    return {"id": material_id, "filename": filename, "var_name": stem, "type": "data"}


FILES = [data_file("m1", "diabetes.csv"), data_file("m2", "Sales 2024.xlsx"), data_file("m3", "wine_quality.csv"),
         {"id": "d1", "filename": "notes.pdf", "var_name": "notes", "type": "document"}]


@pytest.mark.parametrize(("message", "material_id", "chosen", "reason"), [
    ("average glucose by outcome", "m3", "m3", "chosen"),
    ("analyse diabetes.csv", None, "m1", "named"),
    ("plot the diabetes data", None, "m1", "named"),
    ("total of Sales 2024 by month", None, "m2", "named"),
    ("mean alcohol in the wine data", None, "m3", "named"),
    ("wine quality by acidity", None, "m3", "named"),
    ("analyse this dataset", None, None, "ask"),
])
def test_the_dataset_is_chosen_named_or_asked_for(message, material_id, chosen, reason):
    choice = choose_dataset(message, FILES, material_id)
    assert choice.reason == reason
    assert (choice.file["id"] if choice.file else None) == chosen
    if reason == "ask":
        assert "diabetes.csv" in choice.question and "wine_quality.csv" in choice.question


def test_the_only_dataset_needs_no_naming():
    choice = choose_dataset("analyse this", FILES[:1] + FILES[3:])
    assert (choice.reason, choice.file["id"]) == ("only", "m1")


@pytest.mark.parametrize(("message", "intent", "involved"), [
    ("analyse this dataset", "DATA_ANALYSIS", True),
    ("create a CSV of the top 10 countries by population", "FILE_GENERATION", False),
    ("make a 200x100 blue banner image", "FILE_GENERATION", False),
    ("bar chart of glucose by outcome", "FILE_GENERATION", True),
    ("export the diabetes data to Excel", "FILE_GENERATION", True),
])
def test_a_dataset_is_involved_only_when_the_request_uses_one(message, intent, involved):
    assert involves_dataset(message, FILES[:1], intent) is involved


def test_take_longer_raises_the_limit_to_the_maximum():
    assert wants_more_time("try again and take longer")
    assert timeout_for("try again, take longer", 15, 120) == 120
    assert timeout_for("bar chart of units", 15, 120) == 15


# --- errors -----------------------------------------------------------------------------------

TRACEBACK_312 = '''PackageLoadWarning: Traceback (most recent call last):
  File "/lib/python3.12/site-packages/pyodide/_base.py", line 452, in find_imports
    mod = ast.parse(code)
SyntaxError: invalid syntax

Traceback (most recent call last):
  File "<exec>", line 171, in _kepler_run
  File "<cell-4>", line 12, in <module>
    df["Price"]
  File "/lib/python3.12/site-packages/pandas/core/frame.py", line 4102, in __getitem__
    indexer = self.columns.get_loc(key)
KeyError: 'Price'
'''


def test_stderr_is_cleaned_and_lines_count_from_the_model_code():
    cleaned = clean_stderr(map_traceback_lines(TRACEBACK_312, header_line_count("a\nb\nc\nd\ne\nf\n" * 1 + "g\n")))
    assert "PackageLoadWarning" not in cleaned and "_kepler_run" not in cleaned
    assert 'File "<code>", line 4, in <module>' in cleaned
    assert "pandas/core/frame.py" in cleaned  # library frames stay: they say what failed
    assert error_summary(TRACEBACK_312) == "KeyError: 'Price'"


def test_a_frame_in_the_header_is_named_as_such():
    assert 'File "<workspace header>", line 2' in map_traceback_lines('File "<cell-1>", line 2, in <module>', 8)


@pytest.mark.parametrize(("stderr", "reader", "value"), [
    ("ModuleNotFoundError: No module named 'python_docx'", missing_module, "python_docx"),
    ("ImportError: cannot import name 'json_normalize' from 'pandas.io.json' (/lib/x.py)", cannot_import_name,
     ("json_normalize", "pandas.io.json")),
    ("FileNotFoundError: [Errno 44] No such file or directory: 'sales.csv'", missing_path, "sales.csv"),
    ("FileNotFoundError: [Errno 44] File wine.csv does not exist: 'wine.csv'", missing_path, "wine.csv"),
    ("KeyError: \"['units'] not in index\"", missing_columns, ["units"]),
    ("KeyError: 'Column not found: Glucoze'", missing_columns, ["Glucoze"]),
    ("ValueError: Could not interpret value `bmi` for parameter `x`", missing_columns, ["bmi"]),
    ("fpdf.errors.FPDFUnicodeEncodingException: Character", exception_class, "FPDFUnicodeEncodingException"),
])
def test_error_readers(stderr, reader, value):
    assert reader("Traceback (most recent call last):\n" + stderr + "\n") == value


def test_a_timeout_is_read_even_with_the_restart_note():
    stderr = ("TimeoutError: execution exceeded 15 s and was stopped\nThe Python worker was restarted. It comes "
              "back with the same imports (pandas).\n")
    assert is_timeout(stderr) and error_summary(stderr).startswith("TimeoutError: execution exceeded 15 s")
    assert is_timeout("", timed_out=True)
