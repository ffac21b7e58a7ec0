// `npm run poi:conformance -- --poi cubiss [--url http://127.0.0.1:4003/graphql]`: checks a running
// POI subgraph, built with the kit or in any other stack, against the shared POI contract (README
// "The POI contract"). One line per check, PASS or FAIL with the reason; exit code 1 on any failure.
// It asks as the gateway does, with an identity signed with the gateway's key (GATEWAY_SIGNING_KEY,
// locally .secrets/local.json), and writes one knowledge article (source poi-conformance) to see
// the audit trail record it.
import { parseArgs } from 'node:util';
import { loadDotEnv, loadConfig, subgraphConfig } from '../shared/config';
import { runMain } from '../shared/lifecycle';
import { poiByCode } from '../shared/registry';
import { formatResult, runConformance } from './conformance/checks';

// A .env in the project root (npm run -s secrets > .env) fills what the environment leaves unset.
loadDotEnv();

const USAGE = 'Usage: npm run poi:conformance -- --poi <code> [--url <subgraph url>]';

runMain(async () => {
  const { values } = parseArgs({ options: { poi: { type: 'string' }, url: { type: 'string' } } });
  if (!values.poi) throw new Error(USAGE);
  const poi = poiByCode(values.poi);
  const config = loadConfig();
  const signingKey = config.security.gatewaySigningKey;
  if (!signingKey) throw new Error('The checker signs its requests as the gateway does: set GATEWAY_SIGNING_KEY');
  const url = values.url ?? subgraphConfig(config, poi.subgraphName).url;
  console.log(`POI contract: ${poi.name} at ${url}`);
  const results = await runConformance({ poi, url, signingKey });
  for (const result of results) console.log(formatResult(result));
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${poi.subgraphName}: ${results.length} checks, ${results.length - failed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
});
