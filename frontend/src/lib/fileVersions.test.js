import { describe, expect, it } from 'vitest'
import { fileVersions, versionOf } from './fileVersions.js'

const turn = (id, ...names) => ({ id, role: 'assistant', generated_files: names.map((filename) => ({ filename })) })

describe('fileVersions', () => {
  it('a name written again by a later turn is a new version; the older one is replaced', () => {
    const versions = fileVersions([
      { id: 'u1', role: 'user', content: 'chart' },
      turn('a1', 'chart.png', 'summary.csv'),
      turn('a2', 'chart.png'),
      turn('a3', 'other.png', 'chart.png'),
    ])
    expect(versionOf(versions.get('a1'), 'chart.png')).toEqual({ version: 1, latest: 3, replaced: true })
    expect(versionOf(versions.get('a2'), 'chart.png')).toEqual({ version: 2, latest: 3, replaced: true })
    expect(versionOf(versions.get('a3'), 'chart.png')).toEqual({ version: 3, latest: 3, replaced: false })
    expect(versionOf(versions.get('a1'), 'summary.csv')).toEqual({ version: 1, latest: 1, replaced: false })
  })
  it('a name listed twice in one turn is one version; unknown files are their only version', () => {
    const versions = fileVersions([turn('a1', 'x.png', 'x.png')])
    expect(versionOf(versions.get('a1'), 'x.png')).toEqual({ version: 1, latest: 1, replaced: false })
    expect(versionOf(undefined, 'y.png').replaced).toBe(false)
  })
})
