FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY examples ./examples
ENV NODE_ENV=production
ENTRYPOINT ["node", "bin/fleet.mjs"]
