// `npm run reset`: deletes the embedded databases in DATA_DIR (default `.data/`), so the next
// `npm start` builds and seeds them anew. Stop the services first: a running subgraph keeps
// writing to the file it opened. MySQL/MariaDB schemas are not touched. `npm start -- --fresh`
// does the same before it starts the services.
import { loadConfig, loadDotEnv } from '../shared/config';
import { deleteEmbeddedDatabases } from '../shared/db';

loadDotEnv();
const { dataDir } = loadConfig().database;
const deleted = deleteEmbeddedDatabases(dataDir);
console.log(deleted.length > 0 ? `Deleted ${deleted.join(', ')} in ${dataDir}` : `No embedded databases in ${dataDir}`);
