# One image for every service of the federation, running the compiled build (`npm run build`,
# dist/) on plain node with only the production dependencies: no tsx, esbuild or TypeScript in
# the image. The default command starts the gateway; docker-compose.yml and deploy/kubernetes/
# start each subgraph from the same image with
# `node --max-semi-space-size=1 --heap-growing-percent=50 --v8-pool-size=1 dist/scripts/start-subgraph.js <name>`, and
# migrations run with `node dist/scripts/migrate.js`. Stack traces name the .ts file and line
# (dist/ holds the source maps, read when a trace needs one: shared/source-maps.ts). The flags
# keep processes lean (shared/service-process.ts, bench/README.md "Memory"): a subgraph's young
# generation 2 x 1 MiB, the gateway's 2 x 8 MiB (less garbage collection under load), not the
# 2 x 16 MiB V8 grows to and keeps; the old generation collected once it has grown to 2 x (gateway)
# or 1.5 x (subgraph) what survived the last full collection, not up to 4 x; a subgraph one V8
# worker thread.

# better-sqlite3 (the embedded database) is a native module: npm ci compiles it from source when
# no prebuilt binary can be downloaded, which needs python3, make and g++ (not in node:20-slim).

# Build stage, with the dev dependencies: TypeScript → dist/, the dashboard page (Vite, Chart.js)
# and every file the services read at run time (scripts/build.ts).
FROM node:20-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

# Production dependencies first, so that editing sources does not reinstall them. patches/ is
# applied by npm ci's postinstall (patch-package, a production dependency for that reason). The
# compilers better-sqlite3 may need are installed and removed in the same layer, so the image
# keeps the compiled module but not them.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && npm ci --omit=dev && npm cache clean --force && apt-get purge -y --auto-remove python3 make g++ && rm -rf /var/lib/apt/lists/*

# The build alone: JavaScript and source maps, supergraph.graphql, the subgraphs' schemas,
# registry.json, CSV seed data, the operations and the built dashboard. Owned by root: the
# services only read them.
COPY --from=build /build/dist ./dist
# DATA_DIR's default, for a subgraph run without <NAME>_DATABASE_URL (not in production, which
# refuses that): writable by the services, best mounted as a volume.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 4000
# node itself, not npm or npx: they exit on SIGTERM without passing it on, so `docker compose stop`
# would kill the service instead of letting it drain and close its pool.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=100", "dist/gateway/src/index.js"]
