// The add-ons page: installed add-ons (state, memory, log), stores and their key fingerprints,
// the catalog with permissions in plain words, one-click install with progress.
// Everything from a store or an add-on is put on the page as text, never as markup.
"use strict";

let csrf = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const res = await fetch("/api/v1" + path, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) throw new Error(data && data.error ? data.error : "HTTP " + res.status);
  return data;
}

function say(text, isError) {
  const m = document.getElementById("message");
  m.textContent = text;
  m.className = isError ? "error" : "";
}

function size(bytes) {
  return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.round(bytes / 1024) + " KB";
}

async function loadInstalled() {
  const list = await api("GET", "/addons");
  const box = document.getElementById("installed");
  if (!list.length) { box.replaceChildren(el("p", { class: "muted", text: "No add-ons installed yet." })); return; }
  box.replaceChildren(...list.map(a => el("div", { class: "card installed", dataset: { installed: a.id } },
    el("div", { class: "body" },
      el("h3", {}, el("a", { class: "open", href: "/apps/" + encodeURIComponent(a.id) + "/", text: a.name }), " ",
        el("span", { class: "version", text: a.version })),
      el("p", {}, "State: ", el("span", { class: "state " + a.state, text: a.state }),
        a.pid ? " · pid " + a.pid : "", " · memory ", el("span", { class: "rss", text: a.rssMb + " MB" }), " of heap cap " + a.memoryMb + " MB"),
      el("p", { class: "isolation muted", text: a.isolation }),
      a.lastError ? el("p", { class: "failed-msg last-error", text: a.lastError }) : null,
      a.note ? el("p", { class: "note", text: a.note }) : null,
      el("ul", { class: "perms" }, a.permissions.map(p => el("li", { text: p }))),
      a.alerts.length ? el("ul", { class: "alerts error" }, a.alerts.map(p => el("li", { text: p }))) : null,
      el("details", {}, el("summary", { text: "Recent log" }), el("pre", { class: "log", text: a.log.join("\n") })),
      el("button", { class: "uninstall", onclick: () => uninstall(a.id, a.name) }, "Uninstall"),
      " ",
      a.state === "running" ? el("button", { class: "stop", onclick: () => api("POST", "/addons/" + encodeURIComponent(a.id) + "/stop").then(refresh) }, "Stop") : null))));
}

async function uninstall(id, name) {
  try {
    await api("POST", "/addons/" + encodeURIComponent(id) + "/uninstall");
    say("Uninstalled " + name + ".");
  } catch (e) { say(e.message, true); }
  refresh();
}

async function loadCatalog() {
  const stores = await api("GET", "/addons/catalog");
  const sbox = document.getElementById("stores"), cbox = document.getElementById("catalog");
  sbox.replaceChildren(...stores.map(s => el("div", { class: "card store", dataset: { store: s.url } },
    el("div", { class: "body" },
      el("h3", { text: s.name + " — " + s.url }),
      el("p", {}, "Publisher key fingerprint (SHA-256): ", el("span", { class: "fingerprint", text: s.fingerprint })),
      s.error ? el("p", { class: "error", text: s.error }) : null,
      s.trusted ? el("p", { class: "trusted", text: "Trusted: add-ons signed with this key may be installed." })
        : el("p", {}, "Not trusted yet. Compare the fingerprint with the one the publisher gives you, then ",
            el("button", { class: "trust", onclick: () => trust(s.url, s.fingerprint) }, "Trust this key"))))));
  const cards = [];
  for (const s of stores) {
    for (const p of s.packages) cards.push(catalogCard(s, p));
  }
  cbox.replaceChildren(...(cards.length ? cards : [el("p", { class: "muted", text: "Add a store and trust its key to see its add-ons." })]));
}

function catalogCard(store, p) {
  const perms = p.permissions;
  const boxes = [];
  const item = (label, key, value) => {
    const cb = el("input", { type: "checkbox", checked: true, dataset: { key, value: value || "" } });
    boxes.push(cb);
    return el("li", {}, el("label", {}, cb, " ", label));
  };
  const rooms = perms.rooms.length ? perms.rooms.join(", ") : "every room";
  const list = el("ul", { class: "perms" },
    perms.readChannels.map(c => item("May read: " + c.replace(/_/g, " ") + " in " + rooms, "read", c)),
    perms.raiseAlerts ? item("May raise alerts", "raiseAlerts") : null,
    perms.publishReadings ? item("May publish derived readings", "publishReadings") : null,
    perms.network ? item("May connect to other computers (your network and the internet)", "network") : null);
  const grant = () => {
    const g = { readChannels: [], rooms: perms.rooms, raiseAlerts: false, publishReadings: false, network: false };
    for (const cb of boxes) {
      if (!cb.checked) continue;
      if (cb.dataset.key === "read") g.readChannels.push(cb.dataset.value); else g[cb.dataset.key] = true;
    }
    return g;
  };
  let action;
  if (!store.trusted) action = el("span", { class: "muted", text: "Trust the store's key to install." });
  else if (p.installed === p.version) action = el("span", { class: "installed-tag", text: "Installed " + p.installed });
  else action = el("button", { class: p.installed ? "update" : "install", onclick: () => install(store.url, p, grant()) },
    p.installed ? "Update to " + p.version : "Install");
  return el("div", { class: "card package", dataset: { addon: p.id } },
    el("img", { alt: "", src: "/api/v1/addons/icon?store=" + encodeURIComponent(store.url) + "&id=" + encodeURIComponent(p.id) }),
    el("div", { class: "body" },
      el("h3", { text: p.name + " " + p.version }),
      el("p", { class: "summary", text: p.description }),
      el("p", { class: "muted" }, "By " + p.publisher + " · ", el("span", { class: "size", text: size(p.size) }), " download · up to " + p.memoryMb + " MB memory"),
      el("p", { text: "It asks for (untick what you do not grant):" }),
      list,
      action));
}

async function trust(url, fingerprint) {
  try {
    await api("POST", "/addons/stores/accept", { url, fingerprint });
    say("Trusted the key of " + url + ".");
  } catch (e) { say(e.message, true); }
  refresh();
}

async function install(store, p, grant) {
  const box = document.getElementById("job"), bar = document.getElementById("job-progress"), msg = document.getElementById("job-message");
  box.hidden = false;
  msg.className = "";
  try {
    let job = await api("POST", "/addons/install", { store, id: p.id, version: p.version, grant });
    while (!job.finished) {
      bar.max = job.total || 1;
      bar.value = job.received;
      msg.textContent = job.phase.toLowerCase().replace("_", " ") + ": " + job.message + (job.total ? " (" + size(job.received) + " of " + size(job.total) + ")" : "");
      await new Promise(r => setTimeout(r, 250));
      job = await api("GET", "/addons/jobs/" + job.id);
    }
    bar.value = bar.max;
    msg.textContent = job.message;
    msg.className = job.phase === "DONE" ? "done" : "error";
  } catch (e) {
    msg.textContent = e.message;
    msg.className = "error";
  }
  refresh();
}

async function refresh() {
  try {
    await Promise.all([loadInstalled(), loadCatalog()]);
  } catch (e) { say(e.message, true); }
}

document.getElementById("add-store-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  try {
    const s = await api("POST", "/addons/stores", { url: document.getElementById("store-url").value });
    say("Added " + s.url + ". Check its fingerprint before trusting it.");
  } catch (e) { say(e.message, true); }
  refresh();
});

(async () => {
  try {
    const s = await api("GET", "/session");
    csrf = s && s.csrfToken;
  } catch (_) { /* not logged in: the calls below say so */ }
  await refresh();
  setInterval(() => loadInstalled().catch(() => {}), 3000);
})();
