// `npm run migrate`: applies the checked-in migrations to every subgraph that has a
// <NAME>_DATABASE_URL (MySQL). Subgraphs also migrate on start; this runs it ahead of a deploy.
import { loadConfig } from '../shared/config';
import { openDatabase } from '../shared/db';
import { runMain } from '../shared/lifecycle';
import { POI_ENTITIES } from '../shared/poi/entities';
import { POI_MIGRATIONS } from '../shared/poi/migrations';
import { COLLABORATION_ENTITIES } from '../subgraphs/collaboration/src/entities';
import { COLLABORATION_MIGRATIONS } from '../subgraphs/collaboration/migrations';

runMain(async () => {
  const config = loadConfig();
  const targets = config.subgraphs.filter((s) => s.databaseUrl);
  if (targets.length === 0) {
    console.log('No <NAME>_DATABASE_URL is set: the embedded databases are built fresh on start, nothing to migrate.');
    return;
  }
  for (const subgraph of targets) {
    const isCollaboration = subgraph.name === 'collaboration';
    const { dataSource } = await openDatabase({
      subgraph: subgraph.name,
      databaseUrl: subgraph.databaseUrl,
      entities: isCollaboration ? COLLABORATION_ENTITIES : POI_ENTITIES,
      migrations: isCollaboration ? COLLABORATION_MIGRATIONS : POI_MIGRATIONS,
      poolSize: 1,
    });
    const applied: { name: string }[] = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    console.log(`${subgraph.name}: ${applied.length} migrations applied (latest ${applied[applied.length - 1]?.name ?? 'none'})`);
    await dataSource.destroy();
  }
});
