/**
 * iii's data channels (`engine/src/channels/`): a one-way pipe between two parties, each end
 * named by a ref `{ channel_id, access_key, direction }`. Workers attach an end over a WebSocket
 * on the worker port (`/ws/channels/<id>?key=<key>&dir=read|write`); the engine attaches ends
 * itself for HTTP triggers (the request body in, the response out). Text frames are messages,
 * binary frames are data; what is written before the reader attaches waits in the channel, up
 * to a byte limit. Closing the writer ends the reader once everything written is delivered.
 */

export type ChannelItem = string | Uint8Array

export interface ChannelRef {
  channel_id: string
  access_key: string
  direction: 'read' | 'write'
}

interface Reader {
  item(item: ChannelItem): void
  end(): void
}

/** Channels nobody finished are dropped after this long (iii: 5 minutes). */
const CHANNEL_TTL_MS = 5 * 60_000

export class Channel {
  private readonly buffered: ChannelItem[] = []
  private bufferedBytes = 0
  private reader?: Reader
  readerTaken = false
  writerTaken = false
  ended = false
  readonly createdAt = Date.now()

  constructor(
    readonly id: string,
    readonly key: string,
    private readonly maxBufferedBytes: number,
  ) {}

  /** False when the reader is not there yet and the buffer is full (the writer is told to stop). */
  write(item: ChannelItem): boolean {
    if (this.ended) return false
    if (this.reader) {
      this.reader.item(item)
      return true
    }
    const size = typeof item === 'string' ? item.length : item.byteLength
    if (this.bufferedBytes + size > this.maxBufferedBytes) return false
    this.buffered.push(item)
    this.bufferedBytes += size
    return true
  }

  end(): void {
    if (this.ended) return
    this.ended = true
    this.reader?.end()
  }

  attachReader(reader: Reader): void {
    this.reader = reader
    for (const item of this.buffered.splice(0)) reader.item(item)
    this.bufferedBytes = 0
    if (this.ended) reader.end()
  }

  /** The engine reads the channel: items as an async iterator that ends with the writer. */
  read(): AsyncIterableIterator<ChannelItem> {
    const queue: ChannelItem[] = []
    let done = false
    let wake: (() => void) | undefined
    this.readerTaken = true
    this.attachReader({
      item: (i) => {
        queue.push(i)
        wake?.()
      },
      end: () => {
        done = true
        wake?.()
      },
    })
    const it: AsyncIterableIterator<ChannelItem> = {
      [Symbol.asyncIterator]: () => it,
      next: async () => {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r))
        wake = undefined
        if (queue.length > 0) return { value: queue.shift()!, done: false }
        return { value: undefined, done: true }
      },
    }
    return it
  }
}

export class ChannelManager {
  private readonly channels = new Map<string, Channel>()
  private readonly sweeper: ReturnType<typeof setInterval>

  constructor(private readonly maxBufferedBytes: number) {
    this.sweeper = setInterval(() => this.sweep(), 60_000)
    this.sweeper.unref?.()
  }

  create(): { channel: Channel; writer: ChannelRef; reader: ChannelRef } {
    const channel = new Channel(crypto.randomUUID(), crypto.randomUUID(), this.maxBufferedBytes)
    this.channels.set(channel.id, channel)
    const ref = { channel_id: channel.id, access_key: channel.key }
    return { channel, writer: { ...ref, direction: 'write' }, reader: { ...ref, direction: 'read' } }
  }

  /** The channel for an end a worker asks for; undefined when unknown, wrong key, or that end is taken. */
  take(id: string, key: string | null, dir: string | null): Channel | undefined {
    const ch = this.channels.get(id)
    if (!ch || ch.key !== key) return undefined
    if (dir === 'read' && !ch.readerTaken) {
      ch.readerTaken = true
      return ch
    }
    if (dir === 'write' && !ch.writerTaken) {
      ch.writerTaken = true
      return ch
    }
    return undefined
  }

  remove(id: string): void {
    this.channels.delete(id)
  }

  private sweep(): void {
    const now = Date.now()
    for (const [id, ch] of this.channels) {
      if (now - ch.createdAt > CHANNEL_TTL_MS) this.channels.delete(id)
    }
  }

  stop(): void {
    clearInterval(this.sweeper)
    for (const ch of this.channels.values()) ch.end()
    this.channels.clear()
  }
}
