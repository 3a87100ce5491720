import { describe, expect, it } from 'vitest'
import { fileKind, humanSize, normalizeFile } from './files.js'

describe('files', () => {
  it('maps extensions to the spec icons', () => {
    expect(fileKind('a.xlsx').icon).toBe('📊')
    expect(fileKind('a.docx').icon).toBe('📝')
    expect(fileKind('a.csv').icon).toBe('🗃️')
    expect(fileKind('a.pdf').icon).toBe('📕')
    expect(fileKind('chart.PNG').icon).toBe('🖼️')
    expect(fileKind('a.jpg').kind).toBe('image')
    expect(fileKind('notes.bin').icon).toBe('📎')
    expect(fileKind('noext', 'image/png').kind).toBe('image')
  })

  it('prints human sizes', () => {
    expect(humanSize(512)).toBe('512 B')
    expect(humanSize(42 * 1024)).toBe('42 KB')
    expect(humanSize(1536)).toBe('1.5 KB')
    expect(humanSize(3 * 1024 * 1024)).toBe('3 MB')
  })

  it('normalizes the /agent/files listing shape', () => {
    expect(normalizeFile({ id: 'f', name: 'a.csv', url: '/x', size: 1, type: 'csv' })).toEqual({
      filename: 'a.csv',
      download_url: '/x',
      size: 1,
      type: 'csv',
      file_id: 'f',
    })
  })
})
