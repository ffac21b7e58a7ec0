// `npm run -s kubernetes:secrets -- local > deploy/kubernetes/overlays/local/secrets.env`: fresh
// secrets for a Kubernetes overlay, in the env-file form its secretGenerator reads (git-ignored).
// `-- production` takes every subgraph's <NAME>_DATABASE_URL from the environment.
import { runMain } from '../shared/lifecycle';
import { POIS } from '../shared/registry';
import { deployedSubgraphs } from './deployment';
import { secretsEnv } from './kubernetes';

runMain(async () => {
  const overlay = process.argv[2];
  if (overlay !== 'local' && overlay !== 'production')
    throw new Error('Usage: npm run -s kubernetes:secrets -- local|production > deploy/kubernetes/overlays/<overlay>/secrets.env');
  process.stdout.write(secretsEnv(overlay, deployedSubgraphs(POIS), process.env));
});
