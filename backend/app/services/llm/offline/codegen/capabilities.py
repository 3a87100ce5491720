"""What the offline model can really do with a request, and the honest answer
when it can't.

`capability_of(request)` names the one capability a code request maps to;
requests that need a language model, the internet or a trained model get
"limit", and `offline_limit_message` says so plainly, lists what works
offline and how to connect a model. `pasted_code` finds code the person
pasted so it is run (or explained) instead of ignored.
"""

from __future__ import annotations

import ast
import re

from app.services.agent.request_reading import pasted_code  # noqa: F401  (cap.pasted_code)

# Printed by a generated program (and matched by the explanation) when a request is out of scope.
LIMIT_MARKER = "Offline limit:"
MISSING_COLUMN_MARKER = "Missing column:"
ASK_DATASET_MARKER = "Which dataset:"
NO_CAPABILITY = "no matching offline capability"

CAN_DO = (
    "profile and analyse a dataset (quoting the real numbers), find which column correlates most with "
    "another, clean a CSV/Excel file (types, missing values, placeholders such as \"n/a\", dates), draw "
    "charts (histogram, bar, line, scatter, heatmap, pie, box), export summaries to CSV, Excel, Word and "
    "PDF, edit files I made (rows, columns, text, charts), draw flowcharts, run Python you paste, answer "
    "questions from your documents with citations, and make flashcards, quizzes, podcasts and slides"
)
CONNECT = (
    "To do more, connect a language model in the settings: set `LLM_PROVIDER` (`ollama`, `openai` for any "
    "OpenAI-compatible server such as vLLM, LM Studio or llama.cpp, or `anthropic`), `LLM_MODEL`, and "
    "`LLM_BASE_URL` (for example `http://localhost:11434` for Ollama), plus `LLM_API_KEY` if the server "
    "needs one, then restart KeplerLab."
)

# (pattern, what the offline model lacks), checked in order.
_OUT_OF_SCOPE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(train|fit|build|create|make)\b.{0,40}\b(model|classifier|neural|network|predictor|"
                r"random forest|xgboost|svm|regressor)\b|\b(machine learning|deep learning|neural net|"
                r"predict|prediction|forecast|classify|clustering|cluster the|k-?means)\b", re.I),
     "a trained predictive model (machine learning, forecasting, clustering)"),
    (re.compile(r"\b(translate|translation|paraphrase|rewrite|write (?:me )?(?:a|an) (?:poem|story|essay|song|"
                r"email|letter|blog)|sentiment|summari[sz]e (?:this|the) (?:text|article))\b", re.I),
     "a language model to write or translate free text"),
    (re.compile(r"\b(https?://|www\.|scrape|web ?site|internet|online|weather|stock price|exchange rate|"
                r"latest news|live data|google|search the web|download (?:from|data from))\b", re.I),
     "internet access (the offline model has none)"),
    (re.compile(r"\b(send|e-?mail|slack|tweet|post to|upload to)\b.{0,30}\b(email|mail|message|team|"
                r"channel|twitter|server|drive)\b", re.I),
     "a connection to other services to send messages or files"),
    (re.compile(r"\b(video|mp4|audio file|mp3|speech to text|transcribe)\b", re.I),
     "audio and video processing"),
    (re.compile(r"\b(powerpoint|pptx|slide deck)\b", re.I),
     "a slide-file writer in the chat (the Slides tab builds a deck from your materials)"),
]

_CLEAN = re.compile(r"\b(clean(?:ed|ing|s)?|tidy|tidied|fix (?:the )?(?:data|types|missing)|impute|"
                    r"deduplicate|remove duplicates|handle missing|missing values|wrangle)\b", re.I)
_TARGET_CORRELATION = re.compile(
    r"\b(?:correlat\w*|related|associated|relationship|predictive|predictors?|influence\w*|drives?|affects?)\b.{0,40}"
    r"\b(?:most|strongest|highest|best|biggest|top)\b|\b(?:most|strongest|highest|best|biggest|top)\b.{0,40}"
    r"\b(?:correlat\w*|related|associated|predictive|predictors?|influen\w*)\b|\bwhat (?:\w+ )?correlates? with\b",
    re.I)
_SUMMARY = re.compile(r"\b(summary|summari[sz]e|summarising|summarizing|overview|key findings|report)\b", re.I)
_ANALYSIS = re.compile(
    r"\b(analy[sz]e|analysis|profile|explore|eda|describe|statistic|insight|look at|tell me about|"
    r"what(?:'s| is) in|understand|investigate|examine|inspect|check|how many (?:rows|columns|records|entries)|"
    r"shape|size of)\b", re.I)
_DATA_REFERENCE = re.compile(r"\b(this|the|my|that)\s+(?:\w+\s+)?(data|dataset|file|table|sheet|spreadsheet|csv)\b",
                             re.I)
_EXPLAIN = re.compile(r"\b(explain|what does|walk me through|describe)\b", re.I)
_RUN = re.compile(r"\b(run|execute|try)\b", re.I)


def out_of_scope(request: str) -> str | None:
    """What the offline model lacks for this request, or None."""
    for pattern, lacks in _OUT_OF_SCOPE:
        if pattern.search(request):
            return lacks
    return None


def offline_limit_message(lacks: str | None = None) -> str:
    """The plain "can't do that offline" answer: what is missing, what works, how to connect a model."""
    opening = (f"I can't do that offline: it needs {lacks}, which the built-in model doesn't have." if lacks else
               "I can't do that offline: the built-in model has no way to carry out this request.")
    return f"{opening}\n\nWhat I can do offline: {CAN_DO}.\n\n{CONNECT}"


def wants_cleaning(request: str) -> bool:
    return bool(_CLEAN.search(request))


def wants_target_correlation(request: str) -> bool:
    """"Which feature correlates most with the target?" and its variants."""
    return bool(_TARGET_CORRELATION.search(request))


def wants_summary(request: str) -> bool:
    return bool(_SUMMARY.search(request))


def wants_analysis(request: str) -> bool:
    return bool(_ANALYSIS.search(request))


def refers_to_data(request: str) -> bool:
    return bool(_DATA_REFERENCE.search(request))


# --- pasted code (read in app.services.agent.request_reading) ------------------


def wants_explanation_only(request: str, code: str) -> bool:
    prose = request.replace(code.strip(), " ")
    return bool(_EXPLAIN.search(prose)) and not _RUN.search(prose)


def describe_code(code: str) -> list[str]:
    """What a program does, read from its syntax tree (for "explain this code" offline)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [f"The code does not parse as Python: {exc.msg} on line {exc.lineno}."]
    imports, functions, classes, loops, calls, saves = [], [], [], 0, [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports.append(node.module or "")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(node.name)
        elif isinstance(node, ast.ClassDef):
            classes.append(node.name)
        elif isinstance(node, ast.For | ast.While | ast.comprehension):
            loops += 1
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name.endswith(("savefig", "to_csv", "to_excel", ".save", ".output")):
                saves.append(name)
            elif name.startswith(("pd.read_", "open")) or name in ("print",):
                calls.append(name)
    lines = [f"It has {len(code.strip().splitlines())} lines."]
    if imports:
        lines.append("It imports " + ", ".join(dict.fromkeys(i for i in imports if i)) + ".")
    if classes:
        lines.append("It defines the class(es) " + ", ".join(classes) + ".")
    if functions:
        lines.append("It defines the function(s) " + ", ".join(functions) + ".")
    if loops:
        lines.append(f"It has {loops} loop(s) or comprehension(s).")
    reads = [c for c in calls if c.startswith(("pd.read_", "open"))]
    if reads:
        lines.append("It reads data with " + ", ".join(dict.fromkeys(reads)) + ".")
    if saves:
        lines.append("It writes output with " + ", ".join(dict.fromkeys(saves)) + ".")
    if "print" in calls:
        lines.append("It prints results.")
    return lines
