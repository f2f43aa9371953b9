import { describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'

const project = tempProjects('motia-routes-')

/** A 0.x API step answering with the path params it got. */
const apiStep = (name: string, method: string, path: string) => `
export const config = { type: 'api', name: '${name}', method: '${method}', path: '${path}', emits: [] }
export const handler = async (req) => ({ status: 200, body: { step: '${name}', params: req.pathParams } })
`

// examples/content-and-marketing/email-marketing-automation: both routes, in two files.
const CAMPAIGNS = {
  'steps/get-campaign.step.ts': apiStep('GetCampaign', 'GET', '/campaigns/:id'),
  'steps/campaign-emails.step.ts': apiStep('CampaignEmails', 'GET', '/campaigns/:campaignId/emails'),
  'steps/update-campaign.step.ts': apiStep('UpdateCampaign', 'PUT', '/campaigns/:campaignId'),
  'steps/email-event.step.ts': apiStep('EmailEvent', 'GET', '/campaigns/:campaignId/emails/:emailId/events/:kind'),
}

describe('parameters named differently at one place', () => {
  test('every route is served, each handler with its own parameter names (in process and over a socket)', async () => {
    await using rt = await fixtureRuntime(project(CAMPAIGNS), { listen: true })
    expect(rt.problems).toEqual([])
    const url = `http://127.0.0.1:${(rt.services.shared.get('http.server') as Server<unknown>).port}`
    const expected: [string, string, unknown][] = [
      ['GET', '/campaigns/c1', { step: 'GetCampaign', params: { id: 'c1' } }],
      ['GET', '/campaigns/c2/emails', { step: 'CampaignEmails', params: { campaignId: 'c2' } }],
      ['PUT', '/campaigns/c3', { step: 'UpdateCampaign', params: { campaignId: 'c3' } }],
      [
        'GET',
        '/campaigns/c4/emails/e5/events/open',
        { step: 'EmailEvent', params: { campaignId: 'c4', emailId: 'e5', kind: 'open' } },
      ],
    ]
    for (const [method, path, body] of expected) {
      for (const send of [(p: string) => rt.request(p, { method }), (p: string) => fetch(url + p, { method })]) {
        const res = await send(path)
        expect({ path, status: res.status, body: await res.json() }).toEqual({ path, status: 200, body })
      }
    }
  })

  test('reload keeps serving both', async () => {
    await using rt = await fixtureRuntime(project(CAMPAIGNS))
    await rt.reload()
    expect(await (await rt.request('/campaigns/x/emails')).json()).toEqual({
      step: 'CampaignEmails',
      params: { campaignId: 'x' },
    })
  })
})

describe('routes that cannot be served together', () => {
  const CONFLICT = {
    'steps/a-get.step.ts': apiStep('GetOne', 'GET', '/items/:id'),
    'steps/b-get.step.ts': apiStep('GetOther', 'GET', '/items/:itemId'),
    'steps/c-twice.step.ts': apiStep('Twice', 'GET', '/pairs/:id/with/:id'),
    'steps/d-fine.step.ts': apiStep('Fine', 'GET', '/fine/:id'),
  }

  test('dev serves the rest and reports each problem naming the files involved', async () => {
    await using rt = await fixtureRuntime(project(CONFLICT))
    expect(rt.problems).toEqual([
      {
        file: 'steps/b-get.step.ts',
        field: 'path',
        message: 'route GET /items/:itemId is already served by step "GetOne" (steps/a-get.step.ts)',
        code: 'E_ROUTE_DUPLICATE',
      },
      {
        file: 'steps/c-twice.step.ts',
        field: 'path',
        message: 'route GET /pairs/:id/with/:id names the parameter "id" twice',
        code: 'E_ROUTE_CONFLICT',
      },
    ])
    expect(await (await rt.request('/fine/1')).json()).toEqual({ step: 'Fine', params: { id: '1' } })
    expect(await (await rt.request('/items/1')).json()).toEqual({ step: 'GetOne', params: { id: '1' } })
  })

  test('start refuses, naming both files', async () => {
    const err = await fixtureRuntime(project(CONFLICT), { mode: 'start' }).then(
      () => undefined,
      (e: Error) => e,
    )
    expect(err?.message).toContain(
      'steps/b-get.step.ts: path: route GET /items/:itemId is already served by step "GetOne" (steps/a-get.step.ts)',
    )
    expect(err?.message).toContain('steps/c-twice.step.ts')
  })
})
