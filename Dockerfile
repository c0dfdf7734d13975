# The single rocketry image: `rocketry broker|namesrv|operator|api|dev|admin …` (bin/rocketry.js) as the entrypoint.
# Build: docker build -t rocketry:dev .   The operator's pods run it as uid/gid 1000 with a read-only root filesystem.
# operator/src/install/dockerfile.test.ts checks this file's contract (Node 20, stages, user, entrypoint).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY crds/package.json crds/
COPY dataplane/package.json dataplane/
COPY operator/package.json operator/
COPY api/package.json api/
COPY testkit/package.json testkit/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/crds ./crds
COPY --from=build /app/dataplane ./dataplane
COPY --from=build /app/operator ./operator
COPY --from=build /app/api ./api
# `rocketry operator manifests` reads the chart's values.yaml: the chart is the single source of install defaults.
COPY --from=build /app/charts ./charts
RUN ln -s /app/bin/rocketry.js /usr/local/bin/rocketry \
  && chmod 0755 /app/bin/rocketry.js
# The node user of the base image; numeric so that runAsNonRoot can verify it.
USER 1000:1000
# 8081 broker gRPC, 8082 broker admin, 9876 name server, 8080 API, 8090 operator metrics, 8091 KEDA scaler.
EXPOSE 8080 8081 8082 8090 8091 9876
ENTRYPOINT ["rocketry"]
CMD ["--help"]
