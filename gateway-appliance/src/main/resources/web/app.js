// Lichen gateway UI. Every string that came from a device or a person is put on the page with
// textContent (through el()), never as markup: a device named <img src=x onerror=alert(1)> shows as text.
"use strict";

const API = "/api/v1";
const RANGES = { hour: 3600e3, day: 86400e3, week: 7 * 86400e3, month: 30 * 86400e3 };
/** A device silent for this long is shown offline even if it never said goodbye (CoAP has no last will). */
const STALE_MS = 30 * 60e3;

let session = null;        // {username, role, csrfToken}
let live = null;           // EventSource
const tiles = new Map();   // "device/channel" -> tile parts, on the dashboard only
const outputTiles = new Map(); // "device/output" -> output tile parts, on the dashboard only
/** The device's own bookkeeping (command acknowledgements, its list of outputs): never a tile or a chart. */
const RESERVED = new Set(["ack", "outputs", "identity"]);
const shownChannels = chs => chs.filter(c => !RESERVED.has(c.name));
let devicesById = new Map();
let activeAlerts = [];
let view = null;           // the current view's name, to refresh it on live events

// ---- helpers -------------------------------------------------------------------------------

/** Creates an element; strings and numbers among children become text nodes, never markup. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const main = () => document.getElementById("main");
function show(...nodes) { main().replaceChildren(...nodes.flat(Infinity).filter(n => n !== null && n !== undefined && n !== false)); }
const isAdmin = () => session && session.role === "admin";

class ApiError extends Error {
  constructor(status, body) { super(body && body.error ? body.error : "HTTP " + status); this.status = status; this.field = body && body.field; }
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && session && session.csrfToken) headers["X-CSRF-Token"] = session.csrfToken;
  const res = await fetch(API + path, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (_) { /* empty or not JSON */ }
  if (!res.ok) {
    if (res.status === 401 && session && path !== "/session") { session = null; stopLive(); location.hash = "#/login"; }
    throw new ApiError(res.status, data);
  }
  return data;
}

/** A channel name in a URL path: its slashes stay slashes (the route takes them), the rest is encoded. */
function channelPath(name) { return name.split("/").map(encodeURIComponent).join("/"); }

function fmtNum(v) {
  if (v === null || v === undefined) return "–";
  const a = Math.abs(v);
  return v.toLocaleString(undefined, { maximumFractionDigits: a >= 100 ? 0 : a >= 10 ? 1 : 2 });
}
function fmtTime(ms) { return ms ? new Date(ms).toLocaleString() : "never"; }
function ago(ms) {
  if (!ms) return "never";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}
// the link the device's last pack came over, as a person reads it
const LINKS = { coap: "CoAP, unencrypted", coaps: "CoAPS (DTLS)", mqtt: "MQTT, unencrypted", mqtts: "MQTT over TLS" };
function unencryptedTag(d) {
  if (d.encrypted !== false) return null;
  return el("span", { class: "tag unencrypted", title: "This device sends in the clear (" + LINKS[d.link] + "): anyone on the network can read it. Give it the gateway's CA and use CoAPS or MQTT over TLS.", text: "unencrypted" });
}

function isOffline(d) { return !d.online || (d.lastSeen && Date.now() - d.lastSeen > STALE_MS); }
function deviceLabel(d) { return d.name || d.id; }

/** A form whose submit runs fn(values); errors show in the form, next to nothing else. */
function form(fields, submitText, fn, cls) {
  const err = el("p", { class: "error", role: "alert" });
  const inputs = {};
  const f = el("form", { class: cls || "stack", novalidate: true });
  for (const fd of fields) {
    const id = "f-" + fd.name + "-" + Math.random().toString(36).slice(2, 7);
    let input;
    if (fd.options) {
      input = el("select", { id, name: fd.name }, fd.options.map(o => el("option", { value: o.value, text: o.label })));
    } else {
      input = el("input", { id, name: fd.name, type: fd.type || "text", autocomplete: fd.autocomplete || "off",
        placeholder: fd.placeholder, value: fd.value, step: fd.step, required: fd.required !== false });
    }
    inputs[fd.name] = input;
    f.append(el("div", {}, el("label", { for: id, text: fd.label }), input));
  }
  const btn = el("button", { type: "submit", text: submitText });
  f.append(btn, err);
  f.addEventListener("submit", async ev => {
    ev.preventDefault();
    err.textContent = "";
    const values = {};
    for (const [k, i] of Object.entries(inputs)) values[k] = i.value;
    btn.disabled = true;
    try { await fn(values, f); } catch (e) { err.textContent = e.message; } finally { btn.disabled = false; }
  });
  f.inputs = inputs;
  return f;
}

// ---- sign-in -------------------------------------------------------------------------------

// what GET /setup said: whether setup is needed, and the gateway CA a person checks before typing a password
let setupInfo = null;

// the gateway CA's fingerprint, to compare with the one the gateway printed at start
function certificateCheck(info) {
  if (!info || !info.caFingerprint) return null;
  if (!info.https || location.protocol !== "https:") {
    // on this computer itself nothing crosses a network
    if (["localhost", "127.0.0.1", "[::1]"].includes(location.hostname)) return null;
    return el("p", { class: "error", role: "alert", id: "plain-http-warning",
      text: "This page came over plain http: the password you choose crosses the network in the clear. Start the gateway without --plain-http, or reach it through a proxy that does TLS." });
  }
  return el("div", { class: "certificate" },
    el("p", { text: "Your browser is talking to the gateway over https, with a certificate from the gateway's own authority. Before you choose a password, check that its SHA-256 fingerprint is the one the gateway printed when it started:" }),
    el("code", { id: "ca-fingerprint", text: info.caFingerprint }),
    el("p", { class: "muted" }, "To stop the browser's warning, ",
      el("a", { href: "/ca.crt", download: "lichen-gateway-ca.crt", text: "download the gateway's certificate" }),
      " and add it to the trusted authorities of this device."));
}

async function setupView() {
  if (!setupInfo) { try { setupInfo = await api("GET", "/setup"); } catch (e) { setupInfo = null; } }
  show(el("div", { class: "card narrow" },
    el("h1", { text: "Welcome to Lichen" }),
    certificateCheck(setupInfo),
    el("p", { class: "muted", text: "Create the administrator account. There is no default password: choose one of at least 10 characters." }),
    form([
      { name: "username", label: "Username", autocomplete: "username" },
      { name: "password", label: "Password", type: "password", autocomplete: "new-password" },
      { name: "confirm", label: "Repeat password", type: "password", autocomplete: "new-password" },
    ], "Create admin account", async v => {
      if (v.password !== v.confirm) throw new Error("the passwords differ");
      session = await api("POST", "/setup", { username: v.username, password: v.password });
      signedIn();
    })));
}

function loginView() {
  show(el("div", { class: "card narrow" },
    el("h1", { text: "Log in to Lichen" }),
    form([
      { name: "username", label: "Username", autocomplete: "username" },
      { name: "password", label: "Password", type: "password", autocomplete: "current-password" },
    ], "Log in", async v => {
      session = await api("POST", "/session", { username: v.username, password: v.password });
      signedIn();
    })));
}

function signedIn() {
  document.getElementById("bar").hidden = false;
  document.getElementById("who-name").textContent = session.username;
  document.getElementById("who-role").textContent = "(" + session.role + ")";
  document.getElementById("nav-users").hidden = !isAdmin();
  document.getElementById("nav-security").hidden = !isAdmin();
  startLive();
  if (location.hash === "" || location.hash === "#/login" || location.hash === "#/setup") location.hash = "#/";
  else route();
}

async function logout() {
  try { await api("DELETE", "/session"); } catch (_) { /* already gone */ }
  session = null;
  stopLive();
  document.getElementById("bar").hidden = true;
  location.hash = "#/login";
}

// ---- live updates --------------------------------------------------------------------------

function startLive() {
  stopLive();
  live = new EventSource(API + "/live");
  const state = document.getElementById("live-state");
  live.addEventListener("hello", () => { state.hidden = true; document.body.dataset.live = "up"; });
  live.onerror = () => { state.hidden = false; document.body.dataset.live = "down"; };
  live.addEventListener("readings", ev => onReadings(JSON.parse(ev.data)));
  live.addEventListener("device", ev => onDevice(JSON.parse(ev.data)));
  live.addEventListener("command", ev => onCommand(JSON.parse(ev.data)));
  live.addEventListener("alert", () => { refreshAlerts(); if (view === "alerts") alertsView(); });
  live.addEventListener("automation", ev => onAutomation(JSON.parse(ev.data)));
}
function stopLive() { if (live) { live.close(); live = null; } }

/** A raw history chart on screen takes the device's new readings as they come. */
function appendToChart(msg) {
  if (view !== "device" || !shown || !chart || shown.deviceId !== msg.deviceId) return;
  let added = 0;
  for (const r of msg.readings) {
    if (r.channel !== shown.channel || r.value === null) continue;
    shown.data[0].push(r.time / 1000);
    shown.data[1].push(r.value);
    added++;
  }
  if (!added) return;
  chart.setData(shown.data);
  shown.box.dataset.points = String(shown.data[0].length);
}

function onReadings(msg) {
  appendToChart(msg);
  for (const r of msg.readings) {
    const ot = outputTiles.get(msg.deviceId + "/" + r.channel);
    if (ot) confirmOutput(ot, r);
    if (r.channel === "outputs") outputsAnnounced(msg.deviceId, r.text);
    if (ot || r.channel === "outputs" || r.channel === "ack") outputsChanged(msg.deviceId);
    const t = tiles.get(msg.deviceId + "/" + r.channel);
    if (!t) continue;
    t.val.textContent = r.value !== null ? fmtNum(r.value) : (r.text || "–");
    t.when.textContent = fmtTime(r.time);
    t.tile.dataset.value = r.value !== null ? String(r.value) : (r.text || "");
    t.tile.classList.remove("offline", "flash");
    void t.tile.offsetWidth; // restart the flash animation
    t.tile.classList.add("flash");
    t.tag.hidden = true;
    if (r.value !== null) { t.points.push([r.time, r.value]); sparkLater(t); }
  }
}

function onDevice(d) {
  const known = devicesById.get(d.id);
  devicesById.set(d.id, Object.assign(known || {}, d));
  updateNewCount();
  if (view === "devices") devicesView();
  else if (view === "dashboard" && (!known || known.state !== d.state || known.name !== d.name || known.room !== d.room)) dashboardView();
  else if (view === "dashboard") {
    for (const [key, t] of [...tiles, ...outputTiles]) if (key.startsWith(d.id + "/")) {
      const off = isOffline(d);
      t.tile.classList.toggle("offline", off);
      t.tag.hidden = !off;
    }
  }
}

function updateNewCount() {
  const n = [...devicesById.values()].filter(d => d.state === "new").length;
  const b = document.getElementById("new-count");
  b.hidden = n === 0;
  b.textContent = String(n);
}

async function refreshAlerts() {
  try { activeAlerts = await api("GET", "/alerts?active=true"); } catch (_) { return; }
  const b = document.getElementById("alert-count");
  const firing = activeAlerts.filter(a => a.state === "firing").length;
  b.hidden = firing === 0;
  b.textContent = String(firing);
  const slot = document.getElementById("dash-alerts");
  if (slot) slot.replaceChildren(...alertBanner());
}

// ---- dashboard -----------------------------------------------------------------------------

function alertBanner() {
  if (activeAlerts.length === 0) return [];
  return [el("section", { class: "card alerts-banner", id: "alert-banner" },
    el("h2", { text: "Alerts" }), alertList(activeAlerts))];
}

function alertList(alerts) {
  return el("ul", { class: "plain", id: "alert-list" }, alerts.map(a => {
    const d = devicesById.get(a.deviceId);
    return el("li", { dataset: { alertId: String(a.id), state: a.state } },
      el("span", { class: "tag " + a.state, text: a.state }),
      el("span", { class: "grow" },
        el("strong", { text: a.ruleName || "rule " + a.ruleId }), " · ",
        el("span", { text: d ? deviceLabel(d) : a.deviceId }), " · ",
        el("span", { text: a.channel + " = " + fmtNum(a.value) }), " · ",
        el("span", { class: "muted", text: fmtTime(a.fired) }),
        a.acknowledgedBy ? el("span", { class: "muted", text: " · acknowledged by " + a.acknowledgedBy }) : null),
      isAdmin() && a.state === "firing" ? el("button", { type: "button", class: "secondary ack", text: "Acknowledge",
        onclick: () => api("POST", "/alerts/" + a.id + "/acknowledge").then(refreshAfterAlert) }) : null,
      isAdmin() && a.state !== "cleared" ? el("button", { type: "button", class: "danger clear", text: "Clear",
        onclick: () => api("POST", "/alerts/" + a.id + "/clear").then(refreshAfterAlert) }) : null);
  }));
}
async function refreshAfterAlert() { await refreshAlerts(); if (view === "alerts") alertsView(); }

async function loadDevices() {
  const list = await api("GET", "/devices");
  devicesById = new Map(list.map(d => [d.id, d]));
  updateNewCount();
  return list;
}

async function dashboardView() {
  view = "dashboard";
  const [list] = await Promise.all([loadDevices(), refreshAlerts()]);
  const adopted = list.filter(d => d.state === "adopted");
  const outputs = new Map(await Promise.all(adopted.map(d => api("GET", "/devices/" + encodeURIComponent(d.id) + "/outputs")
    .then(o => [d.id, o], () => [d.id, []]))));
  tiles.clear();
  outputTiles.clear();
  // an output's own channel is its state: shown by the output's tile, not as a sensor tile
  const sensorChannels = d => shownChannels(d.channels).filter(c => !outputs.get(d.id).some(o => o.name === c.name));
  const rooms = new Map();
  for (const d of adopted) {
    const room = d.room || "Unassigned";
    if (!rooms.has(room)) rooms.set(room, []);
    rooms.get(room).push(d);
  }
  const newOnes = list.filter(d => d.state === "new");
  const sections = [...rooms.keys()].sort((a, b) => a.localeCompare(b)).map(room =>
    el("section", { class: "room", dataset: { room } },
      el("h2", { text: room }),
      el("div", { class: "grid" }, rooms.get(room).flatMap(d => [...sensorChannels(d).map(c => tile(d, c)), ...outputs.get(d.id).map(o => outputTile(d, o))]))));
  show(
    el("div", { id: "dash-alerts" }, alertBanner()),
    newOnes.length ? el("p", { class: "card" }, el("a", { href: "#/devices", id: "new-devices-link",
      text: newOnes.length + (newOnes.length === 1 ? " new device is" : " new devices are") + " waiting for adoption" })) : null,
    adopted.length ? null : el("p", { class: "muted", text: "No devices adopted yet. Devices that send readings appear under Devices." }),
    ...sections);
  // sparklines of the last 6 hours, loaded after the tiles are on screen
  const to = Date.now(), from = to - 6 * 3600e3;
  for (const [key, t] of tiles) {
    const cut = key.indexOf("/"); // device ids have no slash; channel names may
    const id = key.slice(0, cut), ch = key.slice(cut + 1);
    api("GET", `/devices/${encodeURIComponent(id)}/channels/${channelPath(ch)}/readings?from=${from}&to=${to}`)
      .then(s => { t.points = s.time.map((tm, i) => [tm, s.mean[i]]).concat(t.points); drawSpark(t.spark, t.points); })
      .catch(() => {});
  }
}

function tile(d, c) {
  const off = isOffline(d);
  const val = el("span", { class: "val", text: c.value !== null && c.value !== undefined ? fmtNum(c.value) : (c.text || "–") });
  const when = el("span", { class: "when", text: fmtTime(c.time) });
  const spark = el("canvas", { class: "spark", width: 300, height: 72 });
  const tag = el("span", { class: "tag offline", text: "offline" });
  tag.hidden = !off;
  const t = el("a", { class: "tile" + (off ? " offline" : ""), href: "#/device/" + encodeURIComponent(d.id) + "/" + encodeURIComponent(c.name),
      dataset: { device: d.id, channel: c.name, value: c.value !== null && c.value !== undefined ? String(c.value) : "" } },
    el("span", { class: "dev" }, el("span", { class: "dev-name", text: deviceLabel(d) })),
    el("span", { class: "ch" }, el("span", { text: c.name.replace(/_/g, " ") }), " ", tag, " ", unencryptedTag(d)),
    el("span", {}, val, el("span", { class: "unit", text: c.unit || "" })),
    when, spark);
  tiles.set(d.id + "/" + c.name, { tile: t, val, when, spark, tag, points: [] });
  return t;
}

/** Redraws a tile's sparkline at most once a frame, however fast its readings come. */
function sparkLater(t) {
  if (t.pending) return;
  t.pending = true;
  requestAnimationFrame(() => {
    t.pending = false;
    const cutoff = Date.now() - 6 * 3600e3;
    if (t.points.length > 5000) t.points = t.points.filter(p => p[0] >= cutoff).slice(-2000);
    drawSpark(t.spark, t.points);
  });
}

/** A sparkline drawn by hand: a tile needs only a line, not a chart library. */
function drawSpark(canvas, points) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const cutoff = Date.now() - 6 * 3600e3;
  const pts = points.filter(p => p[0] >= cutoff && Number.isFinite(p[1]));
  if (pts.length < 2) return;
  let t0 = Infinity, t1 = -Infinity, lo = Infinity, hi = -Infinity;
  for (const [t, v] of pts) { t0 = Math.min(t0, t); t1 = Math.max(t1, t); lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (hi === lo) { hi += 1; lo -= 1; }
  const w = canvas.width, h = canvas.height, pad = 4;
  ctx.strokeStyle = "#2f7d4f";
  ctx.lineWidth = 2;
  ctx.beginPath();
  pts.forEach(([t, v], i) => {
    const x = t1 === t0 ? w : ((t - t0) / (t1 - t0)) * w;
    const y = h - pad - ((v - lo) / (hi - lo)) * (h - 2 * pad);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  canvas.dataset.points = String(pts.length);
}

// ---- outputs: switches and dimmers -----------------------------------------------------------

/** Command events seen lately, by id: one may arrive before the POST that made it has answered. */
const commandsSeen = new Map();
const FINISHED = { failed: "failed", refused: "refused", expired: "expired" };

const fmtLevel = v => fmtNum(Math.round(v)) + " %";
/** An output's state as a person reads it: "on", "off", "40 %"; "–" before its first report. */
function outputText(kind, value) {
  if (value === null || value === undefined) return "–";
  return kind === "switch" ? (value >= 0.5 ? "on" : "off") : fmtLevel(value);
}
/** What a command asks for, as a person reads it. */
function commandText(c) { return c.on !== undefined ? (c.on ? "on" : "off") : fmtLevel(c.level); }

function outputTile(d, o) {
  const off = isOffline(d);
  const isSwitch = o.kind === "switch";
  const label = o.name.replace(/_/g, " ");
  // a viewer sees the control but cannot use it: the gateway would refuse (403) anyway
  const locked = isAdmin() ? null : "Only an admin can " + (isSwitch ? "switch" : "dim") + " " + label;
  const tag = el("span", { class: "tag offline", text: "offline" });
  tag.hidden = !off;
  const val = el("span", { class: "val" });
  const status = el("span", { class: "status", role: "status" });
  const when = el("span", { class: "when" });
  const ot = { name: o.name, kind: o.kind, deviceId: d.id, val, status, when, tag, command: null, seq: 0,
    confirmed: o.state ? o.state.value : null, time: o.state ? o.state.time : null };
  let control, shownLevel = null;
  if (isSwitch) {
    control = el("button", { type: "button", role: "switch", class: "switch", "aria-checked": "false", "aria-label": label,
      disabled: !isAdmin(), title: locked }, el("span", { class: "knob" }));
    control.addEventListener("click", () => {
      // flips what the tile shows: the pending command's target, else the confirmed state
      const now = ot.command && ot.command.state === "pending" ? ot.command.on : ot.confirmed >= 0.5;
      setOutput(ot, { on: !now });
    });
  } else {
    control = el("input", { type: "range", min: 0, max: 100, step: 1, value: 0, "aria-label": label + " level",
      disabled: !isAdmin(), title: locked });
    shownLevel = el("output", { class: "level", text: "–" });
    // while the slider is held, the readings that come do not move it under the person's finger
    control.addEventListener("input", () => { ot.dragging = true; shownLevel.textContent = fmtLevel(Number(control.value)); });
    // arrow keys make a change per press: only where the person stops is sent
    control.addEventListener("change", () => {
      clearTimeout(ot.settle);
      ot.settle = setTimeout(() => { ot.dragging = false; setOutput(ot, { level: Number(control.value) }); }, 250);
    });
  }
  ot.control = control;
  ot.shownLevel = shownLevel;
  ot.tile = el("div", { class: "tile output " + o.kind + (off ? " offline" : ""), dataset: { device: d.id, output: o.name, kind: o.kind } },
    el("span", { class: "dev" }, el("span", { class: "dev-name", text: deviceLabel(d) })),
    el("span", { class: "ch" }, el("a", { href: "#/device/" + encodeURIComponent(d.id) + "/" + encodeURIComponent(o.name), text: label }),
      " ", tag, " ", unencryptedTag(d)),
    val,
    el("span", { class: "control", title: locked }, control, shownLevel),
    status, when);
  // a command still pending (made before this page, or by someone else) shows as pending; a failure
  // shows until the device reports again
  const last = o.lastCommand;
  if (last && (last.state === "pending" || (FINISHED[last.state] && !(ot.time > last.finished)))) ot.command = last;
  outputTiles.set(d.id + "/" + o.name, ot);
  renderOutput(ot);
  return ot.tile;
}

function renderOutput(ot) {
  const c = ot.command;
  const pending = !!c && c.state === "pending";
  const problem = !!c && (FINISHED[c.state] || c.state === "error");
  ot.tile.classList.toggle("pending", pending);
  ot.tile.classList.toggle("problem", !!problem);
  ot.tile.dataset.value = ot.confirmed === null || ot.confirmed === undefined ? "" : String(ot.confirmed);
  ot.tile.dataset.command = c ? c.state : "";
  ot.val.textContent = outputText(ot.kind, ot.confirmed);
  ot.when.textContent = ot.time ? fmtTime(ot.time) : "no report yet";
  // the control shows what was asked while it is pending, and the confirmed state otherwise
  if (ot.kind === "switch") {
    const on = pending && c.on !== undefined ? c.on : ot.confirmed >= 0.5;
    ot.control.setAttribute("aria-checked", String(on));
  } else if (!ot.dragging) {
    const level = pending && c.level !== undefined ? c.level : ot.confirmed;
    ot.control.value = String(level === null || level === undefined ? 0 : Math.round(level));
    ot.shownLevel.textContent = level === null || level === undefined ? "–" : fmtLevel(level);
  }
  let s = "";
  if (pending) s = ot.kind === "switch" ? (c.on ? "switching on…" : "switching off…") : "dimming to " + fmtLevel(c.level) + "…";
  else if (c && c.state === "expired") s = "expired: the device did not answer";
  else if (c && FINISHED[c.state]) s = c.state + ": " + (c.detail || "no reason given");
  else if (c && c.state === "error") s = "not sent: " + c.detail;
  ot.status.textContent = s;
}

/** Sends what the person set; the tile shows it pending at once, and the gateway's answer or refusal. */
async function setOutput(ot, body) {
  if (!isAdmin()) return;
  const mine = ++ot.seq;
  ot.command = Object.assign({ state: "pending" }, body);
  renderOutput(ot);
  let c;
  try {
    c = await api("POST", "/devices/" + encodeURIComponent(ot.deviceId) + "/outputs/" + encodeURIComponent(ot.name), body);
  } catch (e) {
    if (mine === ot.seq) { ot.command = { state: "error", detail: e.message }; renderOutput(ot); }
    return;
  }
  if (mine !== ot.seq) return; // the person set it again meanwhile: the newer one is shown
  ot.command = commandsSeen.get(c.id) && commandsSeen.get(c.id).state !== "pending" ? commandsSeen.get(c.id) : c;
  renderOutput(ot);
}

/** A command's new state, from the live stream. */
function onCommand(c) {
  // a key rotation's second step acknowledged (or given up): the page shows the key now pinned
  if (c.output === "identity" && c.rotation === "switch to the new key" && c.state !== "pending" && rotating.has(c.deviceId)) {
    const redraw = rotating.get(c.deviceId);
    rotating.delete(c.deviceId);
    setTimeout(redraw, 300);
  }
  commandsSeen.set(c.id, c);
  if (commandsSeen.size > 200) commandsSeen.delete(commandsSeen.keys().next().value);
  const ot = outputTiles.get(c.deviceId + "/" + c.output);
  if (ot) {
    const mine = ot.command;
    // this tile's own command, or a newer one (someone else, another tab); a finished one never goes back to pending
    if (mine && mine.id === c.id) { if (!(c.state === "pending" && mine.state !== "pending")) ot.command = c; }
    else if (mine && mine.id === undefined && mine.state === "pending") { /* ours, not answered yet: its POST's answer names it */ }
    else if (!mine || c.id > mine.id) ot.command = c;
    renderOutput(ot);
  }
  outputsChanged(c.deviceId);
}

/** The output's state, as its device reported it. */
function confirmOutput(ot, r) {
  if (r.value === null || r.value === undefined) return;
  ot.confirmed = r.value;
  ot.time = r.time;
  // a failure's reason stays until the device reports again after it
  if (ot.command && FINISHED[ot.command.state] && ot.command.finished && r.time > ot.command.finished) ot.command = null;
  ot.tile.classList.remove("flash");
  void ot.tile.offsetWidth; // restart the flash animation
  ot.tile.classList.add("flash");
  renderOutput(ot);
}

/** A device announced its outputs (at every start): the dashboard is drawn again only if they changed. */
let redrawLater = null;
function outputsAnnounced(deviceId, text) {
  if (view !== "dashboard" || !devicesById.has(deviceId) || devicesById.get(deviceId).state !== "adopted") return;
  const shown = [...outputTiles.values()].filter(t => t.deviceId === deviceId).map(t => t.name + ":" + t.kind).sort().join(" ");
  if ((text || "").trim().split(/ +/).filter(Boolean).sort().join(" ") === shown) return;
  // the gateway stores the new list just after it publishes the readings
  clearTimeout(redrawLater);
  redrawLater = setTimeout(() => { if (view === "dashboard") dashboardView(); }, 300);
}

// ---- the device page's outputs list ----

let outputsShown = null; // {deviceId, reload} while a device page is on screen

function outputsChanged(deviceId) {
  if (view !== "device" || !outputsShown || outputsShown.deviceId !== deviceId) return;
  clearTimeout(outputsShown.timer);
  outputsShown.timer = setTimeout(outputsShown.reload, 150); // a pack brings a state and an ack together
}

async function outputsCard(d) {
  const body = el("tbody");
  const empty = el("p", { class: "muted", text: "This device has no outputs." });
  const table = el("table", { class: "outputs" },
    el("thead", {}, el("tr", {}, ...["Output", "Kind", "State", "Last command", "Its state"].map(t => el("th", { text: t })))), body);
  const reload = async () => {
    let list;
    try { list = await api("GET", "/devices/" + encodeURIComponent(d.id) + "/outputs"); } catch (_) { return; }
    empty.hidden = list.length > 0;
    table.hidden = list.length === 0;
    body.replaceChildren(...list.map(o => {
      const c = o.lastCommand;
      return el("tr", { dataset: { output: o.name } },
        el("td", { class: "name", text: o.name }),
        el("td", { class: "kind", text: o.kind }),
        el("td", { class: "state", text: outputText(o.kind, o.state ? o.state.value : null) }),
        el("td", { class: "command", text: c ? commandText(c) + " by " + c.origin + ", " + fmtTime(c.created) : "none" }),
        el("td", { class: "command-state" }, c ? el("span", { class: "tag " + c.state, text: c.state }) : null,
          c && c.detail ? " " + c.detail : null, c && c.state === "expired" && !c.detail ? " the device did not answer" : null));
    }));
  };
  outputsShown = { deviceId: d.id, reload };
  await reload();
  if (!body.children.length) return null; // a device without outputs: nothing to list
  return el("section", { class: "card", id: "outputs" }, el("h2", { text: "Outputs" }), empty, table);
}

// ---- device page ---------------------------------------------------------------------------

let chart = null;
let shown = null; // what the chart shows: {deviceId, channel, data, box}, for live appends to raw charts
let drawing = 0; // the latest history request; answers to older ones are dropped

async function deviceView(id, wanted) {
  view = "device";
  const d = await api("GET", "/devices/" + encodeURIComponent(id));
  devicesById.set(d.id, d);
  const off = isOffline(d);
  const facts = el("dl", { class: "facts" },
    el("dt", { text: "Room" }), el("dd", { class: "room", text: d.room || "–" }),
    el("dt", { text: "Device id" }), el("dd", { text: d.id }),
    el("dt", { text: "State" }), el("dd", {}, el("span", { class: "tag " + (off ? "offline" : d.state), text: off ? "offline" : d.state })),
    d.link ? [el("dt", { text: "Link" }), el("dd", { id: "link" }, LINKS[d.link] || d.link, " ", unencryptedTag(d))] : null,
    d.key ? [el("dt", { text: "Public key" }), el("dd", { id: "key" }, el("code", { class: "fingerprint", text: d.key.fingerprint }),
      d.key.pinned ? " (pinned: only this key speaks for the device)" : " (presented, not pinned)", keyButton(d))] : null,
    el("dt", { text: "Last seen" }), el("dd", { id: "last-seen", text: d.lastSeen ? fmtTime(d.lastSeen) + " (" + ago(d.lastSeen) + ")" : "never" }),
    d.battery !== null ? [el("dt", { text: "Battery" }), el("dd", { id: "battery", text: fmtNum(d.battery) + " %" })] : null,
    d.signal !== null ? [el("dt", { text: "Signal" }), el("dd", { id: "signal", text: fmtNum(d.signal) + " dBm" })] : null);
  const parts = [el("h1", { id: "device-name", text: deviceLabel(d) }), el("section", { class: "card" }, facts)];
  if (d.state === "adopted") parts.push(await outputsCard(d));
  if (isAdmin()) parts.push(await keyCard(d.id, d.key));
  if (d.state !== "adopted") {
    parts.push(el("p", { class: "card", text: "This device is not adopted: its readings are held. Adopt it under Devices to see them." }));
    show(...parts);
    return;
  }
  const channels = shownChannels(d.channels);
  let channel = channels.some(c => c.name === wanted) ? wanted : channels.length ? channels[0].name : null;
  let range = "day";
  const chartBox = el("div", { id: "chart" });
  const csv = el("a", { id: "csv-link", download: true, text: "Download this range as CSV" });
  const rawCsv = el("a", { id: "raw-csv-link", download: true, text: "All channels, raw readings (CSV)" });
  const chBtns = el("div", { class: "channels" });
  const rgBtns = el("div", { class: "ranges" });
  const status = el("p", { class: "muted", id: "chart-status" });
  const redraw = () => {
    for (const b of chBtns.children) b.setAttribute("aria-pressed", String(b.dataset.channel === channel));
    for (const b of rgBtns.children) b.setAttribute("aria-pressed", String(b.dataset.range === range));
    drawHistory(d, channel, range, chartBox, status, csv, rawCsv);
  };
  for (const c of channels) {
    chBtns.append(el("button", { type: "button", class: "secondary", dataset: { channel: c.name }, text: c.name.replace(/_/g, " "),
      onclick: () => { channel = c.name; redraw(); } }));
  }
  for (const r of Object.keys(RANGES)) {
    rgBtns.append(el("button", { type: "button", class: "secondary", dataset: { range: r }, id: "range-" + r, text: r,
      onclick: () => { range = r; redraw(); } }));
  }
  parts.push(el("section", { class: "card" }, chBtns, rgBtns, chartBox, status, el("p", {}, csv, " · ", rawCsv)));
  if (isAdmin()) {
    parts.push(el("section", { class: "card" }, el("h2", { text: "Rename or move" }),
      form([{ name: "name", label: "Name", value: d.name }, { name: "room", label: "Room", value: d.room }], "Save",
        async v => { await api("PATCH", "/devices/" + encodeURIComponent(d.id), { name: v.name, room: v.room }); deviceView(d.id); }, "stack")));
  }
  show(...parts);
  if (channel) redraw();
}

// A device's key (its CoAPS pre-shared key and its MQTT password): whether it has one; an admin
// creates or rotates it and sees it once.
// an adopted device that presents a key not pinned yet (adopted before it had one, or reset): pin it
// after comparing; a pinned one can be forgotten (the device is cut off at once, its history stays)
function keyButton(d) {
  if (!isAdmin()) return null;
  const path = "/devices/" + encodeURIComponent(d.id) + "/key";
  const err = el("span", { class: "error", role: "alert" });
  const button = (id, cls, text, question, act) => el("button", { type: "button", id, class: cls, text, onclick: async () => {
    if (!confirm(question)) return;
    err.textContent = "";
    try { await act(); deviceView(d.id); } catch (e) { err.textContent = e.message; }
  } });
  if (!d.key.pinned && d.state === "adopted") {
    return [" ", button("key-pin", "secondary", "Pin this key",
      "Does the device's console show the key " + d.key.fingerprint + "? Only this key will speak for it.",
      () => api("POST", path, { fingerprint: d.key.fingerprint })), " ", err];
  }
  if (d.key.pinned) {
    // a rotation: the device makes a new key pair and tells it over its current link, then
    // switches; the page follows its two steps (command events) and shows the new fingerprint
    const rotate = el("button", { type: "button", id: "key-rotate", class: "secondary", text: "Rotate key", onclick: async () => {
      if (!confirm("The device makes a new key pair and moves to it; its old key then stops working. Rotate its key?")) return;
      err.textContent = "";
      try {
        await api("POST", path + "/rotate");
        rotate.disabled = true;
        rotate.textContent = "Rotating…";
        rotating.set(d.id, () => deviceView(d.id));
      } catch (e) { err.textContent = e.message; }
    } });
    return [" ", rotate, " ", button("key-forget", "danger", "Forget key",
      "The device is cut off at once, until you pin the key it presents next. Forget its key?",
      () => api("DELETE", path)), " ", err];
  }
  return null;
}

// devices whose key is being rotated on the page shown: redrawn when the switch is acknowledged
const rotating = new Map();

// a pre-shared key, for devices that cannot present a key pair of their own
async function keyCard(id, ownKey) {
  const st = await api("GET", "/devices/" + encodeURIComponent(id) + "/psk");
  const setText = t => "Key set " + fmtTime(t) + ": the device must use it over CoAPS, or log in with it over MQTT.";
  const none = ownKey && ownKey.pinned ? "None: this device speaks with its own key (above). A pre-shared key is only for devices that cannot."
    : "None: without its own key this device uses plain CoAP or anonymous MQTT.";
  const state = el("p", { id: "psk-state", text: st.set ? setText(st.created) : none });
  const issued = el("div", { id: "psk-issued" });
  const err = el("p", { class: "error", role: "alert" });
  const btn = el("button", { type: "button", id: "psk-rotate", class: "secondary", text: st.set ? "Rotate key" : "Create key" });
  btn.onclick = async () => {
    if (st.set && !confirm("The device's current key stops working at once. Rotate?")) return;
    err.textContent = "";
    try {
      const k = await api("POST", "/devices/" + encodeURIComponent(id) + "/psk");
      st.set = true;
      btn.textContent = "Rotate key";
      state.textContent = setText(k.created);
      issued.replaceChildren(el("p", { text: "Identity / MQTT user name: " }, el("code", { text: k.identity })),
        el("p", { text: "Key / MQTT password (base64), shown only now: " }, el("code", { id: "psk-key", text: k.key })),
        el("p", { class: "muted", text: "Put them into the device's config: gateway.psk (CoAPS) or gateway.username/password (MQTT)." }));
    } catch (e) { err.textContent = e.message; }
  };
  return el("section", { class: "card", id: "psk" }, el("h2", { text: "Pre-shared key" }), state, btn, issued, err);
}

async function drawHistory(d, channel, range, box, status, csv, rawCsv) {
  const to = Date.now(), from = to - RANGES[range];
  const base = `/devices/${encodeURIComponent(d.id)}/channels/${channelPath(channel)}/readings?from=${from}&to=${to}`;
  csv.href = API + base + "&format=csv";
  rawCsv.href = API + `/devices/${encodeURIComponent(d.id)}/readings?from=${Math.max(from, to - 31 * 86400e3)}&to=${to}&format=csv`;
  status.textContent = "Loading…";
  box.dataset.ready = "false";
  const mine = ++drawing;
  const s = await api("GET", base);
  if (mine !== drawing) return;
  const unit = s.unit || "";
  const data = [s.time.map(t => t / 1000), s.mean];
  const series = [{}, { label: channel + (unit ? " (" + unit + ")" : ""), stroke: "#2f7d4f", width: 2 }];
  if (s.resolution !== "raw") {
    data.push(s.min, s.max);
    series.push({ label: "min", stroke: "#9bbfa8", width: 1 }, { label: "max", stroke: "#9bbfa8", width: 1 });
  }
  if (chart) { chart.destroy(); chart = null; }
  box.replaceChildren();
  const width = Math.max(280, box.clientWidth || 600);
  chart = new uPlot({ width, height: 300, series, scales: { x: { time: true } } }, data, box);
  shown = s.resolution === "raw" ? { deviceId: d.id, channel, data, box } : null;
  box.dataset.points = String(s.time.length);
  box.dataset.resolution = s.resolution;
  box.dataset.range = range;
  box.dataset.ready = "true";
  status.textContent = s.time.length + " points at " + (s.resolution === "raw" ? "full resolution" : s.resolution + " resolution")
    + (s.time.length ? "" : " (no readings in this range)");
}

// ---- devices and adoption ------------------------------------------------------------------

async function devicesView() {
  view = "devices";
  const list = await loadDevices();
  const byState = s => list.filter(d => d.state === s);
  const newOnes = byState("new");
  show(
    el("h1", { text: "Devices" }),
    el("section", { class: "card", id: "new-devices" },
      el("h2", { text: "New devices" }),
      newOnes.length ? el("ul", { class: "plain" }, newOnes.map(newDevice))
        : el("p", { class: "muted", text: "No new devices. A device that sends readings to this gateway shows up here." })),
    el("section", { class: "card" }, el("h2", { text: "Adopted" }),
      el("ul", { class: "plain", id: "adopted-devices" }, byState("adopted").map(d => el("li", { dataset: { device: d.id } },
        el("a", { class: "grow", href: "#/device/" + encodeURIComponent(d.id) }, el("span", { class: "dev-name", text: deviceLabel(d) })),
        el("span", { class: "muted", text: d.room || "" }),
        isOffline(d) ? el("span", { class: "tag offline", text: "offline" }) : null,
        unencryptedTag(d),
        el("span", { class: "muted", text: "last seen " + ago(d.lastSeen) }))))),
    byState("rejected").length ? el("section", { class: "card" }, el("h2", { text: "Rejected" }),
      el("ul", { class: "plain" }, byState("rejected").map(newDevice))) : null,
    isAdmin() ? prepareCard() : null);
}

// A CoAPS device cannot send before it has a key: an admin makes one for its id, then flashes it.
// (The same key is an MQTT device's password.)
function prepareCard() {
  const out = el("div", { id: "prepared" });
  return el("section", { class: "card" }, el("h2", { text: "Prepare a device with a key (CoAPS or MQTT login)" }),
    form([{ name: "id", label: "Device id", placeholder: "kitchen-climate" }], "Create key", async v => {
      const k = await api("POST", "/devices/" + encodeURIComponent(v.id.trim()) + "/psk");
      out.replaceChildren(el("p", { text: "Identity: " }, el("code", { text: k.identity })),
        el("p", { text: "Key (base64), shown only now: " }, el("code", { id: "psk-key", text: k.key })));
    }, "stack"), out);
}

function newDevice(d) {
  const offers = el("span", { class: "grow offers" },
    el("strong", { class: "dev-id", text: d.id }), " ",
    el("span", { class: "tag " + d.state, text: d.state }), " offers ",
    shownChannels(d.channels).map((c, i) => [i ? ", " : "", el("span", { class: "offer", text: c.name + (c.unit ? " (" + c.unit + ")" : "") })]),
    el("span", { class: "muted", text: " · first seen " + ago(d.firstSeen) }),
    // the device prints the same fingerprint on its console: a person compares them before adopting
    d.key ? el("span", { class: "key" }, " · key ", el("code", { class: "fingerprint", text: d.key.fingerprint }),
      el("span", { class: "muted", text: " (compare it with the device's console)" })) : null);
  const li = el("li", { dataset: { device: d.id } }, offers);
  if (isAdmin()) {
    const f = form([{ name: "name", label: "Name", placeholder: "e.g. Kitchen climate" },
                    { name: "room", label: "Room", placeholder: "e.g. Kitchen" }], "Adopt",
      async v => {
        // the key the person saw is the key pinned: one that changed since is refused (409)
        const body = { name: v.name, room: v.room };
        if (d.key) body.fingerprint = d.key.fingerprint;
        await api("POST", "/devices/" + encodeURIComponent(d.id) + "/adopt", body); devicesView();
      },
      "row adopt-form");
    li.append(f);
    if (d.state === "new") {
      li.append(el("button", { type: "button", class: "danger reject", text: "Reject",
        onclick: () => api("POST", "/devices/" + encodeURIComponent(d.id) + "/reject").then(devicesView) }));
    }
  }
  return li;
}

// ---- alerts --------------------------------------------------------------------------------

async function alertsView() {
  view = "alerts";
  const [all, rules, list] = await Promise.all([api("GET", "/alerts"), api("GET", "/rules"), loadDevices()]);
  const adopted = list.filter(d => d.state === "adopted");
  const parts = [el("h1", { text: "Alerts" }),
    el("section", { class: "card" }, el("h2", { text: "Alerts" }),
      all.length ? alertList(all) : el("p", { class: "muted", text: "No alerts." })),
    el("section", { class: "card" }, el("h2", { text: "Rules" }),
      rules.length ? el("ul", { class: "plain", id: "rule-list" }, rules.map(r => {
        const d = devicesById.get(r.deviceId);
        return el("li", { dataset: { ruleId: String(r.id) } },
          el("span", { class: "grow" }, el("strong", { text: r.name }), " · ", el("span", { text: d ? deviceLabel(d) : r.deviceId }),
            el("span", { text: ` · ${r.channel} ${r.op} ${fmtNum(r.threshold)} for ${r.durationSeconds} s` })),
          r.enabled ? null : el("span", { class: "tag", text: "disabled" }),
          isAdmin() ? el("button", { type: "button", class: "secondary", text: r.enabled ? "Disable" : "Enable",
            onclick: () => api("PUT", "/rules/" + r.id, { name: r.name, deviceId: r.deviceId, channel: r.channel, op: r.op,
              threshold: r.threshold, durationSeconds: r.durationSeconds, enabled: !r.enabled }).then(alertsView) }) : null,
          isAdmin() ? el("button", { type: "button", class: "danger", text: "Delete",
            onclick: () => api("DELETE", "/rules/" + r.id).then(alertsView) }) : null);
      })) : el("p", { class: "muted", text: "No rules yet." }))];
  if (isAdmin() && adopted.length) {
    const options = adopted.flatMap(d => shownChannels(d.channels).map(c => ({ value: d.id + "/" + c.name, label: deviceLabel(d) + " – " + c.name })));
    parts.push(el("section", { class: "card" }, el("h2", { text: "New rule" }),
      form([
        { name: "name", label: "Name", placeholder: "e.g. Basil is thirsty" },
        { name: "target", label: "Device and channel", options },
        { name: "op", label: "When the value is", options: ["<", "<=", ">", ">="].map(o => ({ value: o, label: o })) },
        { name: "threshold", label: "Threshold", type: "number", step: "any" },
        { name: "duration", label: "For at least (seconds)", type: "number", value: "0", step: "1" },
      ], "Create rule", async v => {
        const slash = v.target.indexOf("/");
        if (v.threshold === "") throw new Error("give a threshold");
        await api("POST", "/rules", { name: v.name, deviceId: v.target.slice(0, slash), channel: v.target.slice(slash + 1),
          op: v.op, threshold: Number(v.threshold), durationSeconds: Number(v.duration || 0) });
        alertsView();
      }, "stack rule-form")));
  }
  show(...parts);
}

// ---- automations ---------------------------------------------------------------------------

// A person builds a rule from pickers that read as a sentence, and sees every rule as a sentence:
// the JSON the API takes is made here, never typed.

let automations = new Map(); // id -> automation, as the gateway last said
const historyOpen = new Set(); // ids whose runs are shown under them in the list

const OP_BECOMES = { equals: "becomes", above: "rises above", below: "falls below" };
const OP_HELD = { equals: "has been", above: "has been above", below: "has been below" };
const OP_IS = { equals: "is", above: "is above", below: "is below" };

function minutesText(m) {
  if (m < 1) { const s = Math.round(m * 60); return s + (s === 1 ? " second" : " seconds"); }
  const r = Math.round(m * 100) / 100;
  return fmtNum(r) + (r === 1 ? " minute" : " minutes");
}
function secondsText(s) { return s % 60 === 0 ? minutesText(s / 60) : s + (s === 1 ? " second" : " seconds"); }
const numText = v => v === undefined || v === null || Number.isNaN(v) ? "…" : fmtNum(v);
function devName(id) { if (!id) return "…"; const d = devicesById.get(id); return d ? deviceLabel(d) : id; }
const owns = (id, ch) => devName(id) + "'s " + (ch ? ch.replace(/_/g, " ") : "…");
/** "a", "a and b", "a, b and c" */
function andList(parts) { return parts.length < 2 ? parts.join("") : parts.slice(0, -1).join(", ") + " and " + parts[parts.length - 1]; }

function momentText(m) {
  if (!m || (!m.at && !m.sun)) return "…";
  if (m.at) return m.at;
  const off = m.offsetMinutes || 0;
  return off ? minutesText(Math.abs(off)) + (off < 0 ? " before " : " after ") + m.sun : m.sun;
}

function triggerText(t) {
  if (!t) return "…";
  if (t.type === "reading") {
    return "When " + owns(t.device, t.channel) + " " + (t.forMinutes
      ? OP_HELD[t.op] + " " + numText(t.value) + " for " + minutesText(t.forMinutes)
      : OP_BECOMES[t.op] + " " + numText(t.value));
  }
  if (t.type === "time") return t.sun && t.offsetMinutes ? "Every day " + momentText(t) : "Every day at " + momentText(t);
  if (t.type === "offline") return "When " + devName(t.device) + " goes offline";
  return "…";
}

function conditionText(c) {
  if (c.type === "value") {
    return "only if " + owns(c.device, c.channel) + " " + (c.forMinutes
      ? OP_HELD[c.op] + " " + numText(c.value) + " for " + minutesText(c.forMinutes)
      : OP_IS[c.op] + " " + numText(c.value));
  }
  return "only between " + momentText(c.from) + " and " + momentText(c.to);
}

function actionText(a) {
  if (a.type === "set") {
    const what = a.level !== undefined ? "dim " + owns(a.device, a.output) + " to " + numText(a.level) + " %"
      : "turn " + owns(a.device, a.output) + (a.on === false ? " off" : " on");
    return what + (a.forMinutes ? " for " + minutesText(a.forMinutes) : "");
  }
  if (a.type === "alert") return "raise the alert “" + (a.message || "…") + "”";
  if (a.type === "run") {
    const other = automations.get(a.automation);
    return "run “" + (other ? other.name : a.automation ? "automation " + a.automation : "…") + "”";
  }
  return "…";
}

/** The whole rule in plain words, e.g. "When Hall motion's motion becomes 1, only between sunset and sunrise: turn Hall light's light on for 5 minutes". */
function automationSentence(a) {
  const conds = (a.conditions || []).map(conditionText);
  return triggerText(a.trigger) + (conds.length ? ", " + andList(conds) : "") + ": "
    + ((a.actions || []).length ? andList(a.actions.map(actionText)) : "…")
    + (a.cooldownSeconds ? "; at most once every " + secondsText(a.cooldownSeconds) : "");
}

/** What PUT takes back: the definition without the gateway's own fields. */
function definitionOf(a) {
  return { name: a.name, enabled: a.enabled, trigger: a.trigger, conditions: a.conditions || [], actions: a.actions,
    cooldownSeconds: a.cooldownSeconds || 0 };
}

function lastRunText(a) {
  if (!a.lastRun) return a.lastReason ? "Has not run: " + a.lastReason : "Has not run yet";
  return "Last ran " + fmtTime(a.lastRun) + (a.lastReason ? ": " + a.lastReason : "");
}

async function automationsView() {
  view = "automations";
  const [list] = await Promise.all([api("GET", "/automations"), loadDevices()]);
  automations = new Map(list.map(a => [a.id, a]));
  const admin = isAdmin();
  show(el("h1", { text: "Automations" }),
    el("p", {}, el("button", { type: "button", id: "automation-new", text: "New automation", disabled: !admin,
      title: admin ? null : "Only an admin can create automations", onclick: () => { location.hash = "#/automations/new"; } })),
    el("section", { class: "card" }, el("ul", { class: "plain", id: "automation-list" }),
      el("p", { class: "muted", id: "automation-none", text: "No automations yet." })));
  renderAutomationList();
}

function renderAutomationList() {
  const ul = document.getElementById("automation-list");
  if (!ul) return;
  // a live update redraws the list: the control a person was on keeps the focus
  const active = document.activeElement && document.activeElement.closest && document.activeElement.closest("li[data-id]");
  const focus = active ? { id: active.dataset.id, cls: document.activeElement.className } : null;
  const list = [...automations.values()].sort((a, b) => a.id - b.id);
  // a rule that did not change keeps its row (an open history, the focus, a person's pointer stay put)
  const rows = new Map([...ul.children].map(li => [li.dataset.id, li]));
  ul.replaceChildren(...list.map(a => {
    const key = JSON.stringify(a) + automationSentence(a);
    const old = rows.get(String(a.id));
    if (old && old.drawn === key) return old;
    const li = automationItem(a);
    li.drawn = key;
    return li;
  }));
  document.getElementById("automation-none").hidden = list.length > 0;
  if (focus) {
    const again = ul.querySelector(`li[data-id="${focus.id}"] [class="${focus.cls}"]`);
    if (again) again.focus();
  }
}

function automationItem(a) {
  const admin = isAdmin();
  const only = what => admin ? null : "Only an admin can " + what + " automations";
  const err = el("p", { class: "error", role: "alert" });
  const sw = el("button", { type: "button", role: "switch", class: "switch enable", "aria-checked": String(a.enabled),
    "aria-label": "Enabled", disabled: !admin, title: only("enable or disable") || (a.enabled ? "On: click to disable" : "Off: click to enable") },
    el("span", { class: "knob" }));
  sw.addEventListener("click", async () => {
    sw.disabled = true;
    err.textContent = "";
    try { onAutomation(await api("PUT", "/automations/" + a.id, Object.assign(definitionOf(a), { enabled: !a.enabled }))); }
    catch (e) { err.textContent = e.message; sw.disabled = false; }
  });
  const runs = el("div", { class: "runs", hidden: !historyOpen.has(a.id) });
  const history = el("button", { type: "button", class: "secondary history", text: "History", "aria-expanded": String(historyOpen.has(a.id)),
    onclick: () => {
      const open = !historyOpen.has(a.id);
      if (open) historyOpen.add(a.id); else historyOpen.delete(a.id);
      history.setAttribute("aria-expanded", String(open));
      runs.hidden = !open;
      if (open) loadRuns(a.id, runs);
    } });
  if (historyOpen.has(a.id)) loadRuns(a.id, runs);
  return el("li", { class: "automation" + (a.enabled ? "" : " disabled"), dataset: { id: String(a.id), enabled: String(a.enabled) } },
    el("div", { class: "grow" },
      el("strong", { class: "name", text: a.name }), a.enabled ? null : [" ", el("span", { class: "tag", text: "disabled" })],
      el("p", { class: "sentence", text: automationSentence(a) }),
      el("p", { class: "last-run muted", text: lastRunText(a) }), err),
    el("span", { class: "control", title: only("enable or disable") }, sw),
    history,
    el("button", { type: "button", class: "secondary edit", text: "Edit", disabled: !admin, title: only("edit"),
      onclick: () => { location.hash = "#/automations/" + a.id; } }),
    el("button", { type: "button", class: "danger delete", text: "Delete", disabled: !admin, title: only("delete"),
      onclick: async () => {
        if (!confirm("Delete the automation “" + a.name + "”? It stops at once.")) return;
        err.textContent = "";
        try { await api("DELETE", "/automations/" + a.id); onAutomation({ id: a.id, deleted: true }); }
        catch (e) { err.textContent = e.message; }
      } }),
    runs);
}

async function loadRuns(id, box) {
  let runs;
  try { runs = await api("GET", "/automations/" + id + "/runs"); }
  catch (e) { box.replaceChildren(el("p", { class: "error", text: e.message })); return; }
  box.replaceChildren(runs.length
    ? el("table", { class: "runs" }, el("thead", {}, el("tr", {}, el("th", { text: "When" }), el("th", { text: "Why" }))),
      el("tbody", {}, runs.map(r => el("tr", { title: r.event }, el("td", { class: "at", text: fmtTime(r.at) }), el("td", { class: "reason", text: r.reason || r.event })))))
    : el("p", { class: "muted", text: "It has not run yet." }));
}

/** An automation ran, or was created, changed or deleted (from the live stream or our own change). */
function onAutomation(a) {
  if (a.deleted) { automations.delete(a.id); historyOpen.delete(a.id); }
  else automations.set(a.id, a);
  if (view === "automations") renderAutomationList();
}

// ---- the automation form ----

const opt = (value, label, chosen) => el("option", { value, text: label, selected: value === chosen });
function pick(cls, label, options, chosen) {
  return el("select", { class: cls, "aria-label": label }, options.map(([v, l]) => opt(v, l, chosen)));
}
function numberBox(cls, label, value, attrs) {
  return el("input", Object.assign({ type: "number", step: "any", class: cls, "aria-label": label,
    value: value === undefined || value === null ? "" : String(value) }, attrs || {}));
}
const words = t => el("span", { class: "words", text: t });
/** A picker's value, marked with the definition's field it becomes (the API names fields in its errors). */
function field(input, path) { input.dataset.field = path; return input.value.trim(); }
const orNone = s => s === "" ? undefined : s;
const num = s => s === "" ? undefined : Number(s);

function devicePick(ctx, devices, chosen) {
  const options = [["", "choose a device"], ...devices.map(d => [d.id, deviceLabel(d)])];
  // a rule may name a device that is gone: it stays what the rule says
  if (chosen && !devices.some(d => d.id === chosen)) options.push([chosen, chosen + " (not adopted)"]);
  return pick("device", "device", options, chosen || "");
}

/** A device and one of its channels; the channels follow the device. */
function channelPicker(ctx, device, channel) {
  const dev = devicePick(ctx, ctx.adopted, device);
  const ch = el("select", { class: "channel", "aria-label": "channel" });
  const fill = () => {
    const d = devicesById.get(dev.value);
    const names = d ? shownChannels(d.channels || []).map(c => c.name) : [];
    if (channel && dev.value === device && !names.includes(channel)) names.push(channel);
    ch.replaceChildren(...(names.length ? names.map(n => opt(n, n.replace(/_/g, " "), channel)) : [opt("", dev.value ? "no channels" : "…", "")]));
  };
  dev.addEventListener("change", fill);
  fill();
  return { dev, ch };
}

/** A time of day: a clock time, or sunrise/sunset shifted by minutes. */
function momentPicker(m, label) {
  m = m || {};
  const kind = pick("moment-kind", label, [["at", "a time"], ["sunset", "sunset"], ["sunrise", "sunrise"]], m.sun || "at");
  const at = el("input", { type: "time", class: "at", "aria-label": label + " time", value: m.at || "" });
  const off = numberBox("offset", label + " offset in minutes", m.offsetMinutes || "", { step: "1", placeholder: "0" });
  const offWords = words("minutes after (negative: before)");
  const sync = () => { const sun = kind.value !== "at"; at.hidden = sun; off.hidden = offWords.hidden = !sun; };
  kind.addEventListener("change", sync);
  sync();
  return { nodes: [kind, at, off, offWords],
    read(path) {
      field(kind, path);
      if (kind.value === "at") return { at: orNone(field(at, path + ".at")) };
      const o = num(field(off, path + ".offsetMinutes"));
      return o ? { sun: kind.value, offsetMinutes: o } : { sun: kind.value };
    } };
}

function triggerPart(ctx, t) {
  t = t || { type: "reading", op: "equals" };
  const kindOf = t.type === "time" ? (t.sun ? "sun" : "time") : t.type;
  const kind = pick("trigger-kind", "what sets it off", [["reading", "a reading"], ["time", "a time of day"],
    ["sun", "sunrise or sunset"], ["offline", "a device going offline"]], kindOf);
  const r = t.type === "reading" ? t : { op: "equals" };
  const reading = channelPicker(ctx, r.device, r.channel);
  const op = pick("op", "becomes, rises above or falls below", [["equals", "becomes"], ["above", "rises above"], ["below", "falls below"]], r.op);
  const value = numberBox("value", "value", r.value);
  const forMin = numberBox("minutes", "for how many minutes", r.forMinutes || "", { min: 0, placeholder: "0" });
  const at = el("input", { type: "time", class: "at", "aria-label": "time of day", value: kindOf === "time" ? t.at : "07:00" });
  const sun = pick("sun", "sunrise or sunset", [["sunset", "sunset"], ["sunrise", "sunrise"]], kindOf === "sun" ? t.sun : "sunset");
  const offset = numberBox("offset", "minutes before or after", kindOf === "sun" ? t.offsetMinutes || "" : "", { step: "1", placeholder: "0" });
  const offline = devicePick(ctx, ctx.adopted, t.type === "offline" ? t.device : "");
  const panes = {
    reading: el("span", { class: "pane reading" }, words("When"), reading.dev, reading.ch, op, value,
      words("for"), forMin, words("minutes (empty: at once)")),
    time: el("span", { class: "pane time" }, words("Every day at"), at),
    sun: el("span", { class: "pane sun" }, words("Every day at"), sun, words("shifted by"), offset, words("minutes (negative: before)")),
    offline: el("span", { class: "pane offline" }, words("When"), offline, words("goes offline")),
  };
  const sync = () => { for (const [k, p] of Object.entries(panes)) p.hidden = k !== kind.value; };
  kind.addEventListener("change", sync);
  sync();
  const box = el("fieldset", { class: "trigger" }, el("legend", { text: "When" }),
    el("div", { class: "sentence-row" }, words("It is set off by"), kind), el("div", { class: "sentence-row" }, Object.values(panes)));
  return { box, read() {
    const at0 = "trigger";
    box.dataset.field = at0;
    field(kind, at0 + ".type");
    switch (kind.value) {
      case "reading": return { type: "reading", device: orNone(field(reading.dev, at0 + ".device")), channel: orNone(field(reading.ch, at0 + ".channel")),
        op: field(op, at0 + ".op"), value: num(field(value, at0 + ".value")), forMinutes: num(field(forMin, at0 + ".forMinutes")) };
      case "time": return { type: "time", at: orNone(field(at, at0 + ".at")) };
      case "sun": { const o = num(field(offset, at0 + ".offsetMinutes")); field(sun, at0 + ".sun");
        return o ? { type: "time", sun: sun.value, offsetMinutes: o } : { type: "time", sun: sun.value }; }
      default: return { type: "offline", device: orNone(field(offline, at0 + ".device")) };
    }
  } };
}

/** A removable row of a list (conditions, actions). */
function listRow(cls, nodes, onRemove) {
  const row = el("div", { class: "sentence-row " + cls }, nodes);
  row.append(el("button", { type: "button", class: "link remove", text: "remove", onclick: () => { row.remove(); onRemove(); } }));
  return row;
}

function conditionRow(ctx, c, changed) {
  if (c.type === "value") {
    const p = channelPicker(ctx, c.device, c.channel);
    const op = pick("op", "above, below or equal to", [["above", "above"], ["below", "below"], ["equals", "equal to"]], c.op || "above");
    const value = numberBox("value", "value", c.value);
    const forMin = numberBox("minutes", "for at least how many minutes", c.forMinutes || "", { min: 0, placeholder: "0" });
    const row = listRow("condition value", [words("only if"), p.dev, p.ch, words("is"), op, value, words("for at least"), forMin, words("minutes")], changed);
    row.read = path => { row.dataset.field = path; return { type: "value", device: orNone(field(p.dev, path + ".device")), channel: orNone(field(p.ch, path + ".channel")),
      op: field(op, path + ".op"), value: num(field(value, path + ".value")), forMinutes: num(field(forMin, path + ".forMinutes")) }; };
    return row;
  }
  const from = momentPicker(c.from || { sun: "sunset" }, "from"), to = momentPicker(c.to || { sun: "sunrise" }, "to");
  const row = listRow("condition time", [words("only between"), from.nodes, words("and"), to.nodes], changed);
  row.read = path => { row.dataset.field = path; return { type: "time", from: from.read(path + ".from"), to: to.read(path + ".to") }; };
  return row;
}

function actionRow(ctx, a, changed) {
  if (a.type === "set") {
    const withOutputs = ctx.adopted.filter(d => (ctx.outputs.get(d.id) || []).length);
    const dev = devicePick(ctx, withOutputs, a.device);
    const out = el("select", { class: "output", "aria-label": "output" });
    const verb = words("set");
    const onOff = pick("on", "on or off", [["true", "on"], ["false", "off"]], a.on === false ? "false" : "true");
    const level = numberBox("level", "level in percent", a.level, { min: 0, max: 100, step: "1" });
    const pct = words("%");
    const forMin = numberBox("minutes", "for how many minutes", a.forMinutes || "", { min: 0 });
    const kindOf = () => {
      const o = (ctx.outputs.get(dev.value) || []).find(x => x.name === out.value);
      return o ? o.kind : a.level !== undefined && out.value === a.output ? "dimmer" : "switch";
    };
    const syncKind = () => { const dim = kindOf() === "dimmer"; verb.textContent = dim ? "dim" : "set"; onOff.hidden = dim; level.hidden = pct.hidden = !dim; };
    const fill = () => {
      const names = (ctx.outputs.get(dev.value) || []).map(o => o.name);
      if (a.output && dev.value === a.device && !names.includes(a.output)) names.push(a.output);
      out.replaceChildren(...(names.length ? names.map(n => opt(n, n.replace(/_/g, " "), a.output)) : [opt("", "…", "")]));
      syncKind();
    };
    dev.addEventListener("change", fill);
    out.addEventListener("change", syncKind);
    fill();
    const row = listRow("action set", [verb, dev, out, words("to"), onOff, level, pct, words("for"), forMin, words("minutes, then back (empty: it stays)")], changed);
    row.read = path => {
      row.dataset.field = path;
      const r = { type: "set", device: orNone(field(dev, path + ".device")), output: orNone(field(out, path + ".output")) };
      if (kindOf() === "dimmer") r.level = num(field(level, path + ".level")); else r.on = field(onOff, path + ".on") === "true";
      r.forMinutes = num(field(forMin, path + ".forMinutes"));
      return r;
    };
    return row;
  }
  if (a.type === "alert") {
    const msg = el("input", { type: "text", class: "message", "aria-label": "alert text", placeholder: "e.g. The freezer is warm", value: a.message || "" });
    const row = listRow("action alert", [words("raise an alert:"), msg], changed);
    row.read = path => { row.dataset.field = path; return { type: "alert", message: orNone(field(msg, path + ".message")) }; };
    return row;
  }
  const others = [...ctx.automations.values()].filter(o => o.id !== ctx.selfId);
  const which = pick("automation", "which automation", [["", others.length ? "choose one" : "no other automation yet"],
    ...others.map(o => [String(o.id), o.name])], a.automation ? String(a.automation) : "");
  const row = listRow("action run", [words("run automation"), which], changed);
  row.read = path => { row.dataset.field = path; const v = field(which, path + ".automation"); return { type: "run", automation: v ? Number(v) : undefined }; };
  return row;
}

/** "trigger.channel" -> "the trigger's channel", "actions[0].level" -> "action 1's level": the field a person sees. */
function fieldWords(path) {
  if (!path) return "the automation";
  return path.replace(/^trigger/, "the trigger").replace(/^name$/, "the name").replace(/^cooldownSeconds$/, "the cooldown")
    .replace(/conditions\[(\d+)\]/, (_, i) => "condition " + (Number(i) + 1)).replace(/actions\[(\d+)\]/, (_, i) => "action " + (Number(i) + 1))
    .replace(/\.forMinutes/g, "'s minutes").replace(/\.offsetMinutes/g, "'s offset").replace(/\./g, "'s ");
}

async function automationFormView(id) {
  view = "automation-form";
  if (!isAdmin()) { location.hash = "#/automations"; return; }
  const [list, all] = await Promise.all([loadDevices(), api("GET", "/automations")]);
  automations = new Map(all.map(a => [a.id, a]));
  const adopted = list.filter(d => d.state === "adopted");
  const outputs = new Map(await Promise.all(adopted.map(d => api("GET", "/devices/" + encodeURIComponent(d.id) + "/outputs")
    .then(o => [d.id, o], () => [d.id, []]))));
  const existing = id === null ? null : automations.get(id);
  if (id !== null && !existing) throw new Error("There is no automation " + id + " (deleted meanwhile?)");
  const ctx = { adopted, outputs, automations, selfId: id };
  const a = existing || { name: "", enabled: true, trigger: null, conditions: [], actions: [{ type: "set" }], cooldownSeconds: 0 };

  const preview = el("span", { id: "automation-preview", class: "sentence" });
  const changed = () => { preview.textContent = automationSentence(read()); };
  const name = el("input", { type: "text", class: "name", id: "automation-name", value: a.name, placeholder: "e.g. Hall light on motion after dark" });
  const trigger = triggerPart(ctx, a.trigger);
  const conds = el("div", { class: "conditions" }, a.conditions.map(c => conditionRow(ctx, c, changed)));
  const acts = el("div", { class: "actions" }, a.actions.map(x => actionRow(ctx, x, changed)));
  const add = (box, cls, text, make) => el("button", { type: "button", class: "secondary add " + cls, text,
    onclick: () => { box.append(make()); changed(); } });
  const cooldown = numberBox("cooldown", "at most once every how many seconds", a.cooldownSeconds || 0, { id: "automation-cooldown", min: 0, step: "1" });
  const err = el("p", { class: "error", role: "alert", id: "automation-error" });
  const save = el("button", { type: "submit", id: "automation-save", text: existing ? "Save changes" : "Create automation" });

  function read() {
    const def = { name: field(name, "name"), enabled: existing ? existing.enabled : true, trigger: trigger.read(),
      conditions: [...conds.children].map((r, i) => r.read("conditions[" + i + "]")),
      actions: [...acts.children].map((r, i) => r.read("actions[" + i + "]")) };
    const cd = field(cooldown, "cooldownSeconds");
    def.cooldownSeconds = cd === "" ? 0 : Number(cd);
    return def;
  }

  const f = el("form", { id: "automation-form", class: "automation-form", novalidate: true },
    el("label", { for: "automation-name", text: "Name" }), name,
    trigger.box,
    el("fieldset", { class: "if" }, el("legend", { text: "Only if (optional)" }), conds,
      el("div", { class: "adds" }, add(conds, "add-value", "+ only if a value…", () => conditionRow(ctx, { type: "value" }, changed)),
        add(conds, "add-time", "+ only between two times…", () => conditionRow(ctx, { type: "time" }, changed)))),
    el("fieldset", { class: "then" }, el("legend", { text: "Then" }), acts,
      el("div", { class: "adds" }, add(acts, "add-set", "+ set an output", () => actionRow(ctx, { type: "set" }, changed)),
        add(acts, "add-alert", "+ raise an alert", () => actionRow(ctx, { type: "alert" }, changed)),
        add(acts, "add-run", "+ run another automation", () => actionRow(ctx, { type: "run" }, changed)))),
    el("div", { class: "sentence-row" }, words("Run it at most once every"), cooldown, words("seconds (0: every time)")),
    el("p", { class: "muted" }, "In words: ", preview),
    el("div", { class: "sentence-row" }, save, el("a", { href: "#/automations", text: "Cancel" })), err);
  f.addEventListener("input", changed);
  f.addEventListener("change", changed);
  f.addEventListener("submit", async ev => {
    ev.preventDefault();
    err.textContent = "";
    delete err.dataset.field;
    for (const x of f.querySelectorAll(".invalid")) { x.classList.remove("invalid"); x.removeAttribute("aria-invalid"); }
    const def = read();
    save.disabled = true;
    try {
      const saved = await api(existing ? "PUT" : "POST", existing ? "/automations/" + existing.id : "/automations", def);
      if (saved && saved.id !== undefined) automations.set(saved.id, saved);
      location.hash = "#/automations";
    } catch (e) {
      const path = e.field || "";
      err.dataset.field = path;
      // the API's message starts with its field: say the field as the form shows it
      const msg = e.message.startsWith(path + ": ") ? e.message.slice(path.length + 2) : e.message;
      err.textContent = e.field !== undefined && e.field !== null ? fieldWords(path) + ": " + msg : msg;
      // the picker the field came from (or its row) is marked and focused
      let target = null;
      for (let p = path; p && !target; ) {
        target = f.querySelector(`[data-field="${CSS.escape(p)}"]`);
        const up = p.replace(/(\.[^.[]*|\[\d+\])$/, ""); // actions[0].level -> actions[0] -> actions
        p = up === p ? "" : up;
      }
      if (target) {
        target.classList.add("invalid");
        target.setAttribute("aria-invalid", "true");
        if (target.focus) target.focus();
      }
    } finally { save.disabled = false; }
  });
  show(el("h1", { text: existing ? "Edit automation" : "New automation" }), el("section", { class: "card" }, f));
  changed();
}

// ---- users and tokens (admins) -------------------------------------------------------------

async function usersView() {
  view = "users";
  const [users, tokens] = await Promise.all([api("GET", "/users"), api("GET", "/tokens")]);
  const issued = el("div");
  show(el("h1", { text: "Users" }),
    el("section", { class: "card" }, el("ul", { class: "plain" }, users.map(u => el("li", {},
      el("span", { class: "grow", text: u.username }), el("span", { class: "tag", text: u.role }),
      el("button", { type: "button", class: "danger", text: "Delete", onclick: () => api("DELETE", "/users/" + u.id).then(usersView).catch(e => issued.replaceChildren(el("p", { class: "error", text: e.message }))) }))))),
    el("section", { class: "card" }, el("h2", { text: "Add a person" }), form([
      { name: "username", label: "Username" }, { name: "password", label: "Password (10+ characters)", type: "password", autocomplete: "new-password" },
      { name: "role", label: "Role", options: [{ value: "viewer", label: "viewer (looks only)" }, { value: "admin", label: "admin" }] },
    ], "Add", async v => { await api("POST", "/users", v); usersView(); })),
    el("section", { class: "card" }, el("h2", { text: "API tokens for machine clients" }),
      el("ul", { class: "plain" }, tokens.map(t => el("li", {}, el("span", { class: "grow", text: t.username.replace(/^token:/, "") }),
        el("span", { class: "tag", text: t.role }),
        el("button", { type: "button", class: "danger", text: "Revoke", onclick: () => api("DELETE", "/tokens/" + t.id).then(usersView) })))),
      form([{ name: "name", label: "Token name" },
            { name: "role", label: "Role", options: [{ value: "viewer", label: "viewer" }, { value: "admin", label: "admin" }] }],
        "Create token", async v => {
          const t = await api("POST", "/tokens", v);
          issued.replaceChildren(el("p", { text: "Copy it now: it is shown only once." }), el("p", { class: "token", text: t.token }));
        }), issued));
}

// ---- security: the audit trail ---------------------------------------------------------------

const AUDIT_WORDS = {
  setup: "set the gateway up", login: "logged in", login_refused: "login refused", login_throttled: "login throttled",
  logout: "logged out", device_adopted: "adopted device", device_rejected: "rejected device", device_removed: "removed device",
  key_rotated: "rotated the key of", key_revoked: "revoked the key of", key_pinned: "pinned the key of", user_created: "added person", user_deleted: "removed person",
  token_created: "created token", token_revoked: "revoked token",
};

async function securityView() {
  view = "security";
  const body = el("tbody");
  const more = el("button", { type: "button", text: "Older events" });
  let last = null;
  const load = async () => {
    const page = await api("GET", "/audit?limit=100" + (last ? "&before=" + last : ""));
    for (const e of page) {
      body.append(el("tr", { "data-action": e.action },
        el("td", { text: new Date(e.at).toLocaleString() }), el("td", { text: e.actor }), el("td", { text: e.address || "" }),
        el("td", { text: AUDIT_WORDS[e.action] || e.action }), el("td", { text: e.subject || "" }), el("td", { text: e.detail || "" })));
      last = e.id;
    }
    more.hidden = page.length < 100;
  };
  more.addEventListener("click", load);
  show(el("h1", { text: "Security" }),
    el("section", { class: "card" }, el("h2", { text: "Audit trail" }),
      el("p", { class: "muted", text: "Who adopted, rejected or removed devices, rotated or revoked their keys, logged in and changed accounts: when and from where. Newest first." }),
      el("table", { class: "audit" }, el("thead", {}, el("tr", {}, ...["When", "Who", "From", "What", "Whom", "Detail"].map(t => el("th", { text: t })))), body),
      more));
  await load();
}

// ---- routing -------------------------------------------------------------------------------

async function route() {
  const h = location.hash || "#/";
  for (const a of document.querySelectorAll("[data-nav]")) a.classList.remove("active");
  const mark = n => { const a = document.querySelector(`[data-nav="${n}"]`); if (a) a.classList.add("active"); };
  try {
    if (!session) {
      if (h === "#/setup") return setupView();
      return loginView();
    }
    if (h.startsWith("#/device/")) {
      mark("devices");
      const [id, channel] = h.slice(9).split("/").map(decodeURIComponent);
      return await deviceView(id, channel);
    }
    if (h === "#/devices") { mark("devices"); return await devicesView(); }
    if (h === "#/alerts") { mark("alerts"); return await alertsView(); }
    if (h === "#/automations") { mark("automations"); return await automationsView(); }
    if (h === "#/automations/new") { mark("automations"); return await automationFormView(null); }
    if (/^#\/automations\/\d+$/.test(h)) { mark("automations"); return await automationFormView(Number(h.slice(14))); }
    if (h === "#/users" && isAdmin()) { mark("users"); return await usersView(); }
    if (h === "#/security" && isAdmin()) { mark("security"); return await securityView(); }
    mark("dashboard");
    return await dashboardView();
  } catch (e) {
    if (e.status === 401) return;
    show(el("p", { class: "card error", role: "alert", text: e.message }));
  }
}

async function boot() {
  document.getElementById("logout").addEventListener("click", logout);
  window.addEventListener("hashchange", route);
  try {
    const s = setupInfo = await api("GET", "/setup");
    if (s.needed) { location.hash = "#/setup"; setupView(); return; }
    session = await api("GET", "/session");
    signedIn();
  } catch (e) {
    session = null;
    if (location.hash !== "#/login") location.hash = "#/login"; else loginView();
  }
}

document.addEventListener("DOMContentLoaded", boot);
