/**
 * `source: sign-in-logs` end to end: users listed without signInActivity, each user's newest
 * audit-log entry asked 20 users a JSON $batch (never one request per user), a second batched
 * round only for users whose newest entry failed, per-sub-request throttling and failures, and the
 * log window stated wherever "no sign-in" is reported.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runAction, simInputs, type ActionRun } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant, generateTenant } from '../../simulator/tenant.js'
import type { RecordedRequest, SignInLogEntry } from '../../simulator/types.js'
import {
  ago,
  commandLines,
  decodeHtml,
  graphUser,
  reportDirFiles,
  tokenRequests,
  userRequests,
  usersById
} from './helpers.js'

const SUCCESS_FILTER = encodeURIComponent('status/errorCode eq 0')

/** The $batch POSTs themselves (not their sub-requests). */
const batches = (sim: Simulator) =>
  sim.requests.filter((request) => request.target === 'batch' && !request.inBatch)
const subRequests = (sim: Simulator) => sim.requests.filter((request) => request.inBatch)
/** What the simulator saw during one run (later tests reset the live list). */
const seen = (sim: Simulator) => ({ requests: [...sim.requests] }) as Simulator
const userIdOf = (request: RecordedRequest) =>
  /userId(?:%20| )eq(?:%20| )(?:'|%27)([^'%]+)(?:'|%27)/.exec(request.url)?.[1]
const iso = (value: string | null | undefined) => (value ? new Date(value).toISOString() : null)

/**
 * The report fields the DESIGN derives from a user's log entries (newest first), as `version`'s
 * log holds them: v1.0's only the interactive ones.
 */
function expectedFields(all: SignInLogEntry[], version: 'v1.0' | 'beta' = 'v1.0') {
  const entries = version === 'beta' ? all : all.filter((entry) => entry.isInteractive)
  const newest = entries[0]
  const success = entries.find((entry) => entry.status.errorCode === 0)
  return {
    lastSignInDateTime: newest?.isInteractive ? iso(newest.createdDateTime) : null,
    lastNonInteractiveSignInDateTime:
      newest && !newest.isInteractive ? iso(newest.createdDateTime) : null,
    lastSuccessfulSignInDateTime: iso(success?.createdDateTime),
    neverSignedIn: entries.length === 0
  }
}

describe('a 45-user tenant read 20 users a page (seed 7: failed-last users on every page)', () => {
  const tenant = generateTenant({ count: 45, seed: 7 })
  let sim: Simulator
  const inputs = (extra: Record<string, string> = {}) => ({
    ...simInputs(sim),
    source: 'sign-in-logs',
    'graph-version': 'v1.0',
    'page-size': '20',
    'threshold-days': '30',
    ...extra
  })
  /** Users whose newest log entry failed: they need the second (newest success) round. */
  const failedLast = Array.from({ length: tenant.count }, (_, index) => index).filter((index) => {
    // v1.0's log: interactive entries only.
    const [newest] = tenant.signIns(tenant.user(index).id).filter((entry) => entry.isInteractive)
    return newest !== undefined && newest.status.errorCode !== 0
  })

  beforeAll(async () => {
    sim = await startSimulator({ tenant })
  })
  afterAll(() => sim.close())
  beforeEach(() => {
    sim.clearFaults()
    sim.resetRequests()
  })

  describe('a clean run', () => {
    let run: ActionRun
    let saw: Simulator
    let requests: RecordedRequest[]
    beforeAll(async () => {
      sim.resetRequests()
      run = await runAction({ inputs: inputs(), caPath: sim.caPath })
      saw = seen(sim)
      requests = saw.requests
    })

    test('requests: 3 user pages + ⌈45/20⌉ + ⌈F/20⌉ batches + 1 SKU list + 1 token, never one per user', () => {
      // The fixture is only a fair test when failed-last users sit on more than one page.
      expect(new Set(failedLast.map((index) => Math.floor(index / 20))).size).toBeGreaterThan(1)
      expect(run.outputs.result).not.toBe('error')
      expect(userRequests(saw)).toHaveLength(3)
      const expectedBatches = Math.ceil(45 / 20) + Math.ceil(failedLast.length / 20)
      expect(batches(saw)).toHaveLength(expectedBatches)
      expect(tokenRequests(saw)).toHaveLength(1)
      // No auditLogs/signIns request outside a $batch.
      expect(
        requests.filter((request) => request.target === 'signIns' && !request.inBatch)
      ).toEqual([])
      // Nothing else reached Graph, and the log line counts exactly these requests.
      const graphRequests = requests.filter(
        (request) => !request.inBatch && !['token', 'discovery'].includes(request.target)
      )
      // subscribedSkus, read once before the users for the licences' part numbers.
      expect(graphRequests.filter((request) => request.target === 'subscribedSkus')).toHaveLength(1)
      // The pages, the batches, subscribedSkus and one /users/$count (the time-left estimate).
      expect(graphRequests).toHaveLength(3 + expectedBatches + 2)
      expect(run.stdout).toContain(`Read 45 users with ${3 + expectedBatches + 2} Graph requests`)
    })

    test('each user is asked once for the newest entry; only failed-last users for a success', () => {
      const subs = subRequests(saw)
      expect(subs.every((request) => request.target === 'signIns')).toBe(true)
      const first = subs.filter((request) => !request.url.includes(SUCCESS_FILTER))
      const second = subs.filter((request) => request.url.includes(SUCCESS_FILTER))
      const ids = Array.from({ length: 45 }, (_, index) => tenant.user(index).id)
      expect(first.map(userIdOf).sort()).toEqual([...ids].sort())
      expect(second.map(userIdOf).sort()).toEqual(
        failedLast.map((index) => tenant.user(index).id).sort()
      )
      for (const request of subs) {
        expect(request.url).toMatch(/^\/auditLogs\/signIns\?/)
        expect(request.url).toContain('$orderby=createdDateTime%20desc')
        expect(request.url).toContain('$top=1')
      }
    })

    test('graph-version v1.0: every Graph path is under /v1.0/, users listed without signInActivity', () => {
      for (const request of requests.filter(
        (candidate) => candidate.target === 'users' || candidate.target === 'batch'
      ))
        expect(request.url.startsWith('/v1.0/')).toBe(true)
      const select = new URL(userRequests(saw)[0]?.url ?? '', sim.origin).searchParams.get(
        '$select'
      )
      expect(select).toContain('userPrincipalName')
      expect(select).not.toContain('signInActivity')
      expect(run.json().graphVersion).toBe('v1.0')
      expect(run.json().source).toBe('sign-in-logs')
    })

    test('every user in the report carries the fields its log entries give', () => {
      const users = usersById(run)
      expect(users.size).toBe(45)
      for (let index = 0; index < 45; index++) {
        const user = tenant.user(index)
        expect({ id: user.id, ...users.get(user.id) }).toMatchObject({
          id: user.id,
          ...expectedFields(tenant.signIns(user.id))
        })
      }
    })

    test('users without an entry: never signed in "within the 30-day log window", stated in report and summary', () => {
      const never = run.json().users.filter((user) => user.neverSignedIn === true)
      const withoutEntries = Array.from({ length: 45 }, (_, index) => tenant.user(index)).filter(
        // v1.0's log holds interactive sign-ins only.
        (user) => tenant.signIns(user.id).every((entry) => !entry.isInteractive)
      )
      expect(never.map((user) => user.id).sort()).toEqual(
        withoutEntries.map((user) => user.id).sort()
      )
      expect(never.length).toBeGreaterThan(0)
      const checkedNever = never.filter(
        (user) => !['excluded', 'skipped'].includes(user.status as string)
      )
      expect(checkedNever.length).toBeGreaterThan(0)
      // Pending invitations are judged by the invitation's age instead (issue 12).
      for (const user of checkedNever.filter((u) => u.externalUserState !== 'PendingAcceptance'))
        expect(user.reason).toMatch(/^no sign-in within the 30-day log window/)
      expect(run.outputs['never-signed-in-count']).toBe(String(checkedNever.length))
      const summary = decodeHtml(run.summary)
      expect(summary).toContain('Sign-in logs reach back 30 days at most')
      expect(summary).toMatch(/no sign-in within the 30-day log window/)
    })

    test('threshold-days within the window: no window warning', () => {
      expect(commandLines(run, 'warning').filter((line) => /window/.test(line))).toEqual([])
    })
  })

  test('threshold-days 90 (beyond the window) is allowed and warned about exactly once', async () => {
    const run = await runAction({
      inputs: inputs({ 'threshold-days': '90', 'on-stale': 'warn' }),
      caPath: sim.caPath
    })
    expect(run.outputs.result).toMatch(/^(pass|warn)$/)
    expect(run.code).toBe(0)
    const windowWarnings = commandLines(run, 'warning').filter((line) =>
      /threshold-days 90 is beyond the 30-day sign-in log window/.test(line)
    )
    expect(windowWarnings).toHaveLength(1)
    expect(run.stdout.split('beyond the 30-day sign-in log window').length - 1).toBe(1)
    expect(run.json().policy.thresholdDays).toBe(90)
  })

  test('a throttled batch item (429, Retry-After 0.05) is retried on its own and the run completes', async () => {
    // The 6th, 7th and 8th sub-requests of the run (all in the first batch) are throttled.
    sim.addFault({
      target: 'batch-item',
      kind: 'status',
      status: 429,
      retryAfter: '0.05',
      after: 5,
      times: 3
    })
    const run = await runAction({ inputs: inputs(), caPath: sim.caPath })
    expect(run.outputs.result).not.toBe('error')
    expect(run.outputs['user-count']).toBe('45')
    // The pacer took the three 429s for a full window of 17: the first refused one is sent again
    // alone (it finds the window's length), the other two after it, and later batches hold at
    // most 17 a window until a probe beyond 17 is accepted and doubles it.
    const unthrottled = Math.ceil(45 / 20) + Math.ceil(failedLast.length / 20)
    expect(batches(sim).length).toBeGreaterThan(unthrottled + 1)
    expect(batches(sim).length).toBeLessThanOrEqual(unthrottled + 8)
    expect(run.stdout).toMatch(
      /Graph's sign-in log quota, as learned from its answers: pacing to 17 requests per 0\.\d\d s/
    )
    const throttled = subRequests(sim).filter((request) => request.status === 429)
    expect(throttled).toHaveLength(3)
    // Each throttled user was asked again (and answered), in one extra batch of just those three.
    for (const request of throttled) {
      const again = subRequests(sim).filter(
        (candidate) => candidate.url === request.url && candidate.status === 200
      )
      expect(again).toHaveLength(1)
    }
    for (const request of throttled)
      expect(run.stdout).toContain(
        `the sign-in log of user ${userIdOf(request)}: HTTP 429, Retry-After 0.05; waiting 0.05 s before retry 1 of 8`
      )
    const users = usersById(run)
    for (const request of throttled) {
      const id = userIdOf(request)!
      expect(users.get(id)).toMatchObject(expectedFields(tenant.signIns(id)))
    }
  })

  test('a batch item denied (403) is an error naming the permission, never "no sign-in"; no report', async () => {
    sim.addFault({
      target: 'batch-item',
      kind: 'status',
      status: 403,
      after: 23,
      body: {
        error: {
          code: 'Authorization_RequestDenied',
          message: 'Insufficient privileges to complete the operation.'
        }
      }
    })
    const run = await runAction({ inputs: inputs(), caPath: sim.caPath })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('error')
    const denied = subRequests(sim).find((request) => request.status === 403)!
    const errors = commandLines(run, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`sign-in log of user ${userIdOf(denied)}`)
    expect(errors[0]).toContain('403 Authorization_RequestDenied')
    expect(errors[0]).toContain('AuditLog.Read.All and Directory.Read.All')
    expect(reportDirFiles(run)).toEqual([])
    expect(run.outputs['user-count']).toBeUndefined()
    const summary = decodeHtml(run.summary)
    expect(summary).toContain('No report was produced')
    expect(summary).not.toMatch(/no sign-in within/)
  })

  test("an app without AuditLog.Read.All: Graph's own 403 (Authentication_MSGraphPermissionMissing), named with Directory.Read.All", async () => {
    const app = sim.apps[0]
    const roles = [...app.roles]
    app.roles = roles.filter((role) => role !== 'AuditLog.Read.All')
    try {
      const run = await runAction({ inputs: inputs(), caPath: sim.caPath })
      expect(run.code).toBe(1)
      const errors = commandLines(run, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(
        /403 Authentication_MSGraphPermissionMissing: Calling principal does not have required MSGraph permissions AuditLog\.Read\.All\): grant .*AuditLog\.Read\.All and Directory\.Read\.All with admin consent/
      )
      expect(reportDirFiles(run)).toEqual([])
    } finally {
      app.roles = roles
    }
  })
})

describe('a newest entry that failed, after an older success', () => {
  const spray = graphUser('sprayed', { createdDateTime: ago(400.5) })
  const returning = graphUser('returning', { createdDateTime: ago(400.5) })
  const steady = graphUser('steady', { createdDateTime: ago(400.5) })
  const absent = graphUser('absent', { createdDateTime: ago(400.5) })
  /** Instants fixed once, so expectations match the fixture to the second. */
  const at = Object.fromEntries([1.5, 2.5, 3.5, 5.5, 12.5, 20.5].map((days) => [days, ago(days)]))
  const entry = (
    user: { id: string; userPrincipalName: string },
    days: number,
    isInteractive: boolean,
    errorCode: number
  ): SignInLogEntry => ({
    id: `${user.id.slice(0, 30)}${String(days * 10).padStart(6, '0')}`,
    createdDateTime: at[days],
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    appDisplayName: 'Microsoft 365 portal',
    isInteractive,
    status: { errorCode }
  })
  const signIns = {
    // Only failed attempts (a password spray): no success in the window.
    [spray.id]: [entry(spray, 2.5, true, 50126), entry(spray, 5.5, true, 50126)],
    // A failed interactive attempt 3 days ago after a successful non-interactive one 12 days ago.
    [returning.id]: [
      entry(returning, 3.5, true, 50126),
      entry(returning, 12.5, false, 0),
      entry(returning, 20.5, true, 0)
    ],
    [steady.id]: [entry(steady, 1.5, false, 0)],
    [absent.id]: []
  }
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({
      tenant: fixtureTenant([spray, returning, steady, absent], { signIns })
    })
  })
  afterAll(() => sim.close())
  beforeEach(() => sim.resetRequests())

  const run = (activity: string, graphVersion = 'beta') =>
    runAction({
      inputs: {
        ...simInputs(sim),
        source: 'sign-in-logs',
        'graph-version': graphVersion,
        'threshold-days': '10',
        'on-stale': 'warn',
        activity
      },
      caPath: sim.caPath
    })

  test('beta: every query asks for interactive and non-interactive sign-ins in the log window; an app-only user is active', async () => {
    const result = await run('successful')
    const before = Date.now()
    for (const request of subRequests(sim)) {
      const filter = new URL(request.url, sim.origin).searchParams.get('$filter') ?? ''
      expect(filter).toContain(
        "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')"
      )
      const from = /createdDateTime ge (\S+)/.exec(filter)?.[1]
      const to = /createdDateTime le (\S+)/.exec(filter)?.[1]
      // The 30-day log window, ending at the run.
      expect(before - Date.parse(from!)).toBeGreaterThanOrEqual(30 * 86_400_000)
      expect(before - Date.parse(from!)).toBeLessThan(30 * 86_400_000 + 120_000)
      expect(Date.parse(to!)).toBeLessThanOrEqual(before)
    }
    // Only a non-interactive sign-in (apps refreshing tokens): active, not stale.
    expect(usersById(result).get(steady.id)).toMatchObject({
      lastNonInteractiveSignInDateTime: iso(at[1.5]),
      status: 'active'
    })
    expect(commandLines(result, 'warning').filter((line) => /interactive/.test(line))).toEqual([])
  })

  test('v1.0: warned once, before the first request, that app-only users may look inactive', async () => {
    const result = await run('successful', 'v1.0')
    const warnings = commandLines(result, 'warning').filter((line) =>
      /v1\.0 sign-in log holds interactive sign-ins only/.test(line)
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/graph-version: beta/)
    expect(result.stdout.indexOf(warnings[0])).toBeLessThan(result.stdout.indexOf('Signing in'))
    for (const request of subRequests(sim))
      expect(decodeURIComponent(request.url)).not.toContain('signInEventTypes')
    // What v1.0's log can say: no sign-in for the app-only user in the window.
    expect(usersById(result).get(steady.id)).toMatchObject({
      neverSignedIn: true,
      status: 'stale'
    })
  })

  test('activity successful: the failure fills the sign-in field, the older success lastSuccessful, one follow-up batch', async () => {
    const result = await run('successful')
    expect(batches(sim)).toHaveLength(2)
    const followUp = subRequests(sim).filter((request) => request.url.includes(SUCCESS_FILTER))
    expect(followUp.map(userIdOf).sort()).toEqual([spray.id, returning.id].sort())
    const users = usersById(result)
    expect(users.get(returning.id)).toMatchObject({
      lastSignInDateTime: iso(at[3.5]),
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: iso(at[12.5]),
      lastActivityDateTime: iso(at[12.5]),
      daysInactive: 12,
      neverSignedIn: false,
      status: 'stale'
    })
    // Failed attempts alone are no activity: the sprayed account stays stale.
    expect(users.get(spray.id)).toMatchObject({
      lastSignInDateTime: iso(at[2.5]),
      lastSuccessfulSignInDateTime: null,
      lastActivityDateTime: null,
      neverSignedIn: false,
      status: 'stale'
    })
    expect(users.get(steady.id)).toMatchObject({
      lastSignInDateTime: null,
      lastNonInteractiveSignInDateTime: iso(at[1.5]),
      lastSuccessfulSignInDateTime: iso(at[1.5]),
      status: 'active'
    })
    expect(users.get(absent.id)).toMatchObject({ neverSignedIn: true, status: 'stale' })
    expect(users.get(absent.id)?.reason).toMatch(/within the 30-day log window/)
    expect(result.outputs['stale-count']).toBe('3')
  })

  test('activity any: the newest attempt of any outcome counts', async () => {
    const result = await run('any')
    expect(batches(sim)).toHaveLength(2)
    const users = usersById(result)
    expect(users.get(returning.id)).toMatchObject({
      lastActivityDateTime: iso(at[3.5]),
      daysInactive: 3,
      status: 'active'
    })
    expect(users.get(spray.id)).toMatchObject({ daysInactive: 2, status: 'active' })
    expect(result.outputs['stale-count']).toBe('1')
  })
})
