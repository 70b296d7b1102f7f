# Dynamis node image: one `dynamis start` per container (docs/deploy.md).
# Build: docker build -t dynamis .   (not built in this repository's CI: see docs/deploy.md)
FROM node:20-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 7070: nodes and clients (WebSocket); the admin endpoint stays on loopback unless a config says otherwise.
EXPOSE 7070
# Secrets come from the environment: DYNAMIS_SECRET (cluster) and DYNAMIS_CLIENT_TOKEN (clients).
# The entrypoint is the `dynamis start` the tests run (packages/cli); CMD holds its flags, and
# docker-compose.yml / deploy/k8s replace them with each node's id and seeds.
ENTRYPOINT ["node", "packages/cli/bin/dynamis.js", "start"]
CMD ["--node-id", "n1", "--host", "0.0.0.0", "--port", "7070", "--data-dir", "/data", "--engine", "lsm", "--coordinator", "quorum", "--replication", "3,2,2", "--peer", "n1@127.0.0.1:7070", "--admin", "127.0.0.1:7080"]
