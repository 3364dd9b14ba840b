/**
 * The pacer against the simulator's quota model on a fake clock: whatever the window, it learns
 * it from the first refusals and then keeps below it, so a long run is refused only a few times
 * and takes little more than the quota floor — with or without Retry-After. A burst of 429s that
 * was not the quota slows it only for a few windows.
 */
import { describe, expect, test } from '@jest/globals'
import { FakeClock } from '../../__fixtures__/io.js'
import { Pacer, quotaOf } from '../../src/graph/pacing.js'
import type { HttpRequest } from '../../src/graph/pipeline.js'
import { QuotaModel, type QuotaWindow } from '../../simulator/quota.js'

const request = (n: number): HttpRequest => ({
  method: 'GET',
  url: `https://graph.microsoft.com/beta/users?$select=id,signInActivity&n=${n}`,
  headers: {},
  what: `users page ${n}`
})

/**
 * Sends `count` requests one after another through the pacer; `answer` decides each try (a 429
 * carries its Retry-After in ms, or none). 429s are waited out as the retry strategy does (its
 * Retry-After, else 1, 2, 4 … s capped at 60 s) and sent again.
 */
async function drive(
  clock: FakeClock,
  count: number,
  answer: (n: number, attempt: number) => { retryAfterMs?: number } | undefined
) {
  const pacer = new Pacer(clock)
  const start = clock.now().getTime()
  const sendTimes: number[] = []
  for (let n = 0; n < count; n++) {
    const sent = request(n)
    for (let attempt = 1; ; attempt++) {
      const ticket = await pacer.acquire(sent)
      const refusal = answer(n, attempt)
      if (!refusal) {
        pacer.accepted(ticket, sent)
        sendTimes.push(clock.now().getTime() - start)
        break
      }
      pacer.throttled(ticket, sent, refusal.retryAfterMs)
      await clock.sleep(refusal.retryAfterMs ?? Math.min(1000 * 2 ** (attempt - 1), 60_000))
    }
  }
  return { refused: pacer.refused, wallMs: clock.now().getTime() - start, sendTimes }
}

async function underQuota(
  window: QuotaWindow,
  count: number,
  retryAfter: boolean,
  refusedCount: boolean
) {
  const clock = new FakeClock()
  const model = new QuotaModel(
    { limits: { signInActivity: window }, retryAfter, refusedCount },
    () => clock.now().getTime()
  )
  const result = await drive(clock, count, () => {
    const refusal = model.take('signInActivity', 'tenant', 'app')
    if (!refusal) return undefined
    const header = refusal.headers?.['Retry-After']
    return { retryAfterMs: header === undefined ? undefined : Number(header) * 1000 }
  })
  const floor = Math.ceil(count / window.requests - 1) * window.windowMs
  return { ...result, floor }
}

// Graph counts refused requests against the quota; the pacer must not depend on it either way.
describe.each([
  ['Graph: 10 a minute', { requests: 10, windowMs: 60_000 }, true],
  ['the sign-in log: 5 per 10 s', { requests: 5, windowMs: 10_000 }, true],
  ['scaled: 10 per 2 s', { requests: 10, windowMs: 2_000 }, true],
  ['Graph: 10 a minute, refused requests free', { requests: 10, windowMs: 60_000 }, false],
  ['the sign-in log: 5 per 10 s, refused requests free', { requests: 5, windowMs: 10_000 }, false]
])('%s', (_, window, refusedCount) => {
  const count = window.requests * 40
  test('with Retry-After: at most one refusal in 4 windows (the probes), wall ≤ 1.05 × the floor', async () => {
    const { refused, wallMs, floor } = await underQuota(window, count, true, refusedCount)
    expect(refused).toBeGreaterThanOrEqual(1)
    expect(refused).toBeLessThanOrEqual(40 / 4 + 2)
    expect(wallMs).toBeGreaterThanOrEqual(floor)
    expect(wallMs).toBeLessThanOrEqual(floor * 1.05 + 1000)
  })

  // Backing off 1, 2, 4 … s finds the window late by up to one step: paced a little slower.
  test('without Retry-After: a few refusals, then paced; wall ≤ 1.5 × the floor', async () => {
    const { refused, wallMs, floor } = await underQuota(window, count, false, refusedCount)
    expect(refused).toBeLessThanOrEqual(40 / 4 + 8)
    expect(wallMs).toBeLessThanOrEqual(floor * 1.5 + 2000)
  })
})

test('a storm of 429s that is not the quota: honoured, then sending freely again within a few windows', async () => {
  const clock = new FakeClock()
  // Requests 1–12 are each refused once (Retry-After 0.2–0.6 s); nothing else is ever refused.
  const { refused, sendTimes } = await drive(clock, 200, (n, attempt) =>
    n >= 1 && n <= 12 && attempt === 1 ? { retryAfterMs: 200 + 100 * (n % 5) } : undefined
  )
  expect(refused).toBeGreaterThanOrEqual(12)
  expect(refused).toBeLessThanOrEqual(14)
  // Requests take no time on a fake clock: the tail's window, halved by each accepted probe, is
  // down to a millisecond or less.
  const tail = sendTimes.slice(40)
  expect(tail[tail.length - 1] - tail[0]).toBeLessThanOrEqual(tail.length)
  // All the waiting: the Retry-Afters (4.8 s) and a window of 0.3 s per refusal and 8 before the first probe.
  expect(sendTimes[sendTimes.length - 1]).toBeLessThanOrEqual(4800 + 20 * 600)
})

test('one request at a time after a refusal: the refused one goes first, the others after its answer', async () => {
  const clock = new FakeClock()
  const pacer = new Pacer(clock)
  const [first, second, third, fourth, fifth] = [1, 2, 3, 4, 5].map(request)
  pacer.accepted(await pacer.acquire(first), first)
  pacer.accepted(await pacer.acquire(second), second)
  const refusedTicket = await pacer.acquire(third)
  pacer.throttled(refusedTicket, third, 1000)
  const order: string[] = []
  const waiting = pacer.acquire(fourth).then((ticket) => {
    order.push('fourth')
    return ticket
  })
  const scout = await pacer.acquire(third)
  order.push('third')
  expect(scout.sentAt - refusedTicket.sentAt).toBe(1000)
  pacer.accepted(scout, third)
  const next = await waiting
  expect(order).toEqual(['third', 'fourth'])
  // The window held two and was a second long (from the first to the scout): the fourth fits
  // beside the scout, the fifth waits for the scout to leave the window.
  expect(next.sentAt - scout.sentAt).toBe(0)
  pacer.accepted(next, fourth)
  const last = await pacer.acquire(fifth)
  expect(last.sentAt - scout.sentAt).toBe(1000)
})

test('a 429 after a single accepted request is waited out and teaches nothing', async () => {
  const clock = new FakeClock()
  const pacer = new Pacer(clock)
  const [first, second, third, fourth] = [1, 2, 3, 4].map(request)
  pacer.accepted(await pacer.acquire(first), first)
  pacer.throttled(await pacer.acquire(second), second, 500)
  const scout = await pacer.acquire(second)
  pacer.accepted(scout, second)
  // Sent freely again: no window was learned.
  const after = [await pacer.acquire(third), await pacer.acquire(fourth)]
  expect(after.map((ticket) => ticket.sentAt - scout.sentAt)).toEqual([0, 0])
})

test('quotaOf: signInActivity pages, the sign-in log, the rest', () => {
  const base = 'https://graph.microsoft.com/beta'
  expect(quotaOf(`${base}/users?$select=id,signInActivity&$top=500`)).toBe('signInActivity')
  expect(quotaOf(`${base}/users?$select=id&$top=500`)).toBe('directory')
  expect(quotaOf(`${base}/auditLogs/signIns?$filter=userId%20eq%20'1'&$top=1`)).toBe('signInLogs')
  expect(quotaOf(`${base}/users/$count`)).toBe('directory')
})
