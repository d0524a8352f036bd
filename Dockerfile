# syntax=docker/dockerfile:1
# One image for both roles of the product (docs/deploy.md):
#   api (default CMD)   node scripts/run.cjs api
#   worker              node --max-old-space-size=160 scripts/run.cjs worker   (compose: `command:`)
# The roles run JavaScript compiled from the TypeScript sources in a build stage (dist/app), and
# workers load the workflow bundle built there (dist/workflows): no TypeScript loader and no webpack
# at start, so a worker polls within a second of starting.

# Keep the npm that ships with this image: the lockfile lists only the Linux/macOS-x64/arm64
# builds of native packages, which npm 10 accepts and npm 11's `npm ci` refuses.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- deps: production dependencies only --------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- build: dist/ (the roles compiled to JavaScript, the workflow bundle), with the dev tools ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY activities ./activities
COPY workflows ./workflows
COPY emulators ./emulators
COPY scripts/build.ts scripts/run.cjs ./scripts/
RUN npm run build

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# MALLOC_ARENA_MAX, GLIBC_TUNABLES: what every role process starts with (scripts/run.cjs, ROLE_ENV).
ENV NODE_ENV=production \
    PORT=3000 \
    MALLOC_ARENA_MAX=2 \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072
# Everything stays owned by root and read-only to the process. The sources come along: the
# launcher runs dist/ only while it matches them (and falls back to tsx, slower, if it did not).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY activities ./activities
COPY workflows ./workflows
COPY emulators ./emulators
COPY scripts/run.cjs ./scripts/
COPY config ./config
COPY --from=build /app/dist ./dist
# The official image's unprivileged `node` user, by number so a runtime can verify it is not root.
USER 1000:1000
EXPOSE 3000
# Node itself is PID 1's child under `init: true` (compose) and handles SIGTERM: the api drains,
# workers finish in-flight activities (20 s grace). Not `npm run`: npm does not forward signals.
CMD ["node", "scripts/run.cjs", "api"]
