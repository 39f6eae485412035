// The service worker of the installable web app: keeps the app shell (styles, scripts, icons and an
// offline page) so the app opens without a connection. Pages always come from the network first.
// Generated per release: VERSION changes whenever a static file does, and the old cache is dropped.
const VERSION = "{{ version }}";
const CACHE = "mn-shell-" + VERSION;
const SHELL = {{ shell | tojson }};
const OFFLINE = "/offline";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...SHELL, OFFLINE])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("mn-shell-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;  // form posts and foreign requests go to the network untouched
  }
  if (request.mode === "navigate") {  // a page: the network, else the offline page
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (new URL(request.url).pathname.startsWith("/static/")) {  // hashed URLs never change: cache first
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
