/** Text or an attribute value (quoted with "), as HTML: nothing in it can open a tag or end a quote. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/**
 * JSON to embed inside `<script type="application/json">`: `<`, `>` and `&` as `\u003c`… so no
 * `</script>` or `<!--` can end or change the element, and U+2028/U+2029 escaped too (they end
 * a line in older JavaScript). JSON.parse reads the same value back.
 */
export function embeddableJson(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}
