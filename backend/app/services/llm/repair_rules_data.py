"""Repair rules for what the code does with data and files: wrong columns and
paths, missing folders and outputs, encodings, library APIs that changed
(pandas 2.2, numpy 2, matplotlib 3.8), `inplace` results, slow runs."""

from __future__ import annotations

import difflib
import posixpath
import re

from app.services.agent.error_reading import missing_columns, missing_path
from app.services.llm.repair_rules_base import (
    RuleContext,
    RuleFix,
    insert_after_imports,
    norm,
    parses,
    replace_string_literal,
)

SAFE_KWARGS_TO_DROP = ("numeric_only", "include_groups", "dtype_backend", "usedforsecurity", "squeeze",
                       "infer_datetime_format", "mangle_dupe_cols", "date_parser", "verbose", "warn_bad_lines")
RENAMED_KWARGS = {"line_terminator": "lineterminator", "error_bad_lines": "on_bad_lines"}
OUTPUT_EXTS = ("png", "jpg", "jpeg", "svg", "pdf", "csv", "xlsx", "docx", "html", "json", "txt")


def closest_name(wanted: str, choices: list[str]) -> str | None:
    by_norm = {norm(c): c for c in choices}
    if norm(wanted) in by_norm:
        return by_norm[norm(wanted)]
    singular = norm(wanted).rstrip("s")
    for key, choice in by_norm.items():
        if key.rstrip("s") == singular:
            return choice
    close = difflib.get_close_matches(norm(wanted), list(by_norm), n=1, cutoff=0.75)
    return by_norm[close[0]] if close else None


def fix_missing_column(code: str, ctx: RuleContext) -> RuleFix | None:
    """Wrong case, spacing or spelling of a column: every such literal (and `df.col`) in the code."""
    if not ctx.columns:
        return None
    wanted = [w for w in missing_columns(ctx.stderr) if w not in ctx.columns]
    if not wanted:
        return None
    by_norm = {norm(c): c for c in ctx.columns}
    for literal in re.findall(r"""(['"])([^'"\n]{1,80})\1""", code):  # the same slip elsewhere fails next
        if literal[1] not in ctx.columns and norm(literal[1]) in by_norm:
            wanted.append(literal[1])
    fixed, changes = code, []
    for name in dict.fromkeys(wanted):
        real = closest_name(name, ctx.columns)
        if real is None:
            continue
        new_code = replace_string_literal(fixed, name, real)
        if name.isidentifier():  # df.glucose → df["Glucose"]
            new_code = re.sub(rf"\b(\w+)\.{re.escape(name)}\b(?!\s*\()",
                              lambda m, real=real: f"{m.group(1)}[{real!r}]", new_code)
        if new_code != fixed:
            fixed = new_code
            changes.append(f"'{name}' → '{real}'")
    if not changes:
        return None
    return RuleFix(fixed, "Used the real column names " + ", ".join(changes))


def fix_missing_file(code: str, ctx: RuleContext) -> RuleFix | None:
    """A relative, guessed or wrong path to an upload: the real mount path."""
    missing = missing_path(ctx.stderr)
    if not missing or not ctx.available_paths or missing.startswith("output/generated"):
        return None  # a path under OUTPUT_DIR is an output (its folder may be missing), not an upload
    base = posixpath.basename(missing).lower()
    names = {posixpath.basename(p).lower(): p for p in ctx.available_paths}
    best = names.get(base)
    ext = posixpath.splitext(base)[1]
    if best is None:
        same = [n for n in names if n.endswith(ext)]
        close = difflib.get_close_matches(base, same, n=1, cutoff=0.6)
        best = names[close[0]] if close else None
    if best is None:
        same_ext = [p for p in ctx.available_paths if p.lower().endswith(ext)] if ext else []
        best = same_ext[0] if len(same_ext) == 1 else None
    if best is None or best == missing:
        return None
    fixed = replace_string_literal(code, missing, best)
    if fixed == code:  # the path was built: os.path.join("data", "x.csv"), f"{folder}/x.csv"
        fixed = re.sub(rf"""(["'])[^"'\n]*{re.escape(posixpath.basename(missing))}\1""", repr(best), code)
    if fixed == code:
        return None
    return RuleFix(fixed, f"Used the uploaded file's real path {best} instead of {missing}")


def fix_missing_folder(code: str, ctx: RuleContext) -> RuleFix | None:
    """Writing into a sub-folder that does not exist: create every output folder the code uses."""
    missing = missing_path(ctx.stderr)
    if not missing or "/" not in missing:
        return None
    if missing.lower().rsplit(".", 1)[-1] not in OUTPUT_EXTS and "non-existent directory" not in ctx.stderr:
        return None
    if ctx.available_paths and posixpath.basename(missing).lower() in {posixpath.basename(p).lower()
                                                                         for p in ctx.available_paths}:
        return None  # an input file at the wrong path, not an output folder
    folders = set(re.findall(r"""f?["']\{OUTPUT_DIR\}/((?:[\w\-. ]+/)+)""", code))
    lines = ["os.makedirs(f\"{OUTPUT_DIR}/" + f.rstrip("/") + "\", exist_ok=True)" for f in sorted(folders)]
    if not lines:
        folder = missing if "non-existent directory" in ctx.stderr else posixpath.dirname(missing)
        lines = [f"os.makedirs({folder!r}, exist_ok=True)"]
    block = "import os\n" + "\n".join(lines) + "  # output sub-folders"
    if all(line in code for line in lines):
        return None
    return RuleFix(insert_after_imports(code, block), "Created the output sub-folder(s) before saving")


def _add_kwarg_to_calls(code: str, call: str, kwarg: str) -> str:
    """`pd.read_csv(x)` → `pd.read_csv(x, encoding="latin-1")` for calls that lack the keyword."""
    out, i = [], 0
    for m in re.finditer(rf"\b{call}\(", code):
        start = m.end()
        depth, j = 1, start
        while j < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[j], 0)
            j += 1
        args = code[start:j - 1]
        if kwarg.split("=")[0] in args:
            continue
        out.append(code[i:j - 1] + (", " if args.strip() else "") + kwarg)
        i = j - 1
    out.append(code[i:])
    return "".join(out)


def fix_encoding(code: str, ctx: RuleContext) -> RuleFix | None:
    if "UnicodeDecodeError" not in ctx.error:
        return None
    fixed = _add_kwarg_to_calls(code, r"(?:pd\.)?read_csv", 'encoding="latin-1"')
    fixed = _add_kwarg_to_calls(fixed, r"(?:pd\.)?read_table", 'encoding="latin-1"')
    fixed = re.sub(r"""encoding\s*=\s*["']utf-?8["']""", 'encoding="latin-1"', fixed)
    fixed = _add_kwarg_to_calls(fixed, r"(?<![\w.])open", 'encoding="latin-1"') if fixed == code else fixed
    if fixed == code:
        return None
    return RuleFix(fixed, "Read the file as Latin-1 (it is not UTF-8)")


def fix_unexpected_kwarg(code: str, ctx: RuleContext) -> RuleFix | None:
    match = re.search(r"unexpected keyword argument '(\w+)'", ctx.error)
    if not match:
        return None
    kw = match.group(1)
    if kw in RENAMED_KWARGS:
        new = RENAMED_KWARGS[kw]
        if kw == "error_bad_lines":
            fixed = re.sub(r"error_bad_lines\s*=\s*False", 'on_bad_lines="skip"', code)
            fixed = re.sub(r"error_bad_lines\s*=\s*True", 'on_bad_lines="error"', fixed)
        else:
            fixed = re.sub(rf"\b{kw}\s*=", f"{new}=", code)
        return RuleFix(fixed, f"Used {new}= (the current name of {kw}=)") if fixed != code else None
    if kw not in SAFE_KWARGS_TO_DROP:
        return None
    fixed = re.sub(rf"\s*,\s*{kw}\s*=\s*[^,()]+(?=[,)])", "", code)
    fixed = re.sub(rf"\(\s*{kw}\s*=\s*[^,()]+\s*,?\s*", "(", fixed)
    if kw == "numeric_only":
        fixed = re.sub(r"(\b\w+)\.corr\(\)", r"\1.select_dtypes('number').corr()", fixed)
    if fixed == code:
        return None
    return RuleFix(fixed, f"Removed the {kw}= argument (not supported by the installed library version)")


_NUMERIC_METHODS = ("mean", "median", "sum", "std", "var", "corr", "cov", "min", "max", "prod", "quantile")


def fix_numeric_only(code: str, ctx: RuleContext) -> RuleFix | None:
    """pandas 2: mean()/corr() over text columns raise instead of skipping them."""
    if not re.search(r"could not convert string to float|Could not convert .* to numeric|agg function failed|"
                     r"unsupported operand type\(s\) for [+/]: '(str|float)' and '(str|float)'|"
                     r"can only concatenate str", ctx.stderr):
        return None
    fixed = re.sub(rf"\.({'|'.join(_NUMERIC_METHODS)})\(\s*\)", r".\1(numeric_only=True)", code)
    if fixed == code:
        return None
    return RuleFix(fixed, "Computed the statistics over the numeric columns only (numeric_only=True)")


API_RENAMES: list[tuple[str, str, str, str]] = [
    # (error pattern, code pattern, replacement, summary)
    (r"has no attribute 'iteritems'", r"\.iteritems\(", ".items(", "Series/DataFrame.iteritems() is .items() now"),
    (r"has no attribute 'ix'", r"\.ix\[", ".loc[", ".ix[] is .loc[] now"),
    (r"module 'numpy' has no attribute 'float'", r"\bnp\.float\b(?!\d|_)", "float", "np.float is float now"),
    (r"module 'numpy' has no attribute 'int'", r"\bnp\.int\b(?!\d|_|c|e)", "int", "np.int is int now"),
    (r"module 'numpy' has no attribute 'bool'", r"\bnp\.bool\b(?!_)", "bool", "np.bool is bool now"),
    (r"module 'numpy' has no attribute 'object'", r"\bnp\.object\b", "object", "np.object is object now"),
    (r"module 'numpy' has no attribute 'NaN'", r"\bnp\.NaN\b", "np.nan", "np.NaN is np.nan now"),
    (r"module 'numpy' has no attribute 'Inf'", r"\bnp\.Inf\b", "np.inf", "np.Inf is np.inf now"),
    (r"'(AxesSubplot|Axes)' object has no attribute 'savefig'", r"\b(\w+)\.savefig\(", None,
     "Saved the axes' figure (ax.figure.savefig)"),
    (r"module 'datetime' has no attribute '(now|today|strptime|fromtimestamp|utcnow)'",
     r"(?<![\w.])datetime\.(now|today|strptime|fromtimestamp|utcnow)\(", r"datetime.datetime.\1(",
     "Used datetime.datetime (the module has no now())"),
    (r"is not a valid package style|'seaborn' not found in the style library|is not a valid style",
     r"""(['"])seaborn(-[\w]+)?\1""", None, "Used the current name of the seaborn style (seaborn-v0_8)"),
    (r"has no attribute 'applymap'", r"\.applymap\(", ".map(", "DataFrame.applymap() is .map() now"),
]


def fix_api_change(code: str, ctx: RuleContext) -> RuleFix | None:
    for error, pattern, replacement, summary in API_RENAMES:
        match = re.search(error, ctx.stderr)
        if not match:
            continue
        if "savefig" in pattern:
            axes = {m.group(1) for m in re.finditer(r"\b(\w+)\.savefig\(", code) if m.group(1) not in ("plt", "fig")}
            fixed = code
            for name in axes:
                fixed = re.sub(rf"\b{name}\.savefig\(", f"{name}.figure.savefig(", fixed)
        elif "seaborn" in pattern:
            fixed = re.sub(pattern, lambda m: f"{m.group(1)}seaborn-v0_8{m.group(2) or ''}{m.group(1)}", code)
        else:
            fixed = re.sub(pattern, replacement, code)
        if fixed != code:
            return RuleFix(fixed, summary)
    if re.search(r"'DataFrame' object has no attribute 'append'|'Series' object has no attribute 'append'",
                 ctx.stderr):
        fixed = re.sub(r"(\b\w+)\s*=\s*\1\.append\((.+?)(?:,\s*ignore_index\s*=\s*True)?\)\s*$",
                       lambda m: f"{m.group(1)} = pd.concat([{m.group(1)}, {_as_frame(m.group(2))}], "
                                 "ignore_index=True)", code, flags=re.MULTILINE)
        if fixed != code:
            return RuleFix(fixed, "Used pd.concat (DataFrame.append was removed in pandas 2)")
    return None


def _as_frame(arg: str) -> str:
    arg = arg.strip()
    if arg.startswith("{"):
        return f"pd.DataFrame([{arg}])"
    if arg.startswith("pd.DataFrame") or arg.startswith("pd.Series"):
        return arg
    return f"pd.DataFrame([{arg}]) if isinstance({arg}, dict) else {arg}"


def fix_inplace(code: str, ctx: RuleContext) -> RuleFix | None:
    """`df = df.dropna(inplace=True)` makes df None: keep the result instead, on every such line."""
    if "NoneType" not in ctx.stderr:
        return None
    pattern = re.compile(r"^(?P<i>[ \t]*)(?P<t>[\w\[\]'\".]+)\s*=\s*(?P<call>(?P=t)\.\w+\(.*?)"
                         r",?\s*inplace\s*=\s*True\s*(?P<end>\))", re.MULTILINE)
    fixed = pattern.sub(lambda m: f"{m.group('i')}{m.group('t')} = {m.group('call').rstrip(', ')})", code)
    if fixed == code:
        return None
    return RuleFix(fixed, "Kept the result instead of assigning the None an inplace=True call returns")


def fix_heading_level(code: str, ctx: RuleContext) -> RuleFix | None:
    if not re.search(r"level must be in range 0-9", ctx.error):
        return None
    fixed = re.sub(r"(add_heading\([^)]*level\s*=\s*)(\d+)", lambda m: m.group(1) + str(min(int(m.group(2)), 9)), code)
    fixed = re.sub(r"(add_heading\([^)]*level\s*=\s*)([A-Za-z_][\w\s+\-*]*)\)", r"\1min(\2, 9))", fixed) \
        if fixed == code else fixed
    return RuleFix(fixed, "Kept heading levels within 0–9") if fixed != code else None


def fix_iloc_bounds(code: str, ctx: RuleContext) -> RuleFix | None:
    if "positional indexer is out-of-bounds" not in ctx.stderr and "index out of bounds" not in ctx.stderr:
        return None
    fixed = re.sub(r"\.iloc\[\s*len\((\w+)\)\s*\]", r".iloc[len(\1) - 1]", code)
    fixed = re.sub(r"\.iloc\[\s*len\((\w+)\)\s*,", r".iloc[len(\1) - 1,", fixed)
    return RuleFix(fixed, "Indexed the last row as len(df) - 1") if fixed != code else None


FPDF_LATIN1 = '''\
def _latin1(text):
    """fpdf2's core fonts hold Latin-1 only: typographic characters become their ASCII cousins."""
    table = {"\\u2013": "-", "\\u2014": "-", "\\u2018": "'", "\\u2019": "'", "\\u201c": '"', "\\u201d": '"',
             "\\u2026": "...", "\\u2022": "*", "\\u20ac": "EUR", "\\u00a0": " "}
    text = "".join(table.get(ch, ch) for ch in str(text))
    return text.encode("latin-1", "replace").decode("latin-1")
import fpdf as _fpdf
_kepler_normalize = _fpdf.FPDF.normalize_text
_fpdf.FPDF.normalize_text = lambda self, text: _kepler_normalize(
    self, text if getattr(self, "is_ttf_font", False) else _latin1(text))'''


def fix_fpdf_unicode(code: str, ctx: RuleContext) -> RuleFix | None:
    if "FPDFUnicodeEncodingException" not in ctx.stderr and "outside the range of characters" not in ctx.stderr:
        return None
    if "_latin1(" in code:
        return None
    return RuleFix(insert_after_imports(code, FPDF_LATIN1), "Wrote text outside Latin-1 with its closest Latin-1 "
                                                            "characters (the PDF's built-in font)")


def fix_timeout(code: str, ctx: RuleContext) -> RuleFix | None:
    """A faster variant where one is safe: no sleeping, a sample of a large frame for row loops."""
    if not (ctx.timed_out or "TimeoutError" in ctx.error):
        return None
    fixed = re.sub(r"^(?P<i>[ \t]*)time\.sleep\([^)]*\)[ \t]*$", r"\g<i>pass  # no sleeping in a time-limited run",
                   code, flags=re.MULTILINE)
    loop = re.search(r"^(?P<i>[ \t]*)for .+ in (?P<df>\w+)\.iterrows\(\)", fixed, re.MULTILINE)
    if loop and "sample(" not in fixed:
        df = loop.group("df")
        line = f"{loop.group('i')}{df} = {df}.sample(n=min(len({df}), 2000), random_state=0)  # a sample: the full loop timed out\n"
        fixed = fixed[:loop.start()] + line + fixed[loop.start():]
    fixed = re.sub(r"range\((\d{8,})\)", lambda m: f"range({min(int(m.group(1)), 1_000_000)})", fixed)
    if fixed == code or not parses(fixed):
        return None
    return RuleFix(fixed, "Made the code faster (no sleeps, sampled the rows, fewer iterations)")


_SHOW = re.compile(r"^(?P<indent>[ \t]*)(?:plt|pyplot|matplotlib\.pyplot|fig|figure|\w+\.figure)\.show\([^()]*\)"
                   r"[ \t]*;?[ \t]*$", re.MULTILINE)

SAVE_CHART = ('{i}plt.savefig(f"{{OUTPUT_DIR}}/{name}", dpi=150, bbox_inches="tight")\n'
              '{i}print(f"FILE_SAVED:{{OUTPUT_DIR}}/{name}")')


def remove_show(code: str) -> str:
    return _SHOW.sub(lambda m: f"{m.group('indent')}pass  # plt.show() removed: no display", code)


def _save_path_fix(code: str) -> str:
    """Output files written outside OUTPUT_DIR ('chart.png', './out/x.xlsx') go into it."""
    calls = r"(savefig|to_csv|to_excel|save|output|write_html|write_image|to_html|to_json)"

    def repl(m: re.Match[str]) -> str:
        path = m.group("path")
        if "{OUTPUT_DIR}" in path or path.startswith(("/workspace/uploads", "output/generated")):
            return m.group(0)
        name = posixpath.basename(path)
        return f'{m.group("call")}(f"{{OUTPUT_DIR}}/{name}"'

    return re.sub(rf"""(?P<call>\.{calls})\(\s*(?P<q>['"])(?P<path>[^'"\n{{}}]+\.(?:{'|'.join(OUTPUT_EXTS)}))(?P=q)""",
                  repl, code)


def fix_missing_output(code: str, ctx: RuleContext) -> RuleFix | None:
    """The run ended without what the request asked for (MissingOutputError from the expected-output check)."""
    if "MissingOutputError" not in ctx.error:
        return None
    wanted = set(re.findall(r"a \.(\w+) file", ctx.error)) | ({"chart"} if "chart image" in ctx.error else set())
    fixed = _save_path_fix(code)
    notes = ["saved the outputs under OUTPUT_DIR"] if fixed != code else []
    if "chart" in wanted and fixed == code:
        name = "chart.png"
        if _SHOW.search(fixed):
            fixed = _SHOW.sub(lambda m: SAVE_CHART.format(i=m.group("indent"), name=name), fixed, count=1)
            fixed = remove_show(fixed)
            notes.append("saved the chart instead of plt.show()")
        else:
            close = re.search(r"^(?P<indent>[ \t]*)plt\.close\([^)]*\)[ \t]*$", fixed, re.MULTILINE)
            if close:
                fixed = fixed[:close.start()] + SAVE_CHART.format(i=close.group("indent"), name=name) + "\n" \
                    + fixed[close.start():]
            else:
                fixed = fixed.rstrip("\n") + "\n" + SAVE_CHART.format(i="", name=name) + "\n"
            notes.append("saved the chart to OUTPUT_DIR")
    frames = [n for n, t in ctx.variables.items() if t == "DataFrame"]
    table = next((n for n in ("summary", "result", "table", "report", "stats", "df") if n in frames),
                 frames[-1] if frames else None)
    for ext in sorted(wanted - {"chart"}):
        if table is None or re.search(rf"\.{ext}\b", fixed) and fixed != code:
            continue
        name = f"{table}.{ext}"
        save = {
            "csv": f'{table}.to_csv(f"{{OUTPUT_DIR}}/{name}", index=False)',
            "xlsx": f'{table}.to_excel(f"{{OUTPUT_DIR}}/{name}", index=False)',
            "html": f'{table}.to_html(f"{{OUTPUT_DIR}}/{name}", index=False)',
            "json": f'{table}.to_json(f"{{OUTPUT_DIR}}/{name}", orient="records")',
            "docx": ("from docx import Document as _Document\n_doc = _Document()\n"
                     f"_doc.add_heading({table!r}, level=1)\n"
                     f"_t = _doc.add_table(rows=1, cols=len({table}.columns))\n"
                     f"for _c, _name in zip(_t.rows[0].cells, {table}.columns):\n    _c.text = str(_name)\n"
                     f"for _row in {table}.head(200).itertuples(index=False):\n"
                     "    for _c, _v in zip(_t.add_row().cells, _row):\n        _c.text = str(_v)\n"
                     f'_doc.save(f"{{OUTPUT_DIR}}/{name}")'),
        }.get(ext)
        if save is None:
            continue
        fixed = fixed.rstrip("\n") + "\n" + save + f'\nprint(f"FILE_SAVED:{{OUTPUT_DIR}}/{name}")\n'
        notes.append(f"saved {table} as .{ext}")
    if fixed == code:
        return None
    return RuleFix(fixed, "The requested output was missing: " + "; ".join(notes))
