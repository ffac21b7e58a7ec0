/**
 * Log format: JSON lines by default (and always when not on a terminal, as in production), and
 * human-readable lines through pino-pretty on a terminal or with LOG_FORMAT=pretty. `npm start`
 * hands its services LOG_FORMAT=pretty when it writes to a terminal itself (their output reaches
 * the terminal through its pipe).
 */
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';

/** A destination that keeps what is written, as text. */
function collector() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('log format', () => {
  it('writes one JSON object per line by default', () => {
    const out = collector();
    createLogger('cubiss', 'info', out.stream).info({ poi: 'CUBISS', requestId: 'r-1' }, 'ticket created');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 30, service: 'cubiss', poi: 'CUBISS', requestId: 'r-1', msg: 'ticket created' });
  });

  it('writes readable lines with the pretty format: level, service and message, the fields below, no JSON', () => {
    const out = collector();
    const logger = createLogger('cubiss', 'info', out.stream, 'pretty');
    logger.info({ poi: 'CUBISS', requestId: 'r-1' }, 'ticket created');
    logger.debug('below the level');
    const text = out.text();
    const [first] = text.split('\n');
    expect(first).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: \[cubiss\] ticket created$/);
    expect(text).toMatch(/^\s+poi: "CUBISS"$/m);
    expect(text).toMatch(/^\s+requestId: "r-1"$/m);
    expect(text).not.toContain('below the level');
    expect(() => JSON.parse(first)).toThrow();
    // No colour codes when the destination is not a terminal.
    expect(text).not.toContain('\u001b[');
  });

  it('LOG_FORMAT picks the format, validated with the rest of the configuration; auto means JSON off a terminal', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    // Jest's stdout is not a terminal.
    expect(process.stdout.isTTY).not.toBe(true);
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'auto' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'colour' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'colour' })).toThrow(/LOG_FORMAT must be auto, json or pretty, got "colour"/);
  });
});
