"""Whole agent turns through the HTTP API, with the harness playing the browser."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlparse

import docx
import openpyxl
import pypdf
import pytest
from sqlalchemy import select

from app.models import AgentRun, Message
from tests.agent.browser_harness import BrowserHarness
from tests.agent.conftest import new_session, signed_in_client

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


async def download(client, session_id: str, filename: str) -> bytes:
    token = await client.post("/api/agent/files/token", json={"session_id": session_id, "filename": filename})
    assert token.status_code == 200, token.text
    url = token.json()["url"]
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.content


async def test_analyze_dataset_runs_profiler_then_code_then_explanation(agent_env):
    turn = await agent_env.harness.chat("analyze this dataset")

    names = turn.names()
    assert names[0] == "run"
    steps = turn.of("step")
    assert [s["tool"] for s in steps] == ["data_profiler", "code_executor", "generate_response"]
    # order: profiler closes before the code is written; the code runs before the answer streams
    assert names.index("step_done") < names.index("code_written") < names.index("execute")
    assert names.index("execute") < names.index("token") < names.index("meta") < names.index("done")
    assert names[-1] == "done"
    done = [d for d in turn.of("step_done") if d["tool"] == "code_executor"]
    assert done and done[0]["status"] == "success" and done[0]["code"]

    stdout = turn.executions[0]["result"]["stdout"]
    assert "12" in stdout  # the dataset has 12 rows
    # the explanation quotes real numbers from stdout but never pastes it
    numbers = set(re.findall(r"\d+(?:\.\d+)?", turn.answer))
    assert numbers & set(re.findall(r"\d+(?:\.\d+)?", stdout))
    for line in stdout.splitlines():
        if len(line.strip()) > 30:
            assert line.strip() not in turn.answer
    meta = turn.of("meta")[0]
    assert meta["intent"] == "DATA_ANALYSIS"
    assert "data_profiler" in meta["tools_used"] and "code_executor" in meta["tools_used"]


async def test_assistant_message_is_saved_with_step_log_and_files(agent_env):
    turn = await agent_env.harness.chat("analyze this dataset")
    messages = (await agent_env.client.get(f"/api/sessions/{agent_env.session['id']}/messages")).json()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    saved = messages[1]
    assert saved["content"] == turn.answer
    assert saved["agent_metadata"]["run_id"] == turn.run_id
    assert [s["tool"] for s in saved["step_log"]] == ["data_profiler", "code_executor"]
    assert {f["filename"] for f in saved["generated_files"]} == {f["filename"] for f in turn.of("file_ready")}
    status = (await agent_env.client.get(f"/api/agent/runs/{turn.run_id}")).json()
    assert status["status"] == "completed" and status["pending_execute"] is None


async def test_top_ten_countries_csv_is_offered_for_download(app, register, tmp_path):
    client = await signed_in_client(app, register)
    _, session = await new_session(client, "Geography")
    turn = await BrowserHarness(client, session["id"], tmp_path).chat(
        "create a CSV of top 10 countries by population")
    files = turn.of("file_ready")
    assert len(files) == 1 and files[0]["filename"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO((await download(client, session["id"], files[0]["filename"])).decode())))
    assert len(rows) == 10
    country = next(k for k in rows[0] if "country" in k.lower())
    assert {rows[0][country], rows[1][country]} == {"India", "China"}
    assert "United States" in [r[country] for r in rows]
    assert files[0]["filename"] in turn.answer
    await client.aclose()


@pytest.mark.parametrize(
    ("request_text", "suffix"),
    [
        ("export the data to excel", ".xlsx"),
        ("write a word report of this dataset", ".docx"),
        ("make a pdf report of the sales", ".pdf"),
        ("make a bar chart of units by region", ".png"),
    ],
)
async def test_file_generation_produces_real_files(agent_env, request_text, suffix):
    turn = await agent_env.harness.chat(request_text)
    files = [f for f in turn.of("file_ready") if f["filename"].endswith(suffix)]
    assert files, turn.names()
    data = await download(agent_env.client, agent_env.session["id"], files[0]["filename"])
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        header = [c.value for c in sheet[1]]
        assert "region" in [str(h).lower() for h in header]
        assert sheet.max_row == 13
    elif suffix == ".docx":
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(p.text for p in document.paragraphs)
        assert document.tables and len(text) > 50
    elif suffix == ".pdf":
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
        assert "region" in text.lower() or "units" in text.lower()
    else:
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    downloads = [urlparse(f["download_url"]).path for f in files]
    assert all(p.startswith(f"/api/agent/download/{agent_env.client.user['id']}/") for p in downloads)


async def test_edit_request_edits_the_generated_file_instead_of_regenerating(agent_env):
    first = await agent_env.harness.chat("export the data as a csv file")
    name = first.of("file_ready")[0]["filename"]
    turn = await agent_env.harness.chat("add a column revenue = units * price to the csv")
    steps = [s for s in turn.of("step") if s["tool"] == "file_generator"]
    assert steps and steps[0]["label"].startswith("✏️ Editing")
    request = turn.executions[0]["request"]
    assert any(m.path.endswith(name) for m in request.mounts)  # the file to edit is mounted
    edited = [f for f in turn.of("file_ready") if f["filename"] == name]
    assert edited, turn.of("file_ready")
    rows = list(csv.DictReader(io.StringIO((await download(agent_env.client, agent_env.session["id"], name)).decode())))
    assert "revenue" in rows[0] and float(rows[0]["revenue"]) == pytest.approx(120 * 10.5)
    listed = (await agent_env.client.get("/api/agent/files", params={"session_id": agent_env.session["id"]})).json()
    assert [f["name"] for f in listed["files"]].count(name) == 1


async def test_stdout_goes_to_the_step_log_never_into_the_answer(agent_env):
    turn = await agent_env.harness.chat("analyze this dataset")
    stdout_events = turn.of("stdout")
    assert stdout_events and stdout_events[0]["text"] == turn.executions[0]["result"]["stdout"]
    long_lines = [ln.strip() for ln in stdout_events[0]["text"].splitlines() if len(ln.strip()) > 25]
    assert long_lines and not any(line in turn.answer for line in long_lines)


async def test_run_row_tracks_pause_and_completion(agent_env, db):
    turn = await agent_env.harness.chat("analyze this dataset", follow=False)
    run = (await db.execute(select(AgentRun).where(AgentRun.id == turn.run_id))).scalar_one()
    assert run.status == "awaiting_execution"
    pending = (await agent_env.client.get(f"/api/agent/runs/{turn.run_id}")).json()
    assert pending["pending_execute"]["exec_id"] == turn.of("execute")[0]["exec_id"]
    assert pending["pending_execute"]["code"] == turn.of("execute")[0]["code"]
    await agent_env.harness.follow(turn)
    await db.refresh(run)
    assert run.status == "completed"
    message = await db.get(Message, run.message_id)
    assert message.role == "assistant"


async def test_document_question_is_routed_to_retrieval_with_citations(app, register, tmp_path):
    client = await signed_in_client(app, register)
    notebook, session = await new_session(client, "Biology")
    notes = ("Photosynthesis\n\nPhotosynthesis happens in the chloroplasts of plant cells. Chlorophyll absorbs "
             "red and blue light and reflects green light.\n\nCellular respiration\n\nMitochondria release "
             "energy from glucose as ATP.\n")
    material = (await client.post(f"/api/notebooks/{notebook['id']}/materials",
                                  files={"file": ("biology.txt", notes.encode(), "text/plain")})).json()
    turn = await BrowserHarness(client, session["id"], tmp_path).chat("Where does photosynthesis happen?")
    assert turn.of("execute") == []  # no code for a document question
    assert [s["tool"] for s in turn.of("step")] == ["rag_answer"]
    meta = turn.of("meta")[0]
    assert meta["intent"] == "QUESTION"
    assert meta["citations"] and meta["citations"][0]["material_id"] == material["id"]
    assert "chloroplast" in turn.answer.lower() and "[1]" in turn.answer
    saved = (await client.get(f"/api/sessions/{session['id']}/messages")).json()[-1]
    assert saved["agent_metadata"]["citations"][0]["material_name"] == "biology.txt"
    await client.aclose()
