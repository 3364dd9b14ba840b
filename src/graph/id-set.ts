const WORDS = 4
const FIRST_CAPACITY = 1024
const DASHES = [8, 13, 18, 23]
/** Hex digit values by character code; -1 for anything else. */
const HEX = Int8Array.from({ length: 128 }, (_, code) =>
  Number.isNaN(parseInt(String.fromCharCode(code), 16))
    ? -1
    : parseInt(String.fromCharCode(code), 16)
)

/**
 * A set of object IDs, case-insensitive, small enough to hold every user of a large tenant: a
 * GUID is kept as its 16 bytes in an open-addressing table (linear probing, grown at 3/4 full),
 * so a million users take 32 MiB where a Set of the ID strings takes about 74 MB. An ID that is
 * not a GUID (Graph's never are) goes into a Set of strings instead.
 */
export class IdSet {
  private table = new Uint32Array(FIRST_CAPACITY * WORDS)
  private guids = 0
  /** The all-zero GUID, whose words are the table's "empty slot". */
  private zero = false
  private readonly others = new Set<string>()
  private readonly words = new Uint32Array(WORDS)

  get size(): number {
    return this.guids + (this.zero ? 1 : 0) + this.others.size
  }

  /** Adds `id`; false when it was there already (in any case). */
  add(id: string): boolean {
    if (!this.readGuid(id)) {
      const key = id.toLowerCase()
      if (this.others.has(key)) return false
      this.others.add(key)
      return true
    }
    const [w0, w1, w2, w3] = this.words
    if ((w0 | w1 | w2 | w3) === 0) {
      if (this.zero) return false
      this.zero = true
      return true
    }
    if ((this.guids + 1) * 4 > this.capacity * 3) this.grow()
    return this.insert(w0, w1, w2, w3)
  }

  /** Reads a GUID's 32 hex digits into `words` (four 8-digit words); false when `id` is not one. */
  private readGuid(id: string): boolean {
    if (id.length !== 36) return false
    for (const at of DASHES) if (id.charCodeAt(at) !== 45) return false
    let word = 0
    let digits = 0
    for (let at = 0; at < 36; at++) {
      if (at === 8 || at === 13 || at === 18 || at === 23) continue
      const code = id.charCodeAt(at)
      const value = code < 128 ? HEX[code] : -1
      if (value < 0) return false
      word = (word << 4) | value
      if (++digits % 8 === 0) this.words[digits / 8 - 1] = word
    }
    return true
  }

  private get capacity(): number {
    return this.table.length / WORDS
  }

  private insert(w0: number, w1: number, w2: number, w3: number): boolean {
    const table = this.table
    const mask = this.capacity - 1
    // Random (v4) GUIDs spread well already; the mix keeps sequential ones from clustering.
    let slot = (Math.imul(w0 ^ Math.imul(w3, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask
    for (;;) {
      const at = slot * WORDS
      if ((table[at] | table[at + 1] | table[at + 2] | table[at + 3]) === 0) {
        table[at] = w0
        table[at + 1] = w1
        table[at + 2] = w2
        table[at + 3] = w3
        this.guids++
        return true
      }
      if (table[at] === w0 && table[at + 1] === w1 && table[at + 2] === w2 && table[at + 3] === w3)
        return false
      slot = (slot + 1) & mask
    }
  }

  private grow(): void {
    const old = this.table
    this.table = new Uint32Array(old.length * 2)
    this.guids = 0
    for (let at = 0; at < old.length; at += WORDS) {
      if ((old[at] | old[at + 1] | old[at + 2] | old[at + 3]) !== 0)
        this.insert(old[at], old[at + 1], old[at + 2], old[at + 3])
    }
  }
}
