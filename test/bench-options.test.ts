/** `npm run bench` options: `--mysql` runs the load scenarios with every subgraph on MariaDB; `--scenarios`, `--compiled`, `--gateway-cpu-prof`. */
import { parseLoadOptions } from '../bench/load/options';
import { databaseUrlsFrom } from '../bench/load/services';
import { SUBGRAPHS } from '../subgraphs/catalog';

describe('npm run bench options', () => {
  it('--mysql (or BENCH_MYSQL=true) puts the subgraphs on MariaDB; the default is the embedded databases', () => {
    expect(parseLoadOptions([], {}).mysql).toBe(false);
    expect(parseLoadOptions(['--mysql'], {}).mysql).toBe(true);
    expect(parseLoadOptions([], { BENCH_MYSQL: 'true' }).mysql).toBe(true);
    expect(parseLoadOptions(['--quick', '--mysql'], {})).toMatchObject({ quick: true, mysql: true, durationSeconds: 2 });
    expect(() => parseLoadOptions(['--postgres'], {})).toThrow(/Unknown option '--postgres'/);
  });

  it('--scenarios (or BENCH_SCENARIOS) measures only some scenarios; the default is all four; an unknown one is refused', () => {
    expect(parseLoadOptions([], {}).scenarios).toEqual(['A', 'B', 'C', 'D']);
    expect(parseLoadOptions(['--scenarios', 'a, D'], {}).scenarios).toEqual(['A', 'D']);
    expect(parseLoadOptions([], { BENCH_SCENARIOS: 'C' }).scenarios).toEqual(['C']);
    expect(() => parseLoadOptions(['--scenarios', 'A,E'], {})).toThrow(/--scenarios must list some of A, B, C, D/);
    expect(parseLoadOptions([], {}).compiled).toBe(false);
    expect(parseLoadOptions(['--compiled'], {}).compiled).toBe(true);
    expect(parseLoadOptions([], { BENCH_COMPILED: 'true' }).compiled).toBe(true);
    expect(parseLoadOptions(['--gateway-cpu-prof', '/tmp/profiles'], {}).gatewayCpuProfile).toBe('/tmp/profiles');
    expect(parseLoadOptions([], {}).gatewayCpuProfile).toBeUndefined();
    expect(parseLoadOptions([], {}).gatewayNodeFlags).toEqual([]);
    expect(parseLoadOptions(['--gateway-node-flags= --max-old-space-size=256  --trace-gc '], {}).gatewayNodeFlags).toEqual([
      '--max-old-space-size=256',
      '--trace-gc',
    ]);
    expect(() => parseLoadOptions(['--gateway-node-flags', 'max-old-space-size=256'], {})).toThrow(/--gateway-node-flags takes node options/);
  });

  it('reads every subgraph database URL from .ci/mariadb.sh output, and refuses output that lacks one', () => {
    const lines = SUBGRAPHS.map((s) => `export ${s.name.toUpperCase()}_DATABASE_URL=mysql://${s.name}:ci-${s.name}-secret@127.0.0.1:3306/bench_poi_${s.name}`);
    const urls = databaseUrlsFrom(`${lines.join('\n')}\n`);
    expect(Object.keys(urls).sort()).toEqual(SUBGRAPHS.map((s) => `${s.name.toUpperCase()}_DATABASE_URL`).sort());
    expect(urls.CUBISS_DATABASE_URL).toBe('mysql://cubiss:ci-cubiss-secret@127.0.0.1:3306/bench_poi_cubiss');
    expect(() => databaseUrlsFrom(lines.slice(1).join('\n'))).toThrow(`.ci/mariadb.sh gave no ${SUBGRAPHS[0].name.toUpperCase()}_DATABASE_URL`);
  });
});
