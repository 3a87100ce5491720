import { describe, expect, it } from 'vitest'
import { chosenFileRequest } from './chosenFile.js'

describe('chosenFileRequest', () => {
  it('sends nothing extra without a chosen file', () => {
    expect(chosenFileRequest(null, undefined)).toEqual({ materialIds: undefined, materialId: undefined })
    expect(chosenFileRequest(null, ['a'])).toEqual({ materialIds: ['a'], materialId: undefined })
  })

  it('a data file is the dataset and keeps the other files', () => {
    expect(chosenFileRequest({ id: 'd1', type: 'data' }, undefined)).toEqual({
      materialIds: undefined,
      materialId: 'd1',
    })
  })

  it('a document narrows the turn to itself', () => {
    expect(chosenFileRequest({ id: 'doc', type: 'document' }, ['x', 'y'])).toEqual({
      materialIds: ['doc'],
      materialId: 'doc',
    })
  })
})
