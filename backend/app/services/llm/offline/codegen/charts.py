"""Chart and analysis code for a loaded DataFrame `df`.

Columns are chosen when the code is written if the server profiled the dataset
(literal names in the code), else at run time with `find_column`.
Every fragment leaves `table` (the data behind the chart, for exports).
"""

from __future__ import annotations

from app.services.llm.offline.codegen.dataset import Dataset, mentioned_columns
from app.services.llm.offline.codegen.grouping import LABELS, by_column, measure_aggregation
from app.services.llm.offline.codegen.request import (
    aggregation,
    chart_kind,
    content_words,
    slug,
    tokens,
    top_n,
)
from app.services.llm.offline.codegen.snippets import block, guarded

BLUE = "#4C72B0"
# Generated once per line chart: a point's x value as the notes quote it.
DATE_LABEL = "label = lambda v: v.strftime(\"%Y-%m-%d\") if hasattr(v, \"strftime\") else str(v)"


class ColumnPicker:
    """Python expressions naming the columns a chart uses."""

    def __init__(self, ds: Dataset, request: str):
        self.ds = ds
        self.request = request
        self.words = content_words(request)
        self.mentioned = mentioned_columns(request, ds.columns) if ds.known else []

    @property
    def known(self) -> bool:
        return self.ds.known

    def _by_column(self) -> str | None:
        """The column right after 'by'/'per'/'for each' in the request."""
        return by_column(self.request, self.ds.columns)

    def numerics(self, exclude: tuple[str, ...] = ()) -> list[str]:
        named = [c for c in self.mentioned if c in self.ds.numeric and c not in exclude]
        return named

    def numeric(self, exclude: tuple[str, ...] = ()) -> str | None:
        if not self.known:
            pool = "numeric_cols" if not exclude else f"[c for c in numeric_cols if c not in {list(exclude)!r}]"
            return f"find_column({self.words!r}, {pool})"
        named = self.numerics(exclude)
        if named:
            return repr(named[0])
        plain = [c for c in self.ds.numeric if c not in exclude and c not in self.ds.dates
                 and "id" not in tokens(c)]
        rest = plain or [c for c in self.ds.numeric if c not in exclude]
        return repr(rest[0]) if rest else None

    def category(self) -> str | None:
        if not self.known:
            return f"find_column({self.words!r}, other_cols)"
        by = self._by_column()
        if by is not None and by not in self.ds.numeric:
            return repr(by)
        named = [c for c in self.mentioned if c in self.ds.categorical]
        if named:
            return repr(named[0])
        return repr(self.ds.categorical[0]) if self.ds.categorical else None

    def date(self) -> str | None:
        if not self.known:
            return "find_date_column(df)"
        named = [c for c in self.mentioned if c in self.ds.dates]
        if named:
            return repr(named[0])
        return repr(self.ds.dates[0]) if self.ds.dates else "None"


def file_stem(*parts: str | None) -> str:
    names = [p.strip("'\"") for p in parts if p and p.startswith(("'", '"'))]
    return slug("_".join(names), "chart")


def resolve_kind(kind: str | None, picker: ColumnPicker) -> str:
    """Turn an unspecified 'chart' into a concrete kind from the columns named."""
    if kind not in (None, "chart"):
        return kind
    if not picker.known:
        return "histogram"
    ds, named = picker.ds, picker.mentioned
    num = [c for c in named if c in ds.numeric and c not in ds.dates]
    cat = [c for c in named if c in ds.categorical]
    dates = [c for c in named if c in ds.dates]
    if dates and (num or ds.numeric):
        return "line"
    if cat and (num or not ds.numeric):
        return "bar"
    if len(num) >= 2:
        return "scatter"
    if num:
        return "histogram"
    if ds.categorical:
        return "bar"
    return "histogram"


def chart_code(request: str, ds: Dataset) -> str:
    picker = ColumnPicker(ds, request)
    kind = resolve_kind(chart_kind(request), picker)
    writer = {
        "histogram": histogram, "bar": bar, "line": line, "scatter": scatter,
        "heatmap": heatmap, "pie": pie, "box": box,
    }[kind]
    return writer(picker)


def histogram(p: ColumnPicker) -> str:
    col = p.numeric()
    if col is None:
        return f"print({'No numeric column in ' + p.ds.filename + ' to draw a histogram of.'!r})\n"
    name = f"histogram_{file_stem(col)}.png" if p.known else "histogram.png"
    body = f'''
        values = pd.to_numeric(df[col], errors="coerce").dropna()
        fig, ax = plt.subplots(figsize=(9, 5))
        ax.hist(values, bins=min(30, max(5, int(len(values) ** 0.5))), color="{BLUE}", edgecolor="white")
        ax.set_title("Distribution of " + str(col))
        ax.set_xlabel(str(col))
        ax.set_ylabel("Count")
        save_chart(fig, "{name}")
        note("{{}}: mean {{}}, median {{}}, std {{}}, min {{}}, max {{}} ({{}} values)".format(
            col, fmt(values.mean()), fmt(values.median()), fmt(values.std()),
            fmt(values.min()), fmt(values.max()), len(values)))
        table = values.describe().round(3).reset_index()
        table.columns = ["statistic", str(col)]
    '''
    return f"col = {col}\n" + guarded("col is not None", body, "No numeric column to draw a histogram of.")


def bar(p: ColumnPicker) -> str:
    x = p.category()
    agg = aggregation(p.request)
    y = None if agg == "count" else (p.numeric() if (p.numerics() or not p.known) else None)
    n = top_n(p.request, default=20)
    if x is None:
        return f"print({'No text/category column in ' + p.ds.filename + ' to group a bar chart by.'!r})\n"
    if y is None:
        name = f"{file_stem(x)}_counts.png" if p.known else "category_counts.png"
        body = f'''
            grouped = df[x_col].astype(str).value_counts()
            data = grouped.head({n})
            fig, ax = plt.subplots(figsize=(10, 6))
            ax.bar([str(v) for v in data.index], data.values, color="{BLUE}")
            ax.set_title("Rows per " + str(x_col))
            ax.set_xlabel(str(x_col))
            ax.set_ylabel("Count")
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
            save_chart(fig, "{name}")
            table = pd.DataFrame({{str(x_col): list(grouped.index), "count": list(grouped.values)}})
            note("{{}} has {{}} distinct values; most common: {{}}".format(
                x_col, len(grouped), ", ".join("{{}} ({{}})".format(k, v) for k, v in data.head(5).items())))
        '''
        return f"x_col = {x}\n" + guarded("x_col is not None", body, "No category column to count.")
    agg = measure_aggregation(p.request, y)  # "alcohol by cultivar": the average; totals only of amounts
    label = LABELS[agg].capitalize()
    name = f"{file_stem(y)}_by_{file_stem(x)}.png" if p.known else "bar_chart.png"
    body = f'''
        grouped = df.groupby(x_col)[y_col].{agg}().sort_values(ascending=False)
        data = grouped.head({n})
        fig, ax = plt.subplots(figsize=(10, 6))
        ax.bar([str(v) for v in data.index], data.values, color="{BLUE}")
        ax.set_title("{label} " + str(y_col) + " by " + str(x_col))
        ax.set_xlabel(str(x_col))
        ax.set_ylabel("{label} " + str(y_col))
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
        save_chart(fig, "{name}")
        table = pd.DataFrame({{str(x_col): list(grouped.index), "{agg}_" + str(y_col): list(grouped.values)}})
        note("{label} {{}} by {{}}: ".format(y_col, x_col) + ", ".join(
            "{{}} {{}}".format(k, fmt(v)) for k, v in data.head(8).items()))
        note("Highest: {{}} ({{}}); lowest: {{}} ({{}})".format(
            grouped.index[0], fmt(grouped.iloc[0]), grouped.index[-1], fmt(grouped.iloc[-1])))
    '''
    return f"x_col, y_col = {x}, {y}\n" + guarded(
        "x_col is not None and y_col is not None", body, "The columns for this bar chart were not found.")


def line(p: ColumnPicker) -> str:
    x = p.date()
    group = p._by_column() if p.known else None
    if group is not None and group in p.ds.categorical and x != "None":
        grouped = line_per_group(p, x, group)
        if grouped:
            return grouped
    if p.known:
        ys = [c for c in p.numerics() if repr(c) != x][:3]
        if not ys:
            first = p.numeric(exclude=(x.strip("'\""),) if x != "None" else ())
            ys = [first.strip("'\"")] if first else []
        if not ys:
            return f"print({'No numeric column in ' + p.ds.filename + ' to draw a line chart of.'!r})\n"
        y_expr = repr(ys)
        name = f"{slug('_'.join(ys))}_over_{file_stem(x) if x != 'None' else 'rows'}.png"
    else:
        y_expr = f"[c for c in [find_column({p.words!r}, [c for c in numeric_cols if c != x_col])] if c is not None]"
        name = "line_chart.png"
    body = f'''
        if x_col is not None:
            frame = df[[x_col] + y_cols].copy()
            if not pd.api.types.is_numeric_dtype(frame[x_col]):
                frame[x_col] = pd.to_datetime(frame[x_col], errors="coerce")
            series = frame.dropna().groupby(x_col)[y_cols].sum().sort_index()
        else:
            series = df[y_cols].reset_index(drop=True)
        fig, ax = plt.subplots(figsize=(10, 5))
        for col in y_cols:
            ax.plot(series.index, series[col].values, marker="o" if len(series) <= 40 else None,
                    linewidth=2, label=str(col))
        ax.set_title(", ".join(str(c) for c in y_cols) + " over " + str(x_col if x_col is not None else "rows"))
        ax.set_xlabel(str(x_col if x_col is not None else "row"))
        if len(y_cols) > 1:
            ax.legend()
        ax.grid(alpha=0.3)
        fig.autofmt_xdate()
        save_chart(fig, "{name}")

        {DATE_LABEL}
        for col in y_cols:
            s = series[col]
            note("{{}}: from {{}} at {{}} to {{}} at {{}}; peak {{}} at {{}} ({{}} points)".format(
                col, fmt(s.iloc[0]), label(s.index[0]), fmt(s.iloc[-1]), label(s.index[-1]),
                fmt(s.max()), label(s.idxmax()), len(s)))
        table = series.reset_index()
    '''
    return f"x_col = {x}\ny_cols = {y_expr}\n" + guarded(
        "len(y_cols) > 0", body, "No numeric column to draw a line chart of.")


def line_per_group(p: ColumnPicker, x: str, group: str) -> str | None:
    """"units over month for each region": one line per group (the 8 largest), not their sum."""
    y = p.numeric(exclude=(x.strip("'\""), group))
    if y is None:
        return None
    name = f"{file_stem(y)}_over_{file_stem(x)}_by_{file_stem(repr(group))}.png"
    body = f'''
        frame = df[[x_col, group_col, y_col]].copy()
        if not pd.api.types.is_numeric_dtype(frame[x_col]):
            frame[x_col] = pd.to_datetime(frame[x_col], errors="coerce")
        frame = frame.dropna(subset=[x_col, y_col])
        series = frame.groupby([x_col, group_col])[y_col].sum().unstack(group_col).sort_index()
        order = series.sum().sort_values(ascending=False).index[:8]
        series = series[order]
        fig, ax = plt.subplots(figsize=(10, 5))
        for g in order:
            s = series[g].dropna()
            ax.plot(s.index, s.values, marker="o" if len(s) <= 40 else None, linewidth=2, label=str(g))
        ax.set_title(str(y_col) + " over " + str(x_col) + " by " + str(group_col))
        ax.set_xlabel(str(x_col))
        ax.set_ylabel(str(y_col))
        ax.legend(title=str(group_col))
        ax.grid(alpha=0.3)
        fig.autofmt_xdate()
        save_chart(fig, "{name}")

        {DATE_LABEL}
        for g in order:
            s = series[g].dropna()
            note("{{}}: {{}} from {{}} at {{}} to {{}} at {{}}; peak {{}} at {{}}".format(
                g, y_col, fmt(s.iloc[0]), label(s.index[0]), fmt(s.iloc[-1]), label(s.index[-1]),
                fmt(s.max()), label(s.idxmax())))
        table = series.reset_index()
    '''
    return f"x_col, group_col, y_col = {x}, {group!r}, {y}\n" + guarded(
        "x_col is not None and y_col is not None", body, "The columns for this line chart were not found.")


def scatter(p: ColumnPicker) -> str:
    x = p.numeric()
    if x is None:
        return f"print({'No numeric columns in ' + p.ds.filename + ' for a scatter plot.'!r})\n"
    y = p.numeric(exclude=(x.strip("'\""),)) if p.known else (
        f"find_column({p.words!r}, [c for c in numeric_cols if c != x_col])")
    if y is None:
        return f"print({'A scatter plot needs two numeric columns; ' + p.ds.filename + ' has one.'!r})\n"
    name = f"scatter_{file_stem(x)}_vs_{file_stem(y)}.png" if p.known else "scatter.png"
    body = f'''
        pair = df[[x_col, y_col]].dropna()
        fig, ax = plt.subplots(figsize=(8, 6))
        ax.scatter(pair[x_col], pair[y_col], alpha=0.7, color="{BLUE}", edgecolors="white")
        r = pair[x_col].corr(pair[y_col])
        if len(pair) > 2 and pair[x_col].nunique() > 1:
            slope, intercept = np.polyfit(pair[x_col].astype(float), pair[y_col].astype(float), 1)
            xs = np.linspace(float(pair[x_col].min()), float(pair[x_col].max()), 50)
            ax.plot(xs, slope * xs + intercept, color="#DD8452", linewidth=2, label="trend")
            ax.legend()
        ax.set_title(str(y_col) + " vs " + str(x_col))
        ax.set_xlabel(str(x_col))
        ax.set_ylabel(str(y_col))
        ax.grid(alpha=0.3)
        save_chart(fig, "{name}")
        note("Correlation between {{}} and {{}}: r = {{:.2f}} ({{}} rows)".format(x_col, y_col, r, len(pair)))
        table = pair
    '''
    return f"x_col = {x}\ny_col = {y}\n" + guarded(
        "x_col is not None and y_col is not None", body, "A scatter plot needs two numeric columns.")


def heatmap(p: ColumnPicker) -> str:
    named = p.numerics()
    cols = repr(named) if len(named) >= 2 else "numeric_cols"  # every numeric column
    body = '''
        corr = df[cols].corr()
        n = len(cols)
        fig, ax = plt.subplots(figsize=(1.0 * n + 3, 0.8 * n + 2.5))
        im = ax.imshow(corr.values, cmap="coolwarm", vmin=-1, vmax=1)
        ax.set_xticks(range(n))
        ax.set_xticklabels([str(c) for c in cols], rotation=45, ha="right")
        ax.set_yticks(range(n))
        ax.set_yticklabels([str(c) for c in cols])
        for i in range(n):
            for j in range(n):
                ax.text(j, i, "{:.2f}".format(corr.values[i, j]), ha="center", va="center", fontsize=8)
        fig.colorbar(im, ax=ax)
        ax.set_title("Correlation heatmap")
        save_chart(fig, "correlation_heatmap.png")
        pairs = []
        for i, a in enumerate(cols):
            for b in cols[i + 1:]:
                value = corr.loc[a, b]
                if pd.notnull(value):
                    pairs.append((abs(value), str(a), str(b), value))
        pairs.sort(reverse=True)
        for _, a, b, value in pairs[:5]:
            note("Correlation {} & {}: {:.2f}".format(a, b, value))
        table = corr.round(3)
        table.insert(0, "column", [str(c) for c in corr.index])
        table = table.reset_index(drop=True)
    '''
    return f"cols = {cols}\n" + guarded("len(cols) >= 2", body,
                                        "A correlation heatmap needs at least two numeric columns.")


def pie(p: ColumnPicker) -> str:
    x = p.category()
    if x is None:
        return f"print({'No category column in ' + p.ds.filename + ' for a pie chart.'!r})\n"
    # "pie chart of units by region": each region's share of the units; no measure named: of the rows
    y = repr(p.numerics()[0]) if p.known and p.numerics() else "None"
    name = f"{file_stem(x) if p.known else 'category'}_pie.png"
    if y != "None":
        name = f"{file_stem(y)}_by_{file_stem(x)}_pie.png"
    body = f'''
        if y_col is None:
            counts = df[x_col].astype(str).value_counts()
            what, value_name = "rows", "count"
        else:
            counts = pd.to_numeric(df[y_col], errors="coerce").groupby(df[x_col].astype(str)).sum()
            counts = counts[counts > 0].sort_values(ascending=False)
            what, value_name = str(y_col), "sum_" + str(y_col)
        shares = counts.head(7)
        if len(counts) > 7:
            shares = pd.concat([shares, pd.Series([counts.iloc[7:].sum()], index=["Other"])])
        fig, ax = plt.subplots(figsize=(7, 7))
        ax.pie(shares.values, labels=[str(v) for v in shares.index], autopct="%1.1f%%", startangle=90)
        ax.set_title("Share of " + what + " by " + str(x_col))
        save_chart(fig, "{name}")
        total = float(counts.sum())
        note("Share of {{}} by {{}}: ".format(what, x_col) + ", ".join(
            "{{}} {{:.1f}}%".format(k, 100.0 * v / total) for k, v in shares.items()))
        table = pd.DataFrame({{str(x_col): list(counts.index), value_name: list(counts.values)}})
    '''
    return f"x_col, y_col = {x}, {y}\n" + guarded("x_col is not None", body, "No category column for a pie chart.")


def box(p: ColumnPicker) -> str:
    x, y = p.category(), p.numeric()
    if x is None or y is None:
        return "print('A box plot needs a numeric column and a category column.')\n"
    body = f'''
        names = [str(v) for v in df[x_col].astype(str).value_counts().head(10).index]
        groups = [df.loc[df[x_col].astype(str) == name, y_col].dropna().values for name in names]
        fig, ax = plt.subplots(figsize=(10, 6))
        ax.boxplot(groups)
        ax.set_xticks(range(1, len(names) + 1))
        ax.set_xticklabels(names, rotation=45, ha="right")
        ax.set_title(str(y_col) + " by " + str(x_col))
        ax.set_ylabel(str(y_col))
        save_chart(fig, "box_{file_stem(y) if p.known else 'plot'}.png")
        medians = df.groupby(x_col)[y_col].median().sort_values(ascending=False)
        note("Median {{}} by {{}}: ".format(y_col, x_col) + ", ".join(
            "{{}} {{}}".format(k, fmt(v)) for k, v in medians.head(8).items()))
        table = medians.reset_index()
    '''
    return f"x_col, y_col = {x}, {y}\n" + guarded(
        "x_col is not None and y_col is not None", body, "The columns for the box plot were not found.")


ANALYSIS = '''
dataset_name = {filename}
note("{{}} has {{}} rows and {{}} columns".format(dataset_name, df.shape[0], df.shape[1]))
print("Columns: " + ", ".join("{{}} ({{}})".format(c, df[c].dtype) for c in df.columns))
missing = df.isnull().sum()
missing = missing[missing > 0]
if len(missing):
    note("Missing values: " + ", ".join("{{}} {{}}".format(k, int(v)) for k, v in missing.items()))
else:
    note("No missing values")

stats_table = None
if numeric_cols:
    stats = df[numeric_cols].describe().T
    print("Numeric summary:")
    print(stats.round(3).to_string())
    spread = (stats["std"] / stats["mean"].abs().replace(0, np.nan)).fillna(0).sort_values(ascending=False)
    for col in list(spread.index)[:4]:
        note("{{}}: mean {{}}, median {{}}, min {{}}, max {{}}".format(
            col, fmt(stats.loc[col, "mean"]), fmt(stats.loc[col, "50%"]), fmt(stats.loc[col, "min"]),
            fmt(stats.loc[col, "max"])))
    stats_table = stats.round(3)
    stats_table.insert(0, "column", [str(c) for c in stats.index])
    stats_table = stats_table.reset_index(drop=True)

date_words = ("date", "time", "month", "year", "day", "week", "period")
class_words = ("target", "class", "label", "cultivar", "species", "outcome", "category", "group", "type")
# A column whose every value is distinct names rows (ids, product names): its "top" values would all count 1.
category_cols = [c for c in other_cols
                 if 1 < df[c].nunique() <= 50 and df[c].nunique() < df[c].notna().sum()
                 and not any(w in str(c).lower() for w in date_words)]
category_cols += [c for c in numeric_cols if any(w in str(c).lower() for w in class_words)
                  and 1 < df[c].nunique() <= 10]
for col in category_cols[:3]:
    counts = df[col].astype(str).value_counts()
    if counts.nunique() == 1:  # a balanced column: no value is "top"
        note("Rows per {{}}: {{}} each ({{}})".format(col, counts.iloc[0], ", ".join(counts.index[:6])))
    else:
        note("Rows per {{}}: ".format(col) + ", ".join("{{}} {{}}".format(k, v) for k, v in counts.head(6).items()))

if len(numeric_cols) >= 2:
    corr = df[numeric_cols].corr()
    pairs = []
    for i, a in enumerate(numeric_cols):
        for b in numeric_cols[i + 1:]:
            value = corr.loc[a, b]
            if pd.notnull(value):
                pairs.append((abs(value), str(a), str(b), value))
    pairs.sort(reverse=True)
    for _, a, b, value in pairs[:3]:
        note("Correlation {{}} & {{}}: r = {{:.2f}}".format(a, b, value))

if stats_table is None:
    stats_table = df.head(20)
if numeric_cols:
    shown = numeric_cols[:4]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.5 * len(shown), 4), squeeze=False)
    for ax, col in zip(axes[0], shown):
        ax.hist(df[col].dropna(), bins=20, color="{blue}", edgecolor="white")
        ax.set_title(str(col))
    fig.suptitle("Distributions in " + dataset_name)
    save_chart(fig, "{stem}_distributions.png")
if len(numeric_cols) >= 2:
    corr = df[numeric_cols].corr()
    n = len(numeric_cols)
    fig, ax = plt.subplots(figsize=(0.6 * n + 4, 0.5 * n + 3))
    im = ax.imshow(corr.values, cmap="coolwarm", vmin=-1, vmax=1)
    ax.set_xticks(range(n))
    ax.set_xticklabels([str(c) for c in corr.columns], rotation=45, ha="right")
    ax.set_yticks(range(n))
    ax.set_yticklabels([str(c) for c in corr.columns])
    fig.colorbar(im, ax=ax)
    ax.set_title("Correlations in " + dataset_name)
    save_chart(fig, "{stem}_correlations.png")
'''


def analysis_code(ds: Dataset) -> str:
    return block(ANALYSIS.format(filename=repr(ds.filename), stem=slug(ds.stem, "dataset"), blue=BLUE))
