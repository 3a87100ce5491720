"""Reading "measure by group" from a request ("total revenue and units by region",
"average revenue per region", "units by month"), and the code for the table of
each group's totals that charts, exports and reports share.

The group is the column right after by/per/for each (not after "sorted by");
the measures are the numeric columns the request names; each is summed when it
is an amount (revenue, units) or the request says "total", else averaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.services.llm.offline.codegen.dataset import Dataset, mentioned_columns
from app.services.llm.offline.codegen.request import aggregation, slug, tokens
from app.services.llm.offline.codegen.snippets import block

ADDITIVE_WORDS = {"sale", "revenue", "amount", "quantity", "qty", "count", "total", "cost", "profit", "spend",
                  "spending", "income", "unit", "order", "visit", "population", "volume", "number"}
LABELS = {"sum": "total", "mean": "average", "max": "maximum", "min": "minimum"}

_BY = re.compile(r"\b(?:by|per|for each|across|grouped by)\s+([A-Za-z0-9_ ]+)", re.I)
_SORTED = re.compile(r"\b(?:sort|sorted|order|ordered|rank|ranked)\s+(?:\w+\s+){0,3}$", re.I)
_TOTAL = re.compile(r"\b(total|sum|overall)\b", re.I)


def by_column(request: str, columns: list[str]) -> str | None:
    """The column right after 'by'/'per'/'for each' in the request ("sorted by units" is an order, not a group)."""
    for match in _BY.finditer(request):
        if _SORTED.search(request[:match.start()]):
            continue
        found = mentioned_columns(match.group(1), columns)
        return found[0] if found else None
    return None


def measure_aggregation(request: str, measure: str) -> str:
    """sum | mean | max | min | count for one measure: "alcohol by cultivar" is the average,
    "revenue by region" the total (only amounts are summed unless the request says "total")."""
    how = aggregation(request)
    if how == "sum" and not _TOTAL.search(request) and not set(tokens(measure)) & ADDITIVE_WORDS:
        return "mean"
    return how


@dataclass
class Grouping:
    """Rows grouped by one column, with each measure aggregated its own way (none: rows counted)."""

    by: str
    measures: list[tuple[str, str]]  # (column, sum | mean | max | min)
    in_order: bool  # a date/period group keeps its own order instead of being ranked

    @property
    def value_columns(self) -> list[str]:
        return [f"{how}_{col}" for col, how in self.measures] or ["rows"]

    @property
    def title(self) -> str:
        """"total revenue and units by region", "total revenue and average price by region"."""
        if not self.measures:
            return f"rows by {self.by}"
        hows = {how for _, how in self.measures}
        if len(hows) == 1:
            what = f"{LABELS[hows.pop()]} {' and '.join(col for col, _ in self.measures)}"
        else:
            what = " and ".join(f"{LABELS[how]} {col}" for col, how in self.measures)
        return f"{what} by {self.by}"

    @property
    def heading(self) -> str:
        return self.title[0].upper() + self.title[1:]

    @property
    def sheet(self) -> str:
        """"Revenue and units by region": the title without the aggregations, short enough for a sheet name."""
        what = " and ".join(col for col, _ in self.measures) or "rows"
        return f"{what[0].upper()}{what[1:]} by {self.by}"

    @property
    def stem(self) -> str:
        return slug("_".join([col for col, _ in self.measures] or ["rows"]) + f"_by_{self.by}", "grouped")


def grouping_of(request: str, ds: Dataset) -> Grouping | None:
    """The request's "measure by group", or None when it names no group column or no measure
    (rows are counted only when asked: "number of orders by region")."""
    if not ds.known:
        return None
    by = by_column(request, ds.columns)
    if by is None or (by in ds.numeric and by not in ds.dates):
        return None
    how = aggregation(request)
    measures = [c for c in mentioned_columns(request, ds.columns) if c in ds.numeric and c not in ds.dates and c != by]
    if how == "count":
        measures = []
    elif not measures:
        return None
    return Grouping(by, [(c, measure_aggregation(request, c)) for c in measures], in_order=by in ds.dates)


def grouped_table_code(g: Grouping, chart_color: str | None = None) -> str:
    """Code leaving `grouped_table` (one row per group, one column per measure; ranked by the first
    measure, or in the group's own order for dates), findings quoting each group, the highest and
    lowest with their share of the total, and, given a colour, a bar chart of the first measure."""
    lines = [f"{how + '_' + col!r}: groups[{col!r}].{how}()," for col, how in g.measures]
    columns = ("\n" + " " * 12).join(lines or ["'rows': groups.size(),"])
    order = ("grouped_table = grouped_table.sort_index()" if g.in_order else
             f"grouped_table = grouped_table.sort_values({g.value_columns[0]!r}, ascending=False)")
    additive = not g.measures or g.measures[0][1] == "sum"  # a share of the total means something
    names = [f"{LABELS[how].capitalize()} {col}" for col, how in g.measures] or ["Number of rows"]
    code = block(f'''
        group_col = {g.by!r}
        groups = df.dropna(subset=[group_col]).groupby(group_col)
        grouped_table = pd.DataFrame({{
            {columns}
        }})
        {order}
        for name, col in zip({names!r}, grouped_table.columns):
            note("{{}} by {{}}: ".format(name, group_col) + ", ".join(
                "{{}} {{}}".format(k, fmt(v)) for k, v in grouped_table[col].head(12).items()))
        lead = grouped_table[grouped_table.columns[0]]
        top, bottom = lead.idxmax(), lead.idxmin()
    ''')
    code += block(f'''
        if lead.nunique() == 1:  # a tie everywhere: no highest or lowest to name
            note("Every {g.by} has the same {names[0].lower()}: {{}}".format(fmt(lead.iloc[0])))
    ''')
    if additive:
        code += block(f'''
        whole = float(lead.sum()) or 1.0
        if lead.nunique() > 1:
            note("Highest {g.by}: {{}} ({{}}, {{:.1f}}% of the total {{}}); lowest: {{}} ({{}}, {{:.1f}}%)".format(
                top, fmt(lead[top]), 100.0 * lead[top] / whole, fmt(whole), bottom, fmt(lead[bottom]),
                100.0 * lead[bottom] / whole))
    ''')
    else:
        code += block(f'''
        if lead.nunique() > 1:
            note("Highest {g.by}: {{}} ({{}}); lowest: {{}} ({{}})".format(top, fmt(lead[top]), bottom, fmt(lead[bottom])))
    ''')
    if chart_color:
        code += block(f'''
        fig, ax = plt.subplots(figsize=(10, 6))
        ax.bar([str(v) for v in lead.index], lead.values, color="{chart_color}")
        ax.set_title({g.heading!r})
        ax.set_xlabel(str(group_col))
        ax.set_ylabel({names[0]!r})
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
        save_chart(fig, {g.stem + ".png"!r})
    ''')
    return code + block('''
        grouped_table = grouped_table.reset_index()
        table = grouped_table
    ''')
