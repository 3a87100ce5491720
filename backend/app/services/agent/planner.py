"""Turns an intent into a short list of steps (spec 5.2).

DATA_ANALYSIS:   data_profiler → code_executor → generate_response
FILE_GENERATION: [data_profiler] → file_generator → generate_response
edit request:    file_generator with an EditAction → generate_response
QUESTION:        rag_answer
anything else:   generate_response
"""

from __future__ import annotations

from app.services.agent.request_reading import (
    choose_dataset,
    edit_operation,
    edit_target,
    expected_outputs,
    involves_dataset,
    is_edit_request,
    requested_file_type,
)
from app.services.agent.state import AgentState, EditAction, PlanStep
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


def dataset_for(state: AgentState) -> tuple[str | None, str | None]:
    """(dataset id, question): the data file this turn uses, or a question when it cannot tell."""
    files = state.get("workspace_files", [])
    if not involves_dataset(state["message"], files, state.get("intent"), state.get("material_id")):
        return None, None
    choice = choose_dataset(state["message"], files, state.get("material_id"))
    if choice.reason == "ask":
        return None, choice.question
    return (choice.file["id"] if choice.file else None), None


def _code_step(state: AgentState, *, step_id: str, tool: str, label: str, file_type: str | None,
               edit_action: EditAction | None = None) -> PlanStep:
    return PlanStep(id=step_id, tool=tool, label=label, header=build_workspace_header(state), code="",
                    file_type=file_type, expected=expected_outputs(state["message"]).as_dict(),
                    edit_action=edit_action, status="pending")


def build_plan(state: AgentState) -> list[PlanStep]:
    """The steps; `state["dataset_id"]` (set by the plan node from `dataset_for`) says whether to profile."""
    intent = state["intent"]
    message = state["message"]
    generated = state.get("generated_files", [])
    has_data = bool(state.get("dataset_id") or dataset_for(state)[0])
    profile = PlanStep(id="s1", tool="data_profiler", label="🔍 Profiling your dataset", status="pending")
    respond = PlanStep(id="respond", tool="generate_response", label="✍️ Writing the answer", status="pending")

    if intent == "QUESTION":
        return [PlanStep(id="s1", tool="rag_answer", label="🔍 Searching your materials", status="pending")]

    if intent == "FILE_GENERATION" and is_edit_request(message, generated):
        target = edit_target(message, generated)
        action = EditAction(op=edit_operation(message), target=target, instruction=message)
        label = f"✏️ Editing {target['filename']}"
        file_type = target["filename"].rsplit(".", 1)[-1].lower()
        steps = [profile] if has_data else []
        edit = _code_step(state, step_id="s2", tool="file_generator", label=label, file_type=file_type,
                          edit_action=action)
        edit["expected"] = {}  # the edited file is saved in place (or the code says why it cannot be)
        return [*steps, edit, respond]

    if intent == "FILE_GENERATION":
        file_type = requested_file_type(message) or "png"
        label = FILE_TEMPLATES[file_type][0]
        steps = [profile] if has_data else []
        return [*steps, _code_step(state, step_id="s2", tool="file_generator", label=label, file_type=file_type),
                respond]

    if intent == "DATA_ANALYSIS":
        steps = [profile] if has_data else []
        return [*steps, _code_step(state, step_id="s2", tool="code_executor", label="🐍 Analysing the data",
                                   file_type=requested_file_type(message)), respond]

    return [respond]
