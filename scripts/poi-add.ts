// `npm run poi:add -- --code FRYSLAN --name "Bibliotheekservice Fryslân" --provinces FRIESLAND`
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../shared/config';
import { addPoi } from './poi-scaffold';

const usage = `Usage: npm run poi:add -- --code <CODE> --name "<name>" --provinces <PROVINCE>[,<PROVINCE>…]
       [--full-name "<full name>"] [--seat <city>] [--website <url>] [--port <port>] [--steering-group]`;

try {
  const { values } = parseArgs({
    options: {
      code: { type: 'string' },
      name: { type: 'string' },
      provinces: { type: 'string' },
      'full-name': { type: 'string' },
      seat: { type: 'string' },
      website: { type: 'string' },
      port: { type: 'string' },
      'steering-group': { type: 'boolean' },
    },
  });
  if (!values.code || !values.name || !values.provinces) throw new Error(`--code, --name and --provinces are required.\n${usage}`);
  if (values.port !== undefined && !/^\d+$/.test(values.port)) throw new Error(`--port must be a number.\n${usage}`);
  const poi = addPoi(
    PROJECT_ROOT,
    {
      code: values.code,
      name: values.name,
      provinces: values.provinces.split(','),
      fullName: values['full-name'],
      seat: values.seat,
      website: values.website,
      port: values.port === undefined ? undefined : Number(values.port),
      inSteeringGroup: values['steering-group'],
    },
    (line) => console.log(`✓ ${line}`),
  );
  const name = poi.code.toLowerCase();
  console.log(`\n${poi.name} joins as ${poi.code}.`);
  console.log(`A running \`npm start\` takes it in without a restart, within seconds: the collaboration serves \`${name}\` and`);
  console.log(`its place in \`pois\`, the launcher starts its subgraph, the gateway switches to the new supergraph.graphql.`);
  console.log(`Otherwise start it with \`npm start\` (or \`npm run start:subgraph -- ${name}\` next to a running federation).`);
  console.log('Replace the demo libraries in its data/libraries.csv with its real list, then commit.');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
