"""Code fragments shared by the generated programs.

Every fragment runs on the browser runtime (Python 3.8, pandas 1.0.5,
matplotlib 3.3) and on the server's Python 3.11 with current pandas; keep them
to APIs both have.
"""

from __future__ import annotations

import textwrap

PREAMBLE = '''\
import warnings
warnings.filterwarnings("ignore")

findings = []
chart_files = []


def note(text):
    """Print a finding and keep it for reports."""
    print(text)
    findings.append(text)


def fmt(value):
    """A number as readable text: 1,234 or 1,234.57."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if value != value:
        return "n/a"
    if abs(value) < 1e15 and value == int(value):
        return "{:,.0f}".format(value)
    return "{:,.2f}".format(value)


def save_chart(fig, name):
    """Save a matplotlib figure under OUTPUT_DIR and announce it."""
    path = f"{OUTPUT_DIR}/{name}"
    fig.tight_layout()
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    chart_files.append(path)
    print(f"FILE_SAVED:{path}")
'''

COLUMN_LISTS = '''\
numeric_cols = list(df.select_dtypes(include="number").columns)
other_cols = [c for c in df.columns if c not in numeric_cols]
'''

# Only emitted when the server had no profile of the dataset: columns are then
# matched at run time against the request's words.
RUNTIME_MATCHERS = '''\


def find_column(words, pool):
    """The column of `pool` named by one of `words` (case/space/plural-insensitive), else the first."""
    def key(name):
        text = "".join(ch for ch in str(name).lower() if ch.isalnum())
        return text[:-1] if len(text) > 3 and text.endswith("s") else text
    for word in words:
        for col in pool:
            if key(col) == key(word):
                return col
    return pool[0] if pool else None


def find_date_column(frame):
    """The first column whose name looks like a date or time."""
    for col in frame.columns:
        name = str(col).lower()
        if any(w in name for w in ("date", "time", "month", "year", "day", "week", "period")):
            return col
    return None
'''

# pandas 1.0.5 reads .xlsx through xlrd, which the browser runtime only loads
# when the code imports it; openpyxl is always there, so read with it directly.
READ_XLSX = '''
def read_xlsx(path):
    """The first sheet of an .xlsx file as a DataFrame (header in row 1)."""
    from openpyxl import load_workbook
    sheet = load_workbook(path, data_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    if not rows:
        return pd.DataFrame()
    header = [str(c) if c is not None else "column_{}".format(i + 1) for i, c in enumerate(rows[0])]
    body = [r for r in rows[1:] if any(v is not None for v in r)]
    return pd.DataFrame(body, columns=header)
'''

CELL_TEXT = '''\


def cell_text(value):
    """A table cell as text (numbers formatted, missing values empty)."""
    try:
        if pd.isnull(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, (float, np.floating)):
        return fmt(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)
'''


def block(code: str) -> str:
    """Dedent a fragment and make sure it ends with one newline."""
    return textwrap.dedent(code).strip("\n") + "\n"


def indent(code: str, prefix: str = "    ") -> str:
    return textwrap.indent(code, prefix)


def guarded(condition: str, body: str, message: str) -> str:
    """`if condition: body else: print(message)` — a clear message instead of an exception."""
    return f"if {condition}:\n{indent(block(body))}else:\n    print({message!r})\n"
