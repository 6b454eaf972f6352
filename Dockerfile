# One image for all six services; the Deployment picks the service with its command.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
COPY schemas ./schemas
RUN npm ci --omit=dev --no-audit --no-fund && npm install --no-save tsx
ENV NODE_ENV=production
CMD ["node", "--import", "tsx", "services/ingest/src/main.ts"]
