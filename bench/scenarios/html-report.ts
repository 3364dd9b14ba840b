/// <reference lib="dom" />
/**
 * The HTML report of a run: its size, and in headless Chromium (as the browser tests open it) the
 * time from navigation to the first table rows drawn and the time to sort every user. Without
 * Chromium, or past HTML_RENDER_MAX_USERS, only the size is measured, and the result says why.
 */
import { statSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { browserMissing, launchChromium, openWatched } from '../../__fixtures__/browser.js'

/** Largest tenant whose page is opened (a 1M-user page is ~290 MB: a test of the browser). */
export const HTML_RENDER_MAX_USERS = 100_000

export interface HtmlReportMeasure {
  bytes: number
  bytesPerUser: number
  /** ms from navigation start to the page's `first-render` mark. */
  firstRenderMs?: number
  /** ms from a click on "Days inactive" to the sorted rows drawn. */
  sortMs?: number
  /** Why the page was not opened. */
  notOpened?: string
  /** Requests, console errors and page errors the page produced (must be none). */
  problems: string[]
}

export async function measureHtmlReport(path: string, users: number): Promise<HtmlReportMeasure> {
  const bytes = statSync(path).size
  const measure: HtmlReportMeasure = { bytes, bytesPerUser: bytes / users, problems: [] }
  if (browserMissing) return { ...measure, notOpened: browserMissing }
  if (users > HTML_RENDER_MAX_USERS)
    return { ...measure, notOpened: `over ${HTML_RENDER_MAX_USERS} users` }
  const chromium = await launchChromium()
  try {
    const { page, watch } = await openWatched(chromium.browser, pathToFileURL(path).href)
    measure.firstRenderMs = await page.evaluate(
      () => performance.getEntriesByName('first-render')[0].startTime
    )
    measure.sortMs = await page.evaluate(async () => {
      const started = performance.now()
      document.querySelector<HTMLButtonElement>('[data-column="10"] button')!.click()
      await new Promise((resolve) => requestAnimationFrame(resolve))
      return performance.now() - started
    })
    measure.problems.push(...watch.requests, ...watch.consoleErrors, ...watch.pageErrors)
    return measure
  } finally {
    await chromium.close()
  }
}
