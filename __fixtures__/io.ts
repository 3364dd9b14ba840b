import type { ActionIO, Clock } from '../src/io.js'

/**
 * A recording ActionIO for unit tests: inputs come from a map (trimmed like the runner does),
 * everything the action writes is kept, and `events` holds the order of reads and masks.
 */
export class FakeIO implements ActionIO {
  readonly outputs = new Map<string, string>()
  readonly secrets: string[] = []
  readonly infos: string[] = []
  readonly warnings: string[] = []
  readonly errors: string[] = []
  /** `getInput:<name>`, `setSecret`, `info`, `warning`, `error`, `summary`, in call order. */
  readonly events: string[] = []
  readonly idTokenAudiences: string[] = []
  summary = ''
  readonly env: Record<string, string | undefined>

  constructor(
    readonly inputs: Record<string, string> = {},
    env: Record<string, string | undefined> = {},
    private readonly idToken?: string
  ) {
    this.env = { ...env }
  }

  getInput(name: string): string {
    this.events.push(`getInput:${name}`)
    return (this.inputs[name] ?? '').trim()
  }

  setOutput(name: string, value: string | number): void {
    this.outputs.set(name, String(value))
  }

  setSecret(value: string): void {
    this.events.push('setSecret')
    this.secrets.push(value)
  }

  info(message: string): void {
    this.events.push('info')
    this.infos.push(message)
  }

  warning(message: string): void {
    this.events.push('warning')
    this.warnings.push(message)
  }

  error(message: string): void {
    this.events.push('error')
    this.errors.push(message)
  }

  async appendSummary(text: string): Promise<void> {
    this.events.push('summary')
    this.summary += text
  }

  async getIDToken(audience: string): Promise<string> {
    this.idTokenAudiences.push(audience)
    if (this.idToken === undefined) throw new Error('no OIDC token in this fake')
    return this.idToken
  }

  /** Every line written to the log, any level. */
  get logLines(): string[] {
    return [...this.infos, ...this.warnings, ...this.errors]
  }
}

/**
 * A clock that never waits: `sleep` records the wait and advances `now`. Its members are arrow
 * functions because callers may pass them around unbound (e.g. `backoffMs(n, clock.random)`).
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = []
  private time: number

  constructor(
    start: Date | string = '2025-06-15T12:00:00Z',
    private readonly randomValue = 0.5
  ) {
    this.time = new Date(start).getTime()
  }

  now = (): Date => new Date(this.time)

  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    this.time += ms
  }

  random = (): number => this.randomValue
}
