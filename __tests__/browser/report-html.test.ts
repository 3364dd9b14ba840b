/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types for the functions that puppeteer runs inside the page.)
/**
 * The HTML report in a real browser: headless Chromium opens the report of a 10k-user and a
 * 100k-user run of dist/index.js against the simulator. The counts and charts equal the JSON
 * report's, sorting and filtering show the right rows, the export equals the CSV report's rows,
 * nothing is requested and nothing is logged as an error; hostile names stay text.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { Page } from 'puppeteer-core'
import { runOn, type ActionRun, type Report } from '../../__fixtures__/action.js'
import {
  browserMissing,
  browserRequired,
  launchChromium,
  openWatched,
  screenshot,
  type BrowserSession,
  type PageWatch
} from '../../__fixtures__/browser.js'
import { startSimulator, type Simulator } from '../../simulator/server.js'
import { fixtureTenant, generateTenant } from '../../simulator/tenant.js'
import { graphUser, histogram, parseCsv, signedIn } from '../e2e/helpers.js'

type User = Record<string, unknown>

/** The ids of the table rows drawn, top to bottom. */
const drawnIds = (page: Page) =>
  page.$$eval('#rows .row:not([hidden])', (rows) =>
    rows
      .map((row) => ({
        id: (row as HTMLElement).dataset.id!,
        y: new DOMMatrix(getComputedStyle(row).transform).m42
      }))
      .sort((a, b) => a.y - b.y)
      .map((row) => row.id)
  )

const shownCount = (page: Page) =>
  page.$eval('#shown', (element) => Number((element as HTMLElement).dataset.count))

/** Sets the filters the way a person does: status boxes, the type list, the text box. */
async function filter(page: Page, statuses: string[], type: string, text: string): Promise<void> {
  for (const box of await page.$$('#statuses input')) {
    const [value, checked] = await box.evaluate((input) => [
      (input as HTMLInputElement).value,
      (input as HTMLInputElement).checked
    ])
    if (checked !== statuses.includes(value as string)) await box.click()
  }
  await page.select('#type', type)
  await page.$eval('#search', (input) => {
    ;(input as HTMLInputElement).value = ''
    input.dispatchEvent(new Event('input'))
  })
  if (text !== '') await page.type('#search', text)
  // The text box applies after a short pause: wait until the table says it used this text.
  await page.waitForSelector(`#shown[data-text="${text.toLowerCase()}"]`)
}

/** Clicks Export and returns the CSV Chromium downloaded. */
async function exportCsv(page: Page): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'html-export-'))
  const session = await page.createCDPSession()
  await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir })
  await page.click('#export')
  const path = join(dir, 'entra-signin-report-filtered.csv')
  for (let wait = 0; wait < 100 && !existsSync(path); wait++)
    await new Promise((resolve) => setTimeout(resolve, 100))
  expect(readdirSync(dir)).toEqual(['entra-signin-report-filtered.csv'])
  return readFileSync(path, 'utf8')
}

const describeBrowser = browserMissing && !browserRequired ? describe.skip : describe
if (browserMissing) {
  const why = `browser tests skipped: ${browserMissing}`
  if (browserRequired)
    test('Chromium is installed (BROWSER_TESTS=required)', () => {
      throw new Error(why)
    })
  else console.warn(why)
}

let chromium: BrowserSession
beforeAll(async () => {
  if (!browserMissing) chromium = await launchChromium()
}, 90_000)
afterAll(async () => {
  await chromium?.close()
})

describeBrowser.each([10_000, 100_000])('the HTML report of %i users', (size) => {
  let sim: Simulator
  let run: ActionRun
  let report: Report
  let page: Page
  let watch: PageWatch
  beforeAll(async () => {
    sim = await startSimulator({ tenant: generateTenant({ count: size, seed: 13 }) })
    run = await runOn(
      sim,
      { 'report-formats': 'csv,json,html', 'warn-days': '60', 'on-stale': 'warn' },
      { timeoutMs: 300_000 }
    )
    expect(run.code).toBe(0)
    report = run.json()
    const path = join(run.outputs['report-dir'], 'entra-signin-report.html')
    ;({ page, watch } = await openWatched(chromium.browser, pathToFileURL(path).href))
  }, 400_000)
  afterAll(async () => {
    await page?.close()
    await sim?.close()
  })

  test('counts and charts equal the JSON report, the table draws only the rows in view', async () => {
    const counts = await page.$$eval('.counts [data-count]', (items) =>
      Object.fromEntries(
        items.map((item) => [
          (item as HTMLElement).dataset.count,
          Number(item.querySelector('b')!.textContent)
        ])
      )
    )
    // The page lists the scalar counts; the per-group tallies and licences are the summary's.
    const scalarCounts = Object.fromEntries(
      Object.entries(report.counts).filter(([, value]) => typeof value === 'number')
    )
    expect(counts).toEqual(scalarCounts)
    expect(await page.$eval('#result', (element) => element.textContent)).toBe(report.result)

    const bars = await page.$$eval('#histogram .bar', (groups) =>
      Object.fromEntries(
        groups.map((group) => [
          (group as SVGElement).dataset.bucket,
          Number((group as SVGElement).dataset.count)
        ])
      )
    )
    expect(bars).toEqual(histogram(report.users))
    const allUsers = await page.$$eval('#breakdown [data-type="all users"] .segment', (segments) =>
      Object.fromEntries(
        segments.map((segment) => [
          (segment as SVGElement).dataset.status,
          Number((segment as SVGElement).dataset.count)
        ])
      )
    )
    const statuses = ['stale', 'warn', 'active', 'excluded', 'skipped'] as const
    expect(allUsers).toEqual(
      Object.fromEntries(
        statuses.filter((s) => report.counts[s] > 0).map((s) => [s, report.counts[s]])
      )
    )

    expect(await shownCount(page)).toBe(size)
    const drawn = await drawnIds(page)
    expect(drawn.length).toBeGreaterThan(10)
    expect(drawn.length).toBeLessThan(100)
    expect(drawn).toEqual(report.users.slice(0, drawn.length).map((user) => user.id))

    await screenshot(page, `report-${size}`)

    // Scrolled half way, the rows drawn are the users half way down.
    const middle = Math.floor(size / 2)
    await page.$eval('#viewport', (viewport, row) => (viewport.scrollTop = row * 28), middle)
    await page.waitForFunction(
      (id) =>
        [...document.querySelectorAll('#rows .row')].some(
          (row) => (row as HTMLElement).dataset.id === id
        ),
      {},
      report.users[middle].id as string
    )
    const scrolled = await drawnIds(page)
    const at = scrolled.indexOf(report.users[middle].id as string)
    expect(scrolled.slice(at, at + 10)).toEqual(
      report.users.slice(middle, middle + 10).map((user) => user.id)
    )
  })

  test('the export of every row equals the CSV report byte for byte', async () => {
    if (size > 10_000) return // the same code path; 100k only costs time
    expect(await exportCsv(page)).toBe(run.csv())
  })

  test('sorting by days inactive and by UPN shows the right rows first', async () => {
    const byId = new Map(report.users.map((user) => [user.id as string, user]))
    await page.click('[role=columnheader][data-column="10"] button') // daysInactive
    const drawn = await drawnIds(page)
    const days = (user: User) =>
      user.daysInactive === null ? Infinity : (user.daysInactive as number)
    const expected = report.users.map(days).sort((a, b) => b - a)
    expect(drawn.map((id) => days(byId.get(id)!))).toEqual(expected.slice(0, drawn.length))
    expect(
      await page.$eval('[role=columnheader][data-column="10"]', (cell) =>
        cell.getAttribute('aria-sort')
      )
    ).toBe('descending')

    await page.click('[role=columnheader][data-column="1"] button') // userPrincipalName
    const upn = (user: User) => ((user.userPrincipalName as string | null) ?? '').toLowerCase()
    const byUpn = await drawnIds(page)
    const upns = report.users.map(upn).sort()
    expect(byUpn.map((id) => upn(byId.get(id)!))).toEqual(upns.slice(0, byUpn.length))
    await page.click('[role=columnheader][data-column="1"] button')
    const descending = await drawnIds(page)
    expect(descending.map((id) => upn(byId.get(id)!))).toEqual(
      upns.reverse().slice(0, descending.length)
    )
  })

  test('filters by status, type and text show exactly the matching users, and export them', async () => {
    const text = 'GRACE'
    const matches = (user: User) =>
      user.status === 'warn' &&
      user.userType === 'Guest' &&
      [user.userPrincipalName, user.displayName, user.id, user.reason]
        .join('\n')
        .toLowerCase()
        .includes(text.toLowerCase())
    await filter(page, ['warn'], 'Guest', text)
    const expected = report.users.filter(matches)
    expect(expected.length).toBeGreaterThan(0)
    expect(await shownCount(page)).toBe(expected.length)
    const expectedIds = new Set(expected.map((user) => user.id))
    for (const id of await drawnIds(page)) expect(expectedIds.has(id)).toBe(true)

    // The export holds the rows shown, as the CSV report has them.
    const [header, ...rows] = parseCsv(await exportCsv(page))
    const [csvHeader, ...csvRows] = parseCsv(run.csv())
    expect(header).toEqual(csvHeader)
    const sortRows = (list: string[][]) => list.map((row) => row.join(',')).sort()
    expect(sortRows(rows)).toEqual(sortRows(csvRows.filter((row) => expectedIds.has(row[0]))))

    await filter(page, ['stale', 'excluded'], '*', '')
    expect(await shownCount(page)).toBe(report.counts.stale + report.counts.excluded)
    await screenshot(page, `report-${size}-filtered`)
  })

  test('the page made no request and logged no error', () => {
    expect(watch.requests).toEqual([])
    expect(watch.consoleErrors).toEqual([])
    expect(watch.pageErrors).toEqual([])
  })
})

describeBrowser('hostile names', () => {
  const HOSTILE = [
    '</script><img src=x onerror="window.pwned=1">',
    '<!--<script>window.pwned=2</script>',
    '"><svg onload="window.pwned=3">',
    'line\u2028separator\u2029paragraph',
    '&lt;b&gt;not bold&amp;',
    '=HYPERLINK("https://example.invalid")'
  ]
  const users = [
    ...HOSTILE.map((name, index) =>
      graphUser(`hostile${index}`, { displayName: name, signInActivity: signedIn(100.5) })
    ),
    graphUser('typed', {
      userPrincipalName: '</script><script>window.pwned=4</script>@contoso.onmicrosoft.com',
      // Graph only sends Member or Guest; the page must not trust even that.
      userType: '<b onmouseover="window.pwned=5">Guest</b>' as 'Guest',
      signInActivity: signedIn(3.5)
    })
  ]
  let sim: Simulator
  let page: Page
  let watch: PageWatch
  let run: ActionRun
  beforeAll(async () => {
    sim = await startSimulator({ tenant: fixtureTenant(users) })
    run = await runOn(sim, { 'report-formats': 'json,html', 'on-stale': 'warn' })
    expect(run.code).toBe(0)
    const path = join(run.outputs['report-dir'], 'entra-signin-report.html')
    ;({ page, watch } = await openWatched(chromium.browser, pathToFileURL(path).href))
  }, 120_000)
  afterAll(async () => {
    await page?.close()
    await sim?.close()
  })

  test('show as text, in the table, the charts and the type list, and run nothing', async () => {
    const cells = await page.$$eval('#rows .row:not([hidden])', (rows) =>
      rows.map((row) => [...row.children].map((cell) => cell.textContent))
    )
    const names = cells.map((row) => row[2])
    for (const name of HOSTILE) expect(names).toContain(name)
    expect(cells.map((row) => row[1])).toContain(users.at(-1)!.userPrincipalName)
    expect(cells.map((row) => row[3])).toContain(users.at(-1)!.userType)
    const options = await page.$$eval('#type option', (list) => list.map((o) => o.value))
    expect(options).toContain(users.at(-1)!.userType)
    const types = await page.$$eval('#breakdown .type-row', (rows) =>
      rows.map((row) => (row as SVGElement).dataset.type)
    )
    expect(types).toContain(users.at(-1)!.userType)

    expect(
      await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)
    ).toBeUndefined()
    expect(await page.$$eval('img, iframe, object, embed', (list) => list.length)).toBe(0)
    expect(await page.$$eval('[onerror], [onload], [onmouseover]', (list) => list.length)).toBe(0)
    expect(await page.$$eval('script', (list) => list.length)).toBe(2)
    expect(await page.$$eval('svg', (list) => list.map((svg) => svg.id))).toEqual([
      'histogram',
      'breakdown'
    ])
    // The embedded data reads back as the JSON report's users.
    const embedded = await page.$eval('#users-data', (element) => JSON.parse(element.textContent!))
    expect((embedded as unknown[][]).map((row) => row[2])).toEqual(
      run.json().users.map((user) => user.displayName)
    )
    expect(watch.requests).toEqual([])
    expect(watch.consoleErrors).toEqual([])
    expect(watch.pageErrors).toEqual([])
    // The job summary shows the hostile type escaped.
    expect(run.summary).not.toContain('<b onmouseover')
    expect(run.summary).toContain('&#60;b onmouseover=&#34;window.pwned=5&#34;&#62;Guest')
    await screenshot(page, 'report-hostile')
  })
})
