# One image recipe for every service: `docker build --build-arg SERVICE=auth .`
# Build stage: install everything, compile every workspace, then drop dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/shared/package.json libs/shared/
COPY libs/embedded-mongo/package.json libs/embedded-mongo/
COPY tools/stack/package.json tools/stack/
COPY services/auth/package.json services/auth/
COPY services/gateway/package.json services/gateway/
COPY services/users/package.json services/users/
COPY services/messages/package.json services/messages/
COPY services/realtime/package.json services/realtime/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY libs libs
COPY services services
COPY tools tools
RUN npx tsc -b && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies, the shared library and one service, as the unprivileged node user.
FROM node:22-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/libs/shared/package.json libs/shared/
COPY --from=build --chown=node:node /app/libs/shared/dist libs/shared/dist
COPY --from=build --chown=node:node /app/services/${SERVICE}/package.json services/${SERVICE}/
COPY --from=build --chown=node:node /app/services/${SERVICE}/dist services/${SERVICE}/dist
USER node
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec node services/$SERVICE/dist/start.js"]
