// OpenTelemetry traces, only when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
// Without one nothing of OpenTelemetry's SDK or exporter is loaded and nothing is sent: this
// module imports only types at the top and loads the SDK in startTracing.
import type * as OtelApi from '@opentelemetry/api';
import type { HttpHandler } from './http';
import type { Logger } from './logger';
import type { RequestScope } from './request-id';

export interface Tracing {
  /**
   * Runs the rest of a request inside a server span, continuing the caller's trace from its
   * `traceparent` header (the gateway sends one with every subgraph fetch).
   */
  middleware: HttpHandler;
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

interface HeaderCarrier {
  set(name: string, value: string): void;
}

/** Set while tracing runs in this process: writes the current trace context into outgoing headers. */
let injectCurrentContext: ((headers: HeaderCarrier) => void) | undefined;
/** Tracing handles alive in this process; the first registers the global provider. */
let active = 0;

/** Adds `traceparent` (W3C trace context) to a subgraph fetch's headers; nothing when tracing is off. */
export function injectTraceContext(headers: HeaderCarrier | undefined): void {
  if (headers) injectCurrentContext?.(headers);
}

/**
 * Registers a tracer provider that batches spans to `<otlpEndpoint>/v1/traces` (OTLP over
 * HTTP, JSON), with `service.name` set to the service. The global registration serves the spans
 * @apollo/gateway creates itself (gateway.request, gateway.plan, gateway.fetch, …) and the
 * context propagation; each service also makes its own server span per request.
 */
export async function startTracing(options: { otlpEndpoint: string; serviceName: string; logger: Logger }): Promise<Tracing> {
  const api: typeof OtelApi = await import('@opentelemetry/api');
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');

  const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  // One global provider per process (in production every service is its own process). A second
  // service in the same process (only in tests) uses its own provider for its own spans.
  if (active === 0) {
    const log = options.logger;
    api.diag.setLogger(
      {
        error: (message, ...args) => log.warn({ otel: args }, `OpenTelemetry: ${message}`),
        warn: (message, ...args) => log.warn({ otel: args }, `OpenTelemetry: ${message}`),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      api.DiagLogLevel.WARN,
    );
    provider.register();
    injectCurrentContext = (headers) => api.propagation.inject(api.context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
  }
  active += 1;
  options.logger.info({ url }, 'OpenTelemetry traces exported over OTLP/HTTP');

  const tracer = provider.getTracer('poi-federation');
  let stopped = false;
  return {
    middleware: (req, res, next) => {
      const parent = api.propagation.extract(api.context.active(), req.headers);
      const span = tracer.startSpan(
        `${req.method} /graphql`,
        { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.originalUrl.split('?')[0] } },
        parent,
      );
      res.once('close', () => {
        const scope = res.locals.requestScope as RequestScope | undefined;
        span.setAttribute('http.response.status_code', res.statusCode);
        if (scope) {
          span.setAttribute('request.id', scope.requestId);
          if (scope.operationName) span.setAttribute('graphql.operation.name', scope.operationName);
          span.setAttribute('graphql.error_count', scope.errorCount ?? 0);
        }
        if (res.statusCode >= 500 || (scope?.errorCount ?? 0) > 0) span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
      });
      api.context.with(api.trace.setSpan(parent, span), next);
    },
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      await provider.shutdown();
      active -= 1;
      if (active === 0) {
        injectCurrentContext = undefined;
        api.trace.disable();
        api.context.disable();
        api.propagation.disable();
        api.diag.disable();
      }
    },
  };
}
