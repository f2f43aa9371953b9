/**
 * OpenTelemetry exporters for the III Engine.
 */

export { EngineSpanExporter } from './span-exporter'
export { EngineMetricsExporter } from './metrics-exporter'
export { EngineLogExporter } from './log-exporter'
