import { STATUSES } from '../../breakdown.js'
import { STATUS_COLOURS } from './charts.js'

/** Width of each table column, in USER_COLUMNS' display order (see script.ts, DISPLAY). */
export const COLUMN_WIDTHS = '6.5em 18em 12em 6em 8em 10em 5em 5em 10em 10em 10em 10em 24em 19em'

/** The page's one stylesheet, inline (the Content-Security-Policy allows it by hash). */
export const STYLE = `
:root { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #f6f7f9; }
body { margin: 0; }
[hidden] { display: none !important; }
main { display: flex; flex-direction: column; gap: 16px; max-width: 1400px; margin: 0 auto; padding: 16px 24px 32px; }
header { order: 0; } #summary { order: 1; } #users { order: 2; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
.meta { color: #555; margin: 0; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 12px 16px; }
.result { display: inline-block; font-weight: 600; padding: 2px 10px; border-radius: 12px; color: #fff; text-transform: uppercase; }
.result-pass { background: #2e7d32; } .result-warn { background: #e08600; } .result-fail { background: #c62828; }
.counts { display: flex; flex-wrap: wrap; gap: 8px 20px; margin: 10px 0 0; padding: 0; list-style: none; }
.counts b { font-size: 18px; margin-right: 4px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.chart { width: 100%; height: auto; font-size: 12px; }
details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 0; }
dt { color: #555; } dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin-bottom: 8px; }
.controls fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 10px; }
.controls input[type=search] { width: 22em; padding: 4px 6px; }
.controls select { max-width: 16em; }
#shown { margin-left: auto; color: #555; }
.viewport { height: 70vh; min-height: 240px; overflow: auto; border: 1px solid #dde1e6; border-radius: 4px; background: #fff; position: relative; }
.row { display: grid; grid-template-columns: ${COLUMN_WIDTHS}; height: 28px; align-items: center; white-space: nowrap; width: max-content; }
.row > * { overflow: hidden; text-overflow: ellipsis; padding: 0 6px; }
.head { position: sticky; top: 0; z-index: 1; background: #eef1f4; border-bottom: 1px solid #ccd2d8; height: 32px; }
.head button { all: unset; cursor: pointer; font-weight: 600; display: block; overflow: hidden; text-overflow: ellipsis; }
.head button:focus-visible { outline: 2px solid #1565c0; }
.head [aria-sort=ascending] button::after { content: " \\25B2"; } .head [aria-sort=descending] button::after { content: " \\25BC"; }
.rows { position: relative; }
.rows .row { position: absolute; top: 0; left: 0; border-bottom: 1px solid #f0f0f0; }
.rows .row:hover { background: #f3f7fc; }
.status::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: currentColor; }
${STATUSES.map((status) => `.s-${status} { color: ${STATUS_COLOURS[status]}; }`).join(' ')}
.empty { padding: 16px; color: #555; }
`
