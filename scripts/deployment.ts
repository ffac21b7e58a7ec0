// The parts of docker-compose.yml that follow the registry: every subgraph's MySQL and service,
// the gateway's URL of it and wait on it, its volume and its network. Each part sits between
// `# >>> <part>: generated …` and `# <<< <part>` markers and is rewritten by `npm run compose`
// (`-- --check` fails when one is stale); everything outside the markers is written by hand.
import { COLLABORATION_SUBGRAPH, DEFAULT_PORTS } from '../shared/config';
import type { Poi } from '../shared/registry';
import { containerCommand } from '../shared/service-process';

export interface DeployedSubgraph {
  name: string;
  port: number;
}

/** The collaboration, then every registered POI, at the ports they listen on by default. */
export function deployedSubgraphs(pois: readonly Poi[]): DeployedSubgraph[] {
  return [{ name: COLLABORATION_SUBGRAPH, port: DEFAULT_PORTS[COLLABORATION_SUBGRAPH] }, ...pois.map((poi) => ({ name: poi.subgraphName, port: poi.port }))];
}

/**
 * A POI subgraph announces its imports on the gateways' Redis (README "Caching"), so it gets the
 * gateway's REDIS_URL; the collaboration and the network subgraph announce nothing themselves.
 */
const POI_REDIS = '\n    REDIS_URL: ${REDIS_URL:-}';

/** What one subgraph contributes to each generated part (`only`: the subgraphs a part lists), and what separates two subgraphs' lines. */
const PARTS: Record<string, { separator: string; lines(subgraph: DeployedSubgraph): string; only?: (subgraph: DeployedSubgraph) => boolean }> = {
  'subgraphs and their databases': {
    separator: '\n\n',
    lines: ({ name, port }) => {
      const NAME = name.toUpperCase();
      const password = `\${${NAME}_DB_PASSWORD:?run npm run -s secrets > .env first}`;
      return `mysql-${name}:
  <<: *mysql
  environment:
    <<: *mysql-env
    MYSQL_DATABASE: poi_${name}
    MYSQL_USER: ${name}
    MYSQL_PASSWORD: ${password}
  volumes: [ "mysql-${name}-data:/var/lib/mysql" ]
  networks: [ ${name}-db ]

${name}:
  <<: *app
  command: [ ${containerCommand(name)
    .map((arg) => JSON.stringify(arg))
    .join(', ')} ]
  environment:
    <<: *subgraph-env
    ${NAME}_PORT: "${port}"
    ${NAME}_DATABASE_URL: mysql://${name}:${password}@mysql-${name}:3306/poi_${name}${name === COLLABORATION_SUBGRAPH ? '' : POI_REDIS}
  depends_on:
    mysql-${name}: { condition: service_healthy }
  networks: [ federation, ${name}-db ]
  healthcheck:
    <<: *health
    test: [ "CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" ]`;
    },
  },
  'subgraph URLs': { separator: '\n', lines: ({ name, port }) => `${name.toUpperCase()}_URL: http://${name}:${port}/graphql` },
  // The network subgraph asks every POI's own lists.
  'POI URLs': {
    separator: '\n',
    lines: ({ name, port }) => `${name.toUpperCase()}_URL: http://${name}:${port}/graphql`,
    only: ({ name }) => name !== COLLABORATION_SUBGRAPH,
  },
  'subgraphs healthy': { separator: '\n', lines: ({ name }) => `${name}: { condition: service_healthy }` },
  'subgraph volumes': { separator: '\n', lines: ({ name }) => `mysql-${name}-data:` },
  'subgraph networks': { separator: '\n', lines: ({ name }) => `${name}-db: { internal: true }` },
};

const MARKED = /^([ \t]*)# >>> ([^:\n]+): generated[^\n]*\n(?:[^\n]*\n)*?[ \t]*# <<< \2\n/gm;

/** docker-compose.yml with every generated part rewritten for these subgraphs; the rest as it was. */
export function renderDeployment(text: string, subgraphs: readonly DeployedSubgraph[]): string {
  const seen = new Set<string>();
  const rendered = text.replace(MARKED, (_whole, indent: string, part: string) => {
    const spec = PARTS[part];
    if (!spec) throw new Error(`docker-compose.yml: unknown generated part "${part}"; known: ${Object.keys(PARTS).join(', ')}`);
    seen.add(part);
    const body = subgraphs
      .filter(spec.only ?? (() => true))
      .map(spec.lines)
      .join(spec.separator)
      .split('\n')
      .map((line) => (line ? indent + line : line))
      .join('\n');
    return `${indent}# >>> ${part}: generated from registry.json by \`npm run compose\`; do not edit\n${body}\n${indent}# <<< ${part}\n`;
  });
  const missing = Object.keys(PARTS).filter((part) => !seen.has(part));
  if (missing.length > 0) throw new Error(`docker-compose.yml has lost the markers of: ${missing.join(', ')}`);
  return rendered;
}
