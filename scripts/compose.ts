// `npm run compose`: composes every subgraph's SDL into supergraph.graphql (the gateway's contract)
// and rewrites the generated parts of docker-compose.yml (scripts/deployment.ts) and the generated
// files of deploy/kubernetes/ (scripts/kubernetes.ts) from the registry.
// `npm run compose -- --check` only verifies that the committed files match what it would write.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../shared/config';
import { runMain } from '../shared/lifecycle';
import { POIS } from '../shared/registry';
import { composeConfiguredSupergraph, SUBGRAPHS } from '../subgraphs/catalog';
import { deployedSubgraphs, renderDeployment } from './deployment';
import { renderKubernetes } from './kubernetes';

runMain(async () => {
  const config = loadConfig();
  const { supergraphSdl, hints } = composeConfiguredSupergraph(config);
  // The Poi interface is split on purpose: registry fields in the collaboration, data in each POI subgraph.
  const bySplitPoi = (hint: string) => hint.startsWith('INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD') && hint.includes('interface type "Poi"');
  for (const hint of hints.filter((h) => !bySplitPoi(h))) console.log(`hint: ${hint}`);
  const split = hints.filter(bySplitPoi).length;
  if (split > 0) console.log(`(${split} hints on fields of the Poi interface that only the registry or only the POI subgraphs define: by design)`);
  const supergraphPath = config.gateway.supergraphPath;
  const deploymentPath = path.join(PROJECT_ROOT, 'docker-compose.yml');
  const deployment = fs.readFileSync(deploymentPath, 'utf8');
  const outputs = [
    { file: supergraphPath, text: supergraphSdl },
    { file: deploymentPath, text: renderDeployment(deployment, deployedSubgraphs(POIS)) },
    ...renderKubernetes(deployedSubgraphs(POIS)).map(({ file, text }) => ({ file: path.join(PROJECT_ROOT, file), text })),
  ];
  const names = SUBGRAPHS.map((s) => s.name).join(', ');
  if (process.argv.includes('--check')) {
    const stale = outputs
      .filter(({ file, text }) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text)
      .map(({ file }) => path.relative(PROJECT_ROOT, file));
    if (stale.length > 0) throw new Error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} out of date: run \`npm run compose\` and commit.`);
    console.log(`${outputs.map(({ file }) => path.relative(PROJECT_ROOT, file)).join(', ')} are up to date (${SUBGRAPHS.length} subgraphs: ${names}).`);
    return;
  }
  for (const { file, text } of outputs) fs.writeFileSync(file, text);
  console.log(
    `Wrote ${path.relative(PROJECT_ROOT, supergraphPath)} and the generated parts of docker-compose.yml and deploy/kubernetes/ from ${SUBGRAPHS.length} subgraphs: ${names}.`,
  );
});
