# syntax=docker/dockerfile:1
# One image for both roles of the product (docs/deploy.md):
#   api (default CMD)   node --import tsx src/api.ts
#   worker              node --import tsx src/worker.ts   (compose: `command:`)
# The roles run the TypeScript sources through tsx, which is a production dependency, so there is
# no compile step; the workflows are bundled once here so workers do not run webpack at start.

# Keep the npm that ships with this image: the lockfile lists only the Linux/macOS-x64/arm64
# builds of native packages, which npm 10 accepts and npm 11's `npm ci` refuses.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- deps: production dependencies only --------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- bundle: the workflow bundle every worker loads (WORKFLOW_BUNDLE_PATH) -----------------------
FROM deps AS bundle
COPY tsconfig.json ./
COPY src ./src
COPY activities ./activities
COPY workflows ./workflows
COPY scripts/bundle-workflows.ts ./scripts/bundle-workflows.ts
RUN node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    PORT=3000
# Everything stays owned by root and read-only to the process; tsx caches in /tmp.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY activities ./activities
COPY workflows ./workflows
COPY config ./config
COPY --from=bundle /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
# The official image's unprivileged `node` user, by number so a runtime can verify it is not root.
USER 1000:1000
EXPOSE 3000
# Node itself is PID 1's child under `init: true` (compose) and handles SIGTERM: the api drains,
# workers finish in-flight activities (20 s grace). Not `npm run`: npm does not forward signals.
CMD ["node", "--import", "tsx", "src/api.ts"]
