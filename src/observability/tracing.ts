// OpenTelemetry tracing, configured by the standard OTEL_* environment variables
// (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
//   OTEL_SDK_DISABLED=true                  no tracing
//   OTEL_TRACES_EXPORTER=otlp|console|none  default: otlp when an OTLP endpoint is set, else none
//   OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / _HEADERS / _TIMEOUT   read by the OTLP exporter
//   OTEL_SERVICE_NAME (default iiq-graph), OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*
// Without a provider every span below is a no-op from @opentelemetry/api, so the hot path pays nothing.
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

export const TRACER_NAME = 'iiq-graph';

/** The gateway's tracer: a proxy that starts recording once a provider is registered. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface Tracing {
  readonly exporter: string;
  shutdown(): Promise<void>;
}

/** Which exporter the environment asks for; null = tracing off. */
export function tracesExporterFrom(env: Record<string, string | undefined>): 'otlp' | 'console' | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const named = env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim().toLowerCase();
  if (named === 'none') return null;
  if (named === 'console') return 'console';
  if (named === 'otlp') return 'otlp';
  if (named) throw new Error(`OTEL_TRACES_EXPORTER=${named} is not supported (use otlp, console or none)`);
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : null;
}

/**
 * Registers a global tracer provider (W3C trace context propagation, AsyncLocalStorage context) when the
 * environment asks for one, or always when `processor` is given (tests: an in-memory exporter).
 */
export function setupTracing(env: Record<string, string | undefined>, processor?: SpanProcessor): Tracing | null {
  const kind = processor ? 'custom' : tracesExporterFrom(env);
  if (!kind) return null;
  let spanProcessor = processor;
  if (!spanProcessor) {
    const exporter: SpanExporter = kind === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
    spanProcessor = new BatchSpanProcessor(exporter);
  }
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': TRACER_NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    exporter: kind,
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}
