"""Which kind of turn a message is: rules first, in a fixed order (spec 5.1).

FILE_GENERATION is checked before CONTENT_GENERATION and DATA_ANALYSIS, so
"make a chart" produces a file rather than a flashcard deck. Document questions
go to retrieval (QUESTION); data and file requests go to the code loop.
"""

from __future__ import annotations

import re

from app.services.agent.request_reading import (
    is_edit_request,
    pasted_code,
    requested_file_types,
    wants_report_document,
)
from app.services.agent.state import GeneratedFileInfo, Intent

FILE_GENERATION_KEYWORDS = (
    "create csv", "generate word", "export excel", "make pdf", "create spreadsheet",
    "generate diagram", "make chart", "draw graph", "create document", "export as", "save as file",
    # the same requests as people phrase them
    # (file formats are read by request_reading.requested_file_types: "analyse sales.csv" names a file)
    "spreadsheet", "chart", "diagram", "flowchart", "flow chart",
    "graph of", "download", "export",
)
DATA_ANALYSIS_KEYWORDS = (
    "analyze", "analyse", "analysis", "visualize", "visualise", "distribution", "correlation", "heatmap",
    "trend", "compare columns", "plot", "statistics", "outlier", "scatter", "histogram", "dataset",
    "average", "median", "summary statistics", "profile", "describe the data", "regression",
)
CONTENT_GENERATION_KEYWORDS = ("flashcard", "flash card", "quiz", "podcast", "presentation", "slide deck", "slides")
GREETINGS = ("hi", "hello", "hey", "thanks", "thank you", "good morning", "good evening")

# A question about a document names what it reads ("what does the PDF say") —
# it is not a request to produce one.
_READING_QUESTION = re.compile(
    r"^\s*(what|who|when|where|why|how|which|does|do|is|are|can|according|explain|summari[sz]e|define)\b"
    r".*\b(say|says|said|mention|mentions|state|states|describe|describes|explain|explains|about|mean)\b",
    re.IGNORECASE,
)


def _contains(text: str, keywords: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(k)}(?:s|es)?(?![a-z])", text) for k in keywords)


def classify_intent(message: str, *, has_data: bool, has_documents: bool,
                    generated_files: list[GeneratedFileInfo] | None = None) -> Intent:
    text = message.lower().strip()
    if is_edit_request(text, generated_files or []):
        return "FILE_GENERATION"
    if pasted_code(message):  # "run this: ```...```" is code to run (or explain), not a document question
        return "DATA_ANALYSIS"
    if _READING_QUESTION.search(text) and has_documents and not _contains(text, DATA_ANALYSIS_KEYWORDS):
        return "QUESTION"
    if _contains(text, FILE_GENERATION_KEYWORDS) or requested_file_types(text) or wants_report_document(text):
        return "FILE_GENERATION"
    if _contains(text, CONTENT_GENERATION_KEYWORDS):
        return "CONTENT_GENERATION"
    if _contains(text, DATA_ANALYSIS_KEYWORDS) and (has_data or "data" in text):
        return "DATA_ANALYSIS"
    if text.rstrip("!. ") in GREETINGS:
        return "GENERAL"
    if has_documents:
        return "QUESTION"
    if has_data:
        return "DATA_ANALYSIS"
    return "GENERAL"
