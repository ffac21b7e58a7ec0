// `npm run compose`: composes every subgraph's SDL into supergraph.graphql (the gateway's contract).
// `npm run compose -- --check` only verifies that the committed file matches a fresh composition.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../shared/config';
import { runMain } from '../shared/lifecycle';
import { composeConfiguredSupergraph, SUBGRAPHS } from '../subgraphs/catalog';

runMain(async () => {
  const config = loadConfig();
  const { supergraphSdl, hints } = composeConfiguredSupergraph(config);
  // The Poi interface is split on purpose: registry fields in the collaboration, data in each POI subgraph.
  const bySplitPoi = (hint: string) => hint.startsWith('INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD') && hint.includes('interface type "Poi"');
  for (const hint of hints.filter((h) => !bySplitPoi(h))) console.log(`hint: ${hint}`);
  const split = hints.filter(bySplitPoi).length;
  if (split > 0) console.log(`(${split} hints on fields of the Poi interface that only the registry or only the POI subgraphs define: by design)`);
  const target = config.gateway.supergraphPath;
  const relative = path.relative(PROJECT_ROOT, target);
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (committed !== supergraphSdl) throw new Error(`${relative} is out of date: run \`npm run compose\` and commit it.`);
    console.log(`${relative} is up to date (${SUBGRAPHS.length} subgraphs).`);
    return;
  }
  fs.writeFileSync(target, supergraphSdl);
  console.log(`Wrote ${relative} from ${SUBGRAPHS.length} subgraphs: ${SUBGRAPHS.map((s) => s.name).join(', ')}.`);
});
