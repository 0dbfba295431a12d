# syntax=docker/dockerfile:1
# duplo-helpdesk-slack: build with `docker build -t duplo-helpdesk-slack .`, run with for example
#   docker run --env-file .env -p 3000:3000 -v helpdesk-data:/data duplo-helpdesk-slack
# Node handles SIGTERM itself (the app drains in-flight work on it), so no init process is needed; `docker run --init`
# is harmless if you prefer one. test/ops/dockerfile.test.ts checks this file (there is no Docker engine in CI).

# --- build: compile TypeScript, then drop dev dependencies --------------------------------------------------------
# Node 24 LTS pinned to its minor; .ci/run runs the tests on that same Node (NODE_IMAGE_VERSION), and
# test/ops/ci-run.test.ts keeps the two in step. Move both together.
FROM node:24.22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production node_modules and dist/ only, as the unprivileged node user --------------------------------
FROM node:24.22-bookworm-slim AS runtime
# OCI labels: what the image is (test/ops/dockerfile.test.ts keeps version and licence in step with package.json).
# VERSION and REVISION can be set at build time: docker build --build-arg REVISION=$(git rev-parse HEAD) .
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="duplo-helpdesk-slack" \
      org.opencontainers.image.description="DuploCloud AI HelpDesk in Slack: tickets, agent conversations and command approvals in Slack threads" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
WORKDIR /app
# Owned by root and read-only for the app: the process can write nowhere but /data (and /tmp).
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Embedded PGlite keeps its files here when DATABASE_URL is not set.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
# The node user of the official image is uid/gid 1000 (Kubernetes runAsNonRoot needs the number: see deploy/).
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
# Slim images have no curl: Node 24's fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
