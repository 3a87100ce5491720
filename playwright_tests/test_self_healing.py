"""Self-healing through the real UI (Debian Chromium, the offline Pyodide runtime, a
scripted model for the code's words): a chart that is shown but never saved raises
nothing, the expected-output check turns it into a failed step, a rule saves the
figure to OUTPUT_DIR, and the turn ends with the PNG card; the drawer shows the
attempt with its error line and diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ask, new_context, open_notebook_with, screenshot
from live_server import scripted_env, serve, write_llm_script
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / "frontend" / "dist" / "index.html").exists(),
                       reason="frontend/dist is not built: cd frontend && npm run build"),
    pytest.mark.skipif(not (ROOT / "pyodide_bundle" / "dist" / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: bash pyodide_bundle/build.sh"),
]

SALES_CSV = """date,region,product,units
2024-01-05,North,Widget,12
2024-01-12,South,Gadget,7
2024-02-03,East,Widget,20
2024-02-17,West,Gizmo,5
"""

SHOWN_NOT_SAVED = """```python
df = pd.read_csv(sales_path)
df.groupby("region")["units"].sum().plot(kind="bar", color="teal")
plt.title("Units by region")
plt.show()
```"""


@pytest.fixture(scope="module")
def never_saved_server(request, tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-never-saved")
    script = write_llm_script(data / "script.json", {"code_generation": [SHOWN_NOT_SAVED]})
    with serve(request, data, scripted_env(script)) as server:
        yield server


def test_a_chart_never_saved_ends_with_the_png_card(browser, never_saved_server, tmp_path):
    csv_path = tmp_path / "sales.csv"
    csv_path.write_text(SALES_CSV)
    context = new_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_notebook_with(page, never_saved_server.url, "Never saved", csv_path)
        turn = ask(page, "bar chart of units by region")
        card = turn.file("chart.png")
        expect(card).to_be_visible()
        block = turn.expand()
        step = block.get_by_test_id("action-step").last
        expect(step).to_have_attribute("data-status", "success")
        diff = step.get_by_test_id("repair-diff")
        expect(diff).to_have_count(1)
        expect(diff).to_contain_text("rule-based fix")
        expect(diff).to_contain_text("MissingOutputError")
        lines = [line.strip() for line in diff.inner_text().splitlines()]
        assert any(line.startswith("+") and "savefig" in line for line in lines), lines
        assert any(line.startswith("-") and "plt.show()" in line for line in lines), lines
        screenshot(page, "repair-chart-never-saved", scroll_to=card)
        assert not errors, errors
    finally:
        context.close()
