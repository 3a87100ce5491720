"""Direct questions about a dataset, answered with a number instead of a
generic analysis: "Which region sold the most units in 2024-02?",
"What region has the highest average price?".

The group is a text (or date) column named right after which/what; the
measure is a numeric column the request names (none: rows are counted);
values of other columns found in the request ("2024-02", "North") filter the
rows first, matched at run time against the data itself.
"""

from __future__ import annotations

import re

from app.services.llm.offline.codegen.dataset import Dataset, mentioned_columns
from app.services.llm.offline.codegen.grouping import ADDITIVE_WORDS
from app.services.llm.offline.codegen.request import STOPWORDS, content_words, tokens
from app.services.llm.offline.codegen.snippets import block

QUESTION = re.compile(
    r"^\s*(?:which|what)\s+([\w -]+?)\s+(?:\w+\s+){0,4}?(?:the\s+)?"
    r"(most|highest|largest|biggest|greatest|top|best|least|lowest|smallest|fewest|worst)\b", re.I)
LOW_WORDS = {"least", "lowest", "smallest", "fewest", "worst"}


COUNT_WORDS = {"row", "record", "entry", "entrie", "line", "item", "observation", "sample", "case"}


def unknown_measure(request: str, ds: Dataset) -> list[str]:
    """Words in the measure's place of a which-question that name no column of `ds`
    ("which region has the highest alcohol?" on sales data): say so, do not count rows."""
    match = QUESTION.search(request)
    if not match or not ds.known:
        return []
    known = {t for c in ds.columns for t in tokens(c)}
    tail = content_words(request[match.end(2):])
    return [w for w in tail if w not in known and w not in COUNT_WORDS and w not in STOPWORDS
            and not any(w in str(v).lower() for v in ds.columns) and not re.search(r"\d", w)][:1]


def filter_rows(request: str, keep: str) -> str:
    """Code leaving `rows` (df narrowed by the values of other columns the question names,
    "in 2024-02", "did North sell") and `where` (those conditions, for the answer)."""
    return block(f'''
        import re

        request_text = {request.lower()!r}
        mask = pd.Series(True, index=df.index)
        where = []
        for col in df.columns:
            if col in ({keep},):
                continue
            values = [str(v) for v in df[col].dropna().unique()]
            hits = [v for v in values if len(v) >= 2 and re.search(
                r"(?<![\\w-])" + re.escape(v.lower()) + r"(?![\\w-])", request_text)]
            if hits and len(hits) < len(values):
                mask &= df[col].astype(str).isin(hits)
                where.append("{{}} = {{}}".format(col, ", ".join(hits)))
        rows = df[mask]
        scope = " where " + "; ".join(where) if where else ""
    ''').replace("\n", "\n        ")


AGGREGATE = re.compile(r"^\s*(?:how\s+many|how\s+much|what(?:'s|\s+is|\s+was|\s+are)?\s+the\s+"
                       r"(?:total|sum|average|mean|overall)|(?:the\s+)?(?:total|sum|average|mean)\s+(?:of\s+)?)\b",
                       re.I)


def aggregate_question_code(request: str, ds: Dataset) -> str | None:
    """'How many units did North sell in total?', 'What is the total revenue?', 'average price in
    2024-01': one number, over the rows the question narrows to."""
    if not ds.known or not AGGREGATE.search(request) or QUESTION.search(request):
        return None
    measures = [c for c in mentioned_columns(request, ds.columns) if c in ds.numeric and c not in ds.dates]
    words = set(tokens(request))
    if not measures:
        if not re.match(r"^\s*how\s+many\b", request, re.I):
            return None
        how, what = "count", "rows"
    else:
        how = "mean" if words & {"average", "mean", "avg"} else "sum"
        what = ("average " if how == "mean" else "total ") + measures[0]
    measure = measures[0] if measures else None
    value = "len(rows)" if measure is None else f"pd.to_numeric(rows[measure_col], errors='coerce').{how}()"
    return block(f'''
        measure_col = {measure!r}
        {filter_rows(request, "measure_col")}
        if rows.empty:
            note("No rows{{}}".format(scope))
        else:
            note("Answer: {what}{{}}: {{}} ({{}} of {{}} rows)".format(scope, fmt({value}), len(rows), len(df)))
        table = rows
    ''')


def which_question_code(request: str, ds: Dataset) -> str | None:
    """The program answering a which-has-the-most question, or None when the request is not one."""
    match = QUESTION.search(request)
    if not match or not ds.known:
        return None
    groups = [c for c in mentioned_columns(match.group(1), ds.columns) if c not in ds.numeric or c in ds.dates]
    if not groups:
        return None
    group = groups[0]
    measures = [c for c in mentioned_columns(request[match.end(1):], ds.columns)
                if c in ds.numeric and c not in ds.dates and c != group]
    measure = measures[0] if measures else None
    low = match.group(2).lower() in LOW_WORDS
    words = set(tokens(request))
    if measure is None:
        how, label = "size", "Rows"
    elif words & {"average", "mean", "avg"}:
        how, label = "mean", "Average"
    elif words & {"total", "sum", "overall"} or set(tokens(measure)) & ADDITIVE_WORDS or words & {"sold", "sell"}:
        how, label = "sum", "Total"
    else:
        how, label = "mean", "Average"
    aggregate = ".size()" if how == "size" else f"[{measure!r}].{how}()"
    what = "rows" if measure is None else f"{label.lower()} {measure}"
    heading = "Rows" if measure is None else f"{label} {measure}"
    return block(f'''
        group_col, measure_col = {group!r}, {measure!r}
        {filter_rows(request, "group_col, measure_col")}
        grouped = rows.groupby(group_col){aggregate}.sort_values(ascending={low})
        scope = " where " + "; ".join(where) if where else ""
        if grouped.empty:
            note("No rows{{}} to compare".format(scope))
        else:
            leaders = [str(k) for k, v in grouped.items() if v == grouped.iloc[0]]
            if len(leaders) > 1:  # a tie is the answer, not whichever came first
                note("Answer: a tie between {{}} ({what} {{}} each{{}})".format(
                    ", ".join(leaders[:-1]) + " and " + leaders[-1], fmt(grouped.iloc[0]), scope))
            else:
                note("Answer: {{}} ({what} {{}}{{}})".format(grouped.index[0], fmt(grouped.iloc[0]), scope))
            note("{heading} by {{}}{{}}: ".format(group_col, scope) + ", ".join(
                "{{}} {{}}".format(k, fmt(v)) for k, v in grouped.head(8).items()))
        table = grouped.reset_index()
        table.columns = [str(group_col), "{how}_" + str(measure_col or "rows")]
    ''')
