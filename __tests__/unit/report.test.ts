import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareWorstFirst, emptyCounts, type Counts, type UserRecord } from '../../src/policy.js'
import { record } from '../../__fixtures__/records.js'
import { csvRows, protectCell } from '../../src/report/csv.js'
import { earlierReport, ReportFiles } from '../../src/report/files.js'
import { Breakdown } from '../../src/breakdown.js'
import { jsonUsers, type ReportMeta } from '../../src/report/json.js'
import { redactName, redactRecord, redactUpn } from '../../src/report/redact.js'
import { bar, histogramTable, userTypeTable } from '../../src/summary/chart.js'
import { escapeCell } from '../../src/summary/escape.js'
import {
  policyLine,
  renderErrorSummary,
  renderSummary,
  type SummaryInput
} from '../../src/summary/summary.js'
import { WorstUsers } from '../../src/summary/worst.js'
import { parseExclusions } from '../../src/exclusions.js'
import { testPolicy, testSettings } from '../../__fixtures__/settings.js'

/** The user columns, in order, as DESIGN.md's Report section lists them. */
const CONTRACT_COLUMNS = [
  'id',
  'userPrincipalName',
  'displayName',
  'userType',
  'accountEnabled',
  'createdDateTime',
  'lastSignInDateTime',
  'lastNonInteractiveSignInDateTime',
  'lastSuccessfulSignInDateTime',
  'lastActivityDateTime',
  'daysInactive',
  'neverSignedIn',
  'status',
  'reason',
  'mail',
  'onPremisesSyncEnabled',
  'externalUserState',
  'licenses',
  'privilegedRoles'
]

const CONTRACT_TOP_LEVEL = [
  'schemaVersion',
  'generatedAt',
  'tenantId',
  'cloud',
  'graphVersion',
  'source',
  'policy',
  'counts',
  'result',
  'users'
]

/** The CSV writer's bytes, as text. */
const csvText = (...args: Parameters<typeof csvRows>) => csvRows(...args).toString('utf8')

/**
 * A strict RFC 4180 reader: CRLF ends a record, quoted fields may hold anything. A bare CR or LF
 * outside quotes also ends a record, as spreadsheets read it.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  const endRow = () => {
    row.push(field)
    rows.push(row)
    row = []
    field = ''
  }
  while (i < text.length) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 2
      } else if (c === '"') {
        quoted = false
        i++
      } else {
        field += c
        i++
      }
    } else if (c === '"' && field === '') {
      quoted = true
      i++
    } else if (c === ',') {
      row.push(field)
      field = ''
      i++
    } else if (c === '\r' && text[i + 1] === '\n') {
      endRow()
      i += 2
    } else if (c === '\r' || c === '\n') {
      endRow()
      i++
    } else {
      field += c
      i++
    }
  }
  if (field !== '' || row.length > 0) endRow()
  return rows
}

describe('protectCell', () => {
  test.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', "'\rcmd"],
    ['=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'],
    ['Jane Doe', 'Jane Doe'],
    ['a=b', 'a=b'],
    ['x-1', 'x-1'],
    ['', ''],
    ["'quoted", "'quoted"],
    [' =1', ' =1']
  ])('%j → %j', (value, expected) => {
    expect(protectCell(value)).toBe(expected)
  })
})

describe('csvRows', () => {
  test('the header is exactly the contract column list, CRLF terminated', () => {
    const text = csvText([], true)
    expect(text).toBe(`${CONTRACT_COLUMNS.join(',')}\r\n`)
  })

  test('no header when asked for none', () => {
    const text = csvText([record()], false)
    expect(parseCsv(text)).toHaveLength(1)
    expect(text.startsWith('id,')).toBe(false)
  })

  test('a row holds every field in column order; null is empty, booleans true/false', () => {
    const input = record({
      displayName: null,
      userType: null,
      lastNonInteractiveSignInDateTime: null,
      daysInactive: null,
      accountEnabled: false,
      neverSignedIn: true
    })
    const [header, row] = parseCsv(csvText([input], true))
    expect(header).toEqual(CONTRACT_COLUMNS)
    const cell = (column: string) => row[header.indexOf(column)]
    expect(row).toHaveLength(CONTRACT_COLUMNS.length)
    expect(cell('id')).toBe(input.id)
    expect(cell('userPrincipalName')).toBe(input.userPrincipalName)
    expect(cell('displayName')).toBe('')
    expect(cell('userType')).toBe('')
    expect(cell('daysInactive')).toBe('')
    expect(cell('lastNonInteractiveSignInDateTime')).toBe('')
    expect(cell('accountEnabled')).toBe('false')
    expect(cell('neverSignedIn')).toBe('true')
    expect(cell('lastSuccessfulSignInDateTime')).toBe(input.lastSuccessfulSignInDateTime)
    expect(cell('status')).toBe('stale')
    expect(cell('reason')).toBe(input.reason)
  })

  test('lists are one ;-joined cell; empty list empty, null list empty; a formula lead protected', () => {
    const rows = parseCsv(
      csvText(
        [
          record({ licenses: ['SPE_E3', 'POWER_BI_PRO'], privilegedRoles: [] }),
          record({ licenses: [], privilegedRoles: ['=HYPERLINK("x")', 'Global Reader'] }),
          record({ privilegedRoles: null })
        ],
        true
      )
    )
    const at = (r: number, column: string) => rows[r][rows[0].indexOf(column)]
    expect(at(1, 'licenses')).toBe('SPE_E3;POWER_BI_PRO')
    expect(at(1, 'privilegedRoles')).toBe('')
    expect(at(2, 'licenses')).toBe('')
    expect(at(2, 'privilegedRoles')).toBe(`'=HYPERLINK("x");Global Reader`)
    expect(at(3, 'privilegedRoles')).toBe('')
  })

  test('numbers and true booleans', () => {
    const [header, row] = parseCsv(
      csvText([record({ daysInactive: 0, accountEnabled: true })], true)
    )
    expect(row[header.indexOf('daysInactive')]).toBe('0')
    expect(row[header.indexOf('accountEnabled')]).toBe('true')
  })

  test.each([
    ['a comma', 'Doe, Jane'],
    ['quotes', 'Jane "JD" Doe'],
    ['CRLF', 'two\r\nlines'],
    ['only a quote', '"'],
    ['unicode', 'Zoë 名前 🙂']
  ])('%s in a cell is quoted per RFC 4180 and reads back', (_, name) => {
    const text = csvText([record({ displayName: name })], true)
    const rows = parseCsv(text)
    expect(rows).toHaveLength(2)
    expect(rows[1][2]).toBe(name)
    expect(text.endsWith('\r\n')).toBe(true)
  })

  test.each([
    ['a bare LF', 'two\nlines'],
    ['a bare CR', 'two\rlines'],
    ['a formula-protected CR', '\rCR']
  ])('%s in a cell is quoted per RFC 4180 and reads back', (_, name) => {
    const rows = parseCsv(csvText([record({ displayName: name })], true))
    expect(rows).toHaveLength(2)
    expect(rows[1][2]).toBe(name.startsWith('\r') ? `'${name}` : name)
  })

  test.each(['=cmd|"/c calc"!A1', '+1', '-2+3', '@SUM(1)', '\tTAB'])(
    'a formula-looking name %j gets a leading apostrophe',
    (name) => {
      const [header, row] = parseCsv(csvText([record({ displayName: name })], true))
      expect(row[header.indexOf('displayName')]).toBe(`'${name}`)
    }
  )

  test('formula protection applies to every text column', () => {
    const [header, row] = parseCsv(
      csvText([record({ userPrincipalName: '=evil@contoso.com', userType: '+Guest' })], true)
    )
    expect(row[header.indexOf('userPrincipalName')]).toBe("'=evil@contoso.com")
    expect(row[header.indexOf('userType')]).toBe("'+Guest")
  })

  test('several records: one row each, CRLF between them', () => {
    const records = [record(), record(), record()]
    const text = csvText(records, true)
    expect(text.split('\r\n')).toHaveLength(5)
    expect(
      parseCsv(text)
        .slice(1)
        .map((row) => row[0])
    ).toEqual(records.map((r) => r.id))
  })
})

describe('ReportFiles', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'report-test-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const meta: ReportMeta = {
    generatedAt: '2025-06-15T12:00:00.000Z',
    tenantId: 'contoso.onmicrosoft.com',
    cloud: 'global',
    graphVersion: 'beta',
    source: 'sign-in-activity',
    policy: {
      ...testPolicy({ warnDays: 30 }),
      guestThresholdDays: null,
      invitationDays: null,
      privilegedThresholdDays: null,
      exclude: []
    }
  }
  const counts: Counts = {
    ...emptyCounts(),
    users: 3,
    checked: 3,
    stale: 2,
    active: 1,
    newStale: 2
  }

  test('a finished JSON report parses with the contract fields, in order, and the CSV matches', async () => {
    const pageOne = [
      record({ displayName: 'Zoë "Z" <b>' }),
      record({ status: 'active', daysInactive: 3 })
    ]
    const pageTwo = [
      record({ daysInactive: null, neverSignedIn: true, lastActivityDateTime: null })
    ]
    const files = await ReportFiles.open(dir, { csv: true, json: true, html: false }, meta)
    await files.append(pageOne)
    await files.append([])
    await files.append(pageTwo)
    const paths = await files.finish(counts, 'fail', new Breakdown())

    expect(paths.json).toBe(join(dir, 'entra-signin-report.json'))
    expect(paths.csv).toBe(join(dir, 'entra-signin-report.csv'))
    expect(readdirSync(dir).sort()).toEqual(['entra-signin-report.csv', 'entra-signin-report.json'])

    const report = JSON.parse(readFileSync(paths.json!, 'utf8'))
    expect(report.schemaVersion).toBe(1)
    expect(Object.keys(report).sort()).toEqual([...CONTRACT_TOP_LEVEL].sort())
    expect(report).toMatchObject({ ...meta, counts, result: 'fail' })
    expect(report.users).toHaveLength(3)
    for (const user of report.users) expect(Object.keys(user)).toEqual(CONTRACT_COLUMNS)
    expect(report.users).toEqual([...pageOne, ...pageTwo])

    const rows = parseCsv(readFileSync(paths.csv!, 'utf8'))
    expect(rows[0]).toEqual(CONTRACT_COLUMNS)
    expect(rows.slice(1).map((row) => row[0])).toEqual([...pageOne, ...pageTwo].map((r) => r.id))
  })

  test('while writing, the report files do not exist under their real names', async () => {
    const files = await ReportFiles.open(dir, { csv: true, json: true, html: false }, meta)
    await files.append([record()])
    expect(existsSync(join(dir, 'entra-signin-report.json'))).toBe(false)
    expect(existsSync(join(dir, 'entra-signin-report.csv'))).toBe(false)
    await files.finish(counts, 'pass', new Breakdown())
    expect(existsSync(join(dir, 'entra-signin-report.json'))).toBe(true)
  })

  test('an empty tenant: users [] and a CSV header', async () => {
    const files = await ReportFiles.open(dir, { csv: true, json: true, html: false }, meta)
    const paths = await files.finish(emptyCounts(), 'pass', new Breakdown())
    const report = JSON.parse(readFileSync(paths.json!, 'utf8'))
    expect(report.users).toEqual([])
    expect(report.result).toBe('pass')
    expect(readFileSync(paths.csv!, 'utf8')).toBe(`${CONTRACT_COLUMNS.join(',')}\r\n`)
  })

  test('only the formats asked for are written', async () => {
    const files = await ReportFiles.open(dir, { csv: false, json: true, html: false }, meta)
    await files.append([record()])
    const paths = await files.finish(counts, 'warn', new Breakdown())
    expect(paths.csv).toBeUndefined()
    expect(readdirSync(dir)).toEqual(['entra-signin-report.json'])

    const csvDir = join(dir, 'csv-only')
    const csvFiles = await ReportFiles.open(csvDir, { csv: true, json: false, html: false }, meta)
    await csvFiles.append([record()])
    const csvPaths = await csvFiles.finish(counts, 'warn', new Breakdown())
    expect(csvPaths.json).toBeUndefined()
    expect(readdirSync(csvDir)).toEqual(['entra-signin-report.csv'])
  })

  test('abort() leaves no report file, not even a partial one', async () => {
    const files = await ReportFiles.open(dir, { csv: true, json: true, html: false }, meta)
    await files.append([record(), record()])
    await files.abort()
    expect(readdirSync(dir)).toEqual([])
  })

  test('abort() leaves an earlier report in the same directory byte for byte', async () => {
    const first = await ReportFiles.open(dir, { csv: true, json: true, html: false }, meta)
    await first.append([record()])
    await first.finish(counts, 'pass', new Breakdown())
    const before = readdirSync(dir).map((name) => readFileSync(join(dir, name)))
    const second = await ReportFiles.open(dir, { csv: true, json: true, html: false }, meta)
    await second.append([record(), record()])
    await second.abort()
    expect(readdirSync(dir).sort()).toEqual(['entra-signin-report.csv', 'entra-signin-report.json'])
    expect(readdirSync(dir).map((name) => readFileSync(join(dir, name)))).toEqual(before)
  })

  test('earlierReport names the report files left in a directory and their generatedAt', async () => {
    expect(await earlierReport(join(dir, 'missing'))).toBeUndefined()
    expect(await earlierReport(dir)).toBeUndefined()
    const files = await ReportFiles.open(dir, { csv: true, json: true, html: true }, meta)
    await files.finish(counts, 'pass', new Breakdown())
    writeFileSync(join(dir, 'entra-signin-report.json.partial'), '{')
    writeFileSync(join(dir, 'notes.txt'), 'not a report')
    expect(await earlierReport(dir)).toMatchObject({
      dir,
      names: ['entra-signin-report.csv', 'entra-signin-report.html', 'entra-signin-report.json'],
      generatedAt: meta.generatedAt
    })
  })

  test('earlierReport without a JSON report (or a readable generatedAt) gives the file time', async () => {
    writeFileSync(join(dir, 'entra-signin-report.csv'), 'id\r\n')
    const csvOnly = await earlierReport(dir)
    expect(csvOnly?.generatedAt).toBeUndefined()
    expect(Date.parse(csvOnly!.modifiedAt)).toBeGreaterThan(Date.now() - 60_000)
    writeFileSync(join(dir, 'entra-signin-report.json'), '{"generatedAt":"<script>"}')
    expect((await earlierReport(dir))?.generatedAt).toBeUndefined()
  })

  test('many pages stream into valid JSON', async () => {
    const files = await ReportFiles.open(dir, { csv: true, json: true, html: false }, meta)
    const all: UserRecord[] = []
    for (let page = 0; page < 20; page++) {
      const records = Array.from({ length: 50 }, () => record())
      all.push(...records)
      await files.append(records)
    }
    const paths = await files.finish(
      { ...emptyCounts(), users: all.length },
      'pass',
      new Breakdown()
    )
    const report = JSON.parse(readFileSync(paths.json!, 'utf8'))
    expect(report.users.map((user: UserRecord) => user.id)).toEqual(all.map((r) => r.id))
    expect(parseCsv(readFileSync(paths.csv!, 'utf8'))).toHaveLength(all.length + 1)
  })
})

describe('redact', () => {
  test.each<[string | null, string | null]>([
    ['jane.doe@contoso.com', 'j***@contoso.com'],
    ['J@contoso.com', 'J***@contoso.com'],
    ['jane_gmail.com#EXT#@contoso.onmicrosoft.com', 'j***@contoso.onmicrosoft.com'],
    ['no-at-sign', 'n***'],
    ['@contoso.com', '@***'],
    ['', ''],
    [null, null]
  ])('redactUpn(%p) → %p', (upn, expected) => {
    expect(redactUpn(upn)).toBe(expected)
  })

  test.each<[string | null, string | null]>([
    ['Jane Doe', 'J***'],
    ['🙂 Smiley', '🙂***'],
    ['', ''],
    [null, null]
  ])('redactName(%p) → %p', (name, expected) => {
    expect(redactName(name)).toBe(expected)
  })

  test('redactRecord masks UPN and name, keeps the object ID and the rest', () => {
    const input = record({ userPrincipalName: 'jane.doe@contoso.com', displayName: 'Jane Doe' })
    const output = redactRecord(input)
    expect(output).toEqual({ ...input, userPrincipalName: 'j***@contoso.com', displayName: 'J***' })
    expect(input.userPrincipalName).toBe('jane.doe@contoso.com')
  })
})

describe('escapeCell', () => {
  test.each<[unknown, string]>([
    [null, ''],
    [undefined, ''],
    [42, '42'],
    ['plain text', 'plain text'],
    ['<script>', '&#60;script&#62;'],
    ['a|b', 'a&#124;b'],
    ['**bold**', '&#42;&#42;bold&#42;&#42;'],
    ['[x](y)', '&#91;x&#93;&#40;y&#41;'],
    ['a & b', 'a &#38; b'],
    ['"q" \'s\'', '&#34;q&#34; &#39;s&#39;'],
    ['line\nbreak\r\nhere', 'line break  here'],
    ['_u_ `c` ~s~ #h \\', '&#95;u&#95; &#96;c&#96; &#126;s&#126; &#35;h &#92;']
  ])('%p → %p', (value, expected) => {
    expect(escapeCell(value)).toBe(expected)
  })
})

function summaryInput(overrides: Partial<SummaryInput> = {}): SummaryInput {
  return {
    result: 'fail',
    counts: {
      ...emptyCounts(),
      users: 10,
      checked: 8,
      stale: 2,
      warn: 1,
      active: 5,
      excluded: 1,
      skipped: 1,
      newStale: 2
    },
    settings: testSettings(),
    worst: [],
    breakdown: new Breakdown(),
    notes: [],
    ...overrides
  }
}

/** The text of every cell (td) of the users table, as written. */
const cells = (html: string) =>
  [...html.slice(html.indexOf('<th>Status</th>')).matchAll(/<td>(.*?)<\/td>/g)].map(
    (match) => match[1]
  )

describe('renderSummary', () => {
  test('hostile display names and UPNs are escaped in every cell', () => {
    const hostile = [
      record({ displayName: '<script>alert(1)</script>' }),
      record({ displayName: 'a | b | c' }),
      record({ displayName: '**bold** _it_' }),
      record({
        displayName: '[click](https://evil.example)',
        userPrincipalName: '<img src=x>@contoso.com'
      }),
      record({ displayName: 'two\nlines', status: 'warn', reason: '</td></tr><tr><td>forged' })
    ]
    const html = renderSummary(
      summaryInput({ worst: hostile, counts: { ...emptyCounts(), stale: 4, warn: 1 } })
    )
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<td>forged')
    const tds = cells(html)
    expect(tds).toHaveLength(hostile.length * 7)
    for (const cell of tds) expect(cell).not.toMatch(/[<>|*[\]()_\n]/)
    expect(html).toContain('&#60;script&#62;')
  })

  test('head: result, counts and the policy line', () => {
    const html = renderSummary(summaryInput())
    expect(html).toMatch(/<h2>.*fail<\/h2>/)
    expect(html).toContain('10 users')
    expect(html).toContain('8 checked')
    expect(html).toContain('2 stale')
    expect(html).toContain('1 warn')
    expect(html).toContain('1 excluded')
    expect(html).toContain('stale at 90 days')
  })

  test('rows appear in the order given, with never for unknown days', () => {
    const worst = [
      record({ userPrincipalName: 'first@contoso.com', daysInactive: null }),
      record({ userPrincipalName: 'second@contoso.com', daysInactive: 300 })
    ]
    const html = renderSummary(summaryInput({ worst, counts: { ...emptyCounts(), stale: 2 } }))
    expect(html.indexOf('first@contoso.com')).toBeLessThan(html.indexOf('second@contoso.com'))
    expect(cells(html)[4]).toBe('never')
    expect(cells(html)[11]).toBe('300')
  })

  test('nobody needs attention', () => {
    const html = renderSummary(
      summaryInput({
        result: 'pass',
        counts: { ...emptyCounts(), users: 3, checked: 3, active: 3 }
      })
    )
    expect(html).toContain('No user needs attention.')
    expect(html).not.toContain('<th>Status</th>')
  })

  test('more users than rows: says how many more and links the artifact', () => {
    const worst = [record(), record()]
    const html = renderSummary(
      summaryInput({
        worst,
        counts: { ...emptyCounts(), stale: 7, warn: 3 },
        artifactUrl: 'https://github.com/o/r/actions/runs/1/artifacts/9'
      })
    )
    expect(html).toContain('8 more in')
    expect(html).toContain('<a href="https://github.com/o/r/actions/runs/1/artifacts/9">')
  })

  test('every user shown: a link to the full report', () => {
    const html = renderSummary(
      summaryInput({
        worst: [record()],
        counts: { ...emptyCounts(), stale: 1 },
        artifactUrl: 'https://github.com/o/r/actions/runs/1/artifacts/9'
      })
    )
    expect(html).not.toMatch(/more in/)
    expect(html).toContain('Full report')
  })

  test('notes are shown escaped', () => {
    const html = renderSummary(summaryInput({ notes: ['Expired exclusion: <b>x</b>'] }))
    expect(html).toContain('Expired exclusion: &#60;b&#62;x&#60;/b&#62;')
  })

  test.each(['summary', 'all'] as const)(
    'redact %s masks UPNs and names in the summary',
    (redact) => {
      const worst = [record({ userPrincipalName: 'jane.doe@contoso.com', displayName: 'Jane Doe' })]
      const html = renderSummary(
        summaryInput({
          worst,
          settings: testSettings({ redact }),
          counts: { ...emptyCounts(), stale: 1 }
        })
      )
      expect(html).not.toContain('jane.doe')
      expect(html).not.toContain('Jane Doe')
      expect(html).toContain(escapeCell('j***@contoso.com'))
    }
  )

  test('redact none shows them', () => {
    const worst = [record({ userPrincipalName: 'jane.doe@contoso.com', displayName: 'Jane Doe' })]
    const html = renderSummary(summaryInput({ worst, counts: { ...emptyCounts(), stale: 1 } }))
    expect(html).toContain('jane.doe@contoso.com')
    expect(html).toContain('Jane Doe')
  })

  test.each([
    ['ASCII names', 'x'.repeat(300)],
    ['multi-byte names', '名前🙂'.repeat(60)],
    ['names that escape to many bytes', '<|>*'.repeat(75)]
  ])('100,000 worst rows (%s): never over 1 MiB, and says how many more', (_, name) => {
    const total = 100_000
    const worst = Array.from({ length: total }, (_, i) =>
      record({ displayName: name, daysInactive: 100_000 - i })
    )
    const html = renderSummary(
      summaryInput({
        worst,
        counts: { ...emptyCounts(), users: total, checked: total, stale: total }
      })
    )
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThanOrEqual(1024 * 1024)
    const shown = cells(html).length / 7
    expect(shown).toBeGreaterThan(100)
    expect(shown).toBeLessThan(total)
    expect(html).toContain(`${total - shown} more in`)
  })
})

describe('policyLine', () => {
  test('the defaults', () => {
    const line = policyLine(testSettings())
    for (const part of [
      'stale at 90 days',
      'activity successful',
      'never-signed-in stale',
      'user types member,guest',
      'disabled accounts skipped',
      'on-stale fail',
      'max-stale 0',
      'fail-on any',
      '0 exclusion rule(s)',
      'source sign-in-activity (beta)'
    ])
      expect(line).toContain(part)
    expect(line).not.toMatch(/warn at/)
    expect(line).not.toMatch(/excluded group/)
  })

  test('every setting shows', () => {
    const line = policyLine(
      testSettings({
        policy: testPolicy({
          thresholdDays: 45,
          warnDays: 20,
          activity: 'interactive',
          neverSignedIn: 'ignore',
          userTypes: ['guest'],
          includeDisabled: true,
          onStale: 'warn',
          maxStale: 7,
          failOn: 'new'
        }),
        exclusions: parseExclusions('a@contoso.com\nb@contoso.com', 'exclude'),
        excludeGroups: ['aaaaaaaa-0000-0000-0000-000000000001'],
        source: 'sign-in-logs',
        graphVersion: 'v1.0'
      })
    )
    for (const part of [
      'stale at 45 days',
      'warn at 20',
      'activity interactive',
      'never-signed-in ignore',
      'user types guest',
      'disabled accounts checked',
      'on-stale warn',
      'max-stale 7',
      'fail-on new',
      '2 exclusion rule(s)',
      '1 excluded group(s)',
      'source sign-in-logs (v1.0)'
    ])
      expect(line).toContain(part)
  })
})

describe('renderErrorSummary', () => {
  test('escapes the message and says no report was produced', () => {
    const html = renderErrorSummary('Graph denied <users> | retry')
    expect(html).toContain('error')
    expect(html).toContain('&#60;users&#62; &#124; retry')
    expect(html).toMatch(/No report was produced/)
  })
})

describe('WorstUsers', () => {
  test('keeps the worst N: stale before warn, most days first, unknown first', () => {
    const all = [
      record({ id: 'active-900', status: 'active', daysInactive: 900 }),
      record({ id: 'warn-80', status: 'warn', daysInactive: 80 }),
      record({ id: 'stale-100', status: 'stale', daysInactive: 100 }),
      record({ id: 'excluded-999', status: 'excluded', daysInactive: 999 }),
      record({ id: 'stale-null', status: 'stale', daysInactive: null }),
      record({ id: 'skipped-999', status: 'skipped', daysInactive: 999 }),
      record({ id: 'stale-500', status: 'stale', daysInactive: 500 }),
      record({ id: 'warn-60', status: 'warn', daysInactive: 60 })
    ]
    const worst = new WorstUsers(4)
    for (const r of all) worst.add(r)
    expect(worst.list().map((r) => r.id)).toEqual([
      'stale-null',
      'stale-500',
      'stale-100',
      'warn-80'
    ])
  })

  test('fewer than N: every stale and warn user, and no one else', () => {
    const worst = new WorstUsers(50)
    worst.add(record({ id: 'w', status: 'warn', daysInactive: 40 }))
    worst.add(record({ id: 'a', status: 'active', daysInactive: 1 }))
    worst.add(record({ id: 's', status: 'stale', daysInactive: 95 }))
    expect(worst.list().map((r) => r.id)).toEqual(['s', 'w'])
  })

  test('limit 0 keeps nothing', () => {
    const worst = new WorstUsers(0)
    worst.add(record({ status: 'stale' }))
    expect(worst.list()).toEqual([])
  })

  test('the same users as sorting everything, on random streams with ties', () => {
    let seed = 99
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    // Short streams too: the list's first filling, before any trim, is where order matters most.
    const cases = [1, 2, 3, 10, 50].flatMap((limit) =>
      [limit + 1, 2 * limit + 1, 3 * limit, 2000].flatMap((length) =>
        Array.from({ length: 20 }, () => [limit, length])
      )
    )
    for (const [limit, length] of cases) {
      const all = Array.from({ length }, (_, index) =>
        record({
          id: `u${index}`,
          userPrincipalName: `user${random(40)}@contoso.com`,
          status: (['stale', 'warn', 'active'] as const)[random(3)],
          daysInactive: random(10) === 0 ? null : random(60)
        })
      )
      const worst = new WorstUsers(limit)
      for (const r of all) worst.add(r)
      const expected = all
        .filter((r) => r.status !== 'active')
        .sort(compareWorstFirst)
        .slice(0, limit)
      expect(worst.list().map((r) => r.id)).toEqual(expected.map((r) => r.id))
    }
  })

  test('a long stream in any order keeps the right top N', () => {
    const worst = new WorstUsers(5)
    const days = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000)
    for (const d of days) worst.add(record({ id: `stale-${d}`, status: 'stale', daysInactive: d }))
    for (let i = 0; i < 1000; i++) worst.add(record({ status: 'warn', daysInactive: 10_000 }))
    expect(worst.list().map((r) => r.id)).toEqual([
      'stale-4999',
      'stale-4998',
      'stale-4997',
      'stale-4996',
      'stale-4995'
    ])
  })
})

describe('csvRows against csv-stringify (the reference RFC 4180 writer)', () => {
  test('byte-identical on tricky cells', async () => {
    const { stringify } = await import('csv-stringify/sync')
    const tricky = [
      'plain',
      'a,b',
      'say "hi"',
      'two\nlines',
      'cr\ronly',
      'crlf\r\nx',
      '=SUM(A1)',
      '+1',
      '-2',
      '@x',
      '\tTab',
      '\rCR',
      'émoji 🙂',
      '',
      ' space ',
      'Zoë, 名前 🙂 '.repeat(3000),
      'ascii '.repeat(20000),
      // Every character that quotes or protects a cell, alone, leading and between plain ones.
      ...[',', '"', '\r', '\n', '=', '+', '-', '@', '\t'].flatMap((special) => [
        special,
        `${special}a`,
        `a${special}b`
      ])
    ]
    const records = tricky.map((text, index) =>
      record({
        displayName: text,
        reason: tricky[(index + 3) % tricky.length],
        userPrincipalName: index % 2 ? null : `${text}@contoso.com`,
        accountEnabled: index % 3 === 0 ? null : index % 2 === 0,
        daysInactive: index % 4 === 0 ? null : index,
        licenses: index % 5 === 0 ? [] : [text, 'SPE_E3'],
        privilegedRoles: index % 3 === 0 ? null : ['Global Reader', text]
      })
    )
    const expected = stringify(records, {
      header: true,
      columns: CONTRACT_COLUMNS,
      record_delimiter: 'windows',
      quoted_match: /[\r\n]/,
      cast: {
        boolean: (value) => (value ? 'true' : 'false'),
        string: (value) => protectCell(value),
        // Lists: one cell, the items joined with ';'.
        object: (value) => protectCell((value as unknown as string[]).join(';'))
      }
    })
    expect(csvRows(records, true).equals(Buffer.from(expected))).toBe(true)
  })
})

describe('jsonUsers writes exactly what JSON.stringify would', () => {
  test('tricky strings, nulls, booleans and numbers', () => {
    const strings = [
      'plain',
      'quote " and \\ backslash',
      'ctrl \u0001\u001f',
      'line\nbreak',
      'emoji 🙂',
      'lone \ud800 surrogate',
      '\u2028',
      '',
      // Longer than the writer's first buffer: it must grow without losing bytes.
      'Zoë 名前 🙂 '.repeat(3000),
      'ascii '.repeat(20000),
      // Every character JSON escapes, alone and between plain ones.
      ...[
        '"',
        '\\',
        ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code))
      ].flatMap((special) => [special, `a${special}b`])
    ]
    const records = strings.map((text, index) =>
      record({
        displayName: text,
        userPrincipalName: index % 2 ? null : text,
        reason: strings[(index + 1) % strings.length],
        accountEnabled: index % 3 === 0 ? null : index % 2 === 0,
        daysInactive: index % 4 === 0 ? null : index * 37,
        neverSignedIn: index % 2 === 1
      })
    )
    const ordered = (r: UserRecord) =>
      Object.fromEntries(CONTRACT_COLUMNS.map((column) => [column, r[column as keyof UserRecord]]))
    const expected = records
      .map((r, index) => `${index === 0 ? '' : ','}\n    ${JSON.stringify(ordered(r))}`)
      .join('')
    expect(jsonUsers(records, true).equals(Buffer.from(expected))).toBe(true)
  })
})

describe('summary charts', () => {
  test.each([
    [0, 100, ''],
    [1, 100_000, '▏'],
    [100, 100, '█'.repeat(24)],
    [50, 100, '█'.repeat(12)],
    [1, 16, '█▌']
  ])('bar(%i, %i) is %p', (count, max, expected) => {
    expect(bar(count, max)).toBe(expected)
  })

  test('the histogram table has a row per bucket with its count and bar', () => {
    const breakdown = new Breakdown()
    for (const days of [1, 2, 3, 45, 400])
      breakdown.add(record({ status: 'active', daysInactive: days }))
    breakdown.add(record({ status: 'stale', daysInactive: null, neverSignedIn: true }))
    breakdown.add(record({ status: 'excluded', daysInactive: 5 }))
    const rows = [
      ...histogramTable(breakdown.histogram).matchAll(
        /<tr><td>(.*?)<\/td><td align="right">(\d+)<\/td><td><code>(.*?)<\/code>/g
      )
    ]
    expect(rows.map((row) => [row[1], Number(row[2]), row[3].length])).toEqual([
      ['&#60; 30 d', 3, 24],
      ['30–60 d', 1, 8],
      ['60–90 d', 0, 0],
      ['90–180 d', 0, 0],
      ['180–365 d', 0, 0],
      ['1–2 y', 1, 8],
      ['&#62; 2 y', 0, 0],
      ['never', 1, 8]
    ])
  })

  test('user types are escaped and cut; the table is small whatever the tenant', () => {
    const breakdown = new Breakdown()
    const hostile = '<img src=x onerror=alert(1)>|**x**' + 'y'.repeat(5000)
    breakdown.add(record({ userType: hostile }))
    for (let type = 0; type < 100; type++) breakdown.add(record({ userType: `type${type}` }))
    const table = userTypeTable(breakdown)
    expect(table).not.toMatch(/<img|\|\*\*/)
    expect(table).toContain(
      '&#60;img src=x onerror=alert&#40;1&#41;&#62;&#124;&#42;&#42;x&#42;&#42;yyy'
    )
    expect(table.length).toBeLessThan(3000)
    expect([...table.matchAll(/<tr><td>/g)]).toHaveLength(9)
  })

  test('the summary shows both charts between the policy and the users', () => {
    const html = renderSummary(summaryInput({ worst: [record()] }))
    const at = (text: string) => html.indexOf(text)
    expect(at('<b>Policy:</b>')).toBeLessThan(at('<th>Inactive for</th>'))
    expect(at('<th>Inactive for</th>')).toBeLessThan(at('<th>User type</th>'))
    expect(at('<th>User type</th>')).toBeLessThan(at('<th>Status</th>'))
  })
})
