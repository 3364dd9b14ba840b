/**
 * The side effects the action needs, as small interfaces passed in from the entry point, so tests
 * run the real code with fakes instead of module mocks.
 */
export interface ActionIO {
  /** The input's value as the runner passes it (INPUT_*), trimmed; '' when not given. */
  getInput(name: string): string
  setOutput(name: string, value: string | number): void
  /** Registers a value the runner must mask in every log line (a value is sent to it once). */
  setSecret(value: string): void
  info(message: string): void
  warning(message: string): void
  error(message: string): void
  /** Appends HTML/markdown to the job summary ($GITHUB_STEP_SUMMARY). */
  appendSummary(text: string): Promise<void>
  /** The runner's GitHub OIDC ID token for an audience (core.getIDToken). */
  getIDToken(audience: string): Promise<string>
  /** Process environment (RUNNER_TEMP, GITHUB_*, ACTIONS_*, proxies). */
  env: Record<string, string | undefined>
}

/**
 * Registers a secret, and each line of a multi-line secret: the runner masks log lines one by
 * one, so the whole value alone would not hide its lines.
 */
export function maskSecret(io: ActionIO, secret: string): void {
  io.setSecret(secret)
  for (const line of secret.split(/\r?\n/)) if (line.trim().length > 3) io.setSecret(line.trim())
}

export interface Clock {
  now(): Date
  sleep(ms: number): Promise<void>
  random(): number
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random
}
