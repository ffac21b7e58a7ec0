// `npm run migrate`: applies the checked-in migrations to every subgraph that has a
// <NAME>_DATABASE_URL (MySQL). Subgraphs also migrate on start; this runs it ahead of a deploy.
import { loadDotEnv, loadConfig, subgraphConfig } from '../shared/config';
import { openDatabase } from '../shared/db';
import { runMain } from '../shared/lifecycle';
import { SUBGRAPHS } from '../subgraphs/catalog';

// A .env in the project root (npm run -s secrets > .env) fills what the environment leaves unset.
loadDotEnv();

runMain(async () => {
  const config = loadConfig();
  const targets = SUBGRAPHS.flatMap((s) => (s.schema && subgraphConfig(config, s.name).databaseUrl ? [{ ...s, schema: s.schema }] : []));
  if (targets.length === 0) {
    console.log('No <NAME>_DATABASE_URL is set: the embedded databases are built fresh on start, nothing to migrate.');
    return;
  }
  for (const subgraph of targets) {
    const { dataSource } = await openDatabase({
      subgraph: subgraph.name,
      databaseUrl: subgraphConfig(config, subgraph.name).databaseUrl,
      ...subgraph.schema,
      poolSize: 1,
    });
    const applied: { name: string }[] = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    console.log(`${subgraph.name}: ${applied.length} migrations applied (latest ${applied[applied.length - 1]?.name ?? 'none'})`);
    await dataSource.destroy();
  }
});
