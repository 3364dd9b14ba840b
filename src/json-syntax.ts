/** Where a text stops being JSON, and what was expected there: never the text itself. */
export interface JsonSyntaxError {
  line: number
  column: number
  expected: string
}

// JSON strings may not hold control characters: the class names them on purpose.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const LITERAL = /true|false|null/y
const VALUE = 'a value (an object, a list, a string, a number, true, false or null)'

type State = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after'

/**
 * The first place where `text` breaks the JSON grammar (RFC 8259), or undefined when it is JSON.
 * For messages about files the action reads: JSON.parse's own messages quote the text around the
 * error, which must not be printed (the file may hold anything).
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const open: ('{' | '[')[] = []
  let state: State = 'value'
  let at = 0
  const fail = (expected: string): JsonSyntaxError => {
    const before = text.slice(0, at)
    const line = before.split('\n').length
    return { line, column: at - (before.lastIndexOf('\n') + 1) + 1, expected }
  }
  const take = (pattern: RegExp): boolean => {
    pattern.lastIndex = at
    if (!pattern.test(text)) return false
    at = pattern.lastIndex
    return true
  }
  for (;;) {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++
    const closer = open[open.length - 1] === '{' ? '}' : ']'
    if (at === text.length) {
      if (state === 'after' && open.length === 0) return undefined
      return fail(
        `more: the text ends ${open.length > 0 ? `before its closing ${closer}` : 'early'}`
      )
    }
    const char = text[at]
    switch (state) {
      case 'value':
      case 'value-or-close':
        if (char === ']' && state === 'value-or-close') {
          open.pop()
          at++
          state = 'after'
        } else if (char === '{' || char === '[') {
          open.push(char)
          at++
          state = char === '{' ? 'key-or-close' : 'value-or-close'
        } else if (char === '"') {
          if (!take(STRING))
            return fail('a string closed by " on the same line, with valid escapes')
          state = 'after'
        } else if (take(NUMBER) || take(LITERAL)) {
          state = 'after'
        } else return fail(VALUE)
        break
      case 'key':
      case 'key-or-close':
        if (char === '}' && state === 'key-or-close') {
          open.pop()
          at++
          state = 'after'
        } else if (char === '"' && take(STRING)) state = 'colon'
        else return fail('a property name in double quotes')
        break
      case 'colon':
        if (char !== ':') return fail("':' after the property name")
        at++
        state = 'value'
        break
      case 'after':
        if (open.length === 0) return fail('nothing after the end of the JSON value')
        if (char === ',') {
          at++
          state = closer === '}' ? 'key' : 'value'
        } else if (char === closer) {
          open.pop()
          at++
        } else return fail(`',' or '${closer}'`)
        break
    }
  }
}
