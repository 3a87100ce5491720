"""Reading an error: what a failed run's stderr says, in one place.

Used by the reflection (the line shown to the person), the repair rules (what
to fix) and the offline model (how to explain a failure):

- `last_error_line`: the exception line ('KeyError: 'price''), even when a
  note follows it; `error_summary` adds a fallback for an empty stderr.
- `exception_class`, `missing_module`, `cannot_import_name`,
  `missing_columns`, `missing_path`, `is_timeout`.
- `clean_stderr`: without the runtime's own frames and loader warnings.
- `map_traceback_lines`: line numbers of the model's code, not of header + code.
"""

from __future__ import annotations

import re

_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(Error|Exception|Exit|Interrupt|Warning)\b(:|$)")
_NOTE_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")
NO_MESSAGE = "the code failed without an error message"


def _lines(stderr: str | None) -> list[str]:
    return [line.strip() for line in (stderr or "").splitlines() if line.strip()]


def last_error_line(stderr: str | None) -> str:
    """The exception line of a traceback, else the last line that reads like an error, else ''."""
    lines = [line for line in _lines(clean_stderr(stderr or "")) if not line.startswith("PackageLoadWarning")]
    for line in reversed(lines):  # the exception line, even when a note follows it (timeouts)
        if _NOTE_LINE.match(line) and not line.startswith(("Warning", "UserWarning", "FutureWarning",
                                                            "DeprecationWarning", "RuntimeWarning")):
            return line[:300]
    for line in reversed(lines):
        if _EXCEPTION_LINE.match(line):
            return line[:300]
    for line in reversed(lines):
        if not line.startswith(("File ", "^", "~", "Traceback")) and (":" in line or "Error" in line):
            return line[:300]
    return lines[-1][:300] if lines else ""


def error_summary(stderr: str | None) -> str:
    """The line a person reads first; never empty."""
    return last_error_line(stderr) or NO_MESSAGE


def exception_class(stderr: str | None) -> str | None:
    """'KeyError', 'pandas.errors.ParserError' → 'ParserError'."""
    match = re.match(r"^((?:[A-Za-z_]\w*\.)*)([A-Za-z_]\w*)(?=:|$)", last_error_line(stderr))
    return match.group(2) if match else None


def missing_module(stderr: str | None) -> str | None:
    """The module a ModuleNotFoundError / ImportError names ('docx.shared')."""
    match = re.search(r"(?:ModuleNotFoundError|ImportError): No module named '([^']+)'", stderr or "")
    return match.group(1) if match else None


def cannot_import_name(stderr: str | None) -> tuple[str, str] | None:
    """(name, module) of "ImportError: cannot import name 'X' from 'Y'"."""
    match = re.search(r"cannot import name '([^']+)' from '([^']+)'", stderr or "")
    if match:
        return match.group(1), match.group(2)
    match = re.search(r"cannot import name '([^']+)'", stderr or "")
    return (match.group(1), "") if match else None


def missing_columns(stderr: str | None) -> list[str]:
    """Column names a KeyError / pandas / seaborn error says are missing (read from the exception
    line: a library's source line in the traceback may hold the same words)."""
    error = last_error_line(stderr)
    wanted: list[str] = []
    match = re.match(r"KeyError: (['\"])(.+?)\1$", error)
    if match and not match.group(2).startswith(("Column", "None of", "[")):
        wanted.append(match.group(2))
    listed = re.search(r"None of \[Index\(\[(.+?)\]", error)
    if listed:
        wanted += re.findall(r"'([^']+)'", listed.group(1))
    not_in = re.search(r"\[(.+?)\] not in index", error)
    if not_in:
        wanted += re.findall(r"'([^']+)'", not_in.group(1))
    interp = re.search(r"Could not interpret (?:value|input) `?'?([^`']+)`?'?", error)
    if interp:
        wanted.append(interp.group(1))
    not_found = re.search(r"Columns? not found: (.+?)['\"]?$", error)
    if not_found:
        wanted += re.findall(r"'([^']+)'", not_found.group(1)) or [not_found.group(1).strip(" '\"")]
    column_err = re.search(r"Column\(s\) \[(.+?)\] do not exist", error)
    if column_err:
        wanted += re.findall(r"'([^']+)'", column_err.group(1))
    attr = re.search(r"AttributeError: 'DataFrame' object has no attribute '([^']+)'", error)
    if attr:
        wanted.append(attr.group(1))
    return list(dict.fromkeys(wanted))


def missing_path(stderr: str | None) -> str | None:
    """The path a FileNotFoundError / pandas 'does not exist' error names."""
    text = stderr or ""
    match = re.search(r"(?:FileNotFoundError|OSError|IOError).*?No such file or directory: (['\"])(.+?)\1", text)
    match = match or re.search(r"FileNotFoundError: .*?(['\"])(.+?)\1 does not exist", text)
    match = match or re.search(r"File (\S+?) does not exist", text)
    match = match or re.search(r"Cannot save file into a non-existent directory: (['\"])(.+?)\1", text)
    if not match:
        return None
    return match.group(match.lastindex or 1)


def is_timeout(stderr: str | None, timed_out: bool = False) -> bool:
    return timed_out or (exception_class(stderr) == "TimeoutError")


# --- cleaning -----------------------------------------------------------------------

# Frames of the runtime itself: the worker's prelude, Pyodide's loader and eval machinery.
_INTERNAL_FRAME = re.compile(
    r'^\s*File "(?:/lib/python[\d.]+/(?:site-packages/)?_pyodide/|/lib/python[\d.]+/pyodide/|'
    r'/lib/python[\d.]+/site-packages/pyodide/|.*_kepler_|<frozen importlib)'
)
_LOADER_WARNING = re.compile(r"^(PackageLoadWarning|Loading |Loaded |No new packages to load|Didn't find package)")


def clean_stderr(stderr: str | None) -> str:
    """stderr without runtime-internal frames (and their source line) and loader messages."""
    out: list[str] = []
    skip_source = in_warning = False
    for line in (stderr or "").splitlines():
        if in_warning:  # a loader warning's own traceback runs to the next blank line
            in_warning = bool(line.strip())
            continue
        if line.startswith("PackageLoadWarning"):
            in_warning = True
            continue
        if skip_source:
            skip_source = False
            if line.startswith("    ") and not line.lstrip().startswith("File "):
                continue
        if _INTERNAL_FRAME.match(line):
            skip_source = True
            continue
        if _LOADER_WARNING.match(line.strip()):
            continue
        out.append(line)
    text = "\n".join(out).strip("\n")
    return text + "\n" if text else ""


_CELL_FRAME = re.compile(r'File "(<cell-\d+>|<exec>|<string>|<code>)", line (\d+)')


def map_traceback_lines(stderr: str | None, header_lines: int) -> str:
    """Line numbers of the model's code: the run was `header + "\\n" + code`.

    A frame in the header is labelled as such; frames elsewhere are untouched.
    """
    def repl(m: re.Match[str]) -> str:
        n = int(m.group(2))
        if n <= header_lines:
            return f'File "<workspace header>", line {n}'
        return f'File "<code>", line {n - header_lines}'

    return _CELL_FRAME.sub(repl, stderr or "")


def header_line_count(header: str) -> int:
    """How many lines precede the model's code when `header + "\\n" + code` runs."""
    return header.count("\n") + 1 if header else 1


def error_line_number(stderr: str | None) -> int | None:
    """The line of the model's code the last frame points at (after mapping)."""
    found = re.findall(r'File "<code>", line (\d+)', stderr or "")
    return int(found[-1]) if found else None
