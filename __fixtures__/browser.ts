/**
 * Headless Chromium for the HTML report's tests: Debian's `chromium` package driven by
 * puppeteer-core (which never downloads a browser). Without the binary the browser tests are
 * skipped and say why; with BROWSER_TESTS=required (set by .ci/run) a missing browser fails them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { ROOT } from './action.js'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export const browserMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium)`

/** Browser tests run when Chromium is there, and must (fail otherwise) under BROWSER_TESTS=required. */
export const browserRequired = process.env.BROWSER_TESTS === 'required'

/** Where the tests leave their screenshots (ignored by git). */
export const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots')

export interface BrowserSession {
  browser: Browser
  close(): Promise<void>
}

/** A fresh Chromium with an empty profile and every background connection turned off. */
export async function launchChromium(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'))
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`
    ],
    timeout: 60_000
  })
  return {
    browser,
    async close() {
      await browser.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

/** What a page did that a report must never do: console errors, page errors, any request. */
export interface PageWatch {
  consoleErrors: string[]
  pageErrors: string[]
  /** Every request other than the report file itself (each was aborted). */
  requests: string[]
}

/** Opens `url` with every request but the page's own intercepted, logged and aborted. */
export async function openWatched(
  browser: Browser,
  url: string
): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage()
  const watch: PageWatch = { consoleErrors: [], pageErrors: [], requests: [] }
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn')
      watch.consoleErrors.push(message.text())
  })
  page.on('pageerror', (error) => watch.pageErrors.push(String(error)))
  await page.setRequestInterception(true)
  page.on('request', (request) => {
    if (request.url() === url) return void request.continue()
    watch.requests.push(request.url())
    void request.abort()
  })
  await page.setViewport({ width: 1400, height: 1000 })
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 })
  await page.waitForSelector('html[data-rendered]', { timeout: 60_000 })
  return { page, watch }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: false })
  return path
}
