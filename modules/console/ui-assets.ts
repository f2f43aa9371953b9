import type { HTMLBundle, Server } from 'bun'

interface Asset {
  status: number
  headers: [string, string][]
  body: ArrayBuffer
}

/**
 * The console UI (an HTML import: the page and its hashed chunks) as plain responses, so the
 * console can add headers of its own (frame-guard.ts). Bun serves an HTML bundle only as a
 * `routes` entry and lets nothing add headers there (oven-sh/bun#19123), so the bundle gets a
 * private server: on Linux an abstract Unix socket (no file, no port a browser could frame),
 * elsewhere loopback port 0. Each path is fetched from it once and kept: the bundle does not
 * change while the process runs, and only paths it serves (200) are kept, so memory is bounded
 * by the bundle.
 */
export class UiAssets {
  private readonly cache = new Map<string, Promise<Asset | undefined>>()
  private readonly origin: string
  private readonly init: RequestInit

  /** Throws what Bun.serve throws for the page (a bundle that lost its files, say). */
  constructor(page: HTMLBundle | (() => Response)) {
    const abstract = process.platform === 'linux' ? `\0motia-console-ui-${process.pid}-${crypto.randomUUID()}` : ''
    this.server = Bun.serve({
      ...(abstract ? { unix: abstract } : { port: 0, hostname: '127.0.0.1' }),
      development: false,
      routes: { '/': page },
      fetch: () => new Response(null, { status: 404 }),
    } as Parameters<typeof Bun.serve>[0]) as Server<unknown>
    this.origin = abstract ? 'http://localhost' : this.server.url.origin
    this.init = abstract ? ({ unix: abstract } as RequestInit) : {}
  }

  private readonly server: Server<unknown>

  /** The page or chunk at `pathname` (GET and HEAD), undefined when the bundle has none. */
  async answer(request: Request, pathname: string): Promise<Response | undefined> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined
    let asset = this.cache.get(pathname)
    if (!asset) {
      asset = this.fetch(pathname)
      this.cache.set(pathname, asset)
      // A failed or missing path is asked again next time rather than kept.
      asset.then(
        (a) => a ?? this.cache.delete(pathname),
        () => this.cache.delete(pathname),
      )
    }
    const a = await asset
    if (!a) return undefined
    return new Response(request.method === 'HEAD' ? null : a.body, { status: a.status, headers: a.headers })
  }

  stop(): void {
    this.server.stop(true)
  }

  private async fetch(pathname: string): Promise<Asset | undefined> {
    const res = await fetch(`${this.origin}${pathname}`, this.init)
    if (res.status !== 200) {
      await res.body?.cancel()
      return undefined
    }
    // date and content-length belong to each answer, not to the kept copy.
    const headers = [...res.headers].filter(([k]) => k !== 'date' && k !== 'content-length')
    return { status: res.status, headers, body: await res.arrayBuffer() }
  }
}
