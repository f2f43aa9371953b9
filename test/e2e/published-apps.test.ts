import { beforeAll, describe, expect, test } from 'bun:test'
import { runMotia, startMotia, testBinary } from '../support/binary'
import { tempProjects } from '../support/runtime'

// Shapes from MotiaDev/motia-examples apps that did not start on the binary, each reduced to the
// files that show it, run through dist/motia as a user would.
const project = tempProjects('motia-published-')

beforeAll(() => testBinary(), 120_000)

const apiStep = (name: string, method: string, path: string) => `
export const config = { type: 'api', name: '${name}', method: '${method}', path: '${path}', emits: [], flows: ['app'] }
export const handler = async (req) => ({ status: 200, body: { step: '${name}', params: req.pathParams } })
`

/** No console: its fixed port (3113) is not this test's to take. */
const CONFIG = { 'config.yaml': 'console:\n  enabled: false\n' }

const serve = (mode: 'dev' | 'start', dir: string) =>
  startMotia([mode, '--dir', dir, '--port', '0', '--host', '127.0.0.1'])

describe('routes naming a parameter differently at one place (email-marketing-automation)', () => {
  test('dev and start serve both, each handler with its own parameter names', async () => {
    const dir = project({
      ...CONFIG,
      'steps/get-campaign.step.ts': apiStep('GetCampaign', 'GET', '/campaigns/:id'),
      'steps/campaign-emails.step.ts': apiStep('CampaignEmails', 'GET', '/campaigns/:campaignId/emails'),
    })
    for (const mode of ['dev', 'start'] as const) {
      const motia = await serve(mode, dir)
      try {
        expect(await (await fetch(`${motia.url}/campaigns/c1`)).json()).toEqual({
          step: 'GetCampaign',
          params: { id: 'c1' },
        })
        expect(await (await fetch(`${motia.url}/campaigns/c2/emails`)).json()).toEqual({
          step: 'CampaignEmails',
          params: { campaignId: 'c2' },
        })
      } finally {
        await motia.stop()
      }
    }
  }, 60_000)

  test('a truly conflicting pair: dev serves the rest and names both files; start refuses, naming both', async () => {
    const dir = project({
      ...CONFIG,
      'steps/a-item.step.ts': apiStep('GetItem', 'GET', '/items/:id'),
      'steps/b-item.step.ts': apiStep('GetItemAgain', 'GET', '/items/:itemId'),
      'steps/c-other.step.ts': apiStep('Other', 'GET', '/other/:id'),
      // Bun's own router refuses a name used twice in one path: that file alone is the problem.
      'steps/d-twice.step.ts': apiStep('Twice', 'GET', '/pairs/:id/with/:id'),
    })
    const motia = await serve('dev', dir)
    try {
      expect(await (await fetch(`${motia.url}/other/1`)).json()).toEqual({ step: 'Other', params: { id: '1' } })
      expect(await (await fetch(`${motia.url}/items/1`)).json()).toEqual({ step: 'GetItem', params: { id: '1' } })
      expect(motia.output()).toContain(
        'steps/b-item.step.ts: path: route GET /items/:itemId is already served by step \\"GetItem\\" (steps/a-item.step.ts)',
      )
      expect(motia.output()).toContain('steps/d-twice.step.ts: path: route GET /pairs/:id/with/:id names the parameter')
    } finally {
      await motia.stop()
    }
    const start = await runMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
    expect(start.code).not.toBe(0)
    const out = start.stdout + start.stderr
    expect(out).toContain('steps/b-item.step.ts')
    expect(out).toContain('steps/a-item.step.ts')
  }, 60_000)
})

describe('0.x shapes that Motia accepted: start serves them, with warnings', () => {
  test('subscribes: [], one step name in two files (and a copied step), emit({ type, data })', async () => {
    const dir = project({
      ...CONFIG,
      // email-marketing-automation 09-welcome-email-series
      'steps/welcome.step.ts': `
export const config = { type: 'event', name: 'WelcomeSeries', subscribes: [], emits: ['email.send'], flows: ['app'] }
export const handler = async () => {}
`,
      // ai-health-fitness: one name, two files
      'steps/a/agent.step.ts': apiStep('Agent', 'GET', '/agent-a'),
      'steps/b/agent.step.ts': apiStep('Agent', 'GET', '/agent-b'),
      // ... and a copy of a step: same name, same route (the first file answers)
      'steps/intent_router_api.step.ts': apiStep('intent-router', 'POST', '/intent'),
      'steps/message_router_api.step.ts': apiStep('intent-router', 'POST', '/intent').replace(
        "step: '",
        "step: 'copy ",
      ),
      // vision-example: the first releases' emit({ type, data })
      'steps/generate.step.ts': `
export const config = { type: 'api', name: 'Generate', method: 'POST', path: '/generate', emits: [{ type: 'enhance' }], flows: ['app'] }
export const handler = async (req, { emit }) => {
  await emit({ type: 'enhance', data: { prompt: req.body.prompt } })
  return { status: 200, body: { started: true } }
}
`,
      'steps/enhance.step.ts': `
export const config = { type: 'event', name: 'Enhance', subscribes: ['enhance'], emits: [], flows: ['app'] }
export const handler = async (input, { state }) => { await state.set('prompts', 'last', input) }
`,
      'steps/last.step.ts': `
export const config = { type: 'api', name: 'Last', method: 'GET', path: '/last', emits: [], flows: ['app'] }
export const handler = async (req, { state }) => ({ status: 200, body: { last: await state.get('prompts', 'last') } })
`,
    })
    const motia = await serve('start', dir)
    try {
      expect(await (await fetch(`${motia.url}/agent-a`)).json()).toEqual({ step: 'Agent', params: {} })
      expect(await (await fetch(`${motia.url}/agent-b`)).json()).toEqual({ step: 'Agent', params: {} })
      expect(await (await fetch(`${motia.url}/intent`, { method: 'POST' })).json()).toEqual({
        step: 'intent-router',
        params: {},
      })
      const started = await fetch(`${motia.url}/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a cat' }),
      })
      expect(started.status).toBe(200)
      // The queue step runs in the background: poll what it writes.
      let last: unknown = null
      for (let i = 0; i < 200 && last === null; i++) {
        last = ((await (await fetch(`${motia.url}/last`)).json()) as { last: unknown }).last
        if (last === null) await Bun.sleep(25)
      }
      expect(last).toEqual({ prompt: 'a cat' })
      const out = motia.output()
      expect(out).toContain('steps/welcome.step.ts: subscribes is empty: the step consumes no topic')
      expect(out).toContain(
        'steps/b/agent.step.ts: step name \\"Agent\\" is also used by steps/a/agent.step.ts; both are loaded',
      )
      expect(out).toContain('step \\"Generate\\" enqueued { type: \\"enhance\\", data }')
      expect(out).toContain(
        'steps/message_router_api.step.ts: repeats step \\"intent-router\\" of steps/intent_router_api.step.ts',
      )
    } finally {
      await motia.stop()
    }
  }, 60_000)
})
