import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { changedFiles, copyProject, snapshotFiles } from './helpers/project-copy';

describe('npm run poi:add', () => {
  let project: ReturnType<typeof copyProject>;
  beforeAll(() => {
    project = copyProject();
  });
  afterAll(() => project?.remove());

  it('refuses a code or province clash with a clear message and changes nothing', () => {
    const before = snapshotFiles(project.root);
    const codeClash = project.run('scripts/poi-add.ts', ['--code', 'cubiss', '--name', 'Again', '--provinces', 'FRIESLAND']);
    expect(codeClash.status).toBe(1);
    expect(codeClash.stderr).toContain('a POI with code CUBISS is already registered');
    const provinceClash = project.run('scripts/poi-add.ts', ['--code', 'ZEEUWS', '--name', 'Zeeuws', '--provinces', 'ZEELAND,LIMBURG']);
    expect(provinceClash.status).toBe(1);
    expect(provinceClash.stderr).toContain('province LIMBURG is served by both CUBISS and ZEEUWS');
    const unknown = project.run('scripts/poi-add.ts', ['--code', 'ZEEUWS', '--name', 'Zeeuws', '--provinces', 'ATLANTIS']);
    expect(unknown.stderr).toContain('unknown province "ATLANTIS"');
    const missing = project.run('scripts/poi-add.ts', ['--code', 'ZEEUWS']);
    expect(missing.stderr).toContain('Usage: npm run poi:add');
    expect(changedFiles(before, snapshotFiles(project.root))).toEqual([]);
  });

  it('rolls every file back when a later step fails', () => {
    const broken = copyProject();
    try {
      fs.writeFileSync(path.join(broken.root, 'scripts', 'compose.ts'), 'console.error("composition exploded"); process.exit(3);\n');
      const before = snapshotFiles(broken.root);
      const result = broken.run('scripts/poi-add.ts', ['--code', 'ZEEUWS', '--name', 'Zeeuws', '--provinces', 'ZEELAND']);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('nothing was changed: composition exploded');
      expect(changedFiles(before, snapshotFiles(broken.root))).toEqual([]);
    } finally {
      broken.remove();
    }
  });

  it('adds a fifth POI that appears in the shared view with its own libraries, touching no other code', () => {
    const before = snapshotFiles(project.root);
    const added = project.run('scripts/poi-add.ts', ['--code', 'FRYSLAN', '--name', 'Bibliotheekservice Fryslân', '--provinces', 'FRIESLAND']);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);

    const changed = changedFiles(before, snapshotFiles(project.root));
    expect(changed).toEqual([
      'deploy/kubernetes/base/subgraph-urls.env',
      'deploy/kubernetes/base/subgraphs.yaml',
      'deploy/kubernetes/overlays/local/databases.yaml',
      'docker-compose.yml',
      'registry.json',
      'subgraphs/fryslan/README.md',
      'subgraphs/fryslan/data/libraries.csv',
      'subgraphs/fryslan/index.ts',
      'supergraph.graphql',
    ]);

    // The registry gains one entry, written as text: every byte of the entries before it stays.
    const registryBefore = before.get('registry.json')!;
    const registryAfter = snapshotFiles(project.root).get('registry.json')!;
    expect(registryAfter.startsWith(registryBefore.slice(0, registryBefore.lastIndexOf('}') + 1))).toBe(true);
    expect(JSON.parse(registryAfter)).toEqual([
      ...JSON.parse(registryBefore),
      expect.objectContaining({ code: 'FRYSLAN', provinces: ['FRIESLAND'], port: 4006 }),
    ]);
    expect(registryAfter).toContain('\n    "provinces": ["FRIESLAND"],\n');

    const compose = YAML.parse(snapshotFiles(project.root).get('docker-compose.yml')!, { merge: true });
    expect(compose.services['mysql-fryslan'].environment.MYSQL_DATABASE).toBe('poi_fryslan');
    expect(compose.services.fryslan.environment.FRYSLAN_DATABASE_URL).toContain('@mysql-fryslan:3306/poi_fryslan');
    expect(compose.services.gateway.environment.FRYSLAN_URL).toBe('http://fryslan:4006/graphql');
    // Kubernetes too: its Deployment, Service and NetworkPolicy, its local MySQL, the gateway's URL of it.
    const kubernetes = snapshotFiles(project.root);
    expect(kubernetes.get('deploy/kubernetes/base/subgraph-urls.env')).toContain('FRYSLAN_URL=http://fryslan:4006/graphql\n');
    expect(kubernetes.get('deploy/kubernetes/base/subgraphs.yaml')).toContain('- dist/scripts/start-subgraph.js\n            - fryslan\n');
    expect(kubernetes.get('deploy/kubernetes/overlays/local/databases.yaml')).toContain('name: mysql-fryslan\n');

    expect(project.run('scripts/compose.ts', ['--check']).status).toBe(0);
    // A hand edit in a generated part of docker-compose.yml is caught, and `npm run compose` undoes it.
    const composePath = path.join(project.root, 'docker-compose.yml');
    const generated = fs.readFileSync(composePath, 'utf8');
    fs.writeFileSync(composePath, generated.replace('FRYSLAN_URL: http://fryslan:4006/graphql', 'FRYSLAN_URL: http://fryslan:9999/graphql'));
    const stale = project.run('scripts/compose.ts', ['--check']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('docker-compose.yml is out of date');
    expect(project.run('scripts/compose.ts', []).status).toBe(0);
    expect(fs.readFileSync(composePath, 'utf8')).toBe(generated);
    // So is a hand edit in a generated Kubernetes file.
    const urlsPath = path.join(project.root, 'deploy/kubernetes/base/subgraph-urls.env');
    fs.appendFileSync(urlsPath, 'EXTRA_URL=http://elsewhere/graphql\n');
    const staleKubernetes = project.run('scripts/compose.ts', ['--check']);
    expect(staleKubernetes.status).toBe(1);
    expect(staleKubernetes.stderr).toContain('deploy/kubernetes/base/subgraph-urls.env is out of date');
    expect(project.run('scripts/compose.ts', []).status).toBe(0);
    expect(fs.readFileSync(urlsPath, 'utf8')).not.toContain('EXTRA_URL');

    const response = project.run('test/helpers/query-stack.ts', [
      `{ pois { __typename code provinces libraries { totalCount nodes { province } } stats { libraryCount } }
         fryslan { name libraries { totalCount } }
         network { all: libraries(first: 0) { totalCount incomplete }
                   fryslan: libraries(pois: ["FRYSLAN"], first: 100) { totalCount nodes { name poi { code name } } } }
         nextWiseRelease { acceptance { __typename poi { code } testStatus version } } }`,
    ]);
    expect(response.status).toBe(0);
    const { data, errors } = JSON.parse(response.stdout);
    expect(errors).toBeUndefined();
    expect(data.pois.map((p: any) => p.code)).toEqual(['BISC', 'CUBISS', 'FRYSLAN', 'PROBIBLIO', 'RIJNBRINK']);
    const fryslan = data.pois.find((p: any) => p.code === 'FRYSLAN');
    expect(fryslan.__typename).toBe('FryslanPoi');
    expect(fryslan.provinces).toEqual(['FRIESLAND']);
    expect(fryslan.libraries.totalCount).toBeGreaterThan(0);
    expect(fryslan.stats.libraryCount).toBe(fryslan.libraries.totalCount);
    for (const library of fryslan.libraries.nodes) expect(library.province).toBe('FRIESLAND');
    expect(data.fryslan).toEqual({ name: 'Bibliotheekservice Fryslân', libraries: { totalCount: fryslan.libraries.totalCount } });
    // The network lists ask the new POI too, with no other edit: its libraries, named as its own, and in the network's total.
    expect(data.network.fryslan.totalCount).toBe(fryslan.libraries.totalCount);
    expect(new Set(data.network.fryslan.nodes.map((n: any) => n.poi.code))).toEqual(new Set(['FRYSLAN']));
    expect(data.network.fryslan.nodes[0].poi.name).toBe('Bibliotheekservice Fryslân');
    const perPoi = data.pois.reduce((sum: number, p: any) => sum + p.libraries.totalCount, 0);
    expect(data.network.all).toEqual({ totalCount: perPoi, incomplete: false });
    // The release planning's acceptance includes the new POI, answered by its own subgraph.
    expect(data.nextWiseRelease.acceptance.map((a: any) => a.poi.code)).toEqual(['BISC', 'CUBISS', 'FRYSLAN', 'PROBIBLIO', 'RIJNBRINK']);
    const acceptance = data.nextWiseRelease.acceptance.find((a: any) => a.poi.code === 'FRYSLAN');
    expect(acceptance.__typename).toBe('FryslanReleaseAcceptance');
    expect(['NOT_STARTED', 'IN_PROGRESS', 'PASSED', 'FAILED']).toContain(acceptance.testStatus);
    expect(typeof acceptance.version).toBe('number');
  });
});
