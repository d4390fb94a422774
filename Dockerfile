# s2s-gateway: multi-stage build. Not built in CI (no Docker engine there); keep it simple and reviewed.
# Build stage: full install (TypeScript), compile, then drop dev dependencies.
FROM node:22-slim AS build
WORKDIR /app
# Dependencies first, so a source-only change reuses the cached `npm ci` layer. --ignore-scripts: the
# `prepare` script would build before src/ is copied; we build explicitly below.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-info.mjs ./scripts/
COPY src ./src
# The image has no .git: pass the commit for `--version`, /status and s2s_gateway_build_info, e.g.
#   docker build --build-arg S2S_GATEWAY_COMMIT=$(git rev-parse --short=12 HEAD) .
# (without it they say "unknown"). scripts/build-info.mjs writes it to dist/build-info.json.
ARG S2S_GATEWAY_COMMIT=""
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and compiled code only, as the unprivileged `node` user (uid 1000).
FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Mount points: the YAML config at /etc/s2s-gateway/gateway.yaml, certificates and keys under
# /etc/s2s-gateway/certs (relative paths in the config resolve against the config file's folder).
# Numeric, not `node`: Kubernetes' runAsNonRoot can only verify a numeric user (uid 1000 is `node` in this image).
USER 1000:1000
EXPOSE 8443 9464
# Slim images have no curl: ask Node itself. 127.0.0.1 reaches the admin listener whether it is bound to
# loopback (the default) or to 0.0.0.0 (deploy/); change the port here if listen.admin.port is not 9464.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/index.js"]
CMD ["serve", "--config", "/etc/s2s-gateway/gateway.yaml"]
