"""Offline `general_chat` task: a short, useful reply to a message that is not
a data, file or document request (greetings, "what can you do", study tools)."""

from __future__ import annotations

from app.services.llm.offline.registry import TaskInput, register_task

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
