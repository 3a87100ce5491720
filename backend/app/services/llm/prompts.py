"""Prompt templates and the text conventions every model answer follows.

Templates live in the top-level `prompts/` folder as `<name>.txt`. Line 1 is
`TASK: <task_name>`; the body carries a JSON context block

    === CONTEXT (JSON) ===
    {context_json}
    === END CONTEXT ===

which a real model reads as part of the prompt and the offline model parses
(`parse_prompt`). Code answers come in a ```python fence (`extract_code`),
structured answers in a ```json fence (`extract_json`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

PROMPTS_DIR = Path(__file__).resolve().parents[4] / "prompts"

CONTEXT_START = "=== CONTEXT (JSON) ==="
CONTEXT_END = "=== END CONTEXT ==="

_TASK_LINE = re.compile(r"^\s*TASK:\s*([A-Za-z0-9_.\-]+)\s*$", re.MULTILINE)
_FENCE_BLOCK = re.compile(r"```[ \t]*([A-Za-z0-9_+\-.]*)[^\n]*\n(.*?)(?:\n[ \t]*```|\Z)", re.DOTALL)


@cache
def load_prompt(name: str) -> str:
    """The template `prompts/<name>.txt` (`name` with or without `.txt`)."""
    stem = name[:-4] if name.endswith(".txt") else name
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", stem):
        raise ValueError(f"invalid prompt name {name!r}")
    path = PROMPTS_DIR / f"{stem}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"prompt template not found: {path}")
    return path.read_text(encoding="utf-8")


def render_prompt(name: str, **values: Any) -> str:
    """Fill `prompts/<name>.txt`: each `{key}` given is replaced, other braces stay.

    `context=<dict>` fills `{context_json}`; any non-string value is JSON-dumped.
    Replacement is a single pass, so a value containing `{key}` text is never
    substituted again.
    """
    return fill_template(load_prompt(name), **values)


def fill_template(template: str, **values: Any) -> str:
    """`render_prompt` for a template given as text."""
    if "context" in values and "context_json" not in values:
        values["context_json"] = values.pop("context")
    if not values:
        return template
    texts = {key: _as_text(value) for key, value in values.items()}
    pattern = re.compile(r"\{(" + "|".join(re.escape(key) for key in texts) + r")\}")
    return pattern.sub(lambda m: texts[m.group(1)], template)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def build_context_block(context: dict[str, Any]) -> str:
    """The JSON context block as it appears in a rendered prompt."""
    return f"{CONTEXT_START}\n{_as_text(context)}\n{CONTEXT_END}"


def parse_prompt(text: str) -> tuple[str | None, dict[str, Any]]:
    """(task name from the `TASK:` line or None, the JSON context or {})."""
    match = _TASK_LINE.search(text or "")
    task = match.group(1) if match else None
    return task, parse_context(text or "")


def parse_context(text: str) -> dict[str, Any]:
    start = text.find(CONTEXT_START)
    if start < 0:
        return {}
    body = text[start + len(CONTEXT_START):].lstrip()
    try:
        value, _ = json.JSONDecoder().raw_decode(body)
    except ValueError:
        end = body.find(CONTEXT_END)
        try:
            value = json.loads(body[:end] if end >= 0 else body)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {"value": value}


def extract_code(text: str) -> str:
    """The code in a model answer: the first ```python block, else the first
    fenced block, else the whole text without stray fence lines."""
    text = text or ""
    blocks = _FENCE_BLOCK.findall(text)
    for lang, body in blocks:
        if lang.lower() in {"python", "py", "python3"}:
            return body.strip("\n") + "\n"
    for lang, body in blocks:
        if lang.lower() in {"", "text", "code"}:
            return body.strip("\n") + "\n"
    lines = [line for line in text.splitlines() if not line.strip().startswith("```")]
    return "\n".join(lines).strip("\n") + "\n"


def extract_json(text: str) -> Any:
    """The JSON value in a model answer (a ```json block, else the first JSON
    object or array in the text). Raises ValueError when there is none."""
    text = text or ""
    candidates = [body for lang, body in _FENCE_BLOCK.findall(text) if lang.lower() in {"json", ""}]
    candidates.append(text)
    decoder = json.JSONDecoder()
    for candidate in candidates:
        stripped = candidate.strip()
        try:
            return json.loads(stripped)
        except ValueError:
            pass
        for match in re.finditer(r"[\[{]", candidate):
            try:
                value, _ = decoder.raw_decode(candidate[match.start():])
                return value
            except ValueError:
                continue
    raise ValueError("no JSON value found in the model answer")
