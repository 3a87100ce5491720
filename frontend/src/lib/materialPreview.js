// What a material's preview shows, from the head of its extracted text
// (GET /materials/{id}/text with a Range header): the first rows of a data
// file as a table, the opening of a document as text.

export const PREVIEW_BYTES = 64 * 1024
export const PREVIEW_ROWS = 20
const SHEET_LINE = /^# Sheet: (.*)$/

/** The delimiter the first line uses most: comma, semicolon or tab. */
export function sniffDelimiter(line) {
  let best = ','
  let bestCount = 0
  for (const d of [',', ';', '\t']) {
    const count = line.split(d).length - 1
    if (count > bestCount) {
      best = d
      bestCount = count
    }
  }
  return best
}

/** Up to `maxRows` CSV records (RFC 4180 quotes, embedded newlines). */
export function parseCsv(text, { delimiter = ',', maxRows = Infinity } = {}) {
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"' && cell === '') quoted = true
    else if (ch === delimiter) {
      row.push(cell)
      cell = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(cell)
      if (row.some((c) => c !== '')) rows.push(row) // blank lines are not records
      row = []
      cell = ''
    } else cell += ch
  }
  const last = [...row, cell]
  if (last.some((c) => c !== '') && rows.length < maxRows) rows.push(last)
  return rows
}

/** Cut a truncated head back to its last complete line (a cut UTF-8 char or row is dropped). */
function completeLines(text, truncated) {
  if (!truncated) return text
  const end = text.lastIndexOf('\n')
  return end > 0 ? text.slice(0, end + 1) : text.replace(/\uFFFD+$/, '')
}

/**
 * `{kind: 'table', sheet, columns, rows, more}` for data files (CSV, XLSX:
 * its first sheet), `{kind: 'text', text, more}` for documents.
 * `truncated`: the text is only the head of a longer file.
 */
export function buildPreview(text, { ext, type, truncated = false, maxRows = PREVIEW_ROWS } = {}) {
  const body = completeLines(text ?? '', truncated)
  const isData = type === 'data' || ['csv', 'xlsx', 'xls'].includes(ext)
  if (!isData) return { kind: 'text', text: body.trimEnd(), more: truncated }

  let sheet = null
  let csvText = body
  const lines = body.split('\n')
  const sheetMatch = SHEET_LINE.exec(lines[0] ?? '')
  if (sheetMatch) {
    sheet = sheetMatch[1]
    const nextSheet = lines.findIndex((l, i) => i > 0 && SHEET_LINE.test(l))
    csvText = lines.slice(1, nextSheet > 0 ? nextSheet : undefined).join('\n')
  }
  const delimiter = ext === 'xlsx' || ext === 'xls' ? ',' : sniffDelimiter(csvText.split('\n', 1)[0] ?? '')
  const records = parseCsv(csvText, { delimiter, maxRows: maxRows + 2 })
  if (records.length === 0) return { kind: 'text', text: body.trimEnd(), more: truncated }
  const [columns, ...rest] = records
  const width = Math.max(columns.length, ...rest.map((r) => r.length))
  const pad = (r) => [...r, ...Array(Math.max(0, width - r.length)).fill('')]
  return {
    kind: 'table',
    sheet,
    columns: pad(columns),
    rows: rest.slice(0, maxRows).map(pad),
    more: truncated || rest.length > maxRows,
  }
}
