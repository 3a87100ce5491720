"""What every repair rule shares: its input (`RuleContext`), its output
(`RuleFix`) and the whole-code edits rules are made of (rename a name on every
line, replace a string literal everywhere, add an import, insert after the
imports)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Any

from app.services.agent.error_reading import last_error_line


@dataclass(frozen=True)
class RuleFix:
    code: str
    summary: str


@dataclass(frozen=True)
class RuleContext:
    """The failed run as a rule sees it."""

    stderr: str = ""
    columns: list[str] | None = None
    available_paths: list[str] | None = None
    timed_out: bool = False
    expected: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # name -> type name after the run

    @property
    def error(self) -> str:
        return last_error_line(self.stderr)

    @property
    def line(self) -> int | None:
        """The line of the code the error points at (mapped tracebacks: `File "<code>", line N`)."""
        found = re.findall(r'File "<code>", line (\d+)', self.stderr)
        if found:
            return int(found[-1])
        found = re.findall(r'File "<(?:cell-\d+|exec|string|unknown)>", line (\d+)', self.stderr)
        return int(found[-1]) if found else None


def parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def rename_name(code: str, old: str, new: str) -> str:
    """Every use of the identifier `old` (not attributes `x.old`, not inside strings) becomes `new`."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return re.sub(rf"(?<![\w.]){re.escape(old)}\b", new, code)
    lines = code.splitlines(keepends=True)
    edits = []
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.NAME and tok.string == old:
            prev = tokens[i - 1].string if i else ""
            if prev == ".":
                continue
            edits.append(tok.start)
    for row, col in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[col + len(old):]
    return "".join(lines)


def replace_string_literal(code: str, old: str, new: str) -> str:
    """'old' / "old" string literals (also inside f-strings' text) become the literal `new`."""
    pattern = re.compile(r"""(?P<q>['"])""" + re.escape(old) + r"(?P=q)")
    return pattern.sub(lambda m: m.group("q") + new.replace(m.group("q"), "\\" + m.group("q")) + m.group("q"), code)


def import_end_line(code: str) -> int:
    """Index of the line after the leading docstring, __future__ imports and imports."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return 0
    end = 0
    for node in tree.body:
        is_doc = isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
            and isinstance(node.value.value, str)
        if is_doc or isinstance(node, ast.Import | ast.ImportFrom):
            end = node.end_lineno or end
            continue
        break
    return end


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


def insert_after_imports(code: str, block: str) -> str:
    lines = code.splitlines()
    at = import_end_line(code)
    return "\n".join(lines[:at] + block.rstrip("\n").splitlines() + lines[at:]) + "\n"


def assigned_names(code: str) -> set[str]:
    """Names the code defines (assignments, loops, functions, imports, with-as)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set(re.findall(r"^\s*([A-Za-z_]\w*)\s*=", code, re.MULTILINE))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()
