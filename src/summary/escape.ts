/** Escapes text for the job summary: HTML and the markdown characters that could restyle it. */
export function escapeCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  return String(value).replace(/[&<>"'`|*_[\]\\#~!()\r\n]/g, (char) =>
    char === '\n' || char === '\r' ? ' ' : `&#${char.charCodeAt(0)};`
  )
}
