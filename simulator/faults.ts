/**
 * Injected faults: a queue the tests fill (`addFault`) and the routes consult once per request of
 * their target. Each fault counts its own matching requests, so `after: 2` means "the third
 * matching request fails", whatever other faults are queued.
 */
import type { Fault, FaultTarget, SimResponse } from './types.js'
import { graphError } from './http.js'

/** Thrown by a route (or raised by the server) to destroy the socket: a network error. */
export class ResetConnection extends Error {
  constructor() {
    super('simulated connection reset')
  }
}

interface Entry {
  fault: Fault
  seen: number
  hits: number
}

export class FaultQueue {
  private entries: Entry[] = []

  add(fault: Fault): void {
    this.entries.push({ fault, seen: 0, hits: 0 })
  }

  clear(): void {
    this.entries = []
  }

  /** Faults still able to fire (for diagnostics). */
  pending(): Fault[] {
    return this.entries.filter((e) => e.hits < (e.fault.times ?? 1)).map((e) => e.fault)
  }

  /** The fault that hits this request of `target`, counted; undefined when none does. */
  next(target: FaultTarget): Fault | undefined {
    let hit: Fault | undefined
    for (const e of this.entries) {
      if (e.fault.target !== target || e.hits >= (e.fault.times ?? 1)) continue
      if (e.seen < (e.fault.after ?? 0)) {
        e.seen++
        continue
      }
      if (!hit) {
        e.hits++
        hit = e.fault
      }
    }
    return hit
  }
}

/** The body of a `not-json` fault: what a proxy or gateway answers in Graph's place. */
export const NOT_JSON_BODY =
  '<html><head><title>Service Unavailable</title></head><body>The gateway is busy.</body></html>'

/**
 * The response a `status` fault stands for: its `body`, or a Graph-style error, with Retry-After
 * when given; a `not-json` fault's 200 HTML page. `reset` throws ResetConnection; `revoke-token`,
 * the page faults, `hang` and `truncate` have no response of their own (the server applies the
 * last two to the real response).
 */
export function faultResponse(fault: Fault): SimResponse | undefined {
  if (fault.kind === 'reset') throw new ResetConnection()
  if (fault.kind === 'not-json') {
    return { status: 200, headers: { 'Content-Type': 'text/html' }, body: NOT_JSON_BODY }
  }
  if (fault.kind !== 'status') return undefined
  const status = fault.status ?? 503
  const headers: Record<string, string> = {}
  if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter
  if (fault.body !== undefined) {
    return { status, headers, body: fault.body as SimResponse['body'] }
  }
  const [code, message] = FAULT_TEXT[status] ?? ['UnknownError', `Simulated HTTP ${status}.`]
  return graphError(status, code, message, headers)
}

const FAULT_TEXT: Record<number, [string, string]> = {
  400: ['BadRequest', 'Simulated bad request.'],
  429: [
    'TooManyRequests',
    'Too many requests from Identifier:00000000-0000-0000-0000-000000000000 under category:throttle.Resource.ReadWrite. Please try again later.'
  ],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['serviceNotAvailable', 'Service is unavailable. Please try again later.'],
  504: ['UnknownError', 'The gateway timed out.']
}
