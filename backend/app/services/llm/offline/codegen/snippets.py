"""Code fragments shared by the generated programs.

The target is the default browser runtime (Pyodide 0.27.7: Python 3.12,
pandas 2.2, numpy 2, matplotlib 3.8); the same code runs on the server's
CPython in tests. Word documents use python-docx (run where lxml exists).
"""

from __future__ import annotations

import textwrap

# Charts drawn only to go into a requested Word/PDF report are kept out of OUTPUT_DIR.
EMBEDDED_CHARTS = '''\
import tempfile

CHART_DIR = tempfile.mkdtemp(prefix="charts_")
'''

PREAMBLE = '''\
import warnings
warnings.filterwarnings("ignore")

findings = []
chart_files = []
sheets = []  # (name, DataFrame) for a multi-sheet workbook; reset: the kernel keeps globals between runs
CHART_DIR = OUTPUT_DIR


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
    """Save a matplotlib figure under CHART_DIR (OUTPUT_DIR unless the charts only go into a
    document) and announce it when it is an output of its own."""
    if CHART_DIR is None:  # a table-only export: no chart files
        plt.close(fig)
        return
    path = f"{CHART_DIR}/{name}"
    fig.tight_layout()
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    chart_files.append(path)
    if CHART_DIR == OUTPUT_DIR:
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

# Data files as people have them: UTF-8 or latin-1 text, comma/semicolon/tab
# separated; Excel through openpyxl.
READ_DATA = '''

def read_table(path):
    """A CSV/TSV/Excel/JSON file as a DataFrame (encoding and separator detected)."""
    lower = str(path).lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return pd.read_excel(path, engine="openpyxl")
    if lower.endswith(".xls"):
        return pd.read_excel(path)
    if lower.endswith(".json"):
        return pd.read_json(path)
    for encoding in ("utf-8", "latin-1"):
        try:
            return pd.read_csv(path, sep=None, engine="python", encoding=encoding)
        except UnicodeDecodeError:
            continue
    return pd.read_csv(path, sep=None, engine="python", encoding="latin-1", encoding_errors="replace")
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
