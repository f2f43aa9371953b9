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
