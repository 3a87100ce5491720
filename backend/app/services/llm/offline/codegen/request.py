"""Reading a code-generation request: what is asked for, on which dataset and
which columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.services.llm.offline.codegen.snippets import READ_XLSX

DATA_EXTS = {"csv", "tsv", "xlsx", "xls", "json"}
FILE_TYPES = ("csv", "xlsx", "docx", "pdf", "png", "html")

STOPWORDS = set(
    ["a", "an", "the", "of", "for", "by", "and", "or", "to", "in", "on", "with", "from", "into", "as", "at", "is", "are", "be", "me", "my", "our", "your", "this", "that", "these", "those", "please", "can", "could", "would", "you", "i", "we", "it", "its", "show", "make", "create", "generate", "draw", "plot", "chart", "graph", "visualize", "visualise", "give", "get", "want", "need", "display", "build", "export", "save", "file", "data", "dataset", "table", "column", "columns", "row", "rows", "using", "use", "histogram", "bar", "line", "scatter", "pie", "box", "heatmap", "heat", "map", "correlation", "correlations", "distribution", "trend", "over", "vs", "versus", "against", "between", "relationship", "compare", "comparison", "analyse", "analyze", "analysis", "profile", "summary", "summarize", "report", "excel", "xlsx", "csv", "pdf", "word", "docx", "png", "image", "spreadsheet", "document", "total", "average", "mean", "sum", "count", "top"]
)

WORD_NUMBERS = {"three": 3, "five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twelve": 12, "seven": 7}

DATE_WORDS = ("date", "time", "month", "year", "day", "week", "period", "quarter")
_DATE_VALUE = re.compile(r"^\s*(\d{4}[-/]\d{1,2}([-/]\d{1,2})?|\d{1,2}[-/]\d{1,2}[-/]\d{2,4})")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, camelCase split, trailing plural 's' dropped."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(text))
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [singular(w) for w in words]


def singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def norm(name: str) -> str:
    return "".join(tokens(name))


@dataclass
class Dataset:
    """A data file in the workspace and what the server-side profile says about it."""

    var_name: str
    filename: str
    ext: str
    columns: list[str] = field(default_factory=list)  # empty: unknown, resolve at run time
    numeric: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    rows: int | None = None

    @property
    def path_var(self) -> str:
        return f"{self.var_name}_path"

    @property
    def known(self) -> bool:
        return bool(self.columns)

    @property
    def stem(self) -> str:
        return re.sub(r"\.[^.]*$", "", self.filename) or self.var_name

    def load_code(self) -> str:
        if self.ext == "xlsx":
            return READ_XLSX.strip("\n") + f"\n\n\ndf = read_xlsx({self.path_var})"
        if self.ext == "xls":
            return f"import xlrd  # loads the reader in the browser runtime\ndf = pd.read_excel({self.path_var})"
        if self.ext == "tsv":
            return f'df = pd.read_csv({self.path_var}, sep="\\t")'
        if self.ext == "json":
            return f"df = pd.read_json({self.path_var})"
        return f"df = pd.read_csv({self.path_var})"


def is_numeric_dtype(dtype: str) -> bool:
    d = str(dtype).lower()
    return d.startswith(("int", "uint", "float")) and "bool" not in d


def pick_dataset(request: str, workspace_files: list[dict[str, Any]], profile: dict[str, Any]) -> Dataset | None:
    """The dataset the request is about: the one it names, else the profiled one, else the first."""
    data_files = [f for f in workspace_files or [] if _is_data_file(f)]
    if not data_files:
        return None
    low = request.lower()
    chosen = next((f for f in data_files if str(f.get("filename", "")).lower() in low), None)
    if chosen is None and profile:
        chosen = next((f for f in data_files if f.get("var_name") == profile.get("var_name")), None)
    chosen = chosen or data_files[0]
    ds = Dataset(
        var_name=str(chosen.get("var_name") or "data"),
        filename=str(chosen.get("filename") or "data.csv"),
        ext=str(chosen.get("ext") or "csv").lower().lstrip("."),
    )
    if profile and (profile.get("var_name") in (None, ds.var_name)) and profile.get("columns"):
        _apply_profile(ds, profile)
    return ds


def _is_data_file(f: dict[str, Any]) -> bool:
    ext = str(f.get("ext") or "").lower().lstrip(".")
    return f.get("type") == "data" or ext in DATA_EXTS


def _apply_profile(ds: Dataset, profile: dict[str, Any]) -> None:
    ds.columns = [str(c) for c in profile.get("columns") or []]
    dtypes = {str(k): str(v) for k, v in (profile.get("dtypes") or {}).items()}
    sample = profile.get("sample") or []
    shape = profile.get("shape") or []
    ds.rows = int(shape[0]) if shape else None
    for col in ds.columns:
        dtype = dtypes.get(col, "object")
        values = [row.get(col) for row in sample if isinstance(row, dict)]
        looks_date = "datetime" in dtype.lower() or any(w in tokens(col) for w in DATE_WORDS)
        if not looks_date and not is_numeric_dtype(dtype):
            looks_date = bool(values) and all(_DATE_VALUE.match(str(v)) for v in values if v is not None)
        if is_numeric_dtype(dtype):
            ds.numeric.append(col)
            if looks_date:
                ds.dates.append(col)
        elif looks_date:
            ds.dates.append(col)
        else:
            ds.categorical.append(col)


def mentioned_columns(request: str, columns: list[str]) -> list[str]:
    """Columns named in the request (case-, space-, underscore- and plural-insensitive),
    in the order they are mentioned."""
    req = tokens(request)
    found: list[tuple[int, int, str]] = []
    for col in columns:
        col_tokens = tokens(col)
        if not col_tokens:
            continue
        n = len(col_tokens)
        positions = [i for i in range(len(req) - n + 1) if req[i:i + n] == col_tokens]
        if not positions:
            joined = "".join(col_tokens)
            positions = [i for i, w in enumerate(req) if w == joined]
        if positions:
            found.append((positions[0], -n, col))
    found.sort()
    # a longer column name wins over a shorter one mentioned at the same place
    taken: set[int] = set()
    result = []
    for pos, neg_n, col in found:
        span = set(range(pos, pos - neg_n))
        if span & taken:
            continue
        taken |= span
        result.append(col)
    return result


def content_words(request: str) -> list[str]:
    """Words of the request that may name a column (for run-time matching)."""
    return [w for w in tokens(request) if w not in STOPWORDS and not w.isdigit() and len(w) > 1]


def has_any(text: str, *needles: str) -> bool:
    return any(n in text for n in needles)


def top_n(request: str, default: int = 10, limit: int = 30) -> int:
    low = request.lower()
    match = re.search(r"\b(?:top|first|largest|biggest|most populous|highest)\s+(\d+|[a-z]+)", low)
    match = match or re.search(r"\b(\d+)\s+(?:most|largest|biggest)", low)
    if match:
        word = match.group(1)
        n = int(word) if word.isdigit() else WORD_NUMBERS.get(word, default)
        return max(1, min(n, limit))
    return default


def requested_file_type(request: str, file_type: str | None) -> str | None:
    if file_type in FILE_TYPES:
        return file_type
    low = request.lower()
    checks = [
        ("xlsx", (".xlsx", "excel", "xlsx", "spreadsheet", "workbook")),
        ("docx", (".docx", "word doc", "docx", "word file", "word report", "in word", "to word", "as word")),
        ("pdf", ("pdf",)),
        ("csv", ("csv",)),
        ("html", ("html",)),
        ("png", (".png", " png", "image")),
    ]
    for kind, needles in checks:
        if has_any(low, *needles):
            return kind
    return None


def chart_kind(request: str) -> str | None:
    """histogram | bar | line | scatter | heatmap | pie | box | chart (unspecified) | None."""
    low = request.lower()
    if has_any(low, "heatmap", "heat map", "correlation matrix", "correlation chart", "correlation plot"):
        return "heatmap"
    if has_any(low, "histogram", "distribution", "hist "):
        return "histogram"
    if has_any(low, "scatter", " vs ", " vs. ", " versus ", " against ", "relationship between"):
        return "scatter"
    if has_any(low, "pie"):
        return "pie"
    if has_any(low, "box plot", "boxplot", "box-plot"):
        return "box"
    if has_any(low, "line chart", "line graph", "line plot", "trend", "over time", "time series",
               "over the years", "over date", "per month", "by month", "by year", "by date", "monthly"):
        return "line"
    if has_any(low, "bar chart", "bar graph", "bar plot", "column chart", "barchart", "bars "):
        return "bar"
    if re.search(r"\b(average|mean|avg|total|sum|count|number of|max|maximum|min|minimum)\b.+"
                 r"\b(by|per|for each|across)\b", low):
        return "bar"
    if re.search(r"\b(correlations?|correlate)\b", low):
        return "heatmap"
    if re.search(r"\b(chart|plot|graph|visuali[sz]e|visuali[sz]ation)\b", low):
        return "chart"
    return None


def aggregation(request: str) -> str:
    low = request.lower()
    if re.search(r"\b(average|mean|avg)\b", low):
        return "mean"
    if re.search(r"\b(count|number of|how many|frequency)\b", low):
        return "count"
    if re.search(r"\b(max|maximum|highest)\b", low):
        return "max"
    if re.search(r"\b(min|minimum|lowest)\b", low):
        return "min"
    return "sum"


def wants_analysis(request: str) -> bool:
    return bool(re.search(
        r"\b(analy[sz]e|analysis|profile|summar|explore|eda|describe|overview|statistic|insight|look at|tell me about)",
        request.lower()))


def is_diagram_request(request: str) -> bool:
    low = request.lower()
    if has_any(low, "flowchart", "flow chart", "flow diagram", "process diagram", "workflow", "mind map",
               "network diagram", "network graph", "->", "→", "=>", "state diagram", "pipeline diagram"):
        return True
    return "diagram" in low and chart_kind(request) in (None, "chart")


def is_population_request(request: str) -> bool:
    low = request.lower()
    return "countr" in low and has_any(low, "population", "populous", "people", "inhabitants")


def slug(text: str, fallback: str = "output") -> str:
    value = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return value[:60] or fallback


def title_from_request(request: str, fallback: str) -> str:
    text = re.sub(r"^\s*(please\s+)?(can you\s+)?(create|make|generate|build|export|write|produce|give me|draw|save)\s+"
                  r"(me\s+)?(a|an|the)?\s*", "", request.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\b(as|to|in|into)\s+(a|an)?\s*(csv|excel|xlsx|pdf|word|docx|png)( file| document)?\b.*$", "",
                  text, flags=re.IGNORECASE)
    text = re.sub(r"\s+(and|then)\s+(export|save|write|download)\b.*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^(csv|excel|xlsx|pdf|word|docx)\s+(file|document|report|spreadsheet)?\s*(of|with|for)?\s*", "",
                  text, flags=re.IGNORECASE).strip(" .?!")
    if not text or len(text) > 80:
        return fallback
    return text[0].upper() + text[1:]


def py(value: Any) -> str:
    """A Python literal for a str/number/list (repr is valid Python 3.8)."""
    return repr(value)
