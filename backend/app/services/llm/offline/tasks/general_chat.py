"""Offline `general_chat` task: a short, useful reply to a message that is not
a data, file or document request (greetings, "what can you do", study tools)."""

from __future__ import annotations

import re

from app.services.llm.offline.codegen.capabilities import CAN_DO, offline_limit_message, out_of_scope
from app.services.llm.offline.registry import TaskInput, register_task

_SMALL_TALK = re.compile(
    r"^\W*(hi|hello|hey|hiya|good (morning|afternoon|evening)|thanks?( you)?|thank you|cheers|ok(ay)?|great|"
    r"cool|nice)\b[\W\w]{0,20}$", re.I)
_HELP = re.compile(r"\b(what can you do|help|how do i|how does this work|who are you|what are you|capabilit)", re.I)

_TOOLS = {
    "flashcard": "the **Flashcards** tab",
    "flash card": "the **Flashcards** tab",
    "quiz": "the **Quiz** tab",
    "podcast": "the **Podcast** tab",
    "slide": "the **Slides** tab",
    "presentation": "the **Slides** tab",
}


@register_task("general_chat")
def reply(task: TaskInput) -> str:
    request = str(task.context.get("request", "")).lower()
    materials = task.context.get("materials") or []
    if task.context.get("intent") != "CONTENT_GENERATION" and request.strip():
        lacks = out_of_scope(request)
        if lacks or not (_SMALL_TALK.match(request.strip()) or _HELP.search(request)):
            return offline_limit_message(lacks)
        if _HELP.search(request):
            return f"I'm KeplerLab's built-in offline assistant. Offline I can {CAN_DO}."
    if task.context.get("intent") == "CONTENT_GENERATION":
        tab = next((tab for word, tab in _TOOLS.items() if word in request), "the study tools tabs")
        source = "your materials" if materials else "materials you upload first"
        return (f"You can make that in {tab} next to the chat: choose the materials to use and press "
                f"*Generate*. It is built from {source}, with citations back to the text.")
    if not materials:
        return ("Hi! Upload course notes (PDF, DOCX, TXT, MD) or data (CSV, XLSX) in the sidebar, then ask me "
                "questions about them, ask me to analyse a dataset, or to create a CSV, Excel, Word or PDF file "
                "or a chart.")
    names = ", ".join(m.get("filename", "") for m in materials[:5])
    data = [m for m in materials if m.get("type") == "data"]
    suggestion = ("try *“analyze this dataset”* or *“make a bar chart of …”*" if data
                  else "ask a question about them, or open the study tools for flashcards and a quiz")
    return f"Hi! I can work with {names}. For example, {suggestion}."
