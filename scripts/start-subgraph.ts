// Starts one subgraph as its own process: `npm run start:subgraph -- cubiss`.
import { loadConfig, subgraphRuntime } from '../shared/config';
import { runMain, stopOnSignal } from '../shared/lifecycle';
import { createLogger } from '../shared/logger';
import { startWhenDatabaseAnswers } from '../shared/startup';
import { subgraphDefinition } from '../subgraphs/catalog';
import { connectRedis, redisChangeBus } from '../shared/changes';
import { configuredStartOptions } from '../shared/subgraph';

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
    definition.start({ ...configuredStartOptions(config, settings, logger), changes }),
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
