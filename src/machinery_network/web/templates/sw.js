// The service worker of the installable web app: keeps the app shell (styles, scripts, icons and an
// offline page) so the app opens without a connection. Pages always come from the network first.
// Generated per release: VERSION changes whenever a static file does, and the old cache is dropped.
//
// The phone forms for the field (the care report, the machine return) also work with no connection:
// their pages are kept from the last visit (PAGES), and a post of theirs that finds no network is kept in
// the outbox (static/outbox.js, IndexedDB) and sent when the phone is online again (Background Sync here,
// else by the page on load and on the "online" event). The page itself keeps a post when the browser
// knows it is offline; this worker catches the post that fails on the way (a connection that drops).
const VERSION = "{{ version }}";
const CACHE = "mn-shell-" + VERSION;
const PAGES = "mn-pages";
const SHELL = {{ shell | tojson }};
const OFFLINE = "/offline";
// The pages kept for use without a connection, and the posts of theirs that go to the outbox.
const OFFLINE_PAGES = /^\/(care|machine\/bookings\/\d+)$/;
const OUTBOX_POSTS = /^\/(care\/report|machine\/bookings\/\d+\/checkin)$/;

importScripts({{ outbox | tojson }});

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

// Tells the open pages what a replay did (app.js shows it).
function tell(summary) {
  return self.clients.matchAll({type: "window"}).then((clients) => {
    clients.forEach((client) => client.postMessage({type: "mn-outbox", summary: summary}));
  });
}

self.addEventListener("sync", (event) => {
  if (event.tag === mnOutbox.SYNC_TAG) {
    event.waitUntil(mnOutbox.replay().then((summary) => {
      if (summary.waiting && !summary.login) { throw new Error("still offline"); }  // the browser tries again later
      return tell(summary);
    }));
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "mn-outbox-replay") {
    event.waitUntil(mnOutbox.replay().then(tell));
  }
});

// A page of the field forms: from the network (kept for later when it is a plain visit), else the kept one.
function fieldPage(event, url) {
  return fetch(event.request).then((response) => {
    if (response.ok && !response.redirected && !url.search && response.type === "basic") {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGES).then((cache) => cache.put(url.href, copy)));
    }
    return response;
  }).catch(() => caches.open(PAGES)
    .then((cache) => cache.match(url.origin + url.pathname))
    .then((kept) => kept || caches.match(OFFLINE)));
}

// A field form's post: to the network; if that fails, into the outbox and back to the form's page.
function keepPost(event, url) {
  const copy = event.request.clone();
  return fetch(event.request).catch(() => copy.formData()
    .then((data) => mnOutbox.add(url.href, data))
    .then((entry) => mnOutbox.registerSync().then(() => Response.redirect(entry.page + "?queued=1", 303))));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;  // foreign requests go to the network untouched
  }
  if (request.method === "POST") {
    if (request.mode === "navigate" && OUTBOX_POSTS.test(url.pathname)) {
      event.respondWith(keepPost(event, url));
    } else if (url.pathname === "/logout" || url.pathname === "/login") {
      event.waitUntil(caches.delete(PAGES));  // another person may use the phone next: no pages of this one
    }
    return;  // other form posts go to the network untouched
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    if (OFFLINE_PAGES.test(url.pathname)) {
      event.respondWith(fieldPage(event, url));
    } else {  // a page: the network, else the offline page
      event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    }
    return;
  }
  if (url.pathname.startsWith("/static/")) {  // hashed URLs never change: cache first (a kept page may name an older one)
    event.respondWith(caches.match(request)
      .then((hit) => hit || fetch(request).catch(() => caches.match(request, {ignoreSearch: true}))));
  }
});
