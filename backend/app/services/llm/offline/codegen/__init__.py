"""The offline coder: writes the Python program for a code-generation request.

`generate_code(context)` takes the `code_generation` prompt context (request,
intent, file_type, workspace_files, analysis_context, generated_files,
edit_action, runtime, previous_vars) and returns code to run after the
workspace header (which imports pandas/numpy/matplotlib/os/json/csv and
defines OUTPUT_DIR and one `<var>_path` / `<var>_text_path` per file).
"""

from __future__ import annotations

import re
from typing import Any

from app.services.llm.offline.codegen.charts import analysis_code, chart_code
from app.services.llm.offline.codegen.diagrams import diagram_code
from app.services.llm.offline.codegen.edits import edit_code
from app.services.llm.offline.codegen.exports import export_code
from app.services.llm.offline.codegen.request import (
    Dataset,
    chart_kind,
    is_diagram_request,
    is_population_request,
    pick_dataset,
    requested_file_type,
    slug,
    title_from_request,
    top_n,
    wants_analysis,
)
from app.services.llm.offline.codegen.snippets import (
    CELL_TEXT,
    COLUMN_LISTS,
    PREAMBLE,
    RUNTIME_MATCHERS,
    block,
)
from app.services.llm.offline.reference_data import POPULATION_2023, POPULATION_SOURCE, POPULATION_YEAR

EXPORT_KINDS = ("csv", "xlsx", "docx", "pdf", "html")
WARNINGS_OFF = 'import warnings\nwarnings.filterwarnings("ignore")\n'

__all__ = ["generate_code"]


def generate_code(context: dict[str, Any]) -> str:
    request = str(context.get("request") or "").strip()
    edit_action = context.get("edit_action")
    if isinstance(edit_action, dict) and edit_action.get("target"):
        return _join("# Edit a file generated earlier and save it in place.", WARNINGS_OFF,
                     edit_code(edit_action, request))
    if is_diagram_request(request):
        return _join("# Draw the described steps as a diagram (networkx layout, matplotlib drawing).",
                     WARNINGS_OFF, diagram_code(request))
    file_type = requested_file_type(request, context.get("file_type"))
    if is_population_request(request):
        return population_code(request, file_type)
    profile = context.get("analysis_context") or {}
    ds = pick_dataset(request, context.get("workspace_files") or [], profile if isinstance(profile, dict) else {})
    if ds is None:
        return no_dataset_code(request, file_type, context.get("workspace_files") or [],
                               str(context.get("intent") or ""))
    return dataset_code(request, file_type, ds)


def _join(*parts: str) -> str:
    return "\n".join(block(p) for p in parts if p and p.strip())


def dataset_code(request: str, file_type: str | None, ds: Dataset) -> str:
    kind = chart_kind(request)
    export = file_type if file_type in EXPORT_KINDS else None
    do_chart = kind is not None or file_type == "png"
    do_analysis = wants_analysis(request) or not (do_chart or export)
    plan = [p for p, on in (("analyse", do_analysis), ("chart", do_chart), (f"export {export}", export)) if on]
    parts = [
        f"# Plan: {', '.join(plan)} {ds.filename}.",
        PREAMBLE,
        ds.load_code() + "\n" + COLUMN_LISTS + ("" if ds.known else RUNTIME_MATCHERS),
        "table = df",
    ]
    if do_analysis:
        parts.append(analysis_code(ds))
        if export in ("docx", "pdf", "html"):
            parts.append("table = stats_table")
    if do_chart:
        parts.append(chart_code(request, ds))
    if export:
        if not (do_analysis or do_chart):
            parts.append(block(f'''
                note({ds.filename!r} + " has {{}} rows and {{}} columns".format(df.shape[0], df.shape[1]))
                for col in numeric_cols[:4]:
                    note("{{}}: mean {{}}, min {{}}, max {{}}".format(
                        col, fmt(df[col].mean()), fmt(df[col].min()), fmt(df[col].max())))
            '''))
        if export in ("docx", "pdf"):
            parts.append(CELL_TEXT)
        stem = slug(ds.stem, "data")
        suffix = "report" if export in ("docx", "pdf", "html") else ("summary" if do_chart else "data")
        title = title_from_request(request, f"{ds.stem} report")
        parts.append(export_code(export, f"{stem}_{suffix}.{export}", title, f"Source: {ds.filename}",
                                 "Summary table" if (do_chart or do_analysis) else "Data"))
    return _join(*parts)


def population_code(request: str, file_type: str | None) -> str:
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
    if kind is not None or file_type == "png":
        parts.append(block(f'''
            fig, ax = plt.subplots(figsize=(10, 6))
            ax.bar(table["country"], table["population"] / 1e6, color="#4C72B0")
            ax.set_title("Top {n} countries by population, {POPULATION_YEAR}")
            ax.set_ylabel("Population (millions)")
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
            save_chart(fig, "top_{n}_countries_population.png")
        '''))
    export = file_type if file_type in EXPORT_KINDS else (None if kind is not None else "csv")
    if export:
        if export in ("docx", "pdf"):
            parts.append(CELL_TEXT)
        parts.append(export_code(export, f"top_{n}_countries_by_population.{export}",
                                 f"Top {n} countries by population ({POPULATION_YEAR})",
                                 f"Source: {POPULATION_SOURCE}.", "Population table", max_rows=n))
    return _join(*parts)


def no_dataset_code(request: str, file_type: str | None, workspace_files: list[dict[str, Any]],
                    intent: str) -> str:
    docs = [f for f in workspace_files if f.get("text_path") or f.get("type") == "document"]
    title = title_from_request(request, "Document")
    if file_type in ("docx", "pdf") and docs:
        doc = docs[0]
        var = f"{doc.get('var_name') or 'document'}_text_path"
        source = str(doc.get("filename") or "document")
        return _join(
            f"# Plan: turn the text of {source} into a .{file_type} file.",
            PREAMBLE,
            CELL_TEXT,
            block(f'''
                with open({var}, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
                paragraphs = [" ".join(p.split()) for p in text.split("\\n\\n") if p.strip()]
                note("{{}} has {{}} paragraphs and {{}} words".format({source!r}, len(paragraphs), len(text.split())))
                table = pd.DataFrame({{"paragraph": list(range(1, len(paragraphs) + 1)), "text": paragraphs}})
            '''),
            export_code(file_type, f"{slug(title, 'document')}.{file_type}", title, f"Source: {source}",
                        "Text", max_rows=60),
        )
    data_words = re.search(r"\b(chart|plot|graph|histogram|analy|dataset|column|correlation|statistic)",
                           request.lower())
    if file_type in ("docx", "pdf") and not data_words:
        return _join(
            f"# Plan: create a .{file_type} document with the requested title (no source material given).",
            PREAMBLE,
            CELL_TEXT,
            block(f'''
                table = pd.DataFrame({{"section": ["Request"], "text": [{request!r}]}})
                note("Created a document outline titled {title!r}.")
                note("Upload notes or data to fill it with real content.")
            '''),
            export_code(file_type, f"{slug(title, 'document')}.{file_type}", title,
                        "Prepared by KeplerLab's offline assistant.", "Outline"),
        )
    return _join(
        "# No dataset is available for this request.",
        block('''
            print("There is no dataset in this notebook to work with. "
                  "Upload a CSV or Excel file and ask again, for example "
                  "'analyse sales.csv' or 'bar chart of sales by region'.")
        '''),
    )
