/**
 * The pacer against the simulator's quota model on a fake clock: whatever the window, it learns
 * it from the first refusals and then keeps below it, so a long run is refused only a few times
 * and takes little more than the quota floor — with or without Retry-After.
 */
import { describe, expect, test } from '@jest/globals'
import { FakeClock } from '../../__fixtures__/io.js'
import { Pacer, quotaOf } from '../../src/graph/pacing.js'
import { QuotaModel, type QuotaWindow } from '../../simulator/quota.js'

/** Sends `count` requests one after another through the pacer; 429s are waited out and resent. */
async function drive(window: QuotaWindow, count: number, retryAfter: boolean) {
  const clock = new FakeClock()
  const model = new QuotaModel({ limits: { signInActivity: window }, retryAfter }, () =>
    clock.now().getTime()
  )
  const pacer = new Pacer(clock)
  const start = clock.now().getTime()
  let refused = 0
  for (let request = 0; request < count; request++) {
    for (let attempt = 1; ; attempt++) {
      const sentAt = await pacer.acquire(1)
      const answer = model.take('signInActivity', 'tenant', 'app')
      if (!answer) {
        pacer.accepted(sentAt, 1)
        break
      }
      refused++
      const header = answer.headers?.['Retry-After']
      // The retry strategy's wait without Retry-After: 1, 2, 4 … s, capped at the window.
      const wait =
        header !== undefined ? Number(header) * 1000 : Math.min(1000 * 2 ** (attempt - 1), 60_000)
      pacer.throttled(sentAt, 1, wait)
      await clock.sleep(wait)
    }
  }
  const floor = Math.ceil(count / window.requests - 1) * window.windowMs
  return { refused, wallMs: clock.now().getTime() - start, floor }
}

describe.each([
  ['Graph: 10 a minute', { requests: 10, windowMs: 60_000 }],
  ['the sign-in log: 5 per 10 s', { requests: 5, windowMs: 10_000 }],
  ['scaled: 10 per 2 s', { requests: 10, windowMs: 2_000 }]
])('%s', (_, window) => {
  const count = window.requests * 30
  test('with Retry-After: at most 2 refusals in 30 windows, wall ≤ 1.05 × the floor', async () => {
    const { refused, wallMs, floor } = await drive(window, count, true)
    expect(refused).toBeGreaterThanOrEqual(1)
    expect(refused).toBeLessThanOrEqual(2)
    expect(wallMs).toBeGreaterThanOrEqual(floor)
    expect(wallMs).toBeLessThanOrEqual(floor * 1.05 + 1000)
  })

  // Backing off 1, 2, 4 … s finds the window late by up to one step: paced a little slower.
  test('without Retry-After: a few refusals, then paced; wall ≤ 1.5 × the floor', async () => {
    const { refused, wallMs, floor } = await drive(window, count, false)
    expect(refused).toBeLessThanOrEqual(8)
    expect(wallMs).toBeLessThanOrEqual(floor * 1.5 + 2000)
  })
})

test('quotaOf: signInActivity pages, sign-in log batches counted per sub-request, the rest', () => {
  const base = 'https://graph.microsoft.com/beta'
  expect(quotaOf(`${base}/users?$select=id,signInActivity&$top=500`, undefined)).toEqual({
    bucket: 'signInActivity',
    cost: 1
  })
  expect(quotaOf(`${base}/users?$select=id&$top=500`, undefined).bucket).toBe('directory')
  const batch = JSON.stringify({
    requests: Array.from({ length: 7 }, (_, id) => ({
      id: String(id),
      method: 'GET',
      url: `/auditLogs/signIns?$filter=userId eq '${id}'`
    }))
  })
  expect(quotaOf(`${base}/$batch`, batch)).toEqual({ bucket: 'signInLogs', cost: 7 })
  expect(quotaOf(`${base}/users/$count`, undefined).bucket).toBe('directory')
})
