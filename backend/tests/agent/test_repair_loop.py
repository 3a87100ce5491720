"""The self-healing loop: a rule fix, a model fix, and three failures in a row."""

from __future__ import annotations

import pytest

from tests.agent.browser_harness import BrowserHarness
from tests.agent.conftest import new_session, sales_csv, signed_in_client, upload_material

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


def fenced(code: str) -> str:
    return f"```python\n{code.strip()}\n```"


# Uses seaborn without importing it: the header imports pandas/numpy/matplotlib only.
MISSING_IMPORT = fenced("""
df = pd.read_csv(sales_path)
ax = sns.barplot(x="region", y="units", data=df)
plt.savefig(f"{OUTPUT_DIR}/units_by_region.png", dpi=100, bbox_inches="tight")
plt.close()
print(f"FILE_SAVED:{OUTPUT_DIR}/units_by_region.png")
print("Total units:", int(df["units"].sum()))
""")

# A logic error no rule knows: dividing by the number of rows with price > 1000 (zero).
LOGIC_ERROR = fenced("""
df = pd.read_csv(sales_path)
expensive = df[df["price"] > 1000]
print("Average units per expensive sale:", int(df["units"].sum()) / len(expensive))
""")
LOGIC_FIXED = fenced("""
df = pd.read_csv(sales_path)
expensive = df[df["price"] > 50]
print("Average units per expensive sale:", round(int(df["units"].sum()) / max(len(expensive), 1), 2))
""")
ALWAYS_BROKEN = [fenced(f'df = pd.read_csv(sales_path)\nraise RuntimeError("still broken {n}")') for n in range(4)]


async def start(scripted_app, register, tmp_path, script):
    cm = scripted_app(script)
    app = await cm.__aenter__()
    client = await signed_in_client(app, register)
    notebook, session = await new_session(client)
    await upload_material(client, notebook["id"], "sales.csv", sales_csv())
    return cm, app, client, BrowserHarness(client, session["id"], tmp_path)


async def test_missing_import_is_fixed_by_a_rule_and_rerun(scripted_app, register, tmp_path):
    cm, app, client, harness = await start(scripted_app, register, tmp_path, {"code_generation": [MISSING_IMPORT]})
    try:
        turn = await harness.chat("make a bar chart of units by region")
        attempts = turn.of("repair_attempt")
        assert len(attempts) == 1 and attempts[0]["fixed_by"] == "rule"
        assert "sns" in attempts[0]["error_summary"]
        assert any(d["op"] == "+" and "seaborn" in d["line"] for d in attempts[0]["diff"])
        assert turn.of("repair_success") == [{"attempt": 1}]
        assert len(turn.executions) == 2
        assert not turn.executions[0]["result"]["ok"] and turn.executions[1]["result"]["ok"]
        assert [f["filename"] for f in turn.of("file_ready")] == ["units_by_region.png"]
        code_done = [d for d in turn.of("step_done") if d["tool"] == "file_generator"]
        assert code_done[0]["status"] == "success" and "import seaborn" in code_done[0]["code"]
        # the model was never asked to repair: the rule was enough
        assert "code_repair" not in [task for task, _ in app.state.scripted_model.calls]
    finally:
        await client.aclose()
        await cm.__aexit__(None, None, None)


async def test_error_no_rule_knows_is_fixed_by_the_model(scripted_app, register, tmp_path):
    script = {"code_generation": [LOGIC_ERROR], "code_repair": [LOGIC_FIXED]}
    cm, app, client, harness = await start(scripted_app, register, tmp_path, script)
    try:
        turn = await harness.chat("analyze the average units of expensive sales in this dataset")
        attempts = turn.of("repair_attempt")
        assert len(attempts) == 1 and attempts[0]["fixed_by"] == "model"
        assert "ZeroDivisionError" in attempts[0]["error_summary"]
        assert turn.of("repair_success") == [{"attempt": 1}]
        assert "Average units per expensive sale: 276.25" in turn.executions[-1]["result"]["stdout"]
        repair_prompt = [p for task, p in app.state.scripted_model.calls if task == "code_repair"][0]
        assert "ZeroDivisionError" in repair_prompt and "len(expensive)" in repair_prompt
    finally:
        await client.aclose()
        await cm.__aexit__(None, None, None)


async def test_three_failed_repairs_end_with_an_honest_explanation(scripted_app, register, tmp_path):
    script = {"code_generation": [ALWAYS_BROKEN[0]], "code_repair": ALWAYS_BROKEN[1:]}
    cm, app, client, harness = await start(scripted_app, register, tmp_path, script)
    try:
        turn = await harness.chat("analyze this dataset")
        assert len(turn.executions) == 4  # the first run and three repaired re-runs
        assert [a["attempt"] for a in turn.of("repair_attempt")] == [1, 2, 3]
        assert turn.of("repair_success") == []
        failed = [d for d in turn.of("step_done") if d["tool"] == "code_executor"]
        assert failed[0]["status"] == "error" and "still broken 3" in failed[0]["stderr"]
        assert turn.names()[-1] == "done" and turn.of("done")[0]["status"] == "completed"
        assert "fail" in turn.answer.lower() or "could not" in turn.answer.lower()
        assert "Traceback" not in turn.answer
        messages = (await client.get(f"/api/sessions/{harness.session_id}/messages")).json()
        assert messages[-1]["agent_metadata"]["status"] == "failed"
        assert len(messages[-1]["step_log"][-1]["repairs"]) == 3
    finally:
        await client.aclose()
        await cm.__aexit__(None, None, None)


async def test_a_provider_that_raises_gives_an_error_event_not_a_hang(scripted_app, register, tmp_path):
    cm, app, client, harness = await start(scripted_app, register, tmp_path, {"code_generation": ["__raise__"]})
    try:
        turn = await harness.chat("analyze this dataset")
        assert "error" in turn.names()
        assert turn.names()[-2:] == ["error", "done"]
        assert turn.of("done")[0]["status"] == "failed"
        status = (await client.get(f"/api/agent/runs/{turn.run_id}")).json()
        assert status["status"] == "failed" and status["error"]
        messages = (await client.get(f"/api/sessions/{harness.session_id}/messages")).json()
        assert messages[-1]["role"] == "assistant" and messages[-1]["agent_metadata"]["status"] == "failed"
    finally:
        await client.aclose()
        await cm.__aexit__(None, None, None)
