import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { InputError } from '../errors.js'
import { maskSecret, type ActionIO } from '../io.js'
import { GRAPH_VERSIONS } from './choices.js'

/**
 * The only readers of inputs: each reads one input, validates it and throws an InputError that
 * names the input, the value (never a secret) and what is allowed. `input` is a name from
 * `Inputs` (the action) or `MergeInputs` (the merge action).
 */

export function fail(input: string, value: string, allowed: string): never {
  throw new InputError(`Input '${input}' ${allowed}; got "${value}".`)
}

/** The input's value as given ('' when not given). */
export function text(io: ActionIO, input: string): string {
  return io.getInput(input)
}

/** The input's value as given; empty: undefined. */
export function optionalText(io: ActionIO, input: string): string | undefined {
  return text(io, input) || undefined
}

/** A secret input, masked as soon as it is read ('' when not given). */
export function secret(io: ActionIO, input: string): string {
  const value = text(io, input)
  if (value !== '') maskSecret(io, value)
  return value
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return allowed.some((item) => item === value)
}

/** One of `allowed`; empty: `fallback`. */
export function choice<T extends string>(
  io: ActionIO,
  input: string,
  allowed: readonly T[],
  fallback: T
): T {
  const value = text(io, input) || fallback
  if (!isOneOf(allowed, value)) return fail(input, value, `must be one of: ${allowed.join(', ')}`)
  return value
}

/**
 * Some of `allowed`, comma- or line-separated, case-insensitive, without duplicates; empty:
 * `fallback`. `allowedText` is the message's sentence, spelled out so the README's troubleshooting
 * table can be checked against the source.
 */
export function choices<T extends string>(
  io: ActionIO,
  input: string,
  allowed: readonly T[],
  fallback: string,
  allowedText: string
): T[] {
  const raw = text(io, input) || fallback
  const items = [...new Set(list(raw.toLowerCase()))]
  const chosen = items.filter((item) => isOneOf(allowed, item))
  if (chosen.length === 0 || chosen.length < items.length) {
    fail(input, raw, allowedText)
  }
  return chosen
}

/** A whole number from `min` to `max`; empty: `fallback`. */
export function wholeNumber(
  io: ActionIO,
  input: string,
  min: number,
  max: number,
  fallback: number
): number {
  return optionalWholeNumber(io, input, min, max) ?? fallback
}

/** A whole number from `min` to `max`; empty: undefined. */
export function optionalWholeNumber(
  io: ActionIO,
  input: string,
  min: number,
  max: number
): number | undefined {
  const value = text(io, input)
  if (value === '') return undefined
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(number >= min && number <= max)) {
    fail(input, value, `must be a whole number from ${min} to ${max}`)
  }
  return number
}

/** true or false in any case; empty: `fallback`. */
export function bool(io: ActionIO, input: string, fallback: boolean): boolean {
  const value = text(io, input)
  if (value === '') return fallback
  if (/^true$/i.test(value)) return true
  if (/^false$/i.test(value)) return false
  return fail(input, value, 'must be true or false')
}

/** Items separated by commas or line breaks, trimmed, empty ones dropped. */
export function list(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/**
 * An https base URL (a path prefix is kept, e.g. for a gateway), without a trailing slash. Graph
 * versions belong in 'graph-version', not in the URL.
 */
export function httpsBase(io: ActionIO, input: string, fallback: string): string {
  const value = text(io, input)
  if (value === '') return fallback
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return fail(input, value, 'must be an https:// URL')
  }
  if (url.protocol !== 'https:' || url.username || url.password) {
    fail(input, value, 'must be an https:// URL (https only)')
  }
  if (url.search || url.hash)
    fail(input, value, 'must be an https:// URL without a query or fragment')
  const path = url.pathname.toLowerCase().replace(/\/$/, '')
  if (GRAPH_VERSIONS.some((version) => path.endsWith(`/${version}`))) {
    fail(input, value, "must not end with the Graph version (set 'graph-version' instead)")
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** True when `path` is `root` or inside it (both real paths). */
const isWithin = (path: string, root: string) => path === root || path.startsWith(root + sep)

/**
 * Reads a file named by an input: a path in the workspace (GITHUB_WORKSPACE, else the working
 * directory), relative to it, or under RUNNER_TEMP (where an earlier step downloads artifacts).
 * Symbolic links are followed before the check, so no link leads outside. Errors name the
 * input and the path, never the file's content.
 */
export function readWorkspaceFile(io: ActionIO, input: string, path: string): string {
  const workspace = resolve(io.env.GITHUB_WORKSPACE || process.cwd())
  const full = resolve(workspace, path)
  if (!existsSync(full))
    fail(input, path, `must name a file in the repository (not found at ${full})`)
  const real = realpathSync(full)
  const roots = [workspace, io.env.RUNNER_TEMP]
    .filter((root): root is string => Boolean(root) && existsSync(root!))
    .map((root) => realpathSync(root))
  if (!roots.some((root) => isWithin(real, root))) {
    fail(
      input,
      path,
      `must name a file in the repository (GITHUB_WORKSPACE) or under RUNNER_TEMP; it leads to ${real}, outside the workspace ${workspace}`
    )
  }
  if (statSync(real).isDirectory())
    throw new InputError(`Input '${input}' must name a file; "${path}" is a directory.`)
  return readFileSync(real, 'utf8')
}

/**
 * Checks that `dir` can hold output files: a directory, or a path that can be created as one (no
 * regular file in its place or above it). Checked with the inputs, before any request.
 */
function checkDirectory(input: string, value: string, dir: string): void {
  for (let path = dir; ; path = dirname(path)) {
    let isDirectory: boolean
    try {
      isDirectory = statSync(path).isDirectory()
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue
      return fail(
        input,
        value,
        `must be a directory the action can write to (${code ?? 'unusable'} at ${path})`
      )
    }
    if (isDirectory) return
    return fail(
      input,
      value,
      path === dir
        ? `must be a directory; ${dir} is a file`
        : `must be a directory; it lies below ${path}, which is a file`
    )
  }
}

/** `parse()`, its error message prefixed with the input's name. */
export function parseOrFail<T>(input: string, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    throw new InputError(
      `Input '${input}': ${error instanceof Error ? error.message : String(error)}`
    )
  }
}

/** An artifact name (empty: no upload), without the characters the artifact service refuses. */
export function artifactName(io: ActionIO, input: string): string {
  const value = text(io, input)
  if (/[":<>|*?\\/\r\n]/.test(value)) {
    fail(
      input,
      value,
      'must not contain any of " : < > | * ? \\ / or line breaks (empty: no upload)'
    )
  }
  return value
}

/**
 * An absolute directory; empty: `$RUNNER_TEMP/<fallbackName>` (the OS temp dir off a runner). A
 * regular file in its place or above it is an input error now, not EEXIST after signing in.
 */
export function outputDirectory(io: ActionIO, input: string, fallbackName: string): string {
  const value = text(io, input)
  const dir = resolve(value || join(io.env.RUNNER_TEMP || tmpdir(), fallbackName))
  checkDirectory(input, value || dir, dir)
  return dir
}
