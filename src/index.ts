import * as core from '@actions/core'
import { Outputs } from './constants.js'
import { createFetch } from './http.js'
import { systemClock, type ActionIO } from './io.js'
import { run } from './main.js'
import { toolkitUploader } from './publish/artifact.js'

/** Values already sent to the runner as `::add-mask::`: each is sent once. */
const masked = new Set<string>()

/** The runner's side of ActionIO: @actions/core and the process environment. */
const realIO: ActionIO = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  setSecret: (value) => {
    if (masked.has(value)) return
    masked.add(value)
    core.setSecret(value)
  },
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
  appendSummary: async (text) => {
    if (!process.env.GITHUB_STEP_SUMMARY)
      return core.info('No job summary: GITHUB_STEP_SUMMARY is not set.')
    await core.summary.addRaw(text).write()
  },
  getIDToken: (audience) => core.getIDToken(audience),
  env: process.env
}

run(realIO, { clock: systemClock, fetch: createFetch(), artifacts: toolkitUploader }).then(
  (result) => {
    process.exitCode = result === 'fail' || result === 'error' ? 1 : 0
  },
  (error: unknown) => {
    core.setOutput(Outputs.Result, 'error')
    core.setFailed(`Unexpected failure: ${error instanceof Error ? error.message : String(error)}`)
  }
)
