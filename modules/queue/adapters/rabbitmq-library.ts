/**
 * The AMQP client, for `queue.adapter: rabbitmq` only. A compiled binary carries this file as an
 * entrypoint of its own (build.ts), loaded by `rabbitmqLibrary()` on the first connection.
 */
export { Connection } from 'rabbitmq-client'
