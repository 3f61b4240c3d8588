# Shared by scripts/start, scripts/test and scripts/bench: one place that knows where the tools and
# the build cache live. Source it; it only sets variables and defines functions.

ATELIER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ATELIER_ROOT"

# The build cache lives outside the checkout so fresh clones (and CI) build incrementally.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/atelier/target}"
# cargo-leptos builds with these; tests and checks use the same so every build shares one cache.
export RUSTFLAGS="--cfg erase_components"
export LEPTOS_OUTPUT_NAME="atelier"
# Server function URLs carry a hash of the crate's directory unless given a fixed key; the browser and
# server builds of two checkouts sharing this cache must agree on them.
export SERVER_FN_OVERRIDE_KEY="atelier"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PATH="$ATELIER_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Prebuilt cargo-leptos, wasm-bindgen and s3s-fs, when this checkout sits beside the team's shared/.
if [ -d "$ATELIER_ROOT/../shared/tools/bin" ]; then
  export PATH="$(cd "$ATELIER_ROOT/../shared/tools/bin" && pwd):$PATH"
fi

WASM_BINDGEN_VERSION="0.2.130"
CARGO_LEPTOS_VERSION="0.3.11"

say() { printf '\033[1;35m==>\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root; run it yourself or install the package by hand" >&2; return 1
  fi
}

apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "error: please install: $* (no apt-get on this machine)" >&2
    return 1
  fi
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Rust's wasm target, cargo-leptos, wasm-bindgen of the pinned version, and the npm build tools.
ensure_build_tools() {
  if ! command -v cargo >/dev/null; then
    echo "error: Rust is not installed: see https://rustup.rs" >&2
    return 1
  fi
  if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! command -v cargo-leptos >/dev/null; then
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (one-off, several minutes)"
    cargo install --locked "cargo-leptos@$CARGO_LEPTOS_VERSION"
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (one-off)"
    cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  fi
  if ! command -v node >/dev/null; then
    say "Installing Node.js"
    apt_install nodejs npm
  fi
  if [ ! -x node_modules/.bin/tailwindcss ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing npm packages"
    # `npm ci` refuses lockfiles without every platform's optional packages, which npm 11 writes.
    npm install --no-audit --no-fund --loglevel=error
  fi
}

# PostgreSQL server binaries (the tests start throwaway clusters), Chromium (Playwright).
ensure_test_services() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${ATELIER_PG_BIN:-}" ]; then
    say "Installing PostgreSQL"
    apt_install postgresql
  fi
  if [ -z "${ATELIER_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
    say "Installing Chromium"
    apt_install chromium
  fi
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
