import type { WriteStream } from 'node:fs'
import { once } from 'node:events'
import { rename, rm } from 'node:fs/promises'

/** A file being written as `<path>.partial`, renamed to `path` only when the run completed. */
export interface PartialFile {
  path: string
  stream: WriteStream
}

/** Closes every file, then gives each its real name: all complete before one replaces an old one. */
export async function commitPartials(files: readonly PartialFile[]): Promise<void> {
  for (const { stream } of files) {
    stream.end()
    await once(stream, 'close')
  }
  for (const { path } of files) await rename(`${path}.partial`, path)
}

/** Removes the partial files after a failure; files at the real names stay as they were. */
export async function abortPartials(files: readonly PartialFile[]): Promise<void> {
  for (const { path, stream } of files) {
    // A write still in flight would emit ERR_STREAM_DESTROYED with no listener and crash the
    // process; and the file must be closed (opened, even) before it can be removed for good.
    stream.on('error', () => undefined)
    if (!stream.closed) {
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()))
      stream.destroy()
      await closed
    }
    await rm(`${path}.partial`, { force: true })
  }
}
