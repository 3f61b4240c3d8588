# Builds the studio for docker-compose.yml: a release build by cargo-leptos, then a slim runtime image.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown \
 && cargo install --locked cargo-leptos@0.3.11 \
 && cargo install wasm-bindgen-cli@0.2.130
WORKDIR /src
COPY package.json package-lock.json ./
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund
COPY . .
ENV CARGO_TARGET_DIR=/src/target
RUN PATH="/src/node_modules/.bin:$PATH" cargo leptos build --release

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/release/atelier /app/atelier
COPY --from=build /src/target/release/hash.txt /app/hash.txt
COPY --from=build /src/target/site /app/site
ENV LEPTOS_SITE_ROOT=/app/site
EXPOSE 3000
CMD ["/app/atelier", "serve"]
