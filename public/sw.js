/*
 * App-shell service worker (production builds only, registered by src/app/main.tsx): keeps the
 * page, its scripts, styles and the wasm binaries so that a second visit works offline. Network
 * first, cache as fallback, same-origin GET requests only. Model packs are not handled here: the
 * inference worker verifies and caches them itself (Cache Storage 'drit-model-packs-v1').
 */
const CACHE = 'drit-app-shell-v1';

function isPack(url) {
  return /\/(models|e2e-packs)\//.test(url.pathname) && !url.pathname.endsWith('/index.json');
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const scope = self.registration.scope;
      let files = [];
      try {
        const res = await fetch(new URL('precache.json', scope), { cache: 'no-store' });
        if (res.ok) files = await res.json();
      } catch {
        // offline during install: nothing to add
      }
      const urls = ['./', 'models/index.json', ...files].map((f) => new URL(f, scope).href);
      await Promise.all(
        urls.map(async (u) => {
          try {
            const res = await fetch(u, { cache: 'no-store' });
            if (res.ok) await cache.put(u, res);
          } catch {
            // best effort
          }
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('drit-app-shell-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || isPack(url) || url.pathname.startsWith('/__local-packs/')) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok && res.type === 'basic') await cache.put(req, res.clone());
        return res;
      } catch (err) {
        const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate', ignoreVary: true });
        if (hit) return hit;
        if (req.mode === 'navigate') {
          const shell = await cache.match(new URL('./', self.registration.scope).href, { ignoreVary: true });
          if (shell) return shell;
        }
        throw err;
      }
    })(),
  );
});
