"""repair_code / repair_code_detailed: deterministic rules first, then the model.

Every broken program is really run (CPython subprocess) to get its real
stderr; the repaired program is run again and must succeed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.services.agent.tools.code_repair import RepairContext, repair_code, repair_code_detailed
from app.services.llm.offline import OfflineChatModel
from app.services.llm.scripted import ScriptedChatModel

HEADER = "import os\nOUTPUT_DIR = 'out'\nos.makedirs(OUTPUT_DIR, exist_ok=True)\n"


def run(code: str, cwd: Path) -> subprocess.CompletedProcess:
    script = cwd / "prog.py"
    script.write_text(code)
    return subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def broken_then_fixed(code: str, cwd: Path) -> str:
    """The real stderr of `code` (which must fail)."""
    result = run(code, cwd)
    assert result.returncode != 0, result.stdout
    return result.stderr


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "sales_2024.csv").write_text("Region,Unit_Price\nNorth,3\nSouth,5\n")
    return tmp_path


async def test_missing_seaborn_import_is_added(tmp_path: Path):
    code = HEADER + "import matplotlib\nmatplotlib.use('Agg')\nsns.set_theme()\nprint('styled')\n"
    stderr = broken_then_fixed(code, tmp_path)
    assert "NameError: name 'sns' is not defined" in stderr
    repair = await repair_code_detailed(code, stderr, OfflineChatModel())
    assert repair.changed and repair.fixed_by == "rule"
    assert repair.summary.startswith("Added missing import of seaborn")
    assert repair.code.splitlines()[0] == "import seaborn as sns"
    assert run(repair.code, tmp_path).stdout.strip() == "styled"


async def test_missing_pandas_alias_is_added_below_a_docstring(tmp_path: Path):
    code = '"""Report."""\nframe = pd.DataFrame({"a": [1, 2]})\nprint(int(frame["a"].sum()))\n'
    stderr = broken_then_fixed(code, tmp_path)
    repair = await repair_code_detailed(code, stderr, OfflineChatModel())
    assert repair.code.splitlines()[:2] == ['"""Report."""', "import pandas as pd"]
    assert run(repair.code, tmp_path).stdout.strip() == "3"


async def test_wrong_module_name_python_docx_is_fixed(tmp_path: Path):
    code = HEADER + "from python_docx import Document\ndoc = Document()\ndoc.add_paragraph('hi')\n" \
                    "doc.save(OUTPUT_DIR + '/a.docx')\nprint('FILE_SAVED:' + OUTPUT_DIR + '/a.docx')\n"
    stderr = broken_then_fixed(code, tmp_path)
    assert "No module named 'python_docx'" in stderr
    repair = await repair_code_detailed(code, stderr, OfflineChatModel())
    assert repair.fixed_by == "rule" and "from docx import Document" in repair.code
    assert "FILE_SAVED:out/a.docx" in run(repair.code, tmp_path).stdout


async def test_wrong_column_case_is_replaced_with_the_real_column(data_dir: Path):
    code = ("import pandas as pd\ndf = pd.read_csv('uploads/sales_2024.csv')\n"
            "print(df.groupby('region')['unit price'].sum().to_dict())\n")
    stderr = broken_then_fixed(code, data_dir)
    assert "KeyError" in stderr
    columns = ["Region", "Unit_Price"]
    repair = await repair_code_detailed(code, stderr, OfflineChatModel(), context=RepairContext(columns=columns))
    assert repair.fixed_by == "rule" and "Unit_Price" in repair.summary
    # both wrong names are fixed at once, not one per re-run
    assert "groupby('Region')['Unit_Price']" in repair.code
    assert run(repair.code, data_dir).stdout.strip() == "{'North': 3, 'South': 5}"


async def test_missing_file_is_replaced_with_the_closest_available_path(data_dir: Path):
    code = "import pandas as pd\ndf = pd.read_csv('data/sales2024.csv')\nprint(len(df))\n"
    stderr = broken_then_fixed(code, data_dir)
    assert "FileNotFoundError" in stderr
    available = [str(data_dir / "uploads" / "sales_2024.csv"), str(data_dir / "uploads" / "notes.txt")]
    repair = await repair_code_detailed(code, stderr, OfflineChatModel(), context=RepairContext(available_paths=available))
    assert repair.fixed_by == "rule" and available[0] in repair.code
    assert run(repair.code, data_dir).stdout.strip() == "2"


async def test_input_call_is_removed(tmp_path: Path):
    code = "name = input('Your name: ')\nprint('hello ' + (name or 'there'))\n"
    stderr = broken_then_fixed(code, tmp_path)
    assert "EOFError" in stderr
    repair = await repair_code_detailed(code, stderr, OfflineChatModel())
    assert repair.fixed_by == "rule" and "input(" not in repair.code
    assert run(repair.code, tmp_path).stdout.strip() == "hello there"


async def test_stray_markdown_fence_and_plt_show_are_removed(tmp_path: Path):
    code = ("Here is the code:\n```python\nimport matplotlib\nmatplotlib.use('Agg')\n"
            "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\nprint('drawn')\n```\n")
    stderr = broken_then_fixed(code, tmp_path)
    assert "SyntaxError" in stderr
    fixed = await repair_code(code, stderr, OfflineChatModel())
    assert "```" not in fixed and "plt.show()" not in fixed.replace("# plt.show()", "")
    assert run(fixed, tmp_path).stdout.strip() == "drawn"


async def test_numeric_only_argument_is_dropped_for_old_pandas(tmp_path: Path):
    # pandas 1.0 has no numeric_only on corr(); simulate its error with a stand-in
    code = ("import pandas as pd\nclass Old(pd.DataFrame):\n    def corr(self):\n"
            "        return pd.DataFrame.corr(self)\n"
            "df = Old({'a': [1, 2, 3], 'b': [2, 4, 7]})\nprint(round(df.corr(numeric_only=True).loc['a', 'b'], 2))\n")
    stderr = broken_then_fixed(code, tmp_path)
    assert "unexpected keyword argument 'numeric_only'" in stderr
    repair = await repair_code_detailed(code, stderr, OfflineChatModel())
    assert repair.fixed_by == "rule" and "numeric_only" not in repair.code
    assert run(repair.code, tmp_path).stdout.strip() == "0.99"


async def test_error_no_rule_knows_goes_to_the_model(tmp_path: Path):
    code = "values = [3, 4]\nprint(sum(values) / len([]))\n"
    stderr = broken_then_fixed(code, tmp_path)
    fixed_program = "values = [3, 4]\nprint(sum(values) / len(values))\n"
    model = ScriptedChatModel(script={"code_repair": [f"Sure, here it is:\n```python\n{fixed_program}```\n"]})
    repair = await repair_code_detailed(code, stderr, model)
    assert repair.changed and repair.fixed_by == "model"
    assert repair.code == fixed_program
    assert "ZeroDivisionError" in repair.summary
    [(task, prompt)] = model.calls
    assert task == "code_repair" and "len([])" in prompt and "ZeroDivisionError" in prompt
    assert run(repair.code, tmp_path).stdout.strip() == "3.5"


async def test_model_that_raises_leaves_the_code_unchanged(tmp_path: Path):
    code = "print(1 / 0)\n"
    stderr = broken_then_fixed(code, tmp_path)
    model = ScriptedChatModel(script={"code_repair": ["__raise__"]})
    repair = await repair_code_detailed(code, stderr, model)
    assert repair.changed is False and repair.code == code
    assert len(model.calls) == 1


async def test_offline_model_without_a_rule_returns_unchanged(tmp_path: Path):
    code = "print(1 / 0)\n"
    stderr = broken_then_fixed(code, tmp_path)
    repair = await repair_code_detailed(code, stderr, OfflineChatModel())
    assert repair.changed is False and repair.code == code
