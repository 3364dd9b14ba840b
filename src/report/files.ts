import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, open, readdir, stat } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { REPORT_BASENAME } from '../constants.js'
import type { ReportFormat } from '../settings/choices.js'
import type { Counts, Result, UserRecord } from '../policy.js'
import { csvRows } from './csv.js'
import type { Breakdown } from '../breakdown.js'
import { htmlFooter, htmlHeader, htmlUsers } from './html/page.js'
import { jsonFooter, jsonHeader, jsonUsers, type ReportMeta } from './json.js'
import { abortPartials, commitPartials } from './partial.js'

/** Paths of the finished report files (absent: that format was not asked for). */
export interface ReportPaths extends Partial<Record<ReportFormat, string>> {
  dir: string
}

/**
 * Writes the report incrementally, a page at a time, into `<name>.partial` files that replace
 * the real names only when the run completed: a half-written report is never left looking whole,
 * and a failed run leaves the files an earlier run wrote (a baseline among them) as they were.
 */
export class ReportFiles {
  private readonly streams: { format: ReportFormat; path: string; stream: WriteStream }[] = []
  private firstPage = true

  private constructor(readonly paths: ReportPaths) {}

  static async open(
    dir: string,
    formats: Record<ReportFormat, boolean>,
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
    await commitPartials(this.streams)
    return this.paths
  }

  /** Removes this run's partial files after a failure; nothing else in the directory. */
  async abort(): Promise<void> {
    await abortPartials(this.streams)
  }

  private async write(format: ReportFormat, text: string | Buffer): Promise<void> {
    const target = this.streams.find((entry) => entry.format === format)
    if (target && !target.stream.write(text)) await once(target.stream, 'drain')
  }
}

/** Report files an earlier run left in a directory, for a run that could not write its own. */
export interface EarlierReport {
  dir: string
  names: string[]
  /** The JSON report's `generatedAt`; else when the newest file was last written. */
  generatedAt?: string
  modifiedAt: string
}

const ISO_INSTANT = /"generatedAt"\s*:\s*"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z)"/

/** The report files in `dir` (none: undefined). Reads only the JSON report's first bytes. */
export async function earlierReport(dir: string): Promise<EarlierReport | undefined> {
  let names: string[]
  try {
    names = (await readdir(dir))
      .filter((name) => name.startsWith(`${REPORT_BASENAME}.`) && !name.endsWith('.partial'))
      .sort()
  } catch {
    return undefined
  }
  if (names.length === 0) return undefined
  const times = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).mtimeMs))
  const modifiedAt = new Date(Math.max(...times)).toISOString()
  let generatedAt: string | undefined
  if (names.includes(`${REPORT_BASENAME}.json`)) {
    // The header comes first and generatedAt second (the writer's key order).
    const file = await open(join(dir, `${REPORT_BASENAME}.json`))
    try {
      const head = Buffer.alloc(512)
      const { bytesRead } = await file.read(head, 0, head.length, 0)
      generatedAt = ISO_INSTANT.exec(head.subarray(0, bytesRead).toString('utf8'))?.[1]
    } finally {
      await file.close()
    }
  }
  return { dir, names, generatedAt, modifiedAt }
}
