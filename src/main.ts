import { audit } from './audit.js'
import type { Fetch } from './http.js'
import type { ActionIO, Clock } from './io.js'
import type { Audited } from './outcome.js'
import type { Result } from './policy.js'
import type { ArtifactUploader } from './publish/artifact.js'
import { publish, publishError } from './publish/publish.js'
import { redactorFor } from './report/redact.js'
import { getSettings } from './settings/get-settings.js'
import type { Settings } from './settings/settings.js'

/** The side effects beyond ActionIO, passed in so tests run the real code with fakes. */
export interface Dependencies {
  clock: Clock
  fetch: Fetch
  artifacts: ArtifactUploader
}

/**
 * Wiring only: settings → audit (sign in, every user through the policy into the report files)
 * → publish (artifact, annotations, job summary, outputs). One error path: a run that fails
 * before its report is complete ends with result `error`. The entry point turns fail and error
 * into exit code 1.
 */
export async function run(io: ActionIO, deps: Dependencies): Promise<Result> {
  const started = deps.clock.now().getTime()
  let settings: Settings | undefined
  // Until the settings are read nothing is masked; nothing shows a user before then either.
  let redactor = redactorFor('none')
  let log = io
  let audited: Audited
  try {
    settings = getSettings(io, deps.clock.now())
    redactor = redactorFor(settings.redact)
    // With redact, no log line shows a UPN (the password-flow account in sign-in errors, for one).
    log = redactor.log(io)
    audited = await audit(settings, log, deps, redactor.report)
  } catch (error) {
    return publishError(log, settings, redactor.summary, error)
  }
  return publish(log, settings, redactor.summary, audited, deps, started)
}
