import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import type { Counts, Result, UserRecord } from '../policy.js'
import { USER_COLUMNS } from '../report/columns.js'
import { csvEncoder } from '../report/csv.js'
import { jsonEncoder, SCHEMA_VERSION } from '../report/json.js'
import { abortPartials, commitPartials, type PartialFile } from '../report/partial.js'
import { MERGED_BASENAME } from './constants.js'

/** A user of the merged report: the report's columns after the tenant it came from. */
export type MergedRecord = UserRecord & { tenantId: string }

/** The merged report's user columns: `tenantId`, then every column of the action's report. */
export const MERGED_COLUMNS: readonly (keyof MergedRecord)[] = ['tenantId', ...USER_COLUMNS]

const csvRows = csvEncoder<MergedRecord>(MERGED_COLUMNS)
const jsonUsers = jsonEncoder<MergedRecord>(MERGED_COLUMNS)

/** Paths of the merged files (an HTML report of all tenants is not written). */
export interface MergedPaths {
  dir: string
  json: string
  csv: string
}

/** Users encoded at a time: bounds the buffers whatever the size of one report. */
const CHUNK = 1000

/** One tenant's entry in the merged JSON, after the users. */
export interface TenantEntry {
  tenantId: string
  /** The artifact name (pattern) or the file path (reports). */
  artifact?: string
  file?: string
  generatedAt: string
  cloud: string
  graphVersion: string
  source: string
  result: Exclude<Result, 'error'>
  counts: Counts
  policy: Record<string, unknown>
}

/**
 * The merged CSV and JSON, written a tenant at a time into `*.partial` files that get their
 * real names only when every report was merged. The JSON: `schemaVersion`, `generatedAt`,
 * `policy` (the merge's), `users` (each with its `tenantId`), `tenants`, `counts`, `result`.
 */
export class MergedFiles {
  private readonly streams: PartialFile[]
  private first = true

  private constructor(readonly paths: MergedPaths) {
    this.streams = [paths.json, paths.csv].map((path) => ({
      path,
      stream: createWriteStream(`${path}.partial`)
    }))
  }

  static async open(
    dir: string,
    generatedAt: string,
    policy: Record<string, unknown>
  ): Promise<MergedFiles> {
    await mkdir(dir, { recursive: true })
    const files = new MergedFiles({
      dir,
      json: join(dir, `${MERGED_BASENAME}.json`),
      csv: join(dir, `${MERGED_BASENAME}.csv`)
    })
    const head = JSON.stringify({ schemaVersion: SCHEMA_VERSION, generatedAt, policy }, null, 2)
    await files.write(0, `${head.slice(0, -2)},\n  "users": [`)
    await files.write(1, csvRows([], true))
    return files
  }

  /** Appends one tenant's users to both files. */
  async append(users: MergedRecord[]): Promise<void> {
    for (let start = 0; start < users.length; start += CHUNK) {
      const chunk = users.slice(start, start + CHUNK)
      await this.write(0, jsonUsers(chunk, this.first))
      await this.write(1, csvRows(chunk, false))
      this.first = false
    }
  }

  /** Closes the files and gives them their real names. */
  async finish(
    tenants: TenantEntry[],
    counts: Counts,
    result: Exclude<Result, 'error'>
  ): Promise<MergedPaths> {
    const entries = tenants.map((tenant) => `    ${JSON.stringify(tenant)}`).join(',\n')
    await this.write(
      0,
      `\n  ],\n  "tenants": [\n${entries}\n  ],\n  "counts": ${JSON.stringify(counts)},\n  "result": ${JSON.stringify(result)}\n}\n`
    )
    await commitPartials(this.streams)
    return this.paths
  }

  /** Removes the partial files; files of an earlier merge at the real names stay as they were. */
  async abort(): Promise<void> {
    await abortPartials(this.streams)
  }

  private async write(index: number, data: string | Buffer): Promise<void> {
    const { stream } = this.streams[index]
    if (!stream.write(data)) await once(stream, 'drain')
  }
}
