# One image for all four services; the compose file picks the entry point per container.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The seal font package ships eight weights (~115 MB); the generator uses only the bold one.
RUN npm run build && npm prune --omit=dev \
 && find node_modules/@expo-google-fonts/noto-serif-sc -name '*.ttf' ! -name NotoSerifSC_700Bold.ttf -delete

FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends openssl softhsm2 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The gateway's audit checkpoint volume and the shared document store: owned by the user the
# services run as (a new named volume takes the owner of the directory it is mounted on).
RUN mkdir -p /var/lib/ecert/audit-checkpoints /var/lib/ecert/documents \
 && chown node:node /var/lib/ecert/audit-checkpoints /var/lib/ecert/documents
USER node
CMD ["node", "dist/apps/gateway/src/main.js"]
