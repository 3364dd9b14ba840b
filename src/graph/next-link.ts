/** Give up looking for a leading nextLink after this much of the body (it is never that far). */
const LINK_SCAN_LIMIT = 64 * 1024
const MEMBER_NAME = /\s*"((?:[^"\\]|\\.)*)"\s*:\s*/y
const SCALAR_AND_SEPARATOR = /("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)\s*[,}]/y

/**
 * The `@odata.nextLink` of a body that starts with it among its leading scalar members, as Graph
 * writes pages (`@odata.context`, `@odata.nextLink`, then `value`). `undefined`: more of the body
 * is needed; `null`: the link is not there before `value` (or the body is not an object).
 */
export function leadingNextLink(head: string): string | null | undefined {
  let at = head.charCodeAt(0) === 0xfeff ? 1 : 0
  while (at < head.length && /\s/.test(head[at])) at++
  if (at === head.length) return undefined
  if (head[at] !== '{') return null
  at++
  for (;;) {
    MEMBER_NAME.lastIndex = at
    const name = MEMBER_NAME.exec(head)
    if (!name || MEMBER_NAME.lastIndex === head.length) return needMore(head, at)
    SCALAR_AND_SEPARATOR.lastIndex = MEMBER_NAME.lastIndex
    const value = SCALAR_AND_SEPARATOR.exec(head)
    if (!value) {
      const next = head[MEMBER_NAME.lastIndex]
      // An array or object member (`value`): the link, if any, comes after the page.
      return next === '[' || next === '{' ? null : needMore(head, at)
    }
    if (name[1] === '@odata.nextLink') {
      const link: unknown = JSON.parse(value[1])
      return typeof link === 'string' && link !== '' ? link : null
    }
    if (head[SCALAR_AND_SEPARATOR.lastIndex - 1] === '}') return null
    at = SCALAR_AND_SEPARATOR.lastIndex
  }
}

const needMore = (head: string, at: number) =>
  head.length - at < LINK_SCAN_LIMIT ? undefined : null
