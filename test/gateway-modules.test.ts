import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** Runs `script` in a fresh node (its own module cache) from the project root; it prints one JSON value. */
function inFreshNode(script: string): unknown {
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

const TELEMETRY_MODULES = `Object.keys(require.cache).filter((file) => /@opentelemetry\\/(sdk-metrics|resources|resource-detector-|exporter-metrics-otlp-http)/.test(file)).length`;

describe("@apollo/gateway's usage telemetry (patches/@apollo+gateway+2.14.4.patch)", () => {
  it('is not loaded with the gateway: its metrics SDK, cloud detectors and exporter come with the telemetry', () => {
    expect(inFreshNode(`require('@apollo/gateway'); console.log(${TELEMETRY_MODULES})`)).toBe(0);
  });

  it('still starts when asked for: the modules load then, and the meter provider works', () => {
    const result = inFreshNode(`
      const { createDataCollectionMeterProvider } = require('@apollo/gateway/dist/utilities/opentelemetry.js');
      const provider = createDataCollectionMeterProvider({ export: (_m, done) => done({ code: 0 }), forceFlush: async () => {}, shutdown: async () => {} });
      const loaded = ${TELEMETRY_MODULES};
      provider.shutdown().then(() => console.log(JSON.stringify({ loaded, meter: typeof provider.getMeter('test').createObservableGauge })));
    `);
    expect(result).toEqual({ loaded: expect.any(Number), meter: 'function' });
    expect((result as { loaded: number }).loaded).toBeGreaterThan(10);
  });
});
