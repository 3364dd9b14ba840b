/**
 * Every error type the action throws on purpose, in one place. Each message is already written
 * for the user: main prints its first line and the run ends with result `error`.
 */

/** A bad input: the message names the input, the value (never a secret) and what is allowed. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}

/** A sign-in failure, already explained for the user. */
export class AuthFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AuthFailure'
  }
}

/** A Graph request that finally failed, explained for the user. */
export class GraphFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string
  ) {
    super(message)
    this.name = 'GraphFailure'
  }
}

/** A tenant report the merge action cannot merge; the message names it and says what is wrong. */
export class ReportError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReportError'
  }
}
