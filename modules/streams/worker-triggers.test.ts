import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type StreamsTestRuntime, startProject, TestClient } from './test-harness'

// Stream triggers through the real queue module: the handler runs in a worker thread and its
// ctx.streams calls travel back to the engine, whose fan-out reaches the socket.
let t: StreamsTestRuntime
beforeAll(async () => {
  t = await startProject({
    realQueue: true,
    files: {
      'steps/todo.stream.ts': `export const config = { name: 'todo', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }`,
      'steps/audit.stream.ts': `export const config = { name: 'audit', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }`,
      'steps/audit.step.ts': `
        export const config = {
          name: 'AuditTodos',
          triggers: [{ type: 'stream', streamName: 'todo', condition: (input) => input.event.type !== 'delete' }],
        }
        export const handler = async (input, ctx) => {
          await ctx.streams.audit.set('log', input.groupId + ':' + input.id + ':' + input.event.type, {
            kind: input.event.type,
            text: input.event.data.text,
            isStream: ctx.is.stream(input),
            trigger: ctx.trigger,
          })
        }
      `,
    },
  })
})
afterAll(() => t.stop())

test('a stream trigger runs in a worker and its own stream writes reach subscribers', async () => {
  const c = await TestClient.connect(t.url)
  c.join('audit', 'log')
  await c.sync('audit', 'log')
  await t.call('todo', 'set', 'inbox', 't1', { text: 'milk' })
  const created = await c.next((m) => m.event.type === 'create' && m.id === 'inbox:t1:create')
  expect(created.event.data).toEqual({
    id: 'inbox:t1:create',
    kind: 'create',
    text: 'milk',
    isStream: true,
    trigger: { type: 'stream', index: 0, streamName: 'todo' },
  })
  await t.call('todo', 'delete', 'inbox', 't1')
  await t.call('todo', 'set', 'inbox', 't1', { text: 'eggs' })
  await c.next((m) => m.id === 'inbox:t1:create' && m.event.type === 'update')
  // The condition skipped the delete: no audit entry for it.
  expect(await t.call('audit', 'get', 'log', 'inbox:t1:delete')).toBeNull()
  c.close()
})
