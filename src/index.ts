import * as core from '@actions/core'
import { Outputs } from './constants.js'
import { createFetch } from './http.js'
import { systemClock } from './io.js'
import { run } from './main.js'
import { toolkitUploader } from './publish/artifact.js'
import { runnerIO } from './runner-io.js'

run(runnerIO, { clock: systemClock, fetch: createFetch(), artifacts: toolkitUploader }).then(
  (result) => {
    process.exitCode = result === 'fail' || result === 'error' ? 1 : 0
  },
  (error: unknown) => {
    core.setOutput(Outputs.Result, 'error')
    core.setFailed(`Unexpected failure: ${error instanceof Error ? error.message : String(error)}`)
  }
)
