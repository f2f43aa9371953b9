import { expect, test } from 'bun:test'
import { StructuredLogger } from '../../runtime/logger'
import type { SpanRecord } from '../../runtime/tracing'
import { OtlpExporter, otlpTraceId } from './otlp-exporter'

const exporter = new OtlpExporter({
  endpoint: 'http://127.0.0.1:1/v1/traces',
  headers: {},
  serviceName: 'svc',
  serviceVersion: '1.2.3',
  log: new StructuredLogger({ enabled: () => false, emit: () => {} }),
})

test('a span in OTLP JSON: hex ids, kind and status numbers, nanosecond strings, typed values', () => {
  const span: SpanRecord = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: '1111111111111111',
    name: 'process t',
    kind: 'consumer',
    startTime: 1_700_000_000_000.25,
    endTime: 1_700_000_000_001.5,
    status: 'error',
    statusMessage: 'bad',
    attributes: { s: 'x', i: 3, d: 1.5, b: true, list: ['a', 'b'] },
    events: [{ name: 'log', time: 1_700_000_000_001, attributes: { level: 'info', fields: { n: 1 } } }],
  }
  expect(exporter.request([span])).toEqual({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'svc' } },
            { key: 'telemetry.sdk.name', value: { stringValue: 'motia' } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'motia', version: '1.2.3' },
            spans: [
              {
                traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                spanId: '00f067aa0ba902b7',
                parentSpanId: '1111111111111111',
                name: 'process t',
                kind: 5,
                startTimeUnixNano: '1700000000000250000',
                endTimeUnixNano: '1700000000001500000',
                attributes: [
                  { key: 's', value: { stringValue: 'x' } },
                  { key: 'i', value: { intValue: '3' } },
                  { key: 'd', value: { doubleValue: 1.5 } },
                  { key: 'b', value: { boolValue: true } },
                  { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
                ],
                events: [
                  {
                    timeUnixNano: '1700000000001000000',
                    name: 'log',
                    attributes: [
                      { key: 'level', value: { stringValue: 'info' } },
                      { key: 'fields', value: { kvlistValue: { values: [{ key: 'n', value: { intValue: '1' } }] } } },
                    ],
                  },
                ],
                status: { code: 2, message: 'bad' },
              },
            ],
          },
        ],
      },
    ],
  })
})

test('a trace id that is not 16 hex bytes (a caller’s x-trace-id) is exported as a stable hash', () => {
  const id = otlpTraceId('order-42-checkout')
  expect(id).toMatch(/^[0-9a-f]{32}$/)
  expect(otlpTraceId('order-42-checkout')).toBe(id)
  expect(otlpTraceId('4bf92f3577b34da6a3ce929d0e0e4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
})
