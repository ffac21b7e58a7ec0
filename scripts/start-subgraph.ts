// Starts one subgraph as its own process: `npm run start:subgraph -- cubiss`.
import { COLLABORATION_SUBGRAPH, loadConfig, subgraphConfig, subgraphRuntime } from '../shared/config';
import { runMain, stopOnSignal } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { startWhenDatabaseAnswers } from '../shared/startup';
import { subgraphDefinition } from '../subgraphs/catalog';
import { connectRedis, redisChangeBus } from '../shared/changes';

runMain(async () => {
  const name = process.argv[2];
  if (!name) throw new Error('Usage: npm run start:subgraph -- <name>   (collaboration, bisc, cubiss, probiblio, rijnbrink, …, network)');
  const definition = subgraphDefinition(name);
  const config = loadConfig();
  const settings = subgraphRuntime(config, definition.name);
  const logger = createLogger(definition.name, config.logLevel, undefined, config.logFormat);
  const service = { name: definition.name, host: config.host, port: settings.port, logger };
  // With REDIS_URL, imports announce what they committed to every gateway replica (README "Caching").
  const redis = config.security.rateLimit.redisUrl ? connectRedis(config.security.rateLimit.redisUrl, logger) : undefined;
  const changes = redis && redisChangeBus(redis);
  const running = await startWhenDatabaseAnswers(service, config.database.connect, () =>
    definition.start({
      port: settings.port,
      host: config.host,
      databaseUrl: settings.databaseUrl,
      dataDir: config.database.dataDir,
      poolSize: config.database.poolSize,
      idempotencyTtlHours: config.database.idempotencyTtlHours,
      seed: config.seed,
      logger,
      otlpEndpoint: config.otlpEndpoint,
      gatewayPublicKey: settings.gatewayPublicKey,
      cursorSecret: settings.cursorSecret,
      operations: config.operations,
      requestTimeoutMs: config.gateway.resilience.timeoutMs,
      circuit: config.gateway.resilience,
      imports: config.imports,
      collaborationUrl: subgraphConfig(config, COLLABORATION_SUBGRAPH).url,
      changes,
      // The network subgraph asks the POIs at the URLs the gateway uses (`<NAME>_URL`).
      subgraphUrls: Object.fromEntries(config.subgraphs.map((s) => [s.name, s.url])),
    }),
  );
  stopOnSignal(
    {
      ...running,
      stop: () =>
        running.stop().finally(async () => {
          await changes?.close();
          redis?.disconnect();
        }),
    },
    logger,
  );
});
