import { FetchError, Response } from 'node-fetch'
import {
  backoffMs,
  isRetryableStatus,
  parseRetryAfter,
  withRetry,
  type RetryContext
} from '../../src/graph/retry.js'
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

describe('backoffMs', () => {
  test.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [4, 8000],
    [10, 8000]
  ])('retry %i: %i ms ±20%%', (retry, base) => {
    expect(backoffMs(retry, () => 0.5)).toBe(base)
    expect(backoffMs(retry, () => 0)).toBe(base * 0.8)
    expect(backoffMs(retry, () => 0.999_999)).toBeCloseTo(base * 1.2, -1)
    for (let i = 0; i < 200; i++) {
      const wait = backoffMs(retry, Math.random)
      expect(wait).toBeGreaterThanOrEqual(base * 0.8)
      expect(wait).toBeLessThanOrEqual(base * 1.2)
    }
  })

  test('jitter varies with the random source', () => {
    expect(backoffMs(1, () => 0.1)).not.toBe(backoffMs(1, () => 0.9))
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
  const send = async (): Promise<Response> => {
    const step = steps[Math.min(index, steps.length - 1)]
    index++
    sent.push(index)
    if (step instanceof Error) throw step
    const { status, retryAfter } =
      typeof step === 'number' ? { status: step, retryAfter: undefined } : step
    return new Response(JSON.stringify({ attempt: index }), {
      status,
      headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter }
    })
  }
  return { send, calls: () => sent.length }
}

function context(clock = new FakeClock(NOW, 0.5)) {
  const logs: string[] = []
  const retry: RetryContext = { clock, log: (message) => logs.push(message), waited: { ms: 0 } }
  return { retry, clock, logs }
}

const networkError = () =>
  new FetchError('request to https://graph.example failed, reason: ECONNRESET', 'system')

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

  test.each([429, 500, 502, 503, 504])(
    'always %i: 4 retries (5 sends), backoff 1, 2, 4, 8 s, then the last response',
    async (status) => {
      const { send, calls } = scripted([status])
      const { retry, clock } = context()
      const response = await withRetry('x', send, retry)
      expect(response.status).toBe(status)
      expect(calls()).toBe(5)
      expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000])
      expect(await response.json()).toEqual({ attempt: 5 })
    }
  )

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
    ['2.75', 2750],
    ['0', 0]
  ])('Retry-After %p is honoured exactly (%i ms, no jitter)', async (header, ms) => {
    const { send } = scripted([{ status: 429, retryAfter: header }, 200])
    const { retry, clock, logs } = context(new FakeClock(NOW, 0.99))
    const response = await withRetry('x', send, retry)
    expect(response.status).toBe(200)
    expect(clock.sleeps).toEqual([ms])
    expect(logs.join('\n')).toContain(`Retry-After ${header}`)
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
    expect(clock.sleeps).toEqual([3000, 2000, 1250])
    expect(retry.waited.ms).toBe(6250)
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
    await expect(withRetry('x', send, retry)).rejects.toBeInstanceOf(FetchError)
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

  test('an abort is not retried', async () => {
    const abort = new Error('The operation was aborted.')
    abort.name = 'AbortError'
    const { send, calls } = scripted([abort, 200])
    const { retry } = context()
    await expect(withRetry('x', send, retry)).rejects.toBe(abort)
    expect(calls()).toBe(1)
  })
})
