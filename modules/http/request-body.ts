import { Readable } from 'node:stream'
import type { RequestBodyReader } from '../../sdk/types'

/** Chunk size of the stream: the frame size of Motia 1.x's body channels (iii-sdk `ChannelWriter`). */
const CHUNK = 64 * 1024

/**
 * 1.x `request.requestBody` (Motia's `ChannelReader`) over a body already read: `stream` is a
 * Node `Readable` of `Buffer` chunks, as iii's was, so `for await (const chunk of
 * request.requestBody.stream)`, `.pipe()` and `readAll()` all work. The bytes are the request's
 * own, whatever its content type, even when the runtime also parsed them into `body`. A body
 * over 64 KB arrives in several chunks, as it did through iii's channel.
 */
export class BufferedRequestBody implements RequestBodyReader {
  private _stream?: Readable

  constructor(private readonly bytes: Uint8Array) {}

  get stream(): Readable {
    this._stream ??= chunked(this.bytes)
    return this._stream
  }

  /** The whole body as one Buffer (no copy). */
  readAll(): Promise<Buffer> {
    return Promise.resolve(Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength))
  }

  /** iii's channels also carried text control messages; a request body never has any. */
  onMessage(_callback: (msg: string) => void): void {}

  close(): void {
    this._stream?.destroy()
  }
}

function chunked(bytes: Uint8Array): Readable {
  let offset = 0
  return new Readable({
    read() {
      if (offset >= bytes.byteLength) {
        this.push(null)
        return
      }
      const end = Math.min(offset + CHUNK, bytes.byteLength)
      this.push(Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset))
      offset = end
    },
  })
}
