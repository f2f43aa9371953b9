import type { Channel } from 'rabbitmq-client'

/** One consumer channel's deliveries not acked yet, in delivery order (tags ascend). */
interface ChannelAcks {
  open: number[]
  /** Settled since the last flush. */
  due: Set<number>
}

/**
 * The acks of the consumer channels, sent once per event-loop turn: where the settled
 * deliveries are the oldest ones still open on their channel, one `basic.ack` with
 * `multiple: true` covers them all; one settled behind a delivery still open (a handler still
 * running, a FIFO message waiting for its retry) is acked alone, so a multiple ack never covers
 * a message that is not done. Every delivery is registered (`delivered`) as it arrives, even
 * one that is dropped, so it always counts as open. A channel that closes takes its unacked
 * messages with it (the broker redelivers them); `flush(ch)` before closing one on purpose.
 * `writes` wraps a turn's flush (SocketCork.around: its acks leave in one socket write).
 */
export class AckBatcher {
  private readonly channels = new Map<Channel, ChannelAcks>()
  private scheduled = false

  constructor(private readonly writes: (fn: () => void) => void = (fn) => fn()) {}

  delivered(ch: Channel, tag: number): void {
    let c = this.channels.get(ch)
    if (!c) {
      c = { open: [], due: new Set() }
      this.channels.set(ch, c)
    }
    c.open.push(tag)
  }

  ack(ch: Channel, tag: number): void {
    const c = this.channels.get(ch)
    if (!c || !ch.active) return
    c.due.add(tag)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flushAll())
  }

  /** Sends what is due on `ch` now (before the channel is closed on purpose). */
  flush(ch: Channel): void {
    const c = this.channels.get(ch)
    if (!c || c.due.size === 0) return
    if (!ch.active) {
      this.channels.delete(ch)
      return
    }
    let i = 0
    while (i < c.open.length && c.due.has(c.open[i]!)) i++
    if (i > 0) ch.basicAck({ deliveryTag: c.open[i - 1]!, multiple: i > 1 })
    for (let j = i; j < c.open.length; j++) if (c.due.has(c.open[j]!)) ch.basicAck({ deliveryTag: c.open[j]! })
    c.open = c.due.size === i ? c.open.slice(i) : c.open.filter((t) => !c.due.has(t))
    c.due.clear()
  }

  /** The channel is gone: its unacked deliveries are the broker's again. */
  forget(ch: Channel): void {
    this.channels.delete(ch)
  }

  private flushAll(): void {
    this.scheduled = false
    this.writes(() => {
      for (const ch of [...this.channels.keys()]) this.flush(ch)
    })
  }
}
