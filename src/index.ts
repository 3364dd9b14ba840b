import * as core from '@actions/core'
import { Outputs } from './constants.js'
import { createFetch } from './http.js'
import { systemClock } from './io.js'
import { run } from './main.js'
import { toolkitUploader } from './publish/artifact.js'
import { runnerIO } from './runner-io.js'

let finished = false
run(runnerIO, { clock: systemClock, fetch: createFetch(), artifacts: toolkitUploader }).then(
  (result) => {
    finished = true
    process.exitCode = result === 'fail' || result === 'error' ? 1 : 0
  },
  (error: unknown) => {
    finished = true
    core.setOutput(Outputs.Result, 'error')
    core.setFailed(`Unexpected failure: ${error instanceof Error ? error.message : String(error)}`)
  }
)
// Nothing left to do but the run never finished (a promise nobody settles): never a silent pass.
process.on('beforeExit', () => {
  if (finished) return
  finished = true
  core.setOutput(Outputs.Result, 'error')
  core.setFailed(
    'The run stopped before it finished (a request was left waiting); no report was written.'
  )
})
