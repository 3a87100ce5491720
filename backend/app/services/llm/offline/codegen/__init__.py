"""The offline coder: writes the Python program for a code-generation request.

`generate_code(context)` takes the `code_generation` prompt context (request,
intent, file_type, workspace_files, analysis_context, generated_files,
edit_action, material_id, ...) and returns code to run after the workspace
header (which imports pandas/numpy/matplotlib/os/json/csv and defines
OUTPUT_DIR and one `<var>_path` / `<var>_text_path` per file).

Each request maps to one capability the offline model really has (see
`capabilities.py`): pasted code, an edit, a diagram, the population table,
cleaning, "which column correlates most with Y", a summary, a chart, a table
of totals by group ("revenue by region" as a file), an analysis or a plain
export. Anything else gets a program that prints the honest "can't do that
offline" answer; a column the data lacks is said, with the real ones, instead
of being swapped for another.
"""

from __future__ import annotations

import re
from typing import Any

from app.services.llm.offline.codegen import capabilities as cap
from app.services.llm.offline.codegen.charts import BLUE, analysis_code, chart_code
from app.services.llm.offline.codegen.cleaning import clean_code
from app.services.llm.offline.codegen.correlation import correlation_code
from app.services.llm.offline.codegen.dataset import (
    Dataset,
    derive_columns,
    mentioned_columns,
    pick_dataset,
    unknown_column_words,
)
from app.services.llm.offline.codegen.diagrams import diagram_code
from app.services.llm.offline.codegen.edits import docx_chart_code, edit_code
from app.services.llm.offline.codegen.exports import export_code, sheet_title
from app.services.llm.offline.codegen.grouping import grouped_table_code, grouping_of
from app.services.llm.offline.codegen.questions import (
    aggregate_question_code,
    unknown_measure,
    which_question_code,
)
from app.services.llm.offline.codegen.request import (
    WORD_NUMBERS,
    chart_kind,
    is_diagram_request,
    is_population_request,
    requested_file_types,
    slug,
    top_n,
)
from app.services.llm.offline.codegen.snippets import (
    CELL_TEXT,
    COLUMN_LISTS,
    EMBEDDED_CHARTS,
    PREAMBLE,
    READ_DATA,
    RUNTIME_MATCHERS,
    block,
)
from app.services.llm.offline.reference_data import POPULATION_2023, POPULATION_SOURCE, POPULATION_YEAR

EXPORT_KINDS = ("csv", "xlsx", "docx", "pdf", "html")
WARNINGS_OFF = 'import warnings\nwarnings.filterwarnings("ignore")\n'
CHART_WORDS = re.compile(r"\b(chart|plot|graph|figure|histogram|visuali[sz]ation|heatmap)\b", re.I)

__all__ = ["generate_code"]


def generate_code(context: dict[str, Any]) -> str:
    request = str(context.get("request") or "").strip()
    files = list(context.get("workspace_files") or [])
    profile = context.get("analysis_context") or {}
    profile = profile if isinstance(profile, dict) else {}
    pasted = cap.pasted_code(request)
    if pasted:
        return pasted_program(request, pasted, files, profile, context.get("material_id"))
    edit_action = context.get("edit_action")
    if isinstance(edit_action, dict) and edit_action.get("target"):
        return edit_program(request, edit_action, files, profile, context.get("material_id"))
    if is_diagram_request(request):
        return _join("# Draw the described steps as a diagram (networkx layout, matplotlib drawing).",
                     WARNINGS_OFF, diagram_code(request))
    lacks = cap.out_of_scope(request)
    if lacks:
        return limit_program(lacks)
    kinds = requested_file_types(request, context.get("file_type"),
                                 tuple(str(f.get("filename") or "") for f in files))
    if is_population_request(request):
        return population_code(request, kinds)
    ds, candidates = pick_dataset(request, files, profile, context.get("material_id"), context.get("dataset"))
    if ds is None and candidates:
        names = ", ".join(candidates)
        return _join("# Several datasets and none named: ask which one.", block(f'''
            print({f"{cap.ASK_DATASET_MARKER} this notebook has {names}. Name the file in your message "
                   "(or choose it with “Use this file”) and ask again."!r})
        '''))
    if ds is None:
        return no_dataset_code(request, kinds, files)
    return dataset_code(request, kinds, ds)


def _join(*parts: str) -> str:
    return "\n".join(block(p) for p in parts if p and p.strip())


def limit_program(lacks: str | None) -> str:
    line = f"{cap.LIMIT_MARKER} {lacks or cap.NO_CAPABILITY}"
    return _join("# This request needs a capability the offline model does not have.", f"print({line!r})")


def _loader(ds: Dataset, derived: str = "") -> str:
    return ds.load_code() + "\n" + (derived + "\n" if derived else "") + COLUMN_LISTS + (
        "" if ds.known else RUNTIME_MATCHERS)


def dataset_code(request: str, kinds: list[str], ds: Dataset) -> str:
    derived = derive_columns(request, ds)  # "revenue (units x price)": a column from then on
    exports = [k for k in kinds if k in EXPORT_KINDS]
    kind = chart_kind(request)
    cleaning = cap.wants_cleaning(request)
    correlating = cap.wants_target_correlation(request) and not cleaning
    summary = bool(exports) and not cleaning and (cap.wants_summary(request) or cap.wants_analysis(request))
    # "Word report of revenue by region", "export revenue and units by region to Excel": the file is
    # about each group's totals (a chart only inside a document), not a chart's one measure or the whole data
    grouping = grouping_of(request, ds) if (
        exports and not (cleaning or correlating) and "png" not in kinds and kind in (None, "bar", "line")
        and not CHART_WORDS.search(request)) else None
    do_chart = not (cleaning or correlating or grouping) and (kind is not None or "png" in kinds)
    do_analysis = not (cleaning or correlating or do_chart) and (
        summary or cap.wants_analysis(request) or cap.refers_to_data(request) or not exports)
    if exports and not cleaning:
        do_analysis = do_analysis and (summary or cap.wants_analysis(request))
    if not (cleaning or correlating or do_chart or do_analysis or exports):
        return limit_program(None)
    answer = None if (cleaning or correlating or do_chart or exports) else (
        which_question_code(request, ds) or aggregate_question_code(request, ds))
    lacking = unknown_measure(request, ds) if answer else []
    if lacking:
        return missing_column_program(ds, lacking)
    if answer:
        return _join(f"# Answer the question from {ds.filename}.", PREAMBLE, _loader(ds, derived), answer)
    if do_analysis and not (summary or exports or cap.wants_analysis(request) or cap.refers_to_data(request)
                            or kind is not None or mentioned_columns(request, ds.columns)):
        return limit_program(None)  # nothing in the request maps to what the data tools do

    if do_chart or correlating:
        unknown = unknown_column_words(request, ds)
        if unknown and not (len(mentioned_columns(request, ds.columns)) >= (2 if kind == "scatter" else 1)
                            and kind not in (None, "chart")):
            return missing_column_program(ds, unknown)

    steps = [name for name, on in (("clean", cleaning), ("correlate with the target", correlating),
                                   ("summarise" if summary else "analyse", do_analysis), ("chart", do_chart),
                                   (f"export {', '.join(exports)}", exports)) if on]
    parts = [f"# Plan: {', then '.join(steps)} {ds.filename}.", PREAMBLE, _loader(ds, derived), "table = df"]
    charts_asked = (kind is not None or "png" in kinds or correlating) and not grouping
    if exports and not charts_asked and any(k in ("docx", "pdf") for k in exports):
        parts.append(EMBEDDED_CHARTS)  # the analysis charts go into the report, not beside it
    elif exports and not charts_asked:
        parts.append("CHART_DIR = None  # no charts for a table-only export")
    title, name = f"{ds.label} data", slug(ds.stem, "data")
    if cleaning:
        parts.append(clean_code(ds.filename))
        outputs = exports or ["csv"]
        title = f"{ds.label} data, cleaned"
        return _join(*parts, *_exports(outputs, name + "_cleaned", title, f"Cleaned from {ds.filename}",
                                       "Cleaned data", max_rows=40))
    if correlating:
        parts.append(correlation_code(request, ds, BLUE))
        title = f"{ds.label}: correlation of each column with the target"
    if grouping:
        documents = any(k in ("docx", "pdf") for k in exports)
        parts.append(grouped_table_code(grouping, BLUE if documents else None))
        title = f"{ds.label}: {grouping.title}"
        name = f"{name}_{grouping.stem}"
    if do_analysis:
        parts.append(analysis_code(ds))
        parts.append("table = stats_table")
        title = title if grouping else f"{ds.label} data: summary statistics and key findings"
    if do_chart:
        parts.append(chart_code(request, ds))
        title = f"{ds.label}: chart and the data behind it"
    if exports and grouping:
        book = [(sheet_title(grouping.sheet), "grouped_table")]
        if do_analysis:  # the general summary follows the groups' totals
            parts.append(block('''
                findings_table = pd.DataFrame({"finding": [str(f) for f in findings]})
                table = grouped_table
            '''))
            book += [("Summary statistics", "stats_table"), ("Key findings", "findings_table"), ("Data", "df")]
        parts.append("sheets = [" + ", ".join(f"({sheet!r}, {frame})" for sheet, frame in book) + "]")
        parts += _exports(exports, name, title, f"Source: {ds.filename}", grouping.heading)
    elif exports:
        if summary or do_analysis:
            parts.append(block('''
                findings_table = pd.DataFrame({"finding": [str(f) for f in findings]})
                sheets = [("Summary statistics", table), ("Key findings", findings_table), ("Data", df)]
            '''))
        elif not (do_chart or correlating):
            parts.append(block(f'''
                note({ds.filename!r} + " has {{}} rows and {{}} columns".format(df.shape[0], df.shape[1]))
                table = df
            '''))
            ranked = ranked_rows(request, ds)
            if ranked:
                parts.append(ranked[0])
                name = f"{name}_{ranked[1]}"
        suffix = "summary" if (summary or do_analysis) else ("chart_data" if (do_chart or correlating) else "data")
        heading = "Summary statistics" if (summary or do_analysis) else (
            "Data behind the chart" if (do_chart or correlating) else "Data")
        parts += _exports(exports, f"{name}_{suffix}", title, f"Source: {ds.filename}", heading)
    return _join(*parts)


RANKING = re.compile(r"\b(top|first|bottom|lowest|smallest|largest|biggest|highest)\s+(\d+|[a-z]+)\b", re.I)


def ranked_rows(request: str, ds: Dataset) -> tuple[str, str] | None:
    """'CSV of the top 10 products by revenue' exports those 10 rows, sorted, not the whole
    file: (code narrowing `table`, file-name part) when the request ranks rows, else None.
    'top'/'largest' sort by the first numeric column named (none named: no ranking);
    'first' keeps the file's order."""
    match = RANKING.search(request)
    if not match:
        return sorted_rows(request, ds)
    word, count = match.group(1).lower(), match.group(2).lower()
    n = int(count) if count.isdigit() else WORD_NUMBERS.get(count, 0)
    if n <= 0:
        return None
    if word == "first":
        return f"table = df.head({n})", f"first_{n}"
    by = [c for c in mentioned_columns(request, ds.columns) if c in ds.numeric]
    if not by:
        return None
    ascending = word in ("bottom", "lowest", "smallest")
    method = "nsmallest" if ascending else "nlargest"
    code = block(f'''
        table = df.{method}({n}, {by[0]!r})
        note("{'bottom' if ascending else 'top'} {n} rows by {by[0]}, {'smallest' if ascending else 'largest'} first")
    ''')
    return code, f"{'bottom' if ascending else 'top'}_{n}_by_{slug(by[0], 'value')}"


SORTING = re.compile(r"\b(?:sort|sorted|order|ordered|rank|ranked)\s+(?:it\s+|them\s+|the\s+rows\s+|rows\s+)?"
                     r"(?:by|on)\s+(?:the\s+)?([\w -]+)", re.I)
DESCENDING = re.compile(r"\b(desc|descending|largest first|highest first|biggest first|most first|"
                        r"high(?:est)? to low(?:est)?|large(?:st)? to small(?:est)?|reverse)\b", re.I)


def sorted_rows(request: str, ds: Dataset) -> tuple[str, str] | None:
    """'the data sorted by units descending as CSV': all rows in that order (pandas' default,
    ascending, unless the request says otherwise)."""
    match = SORTING.search(request)
    by = mentioned_columns(match.group(1), ds.columns) if match else []
    if not by:
        return None
    descending = bool(DESCENDING.search(request[match.start():]))
    if by[0] in ds.numeric:
        order = "largest first" if descending else "smallest first"
    else:
        order = "Z to A" if descending else "A to Z"
    code = block(f'''
        table = df.sort_values({by[0]!r}, ascending={not descending}, kind="stable")
        note("All {{}} rows sorted by {by[0]}, {order}".format(len(table)))
    ''')
    return code, f"sorted_by_{slug(by[0], 'value')}"


def _exports(kinds: list[str], stem: str, title: str, intro: str, heading: str, max_rows: int = 30) -> list[str]:
    parts = []
    if any(k in ("docx", "pdf") for k in kinds):
        parts.append(CELL_TEXT)
    for kind in kinds:
        parts.append(export_code(kind, f"{stem}.{kind}", title, intro, heading, max_rows=max_rows))
    return parts


def missing_column_program(ds: Dataset, unknown: list[str]) -> str:
    names = ", ".join(repr(w) for w in unknown)
    columns = ", ".join(ds.columns)
    text = (f"{cap.MISSING_COLUMN_MARKER} {ds.filename} has no column {names}. Its columns are: {columns}. "
            "Name one of these and ask again.")
    return _join(f"# The request names a column {ds.filename} does not have: say so instead of guessing.",
                 f"print({text!r})")


def pasted_program(request: str, code: str, files: list[dict[str, Any]], profile: dict[str, Any],
                   material_id: str | None) -> str:
    """Run the pasted code (with `df` loaded when it uses one), or explain it when that is what was asked."""
    if cap.wants_explanation_only(request, code):
        lines = cap.describe_code(code)
        return _join("# Explain the pasted code (read from its syntax tree; not run).",
                     "\n".join(f"print({('- ' + line)!r})" for line in ["What this code does:", *lines]))
    parts = ["# Run the code from the message as written."]
    uses_df = re.search(r"\bdf\b", code) and not re.search(r"^\s*df\s*=", code, re.M)
    if uses_df:
        ds, _ = pick_dataset(request, files, profile, material_id)
        if ds is not None:
            parts.append(f"# `df` is {ds.filename}.\n" + READ_DATA.strip("\n") + f"\n\n\ndf = read_table({ds.path_var})")
    parts.append(code)
    return _join(*parts)


def edit_program(request: str, edit_action: dict[str, Any], files: list[dict[str, Any]], profile: dict[str, Any],
                 material_id: str | None) -> str:
    target = edit_action.get("target") or {}
    filename = str(target.get("filename") or "")
    instruction = str(edit_action.get("instruction") or request)
    if filename.lower().endswith(".docx") and CHART_WORDS.search(instruction):
        # The document's own name says which data it was made from ("wine_summary.docx").
        hint = re.sub(r"[_\-.]+", " ", filename.rsplit(".", 1)[0])
        ds, candidates = pick_dataset(instruction, files, profile, material_id)
        if ds is None:
            ds, candidates = pick_dataset(f"{instruction} ({hint})", files, profile, material_id)
        if ds is None:
            names = ", ".join(candidates) or "no dataset"
            question = (f"{cap.ASK_DATASET_MARKER} which data should the chart for {filename} be drawn from? "
                        f"This notebook has {names}. Name the file and ask again.")
            return _join("# A chart needs data, and the request does not say which.", f"print({question!r})")
        if ds is not None:
            derived = derive_columns(instruction, ds)
            unknown = unknown_column_words(instruction, ds)
            if unknown and not mentioned_columns(instruction, ds.columns):
                return missing_column_program(ds, unknown)
            chart_request = re.sub(r"\b(?:to|into|in)\s+(?:the\s+)?(?:word\s+)?(?:document|doc|docx|report|file)\b.*$",
                                   "", instruction, flags=re.I)
            return _join("# Draw the chart from the data, then insert it into the Word document.",
                         WARNINGS_OFF, PREAMBLE, EMBEDDED_CHARTS, _loader(ds, derived), chart_code(chart_request, ds),
                         docx_chart_code(edit_action))
    return _join("# Edit a file generated earlier and save it in place.", WARNINGS_OFF, edit_code(edit_action, request))


def population_code(request: str, kinds: list[str]) -> str:
    n = top_n(request, default=10, limit=len(POPULATION_2023))
    rows = ",\n".join(f"    ({i}, {name!r}, {pop})" for i, (name, pop) in enumerate(POPULATION_2023[:n], start=1))
    parts = [
        f"# Plan: build the top {n} countries by population from a sourced reference table.",
        PREAMBLE,
        f"# Source: {POPULATION_SOURCE}.",
        f"rows = [\n{rows},\n]",
        block(f'''
            table = pd.DataFrame(rows, columns=["rank", "country", "population"])
            note("Top {{}} countries by population in {POPULATION_YEAR} ({POPULATION_SOURCE}):".format(len(table)))
            for rank, country, population in rows:
                note("{{}}. {{}}: {{}}".format(rank, country, fmt(population)))
            note("Together: {{}} people".format(fmt(table["population"].sum())))
        '''),
    ]
    kind = chart_kind(request)
    if kind is not None or "png" in kinds:
        parts.append(block(f'''
            fig, ax = plt.subplots(figsize=(10, 6))
            ax.bar(table["country"], table["population"] / 1e6, color="#4C72B0")
            ax.set_title("Top {n} countries by population, {POPULATION_YEAR}")
            ax.set_ylabel("Population (millions)")
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
            save_chart(fig, "top_{n}_countries_population.png")
        '''))
    exports = [k for k in kinds if k in EXPORT_KINDS] or ([] if kind is not None else ["csv"])
    parts += _exports(exports, f"top_{n}_countries_by_population",
                      f"Top {n} countries by population ({POPULATION_YEAR})", f"Source: {POPULATION_SOURCE}.",
                      "Population table", max_rows=n)
    return _join(*parts)


def no_dataset_code(request: str, kinds: list[str], workspace_files: list[dict[str, Any]]) -> str:
    docs = [f for f in workspace_files if f.get("text_path") or f.get("type") == "document"]
    documents = [k for k in kinds if k in ("docx", "pdf")]
    if documents and docs:
        doc = docs[0]
        var = f"{doc.get('var_name') or 'document'}_text_path"
        source = str(doc.get("filename") or "document")
        title = f"{re.sub(r'[._-]+', ' ', source.rsplit('.', 1)[0]).strip().capitalize()}: full text"
        return _join(
            f"# Plan: turn the text of {source} into {' and '.join('.' + k for k in documents)}.",
            PREAMBLE,
            block(f'''
                with open({var}, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
                paragraphs = [" ".join(p.split()) for p in text.split("\\n\\n") if p.strip()]
                note("{{}} has {{}} paragraphs and {{}} words".format({source!r}, len(paragraphs), len(text.split())))
                table = pd.DataFrame({{"paragraph": list(range(1, len(paragraphs) + 1)), "text": paragraphs}})
            '''),
            *_exports(documents, slug(source.rsplit(".", 1)[0], "document") + "_text", title,
                      f"Source: {source}", "Text", max_rows=60),
        )
    data_words = re.search(r"\b(chart|plot|graph|histogram|analy|dataset|column|correlat|statistic|clean|csv|excel)",
                           request.lower())
    if not data_words and (documents or kinds):
        return limit_program("writing a document's content from nothing (upload notes or data to build it from)")
    if not data_words:
        return limit_program(None)
    return _join(
        "# No dataset is available for this request.",
        block(f'''
            print({cap.ASK_DATASET_MARKER + " there is no dataset in this notebook to work with. Upload a CSV or "
                   "Excel file and ask again, for example 'analyse sales.csv' or 'bar chart of sales by region'."!r})
        '''),
    )
