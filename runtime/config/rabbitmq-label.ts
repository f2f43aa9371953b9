/**
 * The URL without its password, for messages and logs (apart from the client, so config
 * reporting can name the broker without loading the AMQP client).
 */
export function rabbitLabel(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString().replace(/\/$/, '')
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
  }
}
