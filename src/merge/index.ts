import * as core from '@actions/core'
import { systemClock } from '../io.js'
import { toolkitUploader } from '../publish/artifact.js'
import { runnerIO } from '../runner-io.js'
import { MergeOutputs } from './constants.js'
import { runMerge } from './main.js'
import { toolkitStore } from './sources.js'

runMerge(runnerIO, { clock: systemClock, store: toolkitStore, uploader: toolkitUploader }).then(
  (result) => {
    process.exitCode = result === 'fail' || result === 'error' ? 1 : 0
  },
  (error: unknown) => {
    core.setOutput(MergeOutputs.Result, 'error')
    core.setFailed(`Unexpected failure: ${error instanceof Error ? error.message : String(error)}`)
  }
)
