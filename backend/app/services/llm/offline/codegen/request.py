"""Reading a code-generation request: what is asked for, on which dataset and
which columns."""

from __future__ import annotations

import re
from typing import Any

from app.services.agent.request_reading import requested_file_types as reading_file_types

FILE_TYPES = ("csv", "xlsx", "docx", "pdf", "png", "html")

STOPWORDS = set(
    ["a", "an", "the", "of", "for", "by", "and", "or", "to", "in", "on", "with", "from", "into", "as", "at", "is", "are", "be", "me", "my", "our", "your", "this", "that", "these", "those", "please", "can", "could", "would", "you", "i", "we", "it", "its", "show", "make", "create", "generate", "draw", "plot", "chart", "graph", "visualize", "visualise", "give", "get", "want", "need", "display", "build", "export", "save", "file", "data", "dataset", "table", "column", "columns", "row", "rows", "using", "use", "histogram", "bar", "line", "scatter", "pie", "box", "heatmap", "heat", "map", "correlation", "correlations", "distribution", "trend", "over", "vs", "versus", "against", "between", "relationship", "compare", "comparison", "analyse", "analyze", "analysis", "profile", "summary", "summarize", "report", "excel", "xlsx", "csv", "pdf", "word", "docx", "png", "image", "spreadsheet", "document", "total", "average", "mean", "sum", "count", "top"]
)

WORD_NUMBERS = {"three": 3, "five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twelve": 12, "seven": 7}



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


def requested_file_types(request: str, file_type: str | None = None,
                         mentioned_files: tuple[str, ...] = ()) -> list[str]:
    """The formats asked for, in order (request_reading's rule). A workspace file the request
    merely names ("analyse x.csv") is not a request for a CSV."""
    text = request
    for name in sorted(mentioned_files, key=len, reverse=True):
        if name:
            text = re.sub(re.escape(name), " the file ", text, flags=re.IGNORECASE)
    kinds = [k for k in reading_file_types(text) if k in FILE_TYPES]
    if not kinds and file_type in FILE_TYPES:
        kinds = [file_type]  # the planner's reading of the turn
    return kinds


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
    """A Python literal for a str/number/list."""
    return repr(value)
