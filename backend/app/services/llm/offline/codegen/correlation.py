""""Which X correlates most with Y": every numeric column's Pearson r with
the target, the strongest named with its value, a bar chart of all of them and
a scatter plot of the strongest against the target."""

from __future__ import annotations

import re

from app.services.llm.offline.codegen.dataset import Dataset, mentioned_columns
from app.services.llm.offline.codegen.snippets import block

TARGET_WORDS = ("target", "label", "class", "outcome", "y", "progression", "price", "quality")

CORRELATE = '''
def column_key(name):
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


wanted = [column_key(w) for w in {wanted!r}]
target = next((c for w in wanted for c in df.columns if column_key(c) == w), None)
if target is None:
    target = next((c for w in {target_words!r} for c in df.columns if column_key(c) == w), None)
if target is None and numeric_cols:
    target = numeric_cols[-1]
if target is None:
    print("Missing column: there is no numeric column to correlate with. Columns are: " + ", ".join(map(str, df.columns)))
else:
    y = df[target]
    if not pd.api.types.is_numeric_dtype(y):
        codes, labels = pd.factorize(y.astype(str), sort=True)
        y = pd.Series(codes, index=df.index, dtype=float)
        note("{{}} is a category; its classes ({{}}) are coded 0..{{}} for the correlation".format(
            target, ", ".join(map(str, labels)), len(labels) - 1))
    features = [c for c in numeric_cols if c != target]
    r = df[features].corrwith(y).dropna()
    ranked = r.reindex(r.abs().sort_values(ascending=False).index)
    best = ranked.index[0]
    note("{{}} correlates most with {{}}: r = {{:.2f}} (Pearson, {{}} rows)".format(best, target, ranked.iloc[0], len(df)))
    if len(ranked) > 1:
        note("Next strongest: " + ", ".join("{{}} (r = {{:.2f}})".format(c, v) for c, v in ranked.iloc[1:4].items()))
    weakest = ranked.index[-1]
    note("Weakest: {{}} (r = {{:.2f}})".format(weakest, ranked.iloc[-1]))

    fig, ax = plt.subplots(figsize=(8, 0.35 * len(ranked) + 2))
    shown = ranked.iloc[::-1]
    colors = ["#DD8452" if c == best else "{blue}" for c in shown.index]
    ax.barh([str(c) for c in shown.index], shown.values, color=colors)
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel("Pearson r with " + str(target))
    ax.set_title("Correlation of each column with " + str(target))
    for i, v in enumerate(shown.values):
        ax.text(v, i, " {{:.2f}} ".format(v), va="center", ha="left" if v >= 0 else "right", fontsize=8)
    save_chart(fig, "correlation_with_{{}}.png".format(column_key(target) or "target"))

    pair = pd.DataFrame({{"x": df[best], "y": y}}).dropna()
    fig, ax = plt.subplots(figsize=(8, 6))
    ax.scatter(pair["x"], pair["y"], alpha=0.6, color="{blue}", edgecolors="white")
    slope, intercept = np.polyfit(pair["x"].astype(float), pair["y"].astype(float), 1)
    xs = np.linspace(float(pair["x"].min()), float(pair["x"].max()), 50)
    ax.plot(xs, slope * xs + intercept, color="#DD8452", linewidth=2, label="trend")
    ax.legend()
    ax.set_xlabel(str(best))
    ax.set_ylabel(str(target))
    ax.set_title("{{}} vs {{}} (r = {{:.2f}})".format(target, best, ranked.iloc[0]))
    ax.grid(alpha=0.3)
    save_chart(fig, "{{}}_vs_{{}}.png".format(column_key(target), column_key(best)))
    table = pd.DataFrame({{"column": [str(c) for c in ranked.index], "r_with_" + str(target): ranked.round(4).values}})
'''


def target_candidates(request: str, ds: Dataset) -> list[str]:
    """The column the request correlates against: the one named after "with"/"to", else any named."""
    tail = re.search(r"\b(?:with|to|and|against|on)\s+(?:the\s+)?(.+)$", request, re.I)
    words = []
    if ds.known:
        if tail:
            words += mentioned_columns(tail.group(1), ds.columns)
        words += [c for c in mentioned_columns(request, ds.columns) if c not in words]
    if tail:
        words += [w for w in re.findall(r"[A-Za-z_]\w*", tail.group(1)) if w.lower() not in ("the", "it", "plot")][:3]
    return words


def correlation_code(request: str, ds: Dataset, blue: str) -> str:
    return block(CORRELATE.format(wanted=target_candidates(request, ds), target_words=list(TARGET_WORDS), blue=blue))
