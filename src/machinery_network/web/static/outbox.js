// The outbox of the phone forms that work without a connection (the care report, the machine return).
// A post made with no connection is kept in the browser's IndexedDB, its fields and photos (as blobs)
// unchanged, and sent again when the phone is online: by the page (on load, on the "online" event, by
// the "Jetzt senden" button) and by the service worker (Background Sync, where the browser has it).
// Every post carries its idempotency key (field idempotency_key and header Idempotency-Key), so a post
// sent twice — by the page and the service worker at once, or again after a lost answer — is recorded
// once: the server answers the second with the first one's record.
// Loaded by the pages (before app.js) and by the service worker (importScripts); it touches no document.
var mnOutbox = (function () {
  "use strict";
  var DB = "mn-outbox";
  var STORE = "posts";
  var SYNC_TAG = "mn-outbox";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, {keyPath: "id", autoIncrement: true});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Runs work(store) in one transaction; resolves with what work's last request gave once it commits.
  function inStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result;
        var request = work(transaction.objectStore(STORE));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        transaction.oncomplete = function () { db.close(); resolve(result); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function all() {
    return inStore("readonly", function (store) { return store.getAll(); }).then(function (rows) { return rows || []; });
  }

  function remove(id) {
    return inStore("readwrite", function (store) { return store.delete(id); });
  }

  function put(entry) {
    return inStore("readwrite", function (store) { return store.put(entry); });
  }

  // The page a post belongs to: the care page for a report, the booking's machine page for a return.
  function pageOf(url) {
    var path = new URL(url, self.location.href).pathname;
    var machine = path.match(/^(\/machine\/bookings\/\d+)\//);
    return machine ? machine[1] : "/care";
  }

  // Keeps a post (the FormData the form would send) for later; resolves with the stored entry.
  function add(url, data) {
    var fields = [];
    var key = "";
    data.forEach(function (value, name) {
      if (typeof value !== "string" && value.size === 0 && !value.name) { return; }  // no file chosen
      if (name === "idempotency_key") { key = value; }
      fields.push([name, value]);
    });
    var entry = {url: new URL(url, self.location.href).href, page: pageOf(url), fields: fields, key: key,
                 created: Date.now(), state: "waiting", reason: ""};
    return inStore("readwrite", function (store) { return store.add(entry); }).then(function (id) {
      entry.id = id;
      return entry;
    });
  }

  // Asks the browser to send the outbox when the connection is back (Background Sync), where it can.
  function registerSync() {
    var container = self.navigator && self.navigator.serviceWorker;
    var ready = self.registration ? Promise.resolve(self.registration) : (container ? container.ready : null);
    if (!ready) { return Promise.resolve(false); }
    return ready.then(function (registration) {
      return registration.sync ? registration.sync.register(SYNC_TAG).then(function () { return true; }) : false;
    }).catch(function () { return false; });
  }

  function bodyOf(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) {
      if (typeof pair[1] === "string") { body.append(pair[0], pair[1]); } else { body.append(pair[0], pair[1], pair[1].name || "foto.jpg"); }
    });
    return body;
  }

  function text(html) {
    return html.replace(/<[^>]*>/g, " ").replace(/&nbsp;/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
      .replace(/&quot;/g, "\"").replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
  }

  // The German reason of a refused post: the page's error summary (or the error page's message).
  function reasonOf(html) {
    var summary = html.match(/<div class="alert error error-summary"[\s\S]*?<\/div>/);
    if (summary) {
      var title = summary[0].match(/<h2[^>]*>([\s\S]*?)<\/h2>/);
      var items = (summary[0].match(/<li>[\s\S]*?<\/li>/g) || []).map(text);
      return [title ? text(title[1]) : ""].concat(items).filter(Boolean).join(" ");
    }
    var alert = html.match(/<p class="alert error">([\s\S]*?)<\/p>/);
    return alert ? text(alert[1]) : "";
  }

  function post(entry) {
    return fetch(entry.url, {method: "POST", body: bodyOf(entry), credentials: "same-origin", redirect: "follow",
                             headers: entry.key ? {"Idempotency-Key": entry.key} : {}});
  }

  // A form shown long ago may carry a CSRF token the server no longer takes: take a fresh one from the page.
  function freshToken(entry) {
    return fetch(entry.page, {credentials: "same-origin"}).then(function (response) { return response.text(); })
      .then(function (html) {
        var match = html.match(/name="_csrf_token" value="([^"]+)"/);
        if (!match) { return false; }
        entry.fields = entry.fields.map(function (pair) { return pair[0] === "_csrf_token" ? [pair[0], match[1]] : pair; });
        return put(entry).then(function () { return true; });
      });
  }

  // Sends one post: "sent", "refused" (with entry.reason), "login" (the session ended), or "later"
  // (no connection, or the server could not take it now).
  function send(entry, retried) {
    return post(entry).then(function (response) {
      if (new URL(response.url).pathname === "/login" || response.status === 401) { return "login"; }
      if (response.ok) { return "sent"; }
      if (response.status >= 500 || response.status === 408 || response.status === 429) { return "later"; }
      return response.text().then(function (html) {
        if (response.status === 403 && !retried) {  // an expired form's token, perhaps: once with a fresh one
          return freshToken(entry).then(function (ok) { return ok ? send(entry, true) : "refused"; });
        }
        entry.reason = reasonOf(html) || String(response.status);
        return "refused";
      });
    }, function () { return "later"; });
  }

  var running = null;

  // Sends every waiting post, oldest first, until one finds no connection. Resolves with
  // {sent, refused, login, waiting}. One run at a time per page or worker.
  function replay() {
    if (running) { return running; }
    var summary = {sent: 0, refused: 0, login: false, waiting: 0};
    running = all().then(function (entries) {
      var waiting = entries.filter(function (entry) { return entry.state === "waiting"; });
      return waiting.reduce(function (chain, entry) {
        return chain.then(function (stop) {
          if (stop) { return true; }
          return send(entry, false).then(function (outcome) {
            if (outcome === "sent") { summary.sent += 1; return remove(entry.id).then(function () { return false; }); }
            if (outcome === "refused") {
              summary.refused += 1;
              entry.state = "refused";
              return put(entry).then(function () { return false; });
            }
            summary.login = outcome === "login";
            return true;
          });
        });
      }, Promise.resolve(false));
    }).then(all).then(function (entries) {
      summary.waiting = entries.filter(function (entry) { return entry.state === "waiting"; }).length;
      return summary;
    });
    running.then(function () { running = null; }, function () { running = null; });
    return running;
  }

  return {add: add, all: all, remove: remove, replay: replay, registerSync: registerSync, pageOf: pageOf,
          reasonOf: reasonOf, SYNC_TAG: SYNC_TAG};
})();
