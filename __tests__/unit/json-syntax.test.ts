import { jsonSyntaxError } from '../../src/json-syntax.js'

describe('jsonSyntaxError', () => {
  test.each([
    '{}',
    '[]',
    ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {"c": {}}}\n',
    '"just a string"',
    '0',
    '[[[[]]]]'
  ])('%s is JSON', (text) => {
    expect(() => JSON.parse(text) as unknown).not.toThrow()
    expect(jsonSyntaxError(text)).toBeUndefined()
  })

  test.each<[string, string, number, number, RegExp]>([
    ['the empty text', '', 1, 1, /ends early/],
    ['a passwd line', 'root:x:0:0:root:/root:/bin/bash\n', 1, 1, /a value/],
    ['a bare word on line 3', '{\n  "schemaVersion": 1,\n  "users": secret\n}', 3, 12, /a value/],
    ['a trailing comma', '{"a": 1,}', 1, 9, /property name/],
    ['a missing colon', '{"a" 1}', 1, 6, /':'/],
    ['a missing comma', '[1 2]', 1, 4, /',' or '\]'/],
    ['a wrong closer', '{"a": 1]', 1, 8, /',' or '}'/],
    ['text after the value', '{} x', 1, 4, /nothing after/],
    ['a cut-off list', '{"users": [1, 2', 1, 16, /before its closing \]/],
    ['a line break in a string', '{"a": "x\ny"}', 1, 7, /string closed/],
    ['a bad escape', '["\\x"]', 1, 2, /valid escapes/],
    ['a single-quoted name', "{'a': 1}", 1, 2, /double quotes/],
    ['a leading zero', '[01]', 1, 3, /',' or '\]'/],
    ['NaN', '[NaN]', 1, 2, /a value/]
  ])('%s', (_, text, line, column, expected) => {
    expect(() => JSON.parse(text) as unknown).toThrow()
    const error = jsonSyntaxError(text)
    expect(error).toMatchObject({ line, column })
    expect(error!.expected).toMatch(expected)
  })

  test('agrees with JSON.parse on random mutations of a report', () => {
    const report = JSON.stringify({
      schemaVersion: 1,
      users: [{ id: 'a', n: [1.5, null, true], s: 'q"\\\u00e9' }]
    })
    let state = 7
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '1',
      '-',
      'e',
      '.',
      ' ',
      '\\',
      'n',
      'x',
      '\n'
    ]
    const disagree: string[] = []
    for (let i = 0; i < 5000; i++) {
      const at = Math.floor(next() * report.length)
      const cut = next() < 0.5
      const text =
        report.slice(0, at) +
        (cut ? '' : pieces[Math.floor(next() * pieces.length)]) +
        report.slice(at + 1)
      let valid = true
      try {
        JSON.parse(text)
      } catch {
        valid = false
      }
      if ((jsonSyntaxError(text) === undefined) !== valid) disagree.push(text)
    }
    expect(disagree).toEqual([])
  })
})
