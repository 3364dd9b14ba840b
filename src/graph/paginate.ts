import type { GraphClient } from './client.js'
import type { GraphCall } from './errors.js'

interface GraphPage<T> {
  value?: T[]
  '@odata.nextLink'?: string
}

/** One page request, and the next one once it was sent early (see `pages`). */
interface Slot<T> {
  page: Promise<GraphPage<T>>
  /** The nextLink read from the head of this page's body, before the whole body arrived. */
  earlyLink?: string
  next?: Slot<T>
}

/**
 * A page must carry a `value` list: checked inside the retried unit, so a body that is not a page
 * is sent again, and one that stays broken is an error, never an empty page.
 */
export const isPage = (json: unknown): string | undefined =>
  Array.isArray((json as GraphPage<unknown> | null)?.value) ? undefined : 'without a "value" list'

/**
 * Every page of a Graph collection, following `@odata.nextLink` to the end. A page without a
 * `value` array is an error, never an empty page: a short list must not pass for a whole one.
 *
 * Graph writes `@odata.nextLink` before `value`, so the next page is asked for as soon as the head
 * of this page's body has arrived: the request's latency overlaps reading, parsing and the
 * caller's work on this page. Read-ahead stays bounded: page n+1 is requested only once the caller
 * has asked for page n (at most the page being handed over, the one being read and one request).
 * The early link must equal the parsed one; otherwise (a body with a repeated key) it is dropped.
 */
export async function* pages<T>(
  graph: GraphClient,
  firstPath: string,
  call: GraphCall
): AsyncGenerator<T[]> {
  const { what } = call
  let wanted = 1
  const request = (link: string, number: number): Slot<T> => {
    const slot: Slot<T> = {
      page: graph.get<GraphPage<T>>(
        link,
        { ...call, what: `${what} page ${number}` },
        {
          onNextLink: (early) => {
            // A page sent again (a body that broke off) hands its link over once.
            if (slot.earlyLink !== undefined) return
            slot.earlyLink = early
            if (number <= wanted) slot.next = request(early, number + 1)
          },
          expect: isPage
        }
      )
    }
    // Awaited below; this only keeps a failure after an early exit from being unhandled.
    slot.page.catch(() => undefined)
    return slot
  }
  let slot = request(firstPath, 1)
  for (let number = 1; ; number++) {
    wanted = number
    // The link arrived while the caller was still on the page before: send the request now.
    if (slot.earlyLink !== undefined && slot.next === undefined)
      slot.next = request(slot.earlyLink, number + 1)
    const page: GraphPage<T> = await slot.page
    const next = page['@odata.nextLink'] || undefined
    if (next === undefined) {
      yield page.value!
      return
    }
    const early = slot.next !== undefined && slot.earlyLink === next
    slot = early ? slot.next! : request(next, number + 1)
    // A request made just now goes out on a later tick: let it leave before the caller's
    // (synchronous) work on this page.
    if (!early) await new Promise((resolve) => setImmediate(resolve))
    yield page.value!
  }
}
