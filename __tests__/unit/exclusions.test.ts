import {
  compileExclusions,
  isExpired,
  isGuid,
  parseExclusions,
  type ExclusionRule
} from '../../src/exclusions.js'

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e'

describe('parseExclusions', () => {
  test.each<[string, string, Partial<ExclusionRule>]>([
    [
      'a plain UPN',
      'admin@contoso.com',
      { pattern: 'admin@contoso.com', kind: 'upn-glob', reason: '' }
    ],
    ['a glob with *', '*-bg@contoso.com', { pattern: '*-bg@contoso.com', kind: 'upn-glob' }],
    ['a glob with ?', 'svc-??@contoso.com', { pattern: 'svc-??@contoso.com', kind: 'upn-glob' }],
    [
      'a glob for a whole domain',
      '*@partner.example',
      { pattern: '*@partner.example', kind: 'upn-glob' }
    ],
    ['a glob without @', 'svc-*', { pattern: 'svc-*', kind: 'upn-glob' }],
    ['an object ID', ID, { pattern: ID, kind: 'object-id' }],
    ['an upper-case object ID', ID.toUpperCase(), { pattern: ID.toUpperCase(), kind: 'object-id' }],
    [
      'a reason after #',
      'admin@contoso.com   # break-glass, see runbook 12',
      { pattern: 'admin@contoso.com', reason: 'break-glass, see runbook 12' }
    ],
    [
      'a reason right after the pattern',
      'admin@contoso.com#glass',
      { pattern: 'admin@contoso.com', reason: 'glass' }
    ],
    [
      'an expiry',
      'temp@contoso.com until:2025-12-31',
      { pattern: 'temp@contoso.com', until: '2025-12-31', reason: '' }
    ],
    [
      'an expiry and a reason',
      `${ID} until:2026-01-15 # contractor, ticket 42`,
      { pattern: ID, kind: 'object-id', until: '2026-01-15', reason: 'contractor, ticket 42' }
    ],
    [
      'surrounding whitespace',
      '   \tadmin@contoso.com\t  ',
      { pattern: 'admin@contoso.com', reason: '' }
    ]
  ])('%s', (_, line, expected) => {
    const rules = parseExclusions(line, 'exclude')
    expect(rules).toHaveLength(1)
    expect(rules[0]).toMatchObject({ ...expected, origin: 'exclude line 1' })
    if (!('until' in expected)) expect(rules[0].until).toBeUndefined()
  })

  test('blank and comment-only lines are skipped, origins count every line', () => {
    const text = [
      '# exclusions for the nightly audit',
      '',
      'admin@contoso.com # glass 1',
      '   ',
      '\t# another comment',
      ID,
      'svc-*@contoso.com until:2030-01-01'
    ].join('\n')
    const rules = parseExclusions(text, 'exclude-file')
    expect(rules.map((rule) => [rule.pattern, rule.origin])).toEqual([
      ['admin@contoso.com', 'exclude-file line 3'],
      [ID, 'exclude-file line 6'],
      ['svc-*@contoso.com', 'exclude-file line 7']
    ])
  })

  test('Windows line endings', () => {
    const rules = parseExclusions('a@contoso.com\r\nb@contoso.com # two\r\n', 'exclude')
    expect(rules.map((rule) => rule.pattern)).toEqual(['a@contoso.com', 'b@contoso.com'])
    expect(rules[1].reason).toBe('two')
  })

  test('empty text gives no rules', () => {
    expect(parseExclusions('', 'exclude')).toEqual([])
    expect(parseExclusions('\n\n# only comments\n', 'exclude')).toEqual([])
  })

  test.each<[string, string, number]>([
    ['a bare word', 'admin', 1],
    ['two patterns on one line', 'admin@contoso.com other@contoso.com', 1],
    ['until without a date', 'admin@contoso.com until:', 1],
    ['until in another format', 'admin@contoso.com until:31.12.2025', 1],
    ['until with a month 13', 'admin@contoso.com until:2025-13-01', 1],
    ['a word after the pattern', 'admin@contoso.com forever', 1],
    ['a GUID with a typo', '0f8fad5b-d9cb-469f-a165-70867728950', 1],
    ['a bad line after good ones', 'a@contoso.com\n\n# c\nnot-a-upn', 4]
  ])('%s is an error naming the source and line', (_, text, line) => {
    expect(() => parseExclusions(text, 'exclude-file')).toThrow(`exclude-file line ${line}`)
  })

  test('with quoteLines (the inline input) the error quotes the bad text', () => {
    expect(() => parseExclusions('ok@contoso.com\nadmni', 'exclude', { quoteLines: true })).toThrow(
      /"admni"/
    )
    expect(() =>
      parseExclusions('ok@contoso.com until:soon', 'exclude', { quoteLines: true })
    ).toThrow(/"ok@contoso.com until:soon"/)
  })

  test.each([
    ['not a pattern', 'ok@contoso.com\nsecret-word # why', /line 2: the pattern is neither/],
    ['a bad until:', 'ok@contoso.com until:secret-word', /line 1: the line is not valid/]
  ])('without it (a file) the error names the line, never its text: %s', (_, text, message) => {
    let thrown: unknown
    try {
      parseExclusions(text, 'exclude-file')
    } catch (error) {
      thrown = error
    }
    expect((thrown as Error).message).toMatch(message)
    expect((thrown as Error).message).not.toContain('secret-word')
  })

  test('until with a day that does not exist (Feb 30) is an error', () => {
    expect(() => parseExclusions('admin@contoso.com until:2025-02-30', 'exclude')).toThrow(
      'exclude line 1'
    )
  })

  test('a leap day is a real day', () => {
    expect(parseExclusions('a@contoso.com until:2028-02-29', 'exclude')[0].until).toBe('2028-02-29')
  })
})

describe('isGuid', () => {
  test.each([
    [ID, true],
    [ID.toUpperCase(), true],
    [`{${ID}}`, false],
    [ID.replace(/-/g, ''), false],
    ['not-a-guid', false],
    ['', false]
  ])('%s → %s', (value, expected) => {
    expect(isGuid(value)).toBe(expected)
  })
})

describe('compileExclusions', () => {
  const match = (lines: string, id: string, upn: string | null) =>
    compileExclusions(parseExclusions(lines, 'exclude')).match({ id, userPrincipalName: upn })
      ?.pattern

  const OTHER_ID = '11111111-1111-1111-1111-111111111111'

  test.each<[string, string | null, boolean]>([
    // pattern, UPN, matches
    ['admin@contoso.com', 'admin@contoso.com', true],
    ['admin@contoso.com', 'ADMIN@Contoso.COM', true],
    ['ADMIN@CONTOSO.COM', 'admin@contoso.com', true],
    ['admin@contoso.com', 'xadmin@contoso.com', false],
    ['admin@contoso.com', 'admin@contoso.com.evil', false],
    ['admin@contoso.com', 'admin@contoso.co', false],
    ['admin@contoso.com', 'admin@contosoxcom', false],
    ['admin@contoso.com', null, false],
    ['*', null, false],
    ['*', '', false],
    ['*-bg@contoso.com', 'alice-bg@contoso.com', true],
    ['*-bg@contoso.com', 'ALICE-BG@CONTOSO.COM', true],
    ['*-bg@contoso.com', '-bg@contoso.com', true],
    ['*-bg@contoso.com', 'alice-bg@fabrikam.com', false],
    ['*-bg@contoso.com', 'alice-bgx@contoso.com', false],
    ['svc-??@contoso.com', 'svc-01@contoso.com', true],
    ['svc-??@contoso.com', 'svc-1@contoso.com', false],
    ['svc-??@contoso.com', 'svc-001@contoso.com', false],
    ['*@partner.example', 'bob@partner.example', true],
    ['*@partner.example', 'bob@sub.partner.example', false],
    ['*@*.partner.example', 'bob@sub.partner.example', true],
    ['.hidden*@contoso.com', '.hidden-svc@contoso.com', true],
    ['a.b@contoso.com', 'axb@contoso.com', false]
  ])('UPN glob %s vs %s → %s', (pattern, upn, expected) => {
    expect(match(pattern, OTHER_ID, upn)).toBe(expected ? pattern : undefined)
  })

  test.each([
    [ID, ID],
    [ID.toUpperCase(), ID],
    [ID, ID.toUpperCase()]
  ])('object ID %s matches user id %s (any case)', (pattern, userId) => {
    expect(match(pattern, userId, 'someone@contoso.com')).toBe(pattern)
  })

  test('object IDs do not match partially', () => {
    expect(match(ID, `${ID}0`, null)).toBeUndefined()
    expect(match(ID, ID.slice(1), null)).toBeUndefined()
  })

  test('an object ID rule does not match a UPN that spells the ID', () => {
    expect(match(ID, OTHER_ID, `${ID}@contoso.com`)).toBeUndefined()
  })

  test('the first matching rule wins, with its reason', () => {
    const rules = parseExclusions(
      ['*@contoso.com # everyone', 'admin@contoso.com # glass'].join('\n'),
      'exclude'
    )
    const rule = compileExclusions(rules).match({
      id: OTHER_ID,
      userPrincipalName: 'admin@contoso.com'
    })
    expect(rule?.reason).toBe('everyone')
  })

  test('no rules match nothing', () => {
    expect(
      compileExclusions([]).match({ id: ID, userPrincipalName: 'a@contoso.com' })
    ).toBeUndefined()
  })
})

describe('isExpired', () => {
  const rule = (until?: string): ExclusionRule => ({
    pattern: 'a@contoso.com',
    kind: 'upn-glob',
    reason: '',
    until,
    origin: 'exclude line 1'
  })

  test.each<[string | undefined, string, boolean]>([
    [undefined, '2099-01-01T00:00:00Z', false],
    ['2025-06-15', '2025-06-14T23:59:59Z', false],
    ['2025-06-15', '2025-06-15T00:00:00Z', false],
    ['2025-06-15', '2025-06-15T23:59:59.999Z', false],
    ['2025-06-15', '2025-06-16T00:00:00Z', true],
    ['2025-06-15', '2026-01-01T00:00:00Z', true],
    ['2024-12-31', '2025-01-01T00:00:00Z', true]
  ])('until %s at %s → expired %s', (until, now, expected) => {
    expect(isExpired(rule(until), new Date(now))).toBe(expected)
  })

  test('the until day is read in UTC', () => {
    // 01:00 on the 16th in UTC+2 is still the 15th in UTC: the rule applies.
    expect(isExpired(rule('2025-06-15'), new Date('2025-06-16T01:00:00+02:00'))).toBe(false)
  })
})

describe('guest UPNs', () => {
  test('#EXT# stays part of the pattern; the next # starts the reason', () => {
    const [rule] = parseExclusions(
      'jane_fabrikam.com#EXT#@contoso.onmicrosoft.com # partner',
      'exclude'
    )
    expect(rule).toMatchObject({
      pattern: 'jane_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      reason: 'partner'
    })
    const matcher = compileExclusions([rule])
    expect(
      matcher.match({
        id: 'x',
        userPrincipalName: 'JANE_fabrikam.com#ext#@contoso.onmicrosoft.com'
      })
    ).toBe(rule)
    expect(
      matcher.match({
        id: 'x',
        userPrincipalName: 'john_fabrikam.com#EXT#@contoso.onmicrosoft.com'
      })
    ).toBeUndefined()
  })
})
