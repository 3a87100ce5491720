"""OfflineChatModel: task dispatch, streaming, and the data_analysis explanation."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from app.services.llm.offline import OfflineChatModel, registered_tasks
from app.services.llm.offline.model import split_for_streaming
from app.services.llm.prompts import render_prompt

STDOUT = """Dataset: sales.csv
sales.csv has 48 rows and 6 columns

Columns:
- date (str): 0 missing
No missing values

Numeric summary:
          count    mean     std   min
price      48.0   16.06    6.77   5.0
price: mean 16.06, min 5, max 27.25
Correlation price & sales: 0.80
FILE_SAVED:output/generated/u1/s1/sales_distributions.png
"""


def analysis_prompt(**context) -> str:
    return render_prompt("data_analysis_prompt", context=context)


def test_tasks_are_discovered_from_the_tasks_package():
    assert {"code_generation", "code_repair", "data_analysis", "general"} <= set(registered_tasks())


def test_unknown_task_and_plain_chat_get_a_polite_general_answer():
    model = OfflineChatModel()
    for prompt in ("TASK: write_a_poem\n", "What is the capital of France?"):
        answer = model.invoke(prompt).content
        assert "offline assistant" in answer


def test_task_line_in_the_system_message_is_honoured():
    model = OfflineChatModel()
    system = SystemMessage(content="TASK: code_repair\n=== CONTEXT (JSON) ===\n"
                                   '{"broken_code": "sns.set()\\n", "stderr": "NameError: name \'sns\' is not defined"}'
                                   "\n=== END CONTEXT ===")
    answer = model.invoke([system, HumanMessage(content="please fix")]).content
    assert answer == "```python\nimport seaborn as sns\nsns.set()\n```"


def test_stream_chunks_are_words_that_join_to_the_answer():
    model = OfflineChatModel()
    prompt = analysis_prompt(request="analyse", stdout=STDOUT, files=["sales_distributions.png"], errors=None)
    chunks = [c.content for c in model.stream(prompt)]
    assert len(chunks) > 10
    assert "".join(chunks) == model.invoke(prompt).content
    assert split_for_streaming("  a b\n\nc  ") == ["  a", " b", "\n\nc", "  "]


def test_explanation_quotes_stdout_numbers_and_names_files():
    answer = OfflineChatModel().invoke(analysis_prompt(
        request="analyse this", stdout=STDOUT, files=["sales_distributions.png", "report.pdf"], errors=None,
    )).content
    assert "**sales.csv** (48 rows, 6 columns)" in answer
    assert "- **price** — mean 16.06, min 5, max 27.25" in answer
    assert "- **Correlation price & sales** — 0.80" in answer
    assert "`sales_distributions.png` (chart)" in answer and "`report.pdf` (PDF document)" in answer
    # no raw stdout: no table rows, no FILE_SAVED lines
    assert "FILE_SAVED" not in answer and "48.0   16.06" not in answer
    assert not [line for line in STDOUT.splitlines() if len(line.strip()) > 25 and line.strip() in answer]


def test_failure_is_explained_honestly():
    answer = OfflineChatModel().invoke(analysis_prompt(
        request="bar chart of revenue", stdout="",
        files=[], errors="Traceback (most recent call last):\n  File x\nKeyError: 'revenue'",
    )).content
    assert "couldn't finish" in answer and "KeyError: 'revenue'" in answer
    assert "column name" in answer and "Traceback" not in answer


async def test_async_invoke_matches_sync():
    model = OfflineChatModel()
    prompt = analysis_prompt(request="x", stdout="Mean price: 12.5\nMax price: 30", files=[], errors=None)
    assert (await model.ainvoke(prompt)).content == model.invoke(prompt).content


def test_excel_sheet_names_are_cut_between_words():
    from app.services.llm.offline.codegen.exports import sheet_title

    # before: "Sales  chart and the data behin" (":" left a double space, cut mid-word)
    assert sheet_title("Sales: chart and the data behind it") == "Sales chart and the data behind"
    assert sheet_title("a/b?c*[d]") == "a b c d"
    assert sheet_title("x" * 40) == "x" * 31
    assert sheet_title(" : ") == "Data"
