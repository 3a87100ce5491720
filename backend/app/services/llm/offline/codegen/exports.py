"""Code that writes the DataFrame `table` (plus `findings`, `chart_files` and,
for summaries, `sheets`: [(name, DataFrame)]) to CSV, XLSX (openpyxl), DOCX
(python-docx), PDF (fpdf2) or HTML. Column names are written in full: tables
wrap their header cells instead of cutting them."""

from __future__ import annotations

import re

from app.services.llm.offline.codegen.snippets import block

CSV = '''
table.to_csv(out_path, index=False, date_format="%Y-%m-%d")
print("Saved {{}} rows x {{}} columns to {name}".format(table.shape[0], table.shape[1]))
print("FILE_SAVED:" + out_path)
'''

XLSX = '''
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def excel_value(value):
    """A cell value openpyxl accepts (numpy scalars to Python, missing to empty)."""
    try:
        if pd.isnull(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


wb = Workbook()
wb.remove(wb.active)
book = sheets if sheets else [({sheet!r}, table)]
for sheet_name, frame in book:
    ws = wb.create_sheet(str(sheet_name)[:31])
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([excel_value(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(frame.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
wb.save(out_path)
print("Saved {{}} sheet(s) to {name}: {{}}".format(len(book), ", ".join(
    "{{}} ({{}} rows)".format(n, len(f)) for n, f in book)))
print("FILE_SAVED:" + out_path)
'''

DOCX = '''
from docx import Document
from docx.shared import Inches

doc = Document()
doc.add_heading({title!r}, 0)
doc.add_paragraph({intro!r})
if findings:
    doc.add_heading("Key findings", level=1)
    for line in findings:
        doc.add_paragraph(str(line), style="List Bullet")
for chart in chart_files:
    if chart.endswith(".png"):
        doc.add_picture(chart, width=Inches(6))
doc.add_heading({table_heading!r}, level=1)
shown = table.head({max_rows})
grid = doc.add_table(rows=1, cols=len(shown.columns))
grid.style = "Table Grid"
for cell, name in zip(grid.rows[0].cells, shown.columns):
    cell.text = str(name)
    for run in cell.paragraphs[0].runs:
        run.bold = True
for row in shown.itertuples(index=False):
    for cell, value in zip(grid.add_row().cells, row):
        cell.text = cell_text(value)
if len(table) > len(shown):
    doc.add_paragraph("Showing the first {{}} of {{}} rows.".format(len(shown), len(table)))
doc.save(out_path)
print("Saved a Word report with {{}} summary points and a {{}}-row table to {name}".format(len(findings), len(shown)))
print("FILE_SAVED:" + out_path)
'''

PDF = '''
from fpdf import FPDF
from fpdf.fonts import FontFace


def pdf_text(value):
    """Latin-1 safe text for the PDF core fonts."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


shown = table.head({max_rows})
pdf = FPDF(orientation="L" if len(shown.columns) > 7 else "P")
pdf.set_auto_page_break(auto=True, margin=15)
pdf.add_page()
pdf.set_font("Helvetica", "B", 16)
pdf.multi_cell(0, 9, pdf_text({title!r}), new_x="LMARGIN", new_y="NEXT")
pdf.set_font("Helvetica", "", 10)
pdf.multi_cell(0, 6, pdf_text({intro!r}), new_x="LMARGIN", new_y="NEXT")
pdf.ln(2)
if findings:
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 8, "Key findings", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in findings:
        pdf.multi_cell(0, 6, pdf_text("- " + str(line)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
for chart in chart_files[:2]:
    if chart.endswith(".png"):
        pdf.image(chart, w=min(pdf.epw, 170))
        pdf.ln(2)
pdf.set_font("Helvetica", "B", 12)
pdf.multi_cell(0, 8, pdf_text({table_heading!r}), new_x="LMARGIN", new_y="NEXT")
pdf.set_font("Helvetica", "", 8 if len(shown.columns) > 7 else 9)
# The table wraps long header and cell text inside its cells: column names stay whole.
with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4.5, text_align="LEFT") as grid:
    header = grid.row()
    for name in shown.columns:
        header.cell(pdf_text(name))
    for values in shown.itertuples(index=False):
        row = grid.row()
        for value in values:
            row.cell(pdf_text(cell_text(value)))
if len(table) > len(shown):
    pdf.ln(2)
    pdf.multi_cell(0, 6, "Showing the first {{}} of {{}} rows.".format(len(shown), len(table)),
                   new_x="LMARGIN", new_y="NEXT")
pdf.output(out_path)
print("Saved a PDF report with {{}} key findings and a {{}}-row table to {name}".format(len(findings), len(shown)))
print("FILE_SAVED:" + out_path)
'''

HTML = '''
html = "<html><head><meta charset='utf-8'><title>{{}}</title></head><body><h1>{{}}</h1>{{}}{{}}</body></html>".format(
    {title!r}, {title!r}, "".join("<p>{{}}</p>".format(line) for line in findings), table.to_html(index=False))
with open(out_path, "w", encoding="utf-8") as handle:
    handle.write(html)
print("FILE_SAVED:" + out_path)
'''

TEMPLATES = {"csv": CSV, "xlsx": XLSX, "docx": DOCX, "pdf": PDF, "html": HTML}


def sheet_title(title: str) -> str:
    """An Excel sheet name from a title: without the characters Excel refuses, at most 31, cut between words."""
    words = re.sub(r"[\\/?*\[\]:]", " ", title).split()
    name = ""
    for word in words:
        if len(name) + len(word) + bool(name) > 31:
            break
        name = f"{name} {word}" if name else word
    return name or (words[0][:31] if words else "Data")


def export_code(kind: str, name: str, title: str, intro: str, table_heading: str = "Data",
                max_rows: int = 30) -> str:
    """Code writing `table` as `kind` to OUTPUT_DIR/name."""
    return export_to_path(kind, f'f"{{OUTPUT_DIR}}/{name}"', name, title, intro, table_heading, max_rows)


def export_to_path(kind: str, path_expr: str, name: str, title: str, intro: str = "",
                   table_heading: str = "Data", max_rows: int = 30) -> str:
    """Code writing `table` as `kind` to the path the expression `path_expr` evaluates to."""
    sheet = sheet_title(title)
    body = TEMPLATES[kind].format(name=name, title=title, intro=intro, table_heading=table_heading,
                                  max_rows=max_rows, sheet=sheet)
    return f"out_path = {path_expr}\n" + block(body)
