"""Deterministic fixes for the errors generated code commonly hits.

`apply_repair_rules(code, stderr, columns=..., available_paths=..., ...)`
returns a `RuleFix` (new code + one-line human summary) or None. The error is
read with `app.services.agent.error_reading` (the same reading the reflection
and the offline model use); the rules themselves live in
`repair_rules_code` (fences, syntax, imports, names, input) and
`repair_rules_data` (columns, paths, folders, encodings, library API changes,
inplace, missing outputs, timeouts). Each fixes the whole code, not one line.
Clean-ups that are always right in the browser sandbox (markdown fences,
`plt.show()`, `input()`) ride along. A fix is only returned when the result
still parses.
"""

from __future__ import annotations

from collections.abc import Callable

from app.services.agent.error_reading import last_error_line
from app.services.llm.prompts import extract_code
from app.services.llm.repair_rules_base import RuleContext, RuleFix, add_import, parses
from app.services.llm.repair_rules_code import (
    KNOWN_IMPORTS,
    MODULE_ALIASES,
    fix_cannot_import,
    fix_fences_and_prose,
    fix_indentation,
    fix_input,
    fix_module_not_found,
    fix_name_error,
    fix_optional_dependency,
    fix_unclosed,
    remove_input,
)
from app.services.llm.repair_rules_data import (
    _SHOW,
    fix_api_change,
    fix_encoding,
    fix_fpdf_unicode,
    fix_heading_level,
    fix_iloc_bounds,
    fix_inplace,
    fix_missing_column,
    fix_missing_file,
    fix_missing_folder,
    fix_missing_output,
    fix_numeric_only,
    fix_timeout,
    fix_unexpected_kwarg,
    remove_show,
)

__all__ = ["KNOWN_IMPORTS", "MODULE_ALIASES", "RULES", "RuleContext", "RuleFix", "add_import", "apply_repair_rules",
           "clean_up", "last_error_line", "parses", "remove_input", "remove_show", "strip_fences"]


def strip_fences(code: str) -> str:
    return extract_code(code) if "```" in code else code


def fix_show(code: str, ctx: RuleContext) -> RuleFix | None:
    if not _SHOW.search(code) or "MissingOutputError" in ctx.error:
        return None
    if not any(w in ctx.stderr.lower() for w in ("show", "figurecanvasagg", "non-gui", "display")):
        return None
    return RuleFix(remove_show(code), "Removed plt.show() (there is no display)")


RULES: list[Callable[[str, RuleContext], RuleFix | None]] = [
    fix_fences_and_prose,
    fix_indentation,
    fix_unclosed,
    fix_name_error,
    fix_module_not_found,
    fix_optional_dependency,
    fix_cannot_import,
    fix_missing_column,
    fix_missing_file,
    fix_missing_folder,
    fix_encoding,
    fix_unexpected_kwarg,
    fix_numeric_only,
    fix_api_change,
    fix_inplace,
    fix_heading_level,
    fix_iloc_bounds,
    fix_fpdf_unicode,
    fix_input,
    fix_timeout,
    fix_missing_output,
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
    ctx = RuleContext(stderr=stderr or "", columns=columns, available_paths=available_paths, timed_out=timed_out,
                      expected=dict(expected or {}), variables=dict(variables or {}))
    for rule in RULES:
        fix = rule(code, ctx)
        if fix is None or fix.code == code:
            continue
        cleaned, notes = clean_up(fix.code)
        if not parses(cleaned):
            continue
        summary = fix.summary + (f"; also {', '.join(notes)}" if notes else "")
        return RuleFix(cleaned, summary)
    return None
