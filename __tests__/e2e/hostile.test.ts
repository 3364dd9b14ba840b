/**
 * What a hostile Graph (or something between it and the runner) can send, and a run killed
 * halfway: links to other hosts, bodies that are not pages, a Retry-After meant to hold the
 * runner, names of 100 KB and names that are not UTF-8. None of it may give a pass, send the
 * token elsewhere, hang, or leave a report that looks complete.
 */
import { createServer, type Server } from 'node:http'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { type ActionRun, runOn } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant } from '../../simulator/tenant.js'
import type { GraphUser, Route } from '../../simulator/types.js'
import {
  commandLines,
  expectRunError,
  graphUser,
  parseCsv,
  signedIn,
  userRequests,
  visible
} from './helpers.js'

const PAGE_SIZE = 4
/** Three pages: two stale users and two active ones on each. */
const users = Array.from({ length: 3 * PAGE_SIZE }, (_, index) =>
  graphUser(`user${index}`, { signInActivity: signedIn(index % 2 === 0 ? 200.5 : 3.5) })
)

let sim: Simulator
/** Another Graph-like host: a link there must never be followed. */
let elsewhere: Simulator
/** A plain-HTTP listener: a link there must never be followed either. */
let plain: Server
let plainRequests = 0
/** While set, users page 3 is held until released (a run killed halfway). */
let holdPage3: Promise<void> | undefined
let release: () => void = () => undefined

let laterPages = 0
const holdingRoute: Route = async (req) => {
  if (/\/users$/.test(req.url.pathname) && req.url.searchParams.has('$skiptoken')) {
    laterPages++
    if (holdPage3 && laterPages === 2) await holdPage3
  }
  return undefined
}

beforeAll(async () => {
  sim = await startSimulator({ tenant: fixtureTenant(users) })
  sim.addRoutes(holdingRoute)
  elsewhere = await startSimulator({ tenant: fixtureTenant(users) })
  plain = createServer((_, res) => {
    plainRequests++
    res.end('{"value":[]}')
  })
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  await Promise.all([sim.close(), elsewhere.close()])
  await new Promise((resolve) => plain.close(resolve))
})
beforeEach(() => {
  sim.clearFaults()
  sim.resetRequests()
  elsewhere.resetRequests()
  plainRequests = 0
  laterPages = 0
})
afterEach(() => {
  release()
  holdPage3 = undefined
})

/** on-stale warn: a complete run is `warn` with exit code 0, so `error` stands out. */
const run = (inputs: Record<string, string> = {}, options: Parameters<typeof runOn>[2] = {}) =>
  runOn(sim, { 'page-size': String(PAGE_SIZE), 'on-stale': 'warn', ...inputs }, options)

/** Users as Graph lists them with the action's $select (the fixture users are in that shape). */
const page = (from: number, extra: Record<string, unknown> = {}) => ({
  '@odata.context': `${sim.graphEndpoint}/beta/$metadata#users`,
  ...extra,
  value: users.slice(from, from + PAGE_SIZE)
})

describe('a nextLink that leaves the Graph endpoint', () => {
  test.each<[string, () => string]>([
    ['another https host', () => `${elsewhere.graphEndpoint}/beta/users?$skiptoken=X`],
    [
      'an http:// link',
      () => `http://127.0.0.1:${(plain.address() as AddressInfo).port}/beta/users`
    ]
  ])('%s is refused without sending the token', async (_, link) => {
    const next = link()
    sim.addFault({
      target: 'users',
      kind: 'status',
      status: 200,
      body: page(0, { '@odata.nextLink': next })
    })
    const result = await run()
    expectRunError(result, /users page 1.*link to .*outside .*refusing to follow it|refusing/)
    expect(elsewhere.requests).toHaveLength(0)
    expect(plainRequests).toBe(0)
    expect(userRequests(sim)).toHaveLength(1)
  })
})

describe('a 200 whose body is not a page is an error, never an empty or short page', () => {
  test.each<[string, unknown]>([
    ['HTML', '<html><body>502 Bad Gateway</body></html>'],
    ['an empty body', ''],
    ['JSON cut off', '{"value":[{"id":"'],
    ['an array', []],
    ['no value', { '@odata.context': 'x' }],
    ['value null', { value: null }],
    ['value an object', { value: {} }]
  ])('%s on page 2', async (_, body) => {
    sim.addFault({ target: 'users', after: 1, kind: 'status', status: 200, body, times: Infinity })
    const result = await run()
    expectRunError(result, /users page 2/)
    // Sent again as a unit with its request (twice), then an error.
    expect(userRequests(sim)).toHaveLength(1 + 3)
  })
})

describe('Retry-After', () => {
  test('3600 s is refused at once: no wait, no retry, an error saying to run again later', async () => {
    sim.addFault({ target: 'users', after: 1, kind: 'status', status: 429, retryAfter: '3600' })
    const result = await run()
    expectRunError(result, /users page 2.*3600 s.*run again later/)
    expect(userRequests(sim).map((request) => request.status)).toEqual([200, 429])
    expect(result.stdout).not.toMatch(/waiting/)
  })

  test.each(['soon', '-1', '1.5.2'])(
    'garbage (%s) falls back to the 1 s backoff, then completes',
    async (retryAfter) => {
      sim.addFault({ target: 'users', after: 1, kind: 'status', status: 503, retryAfter })
      const result = await run()
      expect(result.code).toBe(0)
      expect(result.outputs.result).toBe('warn')
      expect(result.outputs['user-count']).toBe(String(users.length))
      const waited = /users page 2: HTTP 503[^\n]*waiting (\d+\.\d+) s before retry 1 of 4/.exec(
        result.stdout
      )
      expect(waited).not.toBeNull()
      // 1 s ± 20 % jitter.
      expect(Number(waited![1])).toBeGreaterThanOrEqual(0.8)
      expect(Number(waited![1])).toBeLessThanOrEqual(1.2)
    }
  )
})

describe('names of 100 KB and names that are not UTF-8', () => {
  const long = 'Ünïcödé 名前 🙂 '.repeat(8000)
  const huge = graphUser('huge', { displayName: long, signInActivity: signedIn(200.5) })
  const broken = graphUser('broken', { displayName: 'BROKEN', signInActivity: signedIn(200.5) })
  const surrogate = graphUser('surrogate', { displayName: 'SURROGATE', signInActivity: null })

  /** One page whose bytes hold invalid UTF-8 and a lone surrogate escape inside JSON strings. */
  function pageBytes(): Buffer {
    const text = JSON.stringify({ value: [huge, broken, surrogate] as GraphUser[] })
    const [before, after] = text.split('"BROKEN"')
    return Buffer.concat([
      Buffer.from(before.replace('"SURROGATE"', '"lone \\ud800 surrogate"')),
      Buffer.from([0x22, 0x62, 0x61, 0x64, 0xff, 0xfe, 0x78, 0xc3, 0x79, 0x22]), // "bad\xff\xfex\xc3y"
      Buffer.from(after.replace('"SURROGATE"', '"lone \\ud800 surrogate"'))
    ])
  }

  test('are written as valid UTF-8 JSON and CSV, every user once', async () => {
    sim.addFault({ target: 'users', kind: 'status', status: 200, body: pageBytes() })
    const result = await run()
    expect(result.code).toBe(0)
    const dir = result.outputs['report-dir']
    const strict = new TextDecoder('utf-8', { fatal: true })
    const jsonText = strict.decode(readFileSync(join(dir, 'entra-signin-report.json')))
    const csvText = strict.decode(readFileSync(join(dir, 'entra-signin-report.csv')))
    expect(jsonText).not.toMatch(/[\ud800-\udfff]/u)
    const byId = new Map(result.json().users.map((user) => [user.id, user.displayName]))
    expect(byId.size).toBe(3)
    expect(byId.get(huge.id)).toBe(long)
    // Invalid bytes read as U+FFFD, the way every UTF-8 decoder reads them.
    expect(byId.get(broken.id)).toBe('bad\ufffd\ufffdx\ufffdy')
    expect(['lone \ufffd surrogate', 'lone \ud800 surrogate']).toContain(byId.get(surrogate.id))
    const rows = parseCsv(csvText)
    expect(rows).toHaveLength(4)
    const nameAt = rows[0].indexOf('displayName')
    const csvById = new Map(rows.slice(1).map((row) => [row[0], row[nameAt]]))
    expect(csvById.get(huge.id)).toBe(long)
    expect(csvById.get(broken.id)).toBe('bad\ufffd\ufffdx\ufffdy')
  })
})

describe('a run killed halfway (a cancelled job)', () => {
  test('leaves only .partial files beside the earlier report, which is unchanged', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'e2e-killed-'))
    const earlier = await run({ 'report-dir': reportDir })
    expect(earlier.code).toBe(0)
    const before = new Map(
      readdirSync(reportDir).map((name) => [name, readFileSync(join(reportDir, name))])
    )
    expect([...before.keys()].sort()).toEqual([
      'entra-signin-report.csv',
      'entra-signin-report.html',
      'entra-signin-report.json'
    ])
    sim.resetRequests()
    laterPages = 0
    holdPage3 = new Promise((resolve) => (release = resolve))
    // SIGKILL, the hardest end: no handler runs. Pages 1 and 2 are read well before it.
    const killed = await run({ 'report-dir': reportDir }, { timeoutMs: 5000 })
    expect(killed.code).toBeNull()
    expect(sim.requests.filter((request) => request.url.includes('/users?'))).toHaveLength(3)
    const after = readdirSync(reportDir).sort()
    for (const name of after) {
      if (!before.has(name)) expect(name).toMatch(/\.partial$/)
    }
    for (const [name, bytes] of before) {
      expect(existsSync(join(reportDir, name))).toBe(true)
      expect(readFileSync(join(reportDir, name)).equals(bytes)).toBe(true)
    }
  })
})

describe('a user Graph lists twice', () => {
  const staleCount = users.filter((_, index) => index % 2 === 0).length

  test('on two pages is counted and written once, with a warning naming the duplicate', async () => {
    // Pages of 3: page 2 starts again with user 2 (stale), the last user of page 1.
    sim.addFault({ target: 'users', after: 1, kind: 'repeat-user' })
    // Counted twice, the stale users would be one more than max-stale allows: fail, not warn.
    const result = await run({
      'page-size': '3',
      'on-stale': 'fail',
      'max-stale': String(staleCount)
    })
    expect(userRequests(sim)).toHaveLength(5)
    expect(result.code).toBe(0)
    expect(result.outputs.result).toBe('warn')
    expect(result.outputs['stale-count']).toBe(String(staleCount))
    expect(result.outputs['user-count']).toBe(String(users.length))
    expect(result.json().users.map((user) => user.id)).toEqual(users.map((user) => user.id))
    const csvIds = parseCsv(result.csv())
      .slice(1)
      .map((row) => row[0])
    expect(csvIds).toEqual(users.map((user) => user.id))
    const warnings = commandLines(result, 'warning').filter((line) => /more than once/.test(line))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/\b1 duplicate\b.*dropped/)
    expect(result.summary).toMatch(/more than once/)
  })

  test('with its ID in another case is the same user', async () => {
    const again = { ...users[0], id: users[0].id.toUpperCase(), displayName: 'Again' }
    // Page 2 ends the listing: the first 8 users and user 0 once more.
    sim.addFault({
      target: 'users',
      after: 1,
      kind: 'status',
      status: 200,
      body: { value: [...users.slice(4, 8), again] }
    })
    const result = await run()
    expect(result.code).toBe(0)
    expect(result.outputs['user-count']).toBe('8')
    const ids = result.json().users.map((user) => user.id)
    expect(ids).toEqual(users.slice(0, 8).map((user) => user.id))
    expect(commandLines(result, 'warning').join('\n')).toMatch(/\b1 duplicate\b.*dropped/)
  })
})

describe('a user object without an id', () => {
  const noCrash = (result: ActionRun) => {
    expect(visible(result)).not.toMatch(/Cannot read properties|TypeError|Unexpected failure/)
  }

  test('sent by Graph on page 2 is an error naming the page, never a pass', async () => {
    sim.addFault({ target: 'users', after: 1, kind: 'drop-id' })
    const result = await run()
    expectRunError(result, /Graph returned a user without an id on users page 2/)
    noCrash(result)
  })

  test.each<[string, unknown]>([
    ['null', null],
    ['a number', 1],
    ['a string', 'user'],
    ['id null', { ...users[4], id: null }],
    ['id empty', { ...users[4], id: '' }],
    ['id a number', { ...users[4], id: 5 }]
  ])('a user that is %s is the same error', async (_, user) => {
    sim.addFault({
      target: 'users',
      after: 1,
      kind: 'status',
      status: 200,
      body: { value: [users[5], user] }
    })
    const result = await run()
    expectRunError(result, /Graph returned a user without an id on users page 2/)
    noCrash(result)
  })
})
