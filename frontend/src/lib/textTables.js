// Tables that code printed (pandas' DataFrame / describe() layout) found in
// stdout, so the drawer can show them as tables. Conservative: a block counts
// only if every row is right-aligned on the header's column ends (as pandas
// prints them); anything else stays text.

const MIN_ROWS = 2
const MIN_COLUMNS = 2

/** [start, end) of each header token; the header must start with whitespace (the index column). */
function headerColumns(line) {
  if (!/^\s+\S/.test(line)) return null
  const cols = [...line.matchAll(/\S+/g)].map((m) => [m.index, m.index + m[0].length])
  return cols.length >= MIN_COLUMNS ? cols : null
}

/** The row's [label, ...cells], or null when it is not aligned on `cols`. */
function splitRow(line, cols) {
  if (!line.trim() || line.length > cols[cols.length - 1][1] + 1) return null
  if (/^\s/.test(line)) return null // a row starts with its index label
  const cells = []
  let labelEnd = null
  for (let i = 0; i < cols.length; i++) {
    const end = cols[i][1]
    if (line[end - 1] == null || line[end - 1] === ' ' || (line[end] != null && line[end] !== ' ')) return null
    const start = i === 0 ? null : cols[i - 1][1]
    if (i === 0) {
      // The first cell is the token ending at the column's end; the label is what precedes it.
      const before = line.slice(0, end)
      const m = /(\S+)$/.exec(before)
      labelEnd = m.index
      if (!/\s$/.test(line.slice(0, labelEnd))) return null
      cells.push(m[1])
    } else {
      const cell = line.slice(start, end).trim()
      if (!cell || /\s{2,}/.test(cell)) return null
      cells.push(cell)
    }
  }
  const label = line.slice(0, labelEnd).trim()
  return label ? [label, ...cells] : null
}

/**
 * stdout → segments in order: `{type: 'text', text}` and
 * `{type: 'table', header: [...names], rows: [[label, ...cells]]}`.
 */
export function splitTextTables(text) {
  const lines = String(text ?? '').split('\n')
  const segments = []
  let buffer = []
  const flush = () => {
    if (buffer.length) segments.push({ type: 'text', text: buffer.join('\n') })
    buffer = []
  }
  let i = 0
  while (i < lines.length) {
    const cols = headerColumns(lines[i])
    if (cols) {
      const rows = []
      let j = i + 1
      for (; j < lines.length; j++) {
        const row = splitRow(lines[j], cols)
        if (!row) break
        rows.push(row)
      }
      if (rows.length >= MIN_ROWS) {
        flush()
        segments.push({ type: 'table', header: cols.map(([s, e]) => lines[i].slice(s, e)), rows })
        i = j
        continue
      }
    }
    buffer.push(lines[i])
    i++
  }
  flush()
  return segments
}
