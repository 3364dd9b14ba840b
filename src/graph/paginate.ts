import type { GraphClient } from './client.js'
import { GraphFailure } from './errors.js'

interface GraphPage<T> {
  value?: T[]
  '@odata.nextLink'?: string
}

/**
 * Every page of a Graph collection, following `@odata.nextLink` to the end. A page without a
 * `value` array is an error, never an empty page: a short list must not pass for a whole one.
 * The next page is asked for before this one is handed over, so Graph's latency overlaps the
 * caller's work on it (still one page request in flight at a time).
 */
export async function* pages<T>(
  graph: GraphClient,
  firstPath: string,
  what: string
): AsyncGenerator<T[]> {
  const fetchPage = (link: string, number: number) => {
    const page = graph.get<GraphPage<T>>(link, `${what} page ${number}`)
    // Awaited below; this only keeps a failure after an early exit from being unhandled.
    page.catch(() => undefined)
    return page
  }
  let pending: Promise<GraphPage<T>> | undefined = fetchPage(firstPath, 1)
  for (let number = 1; pending !== undefined; number++) {
    const page: GraphPage<T> = await pending
    if (!Array.isArray(page.value)) {
      throw new GraphFailure(
        `Graph answered ${what} page ${number} without a "value" list; the listing cannot be trusted.`
      )
    }
    const next = page['@odata.nextLink'] || undefined
    pending = next === undefined ? undefined : fetchPage(next, number + 1)
    // The request goes out on a later tick: let it leave before the caller's (synchronous) work.
    if (pending) await new Promise((resolve) => setImmediate(resolve))
    yield page.value
  }
}
