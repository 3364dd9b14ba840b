/** One exclusion line: a UPN glob or an object ID, an optional expiry and reason. */
export interface ExclusionRule {
  /** The pattern as written (UPN glob or object ID). */
  pattern: string
  kind: 'object-id' | 'upn-glob'
  reason: string
  /** Last day (UTC, YYYY-MM-DD) the rule applies; absent: no expiry. */
  until?: string
  /** Where the line came from, for messages: `exclude line 3` or `exclude-file line 7`. */
  origin: string
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** YYYY-MM-DD naming a day that exists (2025-02-30 does not). */
function isRealDay(text: string): boolean {
  if (!DAY.test(text)) return false
  const time = Date.parse(`${text}T00:00:00Z`)
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === text
}

export function isGuid(value: string): boolean {
  return GUID.test(value)
}

/**
 * Parses exclusion lines (`pattern [until:YYYY-MM-DD] [# reason]`). Throws a message naming the
 * line for anything else, so a typo in a compliance exclusion list never passes silently. The
 * message quotes the line only with `quoteLines` (the `exclude` input itself): a file's content
 * is never printed, its line number and what was expected are.
 */
export function parseExclusions(
  text: string,
  source: string,
  { quoteLines = false }: { quoteLines?: boolean } = {}
): ExclusionRule[] {
  const rules: ExclusionRule[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const origin = `${source} line ${index + 1}`
    // `#` starts the reason, except inside a guest UPN's `#EXT#`.
    const hash = raw.replace(/#EXT#/gi, '_EXT_').indexOf('#')
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim()
    const reason = hash >= 0 ? raw.slice(hash + 1).trim() : ''
    if (body === '') return
    const [pattern, ...rest] = body.split(/\s+/)
    let until: string | undefined
    for (const token of rest) {
      const match = /^until:(.*)$/i.exec(token)
      if (!match || !isRealDay(match[1])) {
        throw new Error(
          `${origin}: ${quoteLines ? `"${raw.trim()}"` : 'the line'} is not valid; allowed: a UPN glob (* and ?) or an object ID, optionally "until:YYYY-MM-DD", then "# reason"`
        )
      }
      until = match[1]
    }
    if (isGuid(pattern)) {
      rules.push({ pattern, kind: 'object-id', reason, until, origin })
    } else if (/^[^\s@]*@[^\s@]+$/.test(pattern) || /[*?]/.test(pattern)) {
      rules.push({ pattern, kind: 'upn-glob', reason, until, origin })
    } else {
      throw new Error(
        `${origin}: ${quoteLines ? `"${pattern}"` : 'the pattern'} is neither a UPN glob (like admin@contoso.com or *-bg@contoso.com) nor an object ID (GUID)`
      )
    }
  })
  return rules
}

/** True when the rule has expired before `today` (UTC); the `until` day itself still counts. */
export function isExpired(rule: ExclusionRule, now: Date): boolean {
  return rule.until !== undefined && now.toISOString().slice(0, 10) > rule.until
}

export interface ExclusionMatcher {
  /** The first active rule that matches the user, if any. */
  match(user: { id: string; userPrincipalName: string | null }): ExclusionRule | undefined
}

/** Compiles the active rules once; matching is case-insensitive for UPNs and object IDs. */
export function compileExclusions(rules: ExclusionRule[]): ExclusionMatcher {
  const byId = new Map<string, ExclusionRule>()
  const globs: { rule: ExclusionRule; test: (upn: FoldedText) => boolean }[] = []
  for (const rule of rules) {
    if (rule.kind === 'object-id') {
      if (!byId.has(rule.pattern.toLowerCase())) byId.set(rule.pattern.toLowerCase(), rule)
    } else {
      const test = compileGlob(rule.pattern)
      globs.push({ rule, test })
    }
  }
  return {
    match(user) {
      const byObjectId = byId.get(user.id.toLowerCase())
      if (byObjectId) return byObjectId
      const upn = user.userPrincipalName
      // A user without a UPN has nothing a UPN glob could match.
      if (upn === null || upn === '' || globs.length === 0) return undefined
      const folded = foldCase(upn)
      return globs.find((glob) => glob.test(folded))?.rule
    }
  }
}

/**
 * The code unit the way a case-insensitive regular expression (without the `u` flag) compares it:
 * upper-cased, unless that takes more than one unit or turns a non-ASCII character into ASCII
 * (ECMA-262 Canonicalize), so `ß` and `ſ` stay themselves, as they did with the regex matcher.
 */
function foldUnit(unit: number): number {
  const upper = String.fromCharCode(unit).toUpperCase()
  if (upper.length !== 1) return unit
  const folded = upper.charCodeAt(0)
  return unit >= 128 && folded < 128 ? unit : folded
}

const ASCII_FOLD = Uint16Array.from({ length: 128 }, (_, unit) => foldUnit(unit))
const ANY_ONE = -1

/** Text as case-folded UTF-16 code units, folded once and tested against every glob. */
export type FoldedText = Int32Array

export function foldCase(text: string): FoldedText {
  const units = new Int32Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    units[i] = unit < 128 ? ASCII_FOLD[unit] : foldUnit(unit)
  }
  return units
}

/** True when `piece` (with ANY_ONE for `?`) matches `text` at `at`. */
function matchesAt(piece: Int32Array, text: FoldedText, at: number): boolean {
  for (let i = 0; i < piece.length; i++) {
    if (piece[i] !== ANY_ONE && piece[i] !== text[at + i]) return false
  }
  return true
}

/**
 * A UPN glob (`*` any run of characters, `?` one, everything else literal, case-insensitive) as a
 * test without backtracking. The pattern is cut at each `*`: the first piece must start the UPN,
 * the last must end it, and each piece between is taken at its leftmost place after the previous
 * one — the leftmost place never loses a match a later place would give, so no choice is ever
 * revisited. Time is at most |UPN| × |pattern| steps, whatever the pattern (a backtracking regex
 * takes exponential time on `*a*a*a…b`).
 */
export function compileGlob(pattern: string): (upn: FoldedText) => boolean {
  const pieces = pattern.split('*').map((piece) => {
    const units = foldCase(piece)
    for (let i = 0; i < piece.length; i++) if (piece[i] === '?') units[i] = ANY_ONE
    return units
  })
  const first = pieces[0]
  const last = pieces[pieces.length - 1]
  return (text) => {
    if (pieces.length === 1) return text.length === first.length && matchesAt(first, text, 0)
    const end = text.length - last.length
    if (end < first.length || !matchesAt(first, text, 0) || !matchesAt(last, text, end)) {
      return false
    }
    let at = first.length
    for (let p = 1; p < pieces.length - 1; p++) {
      const piece = pieces[p]
      while (at + piece.length <= end && !matchesAt(piece, text, at)) at++
      if (at + piece.length > end) return false
      at += piece.length
    }
    return true
  }
}
