import { describe, expect, it } from 'vitest'
import { splitTextTables } from './textTables.js'

// Printed by pandas 2.2: df.describe().T and a small DataFrame.
const DESCRIBE = `Numeric summary:
         count   mean     std   min    25%    50%   75%   max
units     12.0   9.50   5.072   3.0   5.75   8.50  12.5  20.0
price     12.0   5.50   3.384   2.5   2.50   4.00  10.0  10.0
revenue   12.0  39.75  11.449  27.5  30.00  36.75  50.0  60.0
price: mean 5.50`

const FRAME = `  region  units
0  North     12
1  South      7
2   East     20`

describe('splitTextTables', () => {
  it('finds a describe() table between text lines', () => {
    const segments = splitTextTables(DESCRIBE)
    expect(segments.map((s) => s.type)).toEqual(['text', 'table', 'text'])
    const table = segments[1]
    expect(table.header).toEqual(['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'])
    expect(table.rows[0]).toEqual(['units', '12.0', '9.50', '5.072', '3.0', '5.75', '8.50', '12.5', '20.0'])
    expect(table.rows).toHaveLength(3)
    expect(segments[2].text).toBe('price: mean 5.50')
  })
  it('reads a DataFrame with string columns and a numeric index', () => {
    const [table] = splitTextTables(FRAME)
    expect(table.type).toBe('table')
    expect(table.header).toEqual(['region', 'units'])
    expect(table.rows).toEqual([
      ['0', 'North', '12'],
      ['1', 'South', '7'],
      ['2', 'East', '20'],
    ])
  })
  it('leaves prose, a lone aligned line and misaligned blocks as text', () => {
    const text = 'sales.csv has 12 rows\n   a   b\nx  1   2\nPROBE {"fetch": "blocked"}'
    expect(splitTextTables(text)).toEqual([{ type: 'text', text }])
    expect(splitTextTables('')).toEqual([{ type: 'text', text: '' }])
  })
})
