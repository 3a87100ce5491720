"""The dataset a generated program works on: which file (chosen by
`agent.request_reading.choose_dataset`), how to load it, and what the
server-side profile says about its columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.services.agent.request_reading import choose_dataset
from app.services.llm.offline.codegen.request import STOPWORDS, tokens
from app.services.llm.offline.codegen.snippets import READ_DATA

DATA_EXTS = {"csv", "tsv", "xlsx", "xls", "json"}
DATE_WORDS = ("date", "time", "month", "year", "day", "week", "period", "quarter")
_DATE_VALUE = re.compile(r"^\s*(\d{4}[-/]\d{1,2}([-/]\d{1,2})?|\d{1,2}[-/]\d{1,2}[-/]\d{2,4})")

# Words that refer to columns in general, not to one column by name.
GENERIC_COLUMN_WORDS = {
    "feature", "variable", "field", "value", "numeric", "number", "numerical", "categorical", "category",
    "each", "all", "every", "other", "others", "thing", "one", "them", "it", "most", "strongest", "best",
    "highest", "lowest", "time", "dataset", "file", "sheet", "workbook", "document", "word", "excel", "result",
    "finding", "key", "main", "cleaned", "clean", "summary", "statistic", "stat", "overview", "missing",
}


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

    @property
    def label(self) -> str:
        """The dataset as a title reads it: "diabetes_2024.xlsx" -> "Diabetes 2024"."""
        words = re.sub(r"[_\-.]+", " ", self.stem).strip()
        return words[:1].upper() + words[1:] if words else "Data"

    def load_code(self) -> str:
        return READ_DATA.strip("\n") + f"\n\n\ndf = read_table({self.path_var})"


def is_numeric_dtype(dtype: str) -> bool:
    d = str(dtype).lower()
    return d.startswith(("int", "uint", "float")) and "bool" not in d


def is_data_file(f: dict[str, Any]) -> bool:
    ext = str(f.get("ext") or "").lower().lstrip(".")
    return f.get("type") == "data" or ext in DATA_EXTS


def pick_dataset(request: str, workspace_files: list[dict[str, Any]], profile: dict[str, Any],
                 material_id: str | None = None, var_name: str | None = None) -> tuple[Dataset | None, list[str]]:
    """(the dataset the request is about, other candidates when it must ask).

    The choice is request_reading's: the material chosen in the UI > the one
    named > the only one > ask. The profile is used only when it is of the
    chosen file.
    """
    data_files = [{**f, "type": "data"} for f in workspace_files or [] if is_data_file(f)]
    if not data_files:
        return None, []
    profile = profile or {}
    if material_id and profile.get("material_id") == material_id:
        # The context's file entries carry no ids; the profile is of the chosen material.
        data_files = [{**f, "id": material_id} if f.get("var_name") == profile.get("var_name") else f
                      for f in data_files]
    choice = choose_dataset(request, data_files, material_id)
    chosen = choice.file
    if chosen is None and var_name:  # the server's choice for this turn
        chosen = next((f for f in data_files if f.get("var_name") == var_name), None)
    if chosen is None:
        return None, [str(f.get("filename")) for f in (choice.candidates or data_files)]
    ds = Dataset(
        var_name=str(chosen.get("var_name") or "data"),
        filename=str(chosen.get("filename") or "data.csv"),
        ext=str(chosen.get("ext") or "csv").lower().lstrip("."),
    )
    same_file = profile and (profile.get("var_name") == ds.var_name or profile.get("filename") == ds.filename)
    if same_file and profile.get("columns"):
        apply_profile(ds, profile)
    return ds, []


def apply_profile(ds: Dataset, profile: dict[str, Any]) -> None:
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


_COLUMN_SLOT = re.compile(
    r"\b(?:of|by|per|vs\.?|versus|against|between|with|for each|across|and)\s+(?:the\s+)?([A-Za-z][\w-]*)", re.I)


def unknown_column_words(request: str, ds: Dataset) -> list[str]:
    """Words in a column's place ("histogram of salary", "by region") that name no column of
    `ds` (nor the dataset itself): the request asks for a column the data does not have."""
    if not ds.known:
        return []
    known = {t for col in ds.columns for t in tokens(col)} | {"".join(tokens(c)) for c in ds.columns}
    own = set(tokens(ds.filename)) | set(tokens(ds.stem))
    unknown = []
    for match in _COLUMN_SLOT.finditer(request):
        word = match.group(1)
        key = "".join(tokens(word))
        if (not key or key in known or key in own or key in STOPWORDS or word.lower() in STOPWORDS
                or key in GENERIC_COLUMN_WORDS
                or len(key) < 3 or key.isdigit() or "." in request[match.end(1):match.end(1) + 1]):
            continue
        if key not in unknown:
            unknown.append(word)
    return unknown


# "revenue (units x price)", "units * price", "price times quantity"
_PRODUCT = re.compile(r"\b([A-Za-z][\w]*)\s*(×|\*|\bx\b|\btimes\b|\bmultiplied by\b)\s*([A-Za-z][\w]*)", re.I)
_NAMED_PRODUCT = re.compile(r"\b([A-Za-z][\w]*)\s*(?:\(\s*|=\s*|\bas\s+|\bis\s+)$", re.I)
# A measure people ask for by name that is quantity × price when the data has both.
PRODUCT_MEASURES = {"revenue", "turnover"}
QUANTITY_WORDS = {"unit", "quantity", "qty", "sold", "volume"}
PRICE_WORDS = {"price"}


@dataclass
class DerivedColumn:
    name: str
    left: str
    right: str


def derived_columns(request: str, ds: Dataset) -> list[DerivedColumn]:
    """Per-row products the request asks for and the data lacks as a column:
    "revenue (units x price)" or "units * price" when both are numeric columns,
    or "revenue" alone when the data has a quantity and a price column."""
    if not ds.known:
        return []
    numeric = [c for c in ds.numeric if c not in ds.dates]

    def column(word: str) -> str | None:
        found = mentioned_columns(word, numeric)
        return found[0] if found else None

    out: list[DerivedColumn] = []
    for match in _PRODUCT.finditer(request):
        left, right = column(match.group(1)), column(match.group(3))
        if not left or not right:
            continue
        # named as the request names it ("revenue (units x price)"), else as written
        # ("units * price"), so the request's words still point at it
        plain = f"{left} {match.group(2).lower()} {right}"
        named = _NAMED_PRODUCT.search(request[:match.start()])
        word = named.group(1) if named else None
        name = word if word and not column(word) and word.lower() not in STOPWORDS else plain
        if name not in ds.columns and all(d.name != name for d in out):
            out.append(DerivedColumn(name, left, right))
    asked = set(tokens(request)) & PRODUCT_MEASURES
    for word in sorted(asked):
        if any(word in tokens(d.name) for d in out) or mentioned_columns(word, ds.columns):
            continue
        quantity = next((c for c in numeric if set(tokens(c)) & QUANTITY_WORDS), None)
        price = next((c for c in numeric if set(tokens(c)) & PRICE_WORDS), None)
        if quantity and price and quantity != price:
            out.append(DerivedColumn(word, quantity, price))
    return out


def derive_columns(request: str, ds: Dataset) -> str:
    """Code adding the request's per-row products to `df`; `ds` learns the new columns."""
    lines = []
    for d in derived_columns(request, ds):
        ds.columns.append(d.name)
        ds.numeric.append(d.name)
        lines.append(f"df[{d.name!r}] = pd.to_numeric(df[{d.left!r}], errors='coerce') * "
                     f"pd.to_numeric(df[{d.right!r}], errors='coerce')")
        lines.append(f"note({f'{d.name}: {d.left} × {d.right} for each row; {{}} over {{}} rows'!r}"
                     f".format(fmt(df[{d.name!r}].sum()), len(df)))")
    return "\n".join(lines)
