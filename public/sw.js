// Atelier service worker: offline app shell and cache-first static assets.
// Bump VERSION whenever a precached file or an icon changes: the new worker then
// deletes every cache of the old version on activation.
const VERSION = 'v1';
const SHELL_CACHE = `atelier-shell-${VERSION}`;
const ASSET_CACHE = `atelier-assets-${VERSION}`;
const OFFLINE_URL = '/offline.html';

const PRECACHE = [
  OFFLINE_URL,
  '/manifest.webmanifest',
  '/favicon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-192.png',
  '/icons/icon-maskable-512.png',
  '/icons/apple-touch-icon.png',
];

// File names under /pkg/ are content-hashed by the build, so a cached copy never goes stale.
const ASSET_PREFIXES = ['/pkg/', '/icons/', '/fonts/'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      // `reload` so a fresh install never precaches a stale copy from the HTTP cache.
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  const current = [SHELL_CACHE, ASSET_CACHE];
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith('atelier-') && !current.includes(name))
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

// Pages are cached with the signed-in user's content in them; the app posts this on sign-out
// so the next person on a shared device cannot read them offline.
self.addEventListener('message', (event) => {
  if (event.data === 'atelier:clear-pages') {
    event.waitUntil(forgetVisitedPages());
  }
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;

  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Server functions and the SSE stream must always reach the server, and the
  // probes must report the server's real state.
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return;
  if (url.pathname === '/healthz' || url.pathname === '/readyz') return;
  if ((request.headers.get('Accept') || '').includes('text/event-stream')) return;

  if (request.mode === 'navigate') {
    event.respondWith(networkFirstPage(event));
  } else if (ASSET_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(cacheFirst(event));
  } else if (PRECACHE.includes(url.pathname)) {
    // Not content-hashed: prefer the network so edits show up, the cache keeps the offline page whole.
    event.respondWith(networkFirst(event));
  }
  // Anything else goes to the network untouched.
});

async function networkFirstPage(event) {
  const { request } = event;
  try {
    const response = await fetch(request);
    // Redirects (e.g. to the sign-in page) arrive as opaque redirects and are not `ok`.
    if (cacheable(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.put(request.url, copy)));
    }
    return response;
  } catch {
    const shell = await caches.open(SHELL_CACHE);
    return (await shell.match(request.url)) || (await shell.match(OFFLINE_URL)) || Response.error();
  }
}

async function cacheFirst(event) {
  const { request } = event;
  // Searches every cache, so icons precached in the shell cache are found too.
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (cacheable(response)) {
    const copy = response.clone();
    event.waitUntil(caches.open(ASSET_CACHE).then((cache) => cache.put(request, copy)));
  }
  return response;
}

async function networkFirst(event) {
  const { request } = event;
  try {
    const response = await fetch(request);
    if (cacheable(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch {
    return (await caches.match(request)) || Response.error();
  }
}

// Only complete same-origin responses: 206 partials cannot be stored and errors must not stick.
function cacheable(response) {
  return response.status === 200 && response.type === 'basic';
}

async function forgetVisitedPages() {
  const shell = await caches.open(SHELL_CACHE);
  const keep = new Set(PRECACHE.map((path) => new URL(path, self.location.origin).href));
  const requests = await shell.keys();
  await Promise.all(requests.filter((r) => !keep.has(r.url)).map((r) => shell.delete(r)));
}
