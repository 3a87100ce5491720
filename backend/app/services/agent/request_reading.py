"""Reading a request: what the person asks for, on which data, and how.

One place for every rule about the words of a request, used by the intent
rules, the planner and the offline model alike:

- `requested_file_types`: the file formats asked for, in the order named
  ("Excel and Word" → ["xlsx", "docx"]); several give several outputs.
- `wants_chart` / `wants_table`: a chart or a table is wanted.
- `requested_file_type`: the one main kind (documents win over charts).
- `expected_outputs`: what a finished run must have produced.
- `is_edit_request` / `edit_operation`: an edit of a generated file.
- `involves_dataset` / `choose_dataset`: whether data is used and which file:
  the material chosen in the UI > one named (file name, stem, "the diabetes
  data") > the only one > ask.
- `wants_more_time` / `timeout_for`: "take longer" raises the run's limit.

"report" in an analysis question ("…and report R^2") is a verb, not a Word
request; "write a report" is a document.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

EditOp = Literal["append", "replace", "delete"]

# Words naming each file format; checked on word boundaries.
FILE_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "xlsx": ("excel", "xlsx", "xls", "spreadsheet", "workbook", "excel sheet"),
    "docx": ("word", "docx", "word document", "word doc", "word file", "ms word"),
    "pdf": ("pdf",),
    "csv": ("csv", "comma separated", "comma-separated"),
    "html": ("html", "interactive chart", "interactive plot", "plotly", "web page"),
    "png": ("png", "image file", "jpg", "jpeg", "svg"),
}
DOCUMENT_TYPES = ("xlsx", "docx", "pdf", "csv", "html")

CHART_WORDS = ("chart", "plot", "graph", "diagram", "flowchart", "flow chart", "histogram", "heatmap", "heat map",
               "scatter", "visualize", "visualise", "visualization", "visualisation", "pie", "boxplot", "box plot",
               "bar chart", "line chart", "figure", "mind map")
TABLE_WORDS = ("table", "tabulate", "pivot", "crosstab", "cross-tab", "breakdown", "list the", "top 10", "top ten")
EDIT_VERBS = ("add", "append", "insert", "include", "update", "fix", "modify", "change", "replace", "rename",
              "remove", "delete", "drop", "correct", "set")
DELETE_VERBS = ("delete", "remove", "drop")
REPLACE_VERBS = ("replace", "change", "update", "rename", "fix", "modify", "set", "correct")
DATA_WORDS = ("data", "dataset", "csv", "excel", "spreadsheet", "column", "columns", "row", "rows", "table",
              "chart", "plot", "graph", "histogram", "heatmap", "scatter", "correlation", "average", "mean",
              "median", "sum", "total", "count", "distribution", "trend", "regression", "statistics", "analy",
              "profile", "describe", "outlier", "group by", "per ", "by ")
MORE_TIME_PHRASES = ("take longer", "take more time", "more time", "longer timeout", "longer time limit",
                     "run longer", "allow longer", "give it longer", "give it more time", "no time limit",
                     "increase the timeout", "raise the timeout", "extend the timeout", "take your time")

def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?:s|es)?(?![a-z0-9])", text) is not None


def _positions(text: str, words: Iterable[str]) -> list[int]:
    return [m.start() for w in words
            for m in re.finditer(rf"(?<![a-z0-9]){re.escape(w)}(?:s|es)?(?![a-z0-9])", text)]


# "report" used as a verb: "and report R^2", "please report the mean", "report how …"
_REPORT_VERB_BEFORE = re.compile(r"(?:^|[,;:.!?(]|\b(?:and|then|also|please|to|plus|&))\s*$")
_REPORT_VERB_AFTER = re.compile(r"\s+(?:back\b|the\b|r\^?2|r²|how\b|what\b|whether\b|if\b|which\b|its\b|their\b|"
                                r"any\b|all\b|each\b|mean\b|median\b|average\b)")
_REPORT_NOUN_BEFORE = re.compile(r"\b(a|an|the|my|this|that|full|short|summary|written|final|analysis|word|pdf|"
                                 r"html|detailed|brief|monthly|weekly|annual|quarterly|sales|data)\s+$")
_PRODUCE = re.compile(r"\b(write|create|make|generate|produce|prepare|build|draft|give me|export|save|compile)\b")


def wants_report_document(message: str) -> bool:
    """'write a report on sales' is a document; 'fit a regression and report R^2' is not."""
    text = message.lower().strip()
    for m in re.finditer(r"\breports?\b", text):
        before, after = text[:m.start()], text[m.end():]
        if _REPORT_VERB_BEFORE.search(before) and (not after.strip() or _REPORT_VERB_AFTER.match(after)
                                                   or not _REPORT_NOUN_BEFORE.search(before)):
            continue  # a verb: report the result
        if _REPORT_VERB_AFTER.match(after) and not _REPORT_NOUN_BEFORE.search(before):
            continue
        if _REPORT_NOUN_BEFORE.search(before) or _PRODUCE.search(before):
            return True
    return False


def requested_file_types(message: str) -> list[str]:
    """The file formats asked for, in the order the request names them."""
    text = message.lower()
    found: list[tuple[int, str]] = []
    for kind, words in FILE_TYPE_WORDS.items():
        # a file name the request merely mentions ("analyse sales.csv") is not a format request
        spots = [p for p in _positions(text, words) if not re.search(r"[\w\-]\.$", text[max(0, p - 2):p])]
        if kind == "docx":
            # "word" alone is too common ("in a word", "word count"): only as a format
            spots = [p for p in spots if not re.match(r"word\s+(count|cloud|frequenc|length)", text[p:])]
            spots = [p for p in spots if _word_as_format(text, p)]
        if spots:
            found.append((min(spots), kind))
    if wants_report_document(message) and not any(k in ("docx", "pdf", "html") for _, k in found):
        found.append((text.find("report"), "docx"))
    return [kind for _, kind in sorted(found)]


def _word_as_format(text: str, pos: int) -> bool:
    if text.startswith(("docx", "ms word"), pos):
        return True
    window = text[max(0, pos - 25):pos + 30]
    return bool(re.search(r"word\s+(doc|document|file|report|format|version)|\b(to|as|into)\s+(a\s+)?word\b|"
                          r"\bin\s+word\b|word\s+and\b|\band\s+word\b|,\s*word\b", window))


def wants_chart(message: str) -> bool:
    text = message.lower()
    return any(_has_word(text, w) for w in CHART_WORDS) or "png" in requested_file_types(message) \
        or bool(re.search(r"\bvisuali[sz]", text))


def wants_table(message: str) -> bool:
    text = message.lower()
    return any(w in text for w in TABLE_WORDS if " " in w) or any(_has_word(text, w) for w in TABLE_WORDS)


def requested_file_type(message: str) -> str | None:
    """The main kind of file; documents win over charts ("a PDF with a chart" → pdf)."""
    types = requested_file_types(message)
    for kind in ("xlsx", "docx", "pdf", "csv", "html"):
        if kind in types:
            return kind
    if "png" in types or wants_chart(message):
        return "png"
    return None


@dataclass(frozen=True)
class ExpectedOutputs:
    """What a finished run must have produced for the request to be met."""

    file_types: tuple[str, ...] = ()
    chart: bool = False  # a chart image file, unless it goes into a requested document
    table: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"file_types": list(self.file_types), "chart": self.chart, "table": self.table}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ExpectedOutputs:
        data = data or {}
        return cls(tuple(data.get("file_types") or ()), bool(data.get("chart")), bool(data.get("table")))


def expected_outputs(message: str) -> ExpectedOutputs:
    types = [t for t in requested_file_types(message) if t != "png"]
    documents = [t for t in types if t in ("docx", "pdf", "html")]
    chart = wants_chart(message) and not documents  # a chart inside a PDF is not a separate file
    if "png" in requested_file_types(message):
        chart = True
    return ExpectedOutputs(file_types=tuple(types), chart=chart, table=wants_table(message) and not types)


CHART_EXTS = ("png", "jpg", "jpeg", "svg", "gif", "webp", "html")


def missing_outputs(expected: ExpectedOutputs, produced: Iterable[str]) -> list[str]:
    """The expected kinds a run did not produce ('xlsx', 'chart'), given produced file names."""
    exts = {PurePosixPath(name).suffix.lstrip(".").lower() for name in produced}
    missing = [t for t in expected.file_types if t not in exts and not (t == "xlsx" and "xls" in exts)]
    if expected.chart and not exts & set(CHART_EXTS):
        missing.append("chart")
    return missing


# --- edits ---------------------------------------------------------------------------

def edit_operation(message: str) -> EditOp:
    """delete > replace > append, by the verb the request uses."""
    text = message.lower()
    if any(re.search(rf"\b{w}\b", text) for w in DELETE_VERBS):
        return "delete"
    if any(re.search(rf"\b{w}\b", text) for w in REPLACE_VERBS):
        return "replace"
    return "append"


def is_edit_request(message: str, generated_files: list[Mapping[str, Any]] | None) -> bool:
    """An edit verb while a generated file exists means edit, not regenerate (spec 5.2)."""
    text = message.lower()
    if not generated_files:
        return False
    has_verb = any(_has_word(text, w) for w in EDIT_VERBS)
    return has_verb and not any(_has_word(text, w) for w in ("new", "another"))


def edit_target(message: str, generated_files: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The file the user means: named outright, then by kind, else the newest."""
    text = message.lower()
    for item in reversed(generated_files):
        if item["filename"].lower() in text:
            return item
    wanted = requested_file_types(message)
    for item in reversed(generated_files):
        if any(item["filename"].lower().endswith("." + w) for w in wanted):
            return item
    return generated_files[-1]


# --- datasets ------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(text))
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in re.findall(r"[a-z0-9]+", text.lower())]


_GENERIC_STEM_WORDS = {"data", "dataset", "file", "final", "new", "copy", "export", "table", "sheet", "v1", "v2",
                       "csv", "xlsx", "the", "and", "of"}


def involves_dataset(message: str, workspace_files: list[Mapping[str, Any]], intent: str | None = None,
                     material_id: str | None = None) -> bool:
    """Whether the request works on a data file (no profiler step otherwise)."""
    data = [f for f in workspace_files if f.get("type") == "data"]
    if not data:
        return False
    if material_id and any(f.get("id") == material_id for f in data):
        return True
    if named_datasets(message, data):
        return True
    if intent == "DATA_ANALYSIS":
        return True
    text = message.lower()
    if re.search(r"\b(top \d+ countries|countries by population|from scratch|example data|sample data|"
                 r"made[- ]up|synthetic|random data)\b", text):
        return False
    return any(w in text for w in DATA_WORDS)


def named_datasets(message: str, data_files: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Data files the request names: by file name, by stem, or by the stem's words."""
    text = message.lower()
    words = set(_words(message))
    named = []
    for f in data_files:
        filename = str(f.get("filename", "")).lower()
        stem = PurePosixPath(filename).stem
        var = str(f.get("var_name", "")).lower()
        stem_words = [w for w in _words(stem) if w not in _GENERIC_STEM_WORDS and not w.isdigit() and len(w) > 2]
        if filename and filename in text or (stem and re.search(rf"\b{re.escape(stem)}\b", text)) \
                or (var and re.search(rf"\b{re.escape(var)}\b", text)):
            named.append((2, f))
        elif stem_words and all(w in words for w in stem_words):
            named.append((1, f))
        elif stem_words and any(w in words for w in stem_words):
            named.append((0, f))
    if not named:
        return []
    best = max(score for score, _ in named)
    return [f for score, f in named if score == best]


@dataclass(frozen=True)
class DatasetChoice:
    """Which data file a request is about, and why."""

    file: Mapping[str, Any] | None
    reason: Literal["chosen", "named", "only", "ask", "none"]
    candidates: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def question(self) -> str:
        names = ", ".join(str(f.get("filename")) for f in self.candidates)
        return (f"Which dataset should I use: {names}? Name the file in your message "
                "(or choose it with “Use this file”).")


def choose_dataset(message: str, workspace_files: list[Mapping[str, Any]],
                   material_id: str | None = None) -> DatasetChoice:
    """The chosen material > the one named > the only one > ask."""
    data = [f for f in workspace_files if f.get("type") == "data"]
    if material_id:
        chosen = next((f for f in data if f.get("id") == material_id), None)
        if chosen is not None:
            return DatasetChoice(chosen, "chosen")
    if not data:
        return DatasetChoice(None, "none")
    named = named_datasets(message, data)
    if len(named) == 1:
        return DatasetChoice(named[0], "named")
    if len(data) == 1:
        return DatasetChoice(data[0], "only")
    return DatasetChoice(None, "ask", candidates=named or data)


# --- time --------------------------------------------------------------------------

def wants_more_time(message: str) -> bool:
    text = message.lower()
    return any(p in text for p in MORE_TIME_PHRASES)


def timeout_for(message: str, default_s: int, max_s: int) -> int:
    """The per-request limit: the default, or the maximum when the person asks for longer."""
    return max(default_s, max_s) if wants_more_time(message) else default_s


# --- pasted code -----------------------------------------------------------------

_RUN_WORDS = re.compile(r"\b(run|execute|try)\b", re.I)
_FENCE = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.S)
_CODE_START = re.compile(r"^\s*(import |from \w|def |class |for |while |if |with |print\(|[A-Za-z_][\w.\[\]'\"]*\s*=[^=]|"
                         r"[A-Za-z_][\w.]*\()")


def pasted_code(request: str) -> str | None:
    """The Python the person pasted (a fenced block, or the lines after the prose), else None."""
    fenced = _FENCE.search(request)
    if fenced and fenced.group(1).strip():
        return fenced.group(1).strip("\n") + "\n"
    lines = request.splitlines()
    for i, line in enumerate(lines):
        if not _CODE_START.match(line):
            continue
        candidate = "\n".join(lines[i:]).strip("\n")
        if ":" in line and not line.rstrip().endswith(":") and i == 0 and "(" not in line and "=" not in line:
            continue
        if len(lines) - i < 2 and not (_RUN_WORDS.search(" ".join(lines[:i]) or "") or i == 0 and "(" in line):
            continue
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            continue
        if any(not isinstance(node, ast.Expr) or isinstance(node.value, ast.Call) for node in tree.body):
            return candidate + "\n"
    # "run print(df.describe())" / "Run this Python code: print(1)" on one line
    inline = re.search(r"\b(?:run|execute)\b(?:\s+(?:this|the|my))?(?:\s+python)?"
                       r"(?:\s+(?:code|snippet|program|script|line))?\s*:?\s*(.+)$", request.strip(), re.I)
    if inline:
        try:
            tree = ast.parse(inline.group(1))
            if tree.body and any(isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) or
                                 isinstance(n, ast.Assign | ast.Import | ast.ImportFrom) for n in tree.body):
                return inline.group(1).strip() + "\n"
        except SyntaxError:
            return None
    return None
