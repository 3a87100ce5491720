"""Intent rules, plans and the workspace header, read as specifications."""

from __future__ import annotations

import ast

import pytest

from app.services.agent.intent import classify_intent
from app.services.agent.planner import build_plan
from app.services.agent.request_reading import requested_file_type
from app.services.agent.state import initial_state
from app.services.agent.tools.workspace_builder import (
    build_workspace_header,
    mounts_for,
    strip_workspace_header,
    variable_name_for,
    workspace_file_for,
)

CSV_FILE = {"filename": "report.csv", "path": "output/generated/u/s/report.csv", "download_url": "", "size": 1,
            "type": "csv", "file_id": "f1"}


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("analyze this dataset", "DATA_ANALYSIS"),
        ("show the correlation between price and units", "DATA_ANALYSIS"),
        ("create a CSV of top 10 countries by population", "FILE_GENERATION"),
        ("make chart of sales", "FILE_GENERATION"),
        ("export as excel please", "FILE_GENERATION"),
        ("make flashcards from chapter 1", "CONTENT_GENERATION"),
        ("generate a quiz", "CONTENT_GENERATION"),
        ("what does the PDF say about mitochondria?", "QUESTION"),
        ("hello", "GENERAL"),
    ],
)
def test_messages_are_classified_by_the_rules(message, intent):
    assert classify_intent(message, has_data=True, has_documents=True) == intent


def test_file_generation_is_checked_before_content_generation():
    assert classify_intent("export the quiz results as a pdf", has_data=False, has_documents=True) == \
        "FILE_GENERATION"


@pytest.mark.parametrize(
    "message",
    [
        "Run this Python code: print(sum(range(10)))",
        "run this:\n```python\nimport math\nprint(math.pi)\n```",
        "What does this code do?\n```python\nx = [i * i for i in range(5)]\nprint(x)\n```",
        "import pandas as pd\nprint(pd.__version__)",
    ],
)
def test_pasted_code_goes_to_the_code_loop_even_beside_documents(message):
    # before: a notebook with documents sent these to document search ("I couldn't find this")
    assert classify_intent(message, has_data=False, has_documents=True) == "DATA_ANALYSIS"


@pytest.mark.parametrize(
    "message",
    ["What does the PDF say about mitochondria?", "Summarise chapter 1 (cells)", "explain print statements"],
)
def test_prose_that_only_mentions_code_words_is_not_pasted_code(message):
    assert classify_intent(message, has_data=False, has_documents=True) == "QUESTION"


def test_an_edit_verb_with_an_existing_file_is_a_file_edit():
    assert classify_intent("add a column total", has_data=True, has_documents=False,
                           generated_files=[CSV_FILE]) == "FILE_GENERATION"
    assert classify_intent("add a column total", has_data=True, has_documents=False) != "FILE_GENERATION"


@pytest.mark.parametrize(
    ("message", "file_type"),
    [("a pdf with a chart", "pdf"), ("make an excel sheet", "xlsx"), ("bar chart", "png"),
     ("word report", "docx"), ("give me a csv", "csv"), ("tell me a story", None)],
)
def test_requested_file_type_prefers_documents_over_charts(message, file_type):
    assert requested_file_type(message) == file_type


def state_with(message: str, intent: str, *, data: bool = True, generated=None):
    taken: set[str] = set()
    files = [workspace_file_for("m1", "Sales 2024.csv", "Sales_2024.csv", "csv", "data", taken)] if data else []
    state = initial_state(run_id="r", user_id="u", session_id="s", notebook_id="n", message=message,
                          workspace_files=files, material_paths={}, generated_files=generated or [],
                          material_ids=[], started_at=0.0)
    state["intent"] = intent
    return state


def test_data_analysis_plan_is_profiler_then_code_then_explanation():
    plan = build_plan(state_with("analyze this dataset", "DATA_ANALYSIS"))
    assert [s["tool"] for s in plan] == ["data_profiler", "code_executor", "generate_response"]
    assert "sales_2024_path" in plan[1]["header"]


def test_file_generation_plan_stores_the_header_and_file_type():
    plan = build_plan(state_with("export to excel", "FILE_GENERATION"))
    step = next(s for s in plan if s["tool"] == "file_generator")
    assert step["file_type"] == "xlsx" and 'OUTPUT_DIR = "output/generated/u/s"' in step["header"]


def test_edit_request_plans_an_edit_action_on_the_named_file():
    other = dict(CSV_FILE, filename="chart.png", type="png")
    plan = build_plan(state_with("delete the last row of report.csv", "FILE_GENERATION",
                                 generated=[CSV_FILE, other]))
    step = next(s for s in plan if s["tool"] == "file_generator")
    assert step["edit_action"]["op"] == "delete"
    assert step["edit_action"]["target"]["filename"] == "report.csv"


def test_header_defines_real_paths_and_compiles_for_python_38():
    state = state_with("x", "DATA_ANALYSIS")
    taken = {"sales_2024"}
    state["workspace_files"].append(workspace_file_for("m2", "Notes.pdf", "Notes.pdf", "pdf", "document", taken))
    header = build_workspace_header(state)
    ast.parse(header, feature_version=(3, 8))
    assert 'sales_2024_path = "/workspace/uploads/Sales_2024.csv"' in header
    assert 'notes_text_path = "/workspace/uploads/Notes.pdf.txt"' in header
    assert "matplotlib.use('Agg')" in header and "plt.show" not in header
    assert strip_workspace_header(header + "print(1)\n") == "print(1)\n"
    mounts = mounts_for(state)
    assert [m.path for m in mounts] == ["/workspace/uploads/Sales_2024.csv", "/workspace/uploads/Notes.pdf.txt"]
    assert mounts[1].url == "/api/materials/m2/text"


@pytest.mark.parametrize(("filename", "expected"),
                         [("2024 sales.csv", "f_2024_sales"), ("class.csv", "f_class"), ("ü.csv", "file")])
def test_variable_names_are_valid_identifiers(filename, expected):
    assert variable_name_for(filename, set()) == expected
    assert variable_name_for(filename, {expected}) == f"{expected}_2"


@pytest.mark.parametrize(
    ("stderr", "summary"),
    [
        ('Traceback (most recent call last):\n  File "<exec>", line 3, in <module>\nKeyError: \'price\'\n',
         "KeyError: 'price'"),
        ("TimeoutError: execution exceeded 5 s and was stopped\nThe Python worker was restarted: "
         "variables from earlier runs are gone.\n", "TimeoutError: execution exceeded 5 s and was stopped"),
        ("", "the code failed without an error message"),
    ],
)
def test_error_summary_is_the_line_a_person_reads_first(stderr, summary):
    from app.services.agent.error_reading import error_summary

    assert error_summary(stderr) == summary


def test_the_offline_explanation_of_a_failure_says_how_many_fixes_were_tried():
    from app.services.llm.offline.tasks.data_analysis import explain_failure

    none_tried = explain_failure("x", "failed", "", [], error="TimeoutError: execution exceeded 5 s", attempts=0)
    assert "no automatic fix applied" in none_tried and "ran too long" in none_tried
    three = explain_failure("x", "failed", "", [], error="RuntimeError: boom", attempts=3)
    assert "after 3 automatic fixes" in three
