/*
 * App-shell service worker (production builds only, registered by src/app/main.tsx): keeps the
 * page, its scripts, styles, wasm binaries and the example photo so that a second visit works
 * offline. Network first, cache as fallback, same-origin GET requests only. Model packs are not
 * handled here: the inference worker verifies and caches them itself (Cache Storage
 * 'drit-model-packs-v1').
 *
 * The build (vite.config.ts, serviceWorker plugin) emits this file as sw.js with two constants in
 * front of it: BUILD_ID, a hash of every emitted file's content, and PRECACHE, the emitted files.
 * A new deploy therefore changes sw.js, the browser installs the new worker, which precaches the
 * new build into its own cache ('drit-app-shell-<BUILD_ID>') and, once active, deletes every older
 * app-shell cache. Precaching is all or nothing: if one file cannot be fetched the install fails
 * (the previous worker and its complete cache stay), and the page is told.
 */
/* global BUILD_ID, PRECACHE */
const CACHE = `drit-app-shell-${BUILD_ID}`;

function isPack(url) {
  return /\/(models|e2e-packs)\//.test(url.pathname) && !url.pathname.endsWith('/index.json');
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const scope = self.registration.scope;
      const urls = ['./', 'models/index.json', ...PRECACHE].map((f) => new URL(f, scope).href);
      try {
        const cache = await caches.open(CACHE);
        // addAll rejects if any response fails: a partial shell would break "works offline" silently
        await cache.addAll(urls.map((u) => new Request(u, { cache: 'reload' })));
      } catch (e) {
        await caches.delete(CACHE);
        console.error(`[sw] precaching build ${BUILD_ID} failed; the previous version stays:`, e);
        for (const client of await self.clients.matchAll({ includeUncontrolled: true })) {
          client.postMessage({ type: 'sw-precache-failed', build: BUILD_ID, reason: String(e) });
        }
        throw e;
      }
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
