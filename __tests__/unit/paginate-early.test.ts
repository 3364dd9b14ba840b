import { Readable } from 'node:stream'
import { Response } from 'node-fetch'
import type { TokenSource } from '../../src/auth/token-source.js'
import { createGraphClient } from '../../src/graph/client.js'
import { leadingNextLink } from '../../src/graph/next-link.js'
import { pages } from '../../src/graph/paginate.js'
import type { RetryContext } from '../../src/graph/retry.js'
import type { Fetch } from '../../src/http.js'
import { FakeClock } from '../../__fixtures__/io.js'
import { testSettings } from '../../__fixtures__/settings.js'

const GRAPH = 'https://graph.microsoft.com'
const link = (token: string) => `${GRAPH}/beta/users?$skiptoken=${token}`

const tokens: TokenSource = { token: async () => 'token' }
const retry = (): RetryContext => ({
  clock: new FakeClock(),
  log: () => undefined,
  waited: { ms: 0 }
})

/**
 * A Graph page written as Graph writes it (context, nextLink, then value), whose body arrives in
 * two parts: the head at once, the rest only when `release` is called.
 */
function heldPage(ids: string[], next: string | undefined) {
  const body = JSON.stringify({
    '@odata.context': `${GRAPH}/beta/$metadata#users(id)`,
    ...(next ? { '@odata.nextLink': next } : {}),
    value: ids.map((id) => ({ id }))
  })
  const split = body.indexOf('"value"') + 9
  let release = () => undefined as void
  const stream = new Readable({ read() {} })
  stream.push(Buffer.from(body.slice(0, split)))
  const released = new Promise<void>((done) => (release = done))
  void released.then(() => {
    stream.push(Buffer.from(body.slice(split)))
    stream.push(null)
  })
  const response = new Response(stream, {
    status: 200,
    headers: { 'content-type': 'application/json' }
  })
  return { response, release }
}

describe('leadingNextLink', () => {
  test.each([
    ['Graph order', `{"@odata.context":"c","@odata.nextLink":"${link('A')}","value":[`, link('A')],
    ['spaces and a BOM', `\uFEFF { "@odata.nextLink" : "${link('B')}" , "value": [`, link('B')],
    [
      'escapes in the link',
      '{"@odata.nextLink":"https://g/x?a=\\"b\\"\\u0026c","value":[',
      'https://g/x?a="b"&c'
    ],
    ['value first', `{"value":[{"id":"1"}],"@odata.nextLink":"${link('A')}"}`, null],
    ['no link before the end', '{"@odata.context":"c"}', null],
    ['a null link', '{"@odata.nextLink":null,"value":[]}', null],
    ['not an object', '[1,2]', null],
    [
      'the link cut short',
      `{"@odata.context":"c","@odata.nextLink":"${link('A').slice(0, 20)}`,
      undefined
    ],
    ['a name cut short', '{"@odata.cont', undefined],
    ['nothing yet', '', undefined]
  ])('%s', (_, head, expected) => {
    expect(leadingNextLink(head)).toBe(expected)
  })
})

describe('pages with the nextLink ahead of value', () => {
  test('the next page is requested while this page is still arriving; every page once, in order', async () => {
    const first = heldPage(['1', '2'], link('A'))
    const second = heldPage(['3'], link('B'))
    const third = heldPage(['4'], undefined)
    const answers = [first, second, third]
    const sent: string[] = []
    const fetch: Fetch = async (url) => {
      sent.push(url)
      // The page before this one is still held back: release it only now.
      answers[sent.length - 2]?.release()
      return answers[sent.length - 1].response
    }
    third.release()
    const graph = createGraphClient(testSettings(), tokens, fetch, retry())
    const result: string[][] = []
    for await (const page of pages<{ id: string }>(graph, 'users?$top=2', {
      resource: 'users',
      what: 'users'
    }))
      result.push(page.map((user) => user.id))
    expect(result).toEqual([['1', '2'], ['3'], ['4']])
    expect(sent).toEqual([`${GRAPH}/beta/users?$top=2`, link('A'), link('B')])
    expect(graph.requests).toBe(3)
  })

  test('read-ahead is bounded: no request for page 3 while the caller still holds page 1', async () => {
    const answers = [
      heldPage(['1'], link('A')),
      heldPage(['2'], link('B')),
      heldPage(['3'], undefined)
    ]
    for (const answer of answers) answer.release()
    const sent: string[] = []
    const fetch: Fetch = async (url) => {
      sent.push(url)
      return answers[sent.length - 1].response
    }
    const graph = createGraphClient(testSettings(), tokens, fetch, retry())
    const iterator = pages<{ id: string }>(graph, 'users', { resource: 'users', what: 'users' })
    expect((await iterator.next()).value).toEqual([{ id: '1' }])
    // Page 2 has arrived meanwhile (its link included); page 3 waits until page 2 is asked for.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(sent).toEqual([`${GRAPH}/beta/users`, link('A')])
    expect((await iterator.next()).value).toEqual([{ id: '2' }])
    expect((await iterator.next()).value).toEqual([{ id: '3' }])
    expect((await iterator.next()).done).toBe(true)
    expect(sent).toEqual([`${GRAPH}/beta/users`, link('A'), link('B')])
  })
})
