"""Turns an intent into a short list of steps (spec 5.2).

DATA_ANALYSIS:   data_profiler → code_executor → generate_response
FILE_GENERATION: [data_profiler] → file_generator → generate_response
edit request:    file_generator with an EditAction → generate_response
QUESTION:        rag_answer
anything else:   generate_response
"""

from __future__ import annotations

import re

from app.services.agent.intent import is_edit_request, requested_file_type
from app.services.agent.state import AgentState, EditAction, GeneratedFileInfo, PlanStep
from app.services.agent.tools.data_profiler import first_dataset
from app.services.agent.tools.workspace_builder import build_workspace_header

# The library each kind of file is written with (told to the model in the step label).
FILE_TEMPLATES: dict[str, tuple[str, str]] = {
    "csv": ("🗃️ Creating CSV file", "csv / pandas"),
    "xlsx": ("📊 Building Excel workbook", "openpyxl"),
    "docx": ("📄 Generating Word document", "python-docx"),
    "pdf": ("📄 Generating PDF", "fpdf2"),
    "png": ("📊 Building chart", "matplotlib"),
    "html": ("📊 Building interactive chart", "plotly"),
}

_DELETE = ("delete", "remove", "drop")
_REPLACE = ("replace", "change", "update", "rename", "fix", "modify", "set")


def edit_op_for(message: str) -> str:
    text = message.lower()
    if any(re.search(rf"\b{w}\b", text) for w in _DELETE):
        return "delete"
    if any(re.search(rf"\b{w}\b", text) for w in _REPLACE):
        return "replace"
    return "append"


def edit_target_for(message: str, generated_files: list[GeneratedFileInfo]) -> GeneratedFileInfo:
    """The file the user means: named outright, then by kind, else the newest."""
    text = message.lower()
    for item in reversed(generated_files):
        if item["filename"].lower() in text:
            return item
    wanted = requested_file_type(message)
    for item in reversed(generated_files):
        if wanted and item["filename"].lower().endswith("." + wanted):
            return item
    return generated_files[-1]


def _code_step(state: AgentState, *, step_id: str, tool: str, label: str, file_type: str | None,
               edit_action: EditAction | None = None) -> PlanStep:
    return PlanStep(id=step_id, tool=tool, label=label, header=build_workspace_header(state), code="",
                    file_type=file_type, edit_action=edit_action, status="pending")


def build_plan(state: AgentState) -> list[PlanStep]:
    intent = state["intent"]
    message = state["message"]
    generated = state.get("generated_files", [])
    has_data = first_dataset(state) is not None
    profile = PlanStep(id="s1", tool="data_profiler", label="🔍 Profiling your dataset", status="pending")
    respond = PlanStep(id="respond", tool="generate_response", label="✍️ Writing the answer", status="pending")

    if intent == "QUESTION":
        return [PlanStep(id="s1", tool="rag_answer", label="🔍 Searching your materials", status="pending")]

    if intent == "FILE_GENERATION" and is_edit_request(message, generated):
        target = edit_target_for(message, generated)
        action = EditAction(op=edit_op_for(message), target=target, instruction=message)
        label = f"✏️ Editing {target['filename']}"
        file_type = target["filename"].rsplit(".", 1)[-1].lower()
        steps = [profile] if has_data else []
        return [*steps, _code_step(state, step_id="s2", tool="file_generator", label=label, file_type=file_type,
                                   edit_action=action), respond]

    if intent == "FILE_GENERATION":
        file_type = requested_file_type(message) or ("docx" if "report" in message.lower() else "png")
        label = FILE_TEMPLATES[file_type][0]
        steps = [profile] if has_data else []
        return [*steps, _code_step(state, step_id="s2", tool="file_generator", label=label, file_type=file_type),
                respond]

    if intent == "DATA_ANALYSIS":
        steps = [profile] if has_data else []
        return [*steps, _code_step(state, step_id="s2", tool="code_executor", label="🐍 Analysing the data",
                                   file_type=requested_file_type(message)), respond]

    return [respond]
