import type { Status } from '../../policy.js'
import { BUCKETS, STATUSES, type Breakdown } from '../../breakdown.js'
import { escapeHtml } from './escape.js'

/** Status colours, shared by the charts and the table (CSS classes `s-<status>`). */
export const STATUS_COLOURS: Record<Status, string> = {
  stale: '#c62828',
  warn: '#e08600',
  active: '#2e7d32',
  excluded: '#5e60ce',
  skipped: '#8d8d8d'
}

const WIDTH = 640
const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`
/** A label cut to fit its column (the whole text is in the row's tooltip). */
const clip = (text: string, length: number) =>
  Array.from(text).length > length
    ? `${Array.from(text)
        .slice(0, length - 1)
        .join('')}…`
    : text

/** The inactivity histogram of the checked users, as inline SVG (a bar per BUCKETS entry). */
export function histogramSvg(histogram: readonly number[]): string {
  const height = 220
  const top = 24
  const bottom = 36
  const slot = WIDTH / BUCKETS.length
  const barWidth = slot * 0.7
  const max = Math.max(1, ...histogram)
  const bars = BUCKETS.map((bucket, index) => {
    const count = histogram[index]
    const barHeight = Math.round(((height - top - bottom) * count) / max)
    const x = Math.round(index * slot + (slot - barWidth) / 2)
    const y = height - bottom - barHeight
    const centre = Math.round(index * slot + slot / 2)
    const fill = bucket.label === 'never' ? '#6d4c41' : '#1565c0'
    return [
      `<g class="bar" data-bucket="${escapeHtml(bucket.label)}" data-count="${count}">`,
      `<rect x="${x}" y="${y}" width="${Math.round(barWidth)}" height="${barHeight}" fill="${fill}"><title>${escapeHtml(bucket.label)}: ${plural(count, 'user')}</title></rect>`,
      `<text x="${centre}" y="${y - 6}" text-anchor="middle">${count}</text>`,
      `<text x="${centre}" y="${height - bottom + 18}" text-anchor="middle">${escapeHtml(bucket.label)}</text>`,
      '</g>'
    ].join('')
  })
  return [
    `<svg class="chart" id="histogram" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="histogram-title">`,
    `<title id="histogram-title">Checked users by time since last activity</title>`,
    `<line x1="0" y1="${height - bottom}" x2="${WIDTH}" y2="${height - bottom}" stroke="#999"/>`,
    ...bars,
    '</svg>'
  ].join('\n')
}

/**
 * Users by type and status as inline SVG: one stacked bar for all users, then one per user type,
 * each segment as wide as its share of the row.
 */
export function breakdownSvg(breakdown: Breakdown): string {
  const rows = breakdown.byType()
  const all = Object.fromEntries(
    STATUSES.map((status) => [status, rows.reduce((sum, row) => sum + row.counts[status], 0)])
  ) as Record<Status, number>
  const lines = [{ type: 'all users', counts: all, total: rows.reduce((s, r) => s + r.total, 0) }]
  lines.push(...rows)
  const label = 130
  const barArea = WIDTH - label - 70
  const rowHeight = 30
  const legendHeight = 28
  const height = legendHeight + lines.length * rowHeight + 4
  const legend = STATUSES.map((status, index) => {
    const x = label + index * 92
    return `<rect x="${x}" y="6" width="12" height="12" fill="${STATUS_COLOURS[status]}"/><text x="${x + 16}" y="17">${status}</text>`
  })
  const bars = lines.map((line, index) => {
    const y = legendHeight + index * rowHeight
    let x = label
    const segments = STATUSES.filter((status) => line.counts[status] > 0).map((status) => {
      const count = line.counts[status]
      const width = (barArea * count) / Math.max(1, line.total)
      const segment = `<rect class="segment" data-status="${status}" data-count="${count}" x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="${STATUS_COLOURS[status]}"><title>${escapeHtml(line.type)}: ${plural(count, 'user')} ${status}</title></rect>`
      x += width
      return segment
    })
    return [
      `<g class="type-row" data-type="${escapeHtml(line.type)}" data-total="${line.total}">`,
      `<text x="${label - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(clip(line.type, 18))}<title>${escapeHtml(line.type)}</title></text>`,
      ...segments,
      `<text x="${label + barArea + 8}" y="${y + 16}">${line.total}</text>`,
      '</g>'
    ].join('')
  })
  return [
    `<svg class="chart" id="breakdown" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="breakdown-title">`,
    `<title id="breakdown-title">Users by type and status</title>`,
    ...legend,
    ...bars,
    '</svg>'
  ].join('\n')
}
