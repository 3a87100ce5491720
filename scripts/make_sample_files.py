"""Write one small real file of each supported upload type (for the README's
curl walk-through and manual testing).

    .venv/bin/python scripts/make_sample_files.py [out_dir]   # default /tmp/keplerlab-samples
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
import openpyxl
from fpdf import FPDF


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Photosynthesis converts light energy into chemical energy stored in glucose.")
    pdf.add_page()
    pdf.multi_cell(0, 8, "Cellular respiration releases that energy as ATP in the mitochondria.")
    pdf.output(str(out / "biology.pdf"))

    document = docx.Document()
    document.add_heading("The cell", level=1)
    document.add_paragraph("The cell membrane controls what enters and leaves the cell.")
    document.save(str(out / "cells.docx"))

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sales"
    for row in [["region", "month", "sales"], ["North", "Jan", 120], ["South", "Jan", 95], ["North", "Feb", 140]]:
        sheet.append(row)
    workbook.save(str(out / "sales.xlsx"))

    (out / "grades.csv").write_text("student,score\nAda,91\nAlan,87\nGrace,95\n", encoding="utf-8")
    (out / "notes.txt").write_text("Osmosis is the diffusion of water across a membrane.\n", encoding="utf-8")
    (out / "summary.md").write_text("# Summary\n\n- Enzymes lower activation energy.\n", encoding="utf-8")
    for path in sorted(out.iterdir()):
        print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/keplerlab-samples"))
