import type { GraphClient } from './client.js'
import { GraphFailure } from './errors.js'

interface GraphPage<T> {
  value?: T[]
  '@odata.nextLink'?: string
}

/**
 * Every page of a Graph collection, following `@odata.nextLink` to the end. A page without a
 * `value` array is an error, never an empty page: a short list must not pass for a whole one.
 */
export async function* pages<T>(
  graph: GraphClient,
  firstPath: string,
  what: string
): AsyncGenerator<T[]> {
  let next: string | undefined = firstPath
  for (let number = 1; next !== undefined; number++) {
    const page: GraphPage<T> = await graph.get<GraphPage<T>>(next, `${what} page ${number}`)
    if (!Array.isArray(page.value)) {
      throw new GraphFailure(
        `Graph answered ${what} page ${number} without a "value" list; the listing cannot be trusted.`
      )
    }
    yield page.value
    next = page['@odata.nextLink'] || undefined
  }
}
