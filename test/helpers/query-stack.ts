// Starts this project's whole stack in-process (port 0, embedded databases), runs one GraphQL
// query through the gateway and prints the JSON response. Used to test a scaffolded copy of the
// project from the outside: `node --import tsx test/helpers/query-stack.ts '<query>'`.
import { startStack } from './stack';

(async () => {
  const stack = await startStack();
  try {
    console.log(JSON.stringify(await stack.query(process.argv[2])));
  } finally {
    await stack.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
