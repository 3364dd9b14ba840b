import { BATCH_SIZE } from '../constants.js'
import {
  expected,
  isSuccess,
  TransientError,
  type HttpRequest,
  type HttpResponse,
  type Policy,
  type Send
} from './pipeline.js'

/**
 * JSON batching (https://learn.microsoft.com/graph/json-batching) as a layer of the pipeline:
 * GET requests marked `batch` that reach it in the same turn of the event loop go together, at
 * most 20 to a `$batch` POST; each gets its own sub-response back as its answer. The layers above
 * (retry, pacing, the 401 refresh) therefore treat a sub-request like any request: a throttled or
 * failed sub-request is sent again on its own, with the same retry strategy, and counts on its own
 * against the quota as Graph counts it ("each individual request is evaluated against the
 * applicable limits"). An envelope that fails, or whose answer is not a $batch answer, is the
 * answer of each request in it.
 */
interface Waiting {
  request: HttpRequest
  resolve(response: HttpResponse): void
  reject(error: unknown): void
}

interface SubResponse {
  id?: unknown
  status?: unknown
  headers?: unknown
  body?: unknown
}

/** `base`: the version root the sub-requests' URLs are relative to (`…/v1.0`). */
export function batching(base: string): Policy {
  let queue: Waiting[] = []
  return (request, next) => {
    // A sub-request's URL is relative to the version root; anything else goes on its own.
    if (!request.batch || !request.url.startsWith(`${base}/`)) return next(request)
    return new Promise<HttpResponse>((resolve, reject) => {
      queue.push({ request, resolve, reject })
      if (queue.length > 1) return
      setImmediate(() => {
        const taken = queue
        queue = []
        // Sub-requests carry no headers of their own: only requests with the same headers
        // (the same token) share an envelope.
        const byHeaders = new Map<string, Waiting[]>()
        for (const waiting of taken) {
          const key = JSON.stringify(waiting.request.headers)
          const group = byHeaders.get(key)
          if (group) group.push(waiting)
          else byHeaders.set(key, [waiting])
        }
        for (const group of byHeaders.values())
          for (let start = 0; start < group.length; start += BATCH_SIZE)
            void sendBatch(group.slice(start, start + BATCH_SIZE), base, next)
      })
    })
  }
}

async function sendBatch(group: Waiting[], base: string, next: Send): Promise<void> {
  const envelope: HttpRequest = {
    method: 'POST',
    url: `${base}/$batch`,
    headers: { ...group[0].request.headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      requests: group.map(({ request }, index) => ({
        id: String(index),
        method: 'GET',
        url: request.url.slice(base.length)
      }))
    }),
    // Its failure becomes each request's: name none of them in particular.
    what: `a $batch of ${group.length} requests`,
    expect: (json) =>
      Array.isArray((json as { responses?: unknown } | null)?.responses)
        ? undefined
        : 'with a $batch answer without a "responses" list'
  }
  let response: HttpResponse
  try {
    response = await next(envelope)
  } catch (error) {
    for (const waiting of group) waiting.reject(error)
    return
  }
  if (!isSuccess(response.status)) {
    for (const waiting of group) waiting.resolve(response)
    return
  }
  const responses = (response.json as { responses: SubResponse[] }).responses
  group.forEach(({ request, resolve, reject }, index) => {
    const sub = responses.find((candidate) => candidate?.id === String(index))
    try {
      resolve(subResponse(request, sub))
    } catch (error) {
      reject(error)
    }
  })
}

/** A sub-response as the answer to its request, checked as `decode` checks a whole answer. */
function subResponse(request: HttpRequest, sub: SubResponse | undefined): HttpResponse {
  if (sub === undefined || typeof sub.status !== 'number') {
    throw new TransientError(`Graph's $batch answer has no response for ${request.what}`, 'body')
  }
  const headers = new Map<string, string>()
  if (sub.headers !== null && typeof sub.headers === 'object')
    for (const [name, value] of Object.entries(sub.headers))
      if (typeof value === 'string' || typeof value === 'number')
        headers.set(name.toLowerCase(), String(value))
  const answer: HttpResponse = {
    status: sub.status,
    statusText: '',
    headers: {
      get: (name) => headers.get(name.toLowerCase()) ?? null,
      forEach: (callback) => headers.forEach((value, name) => callback(value, name))
    },
    text: JSON.stringify(sub.body ?? {})
  }
  if (!isSuccess(sub.status)) return answer
  // A JSON sub-response's body is the JSON itself; anything else arrives as a base64 string.
  if (sub.body === null || typeof sub.body !== 'object') {
    throw new TransientError(
      `Graph answered ${request.what} with a body that is not JSON (HTTP ${sub.status}, in a $batch)`,
      'body'
    )
  }
  return { ...answer, json: expected(request, sub.body) }
}
