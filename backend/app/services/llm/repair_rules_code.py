"""Repair rules for the shape of the code: fences and prose around it, syntax
slips, missing or wrong imports and names, `input()`. Each fixes the whole
code (a wrong module name is renamed on every line that uses it)."""

from __future__ import annotations

import difflib
import re
import textwrap

from app.services.agent.error_reading import cannot_import_name, missing_module
from app.services.llm.prompts import extract_code
from app.services.llm.repair_rules_base import (
    RuleContext,
    RuleFix,
    add_import,
    assigned_names,
    parses,
    rename_name,
)

# name -> import line that defines it
KNOWN_IMPORTS: dict[str, str] = {
    "pd": "import pandas as pd", "pandas": "import pandas", "np": "import numpy as np", "numpy": "import numpy",
    "plt": "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt",
    "matplotlib": "import matplotlib\nmatplotlib.use('Agg')", "mpl": "import matplotlib as mpl",
    "sns": "import seaborn as sns", "seaborn": "import seaborn", "nx": "import networkx as nx",
    "networkx": "import networkx", "px": "import plotly.express as px", "go": "import plotly.graph_objects as go",
    "os": "import os", "sys": "import sys", "json": "import json", "csv": "import csv", "math": "import math",
    "re": "import re", "io": "import io", "time": "import time", "random": "import random",
    "statistics": "import statistics", "textwrap": "import textwrap", "datetime": "import datetime",
    "itertools": "import itertools", "functools": "import functools", "string": "import string",
    "glob": "import glob", "shutil": "import shutil", "warnings": "import warnings", "zipfile": "import zipfile",
    "date": "from datetime import date", "timedelta": "from datetime import timedelta",
    "Path": "from pathlib import Path", "Counter": "from collections import Counter",
    "defaultdict": "from collections import defaultdict", "OrderedDict": "from collections import OrderedDict",
    "namedtuple": "from collections import namedtuple", "stats": "from scipy import stats",
    "Document": "from docx import Document", "Inches": "from docx.shared import Inches",
    "Pt": "from docx.shared import Pt", "Cm": "from docx.shared import Cm", "RGBColor": "from docx.shared import RGBColor",
    "WD_ALIGN_PARAGRAPH": "from docx.enum.text import WD_ALIGN_PARAGRAPH", "FPDF": "from fpdf import FPDF",
    "XPos": "from fpdf.enums import XPos", "YPos": "from fpdf.enums import YPos",
    "Workbook": "from openpyxl import Workbook", "load_workbook": "from openpyxl import load_workbook",
    "Font": "from openpyxl.styles import Font", "PatternFill": "from openpyxl.styles import PatternFill",
    "Alignment": "from openpyxl.styles import Alignment", "get_column_letter": "from openpyxl.utils import get_column_letter",
    "Image": "from PIL import Image", "ImageDraw": "from PIL import ImageDraw", "ImageFont": "from PIL import ImageFont",
    "LinearRegression": "from sklearn.linear_model import LinearRegression",
    "LogisticRegression": "from sklearn.linear_model import LogisticRegression",
    "train_test_split": "from sklearn.model_selection import train_test_split",
    "KMeans": "from sklearn.cluster import KMeans", "StandardScaler": "from sklearn.preprocessing import StandardScaler",
    "RandomForestClassifier": "from sklearn.ensemble import RandomForestClassifier",
    "r2_score": "from sklearn.metrics import r2_score", "mean_squared_error": "from sklearn.metrics import mean_squared_error",
    "accuracy_score": "from sklearn.metrics import accuracy_score", "tabulate": "from tabulate import tabulate",
}

# wrong import name -> right import name
MODULE_ALIASES: dict[str, str] = {
    "python_docx": "docx", "pydocx": "docx", "docx2": "docx", "fpdf2": "fpdf", "pyfpdf": "fpdf",
    "scikit_learn": "sklearn", "scikitlearn": "sklearn", "sci_kit_learn": "sklearn", "pillow": "PIL", "Pillow": "PIL",
    "pil": "PIL", "sklearn.cross_validation": "sklearn.model_selection", "sklearn.grid_search": "sklearn.model_selection",
    "beautifulsoup4": "bs4", "beautifulsoup": "bs4", "BeautifulSoup": "bs4", "yaml": "yaml", "pyyaml": "yaml",
    "opencv": "cv2", "matplotlib.pyplot.pyplot": "matplotlib.pyplot", "plotly_express": "plotly.express",
    "Seaborn": "seaborn", "Numpy": "numpy", "Pandas": "pandas", "network_x": "networkx", "openpyxl.utils.cell": "openpyxl.utils",
}

# (name, wrong module) -> the import line that works on current libraries
IMPORT_MOVES: dict[tuple[str, str], str] = {
    ("json_normalize", "pandas.io.json"): "from pandas import json_normalize",
    ("Iterable", "collections"): "from collections.abc import Iterable",
    ("Mapping", "collections"): "from collections.abc import Mapping",
    ("MutableMapping", "collections"): "from collections.abc import MutableMapping",
    ("Sequence", "collections"): "from collections.abc import Sequence",
    ("Callable", "collections"): "from collections.abc import Callable",
    ("comb", "scipy.misc"): "from scipy.special import comb",
    ("factorial", "scipy.misc"): "from scipy.special import factorial",
    ("imread", "scipy.misc"): "from matplotlib.pyplot import imread",
    ("joblib", "sklearn.externals"): "import joblib",
    ("Imputer", "sklearn.preprocessing"): "from sklearn.impute import SimpleImputer as Imputer",
    ("train_test_split", "sklearn.cross_validation"): "from sklearn.model_selection import train_test_split",
    ("get_column_letter", "openpyxl.cell"): "from openpyxl.utils import get_column_letter",
    ("XPos", "fpdf"): "from fpdf.enums import XPos",
    ("YPos", "fpdf"): "from fpdf.enums import YPos",
    ("WD_ALIGN_PARAGRAPH", "docx.enum"): "from docx.enum.text import WD_ALIGN_PARAGRAPH",
    ("Inches", "docx"): "from docx.shared import Inches",
    ("Pt", "docx"): "from docx.shared import Pt",
    ("RGBColor", "docx"): "from docx.shared import RGBColor",
    ("Markup", "jinja2"): "from markupsafe import Markup",
    ("escape", "jinja2"): "from markupsafe import escape",
}

_FENCE = re.compile(r"^\s*```")


_PROSE = re.compile(r"^\s*(?:[A-Z][\w'’,;:\-]*|\d+\.)(?:\s+[\w'’,;:\-()/.]+){2,}[.:!?]?\s*$")


def _is_prose(line: str) -> bool:
    """'Here is the code:' / 'This prints the mean.' — a sentence, not a statement."""
    text = line.strip()
    if not text:
        return True
    if re.search(r"[=\[\]{}]|^\s*(import|from|def|class|for|while|if|with|print|return)\b", text):
        return False
    return bool(_PROSE.match(text)) and not parses(text)


def fix_fences_and_prose(code: str, ctx: RuleContext) -> RuleFix | None:
    """```python fences and 'Here is the code:' sentences around the program."""
    if "```" in code:
        inner = extract_code(code)
        if inner.strip() and inner != code:
            return RuleFix(inner.strip("\n") + "\n", "Removed the markdown fences and text around the code")
    if "SyntaxError" not in ctx.error or parses(code):
        return None
    lines = code.splitlines()
    start, end = 0, len(lines)
    while start < end and _is_prose(lines[start]):
        start += 1
    while end > start and _is_prose(lines[end - 1]):
        end -= 1
    body = "\n".join(lines[start:end]).strip("\n")
    if body and (start or end < len(lines)) and parses(body):
        return RuleFix(body + "\n", "Removed the explanation text around the code")
    return None


def fix_indentation(code: str, ctx: RuleContext) -> RuleFix | None:
    if not ctx.error.startswith(("IndentationError", "TabError")):
        return None
    fixed = textwrap.dedent(code.expandtabs(4))
    if fixed != code and parses(fixed):
        return RuleFix(fixed, "Fixed the indentation of the code")
    return None


def _closings(line: str) -> list[str]:
    """What a line leaves open: an odd quote, then its unclosed brackets (innermost first)."""
    needed = []
    for quote in ('"', "'"):
        if line.count(quote) % 2:
            needed.append(quote)
    stack = []
    for ch in re.sub(r"""(["'])(?:\\.|(?!\1).)*\1""", "", line):
        if ch in "([{":
            stack.append({"(": ")", "[": "]", "{": "}"}[ch])
        elif ch in ")]}" and stack and stack[-1] == ch:
            stack.pop()
    return needed + list(reversed(stack))


def fix_unclosed(code: str, ctx: RuleContext) -> RuleFix | None:
    """An unterminated string or an unclosed bracket: the smallest insertion on a line that leaves
    one open that makes the whole program parse (a string closes before the next comma)."""
    if "SyntaxError" not in ctx.error or parses(code):
        return None
    lines = code.splitlines()
    numbers = [n for n in (ctx.line, (ctx.line or 0) - 1) if n and 1 <= n <= len(lines)]
    numbers += [n for n in range(1, len(lines) + 1) if n not in numbers]
    for n in numbers:
        line = lines[n - 1].rstrip()
        for closer in _closings(line):
            if closer in "\"'":
                opening = line.find(closer)
                positions = [m.start() for m in re.finditer(r"[,)]", line) if m.start() > opening] + [len(line)]
            else:
                positions = [len(line)]
            for pos in positions:
                candidate = line[:pos] + closer + line[pos:]
                for extra in ("", *[c for c in _closings(candidate) if c not in "\"'"][:1]):
                    fixed = "\n".join(lines[:n - 1] + [candidate + extra] + lines[n:]) + "\n"
                    if parses(fixed):
                        return RuleFix(fixed, f"Closed the unterminated {closer!r} on line {n}")
    return None


def fix_name_error(code: str, ctx: RuleContext) -> RuleFix | None:
    match = re.search(r"NameError: (?:global )?name '([^']+)' is not defined", ctx.error)
    if not match:
        return None
    name = match.group(1)
    suggested = re.search(r"Did you mean: '([^']+)'", ctx.error)
    line = KNOWN_IMPORTS.get(name)
    if name == "datetime" and re.search(r"\bdatetime\.(now|strptime|today|fromtimestamp|utcnow|combine)\(", code):
        line = "from datetime import datetime"
    if line is not None:
        module = line.split()[1]
        return RuleFix(add_import(code, line), f"Added missing import of {module.split('.')[0]} "
                                               f"({line.splitlines()[-1]})")
    defined = assigned_names(code)
    target = suggested.group(1) if suggested and suggested.group(1) in defined else None
    if target is None:
        close = difflib.get_close_matches(name, sorted(defined), n=1, cutoff=0.75)
        target = close[0] if close else None
    if target is None or target == name:
        return None
    return RuleFix(rename_name(code, name, target), f"Renamed the undefined name {name} to {target} everywhere")


def _rename_module(code: str, wrong: str, right: str) -> str:
    fixed = re.sub(rf"^(?P<i>[ \t]*)from\s+{re.escape(wrong)}(?P<rest>(\.\w+)*\s+import\b)",
                   rf"\g<i>from {right}\g<rest>", code, flags=re.MULTILINE)

    def import_line(m: re.Match[str]) -> str:
        parts = []
        for item in m.group("names").split(","):
            mod, _, alias = item.strip().partition(" as ")
            if mod == wrong or mod.startswith(wrong + "."):
                mod = right + mod[len(wrong):]
                if not alias and "." not in wrong and "." not in right:
                    alias = ""  # plain `import wrong`: uses are renamed below
            parts.append(f"{mod} as {alias.strip()}" if alias.strip() else mod)
        return f"{m.group('i')}import {', '.join(parts)}"

    fixed = re.sub(r"^(?P<i>[ \t]*)import\s+(?P<names>[\w., ]+?)[ \t]*$", import_line, fixed, flags=re.MULTILINE)
    aliased = re.search(rf"^\s*import\s+{re.escape(right)}\s+as\s+{re.escape(wrong)}\b", fixed, re.MULTILINE)
    if "." not in wrong and "." not in right and not aliased:
        fixed = rename_name(fixed, wrong, right)  # `python_docx.Document()` → `docx.Document()`
    return fixed


def fix_module_not_found(code: str, ctx: RuleContext) -> RuleFix | None:
    missing = missing_module(ctx.stderr)
    if missing is None:
        return None
    if missing == "xlsxwriter":
        fixed = re.sub(r"""(['"])xlsxwriter\1""", r"\1openpyxl\1", code)
        fixed = re.sub(r"^[ \t]*import xlsxwriter[ \t]*\n", "", fixed, flags=re.MULTILINE)
        fixed = re.sub(r",\s*engine_kwargs\s*=\s*\{[^}]*\}", "", fixed)
        return RuleFix(fixed, "Used the openpyxl engine instead of xlsxwriter (not installed)") \
            if fixed != code else None
    candidates = [missing, missing.split(".")[0]] + [missing.rsplit(".", 1)[0]] * ("." in missing)
    for wrong in candidates:
        right = MODULE_ALIASES.get(wrong)
        if right and right != wrong:
            fixed = _rename_module(code, wrong, right)
            if fixed != code:
                return RuleFix(fixed, f"Fixed the module name everywhere: it is {right}, not {wrong}")
    return None


def fix_optional_dependency(code: str, ctx: RuleContext) -> RuleFix | None:
    match = re.search(r"Missing optional dependency '([^']+)'", ctx.stderr)
    if not match:
        return None
    dep = match.group(1)
    if dep == "tabulate" and ".to_markdown(" in code:
        return RuleFix(code.replace(".to_markdown(", ".to_string("),
                       "Replaced to_markdown() with to_string() (tabulate is not installed)")
    if dep == "xlsxwriter":
        return fix_module_not_found(code, RuleContext(stderr="ModuleNotFoundError: No module named 'xlsxwriter'"))
    if dep in ("pyarrow", "fastparquet") and re.search(r"\.to_parquet\(|read_parquet\(", code):
        fixed = re.sub(r"\.to_parquet\(([^)]*?)\.parquet", r".to_csv(\1.csv", code)
        fixed = fixed.replace(".to_parquet(", ".to_csv(").replace("read_parquet(", "read_csv(")
        return RuleFix(fixed, f"Used CSV instead of Parquet ({dep} is not installed)")
    return None


def fix_cannot_import(code: str, ctx: RuleContext) -> RuleFix | None:
    found = cannot_import_name(ctx.stderr)
    if not found:
        return None
    name, module = found
    line = IMPORT_MOVES.get((name, module)) or next(
        (v for (n, m), v in IMPORT_MOVES.items() if n == name and (not module or module.startswith(m))), None)
    new_name = name
    if line is None and name not in KNOWN_IMPORTS:
        close = difflib.get_close_matches(name, list(KNOWN_IMPORTS), n=1, cutoff=0.8)
        if close:
            new_name = close[0]
            line = KNOWN_IMPORTS[new_name]
    line = line or KNOWN_IMPORTS.get(name)
    if line is None or line.startswith("import ") and "\n" in line:
        return None
    pattern = re.compile(rf"^(?P<i>[ \t]*)from\s+[\w.]+\s+import\s+(?P<names>\(?[^\n]*\b{re.escape(name)}\b[^\n]*)$",
                         re.MULTILINE)
    match = pattern.search(code)
    if not match:
        return None
    names = [n.strip() for n in match.group("names").strip("() ").split(",") if n.strip()]
    rest = [n for n in names if n.split(" as ")[0].strip() != name]
    original = match.group(0)
    lines = [line] if not rest else [original.replace(match.group("names"), ", ".join(rest)), line]
    fixed = code.replace(original, "\n".join(match.group("i") + x for x in lines), 1)
    if new_name != name:
        fixed = rename_name(fixed, name, new_name)
    return RuleFix(fixed, f"Imported {new_name} from where it lives now ({line})")


_INPUT = re.compile(r"(?<![\w.])input\((?:[^()]|\([^()]*\))*\)")
_NUMBER_INPUT = re.compile(r"\b(int|float)\(\s*input\((?:[^()]|\([^()]*\))*\)\s*\)")


def remove_input(code: str) -> str:
    code = _NUMBER_INPUT.sub(lambda m: "10" if m.group(1) == "int" else "1.0", code)
    return _INPUT.sub('""', code)


def fix_input(code: str, ctx: RuleContext) -> RuleFix | None:
    if not _INPUT.search(code):
        return None
    if not re.search(r"EOFError|reading from stdin|OSError: \[Errno 29\]|I/O error|input\(\)", ctx.stderr):
        return None
    return RuleFix(remove_input(code), "Replaced input() with a default value (there is no terminal input)")
