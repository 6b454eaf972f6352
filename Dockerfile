# One image for all six services; the Deployment picks the service with its command.
# Build stage: every dependency, and each service compiled to services/<name>/dist/main.mjs (idres services build).
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
COPY schemas ./schemas
RUN npm ci --no-audit --no-fund && npx idres services build

# Runtime: production dependencies and the bundles (third-party packages load from node_modules).
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY --from=build /app/services ./services
COPY schemas ./schemas
RUN npm ci --omit=dev --no-audit --no-fund
ENV NODE_ENV=production
CMD ["node", "--enable-source-maps", "services/ingest/dist/main.mjs"]
