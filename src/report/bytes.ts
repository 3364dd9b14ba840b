/**
 * A page of report rows encoded straight into UTF-8 bytes. Building the page as one string and
 * letting the file stream encode it cost more than all the rest of the per-user work: V8 first
 * flattens a rope of thousands of pieces, then converts it (docs/benchmark.md). Here ASCII is
 * stored a character at a time and only text with anything else goes through Buffer#write.
 */
export class ByteWriter {
  private buffer: Buffer
  private length = 0

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 64))
  }

  /** The bytes written so far. */
  take(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  /** Text as UTF-8 (a lone surrogate becomes U+FFFD, as a stream writing the string would do). */
  text(value: string): void {
    if (!this.plain(value, NOTHING_SPECIAL)) this.utf8(value)
  }

  /**
   * Writes `value` when it is plain, ASCII without any character `special` marks, and returns
   * true; otherwise writes nothing and returns false (the caller then escapes it the slow way).
   */
  plain(value: string, special: Uint8Array): boolean {
    const end = value.length
    this.reserve(end)
    const bytes = this.buffer
    let at = this.length
    for (let index = 0; index < end; index++) {
      const code = value.charCodeAt(index)
      if (code >= 0x80 || special[code] === 1) return false
      bytes[at++] = code
    }
    this.length = at
    return true
  }

  /** Bytes as they are (constant pieces, encoded once). */
  bytes(value: Uint8Array): void {
    this.reserve(value.length)
    this.buffer.set(value, this.length)
    this.length += value.length
  }

  /** Text as UTF-8 through Buffer#write (the slow path, for text that is not plain). */
  utf8(value: string): void {
    this.reserve(value.length * 3)
    this.length += this.buffer.write(value, this.length)
  }

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + count))
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffer = grown
  }
}

/** A table for `plain`: 1 for each of the (ASCII) `characters`. */
export function asciiTable(characters: string): Uint8Array {
  const table = new Uint8Array(128)
  for (let index = 0; index < characters.length; index++) table[characters.charCodeAt(index)] = 1
  return table
}

/** For `text`: every ASCII character is written as it is. */
const NOTHING_SPECIAL = asciiTable('')
