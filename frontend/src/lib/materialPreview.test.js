import { describe, expect, it } from 'vitest'
import { buildPreview, parseCsv, sniffDelimiter } from './materialPreview.js'

describe('parseCsv', () => {
  it('reads quotes, doubled quotes, embedded delimiters and newlines', () => {
    const text = 'name,note\r\n"Smith, Ann","said ""hi""\nthen left"\nBob,\n'
    expect(parseCsv(text)).toEqual([
      ['name', 'note'],
      ['Smith, Ann', 'said "hi"\nthen left'],
      ['Bob', ''],
    ])
  })

  it('stops after maxRows and skips blank lines', () => {
    expect(parseCsv('a\n\nb\nc\nd', { maxRows: 2 })).toEqual([['a'], ['b']])
  })
})

describe('sniffDelimiter', () => {
  it('picks the separator the header uses most', () => {
    expect(sniffDelimiter('a;b;c')).toBe(';')
    expect(sniffDelimiter('a\tb')).toBe('\t')
    expect(sniffDelimiter('a,b;c,d')).toBe(',')
    expect(sniffDelimiter('single')).toBe(',')
  })
})

describe('buildPreview', () => {
  it('shows a CSV as header + first rows, flagging more', () => {
    const text = ['city,temp', ...Array.from({ length: 30 }, (_, i) => `c${i},${i}`)].join('\n')
    const p = buildPreview(text, { ext: 'csv', type: 'data', maxRows: 5 })
    expect(p.kind).toBe('table')
    expect(p.columns).toEqual(['city', 'temp'])
    expect(p.rows).toEqual([
      ['c0', '0'],
      ['c1', '1'],
      ['c2', '2'],
      ['c3', '3'],
      ['c4', '4'],
    ])
    expect(p.more).toBe(true)
  })

  it('drops the cut last row of a truncated head', () => {
    const p = buildPreview('a,b\n1,2\n3,4\n5,', { ext: 'csv', type: 'data', truncated: true })
    expect(p.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ])
    expect(p.more).toBe(true)
  })

  it('shows the first sheet of an XLSX extraction, padding short rows', () => {
    const text = '# Sheet: Sales\nregion,amount,note\nNorth,10\n\n# Sheet: Costs\nitem,cost\nrent,5\n'
    const p = buildPreview(text, { ext: 'xlsx', type: 'data' })
    expect(p).toEqual({
      kind: 'table',
      sheet: 'Sales',
      columns: ['region', 'amount', 'note'],
      rows: [['North', '10', '']],
      more: false,
    })
  })

  it('reads a semicolon CSV', () => {
    const p = buildPreview('a;b\n1;2\n', { ext: 'csv', type: 'data' })
    expect(p.columns).toEqual(['a', 'b'])
    expect(p.rows).toEqual([['1', '2']])
  })

  it('shows documents as text, trimming a cut UTF-8 character', () => {
    expect(buildPreview('--- Page 1 ---\nHello\n', { ext: 'pdf', type: 'document' })).toEqual({
      kind: 'text',
      text: '--- Page 1 ---\nHello',
      more: false,
    })
    const cut = buildPreview('one line no newline caf\uFFFD', { ext: 'txt', type: 'document', truncated: true })
    expect(cut).toEqual({ kind: 'text', text: 'one line no newline caf', more: true })
  })

  it('an empty data file falls back to (empty) text', () => {
    expect(buildPreview('', { ext: 'csv', type: 'data' }).kind).toBe('text')
  })
})
