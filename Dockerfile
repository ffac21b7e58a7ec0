# One image for every service of the federation. The default command starts the gateway;
# docker-compose.yml starts each subgraph from the same image with
# `tsx scripts/start-subgraph.ts <name>`.
# The dashboard page is built with the dev dependencies (Vite, Chart.js) in a build stage; the
# image itself holds only the production dependencies and the built page.
FROM node:20-slim AS dashboard
WORKDIR /build
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci
COPY . .
RUN npm run build:dashboard

FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    PATH=/app/node_modules/.bin:$PATH

# Dependencies first, so that editing sources does not reinstall them. tsx is a runtime
# dependency: services run their TypeScript sources directly. patches/ is applied by npm ci's
# postinstall (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev && npm cache clean --force

# Sources, supergraph.graphql, subgraph schemas, registry and CSV data. They stay owned by
# root: the services only read them.
COPY . .
COPY --from=dashboard /build/dashboard/dist ./dashboard/dist

USER node
EXPOSE 4000
# `tsx` itself rather than `npx tsx` (same binary): npx exits on SIGTERM without passing it on,
# so `docker compose stop` would kill the service instead of letting it drain and close its pool.
CMD ["tsx", "gateway/src/index.ts"]
