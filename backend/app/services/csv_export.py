"""CSV the server writes from user text, safe to open in a spreadsheet.

A cell starting with = + - @ (or tab / carriage return) is a formula to Excel,
LibreOffice and Sheets (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`). Per OWASP's
CSV-injection advice such a cell is prefixed with a single quote, which the
spreadsheet shows as text; the csv module then quotes it where needed. A plain
number ("-3", "+1.5") is left alone: it cannot be a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
