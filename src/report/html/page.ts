import { createHash } from 'node:crypto'
import type { Counts, Result, UserRecord } from '../../policy.js'
import { asciiTable, ByteWriter } from '../bytes.js'
import { USER_COLUMNS } from '../columns.js'
import type { ReportMeta } from '../json.js'
import type { Breakdown } from '../../breakdown.js'
import { breakdownSvg, histogramSvg } from './charts.js'
import { embeddableJson, escapeHtml } from './escape.js'
import { SCRIPT } from './script.js'
import { STYLE } from './style.js'

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/**
 * Nothing may be fetched, framed or submitted: the page is opened from an unzipped artifact and
 * must show the same offline as online. Only the page's own script and stylesheet run, by hash.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "base-uri 'none'",
  "form-action 'none'"
].join('; ')

function policyList(policy: Record<string, unknown>): string {
  const value = (item: unknown): string =>
    Array.isArray(item)
      ? item.map((entry) => JSON.stringify(entry)).join('\n')
      : JSON.stringify(item ?? null)
  return Object.entries(policy)
    .map(([name, item]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value(item))}</dd>`)
    .join('\n')
}

/**
 * The HTML report is streamed like the JSON one: this head (everything known before the first
 * user), then the users a page at a time inside one JSON block, then the footer with the counts,
 * the charts and the script, which are known or needed only at the end. CSS puts the summary
 * above the table.
 */
export function htmlHeader(meta: ReportMeta): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Entra ID sign-in report · ${escapeHtml(meta.tenantId)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Entra ID sign-in report</h1>
<p class="meta">Tenant <b>${escapeHtml(meta.tenantId)}</b> · cloud ${escapeHtml(meta.cloud)} · Graph ${escapeHtml(meta.graphVersion)} · source ${escapeHtml(meta.source)} · generated <time datetime="${escapeHtml(meta.generatedAt)}">${escapeHtml(meta.generatedAt)}</time></p>
<details class="card"><summary>Policy</summary><dl>
${policyList(meta.policy)}
</dl></details>
</header>
<section id="users" class="card">
<h2>Users</h2>
<noscript><p>The table needs JavaScript. The CSV and JSON reports beside this file hold the same users.</p></noscript>
<div id="controls" class="controls" hidden>
<fieldset id="statuses"><legend hidden>Status</legend></fieldset>
<label>Type <select id="type"><option value="*">every type</option></select></label>
<input id="search" type="search" placeholder="Filter by name, UPN, object ID or reason" aria-label="Filter by text">
<button id="export" type="button">Export shown rows as CSV</button>
<span id="shown" role="status"></span>
</div>
<div id="viewport" class="viewport" role="table" aria-label="Users">
<div id="head" class="row head" role="row"></div>
<div id="rows" class="rows" role="rowgroup"></div>
</div>
</section>
<script type="application/json" id="users-data">[`
}

/** Characters that leave the fast path: JSON's escapes, and `<`, `>`, `&` (see embeddableJson). */
const CONTROLS = String.fromCharCode(...Array.from({ length: 0x20 }, (_, code) => code))
const ESCAPED = asciiTable(`"\\<>&${CONTROLS}`)
const NULL = Buffer.from('null')
const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')

/**
 * One page of users as rows of values in USER_COLUMNS order (`["id","upn",…]`, no keys: the
 * names are in the script once), one row a line; `first`: no comma before the first.
 */
export function htmlUsers(records: UserRecord[], first: boolean): Buffer {
  const out = new ByteWriter(records.length * 360)
  for (let index = 0; index < records.length; index++) {
    out.text(first && index === 0 ? '\n[' : ',\n[')
    const record = records[index]
    for (let column = 0; column < USER_COLUMNS.length; column++) {
      if (column > 0) out.text(',')
      const value = record[USER_COLUMNS[column]]
      if (value === null) out.bytes(NULL)
      else if (typeof value === 'string') {
        out.text('"')
        if (out.plain(value, ESCAPED)) out.text('"')
        else out.utf8(embeddableJson(JSON.stringify(value)).slice(1))
      } else if (typeof value === 'boolean') out.bytes(value ? TRUE : FALSE)
      else if (Array.isArray(value)) out.utf8(embeddableJson(JSON.stringify(value)))
      else out.text(String(value))
    }
    out.text(']')
  }
  return out.take()
}

const COUNT_LABELS: [keyof Counts, string][] = [
  ['users', 'users'],
  ['checked', 'checked'],
  ['stale', 'stale'],
  ['warn', 'warn'],
  ['active', 'active'],
  ['neverSignedIn', 'never signed in'],
  ['excluded', 'excluded'],
  ['skipped', 'skipped'],
  ['newStale', 'new stale']
]

/** Closes the users, then the summary (result, counts, charts) and the script. */
export function htmlFooter(counts: Counts, result: Result, breakdown: Breakdown): string {
  const items = COUNT_LABELS.map(
    ([name, label]) => `<li data-count="${name}"><b>${counts[name]}</b>${escapeHtml(label)}</li>`
  )
  return `
]</script>
<section id="summary" class="card">
<h2>Result <span id="result" class="result result-${escapeHtml(result)}">${escapeHtml(result)}</span></h2>
<ul class="counts">
${items.join('\n')}
</ul>
<div class="charts">
<figure><figcaption>Checked users by time since last activity</figcaption>
${histogramSvg(breakdown.histogram)}
</figure>
<figure><figcaption>Users by type and status</figcaption>
${breakdownSvg(breakdown)}
</figure>
</div>
</section>
<script>${SCRIPT}</script>
</main>
</body>
</html>
`
}
