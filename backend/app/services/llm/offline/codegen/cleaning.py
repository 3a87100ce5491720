"""Cleaning a loaded DataFrame `df`: header whitespace, text placeholders
("unknown", "n/a", "-") in numeric columns, numbers stored as text, dates,
missing values and duplicate rows. Every change is reported with `note`, and
"nothing needed cleaning" is said when that is the case."""

from __future__ import annotations

from app.services.llm.offline.codegen.snippets import block

CLEAN = '''
PLACEHOLDERS = {"", "na", "n/a", "n.a.", "nan", "null", "none", "unknown", "unk", "-", "--", "?", "missing",
                "not available", "#n/a", "not known", "tbd", "."}
DATE_WORDS = ("date", "time", "day", "month", "joined", "created", "updated", "birth", "dob")
changes = []
before_rows, before_cols = df.shape

renamed = {c: " ".join(str(c).split()) for c in df.columns if " ".join(str(c).split()) != str(c)}
if renamed:
    df = df.rename(columns=renamed)
    changes.append("Trimmed spaces in {} column name(s)".format(len(renamed)))


def parse_dates(values):
    try:
        return pd.to_datetime(values, errors="coerce", format="mixed")
    except (TypeError, ValueError):
        return pd.to_datetime(values, errors="coerce")


for col in list(df.columns):
    kind = df[col].dtype
    if pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind):
        continue
    text = df[col].astype(object).map(lambda v: " ".join(v.split()) if isinstance(v, str) else v)
    trimmed = int((text.astype(object) != df[col].astype(object)).sum() - df[col].isnull().sum())
    placeholder = text.map(lambda v: isinstance(v, str) and v.strip().lower() in PLACEHOLDERS)
    found = sorted({str(v) for v in text[placeholder]})
    text = text.where(~placeholder, None)
    present = int(text.notnull().sum())
    digits = text.map(lambda v: v.replace(",", "").replace("$", "").replace("%", "").replace(" ", "")
                      if isinstance(v, str) else v)
    numbers = pd.to_numeric(digits, errors="coerce")
    if present and numbers.notnull().sum() >= 0.8 * present:
        unreadable = int((text.notnull() & numbers.isnull()).sum())
        df[col] = numbers
        detail = "{}: stored as text, converted to numbers".format(col)
        if found:
            detail += "; {} placeholder value(s) ({}) set to missing".format(int(placeholder.sum()), ", ".join(
                repr(v) for v in found[:5]))
        if unreadable:
            detail += "; {} unreadable value(s) set to missing".format(unreadable)
        changes.append(detail)
        continue
    looks_date = text.dropna().astype(str).str.contains(r"\\d{1,4}[-/.]\\d{1,2}[-/.]\\d{1,4}|[A-Za-z]{3,9}\\.? \\d{1,2},? \\d{4}",
                                                       regex=True)
    named_date = any(w in str(col).lower() for w in DATE_WORDS)
    if present and (named_date or looks_date.mean() >= 0.8):
        dates = parse_dates(text)
        if dates.notnull().sum() >= 0.6 * present:
            unreadable = int((text.notnull() & dates.isnull()).sum())
            df[col] = dates
            detail = "{}: {} dates in mixed formats parsed and written as YYYY-MM-DD".format(
                col, int(dates.notnull().sum()))
            if found or unreadable:
                detail += "; {} missing or unreadable date(s) left empty".format(int(placeholder.sum()) + unreadable)
            changes.append(detail)
            continue
    df[col] = text
    if found:
        changes.append("{}: {} placeholder value(s) ({}) set to missing".format(
            col, int(placeholder.sum()), ", ".join(repr(v) for v in found[:5])))
    if trimmed > 0:
        changes.append("{}: extra spaces trimmed in {} value(s)".format(col, trimmed))

for col in df.select_dtypes(include="number").columns:
    gaps = int(df[col].isnull().sum())
    if gaps and df[col].notnull().any():
        median = df[col].median()
        if (df[col].dropna() % 1 == 0).all():
            median = round(median)
        df[col] = df[col].fillna(median)
        changes.append("{}: {} missing value(s) filled with the median {}".format(col, gaps, fmt(median)))
    if df[col].notnull().all() and (df[col] % 1 == 0).all() and not pd.api.types.is_integer_dtype(df[col]):
        df[col] = df[col].astype("int64")  # whole numbers read as text stay whole numbers

empty_rows = int(df.isnull().all(axis=1).sum())
if empty_rows:
    df = df.dropna(how="all")
    changes.append("Removed {} empty row(s)".format(empty_rows))
duplicates = int(df.duplicated().sum())
if duplicates:
    df = df.drop_duplicates().reset_index(drop=True)
    changes.append("Removed {} duplicate row(s)".format(duplicates))

left = df.isnull().sum()
left = left[left > 0]
note("Cleaned {}: {} rows x {} columns (was {} x {})".format(
    dataset_name, df.shape[0], df.shape[1], before_rows, before_cols))
if changes:
    for change in changes:
        note(change)
else:
    note("Nothing needed cleaning: the types, values and dates were already consistent")
if len(left):
    note("Still missing (text or dates, left empty rather than invented): " + ", ".join(
        "{} {}".format(k, int(v)) for k, v in left.items()))
numeric_cols = list(df.select_dtypes(include="number").columns)
other_cols = [c for c in df.columns if c not in numeric_cols]
table = df
'''


def clean_code(filename: str) -> str:
    return f"dataset_name = {filename!r}\n" + block(CLEAN)
