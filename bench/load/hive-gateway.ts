// The bench's peer gateway, its own process: `HIVE_PORT=… SUPERGRAPH_PATH=… node --import tsx bench/load/hive-gateway.ts`.
// @graphql-hive/gateway over a static supergraph (never polled, no reporting, no CDN); every
// subgraph fetch carries subgraphHeaders(subgraph), asked for again per fetch. Hive shares one
// subgraph fetch among identical queries in flight by default, as this project's gateway does;
// HIVE_DEDUPLICATE_INFLIGHT=false turns it off (npm run bench -- --without-dedupe).
import fs from 'node:fs';
import http from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { subgraphHeaders } from '../subgraph-auth';

const port = Number(process.env.HIVE_PORT);
const supergraphPath = process.env.SUPERGRAPH_PATH;
const deduplicateInflightRequests = process.env.HIVE_DEDUPLICATE_INFLIGHT !== 'false';
if (!Number.isInteger(port) || port <= 0 || !supergraphPath) {
  console.error('HIVE_PORT and SUPERGRAPH_PATH are required');
  process.exit(1);
}

const runtime = createGatewayRuntime({
  supergraph: fs.readFileSync(supergraphPath, 'utf8'),
  logging: 'warn',
  landingPage: false,
  graphiql: false,
  propagateHeaders: { fromClientToSubgraphs: ({ subgraphName }) => subgraphHeaders(subgraphName) },
  transportEntries: { '*': { options: { deduplicateInflightRequests } } },
});
const server = http.createServer(runtime);
server.listen(port, '127.0.0.1');

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  server.close();
  server.closeAllConnections();
  Promise.resolve(runtime.dispose()).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
