import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, startMotia } from '../support/binary'
import { copyFixture } from '../support/runtime'

// The binary's zod is loaded on a step's first import (runtime/zod-library.ts): every way a step
// file can reach it gets the whole of it, on the engine thread and in the step workers. zod 3
// schemas are converted by zod-to-json-schema, loaded on the first (runtime/zod3-json-schema.ts).
let app: ReturnType<typeof copyFixture>

beforeAll(async () => {
  await ensureBinary()
  app = copyFixture('basic')
}, 120_000)
afterAll(() => app?.dispose())

const probe = `import { jsonSchema } from 'motia'
import { z } from 'zod'
import * as v4 from 'zod/v4'
import { z as z3 } from 'zod/v3'
const required = require('zod')
export const probe = () => ({
  same: required.z === z && v4.z === z,
  locales: Object.keys(z.locales).length > 40,
  v4: z.object({ n: z.number() }).safeParse({ n: 'x' }).error?.issues[0]?.message,
  v3: z3.object({ n: z3.number() }).safeParse({ n: 'x' }).error?.issues[0]?.message,
  json3: jsonSchema(z3.object({ n: z3.number() }) as never),
})
`
const expected = {
  same: true,
  locales: true,
  v4: 'Invalid input: expected number, received string',
  v3: 'Expected number, received string',
  json3: {
    type: 'object',
    properties: { n: { type: 'number' } },
    required: ['n'],
    additionalProperties: false,
    $schema: 'http://json-schema.org/draft-07/schema#',
  },
}

test('steps get zod, zod/v4 and zod/v3 by import and by require, in workers too; zod 3 converts to JSON Schema', async () => {
  mkdirSync(join(app.path, 'src'), { recursive: true })
  writeFileSync(join(app.path, 'src', 'zod-probe.ts'), probe)
  writeFileSync(
    join(app.path, 'steps', 'zod-probe.step.ts'),
    `import { probe } from '../src/zod-probe'
export const config = { name: 'ZodProbe', triggers: [{ type: 'http', method: 'GET', path: '/zod-probe' }], enqueues: ['zod.probe'] }
export const handler = async (_req: unknown, { enqueue, state }: any) => {
  await enqueue({ topic: 'zod.probe', data: {} })
  return { status: 200, body: { engine: probe(), worker: await state.get('zod', 'probe') } }
}
`,
  )
  writeFileSync(
    join(app.path, 'steps', 'zod-probe-worker.step.ts'),
    `import { probe } from '../src/zod-probe'
export const config = { name: 'ZodProbeWorker', triggers: [{ type: 'queue', topic: 'zod.probe' }] }
export const handler = async (_input: unknown, { state }: any) => { await state.set('zod', 'probe', probe()) }
`,
  )
  const motia = await startMotia(['start', '--dir', app.path, '--port', '0', '--host', '127.0.0.1'], {
    env: { MOTIA_SQLITE: join(app.path, '.motia', 'zod.db') },
  })
  try {
    let body = (await (await fetch(`${motia.url}/zod-probe`)).json()) as { engine: unknown; worker: unknown }
    expect(body.engine).toEqual(expected)
    for (let i = 0; i < 100 && body.worker === null; i++) {
      await Bun.sleep(50)
      body = (await (await fetch(`${motia.url}/zod-probe`)).json()) as typeof body
    }
    expect(body.worker).toEqual(expected)
  } finally {
    await motia.stop()
  }
}, 60_000)
