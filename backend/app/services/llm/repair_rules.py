"""Deterministic fixes for the errors generated code commonly hits.

`apply_repair_rules(code, stderr, columns=..., available_paths=...)` returns a
`RuleFix` (new code + one-line human summary) or None. Rules that address the
reported error come first; clean-ups that are always right in the browser
sandbox (markdown fences, `plt.show()`, `input()`) ride along. A fix is only
returned when the result still parses.
"""

from __future__ import annotations

import ast
import difflib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from app.services.agent.error_reading import last_error_line
from app.services.llm.prompts import extract_code

# name -> import line that defines it
KNOWN_IMPORTS: dict[str, str] = {
    "pd": "import pandas as pd",
    "pandas": "import pandas",
    "np": "import numpy as np",
    "numpy": "import numpy",
    "plt": "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt",
    "matplotlib": "import matplotlib\nmatplotlib.use('Agg')",
    "sns": "import seaborn as sns",
    "seaborn": "import seaborn",
    "nx": "import networkx as nx",
    "networkx": "import networkx",
    "px": "import plotly.express as px",
    "go": "import plotly.graph_objects as go",
    "os": "import os",
    "sys": "import sys",
    "json": "import json",
    "csv": "import csv",
    "math": "import math",
    "re": "import re",
    "io": "import io",
    "time": "import time",
    "random": "import random",
    "statistics": "import statistics",
    "textwrap": "import textwrap",
    "datetime": "import datetime",
    "date": "from datetime import date",
    "timedelta": "from datetime import timedelta",
    "Path": "from pathlib import Path",
    "Counter": "from collections import Counter",
    "defaultdict": "from collections import defaultdict",
    "stats": "from scipy import stats",
    "Document": "from docx import Document",
    "Inches": "from docx.shared import Inches",
    "Pt": "from docx.shared import Pt",
    "RGBColor": "from docx.shared import RGBColor",
    "WD_ALIGN_PARAGRAPH": "from docx.enum.text import WD_ALIGN_PARAGRAPH",
    "FPDF": "from fpdf import FPDF",
    "XPos": "from fpdf.enums import XPos",
    "YPos": "from fpdf.enums import YPos",
    "Workbook": "from openpyxl import Workbook",
    "load_workbook": "from openpyxl import load_workbook",
    "Font": "from openpyxl.styles import Font",
    "PatternFill": "from openpyxl.styles import PatternFill",
    "Alignment": "from openpyxl.styles import Alignment",
    "get_column_letter": "from openpyxl.utils import get_column_letter",
    "Image": "from PIL import Image",
    "ImageDraw": "from PIL import ImageDraw",
    "LinearRegression": "from sklearn.linear_model import LinearRegression",
    "train_test_split": "from sklearn.model_selection import train_test_split",
    "KMeans": "from sklearn.cluster import KMeans",
}

# wrong import name -> right import name
MODULE_ALIASES: dict[str, str] = {
    "python_docx": "docx",
    "python-docx": "docx",
    "pydocx": "docx",
    "docx2": "docx",
    "fpdf2": "fpdf",
    "pyfpdf": "fpdf",
    "scikit_learn": "sklearn",
    "scikit-learn": "sklearn",
    "scikitlearn": "sklearn",
    "pillow": "PIL",
    "Pillow": "PIL",
    "pil": "PIL",
    "sklearn.cross_validation": "sklearn.model_selection",
    "openpyxl.cell.cell.get_column_letter": "openpyxl.utils",
    "bs4": "bs4",
}

SAFE_KWARGS_TO_DROP = ("numeric_only", "include_groups", "dtype_backend", "usedforsecurity")


@dataclass(frozen=True)
class RuleFix:
    code: str
    summary: str


def parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


# --- clean-ups ---------------------------------------------------------------------

def strip_fences(code: str) -> str:
    return extract_code(code) if "```" in code else code


_SHOW = re.compile(r"^(?P<indent>[ \t]*)(?:plt|pyplot|matplotlib\.pyplot|fig|figure)\.show\([^()]*\)[ \t]*;?[ \t]*$",
                   re.MULTILINE)
_INPUT = re.compile(r"(?<![\w.])input\((?:[^()]|\([^()]*\))*\)")


def remove_show(code: str) -> str:
    return _SHOW.sub(lambda m: f"{m.group('indent')}pass  # plt.show() removed: no display", code)


def remove_input(code: str) -> str:
    return _INPUT.sub('""', code)


def add_import(code: str, line: str) -> str:
    """Put `line` at the top, after a leading docstring / __future__ imports."""
    lines = code.splitlines()
    insert_at = 0
    try:
        tree = ast.parse(code)
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in tree.body:
            is_doc = isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
                and isinstance(node.value.value, str)
            if is_doc or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                insert_at = node.end_lineno or insert_at
                continue
            break
    return "\n".join(lines[:insert_at] + line.splitlines() + lines[insert_at:]) + "\n"


# --- error-specific rules ------------------------------------------------------------

def fix_name_error(code: str, error: str, **_: object) -> RuleFix | None:
    match = re.search(r"NameError: (?:global )?name '([^']+)' is not defined", error)
    if not match:
        return None
    name = match.group(1)
    line = KNOWN_IMPORTS.get(name)
    if name == "datetime" and re.search(r"\bdatetime\.(now|strptime|today|fromtimestamp|utcnow)\(", code):
        line = "from datetime import datetime"
    if line is None:
        return None
    module = line.split()[1] if line.startswith("import") else line.split()[1]
    return RuleFix(add_import(code, line), f"Added missing import of {module.split('.')[0]} ({line.splitlines()[-1]})")


def fix_module_not_found(code: str, error: str, **_: object) -> RuleFix | None:
    match = re.search(r"(?:ModuleNotFoundError|ImportError): No module named '([^']+)'", error)
    if not match:
        if "Missing optional dependency 'tabulate'" in error and ".to_markdown(" in code:
            return RuleFix(code.replace(".to_markdown(", ".to_string("),
                           "Replaced to_markdown() with to_string() (tabulate is not installed)")
        return None
    missing = match.group(1)
    if missing == "xlsxwriter":
        fixed = re.sub(r"""(['"])xlsxwriter\1""", r"\1openpyxl\1", code)
        fixed = re.sub(r"^[ \t]*import xlsxwriter[ \t]*\n", "", fixed, flags=re.MULTILINE)
        return RuleFix(fixed, "Used openpyxl instead of xlsxwriter (not installed)") if fixed != code else None
    right = MODULE_ALIASES.get(missing) or MODULE_ALIASES.get(missing.split(".")[0])
    if not right or right == missing:
        return None
    wrong = re.escape(missing if missing in MODULE_ALIASES else missing.split(".")[0])
    fixed = re.sub(rf"^(?P<i>[ \t]*)(?P<kw>import|from)\s+{wrong}\b", rf"\g<i>\g<kw> {right}", code, flags=re.MULTILINE)
    if fixed == code:
        return None
    return RuleFix(fixed, f"Fixed the import: the module is called {right}, not {missing}")


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def closest_name(wanted: str, choices: list[str]) -> str | None:
    by_norm = {_norm(c): c for c in choices}
    if _norm(wanted) in by_norm:
        return by_norm[_norm(wanted)]
    singular = _norm(wanted).rstrip("s")
    for key, choice in by_norm.items():
        if key.rstrip("s") == singular:
            return choice
    close = difflib.get_close_matches(_norm(wanted), list(by_norm), n=1, cutoff=0.8)
    return by_norm[close[0]] if close else None


def _replace_string_literal(code: str, old: str, new: str) -> str:
    pattern = re.compile(r"""(?P<q>['"])""" + re.escape(old) + r"(?P=q)")
    return pattern.sub(lambda m: repr(new), code)


def fix_missing_column(code: str, error: str, *, columns: list[str] | None = None, **_: object) -> RuleFix | None:
    if not columns:
        return None
    wanted: list[str] = []
    match = re.search(r"KeyError: (['\"])(.+?)\1", error)
    if match and not match.group(2).startswith("Column"):
        wanted.append(match.group(2))
    listed = re.search(r"None of \[Index\(\[(.+?)\]", error)
    if listed:
        wanted += re.findall(r"'([^']+)'", listed.group(1))
    not_in = re.search(r"\[(.+?)\] not in index", error)
    if not_in:
        wanted += re.findall(r"'([^']+)'", not_in.group(1))
    interp = re.search(r"Could not interpret (?:value|input) `?'?([^`']+)`?'? for", error)
    if interp:
        wanted.append(interp.group(1))
    not_found = re.search(r"Columns? not found: (.+)", error)
    if not_found:
        names = re.findall(r"'([^']+)'", not_found.group(1)) or [not_found.group(1).strip(" '\"")]
        wanted += names
    if not wanted:
        return None
    # every other literal that is a known column in the wrong case/spacing fails the same way next
    by_norm = {_norm(c): c for c in columns}
    for literal in re.findall(r"""(['"])([^'"\n]{1,80})\1""", code):
        if literal[1] not in columns and _norm(literal[1]) in by_norm:
            wanted.append(literal[1])
    fixed, changes = code, []
    for name in dict.fromkeys(wanted):
        if name in columns:
            continue
        real = closest_name(name, columns)
        if real is None:
            continue
        new_code = _replace_string_literal(fixed, name, real)
        if new_code != fixed:
            fixed = new_code
            changes.append(f"'{name}' → '{real}'")
    if not changes:
        return None
    return RuleFix(fixed, "Used the real column name " + ", ".join(changes))


def fix_missing_file(code: str, error: str, *, available_paths: list[str] | None = None,
                     **_: object) -> RuleFix | None:
    match = re.search(r"(?:FileNotFoundError|OSError|IOError).*?No such file or directory: (['\"])(.+?)\1", error)
    match = match or re.search(r"FileNotFoundError: .*?(['\"])(.+?)\1 does not exist", error)
    if not match or not available_paths:
        return None
    missing = match.group(2)
    base = posixpath.basename(missing).lower()
    names = {posixpath.basename(p).lower(): p for p in available_paths}
    best = names.get(base)
    if best is None:
        close = difflib.get_close_matches(base, list(names), n=1, cutoff=0.5)
        best = names[close[0]] if close else None
    if best is None:
        ext = posixpath.splitext(base)[1]
        same_ext = [p for p in available_paths if p.lower().endswith(ext)] if ext else []
        best = same_ext[0] if len(same_ext) == 1 else None
    if best is None or best == missing:
        return None
    fixed = _replace_string_literal(code, missing, best)
    if fixed == code:
        return None
    return RuleFix(fixed, f"Used the available file {best} instead of {missing}")


def fix_unexpected_kwarg(code: str, error: str, **_: object) -> RuleFix | None:
    match = re.search(r"unexpected keyword argument '(\w+)'", error)
    if not match or match.group(1) not in SAFE_KWARGS_TO_DROP:
        return None
    kw = match.group(1)
    fixed = re.sub(rf"\s*,\s*{kw}\s*=\s*[^,()]+(?=[,)])", "", code)
    fixed = re.sub(rf"\(\s*{kw}\s*=\s*[^,()]+\s*,?\s*", "(", fixed)
    if kw == "numeric_only":
        fixed = re.sub(r"(\b\w+)\.corr\(\)", r"\1.select_dtypes('number').corr()", fixed)
    if fixed == code:
        return None
    return RuleFix(fixed, f"Removed the {kw}= argument (not supported by the installed library version)")


def fix_stray_fence(code: str, error: str, **_: object) -> RuleFix | None:
    if "```" not in code or "SyntaxError" not in error:
        return None
    return RuleFix(strip_fences(code), "Removed markdown fences from the code")


def fix_input(code: str, error: str, **_: object) -> RuleFix | None:
    if not _INPUT.search(code):
        return None
    if not re.search(r"EOFError|reading from stdin|OSError: \[Errno 29\]|I/O error|input\(\)", error):
        return None
    return RuleFix(remove_input(code), "Removed input() (there is no terminal input)")


def fix_show(code: str, error: str, **_: object) -> RuleFix | None:
    if not _SHOW.search(code):
        return None
    if not re.search(r"show|FigureCanvasAgg|non-GUI|display", error, re.IGNORECASE):
        return None
    return RuleFix(remove_show(code), "Removed plt.show() (there is no display)")


RULES: list[Callable[..., RuleFix | None]] = [
    fix_stray_fence,
    fix_name_error,
    fix_module_not_found,
    fix_missing_column,
    fix_missing_file,
    fix_unexpected_kwarg,
    fix_input,
    fix_show,
]


def clean_up(code: str) -> tuple[str, list[str]]:
    """Always-right clean-ups: fences, plt.show(), input()."""
    notes = []
    fixed = strip_fences(code)
    if fixed != code:
        notes.append("removed markdown fences")
    shown = remove_show(fixed)
    if shown != fixed:
        notes.append("removed plt.show()")
    no_input = remove_input(shown)
    if no_input != shown:
        notes.append("removed input()")
    return no_input, notes


def apply_repair_rules(code: str, stderr: str, *, columns: list[str] | None = None,
                       available_paths: list[str] | None = None, timed_out: bool = False,
                       expected: dict | None = None, variables: dict[str, str] | None = None) -> RuleFix | None:
    """The deterministic fix for `stderr`, with clean-ups applied; None when no rule addresses the error."""
    error_text = stderr or ""
    error = last_error_line(error_text)
    for rule in RULES:
        precise = rule in (fix_stray_fence, fix_name_error, fix_module_not_found, fix_unexpected_kwarg)
        fix = rule(code, (error or error_text) if precise else error_text,
                   columns=columns, available_paths=available_paths)
        if fix is None:
            continue
        cleaned, notes = clean_up(fix.code)
        if not parses(cleaned):
            continue
        summary = fix.summary + (f"; also {', '.join(notes)}" if notes else "")
        return RuleFix(cleaned, summary)
    return None
