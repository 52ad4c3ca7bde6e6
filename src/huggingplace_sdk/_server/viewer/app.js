// HuggingPlace trace viewer: plain JS, no build step. Every value from the server is rendered as text
// (textContent / createTextNode): never innerHTML with data, so a "<script>" in a prompt shows as text.
"use strict";

// Attribute names, as in huggingplace_sdk/_semconv.py (a test keeps the two in step).
const A = {
  op: "gen_ai.operation.name",
  requestModel: "gen_ai.request.model",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  finishReasons: "gen_ai.response.finish_reasons",
  ttfc: "gen_ai.response.time_to_first_chunk",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  cacheRead: "gen_ai.usage.cache_read.input_tokens",
  cacheCreation: "gen_ai.usage.cache_creation.input_tokens",
  reasoning: "gen_ai.usage.reasoning.output_tokens",
  inputMessages: "gen_ai.input.messages",
  outputMessages: "gen_ai.output.messages",
  systemInstructions: "gen_ai.system_instructions",
  usageSource: "huggingplace.usage.source",
  streamOutcome: "huggingplace.stream.outcome",
  streamChunks: "huggingplace.stream.chunk_count",
  stepType: "huggingplace.step.type",
  errorType: "error.type",
};
const COST_PREFIX = "huggingplace.cost.";
const LLM_OPERATIONS = new Set(["chat", "text_completion", "embeddings", "generate_content"]);
const STATUS_ERROR = 2;
const PAGE_SIZE = 25;
const CAPTURE_HINT = "Content was not captured. Turn it on with instrument(capture_content=True) or " +
  "HUGGINGPLACE_CAPTURE_CONTENT=true (or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true).";

// --- DOM helpers: text only ------------------------------------------------------------------------
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "onclick") node.addEventListener("click", value);
    else if (name === "style") Object.assign(node.style, value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const link = (route, ...children) => el("a", { href: "#" + route }, ...children);
const enc = encodeURIComponent;
const main = () => document.getElementById("main");

function show(...nodes) {
  const target = main();
  target.replaceChildren(...nodes);
}

function crumbs(...parts) {
  document.getElementById("crumbs").replaceChildren(...parts.map((p) => (typeof p === "string" ? el("span", {}, p) : p)));
}

const fmtInt = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US"));
const fmtMs = (ms) => (ms === null || ms === undefined ? "—" : ms >= 1000 ? (ms / 1000).toFixed(2) + " s" : ms.toFixed(1) + " ms");
const fmtTime = (iso) => (iso ? iso.replace("T", " ").replace(/\+00:00$/, " UTC") : "—");
const asText = (value) => (typeof value === "string" ? value : JSON.stringify(value));

// --- server access ---------------------------------------------------------------------------------
class SignInNeeded extends Error {}

async function api(path) {
  const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) throw new SignInNeeded();
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || body.message || "HTTP " + response.status);
  return body;
}

function signInNotice() {
  return el("div", { className: "notice", id: "signin-notice" },
    "Not signed in. Open the one-time sign-in link that `huggingplace serve` printed ",
    "(each link works once; restart the server or call LocalServer.login_url() for a new one).");
}

// --- sessions --------------------------------------------------------------------------------------
async function renderSessions(query) {
  crumbs("Sessions");
  const params = new URLSearchParams(query);
  const offset = Number(params.get("offset") || 0);
  params.set("limit", String(PAGE_SIZE));
  const data = await api("/v1/viewer/sessions?" + params.toString());
  const field = (name, placeholder) => el("input", { name, placeholder, value: params.get(name) || "", "aria-label": placeholder });
  const status = el("select", { name: "status", "aria-label": "status" },
    ...["", "ok", "error"].map((v) => el("option", { value: v, selected: (params.get("status") || "") === v }, v || "any status")));
  const form = el("form", { className: "filters", id: "filters" },
    field("session", "session"), field("user", "user"), field("model", "model"), status,
    field("since", "since (ISO time)"), field("until", "until (ISO time)"), el("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) next.set(name, String(value));
    location.hash = "#/?" + next.toString();
  });
  const rows = data.sessions.map((s) => el("tr", { className: "session-row" },
    el("td", {}, link("/session/" + enc(s.session_id), s.session_id)),
    el("td", {}, s.user_id || "—"),
    el("td", { className: "num" }, fmtInt(s.interactions)),
    el("td", { className: "num tokens" }, fmtInt(s.input_tokens + s.output_tokens)),
    el("td", { className: "num" }, s.errors ? el("span", { className: "badge err" }, fmtInt(s.errors)) : "0"),
    el("td", {}, s.models.join(", ") || "—"),
    el("td", {}, fmtTime(s.first_seen)),
    el("td", {}, fmtTime(s.last_seen))));
  const table = el("table", { id: "sessions" },
    el("thead", {}, el("tr", {}, ...["session", "user", "interactions", "tokens", "errors", "models", "first seen", "last seen"]
      .map((h, i) => el("th", { className: i >= 2 && i <= 4 ? "num" : "" }, h)))),
    el("tbody", {}, rows));
  const page = (delta) => () => { params.set("offset", String(Math.max(0, offset + delta))); params.delete("limit"); location.hash = "#/?" + params.toString(); };
  const pager = el("div", { className: "pager" },
    el("button", { onclick: page(-PAGE_SIZE), disabled: offset === 0 }, "‹ previous"),
    el("span", { id: "page-info" }, data.total ? `${offset + 1}–${offset + data.sessions.length} of ${data.total}` : "no sessions"),
    el("button", { onclick: page(PAGE_SIZE), disabled: offset + data.sessions.length >= data.total }, "next ›"));
  show(el("h2", {}, "Sessions"), form, table, pager);
}

// --- recent traces, with or without a session ------------------------------------------------------
async function renderTraces() {
  crumbs("Traces");
  const data = await api("/v1/traces?limit=200");
  const rows = data.traces.map((t) => el("tr", { className: "trace-row" },
    el("td", {}, link("/trace/" + t.trace_id, t.root_name || t.trace_id)),
    el("td", {}, t.session_id ? link("/session/" + enc(t.session_id), t.session_id) : "—"),
    el("td", { className: "num" }, fmtInt(t.span_count)),
    el("td", { className: "num tokens" }, fmtInt((t.input_tokens || 0) + (t.output_tokens || 0))),
    el("td", { className: "num" }, t.errors ? el("span", { className: "badge err" }, fmtInt(t.errors)) : "0"),
    el("td", { className: "num" }, fmtMs(t.duration_ms)),
    el("td", {}, fmtTime(t.start))));
  const table = el("table", { id: "traces" },
    el("thead", {}, el("tr", {}, ...["root span", "session", "spans", "tokens", "errors", "duration", "start"]
      .map((h, i) => el("th", { className: i >= 2 && i <= 5 ? "num" : "" }, h)))),
    el("tbody", {}, rows));
  show(el("h2", {}, "Recent traces"), table, data.traces.length ? null : el("p", { className: "muted" }, "No traces yet."));
}

// --- one session as a conversation -----------------------------------------------------------------
function bubble(role, text) {
  return el("div", { className: "bubble role-" + role }, el("span", { className: "role-label" }, role), text);
}

async function renderSession(sessionId) {
  crumbs(link("/", "Sessions"), "›", sessionId);
  const data = await api("/v1/viewer/sessions/" + enc(sessionId));
  const cards = data.interactions.map((item, index) => el("section", { className: "interaction" },
    el("div", { className: "meta" },
      `#${index + 1} · ${fmtTime(item.start)} · `, item.root_name || "interaction",
      el("span", { className: "badge tokens" }, `${fmtInt(item.input_tokens)} in / ${fmtInt(item.output_tokens)} out`),
      el("span", { className: "badge" }, fmtMs(item.duration_ms)),
      item.model ? el("span", { className: "badge" }, item.model) : null,
      item.errors ? el("span", { className: "badge err" }, "error") : null, " ",
      item.trace_id && item.kind === "trace" ? link("/trace/" + item.trace_id, "waterfall") : null, " ",
      item.message_id ? link("/message/" + enc(item.message_id), "permalink") : null),
    item.prompt !== null && item.prompt !== undefined ? bubble("user", item.prompt) : null,
    item.response !== null && item.response !== undefined ? bubble("assistant", item.response) : null,
    item.prompt == null && item.response == null ? el("p", { className: "notice" }, CAPTURE_HINT) : null));
  show(el("h2", {}, "Session ", sessionId), el("div", { id: "conversation" }, cards));
}

// --- a trace as a waterfall ------------------------------------------------------------------------
function spanKind(span) {
  const a = span.attributes;
  const op = a[A.op];
  if (LLM_OPERATIONS.has(op)) return "llm";
  if (op === "execute_tool" || a[A.stepType] === "tool") return "tool";
  if (op === "invoke_agent" || a[A.stepType] === "agent") return "agent";
  if (a[A.stepType] !== undefined) return "step";
  return "span";
}

function buildTree(spans) {
  const byId = new Map(spans.map((s) => [s.span_id, s]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    span.kindName = spanKind(span);
    span.ownIn = span.kindName === "llm" ? (span.input_tokens || 0) : 0;
    span.ownOut = span.kindName === "llm" ? (span.output_tokens || 0) : 0;
    if (span.parent_span_id && byId.has(span.parent_span_id)) {
      if (!children.has(span.parent_span_id)) children.set(span.parent_span_id, []);
      children.get(span.parent_span_id).push(span);
    } else roots.push(span);
  }
  const ordered = [];
  // Iterative walk: a 1,000-span chain must not overflow the stack.
  const stack = roots.slice().reverse().map((s) => [s, 0]);
  while (stack.length) {
    const [span, depth] = stack.pop();
    span.depth = depth;
    ordered.push(span);
    const kids = (children.get(span.span_id) || []).sort((x, y) => x.start_ns - y.start_ns);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1]);
  }
  // Parents show the sum of their descendants' tokens: fold from the deepest rows up.
  for (const span of ordered) { span.sumIn = span.ownIn; span.sumOut = span.ownOut; }
  for (let i = ordered.length - 1; i >= 0; i--) {
    const span = ordered[i];
    const parent = byId.get(span.parent_span_id);
    if (parent && parent !== span) { parent.sumIn += span.sumIn; parent.sumOut += span.sumOut; }
  }
  return ordered;
}

function waterfall(spans, selectedId, traceId) {
  const start = Math.min(...spans.map((s) => s.start_ns));
  const end = Math.max(...spans.map((s) => s.end_ns));
  const total = Math.max(end - start, 1);
  const rows = spans.map((span) => {
    const outcome = span.attributes[A.streamOutcome];
    const isError = span.status_code === STATUS_ERROR;
    const errorType = span.attributes[A.errorType];
    const streamNote = outcome && outcome !== "completed" ? "stream " + outcome : null;
    const left = ((span.start_ns - start) / total) * 100;
    const width = Math.max(((span.end_ns - span.start_ns) / total) * 100, 0.15);
    const tokens = span.sumIn + span.sumOut > 0 ? el("span", { className: "badge tokens" }, `${fmtInt(span.sumIn)}/${fmtInt(span.sumOut)} tok`) : null;
    const classes = ["wf-row", "kind-" + span.kindName, isError ? "error" : "", span.span_id === selectedId ? "selected" : ""];
    return el("div", { className: classes.join(" "), "data-span-id": span.span_id, role: "row",
      onclick: () => { location.hash = "#/trace/" + traceId + "/" + span.span_id; } },
      el("div", { className: "wf-name", style: { paddingLeft: 6 + span.depth * 14 + "px" }, title: span.name },
        el("span", { className: "kind kind-" + span.kindName }, span.kindName),
        el("span", { className: "span-name" }, span.name),
        isError && errorType !== outcome ? el("span", { className: "badge err", title: "error" }, "⚠ " + (errorType || "error")) : null,
        streamNote ? el("span", { className: "badge err stream-outcome" }, (isError ? "⚠ " : "") + streamNote) : null,
        tokens,
        el("span", { className: "badge" }, fmtMs((span.end_ns - span.start_ns) / 1e6))),
      el("div", { className: "wf-track" },
        el("div", { className: ["wf-bar", "kind-" + span.kindName, isError ? "error" : "", outcome ? "stream-" + outcome : ""].join(" "),
          style: { left: left + "%", width: width + "%" } })));
  });
  return el("div", { className: "waterfall", id: "waterfall", role: "table" }, rows);
}

function parseJson(value) {
  if (typeof value !== "string") return value;
  try { return JSON.parse(value); } catch (e) { return null; }
}

function messageParts(message) {
  const parts = Array.isArray(message.parts) ? message.parts : [];
  if (!parts.length && message.content !== undefined) return [asText(message.content)];
  return parts.map((part) => {
    if (part.type === "text") return asText(part.content);
    if (part.type === "tool_call") return `tool call ${part.name || ""} (${part.id || ""}): ${asText(part.arguments ?? "")}`;
    if (part.type === "tool_call_response") return `tool result (${part.id || ""}): ${asText(part.response ?? "")}`;
    return asText(part);
  }).join("\n");
}

function conversation(span) {
  const a = span.attributes;
  const system = parseJson(a[A.systemInstructions]);
  const input = parseJson(a[A.inputMessages]);
  const output = parseJson(a[A.outputMessages]);
  if (!input && !output && !system) return span.kindName === "llm" ? el("p", { className: "notice", id: "content-notice" }, CAPTURE_HINT) : null;
  const bubbles = [];
  if (Array.isArray(system)) bubbles.push(bubble("system", system.map((p) => asText(p.content ?? p)).join("\n")));
  for (const message of [...(Array.isArray(input) ? input : []), ...(Array.isArray(output) ? output : [])]) {
    const role = ["user", "assistant", "system", "tool"].includes(message.role) ? message.role : "tool";
    bubbles.push(bubble(role, messageParts(message)));
  }
  return el("div", { id: "messages" }, el("h3", {}, "Messages"), bubbles);
}

function keyValueTable(entries, id) {
  return el("table", { id }, el("tbody", {}, entries.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, asText(v))))));
}

function spanDetails(span) {
  const a = span.attributes;
  const usage = [
    ["input tokens", a[A.inputTokens]], ["output tokens", a[A.outputTokens]], ["cache read", a[A.cacheRead]],
    ["cache creation", a[A.cacheCreation]], ["reasoning", a[A.reasoning]], ["usage source", a[A.usageSource]],
    ["time to first chunk (s)", a[A.ttfc]], ["stream outcome", a[A.streamOutcome]], ["chunks", a[A.streamChunks]],
    ["finish reasons", a[A.finishReasons]], ["response id", a[A.responseId]],
    ...Object.keys(a).filter((k) => k.startsWith(COST_PREFIX)).map((k) => [k.slice(COST_PREFIX.length), a[k]]),
  ].filter(([, v]) => v !== undefined && v !== null);
  if (span.kindName !== "llm" && span.sumIn + span.sumOut > 0) usage.unshift(["descendants' tokens (in/out)", `${span.sumIn}/${span.sumOut}`]);
  const events = span.events.map((e) => el("li", {}, e.name, " ", el("span", { className: "muted" }, asText(e.attributes))));
  return el("div", { className: "details", id: "span-details" },
    el("h2", {}, span.name),
    el("p", { className: "muted" }, `${span.kindName} · ${fmtMs((span.end_ns - span.start_ns) / 1e6)} · span ${span.span_id}`,
      span.status_code === STATUS_ERROR ? el("span", { className: "error-text" }, " · error: " + (span.status_message || a[A.errorType] || "")) : null),
    usage.length ? [el("h3", {}, "Usage"), keyValueTable(usage, "usage")] : null,
    conversation(span),
    el("h3", {}, "Attributes"), keyValueTable(Object.entries(a).sort(), "attributes"),
    events.length ? [el("h3", {}, "Events"), el("ul", { id: "events" }, events)] : null,
    el("h3", {}, "Resource"), keyValueTable(Object.entries(span.resource).sort(), "resource"));
}

function logDetails(log) {
  return el("div", { className: "details", id: "log-details" },
    el("h2", {}, "Interaction log ", log.message_id || ""),
    bubble("user", asText(log.user_prompt ?? "")), bubble("assistant", asText(log.ai_response ?? log.response ?? "")),
    keyValueTable(Object.entries(log).filter(([k]) => !["user_prompt", "ai_response", "response", "step_data"].includes(k)), "log-fields"));
}

async function copyText(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* fall back below */ }
  const area = el("textarea", { style: { position: "fixed", opacity: "0" } });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok;
}

async function renderTrace(traceId, spanId, fromLog) {
  const data = await api("/v1/traces/" + enc(traceId));
  const spans = buildTree(data.spans);
  const session = spans.find((s) => s.session_id) || {};
  crumbs(link("/", "Sessions"), "›", session.session_id ? link("/session/" + enc(session.session_id), session.session_id) : "", "›", "trace " + traceId);
  const status = el("span", { id: "copy-status", className: "muted" });
  const copy = el("button", { id: "copy-json", onclick: async () => {
    const done = await copyText(JSON.stringify({ trace_id: data.trace_id, spans: data.spans.map(stripView), logs: data.logs }, null, 2));
    status.textContent = done ? `Copied ${data.spans.length} spans as JSON.` : "Copy failed: your browser refused the clipboard.";
  } }, "Copy as JSON");
  const logsNote = data.logs.length ? el("span", { className: "muted" }, `${data.logs.length} interaction log(s) linked`) : null;
  const selected = spans.find((s) => s.span_id === spanId) || spans[0];
  const toolbar = el("div", { className: "toolbar" }, el("strong", {}, "Trace ", traceId),
    el("span", { className: "badge", id: "span-count" }, `${spans.length} spans`), copy, status, logsNote);
  if (!spans.length) { show(toolbar, el("p", { className: "notice" }, "No spans arrived over OTLP for this trace; only its log."), ...data.logs.map(logDetails)); return; }
  const right = fromLog ? logDetails(fromLog) : spanDetails(selected);
  show(toolbar, el("div", { className: "layout" }, waterfall(spans, selected.span_id, traceId), right));
}

function stripView(span) {
  const { kindName, ownIn, ownOut, sumIn, sumOut, depth, ...rest } = span;
  return rest;
}

async function renderMessage(messageId) {
  const log = await api("/v1/logs/" + enc(messageId));
  const meta = log.metaData || log.metadata || {};
  const traceId = meta.trace_id;
  if (traceId) { await renderTrace(traceId, null, null); return; }
  crumbs(link("/", "Sessions"), "›", "log " + messageId);
  show(logDetails(log));
}

// --- router ----------------------------------------------------------------------------------------
async function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === "session" && parts[1]) await renderSession(parts[1]);
    else if (parts[0] === "trace" && parts[1]) await renderTrace(parts[1], parts[2] || null, null);
    else if (parts[0] === "message" && parts[1]) await renderMessage(parts[1]);
    else if (parts[0] === "traces") await renderTraces();
    else await renderSessions(query || "");
  } catch (error) {
    if (error instanceof SignInNeeded) show(signInNotice());
    else show(el("p", { className: "notice error-text", id: "load-error" }, String(error.message || error)));
  }
  document.body.setAttribute("data-ready", hash);
}

window.addEventListener("hashchange", route);
route();
