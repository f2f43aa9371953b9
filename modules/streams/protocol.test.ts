import { describe, expect, test } from 'bun:test'
import { authToken, selectProtocol } from './auth'
import { Clock, encodeMessage, groupTopic, itemTopic, parseClientMessage } from './protocol'

describe('client frames', () => {
  test('join and leave, with and without an item id', () => {
    expect(parseClientMessage('{"type":"join","data":{"streamName":"s","groupId":"g","subscriptionId":"1"}}')).toEqual({
      type: 'join',
      data: { streamName: 's', groupId: 'g', subscriptionId: '1' },
    })
    expect(
      parseClientMessage(
        Buffer.from('{"type":"leave","data":{"streamName":"s","groupId":"g","id":"i","subscriptionId":"1"}}'),
      ),
    ).toEqual({ type: 'leave', data: { streamName: 's', groupId: 'g', id: 'i', subscriptionId: '1' } })
  })

  test('each defect has its own code', () => {
    const code = (raw: string) => {
      try {
        parseClientMessage(raw)
        return 'ok'
      } catch (err) {
        return (err as { code: string }).code
      }
    }
    expect(code('nope')).toBe('STREAM_MALFORMED_JSON')
    expect(code('null')).toBe('STREAM_UNKNOWN_MESSAGE')
    expect(code('{"type":"join"}')).toBe('STREAM_INVALID_SUBSCRIPTION')
    expect(code('{"type":"join","data":{"streamName":"s","groupId":"","subscriptionId":"1"}}')).toBe(
      'STREAM_INVALID_SUBSCRIPTION',
    )
  })

  test('names are measured in UTF-8 bytes against maxIdLength', () => {
    const join = (groupId: string) =>
      JSON.stringify({ type: 'join', data: { streamName: 's', groupId, subscriptionId: '1' } })
    expect(parseClientMessage(join('é'.repeat(4)), 8).data.groupId).toBe('éééé')
    expect(() => parseClientMessage(join('é'.repeat(5)), 8)).toThrow(
      'join: data.groupId is 10 bytes, over the limit of 8 (streams.maxIdLength)',
    )
    expect(() => parseClientMessage(join('😀😀😀'), 8)).toThrow('data.groupId is 12 bytes')
    expect(parseClientMessage(join('x'.repeat(100_000))).data.groupId.length).toBe(100_000) // no limit given
  })
})

describe('server frames', () => {
  test('fixed key order; no id for group-level messages', () => {
    expect(
      encodeMessage({ event: { type: 'event', event: { type: 't' } }, timestamp: 5, groupId: 'g', streamName: 's' }),
    ).toBe('{"streamName":"s","groupId":"g","timestamp":5,"event":{"type":"event","event":{"type":"t"}}}')
    expect(groupTopic('a:b', 'c')).not.toBe(groupTopic('a', 'b:c'))
    expect(itemTopic('s', 'g', 'i')).not.toBe(groupTopic('s', 'g'))
  })

  test('the clock never repeats or goes back, even when the wall clock does', () => {
    const times = [100, 100, 100, 90, 250, 250]
    const clock = new Clock(() => times.shift()!)
    expect([1, 2, 3, 4, 5, 6].map(() => clock.next())).toEqual([100, 101, 102, 103, 250, 251])
  })
})

describe('subprotocol tokens', () => {
  const info = (protocols: string[], query: Record<string, string[]> = {}) => ({
    headers: {},
    url: '/',
    path: '/',
    queryParams: query,
    addr: '',
    protocols,
  })
  test('Authorization is selected when offered; the token follows it', () => {
    expect(selectProtocol(['Authorization', 'tok'])).toBe('Authorization')
    expect(selectProtocol(['graphql-ws'])).toBe('graphql-ws')
    expect(selectProtocol([])).toBeUndefined()
    expect(authToken(info(['Authorization', 'tok']))).toBe('tok')
    expect(authToken(info([], { authToken: ['q'] }))).toBe('q')
    expect(authToken(info([]))).toBeUndefined()
  })
})
