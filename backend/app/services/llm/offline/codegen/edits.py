"""Edits of a file generated earlier: append / replace / delete a row, column,
value or paragraph, saved back to the same path.

Column names of a generated file are not known on the server, so the code
matches the names the instruction uses against the file's header at run time.
"""

from __future__ import annotations

import re
from typing import Any

from app.services.agent.request_reading import edit_operation
from app.services.llm.offline.codegen.exports import export_to_path
from app.services.llm.offline.codegen.snippets import READ_DATA, block

QUOTED = re.compile(r"[\"'“”‘’`]([^\"'“”‘’`]+)[\"'“”‘’`]")

COL_NAMED = '''
def col_named(name, columns):
    """The column called `name` (case/space/underscore-insensitive), else one containing it."""
    def key(text):
        return "".join(ch for ch in str(text).lower() if ch.isalnum())
    for col in columns:
        if key(col) == key(name):
            return col
    for col in columns:
        if key(name) and (key(name) in key(col) or key(col) in key(name)):
            return col
    return None


def as_value(text):
    """'12' -> 12, '1.5' -> 1.5, anything else stays text."""
    text = str(text).strip()
    try:
        return int(text.replace(",", ""))
    except ValueError:
        try:
            return float(text.replace(",", ""))
        except ValueError:
            return text
'''


def quoted(text: str) -> list[str]:
    return [q.strip() for q in QUOTED.findall(text)]


def after(text: str, *markers: str) -> str | None:
    for marker in markers:
        match = re.search(marker, text, re.IGNORECASE)
        if match:
            value = text[match.end():].strip().strip(" .'\"")
            if value:
                return value
    return None


def infer_op(instruction: str, op: str | None) -> str:
    if op in ("append", "replace", "delete"):
        return op
    return edit_operation(instruction)


def edit_code(edit_action: dict[str, Any], request: str) -> str:
    target = edit_action.get("target") or {}
    filename = str(target.get("filename") or "").strip()
    path = str(target.get("path") or "").strip() or f"{{OUTPUT_DIR}}/{filename}"
    path_expr = f"f{path!r}" if "{OUTPUT_DIR}" in path else repr(path)
    instruction = str(edit_action.get("instruction") or request or "")
    op = infer_op(instruction, edit_action.get("op"))
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else path.rsplit(".", 1)[-1].lower()
    if ext in ("csv", "xlsx", "xls"):
        return table_edit(ext, path_expr, filename, op, instruction)
    if ext == "docx":
        return docx_edit(path_expr, filename, op, instruction)
    return block(f'''
        print({f"{filename} is a .{ext} file, which cannot be edited in place. "
               "Ask me to generate it again with the change and I will write a new version."!r})
    ''')


# --- tables (CSV / XLSX) -------------------------------------------------------

def table_edit(ext: str, path_expr: str, filename: str, op: str, instruction: str) -> str:
    low = instruction.lower()
    load = "df = read_table(path)"
    if "column" in low or "field" in low:
        change = {"append": add_column, "delete": delete_column, "replace": replace_in_table}[op](instruction)
    else:
        change = {"append": add_row, "delete": delete_row, "replace": replace_in_table}[op](instruction)
    head = block(f'''
        path = {path_expr}
        {load}
        before = df.shape
    ''')
    if ext == "csv":
        save = block('''
            df.to_csv(path, index=False)
            print("FILE_SAVED:" + path)
        ''')
    else:
        stem = re.sub(r"\.[^.]*$", "", filename) or "Data"
        save = "table = df\nsheets = []\n" + export_to_path("xlsx", "path", filename, stem)
    report = block(f'''
        print("Updated {filename}: {{}} rows x {{}} columns (was {{}} x {{}})".format(
            df.shape[0], df.shape[1], before[0], before[1]))
        print(df.tail(5).to_string())
    ''')
    helpers = block(COL_NAMED) + "\n\n" + block(READ_DATA)
    return helpers + "\n\n" + head + change + report + save


def add_column(instruction: str) -> str:
    names = quoted(instruction)
    match = re.search(r"column\s+(?:called\s+|named\s+)?([A-Za-z_][\w ]*?)\s*(?:=|\bas\b|\bwith\b|\bthat\b|"
                      r"\bwhich\b|\bequal|\bcontaining\b|\bfor\b|\bshowing\b|$)", instruction, re.IGNORECASE)
    name = names[0] if names else (match.group(1).strip() if match else "new_column")
    if name.lower() in {"a", "an", "new", "the"}:
        name = "new_column"
    low = instruction.lower()
    arith = re.search(r"(?:=|\bas\b|equal to|equals)\s*([A-Za-z_][\w ]*?)\s*([*/+-]|times|divided by|plus|minus)"
                      r"\s*([A-Za-z_][\w ]*|\d+(?:\.\d+)?)\s*$", instruction, re.IGNORECASE)
    lines = [f"new_col = {name!r}", "numeric = list(df.select_dtypes(include='number').columns)"]
    if arith:
        a, op_word, b = arith.group(1).strip(), arith.group(2).lower(), arith.group(3).strip()
        op = {"times": "*", "divided by": "/", "plus": "+", "minus": "-"}.get(op_word, op_word)
        right = b if re.fullmatch(r"\d+(?:\.\d+)?", b) else f"df[col_named({b!r}, df.columns)]"
        lines.append(f"df[new_col] = df[col_named({a!r}, df.columns)] {op} {right}")
    elif re.search(r"percent|share|%", low):
        lines += [
            "base = next((c for c in numeric if str(c).lower() in " + repr(low) + "), numeric[0] if numeric else None)",
            "df[new_col] = (df[base] / df[base].sum() * 100).round(2)",
        ]
    elif "rank" in low:
        lines += [
            "base = next((c for c in numeric if str(c).lower() in " + repr(low) + "), numeric[0] if numeric else None)",
            "df[new_col] = df[base].rank(ascending=False, method='min').astype(int)",
        ]
    elif "million" in low or "thousand" in low:
        scale = 1_000_000 if "million" in low else 1_000
        lines += [
            "base = next((c for c in numeric if str(c).lower() in " + repr(low) + "), numeric[0] if numeric else None)",
            f"df[new_col] = (df[base] / {scale}).round(2)",
        ]
    else:
        value = after(instruction, r"\bwith (?:the )?value\b", r"\bwith\b", r"=")
        lines.append(f"df[new_col] = as_value({value!r})" if value else 'df[new_col] = ""')
    return "\n".join(lines) + "\n"


def delete_column(instruction: str) -> str:
    names = quoted(instruction)
    match = re.search(r"(?:the\s+)?([A-Za-z_][\w ]*?)\s+column", instruction, re.IGNORECASE)
    match2 = re.search(r"column\s+(?:called\s+|named\s+)?([A-Za-z_][\w ]*)", instruction, re.IGNORECASE)
    name = names[0] if names else (match2.group(1).strip() if match2 else (match.group(1) if match else ""))
    name = re.sub(r"^(delete|remove|drop)\s+(the\s+)?", "", name, flags=re.IGNORECASE).strip()
    return block(f'''
        col = col_named({name!r}, df.columns)
        if col is not None:
            df = df.drop(columns=[col])
            print("Deleted column " + str(col))
        else:
            print("No column called " + {name!r} + " in the file; columns are: " + ", ".join(map(str, df.columns)))
    ''')


def add_row(instruction: str) -> str:
    low = instruction.lower()
    if re.search(r"\btotals?\b|\bsum\b", low) and ":" not in instruction:
        return block('''
            numeric = list(df.select_dtypes(include="number").columns)
            total = {col: df[col].sum() for col in numeric}
            label_cols = [c for c in df.columns if c not in numeric]
            if label_cols:
                total[label_cols[0]] = "Total"
            df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
            print("Added a total row")
        ''')
    values_text = after(instruction, r":", r"\bwith (?:values?)?\b", r"\bcontaining\b", r"\bfor\b") or ""
    values = [v.strip().strip("'\"") for v in values_text.split(",") if v.strip()]
    return block(f'''
        values = [as_value(v) for v in {values!r}]
        row = {{col: (values[i] if i < len(values) else None) for i, col in enumerate(df.columns)}}
        df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
        print("Added a row: " + ", ".join(str(v) for v in values))
    ''')


def delete_row(instruction: str) -> str:
    low = instruction.lower()
    number = re.search(r"\brow\s+(?:number\s+)?(\d+)", low)
    if number:
        index = int(number.group(1)) - 1
        return block(f'''
            if 0 <= {index} < len(df):
                print("Deleted row {index + 1}: " + ", ".join(str(v) for v in df.iloc[{index}].tolist()))
                df = df.drop(df.index[{index}]).reset_index(drop=True)
            else:
                print("The file has only {{}} rows; nothing deleted".format(len(df)))
        ''')
    if re.search(r"\b(last|final)\s+row", low):
        return block('''
            if len(df):
                print("Deleted the last row: " + ", ".join(str(v) for v in df.iloc[-1].tolist()))
                df = df.iloc[:-1]
        ''')
    if re.search(r"\bfirst\s+row", low):
        return block('''
            if len(df):
                print("Deleted the first row: " + ", ".join(str(v) for v in df.iloc[0].tolist()))
                df = df.iloc[1:].reset_index(drop=True)
        ''')
    names = quoted(instruction)
    value = names[0] if names else (
        after(instruction, r"\brows? (?:for|with|where|containing|of|about|that (?:has|contains|mentions))\b")
        or re.sub(r"^(delete|remove|drop)\s+(the\s+)?|\s+rows?\b.*$", "", instruction, flags=re.IGNORECASE).strip()
    )
    value = re.sub(r"^(the|is|=)\s+", "", value or "", flags=re.IGNORECASE).strip(" .")
    return block(f'''
        target = {value!r}.strip().lower()
        cells = df.astype(str).apply(lambda col: col.str.strip().str.lower())
        mask = (cells == target).any(axis=1)
        if not mask.any():
            mask = cells.apply(lambda col: col.str.contains(target, regex=False)).any(axis=1)
        print("Deleted {{}} row(s) matching {{!r}}".format(int(mask.sum()), {value!r}))
        df = df[~mask].reset_index(drop=True)
    ''')


def replace_in_table(instruction: str) -> str:
    rename = re.search(r"rename\s+(?:the\s+)?(?:column\s+)?['\"]?(.+?)['\"]?\s+(?:column\s+)?to\s+['\"]?(.+?)['\"]?\s*$",
                       instruction, re.IGNORECASE)
    if rename:
        old, new = rename.group(1).strip(), rename.group(2).strip()
        return block(f'''
            col = col_named({old!r}, df.columns)
            if col is not None:
                df = df.rename(columns={{col: {new!r}}})
                print("Renamed column " + str(col) + " to " + {new!r})
            else:
                print("No column called " + {old!r})
        ''')
    old, new = replace_pair(instruction)
    return block(f'''
        old, new = {old!r}, {new!r}
        hits = int((df.astype(str) == old).sum().sum())
        df = df.replace(old, as_value(new))
        renamed = {{c: new for c in df.columns if str(c) == old}}
        df = df.rename(columns=renamed)
        print("Replaced {{}} cell(s) equal to {{!r}} with {{!r}}".format(hits, old, new))
    ''')


def replace_pair(instruction: str) -> tuple[str, str]:
    names = quoted(instruction)
    if len(names) >= 2:
        return names[0], names[1]
    match = re.search(r"(?:replace|change|update|set|fix|correct)\s+(?:the\s+)?(.+?)\s+(?:with|to|into|by|as)\s+(.+?)\s*\.?$",
                      instruction, re.IGNORECASE)
    if match:
        return match.group(1).strip(" '\""), match.group(2).strip(" '\"")
    return "", ""


# --- Word documents --------------------------------------------------------------

def _target_path_expr(edit_action: dict[str, Any]) -> str:
    target = edit_action.get("target") or {}
    filename = str(target.get("filename") or "").strip()
    path = str(target.get("path") or "").strip() or f"{{OUTPUT_DIR}}/{filename}"
    return f"f{path!r}" if "{OUTPUT_DIR}" in path else repr(path)


def docx_chart_code(edit_action: dict[str, Any]) -> str:
    """Insert the chart(s) the code above saved (`chart_files`) into the Word document, with a
    heading naming the chart and a caption with its first finding."""
    filename = str((edit_action.get("target") or {}).get("filename") or "document.docx")
    return block(f'''
        from docx import Document
        from docx.shared import Inches

        path = {_target_path_expr(edit_action)}
        doc = Document(path)
        pictures_before = len(doc.inline_shapes)
        if not chart_files:
            print("No chart was drawn, so nothing was added to {filename}.")
        for chart in chart_files:
            heading = os.path.splitext(os.path.basename(chart))[0].replace("_", " ").capitalize()
            doc.add_heading(heading, level=1)
            doc.add_picture(chart, width=Inches(6))
            if findings:
                doc.add_paragraph(str(findings[0]))
        doc.save(path)
        print("Updated {filename}: inserted {{}} chart image(s) ({{}} in total)".format(
            len(doc.inline_shapes) - pictures_before, len(doc.inline_shapes)))
        print("FILE_SAVED:" + path)
    ''')


def docx_edit(path_expr: str, filename: str, op: str, instruction: str) -> str:
    head = block(f'''
        from docx import Document

        path = {path_expr}
        doc = Document(path)
        before = len(doc.paragraphs)
    ''')
    save = block(f'''
        doc.save(path)
        print("Updated {filename}: {{}} paragraphs (was {{}}), {{}} table(s)".format(
            len(doc.paragraphs), before, len(doc.tables)))
        print("FILE_SAVED:" + path)
    ''')
    change = {"append": docx_append, "replace": docx_replace, "delete": docx_delete}[op](instruction)
    return head + change + save


def paragraph_text(instruction: str) -> str:
    names = quoted(instruction)
    if names:
        return max(names, key=len)
    text = after(instruction, r":", r"\b(?:saying|that says|which says|stating|with the text|reading)\b",
                 r"\b(?:about|on)\b")
    if text:
        return text[:1].upper() + text[1:]
    return re.sub(r"^(please\s+)?(add|append|insert|write)\s+(a|an|the)?\s*(new\s+)?(paragraph|line|sentence)?\s*",
                  "", instruction, flags=re.IGNORECASE).strip() or instruction


def docx_append(instruction: str) -> str:
    low = instruction.lower()
    text = paragraph_text(instruction)
    if "table" in low and "row" in low:
        values = [v.strip() for v in text.split(",") if v.strip()]
        return block(f'''
            if doc.tables:
                cells = doc.tables[-1].add_row().cells
                for cell, value in zip(cells, {values!r}):
                    cell.text = value
                print("Added a table row: " + ", ".join({values!r}))
            else:
                print("The document has no table to add a row to.")
        ''')
    heading = re.search(r"\b(heading|section|title)\b", low)
    section = re.search(r"\b(conclusion|summary|introduction|references|notes)\b", low)
    if heading and not section:
        return f"doc.add_heading({text!r}, level=1)\nprint('Added heading: ' + {text!r})\n"
    lines = []
    if section and not low.startswith(section.group(1)):
        title = section.group(1).capitalize()
        lines.append(f"doc.add_heading({title!r}, level=1)")
    lines.append(f"doc.add_paragraph({text!r})")
    lines.append(f"print('Added paragraph: ' + {text!r})")
    return "\n".join(lines) + "\n"


def docx_replace(instruction: str) -> str:
    title = re.search(r"\b(?:title|heading)\b.*?\b(?:to|as|with)\s+['\"“]?(.+?)['\"”]?\s*$", instruction, re.IGNORECASE)
    if title and not re.search(r"\breplace\b", instruction, re.IGNORECASE):
        new = title.group(1).strip()
        return block(f'''
            heading = next((p for p in doc.paragraphs if p.style.name.startswith(("Title", "Heading"))), None)
            if heading is not None:
                old = heading.text
                heading.text = {new!r}
                print("Changed the title from {{!r}} to {{!r}}".format(old, {new!r}))
            else:
                doc.paragraphs[0].insert_paragraph_before({new!r}, style="Title")
                print("Added the title " + {new!r})
        ''')
    old, new = replace_pair(instruction)
    return block(f'''
        old, new = {old!r}, {new!r}
        count = 0
        paragraphs = list(doc.paragraphs)
        for table in doc.tables:
            for row in table.rows:
                for cell in row.cells:
                    paragraphs.extend(cell.paragraphs)
        for paragraph in paragraphs:
            if old and old in paragraph.text:
                count += paragraph.text.count(old)
                runs = [run for run in paragraph.runs if old in run.text]
                if runs:
                    for run in runs:
                        run.text = run.text.replace(old, new)
                else:
                    paragraph.text = paragraph.text.replace(old, new)
        print("Replaced {{}} occurrence(s) of {{!r}} with {{!r}}".format(count, old, new))
    ''')


def docx_delete(instruction: str) -> str:
    low = instruction.lower()
    if "table" in low and "row" not in low:
        return block('''
            if doc.tables:
                element = doc.tables[-1]._element
                element.getparent().remove(element)
                print("Deleted the last table")
            else:
                print("The document has no table.")
        ''')
    if re.search(r"\b(last|final)\s+(paragraph|line|sentence)", low):
        return block('''
            texts = [p for p in doc.paragraphs if p.text.strip()]
            if texts:
                print("Deleted paragraph: " + texts[-1].text[:80])
                texts[-1]._element.getparent().remove(texts[-1]._element)
        ''')
    names = quoted(instruction)
    target = names[0] if names else (after(
        instruction, r"\b(?:containing|that (?:says|contains|mentions)|about|with|mentioning|starting with)\b") or "")
    return block(f'''
        target = {target!r}.lower()
        removed = 0
        for paragraph in list(doc.paragraphs):
            if target and target in paragraph.text.lower():
                paragraph._element.getparent().remove(paragraph._element)
                removed += 1
        print("Deleted {{}} paragraph(s) containing {{!r}}".format(removed, {target!r}))
    ''')
