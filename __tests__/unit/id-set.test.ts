import { randomUUID } from 'node:crypto'
import { IdSet } from '../../src/graph/id-set.js'

describe('IdSet', () => {
  test('an ID is added once, in any case', () => {
    const ids = new IdSet()
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e'
    expect(ids.add(id)).toBe(true)
    expect(ids.add(id)).toBe(false)
    expect(ids.add(id.toUpperCase())).toBe(false)
    expect(ids.add('0f8fad5b-d9cb-469f-a165-70867728950f')).toBe(true)
    expect(ids.size).toBe(2)
  })

  test.each([
    ['the all-zero GUID', '00000000-0000-0000-0000-000000000000'],
    ['all f', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['an ID that is not a GUID', 'User_42'],
    ['a GUID without dashes', '0f8fad5bd9cb469fa16570867728950e'],
    ['a GUID in braces', '{0f8fad5b-d9cb-469f-a165-70867728950e}'],
    ['the empty string', '']
  ])('%s is kept like any other', (_, id) => {
    const ids = new IdSet()
    expect(ids.add(id)).toBe(true)
    expect(ids.add(id.toUpperCase())).toBe(false)
    expect(ids.size).toBe(1)
  })

  test('a GUID and the same hex without dashes are different IDs', () => {
    const ids = new IdSet()
    expect(ids.add('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(true)
    expect(ids.add('0f8fad5bd9cb469fa16570867728950e')).toBe(true)
  })

  test('through many growths it agrees with a Set of the lower-case strings', () => {
    const ids = new IdSet()
    const reference = new Set<string>()
    // Random and sequential GUIDs (sequential ones collide in the low words), each seen twice.
    const all = Array.from({ length: 50_000 }, (_, i) =>
      i % 2 === 0
        ? randomUUID()
        : `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`.toUpperCase()
    )
    const disagree: string[] = []
    for (const id of [...all, ...all.slice(0, 20_000).reverse()]) {
      const fresh = !reference.has(id.toLowerCase())
      reference.add(id.toLowerCase())
      if (ids.add(id) !== fresh) disagree.push(id)
    }
    expect(disagree).toEqual([])
    expect(ids.size).toBe(reference.size)
    expect(ids.size).toBe(50_000)
  })
})
