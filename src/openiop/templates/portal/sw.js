/* OpenIOP portal service worker. Keeps one page of the participant's records, their safety
   plan, on a device where they chose to keep it, so that it opens without a network; plus our
   own stylesheet and scripts. Every other page always comes from the network. */
"use strict";
const CACHE = "{{ cache_name|escapejs }}";
const PLAN = "{{ plan_url|escapejs }}";
const ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => { self.skipWaiting(); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });

async function keepPlan() {
  const response = await fetch(PLAN, { credentials: "same-origin", redirect: "error" });
  if (!response.ok) { return; }
  const cache = await caches.open(CACHE);
  await cache.put(PLAN, response);
  await cache.addAll(ASSETS);
}

self.addEventListener("message", (event) => {
  const kind = event.data && event.data.type;
  if (kind === "keep-plan") { event.waitUntil(keepPlan()); }
  if (kind === "forget-plan") { event.waitUntil(caches.delete(CACHE)); }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() => caches.match(url.pathname)));
    return;
  }
  if (request.mode === "navigate") {
    // Online: the network, always. Offline: the kept safety plan, whatever page was asked.
    event.respondWith(
      fetch(request).catch(async () => (await caches.match(PLAN)) || Response.error())
    );
  }
});
