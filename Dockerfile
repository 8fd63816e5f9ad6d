# One image for the API and the worker (the compose file picks the command).
# Node 22 runs the TypeScript sources directly (type stripping), so there is no compile step
# for the backend; only the dashboard is built.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/web/dist ./web/dist
COPY config.ts worker.ts ./
COPY api ./api
COPY activities ./activities
COPY common ./common
COPY db ./db
COPY wecom ./wecom
COPY workflows ./workflows
COPY scripts ./scripts
COPY encryption ./encryption
COPY logging ./logging
USER node
EXPOSE 3000
CMD ["node", "api/server.ts"]
