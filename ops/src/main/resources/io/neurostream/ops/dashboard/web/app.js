/*
 * The NeuroStream dashboard page: plain JavaScript, no build step, no framework.
 *
 * It learns everything from the dashboard's JSON API and one server-sent-event stream per watched network
 * (see the dashboard protocol: /api/networks, /layout, /neuron, /history, /control, /input, /stream).
 * Times are simulated milliseconds unless a name says "wall". The raster arrives already down-sampled to
 * pixels (one bitset column per `ms_per_col` of simulated time), so the page only draws the columns it has
 * not drawn yet, once per animation frame, and its cost follows pixels, not spikes.
 *
 * window.neurostream exposes counters the page really keeps (frames, columns drawn, events, connection) for
 * the browser tests and the frame-rate benchmark.
 */
(function () {
  "use strict";

  const TOKEN_KEY = "neurostream.token";
  const NETWORK_POLL_MS = 1000;
  const HISTORY_POLL_MS = 2000;
  const CHART_REDRAW_MS = 250;      // charts redraw at most 4 times a second; the raster every frame
  const MAX_RASTER_ROWS = 400;      // the protocol's default; one pixel row per row bin
  const MAX_PROBES = 8;
  const MAX_LOG = 50;
  const STREAM_RETRY_MS = 5000;   // after the server's error event

  const $ = (id) => document.getElementById(id);

  /** Counters and handles for tests and the benchmark: every number here is one the page keeps anyway. */
  const hooks = window.neurostream = {
    frames: 0,            // animation frames run while a stream is open
    framesDrawn: 0,       // frames that drew at least one raster column
    frameGapMaxMs: 0,     // longest time between two animation frames (a test may reset it to 0)
    busyMs: {},           // main-thread time spent per event type and per drawing step, cumulative
    longTasks: 0,         // main-thread tasks over 50 ms (the browser's Long Tasks API), and their total time
    longTaskMs: 0,
    columnsDrawn: 0,      // raster columns painted since the last hello
    firstColumnAtMs: -1,  // performance.now() when this page first painted a raster column
    rasterEvents: 0,
    eventsReceived: 0,
    lastEventAt: 0,       // performance.now() of the last stream event
    connected: false,
    streamUrl: null,
    hello: null,
    layout: null,
    network: null,
    newestCol: -1,
    probes: [],
    alertMarkersDrawn: 0, // alert lines drawn by the balance chart's last draw
    bandDrawn: false,     // whether the balance chart's last draw shaded the band
    charts: {},
  };

  // ---- token -------------------------------------------------------------------------------------------

  /** The token comes from ?token= once, then lives in sessionStorage (and leaves the address bar). */
  function readToken() {
    const params = new URLSearchParams(location.search);
    const fromUrl = params.get("token");
    if (fromUrl !== null) {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      params.delete("token");
      const query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }
  const token = readToken();

  // ---- status line and event log -----------------------------------------------------------------------

  function say(text, kind) {
    const line = $("status-line");
    line.textContent = text;
    line.className = kind || "";
  }

  function log(text) {
    const li = document.createElement("li");
    li.textContent = text;
    const list = $("event-log");
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_LOG) list.removeChild(list.lastChild);
  }

  const TOKEN_MESSAGE = "token required or wrong: open the page with ?token=… (the dashboard's --token)";

  // ---- HTTP --------------------------------------------------------------------------------------------

  /**
   * Calls the API with the token; resolves to {status, body} (body parsed JSON or null), and puts a 401
   * on the status line since every call needs the same fix.
   */
  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = Object.assign({}, opts.headers || {});
    if (token) opts.headers["Authorization"] = "Bearer " + token;
    let response;
    try {
      response = await fetch(path, opts);
    } catch (e) {
      return { status: 0, body: { error: "dashboard unreachable: " + e.message } };
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.status === 401) say(TOKEN_MESSAGE + (body && body.error ? " (" + body.error + ")" : ""), "error");
    return { status: response.status, body: body };
  }

  function networkPath(id, rest) {
    return "/api/networks/" + encodeURIComponent(id) + rest;
  }

  function errorText(result) {
    return result.body && result.body.error ? result.body.error : "HTTP " + result.status;
  }

  // ---- URL hash: the picked network and view -----------------------------------------------------------

  function hashParams() { return new URLSearchParams(location.hash.replace(/^#/, "")); }

  function writeHash() {
    const p = new URLSearchParams();
    if (state.network) p.set("network", state.network);
    if (state.view === "uncommitted") p.set("view", "uncommitted");
    history.replaceState(null, "", location.pathname + location.search + "#" + p.toString());
  }

  // ---- state -------------------------------------------------------------------------------------------

  const state = {
    network: null,
    view: "committed",
    from: "live",          // "live" or a simulated time in ms (time travel)
    windowMs: 5000,
    networks: [],
    source: null,          // the EventSource
    layout: null,
    hello: null,
    pending: [],           // raster columns received, not drawn yet: {col0, ncols, bytes}
    binColours: null,      // [r,g,b] per row bin
    rates: new Map(),      // "area|e_class" -> {t: [s], v: [Hz]}
    balance: new Map(),    // area -> {t: [s], v: [ratio]}
    alerts: [],            // {t_ms, area, kind, state, ...}
    membrane: new Map(),   // neuron id -> {t: [ms], v: [value], unit, variable}
    chartsDirty: false,
    lattice: new Map(),    // "area|z" -> {canvas, event}
  };

  // ---- network list ------------------------------------------------------------------------------------

  async function pollNetworks() {
    const result = await api("/api/networks");
    if (result.status === 200 && result.body) {
      state.networks = result.body.networks || [];
      renderNetworks();
      if (!state.network && state.networks.length === 1) select(state.networks[0].id);
      if ($("status-line").textContent === "Loading…") say("");
    } else if (result.status !== 401) {
      say("network list: " + errorText(result), "error");
    }
    setTimeout(pollNetworks, NETWORK_POLL_MS);
  }

  function renderNetworks() {
    const body = $("networks").tBodies[0];
    body.textContent = "";
    for (const n of state.networks) {
      const tr = document.createElement("tr");
      tr.dataset.network = n.id;
      if (n.id === state.network) tr.className = "selected";
      for (const text of [n.id, n.state, String(n.tick), formatFactor(n.rt_factor)]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      tr.addEventListener("click", () => select(n.id));
      body.appendChild(tr);
      if (n.id === state.network) showStatus(n);
    }
    $("networks-empty").hidden = state.networks.length > 0;
    if (state.networks.length === 0) $("networks-empty").textContent = "no networks yet";
  }

  function formatFactor(f) { return f === null || f === undefined ? "–" : Number(f).toFixed(2) + "×"; }

  function showStatus(n) {
    $("network-status").textContent = n.state + " · tick " + n.tick + " · " + Number(n.t_ms).toFixed(1) + " ms · "
        + formatFactor(n.rt_factor) + " real time" + (n.rejected ? " · " + n.rejected + " rejected" : "")
        + (n.stalled_ms ? " · stalled " + n.stalled_ms + " ms" : "");
  }

  // ---- picking a network and the stream ----------------------------------------------------------------

  async function select(id) {
    if (state.network === id && state.source) return;
    if (state.network !== id) { hooks.probes = []; $("probes").textContent = "no probes"; }
    state.network = id;
    hooks.network = id;
    state.from = "live";
    writeHash();
    $("network-title").textContent = id;
    renderNetworks();
    const result = await api(networkPath(id, "/layout"));
    if (state.network !== id) return;
    if (result.status !== 200) {
      if (result.status !== 401) say("layout of " + id + ": " + errorText(result), "error");
      return;
    }
    state.layout = hooks.layout = result.body;
    buildRasterFrame();
    fillSenses();
    connect();
    pollHistory();
  }

  function streamUrl() {
    const layout = state.layout;
    const rows = Math.max(1, Math.min(layout.rows || MAX_RASTER_ROWS, MAX_RASTER_ROWS));
    const cols = Math.max(100, Math.min(4000, Math.floor($("raster-wrap").clientWidth || 1000)));
    const p = new URLSearchParams({
      view: state.view, from: String(state.from), window_ms: String(state.windowMs),
      rows: String(rows), cols: String(cols),
    });
    if (token) p.set("token", token);
    return networkPath(state.network, "/stream?" + p.toString());
  }

  /** (Re)opens the stream for the picked network with the current view, start and window. */
  function connect() {
    disconnect();
    if (!state.network || !state.layout) return;
    const url = streamUrl();
    hooks.streamUrl = url;
    const source = new EventSource(url);
    state.source = source;
    const on = (type, handler) => source.addEventListener(type, (e) => {
      if (state.source !== source) return;
      hooks.eventsReceived++;
      hooks.lastEventAt = performance.now();
      const started = performance.now();
      let data;
      try { data = JSON.parse(e.data); } catch (err) { log("bad " + type + " event: " + err.message); return; }
      handler(data);
      busy(type, started);
    });
    source.onopen = () => setConnected(true);
    source.addEventListener("error", (e) => {
      if (state.source !== source) return;
      if (e.data !== undefined) {          // the server's own `error` event: it closes the stream
        let message = e.data;
        try { message = JSON.parse(e.data).error; } catch (err) { /* keep the raw text */ }
        say("stream: " + message + " (trying again in " + STREAM_RETRY_MS / 1000 + " s)", "error");
        source.close();
        setConnected(false);
        // a viewer dropped for falling behind, or a network not created yet, comes back; slower than
        // EventSource's own retry so a refusing server is not asked several times a second
        setTimeout(() => { if (state.source === source) connect(); }, STREAM_RETRY_MS);
        return;
      }
      setConnected(false);
      if (source.readyState === EventSource.CLOSED) explainClosedStream(url);
    });
    on("hello", onHello);
    on("status", (s) => { if (s.id === undefined || s.id === state.network) showStatus(s); });
    on("raster", onRaster);
    on("rates", onRates);
    on("balance", onBalance);
    on("alert", onAlert);
    on("membrane", onMembrane);
    on("lattice", onLattice);
    on("rejected", (r) => {
      const text = "rejected at " + r.t_ms + " ms: " + r.reason + " — " + r.message;
      // the answer to this page's own command may come before its rejection comes down the stream: the
      // answer says more (which command), so it stays on the status line; the stream's line goes to the log
      const line = $("status-line");
      if (!(line.className === "error" && r.message && line.textContent.endsWith(r.message))) say(text, "error");
      log(text);
    });
    on("history_end", (h) => {
      const incomplete = h.incomplete ? ", incomplete: the broker no longer holds all of it" : "";
      $("time-label").textContent = "history up to " + h.t1_ms + " ms (not live" + incomplete + ")";
      log("history window sent up to " + h.t1_ms + " ms" + incomplete);
    });
  }

  function disconnect() {
    if (state.source) state.source.close();
    state.source = null;
    setConnected(false);
  }

  function setConnected(on) {
    hooks.connected = on;
    const pill = $("connection");
    pill.textContent = on ? (state.from === "live" ? "live" : "history") + " · " + state.view : "disconnected";
    pill.className = "pill " + (on ? "on" : "off");
  }

  /** EventSource hides the HTTP status of a refused stream: ask once with fetch to say why, else retry. */
  async function explainClosedStream(url) {
    const controller = new AbortController();
    let status = 0;
    let body = null;
    try {
      const headers = token ? { "Authorization": "Bearer " + token } : {};
      const response = await fetch(url, { headers: headers, signal: controller.signal });
      status = response.status;
      if (status !== 200) { try { body = await response.json(); } catch (e) { body = null; } }
    } catch (e) { status = 0; }
    controller.abort();
    if (status === 401) {
      say(TOKEN_MESSAGE, "error");
    } else if (status >= 400) {
      say("stream: " + (body && body.error ? body.error : "HTTP " + status), "error");
    } else if (hooks.streamUrl === url) {
      setTimeout(() => { if (hooks.streamUrl === url && !hooks.connected) connect(); }, 2000);
    }
  }

  // ---- raster ------------------------------------------------------------------------------------------

  const rasterCanvas = () => $("raster");
  let rasterCtx = null;

  /** Labels and separators of the layout's groups, which do not move while the raster scrolls. */
  function buildRasterFrame() {
    const layout = state.layout;
    const labels = $("raster-labels");
    const separators = $("raster-separators");
    labels.textContent = "";
    separators.textContent = "";
    const total = Math.max(1, layout.rows || 1);
    let lastArea = null;
    for (const g of layout.groups || []) {
      const top = (100 * g.row_start / total) + "%";
      const label = document.createElement("div");
      label.textContent = g.area + " " + g.e_class;
      label.title = g.population + ": rows " + g.row_start + "–" + (g.row_start + g.row_count - 1);
      label.style.top = top;
      labels.appendChild(label);
      if (g.row_start > 0) {
        const line = document.createElement("div");
        line.style.top = top;
        if (g.area !== lastArea) line.className = "area";
        separators.appendChild(line);
      }
      lastArea = g.area;
    }
  }

  /** Colour of each row bin: warm for excitatory groups, blue for inhibitory, by the bin's first row. */
  function binColours(rows) {
    const layout = state.layout;
    const total = Math.max(1, layout.rows || 1);
    const colours = new Array(rows);
    const groups = layout.groups || [];
    for (let b = 0; b < rows; b++) {
      const row = Math.floor(b * total / rows);
      const g = groups.find((x) => row >= x.row_start && row < x.row_start + x.row_count);
      colours[b] = g && g.e_class === "I" ? [90, 170, 255] : [255, 140, 60];
    }
    return colours;
  }

  function onHello(h) {
    state.hello = hooks.hello = h;
    const canvas = rasterCanvas();
    canvas.width = h.cols;
    canvas.height = h.rows;
    rasterCtx = canvas.getContext("2d");
    rasterCtx.clearRect(0, 0, h.cols, h.rows);
    const axis = $("raster-axis");
    axis.width = h.cols;
    state.binColours = binColours(h.rows);
    state.pending = [];
    hooks.newestCol = -1;
    hooks.columnsDrawn = 0;
    state.rates.clear();
    state.balance.clear();
    state.membrane.clear();
    state.alerts = [];
    $("alerts").textContent = "";
    state.lattice.clear();
    $("lattice").textContent = "";
    createCharts();
    setConnected(true);
    if (state.from === "live") $("time-label").textContent = "live";
  }

  function decodeBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function onRaster(r) {
    hooks.rasterEvents++;
    state.pending.push({ col0: r.col0, ncols: r.ncols, bytes: decodeBase64(r.bitmap) });
  }

  /**
   * Draws the columns received since the last frame: shifts what is on the canvas left by the number of
   * new columns (drawImage of the canvas onto itself), then paints only the new columns through ImageData.
   * Each batch is a run of consecutive columns sent once and complete, so its ImageData simply replaces those
   * columns: the canvas is never read back (a read-back would stall the page on the compositor).
   */
  function drawRaster() {
    const h = state.hello;
    if (!h || !rasterCtx || state.pending.length === 0) return false;
    const cols = h.cols;
    const rows = h.rows;
    const bytesPerCol = Math.ceil(rows / 8);
    const batches = state.pending;
    state.pending = [];
    let newest = hooks.newestCol;
    for (const b of batches) newest = Math.max(newest, b.col0 + b.ncols - 1);
    const ctx = rasterCtx;
    if (hooks.newestCol >= 0 && newest > hooks.newestCol) {
      const shift = newest - hooks.newestCol;
      if (shift >= cols) {
        ctx.clearRect(0, 0, cols, rows);
      } else {
        ctx.globalCompositeOperation = "copy";
        ctx.drawImage(ctx.canvas, shift, 0, cols - shift, rows, 0, 0, cols - shift, rows);
        ctx.globalCompositeOperation = "source-over";
        ctx.clearRect(cols - shift, 0, shift, rows);
      }
    }
    hooks.newestCol = newest;
    const firstCol = newest - cols + 1;   // the absolute column drawn at x = 0
    const colours = state.binColours;
    let drawn = 0;
    for (const b of batches) {
      const skip = Math.max(0, firstCol - b.col0);   // columns already older than the window
      const width = b.ncols - skip;
      if (width <= 0) continue;
      const image = ctx.createImageData(width, rows);
      const px = image.data;
      for (let i = skip; i < b.ncols; i++) {
        const x = i - skip;
        const base = i * bytesPerCol;
        for (let byte = 0; byte < bytesPerCol; byte++) {
          const bits = b.bytes[base + byte];
          if (bits === 0) continue;
          for (let bit = 0; bit < 8; bit++) {
            if ((bits & (1 << bit)) === 0) continue;
            const y = (byte << 3) + bit;
            if (y >= rows) break;
            const o = (y * width + x) * 4;
            const c = colours[y];
            px[o] = c[0]; px[o + 1] = c[1]; px[o + 2] = c[2]; px[o + 3] = 255;
          }
        }
      }
      ctx.putImageData(image, b.col0 + skip - firstCol, 0);
      drawn += width;
    }
    hooks.columnsDrawn += drawn;
    if (drawn > 0 && hooks.firstColumnAtMs < 0) hooks.firstColumnAtMs = performance.now();
    drawRasterAxis();
    return drawn > 0;
  }

  function niceStep(spanMs, targetTicks) {
    const raw = spanMs / targetTicks;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }

  /** The time axis under the raster: simulated ms of the columns shown. */
  function drawRasterAxis() {
    const h = state.hello;
    const axis = $("raster-axis");
    const ctx = axis.getContext("2d");
    const cols = h.cols;
    const msPerCol = h.ms_per_col;
    const firstCol = hooks.newestCol - cols + 1;
    const t0 = firstCol * msPerCol;
    const t1 = (hooks.newestCol + 1) * msPerCol;
    ctx.clearRect(0, 0, axis.width, axis.height);
    ctx.fillStyle = "#48515c";
    ctx.strokeStyle = "#48515c";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const step = niceStep(t1 - t0, 8);
    for (let t = Math.ceil(Math.max(0, t0) / step) * step; t <= t1; t += step) {
      const x = Math.round(t / msPerCol - firstCol) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, 5); ctx.stroke();
      ctx.fillText(t + " ms", Math.min(Math.max(x, 20), cols - 20), 7);
    }
  }

  /** Click on the raster: which neuron the row is, then probe it. */
  async function onRasterClick(event) {
    const h = state.hello;
    if (!h || !state.layout) return;
    const canvas = rasterCanvas();
    const bin = Math.min(h.rows - 1, Math.floor(event.offsetY * h.rows / canvas.clientHeight));
    const total = state.layout.rows;
    const row = Math.min(total - 1, Math.floor((bin + 0.5) * total / h.rows));
    const result = await api(networkPath(state.network, "/neuron?row=" + row));
    if (result.status !== 200) {
      if (result.status !== 401) say("raster row " + row + ": " + errorText(result), "error");
      return;
    }
    await probe(result.body);
  }

  // ---- probes and controls -----------------------------------------------------------------------------

  /** A PROBE replaces the probes before, so the page sends every neuron it probes, newest last. */
  async function probe(neuron) {
    const id = neuron.neuron_id;
    const probes = hooks.probes.filter((n) => n !== id);
    probes.push(id);
    while (probes.length > MAX_PROBES) probes.shift();
    const where = neuron.area + " " + neuron.e_class + " (" + neuron.x + "," + neuron.y + "," + neuron.z + "," + neuron.w + ")";
    const ok = await control({ command: "probe", neurons: probes, variable: "v" }, "probe neuron " + id + " in " + where);
    if (ok) {
      hooks.probes = probes;
      $("probes").textContent = "probed: " + probes.join(", ");
    }
  }

  /** Posts a control command and shows the simulator's answer; resolves true when APPLIED. */
  async function control(body, what) {
    if (!state.network) { say("pick a network first", "error"); return false; }
    const label = what || body.command;
    say(label + ": waiting for the simulator's answer…");
    const result = await api(networkPath(state.network, "/control"), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (result.status === 401) return false;
    if (result.status !== 200 || !result.body) {
      say(label + ": " + errorText(result), "error");
      return false;
    }
    const a = result.body;
    const text = label + ": " + a.answer + (a.reason ? " (" + a.reason + ")" : "") + (a.message ? " — " + a.message : "");
    say(text, a.answer === "APPLIED" ? "ok" : "error");
    log(text);
    return a.answer === "APPLIED";
  }

  function onControlButton(command) {
    switch (command) {
      case "step": return control({ command: "step", ticks: Number($("step-ticks").value) });
      case "speed": return control({ command: "speed", factor: Number($("speed-factor").value) });
      case "set": return control({
        command: "set", population: $("set-population").value, param: $("set-param").value,
        value: Number($("set-value").value),
      });
      case "probe_clear": return control({ command: "probe_clear" }).then((ok) => {
        if (ok) { hooks.probes = []; $("probes").textContent = "no probes"; }
      });
      default: return control({ command: command });
    }
  }

  // ---- input form --------------------------------------------------------------------------------------

  function fillSenses() {
    const select = $("input-sense");
    select.textContent = "";
    const senses = (state.layout && state.layout.senses) || [];
    for (const s of senses) {
      const option = document.createElement("option");
      option.value = s.name;
      option.textContent = s.name + " → " + s.area;
      select.appendChild(option);
    }
    // a network whose spec's senses are unknown: type the sense's name
    select.hidden = senses.length === 0;
    $("input-sense-name").hidden = senses.length > 0;
    composeInputLine();
  }

  /** The form's fields as one line of `neurostream send`'s JSON-line format, editable before sending. */
  function composeInputLine() {
    const sense = $("input-sense").hidden ? $("input-sense-name").value : $("input-sense").value;
    const target = { sense: sense };
    const z = $("input-z").value;
    if (z !== "") target.z_layer = Number(z);
    const kind = document.querySelector("input[name=input-kind]:checked").value;
    const value = Number($("input-value").value);
    const line = { target: target };
    if (kind === "matrix") {
      let matrix;
      try { matrix = JSON.parse($("input-matrix").value); } catch (e) { matrix = $("input-matrix").value; }
      line.matrix = matrix;
      line.scale = value;
    } else {
      line.current = value;
    }
    const duration = $("input-duration").value;
    if (duration !== "") line.duration_ms = Number(duration);
    $("input-line").value = JSON.stringify(line);
  }

  async function sendInput(event) {
    event.preventDefault();
    if (!state.network) { say("pick a network first", "error"); return; }
    const line = $("input-line").value.trim();
    const result = await api(networkPath(state.network, "/input"), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: line,
    });
    if (result.status === 401) return;
    if (result.status === 200 && result.body) {
      const text = "input: " + result.body.answer + (result.body.input_id ? " as " + result.body.input_id : "");
      say(text, "ok");
      log(text);
    } else {
      say("input rejected: " + errorText(result), "error");
    }
  }

  // ---- time travel -------------------------------------------------------------------------------------

  let historyTimer = null;

  async function pollHistory() {
    clearTimeout(historyTimer);
    const id = state.network;
    if (!id) return;
    const result = await api(networkPath(id, "/history"));
    if (state.network !== id) return;
    if (result.status === 200 && result.body) {
      const slider = $("time-slider");
      const h = result.body;
      slider.min = String(Math.floor(h.first_t_ms));
      slider.max = String(Math.ceil(h.live_t_ms !== undefined && h.live_t_ms !== null ? h.live_t_ms : h.last_t_ms));
      slider.step = String(Math.max(1, Math.round((slider.max - slider.min) / 1000)));
      slider.disabled = Number(slider.max) <= Number(slider.min);
      if (state.from === "live") slider.value = slider.max;
    }
    historyTimer = setTimeout(pollHistory, HISTORY_POLL_MS);
  }

  function travelTo(tMs) {
    state.from = tMs;
    $("time-label").textContent = "at " + tMs + " ms (committed history)";
    connect();
  }

  function goLive() {
    state.from = "live";
    $("time-label").textContent = "live";
    $("time-slider").value = $("time-slider").max;
    connect();
  }

  // ---- charts (uPlot) ----------------------------------------------------------------------------------

  const PALETTE = ["#d62728", "#1f77b4", "#ff7f0e", "#17becf", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#7f7f7f"];

  function chartSize(el) { return { width: Math.max(200, el.clientWidth || 400), height: 200 }; }

  /** Builds (or rebuilds, when the set of series changed) one uPlot chart in `el`. */
  function makeChart(name, el, xLabel, yLabel, seriesLabels, hooksOf, yRange) {
    const old = hooks.charts[name];
    if (old) old.destroy();
    el.textContent = "";
    const series = [{ label: xLabel }].concat(seriesLabels.map((label, i) => ({
      label: label, stroke: PALETTE[i % PALETTE.length], width: 1, spanGaps: true, points: { show: false },
    })));
    const size = chartSize(el);
    const chart = new uPlot({
      width: size.width, height: size.height,
      scales: yRange ? { x: { time: false }, y: { range: yRange } } : { x: { time: false } },
      legend: { live: false },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: series,
      hooks: hooksOf || {},
    }, [[]].concat(seriesLabels.map(() => [])), el);
    hooks.charts[name] = chart;
    return chart;
  }

  function createCharts() {
    if (typeof uPlot === "undefined") return;
    for (const name of Object.keys(hooks.charts)) { hooks.charts[name].destroy(); delete hooks.charts[name]; }
    chartKeys.rates = chartKeys.balance = chartKeys.membrane = "";
    state.chartsDirty = true;
  }

  const chartKeys = { rates: "", balance: "", membrane: "" };

  /**
   * At most about `maxPoints` samples of a series: each run of samples that shares a pixel keeps its lowest and
   * highest value, in time order, so spikes of a membrane trace stay visible while the chart draws a few
   * thousand segments instead of every 1 ms sample of the window.
   */
  function decimate(s, maxPoints) {
    const n = s.t.length;
    if (n <= maxPoints) return [s.t, s.v];
    const buckets = Math.max(1, Math.floor(maxPoints / 2));
    const per = n / buckets;
    const t = [], v = [];
    for (let b = 0; b < buckets; b++) {
      const from = Math.floor(b * per), to = Math.min(n, Math.floor((b + 1) * per));
      let lo = from, hi = from;
      for (let i = from + 1; i < to; i++) {
        if (s.v[i] < s.v[lo]) lo = i;
        if (s.v[i] > s.v[hi]) hi = i;
      }
      const first = Math.min(lo, hi), second = Math.max(lo, hi);
      t.push(s.t[first]); v.push(s.v[first]);
      if (second !== first) { t.push(s.t[second]); v.push(s.v[second]); }
    }
    return [t, v];
  }

  /** Joins per-series {t, v} into uPlot's aligned columns (null where a series has no sample). */
  function joined(map, maxPoints) {
    const tables = [];
    for (const s of map.values()) tables.push(maxPoints ? decimate(s, maxPoints) : [s.t, s.v]);
    if (tables.length === 0) return [[]];
    return uPlot.join(tables);
  }

  function trim(series, minT) {
    let cut = 0;
    while (cut < series.t.length && series.t[cut] < minT) cut++;
    if (cut > 0) { series.t.splice(0, cut); series.v.splice(0, cut); }
  }

  function push(series, t, v) {
    const n = series.t.length;
    if (n > 0 && t < series.t[n - 1]) {          // out of order: insert in place
      let i = n - 1;
      while (i > 0 && series.t[i - 1] > t) i--;
      series.t.splice(i, 0, t); series.v.splice(i, 0, v);
    } else if (n > 0 && t === series.t[n - 1]) {
      series.v[n - 1] = v;
    } else {
      series.t.push(t); series.v.push(v);
    }
  }

  function windowStartS() {
    let newest = -Infinity;
    for (const map of [state.rates, state.balance]) for (const s of map.values()) {
      if (s.t.length) newest = Math.max(newest, s.t[s.t.length - 1]);
    }
    return newest - Math.max(state.windowMs, 10000) / 1000;
  }

  function onRates(r) {
    const key = (r.area === null ? "network" : r.area) + " " + (r.e_class === null ? "E+I" : r.e_class);
    let s = state.rates.get(key);
    if (!s) { s = { t: [], v: [] }; state.rates.set(key, s); }
    push(s, r.t_ms / 1000, r.rate_hz);
    state.chartsDirty = true;
  }

  function onBalance(b) {
    const key = b.area === null ? "network" : b.area;
    let s = state.balance.get(key);
    if (!s) { s = { t: [], v: [] }; state.balance.set(key, s); }
    push(s, b.t_ms / 1000, b.ratio);
    state.chartsDirty = true;
  }

  function onAlert(a) {
    state.alerts.push(a);
    if (state.alerts.length > 200) state.alerts.shift();
    const li = document.createElement("li");
    li.className = a.state;
    li.textContent = a.t_ms + " ms · " + (a.area === null ? "network" : a.area) + " · " + a.kind + " " + a.state
        + (a.value !== undefined && a.value !== null ? " (" + Number(a.value).toFixed(2) + " vs " + a.threshold + ")" : "")
        + (a.message ? " — " + a.message : "");
    const list = $("alerts");
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 20) list.removeChild(list.lastChild);
    state.chartsDirty = true;
  }

  function onMembrane(m) {
    let s = state.membrane.get(m.neuron_id);
    if (!s) { s = { t: [], v: [], unit: m.unit, variable: m.variable }; state.membrane.set(m.neuron_id, s); }
    for (let i = 0; i < m.t_ms.length; i++) push(s, m.t_ms[i], m.values[i]);
    const newest = s.t[s.t.length - 1];
    trim(s, newest - state.windowMs);
    state.chartsDirty = true;
  }

  /** Balance chart hook: the band shaded under the lines, alerts as vertical lines over them. */
  function balanceDraw(u) {
    const ctx = u.ctx;
    const band = state.hello && state.hello.balance_band;
    const left = u.bbox.left;
    const width = u.bbox.width;
    hooks.bandDrawn = false;
    if (band && band.length === 2) {
      const yHi = u.valToPos(band[1], "y", true);
      const yLo = u.valToPos(band[0], "y", true);
      ctx.save();
      ctx.fillStyle = "rgba(46, 139, 87, 0.15)";
      ctx.fillRect(left, Math.min(yHi, yLo), width, Math.abs(yLo - yHi));
      ctx.restore();
      hooks.bandDrawn = true;
    }
    let marked = 0;
    ctx.save();
    ctx.lineWidth = 2;
    for (const a of state.alerts) {
      const x = u.valToPos(a.t_ms / 1000, "x", true);
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = a.state === "RAISED" ? "#b3261e" : "#2e7d32";
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      marked++;
    }
    ctx.restore();
    hooks.alertMarkersDrawn = marked;
  }

  /** Redraws the charts whose data changed, at most every CHART_REDRAW_MS. */
  function drawCharts() {
    if (!state.chartsDirty || !state.hello || typeof uPlot === "undefined") return;
    state.chartsDirty = false;
    const minT = windowStartS();
    for (const s of state.rates.values()) trim(s, minT);
    for (const s of state.balance.values()) trim(s, minT);

    const rateKeys = [...state.rates.keys()].join("|");
    if (rateKeys !== chartKeys.rates || !hooks.charts.rates) {
      chartKeys.rates = rateKeys;
      makeChart("rates", $("rates-chart"), "simulated time (s)", "rate (Hz)", [...state.rates.keys()]);
    }
    hooks.charts.rates.setData(joined(state.rates));

    const balanceKeys = [...state.balance.keys()].join("|");
    if (balanceKeys !== chartKeys.balance || !hooks.charts.balance) {
      chartKeys.balance = balanceKeys;
      const band = state.hello.balance_band;
      // the band stays in view even while every ratio is inside it
      const range = band ? (u, lo, hi) => [Math.min(lo === null ? band[0] : lo, band[0]) * 0.9,
        Math.max(hi === null ? band[1] : hi, band[1]) * 1.1] : null;
      makeChart("balance", $("balance-chart"), "simulated time (s)", "E/I ratio",
          [...state.balance.keys()], { draw: [balanceDraw] }, range);
    }
    hooks.charts.balance.setData(joined(state.balance));

    const ids = [...state.membrane.keys()];
    const membraneKeys = ids.join("|");
    if (membraneKeys !== chartKeys.membrane || !hooks.charts.membrane) {
      chartKeys.membrane = membraneKeys;
      const first = state.membrane.get(ids[0]);
      const unit = first ? first.unit : "mV";
      const variable = first ? first.variable : "v";
      $("membrane-units").textContent = "(" + unit + ")";
      makeChart("membrane", $("membrane-chart"), "simulated time (ms)", "membrane " + variable + " (" + unit + ")",
          ids.map((id) => "neuron " + id));
    }
    hooks.charts.membrane.setData(joined(state.membrane, hooks.charts.membrane.bbox.width || 800));
  }

  // ---- lattice heatmaps --------------------------------------------------------------------------------

  const HEAT_STOPS = [[13, 17, 23], [120, 40, 140], [230, 90, 40], [255, 230, 90]];

  function heat(f) {
    const x = Math.max(0, Math.min(1, f)) * (HEAT_STOPS.length - 1);
    const i = Math.min(HEAT_STOPS.length - 2, Math.floor(x));
    const t = x - i;
    const a = HEAT_STOPS[i], b = HEAT_STOPS[i + 1];
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
  }

  let latticeMax = 1;

  function onLattice(l) {
    const key = l.area + "|" + l.z;
    let entry = state.lattice.get(key);
    if (!entry) {
      const figure = document.createElement("figure");
      const canvas = document.createElement("canvas");
      canvas.dataset.area = l.area;
      canvas.dataset.z = l.z;
      const caption = document.createElement("figcaption");
      caption.textContent = l.area + " · z " + l.z;
      figure.appendChild(canvas);
      figure.appendChild(caption);
      $("lattice").appendChild(figure);
      entry = { canvas: canvas, event: null };
      canvas.addEventListener("click", (e) => onLatticeClick(entry, e));
      state.lattice.set(key, entry);
    }
    entry.event = l;
    // one colour scale for every heatmap of the moment, so areas compare; it decays to follow quieter times
    let max = 1;
    for (const c of l.counts) if (c > max) max = c;
    latticeMax = Math.max(max, latticeMax * 0.9);
    paintHeatmap(entry);
    drawLegend(l);
  }

  /**
   * counts[(x - x0) * ny + (y - y0)]: x-major, the order the dashboard server fills them in (the protocol only
   * says nx * ny counts); x runs to the right, y down from y0 at the top.
   */
  function paintHeatmap(entry) {
    const l = entry.event;
    const canvas = entry.canvas;
    if (canvas.width !== l.nx) canvas.width = l.nx;       // resizing clears and reallocates: only when needed
    if (canvas.height !== l.ny) canvas.height = l.ny;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(l.nx, l.ny);
    for (let x = 0; x < l.nx; x++) {
      for (let y = 0; y < l.ny; y++) {
        const c = heat((l.counts[x * l.ny + y] || 0) / latticeMax);
        const o = 4 * (y * l.nx + x);
        image.data[o] = c[0]; image.data[o + 1] = c[1]; image.data[o + 2] = c[2]; image.data[o + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  function drawLegend(l) {
    const legend = $("lattice-legend");
    if (!legend.firstChild) {
      const low = document.createElement("span");
      const bar = document.createElement("canvas");
      const high = document.createElement("span");
      const what = document.createElement("span");
      bar.width = 64; bar.height = 1;
      const ctx = bar.getContext("2d");
      for (let x = 0; x < 64; x++) {
        const c = heat(x / 63);
        ctx.fillStyle = "rgb(" + c.map(Math.round).join(",") + ")";
        ctx.fillRect(x, 0, 1, 1);
      }
      low.textContent = "0";
      legend.append(low, bar, high, what);
    }
    const high = String(Math.round(latticeMax));
    const what = "spikes per cell in " + Math.round(l.t1_ms - l.t0_ms) + " ms of simulated time";
    if (legend.children[2].textContent !== high) legend.children[2].textContent = high;   // no needless relayout
    if (legend.children[3].textContent !== what) legend.children[3].textContent = what;
  }

  async function onLatticeClick(entry, event) {
    const l = entry.event;
    const canvas = entry.canvas;
    const x = l.x0 + Math.min(l.nx - 1, Math.floor(event.offsetX * l.nx / canvas.clientWidth));
    const y = l.y0 + Math.min(l.ny - 1, Math.floor(event.offsetY * l.ny / canvas.clientHeight));
    const query = new URLSearchParams({ area: l.area, x: String(x), y: String(y), z: String(l.z), w: String(l.w) });
    const result = await api(networkPath(state.network, "/neuron?" + query.toString()));
    if (result.status !== 200) {
      if (result.status !== 401) say("lattice cell " + l.area + " (" + x + "," + y + "," + l.z + "," + l.w + "): " + errorText(result), "error");
      return;
    }
    await probe(result.body);
  }

  // ---- the frame loop ----------------------------------------------------------------------------------

  function busy(what, started) {
    hooks.busyMs[what] = (hooks.busyMs[what] || 0) + (performance.now() - started);
  }

  let lastChartDraw = 0;
  let lastFrame = 0;

  function frame(now) {
    if (state.source) {
      hooks.frames++;
      if (lastFrame > 0) hooks.frameGapMaxMs = Math.max(hooks.frameGapMaxMs, now - lastFrame);
      lastFrame = now;
      let started = performance.now();
      if (drawRaster()) hooks.framesDrawn++;
      busy("draw_raster", started);
      if (now - lastChartDraw >= CHART_REDRAW_MS) {
        lastChartDraw = now;
        started = performance.now();
        drawCharts();
        busy("draw_charts", started);
      }
    } else {
      lastFrame = 0;
    }
    requestAnimationFrame(frame);
  }

  // ---- wiring ------------------------------------------------------------------------------------------

  function start() {
    const p = hashParams();
    if (p.get("view") === "uncommitted") { state.view = "uncommitted"; $("uncommitted").checked = true; }
    for (const button of document.querySelectorAll("#controls button[data-command]")) {
      button.addEventListener("click", () => onControlButton(button.dataset.command));
    }
    rasterCanvas().addEventListener("click", onRasterClick);
    $("uncommitted").addEventListener("change", (e) => {
      state.view = e.target.checked ? "uncommitted" : "committed";
      writeHash();
      connect();
    });
    $("window-ms").addEventListener("change", (e) => { state.windowMs = Number(e.target.value); connect(); });
    $("time-slider").addEventListener("change", (e) => travelTo(Number(e.target.value)));
    $("live").addEventListener("click", goLive);
    for (const id of ["input-sense", "input-sense-name", "input-z", "input-value", "input-duration", "input-matrix"]) {
      $(id).addEventListener("input", composeInputLine);
    }
    for (const radio of document.querySelectorAll("input[name=input-kind]")) radio.addEventListener("change", composeInputLine);
    $("input-form").addEventListener("submit", sendInput);
    window.addEventListener("hashchange", () => {
      const wanted = hashParams().get("network");
      if (wanted && wanted !== state.network) select(wanted);
    });
    composeInputLine();
    if (window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).includes("longtask")) {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) { hooks.longTasks++; hooks.longTaskMs += e.duration; }
      }).observe({ entryTypes: ["longtask"] });
    }
    requestAnimationFrame(frame);
    const wanted = p.get("network");
    if (wanted) select(wanted);
    pollNetworks();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
