# One image recipe for every service: `docker build --build-arg SERVICE=auth .`
# tools/stack/test/docker-image.test.ts replays this file without an engine: keep RUN paths relative.

# Build stage: install every workspace (npm ci needs each package.json the root lists), compile the services
# and the shared library only, and the browser client when there is one.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/shared/package.json libs/shared/
COPY libs/embedded-mongo/package.json libs/embedded-mongo/
COPY services/auth/package.json services/auth/
COPY services/gateway/package.json services/gateway/
COPY services/users/package.json services/users/
COPY services/messages/package.json services/messages/
COPY services/realtime/package.json services/realtime/
COPY tools/stack/package.json tools/stack/
COPY tools/bench/package.json tools/bench/
COPY tests/faults/package.json tests/faults/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs/shared libs/shared
COPY services services
COPY web web
RUN npx tsc -b tsconfig.build.json
RUN if [ -f web/index.html ]; then npm run build -w web; else mkdir -p web/dist; fi

# Files stage: one service, the shared library (without its test helpers) and only the production
# dependencies of that service; the gateway also keeps the built client, which it serves at /.
FROM node:22-bookworm-slim AS files
ARG SERVICE
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/libs/shared/package.json libs/shared/
COPY --from=build /app/libs/shared/dist libs/shared/dist
COPY --from=build /app/services/${SERVICE}/package.json services/${SERVICE}/
COPY --from=build /app/services/${SERVICE}/dist services/${SERVICE}/dist
COPY --from=build /app/web/dist web/dist
RUN npm ci --omit=dev --workspace "services/$SERVICE" --no-audit --no-fund \
  && rm -rf package-lock.json libs/shared/dist/testing \
  && if [ "$SERVICE" != gateway ]; then rm -rf web; fi

# Runtime stage: those files only, read-only to the unprivileged node user.
FROM node:22-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=files /app ./
USER node
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec node services/$SERVICE/dist/start.js"]
