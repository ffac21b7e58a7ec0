import { ConfigError, loadConfig } from '../shared/config';

describe('configuration', () => {
  it('has the documented default ports and the embedded database', () => {
    const config = loadConfig({});
    expect(config.gateway.port).toBe(4000);
    expect(Object.fromEntries(config.subgraphs.map((s) => [s.name, s.port]))).toEqual({
      collaboration: 4001,
      bisc: 4002,
      cubiss: 4003,
      probiblio: 4004,
      rijnbrink: 4005,
    });
    expect(config.subgraphs.every((s) => s.databaseUrl === undefined)).toBe(true);
    expect(config.subgraphs.find((s) => s.name === 'cubiss')!.url).toBe('http://127.0.0.1:4003/graphql');
    expect(config.seed.scale).toBe(1);
    expect(Object.isFrozen(config.subgraphs[0])).toBe(true);
  });

  it('takes ports, database URLs and subgraph URLs from the environment', () => {
    const config = loadConfig({
      GATEWAY_PORT: '5000',
      CUBISS_PORT: '5003',
      CUBISS_DATABASE_URL: 'mysql://cubiss:secret@db:3306/poi_cubiss',
      BISC_URL: 'http://bisc:4002/graphql',
      SEED_SCALE: '10',
    });
    const cubiss = config.subgraphs.find((s) => s.name === 'cubiss')!;
    expect(config.gateway.port).toBe(5000);
    expect(cubiss).toMatchObject({ port: 5003, url: 'http://127.0.0.1:5003/graphql', databaseUrl: 'mysql://cubiss:secret@db:3306/poi_cubiss' });
    expect(config.subgraphs.find((s) => s.name === 'bisc')!.url).toBe('http://bisc:4002/graphql');
    expect(config.seed.scale).toBe(10);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ GATEWAY_PORT: 'abc', BISC_PORT: '4003', SEED_SCALE: '0', RIJNBRINK_DATABASE_URL: 'postgres://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      expect.stringContaining('GATEWAY_PORT'),
      expect.stringContaining('RIJNBRINK_DATABASE_URL'),
      expect.stringContaining('ports must differ'),
      expect.stringContaining('LOG_LEVEL'),
      expect.stringContaining('SEED_SCALE'),
    ]);
  });
});
