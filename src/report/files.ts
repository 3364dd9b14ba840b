import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { REPORT_BASENAME } from '../constants.js'
import type { Counts, Result, UserRecord } from '../policy.js'
import { csvRows } from './csv.js'
import type { Breakdown } from '../breakdown.js'
import { htmlFooter, htmlHeader, htmlUsers } from './html/page.js'
import { jsonFooter, jsonHeader, jsonUsers, type ReportMeta } from './json.js'

/** Paths of the finished report files (absent: that format was not asked for). */
export interface ReportPaths {
  dir: string
  json?: string
  csv?: string
  html?: string
}

type Format = 'json' | 'csv' | 'html'

/**
 * Writes the report incrementally, a page at a time, into `<name>.partial` files that become the
 * real names only when the run completed: a half-written report is never left looking whole.
 */
export class ReportFiles {
  private readonly streams: { format: Format; path: string; stream: WriteStream }[] = []
  private firstPage = true

  private constructor(readonly paths: ReportPaths) {}

  static async open(
    dir: string,
    formats: Record<Format, boolean>,
    meta: ReportMeta
  ): Promise<ReportFiles> {
    await mkdir(dir, { recursive: true })
    const files = new ReportFiles({
      dir,
      json: formats.json ? join(dir, `${REPORT_BASENAME}.json`) : undefined,
      csv: formats.csv ? join(dir, `${REPORT_BASENAME}.csv`) : undefined,
      html: formats.html ? join(dir, `${REPORT_BASENAME}.html`) : undefined
    })
    for (const format of ['json', 'csv', 'html'] as const) {
      const path = files.paths[format]
      if (path) files.streams.push({ format, path, stream: createWriteStream(`${path}.partial`) })
    }
    await files.write('json', jsonHeader(meta))
    await files.write('html', htmlHeader(meta))
    return files
  }

  /** Appends one page of records to every format. */
  async append(records: UserRecord[]): Promise<void> {
    if (records.length === 0) return
    await this.write('json', jsonUsers(records, this.firstPage))
    await this.write('csv', csvRows(records, this.firstPage))
    await this.write('html', htmlUsers(records, this.firstPage))
    this.firstPage = false
  }

  /** Closes the files and gives them their real names. */
  async finish(counts: Counts, result: Result, breakdown: Breakdown): Promise<ReportPaths> {
    // An empty tenant still gets a CSV header.
    if (this.firstPage) await this.write('csv', csvRows([], true))
    await this.write('json', jsonFooter(counts, result))
    await this.write('html', htmlFooter(counts, result, breakdown))
    for (const { path, stream } of this.streams) {
      stream.end()
      await once(stream, 'close')
      await rename(`${path}.partial`, path)
    }
    return this.paths
  }

  /** Removes the partial files after a failed run. */
  async abort(): Promise<void> {
    for (const { path, stream } of this.streams) {
      // A write still in flight would emit ERR_STREAM_DESTROYED with no listener and crash the
      // process; and the file must be closed (opened, even) before it can be removed for good.
      stream.on('error', () => undefined)
      if (!stream.closed) {
        const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()))
        stream.destroy()
        await closed
      }
      await rm(`${path}.partial`, { force: true })
      await rm(path, { force: true })
    }
  }

  private async write(format: Format, text: string | Buffer): Promise<void> {
    const target = this.streams.find((entry) => entry.format === format)
    if (target && !target.stream.write(text)) await once(target.stream, 'drain')
  }
}
