import fs from 'node:fs';
import { loadConfig } from '../../shared/config';
import { runMain, stopOnSignal } from '../../shared/lifecycle';
import { createLogger } from '../../shared/logger';
import { startGateway } from './gateway';

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger('gateway', config.logLevel, undefined, config.logFormat);
  if (!fs.existsSync(config.gateway.supergraphPath)) {
    throw new Error(`No supergraph at ${config.gateway.supergraphPath}: run \`npm run compose\` first.`);
  }
  const gateway = await startGateway({
    supergraph: { path: config.gateway.supergraphPath },
    subgraphUrls: Object.fromEntries(config.subgraphs.map((s) => [s.name, s.url])),
    port: config.gateway.port,
    host: config.host,
    logger,
    resilience: config.gateway.resilience,
    exposeQueryPlan: config.gateway.exposeQueryPlan,
    otlpEndpoint: config.otlpEndpoint,
    security: config.security,
    responseCache: config.gateway.responseCache,
    live: config.gateway.live,
    operations: config.operations,
  });
  stopOnSignal(gateway, logger);
});
