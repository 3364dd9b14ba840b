import {
  isRetryableStatus,
  parseRetryAfter,
  pipeline,
  TransientError,
  type HttpResponse,
  type Send
} from '../../src/graph/pipeline.js'
import { RetriesExhausted, retrying, type RetryContext } from '../../src/graph/retry.js'
import { FakeClock } from '../../__fixtures__/io.js'

const NOW = new Date('2025-06-15T12:00:00Z')

describe('parseRetryAfter', () => {
  test.each<[string, string | null | undefined, number | undefined]>([
    ['whole seconds', '5', 5000],
    ['zero', '0', 0],
    ['fractional seconds', '1.5', 1500],
    ['small fraction', '0.25', 250],
    ['surrounding spaces', ' 3 ', 3000],
    ['an HTTP date 10 s ahead', new Date(NOW.getTime() + 10_000).toUTCString(), 10_000],
    ['an HTTP date 2 minutes ahead', 'Sun, 15 Jun 2025 12:02:00 GMT', 120_000],
    ['an HTTP date in the past', 'Sun, 15 Jun 2025 11:00:00 GMT', 0],
    ['absent', undefined, undefined],
    ['null', null, undefined],
    ['empty', '', undefined],
    ['blank', '   ', undefined],
    ['a word', 'soon', undefined],
    ['seconds with a unit', '5s', undefined],
    ['hex', '0x10', undefined]
  ])('%s (%p) → %p ms', (_, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected)
  })

  test.each(['-1', '+5', '1.5.2'])('garbage %p is unreadable (undefined)', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined()
  })
})

describe('isRetryableStatus', () => {
  test.each([429, 500, 502, 503, 504])('%i is retried', (status) => {
    expect(isRetryableStatus(status)).toBe(true)
  })
  test.each([200, 201, 204, 301, 400, 401, 403, 404, 409, 501, 505])('%i is not', (status) => {
    expect(isRetryableStatus(status)).toBe(false)
  })
})

type Step = number | { status: number; retryAfter?: string } | Error

function scripted(steps: Step[]) {
  const sent: number[] = []
  let index = 0
  const send: Send = async () => {
    const step = steps[Math.min(index, steps.length - 1)]
    index++
    sent.push(index)
    if (step instanceof Error) throw step
    const { status, retryAfter } =
      typeof step === 'number' ? { status: step, retryAfter: undefined } : step
    const headers = new Map(retryAfter === undefined ? [] : [['retry-after', retryAfter]])
    return {
      status,
      statusText: '',
      headers: {
        get: (name: string) => headers.get(name.toLowerCase()) ?? null,
        forEach: (callback: (value: string, name: string) => void) => headers.forEach(callback)
      },
      text: JSON.stringify({ attempt: index })
    }
  }
  return { send, calls: () => sent.length }
}

function context(clock = new FakeClock(NOW, 0.5)) {
  const logs: string[] = []
  const retry: RetryContext = { clock, log: (message) => logs.push(message), waited: { ms: 0 } }
  return { retry, clock, logs }
}

const networkError = () => new TransientError('GET /beta/users: ECONNRESET', 'network')

/**
 * One request through the retry layer: the first answer that is not retried, or the last one
 * when the retries run out; a failure that outlasts them is thrown.
 */
async function withRetry(
  what: string,
  send: Send,
  retry: RetryContext,
  url = 'https://graph.example/beta/users?$select=id'
): Promise<HttpResponse> {
  try {
    return await pipeline(send, retrying(retry))({ method: 'GET', url, headers: {}, what })
  } catch (error) {
    if (error instanceof RetriesExhausted && error.response && error.reason !== 'too-long')
      return error.response
    throw error
  }
}

describe('withRetry', () => {
  test.each([429, 500, 502, 503, 504])(
    '%i then 200: retried once after the backoff',
    async (status) => {
      const { send, calls } = scripted([status, 200])
      const { retry, clock, logs } = context()
      const response = await withRetry('users page 1', send, retry)
      expect(response.status).toBe(200)
      expect(calls()).toBe(2)
      expect(clock.sleeps).toEqual([1000])
      expect(retry.waited.ms).toBe(1000)
      expect(logs.join('\n')).toContain(`HTTP ${status}`)
      expect(logs.join('\n')).toContain('users page 1')
    }
  )

  test.each([500, 502, 503, 504])(
    'always %i: 4 retries (5 sends), backoff 1, 2, 4, 8 s, then the last response',
    async (status) => {
      const { send, calls } = scripted([status])
      const { retry, clock } = context()
      const response = await withRetry('x', send, retry)
      expect(response.status).toBe(status)
      expect(calls()).toBe(5)
      expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000])
      expect(JSON.parse(response.text)).toEqual({ attempt: 5 })
    }
  )

  test.each([
    ['the directory (10 s window)', 'https://graph.example/beta/users?$select=id', 10_000],
    [
      'signInActivity (60 s window)',
      'https://graph.example/beta/users?$select=id,signInActivity',
      60_000
    ]
  ])(
    'always 429 without Retry-After, %s: 8 retries backing off 1, 2, 4 … s up to the documented window',
    async (_, url, windowMs) => {
      const { send, calls } = scripted([429])
      const { retry, clock, logs } = context()
      const response = await withRetry('x', send, retry, url)
      expect(response.status).toBe(429)
      expect(calls()).toBe(9)
      const expected = [1, 2, 4, 8, 16, 32, 64, 128].map((s) => Math.min(s * 1000, windowMs))
      expect(clock.sleeps).toEqual(expected)
      // The documented window has passed before the run gives up.
      expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(windowMs)
      expect(logs[0]).toMatch(/x: HTTP 429; waiting 1\.00 s before retry 1 of 8/)
    }
  )

  test('throttling is bounded by the total wait too: 10 minutes', async () => {
    const { send, calls } = scripted([{ status: 429, retryAfter: '299' }])
    const { retry, clock } = context()
    await withRetry('x', send, retry)
    expect(clock.sleeps).toEqual([299_000, 299_000])
    expect(calls()).toBe(3)
  })

  test('backoff has jitter within ±20%', async () => {
    const { send } = scripted([503])
    const { retry, clock } = context(new FakeClock(NOW, 0))
    await withRetry('x', send, retry)
    expect(clock.sleeps).toEqual([800, 1600, 3200, 6400])
  })

  test.each([400, 401, 403, 404])('%i is returned at once, not retried', async (status) => {
    const { send, calls } = scripted([status, 200])
    const { retry, clock } = context()
    const response = await withRetry('x', send, retry)
    expect(response.status).toBe(status)
    expect(calls()).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  test('a success is returned at once', async () => {
    const { send, calls } = scripted([200])
    const { retry, clock } = context()
    expect((await withRetry('x', send, retry)).status).toBe(200)
    expect(calls()).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  test.each([
    ['7', 7000],
    ['0.5', 500],
    ['2.75', 2750]
  ])('Retry-After %p is honoured exactly (%i ms, no jitter)', async (header, ms) => {
    const { send } = scripted([{ status: 429, retryAfter: header }, 200])
    const { retry, clock, logs } = context(new FakeClock(NOW, 0.99))
    const response = await withRetry('x', send, retry)
    expect(response.status).toBe(200)
    expect(clock.sleeps).toEqual([ms])
    expect(logs.join('\n')).toContain(`Retry-After ${header}`)
  })

  test('a 429 with Retry-After 0 backs off (1 s) instead of spending its refusals at once', async () => {
    const { send } = scripted([{ status: 429, retryAfter: '0' }, 200])
    const { retry, clock } = context()
    expect((await withRetry('x', send, retry)).status).toBe(200)
    expect(clock.sleeps).toEqual([1000])
  })

  test('Retry-After as an HTTP date', async () => {
    const at = new Date(NOW.getTime() + 30_000).toUTCString()
    const { send } = scripted([{ status: 503, retryAfter: at }, 200])
    const { retry, clock } = context()
    await withRetry('x', send, retry)
    expect(clock.sleeps).toEqual([30_000])
  })

  test('Retry-After on each retry, then backoff where it is missing', async () => {
    const { send } = scripted([
      { status: 429, retryAfter: '3' },
      503,
      { status: 429, retryAfter: '1.25' },
      200
    ])
    const { retry, clock } = context()
    await withRetry('x', send, retry)
    // Throttling and failures back off apart: the 503 is the first failure, 1 s.
    expect(clock.sleeps).toEqual([3000, 1000, 1250])
    expect(retry.waited.ms).toBe(5250)
  })

  test('a Retry-After beyond the limit fails instead of hanging', async () => {
    const { send, calls } = scripted([{ status: 429, retryAfter: '3600' }, 200])
    const { retry, clock } = context()
    await expect(withRetry('users page 3', send, retry)).rejects.toThrow(
      /longer than the 300 s the action waits/
    )
    expect(calls()).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  test('network errors are retried', async () => {
    const { send, calls } = scripted([networkError(), networkError(), 200])
    const { retry, clock, logs } = context()
    const response = await withRetry('x', send, retry)
    expect(response.status).toBe(200)
    expect(calls()).toBe(3)
    expect(clock.sleeps).toEqual([1000, 2000])
    expect(logs.join('\n')).toMatch(/network error/)
  })

  test('network errors every time: 5 tries, then the last error is thrown', async () => {
    const { send, calls } = scripted([networkError()])
    const { retry, clock } = context()
    await expect(withRetry('x', send, retry)).rejects.toBeInstanceOf(RetriesExhausted)
    expect(calls()).toBe(5)
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000])
  })

  test('a mix of network errors and 5xx counts against the same 4 retries', async () => {
    const { send, calls } = scripted([networkError(), 503, networkError(), 502, 504, 200])
    const { retry } = context()
    const response = await withRetry('x', send, retry)
    expect(response.status).toBe(504)
    expect(calls()).toBe(5)
  })

  test('an error that is not transient (a bug, a refused link) is not retried', async () => {
    const abort = new Error('The operation was aborted.')
    const { send, calls } = scripted([abort, 200])
    const { retry } = context()
    await expect(withRetry('x', send, retry)).rejects.toBe(abort)
    expect(calls()).toBe(1)
  })
})
