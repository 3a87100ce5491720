"""Offline `data_analysis`: a short markdown explanation written from the run's stdout."""

from __future__ import annotations

import re
from typing import Any

from app.services.agent.error_reading import error_summary as read_error_line
from app.services.llm.offline.codegen.capabilities import (
    ASK_DATASET_MARKER,
    LIMIT_MARKER,
    MISSING_COLUMN_MARKER,
    NO_CAPABILITY,
    offline_limit_message,
)
from app.services.llm.offline.registry import TaskInput, register_task

FILE_KINDS = {
    "png": "chart", "jpg": "image", "jpeg": "image", "svg": "chart", "csv": "CSV table",
    "xlsx": "Excel workbook", "docx": "Word document", "pdf": "PDF document", "html": "web page",
    "json": "JSON data", "txt": "text file",
}

ERROR_TIPS = [
    ("KeyError", "a column name did not match the data; check the exact column names and ask again"),
    ("FileNotFoundError", "a file was missing; make sure the material is uploaded to this notebook"),
    ("ModuleNotFoundError", "a library is not available in the browser runtime; ask for the result "
                            "with pandas/matplotlib instead"),
    ("TimeoutError", "the code ran too long; try a smaller question or a sample of the data"),
    ("MemoryError", "the data is too large for the browser; try a sample or fewer columns"),
    ("ValueError", "some values could not be converted; say which columns to use or clean the data first"),
    ("TypeError", "a column had an unexpected type (for example text where numbers were expected)"),
]

_NOISE = re.compile(r"^(FILE_SAVED:|Saved |Dataset:|Columns:|Numeric summary:|Updated .*: \d+ rows x)")
MAX_FINDINGS = 14


def file_name(item: Any) -> str:
    if isinstance(item, dict):
        item = item.get("filename") or item.get("name") or item.get("path") or ""
    return str(item).rsplit("/", 1)[-1]


def describe_files(files: list[Any]) -> str:
    names = [n for n in (file_name(f) for f in files or []) if n]
    if not names:
        return ""
    parts = []
    for name in names:
        kind = FILE_KINDS.get(name.rsplit(".", 1)[-1].lower(), "file")
        parts.append(f"`{name}` ({kind})")
    return "**Files created:** " + ", ".join(parts) + "."


def is_table_line(line: str) -> bool:
    """Rows of printed DataFrames: several cells separated by runs of spaces."""
    return len(re.findall(r"\S\s{2,}\S", line)) >= 2


def findings_from_stdout(stdout: str, limit: int = MAX_FINDINGS) -> list[str]:
    lines = []
    for raw in (stdout or "").splitlines():
        line = raw.strip()
        if not line or _NOISE.match(line) or is_table_line(line):
            continue
        line = re.sub(r"^[-*•]\s+", "", line)
        if len(line) > 220:
            line = line[:217].rstrip() + "…"
        if line not in lines:
            lines.append(line)
    with_numbers = [x for x in lines if re.search(r"\d", x)]
    chosen = with_numbers if len(with_numbers) >= 2 else lines
    return chosen[:limit]


def as_bullet(finding: str) -> str:
    """A finding in the answer's own words: "label: value" becomes "**label** — value",
    otherwise the first number is bolded (stdout lines are never pasted verbatim)."""
    label, sep, rest = finding.partition(":")
    if sep and rest.strip() and len(label) <= 60:
        return f"- **{label.strip()}** — {rest.strip()}"
    return "- " + re.sub(r"(-?\d+(?:,\d{3})*(?:\.\d+)?%?)", r"**\1**", finding, count=1)


def error_summary(errors: str) -> str:
    return read_error_line(str(errors)) or "an unknown error"


def explain_failure(request: str, errors: str, stdout: str, files: list[Any], *, error: str | None = None,
                    attempts: int = 0) -> str:
    error = error or error_summary(errors)
    tip = next((t for name, t in ERROR_TIPS if error.startswith(name)), None)
    if attempts:
        tries = "one automatic fix" if attempts == 1 else f"{attempts} automatic fixes"
        opening = f"I couldn't finish this one: the code still failed after {tries}, with `{error[:200]}`."
    else:
        opening = f"I couldn't finish this one: the code failed with `{error[:200]}` and no automatic fix applied."
    parts = [opening]
    if tip:
        parts.append(f"It looks like {tip}.")
    partial = findings_from_stdout(stdout, limit=3)
    if partial:
        parts.append("Before it failed, the run found:\n" + "\n".join(as_bullet(x) for x in partial))
    produced = describe_files(files)
    if produced:
        parts.append(produced)
    parts.append("You can rephrase the request (for example name the exact columns), or open the "
                 "steps above to see the code and the error.")
    return "\n\n".join(parts)


def marked_line(stdout: str, marker: str) -> str | None:
    for line in (stdout or "").splitlines():
        if line.strip().startswith(marker):
            return line.strip()[len(marker):].strip()
    return None


def explain_results(request: str, profile: dict[str, Any], stdout: str, files: list[Any]) -> str:
    limit = marked_line(stdout, LIMIT_MARKER)
    if limit is not None:
        return offline_limit_message(None if limit in ("", NO_CAPABILITY) else limit)
    missing = marked_line(stdout, MISSING_COLUMN_MARKER)
    if missing is not None:
        return f"I couldn't do that with this data: {missing[:1].lower() + missing[1:]}"
    ask = marked_line(stdout, ASK_DATASET_MARKER)
    if ask is not None:
        return ask[:1].upper() + ask[1:]
    findings = findings_from_stdout(stdout)
    shape = re.search(r"(\S+) has (\d+) rows and (\d+) columns", stdout or "")
    if shape:
        opening = f"Here's what I found in **{shape.group(1)}** ({shape.group(2)} rows, {shape.group(3)} columns):"
        findings = [f for f in findings if f != shape.group(0)]
    elif findings and not re.search(r"\d", " ".join(findings)):
        opening = findings.pop(0)
    elif findings:
        opening = "Here's what the run found:"
    elif files:
        opening = "Done — here is what I made for you."
    else:
        opening = "The code ran without printing any results."
    parts = [opening]
    if findings:
        parts.append("\n".join(as_bullet(f) for f in findings))
    produced = describe_files(files)
    if produced:
        parts.append(produced)
    return "\n\n".join(parts)


@register_task("data_analysis")
def explain(task: TaskInput) -> str:
    ctx = task.context
    request = str(ctx.get("request") or "")
    stdout = str(ctx.get("stdout") or "")
    files = ctx.get("files") or []
    errors = ctx.get("errors")
    if errors:
        return explain_failure(request, str(errors), stdout, files, error=ctx.get("error_summary"),
                               attempts=int(ctx.get("repair_attempts") or 0))
    profile = ctx.get("analysis_context") or {}
    return explain_results(request, profile if isinstance(profile, dict) else {}, stdout, files)
