import { compileGlob, foldCase } from '../../src/exclusions.js'

const matches = (pattern: string, upn: string) => compileGlob(pattern)(foldCase(upn))

/**
 * The matcher this one replaced, as the regular expression picomatch built for a UPN glob:
 * `*` → `.*?`, `?` → one character, every other character literal, flag `i`. On characters a UPN
 * can hold (no `/`, no line break) that is exactly what it matched.
 */
function regexMatches(pattern: string, upn: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*?' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^(?:${source})$`, 'i').test(upn)
}

/** A small seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

describe('compileGlob matches what the regex matcher matched', () => {
  test.each<[string, string, boolean]>([
    ['admin@contoso.com', 'ADMIN@CONTOSO.COM', true],
    ['*', 'x', true],
    ['**', 'x', true],
    ['*a*', 'bab', true],
    ['*a*', 'bbb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['?', '', false],
    ['?', 'é', true],
    ['?', 'ab', false],
    ['*?', '', false],
    ['a?c*', 'abc', true],
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['*aab', 'aaab', true],
    ['*a?b*c', 'xaxbyyc', true],
    ['jane_fabrikam.com#EXT#@*', 'JANE_fabrikam.com#ext#@contoso.onmicrosoft.com', true],
    ['ÉLISE@*', 'élise@contoso.com', true],
    ['straße@*', 'STRASSE@contoso.com', false],
    ['s*', 'ſ', false],
    ['K@*', '\u212a@contoso.com', false],
    ['[ab]@*', 'a@contoso.com', false],
    ['[ab]@*', '[ab]@contoso.com', true],
    ['a.b@*', 'axb@contoso.com', false]
  ])('%s vs %s → %s', (pattern, upn, expected) => {
    expect(matches(pattern, upn)).toBe(expected)
    expect(regexMatches(pattern, upn)).toBe(expected)
  })

  test('on 20,000 random short patterns and UPNs', () => {
    const next = random(17)
    // Few letters, in both cases, so that matches are common (about one in ten), and the letters
    // whose case folding differs between Unicode and a regex.
    const alphabet = ['a', 'A', 'b', 'B', '.', 'é', 'É', 'ß', 'ſ', 's']
    const pick = (extra: string[], length: number) =>
      Array.from({ length }, () => {
        const all = [...alphabet, ...extra]
        return all[Math.floor(next() * all.length)]
      }).join('')
    let matched = 0
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick(['*', '*', '*', '*', '?', '?'], 1 + Math.floor(next() * 7))
      const upn = pick([], 1 + Math.floor(next() * 6))
      const expected = regexMatches(pattern, upn)
      if (matches(pattern, upn) !== expected) {
        throw new Error(`"${pattern}" vs "${upn}": the regex says ${expected}`)
      }
      if (expected) matched++
    }
    // Both outcomes are exercised, not only "no match".
    expect(matched).toBeGreaterThan(1000)
  })
})

describe('compileGlob takes time linear in the UPN, whatever the pattern', () => {
  /** CPU time, not wall time: other processes on the machine do not count. */
  function cpuMilliseconds(work: () => void): number {
    const start = process.cpuUsage()
    work()
    const used = process.cpuUsage(start)
    return (used.user + used.system) / 1000
  }

  const stars = (n: number, piece: string, end: string) => `${`*${piece}`.repeat(n)}*${end}`
  const long = 'a'.repeat(100 * 1024)

  // Each of these takes the backtracking regex seconds to minutes (the first one over a
  // minute on 60 characters); here every one of them on 100 KB stays far below a second.
  test.each<[string, string, string, boolean]>([
    ['*a×12 then b, 60 characters', stars(12, 'a', 'b'), 'a'.repeat(60), false],
    ['*a×12 then b, 100 KB', stars(12, 'a', 'b'), long, false],
    ['*a×40 then b, 100 KB', stars(40, 'a', 'b'), long, false],
    ['*?×30 then b, 100 KB', stars(30, '?', 'b'), long, false],
    ['*aaaaaaaab* (a long piece), 100 KB', '*aaaaaaaaaaaaaaaaaaaab*', long, false],
    ['*a×12 then b, 100 KB ending in b', stars(12, 'a', 'b'), `${long}b`, true],
    ['a×12 with ?*, 100 KB of @', stars(12, '?', '@'), '@'.repeat(100 * 1024), true]
  ])('%s', (_, pattern, upn, expected) => {
    let result: boolean | undefined
    const used = cpuMilliseconds(() => {
      result = matches(pattern, upn)
    })
    expect(result).toBe(expected)
    expect(used).toBeLessThan(1000)
  })
})
