import * as core from '@actions/core'
import type { ActionIO } from './io.js'

/** Values already sent to the runner as `::add-mask::`: each is sent once. */
const masked = new Set<string>()

/** The runner's side of ActionIO: @actions/core and the process environment (both actions). */
export const runnerIO: ActionIO = {
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
