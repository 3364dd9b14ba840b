/**
 * The HTML report's pieces: histogram buckets, the bounded breakdown, the JSON embedding, the
 * streamed page and its Content-Security-Policy. The browser tests (__tests__/browser) open
 * whole reports in Chromium.
 */
import { createHash } from 'node:crypto'
import { describe, expect, test } from '@jest/globals'
import type { Status } from '../../src/policy.js'
import { record } from '../../__fixtures__/records.js'
import { emptyCounts } from '../../src/policy.js'
import { USER_COLUMNS } from '../../src/report/columns.js'
import type { ReportMeta } from '../../src/report/json.js'
import {
  BUCKETS,
  Breakdown,
  bucketOf,
  MAX_USER_TYPES,
  NO_TYPE,
  OTHER_TYPES
} from '../../src/breakdown.js'
import { embeddableJson, escapeHtml } from '../../src/report/html/escape.js'
import { htmlFooter, htmlHeader, htmlUsers } from '../../src/report/html/page.js'

const meta: ReportMeta = {
  generatedAt: '2026-01-01T00:00:00.000Z',
  tenantId: '<tenant>&"',
  cloud: 'global',
  graphVersion: 'beta',
  source: 'sign-in-activity',
  policy: { thresholdDays: 90, exclude: [{ pattern: '</dd><script>x</script>', reason: '' }] }
}

describe('histogram buckets', () => {
  test.each([
    [0, '< 30 d'],
    [29, '< 30 d'],
    [30, '30–60 d'],
    [59, '30–60 d'],
    [60, '60–90 d'],
    [89, '60–90 d'],
    [90, '90–180 d'],
    [179, '90–180 d'],
    [180, '180–365 d'],
    [364, '180–365 d'],
    [365, '1–2 y'],
    [729, '1–2 y'],
    [730, '> 2 y'],
    [100_000, '> 2 y']
  ])('%i days inactive → %s', (days, label) => {
    expect(BUCKETS[bucketOf({ daysInactive: days, neverSignedIn: false })].label).toBe(label)
  })

  test('never signed in, whatever the days since creation, and unknown inactivity → never', () => {
    expect(BUCKETS[bucketOf({ daysInactive: 5, neverSignedIn: true })].label).toBe('never')
    expect(BUCKETS[bucketOf({ daysInactive: null, neverSignedIn: true })].label).toBe('never')
    expect(BUCKETS[bucketOf({ daysInactive: null, neverSignedIn: false })].label).toBe('never')
  })
})

describe('Breakdown', () => {
  test('the histogram counts checked users only; the type rows count everyone by status', () => {
    const breakdown = new Breakdown()
    const statuses: Status[] = ['stale', 'warn', 'active', 'excluded', 'skipped']
    for (const status of statuses) breakdown.add(record({ status, daysInactive: 40 }))
    breakdown.add(record({ status: 'active', userType: 'Guest', daysInactive: 1 }))
    breakdown.add(record({ status: 'stale', userType: null, neverSignedIn: true }))
    expect(breakdown.histogram).toEqual([1, 3, 0, 0, 0, 0, 0, 1])
    expect(breakdown.byType()).toEqual([
      {
        type: 'Member',
        total: 5,
        counts: { stale: 1, warn: 1, active: 1, excluded: 1, skipped: 1 }
      },
      {
        type: 'Guest',
        total: 1,
        counts: { stale: 0, warn: 0, active: 1, excluded: 0, skipped: 0 }
      },
      { type: NO_TYPE, total: 1, counts: { stale: 1, warn: 0, active: 0, excluded: 0, skipped: 0 } }
    ])
  })

  test('its size is fixed: types past the first MAX_USER_TYPES share one row', () => {
    const breakdown = new Breakdown()
    for (let type = 0; type < 50; type++)
      for (let user = 0; user <= type; user++) breakdown.add(record({ userType: `type${type}` }))
    const rows = breakdown.byType()
    expect(rows).toHaveLength(MAX_USER_TYPES + 1)
    expect(rows.at(-1)!.type).toBe(OTHER_TYPES)
    expect(rows.reduce((sum, row) => sum + row.total, 0)).toBe((50 * 51) / 2)
  })
})

describe('escaping', () => {
  test('escapeHtml leaves no character that opens a tag or ends an attribute', () => {
    expect(escapeHtml(`<img src=x onerror="a('&')">`)).toBe(
      '&#60;img src=x onerror=&#34;a(&#39;&#38;&#39;)&#34;&#62;'
    )
    expect(escapeHtml(null)).toBe('')
  })

  test('embeddableJson reads back as the same value and holds no <, >, & or U+2028/9', () => {
    const value = ['</script><!--', '&amp;', 'a\u2028b\u2029c', '"\\']
    const json = embeddableJson(JSON.stringify(value))
    expect(json).not.toMatch(/[<>&\u2028\u2029]/)
    expect(JSON.parse(json)).toEqual(value)
  })
})

describe('the streamed page', () => {
  const pages = [
    [record({ displayName: '</script><img src=x onerror=alert(1)>' }), record()],
    [record({ userPrincipalName: 'zoë\u2028@contoso.com', displayName: null, daysInactive: null })]
  ]
  const breakdown = new Breakdown()
  for (const page of pages) for (const user of page) breakdown.add(user)
  const counts = { ...emptyCounts(), users: 3, checked: 3, stale: 3 }
  const html = [
    htmlHeader(meta),
    htmlUsers(pages[0], true).toString('utf8'),
    htmlUsers([], false).toString('utf8'),
    htmlUsers(pages[1], false).toString('utf8'),
    htmlFooter(counts, 'fail', breakdown)
  ].join('')

  test('the users block holds every user once, as rows of values in USER_COLUMNS order', () => {
    const blocks = [...html.matchAll(/<script type="application\/json" id="users-data">/g)]
    expect(blocks).toHaveLength(1)
    const data = /id="users-data">([\s\S]*?)<\/script>/.exec(html)![1]
    expect(data).not.toMatch(/[<>&\u2028]/)
    const expected = pages.flat().map((user) => USER_COLUMNS.map((column) => user[column]))
    expect(JSON.parse(data)).toEqual(expected)
  })

  test('a page of users costs about as many bytes as its values (no keys)', () => {
    const users = Array.from({ length: 100 }, () => record())
    const bytes = htmlUsers(users, true).length
    const values = users.reduce((sum, user) => sum + JSON.stringify(Object.values(user)).length, 0)
    expect(bytes).toBe(values + 2 * users.length - 1) // ",\n" between rows, "\n" before the first
  })

  test('only the inline script and style run: the CSP allows exactly their hashes', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]
    const directives = Object.fromEntries(
      csp.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)])
    )
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1])
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1])
    expect(scripts).toHaveLength(1)
    expect(styles).toHaveLength(1)
    expect(directives).toEqual({
      'default-src': ["'none'"],
      'script-src': [hash(scripts[0])],
      'style-src': [hash(styles[0])],
      'base-uri': ["'none'"],
      'form-action': ["'none'"]
    })
    // Nothing outside the users' data (where a name may say anything) points anywhere.
    const markup = html.replace(/id="users-data">[\s\S]*?<\/script>/, '')
    expect(markup).not.toMatch(/\b(src|href)=|url\(|@import/)
  })

  test('the header and the footer escape what they show', () => {
    expect(html).toContain('Tenant <b>&#60;tenant&#62;&#38;&#34;</b>')
    expect(html).not.toContain('<script>x</script>')
    expect(html).toContain('&#60;/dd&#62;&#60;script&#62;x&#60;/script&#62;')
    expect(html).toContain('<li data-count="stale"><b>3</b>stale</li>')
    expect(html).toContain('class="result result-fail">fail</span>')
  })
})
