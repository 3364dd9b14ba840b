/**
 * Bad inputs fail the step before any request: exit code 1, one `::error::` line naming the
 * input, the value and what is allowed, `result` error, and nothing reached the simulator. A bad
 * input next to a secret never echoes the secret.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { runOn } from '../../__fixtures__/action.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { commandLines, reportDirFiles, unmaskedLog } from './helpers.js'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(() => sim.close())
beforeEach(() => sim.resetRequests())

const run = (inputs: Record<string, string>) => runOn(sim, inputs)

// [input, value, other inputs, what the message must say is allowed]
const BAD: [string, string, Record<string, string>, RegExp][] = [
  ['tenant-id', 'contoso tenant', {}, /tenant GUID or a verified domain/],
  ['client-id', 'my-app', {}, /GUID/],
  ['threshold-days', 'ninety', {}, /whole number from 1 to/],
  ['threshold-days', '0', {}, /whole number from 1 to/],
  ['warn-days', '90', { 'threshold-days': '90' }, /less than threshold-days \(90\)/],
  ['page-size', '501', {}, /whole number from 1 to 500/],
  ['graph-endpoint', 'http://graph.microsoft.com', {}, /https/],
  ['authority-host', 'ftp://login.example', {}, /https/],
  ['cloud', 'azure-germany', {}, /global, us-gov, us-gov-dod, china/],
  ['graph-version', 'v2', {}, /beta, v1\.0/],
  ['report-formats', 'csv,xlsx', {}, /any of csv, json, html/],
  ['retention-days', '401', {}, /whole number from 1 to 400/],
  ['retention-days', '0', {}, /whole number from 1 to 400/],
  // Microsoft's v1.0 List signIns page offers the sign-in log in the global cloud only.
  ...(['us-gov', 'us-gov-dod', 'china'] as const).map(
    (cloud): [string, string, Record<string, string>, RegExp] => [
      'graph-version',
      'v1.0',
      { cloud, source: 'sign-in-logs' },
      new RegExp(`with 'source' sign-in-logs and 'cloud' ${cloud} must be beta`)
    ]
  ),
  ['redact', 'partial', {}, /none, summary, all/],
  ['auth-method', 'kerberos', {}, /auto, client-secret, client-certificate, github-oidc, password/],
  ['user-types', 'member,admin', {}, /member, guest or both/],
  ['activity', 'recent', {}, /successful, any, interactive/],
  ['on-stale', 'explode', {}, /fail, warn, none/],
  ['max-stale', '-1', {}, /whole number from 0/],
  ['include-disabled', 'yes', {}, /true or false/],
  ['exclude', 'bob.smith', {}, /UPN glob .* object ID/],
  ['exclude', '*@contoso.com until:2025-02-30', {}, /until:YYYY-MM-DD/],
  ['exclude-groups', 'break-glass', {}, /group object IDs \(GUIDs\)/]
]

describe.each(BAD)("%s: '%s'", (input, value, others, allowed) => {
  test('exit 1, one error naming input, value and what is allowed, no request', async () => {
    const result = await run({ ...others, [input]: value })
    expect(result.code).toBe(1)
    expect(result.outputs.result).toBe('error')
    const errors = commandLines(result, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`'${input}'`)
    expect(errors[0]).toContain(value)
    expect(errors[0]).toMatch(allowed)
    expect(sim.requests).toHaveLength(0)
    expect(reportDirFiles(result)).toEqual([])
  })
})

describe('a bad input next to a secret never shows the secret', () => {
  const SECRET = 'Zx9~very-secret-Value_0123456789'
  test.each<[string, Record<string, string>, RegExp]>([
    ['a bad choice after the secret', { 'auth-method': 'kerberos' }, /'auth-method'/],
    [
      'the secret in place of a certificate',
      { 'auth-method': 'client-certificate', 'client-secret': '', 'client-certificate': SECRET },
      /'client-certificate'.*PEM private key/
    ],
    [
      'a password without a username',
      { 'auth-method': 'password', password: SECRET },
      /'auth-method' is password but 'username' and 'password' are both required/
    ],
    [
      'a certificate passphrase with the secret method',
      { 'auth-method': 'client-secret', 'client-certificate-password': SECRET },
      /client-certificate-password belongs to another method/
    ]
  ])('%s', async (_, inputs, message) => {
    const result = await run({ 'client-secret': SECRET, ...inputs })
    expect(result.code).toBe(1)
    expect(result.outputs.result).toBe('error')
    const errors = commandLines(result, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
    expect(unmaskedLog(result.everything())).not.toContain(SECRET)
    // The secret was masked the moment it was read.
    expect(result.stdout).toContain(`::add-mask::${SECRET}`)
    expect(sim.requests).toHaveLength(0)
  })
})

describe('the cloud × source × graph-version combinations Microsoft offers still run', () => {
  test.each<[string, string]>([
    ['us-gov', 'beta'],
    ['global', 'v1.0']
  ])(
    'cloud %s, source sign-in-logs, graph-version %s: read, not refused',
    async (cloud, version) => {
      const result = await run({
        cloud,
        source: 'sign-in-logs',
        'graph-version': version,
        'on-stale': 'warn'
      })
      expect(result.code).toBe(0)
      expect(result.outputs['user-count']).toBe(String(sim.tenant.count))
      expect(sim.requests.some((request) => request.target === 'users')).toBe(true)
    }
  )
})
