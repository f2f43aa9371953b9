import { type Command, InvalidArgumentError, Option } from 'commander'

function json(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch (err) {
    throw new InvalidArgumentError(`expected JSON (${(err as Error).message})`)
  }
}

export interface EmitOptions {
  topic: string
  data: unknown
  /** Base URL of the running server, e.g. http://localhost:3111. */
  url: string
  /** `http.emit.token` of the server, sent as `Authorization: Bearer`. */
  token?: string
}

const HINTS: Record<number, string> = {
  404: '\n(motia start serves POST /emit only when config.yaml sets http.emit.enabled, with http.emit.token)',
  401: "\n(pass the server's http.emit.token with --token or MOTIA_EMIT_TOKEN)",
}

/** Enqueues through a running server's `POST /emit`; resolves with its answer. */
export async function emit(opts: EmitOptions): Promise<unknown> {
  const target = new URL('/emit', opts.url)
  let res: Response
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      body: JSON.stringify({ topic: opts.topic, data: opts.data }),
    })
  } catch (err) {
    throw new Error(
      `no motia server answers at ${target.origin} (${(err as Error).message}): start one with \`motia dev\`, or pass --port / --url`,
    )
  }
  const text = await res.text()
  if (!res.ok) throw new Error(`POST ${target.href} answered ${res.status}: ${text}${HINTS[res.status] ?? ''}`)
  return text ? JSON.parse(text) : undefined
}

/** `motia emit`: put a message on a topic of a running server (0.x `motia emit`, same flags). */
export function registerEmitCommand(program: Command): void {
  program
    .command('emit')
    .description("enqueue a message into a running server (its POST /emit): the topic's queue steps run it")
    .requiredOption('-t, --topic <topic>', 'topic to enqueue to')
    .option('--data <json>', 'message data (JSON)', json)
    .option('-m, --message <json>', 'message data (JSON; the 0.x name of --data)', json)
    .option('-p, --port <port>', 'port of the server on localhost', '3111')
    .option('-u, --url <url>', 'base URL of the server (instead of --port)')
    .addOption(
      new Option('--token <token>', "the server's http.emit.token (needed by motia start)").env('MOTIA_EMIT_TOKEN'),
    )
    .addHelpText(
      'after',
      `\nExamples:\n  $ motia emit --topic order.created --data '{"id":"42"}'\n  $ motia emit --topic order.created --message '{"id":"42"}' --port 4000\n  $ motia emit --topic ping --url https://api.example.com --token "$MOTIA_EMIT_TOKEN"`,
    )
    .action(
      async (opts: {
        topic: string
        data?: unknown
        message?: unknown
        port: string
        url?: string
        token?: string
      }) => {
        const url = opts.url ?? `http://localhost:${opts.port}`
        const data = opts.data ?? opts.message ?? {}
        const answer = await emit({ topic: opts.topic, data, url, ...(opts.token ? { token: opts.token } : {}) })
        console.log(JSON.stringify(answer))
      },
    )
}
