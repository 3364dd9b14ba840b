/**
 * The log the demo prints is the log a runner shows: the masking commands and the toolkit's
 * debug lines are not in it, everything else is, in order.
 */
import { expect, test } from '@jest/globals'
import { runnerLog } from '../../__fixtures__/action.js'

test('add-mask and debug lines are hidden; annotations and plain lines stay, in order', () => {
  const stdout = [
    '::add-mask::s3cret-value',
    'Signing in to tenant contoso.onmicrosoft.com',
    '::debug::[Request] CreateArtifact https://results.example/twirp',
    '',
    '::warning::2 expired exclusion(s)',
    '::debug::Zip stream for upload has ended.',
    '::error::3 stale user(s) exceed max-stale 0',
    'a line that mentions ::debug:: later on'
  ].join('\n')
  expect(runnerLog(stdout)).toEqual([
    'Signing in to tenant contoso.onmicrosoft.com',
    '::warning::2 expired exclusion(s)',
    '::error::3 stale user(s) exceed max-stale 0',
    'a line that mentions ::debug:: later on'
  ])
})
