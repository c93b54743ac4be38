"use strict";
// The staff page: plain fetch calls to the authenticated API; the token lives in sessionStorage
// so closing the browser logs the clerk out.

// Document types and field names come from the registry (GET /doc-types), not from a copy here.
const DOC_TYPES = {};
const FIELDS = {};
async function loadDocTypes() {
  const res = await fetch("/doc-types");
  if (!res.ok) return;
  for (const t of await res.json()) {
    DOC_TYPES[t.doc_type] = t.display_name;
    for (const f of t.fields) FIELDS[f.key] = f.display_name;
  }
}
const STATUS = { done: "xong", failed: "lỗi", queued: "đang chờ", running: "đang xử lý" };
const OUTCOME = { ingested: "đã số hóa", duplicate: "trùng (đã có)", quarantined: "bị cách ly", failed: "lỗi" };
const INDICATORS = [
  ["digitised", "Hồ sơ được số hóa"], ["e_results", "Kết quả điện tử"],
  ["reused", "Dùng lại dữ liệu đã có"], ["on_time", "Giải quyết đúng hạn"],
];

const $ = (sel) => document.querySelector(sel);
const label = (map, key) => map[key] || key;
const pct = (share) => share.ratio === null ? "—" : `${(share.ratio * 100).toFixed(1)}%`;
function fieldLabel(key) {
  if (FIELDS[key]) return FIELDS[key];
  for (const prefix of ["husband_", "wife_"]) {
    if (key.startsWith(prefix)) return `${prefix === "husband_" ? "Chồng" : "Vợ"}: ${label(FIELDS, key.slice(prefix.length))}`;
  }
  return label(FIELDS, key);
}
function say(text, cls = "") { const s = $("#status"); s.textContent = text; s.className = `status ${cls}`; }
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return node;
}

// Every call goes to the versioned API; errors come back as RFC 9457 problem details.
const API = "/api/v1";

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const token = sessionStorage.getItem("sohoa-token");
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(API + path, Object.assign({}, options, { headers }));
  if (res.status === 401) { logout(); throw new Error("Phiên đăng nhập đã hết, hãy đăng nhập lại."); }
  if (!res.ok) {
    let detail = res.statusText;
    try { const body = await res.json(); detail = body.detail || body.title || detail; } catch (_) { /* not JSON */ }
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  const type = res.headers.get("content-type") || "";
  return type.includes("application/json") ? res.json() : res.blob();
}

// ---- login ---------------------------------------------------------------------------------
async function login(ev) {
  ev.preventDefault();
  const form = new FormData(ev.target);
  try {
    const res = await fetch(`${API}/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) });
    if (!res.ok) throw new Error("Sai tên đăng nhập hoặc mật khẩu.");
    const body = await res.json();
    sessionStorage.setItem("sohoa-token", body.token);
    sessionStorage.setItem("sohoa-user", body.username);
    $("#login-error").textContent = "";
    show();
  } catch (err) { $("#login-error").textContent = err.message; }
}
function logout() {
  const token = sessionStorage.getItem("sohoa-token");
  if (token) fetch(`${API}/auth/logout`, { method: "POST", headers: { Authorization: `Bearer ${token}` } }).catch(() => {});
  sessionStorage.clear();
  $("#login-view").hidden = false; $("#app-view").hidden = true; $("#who").hidden = true;
}
function show() {
  $("#login-view").hidden = true; $("#app-view").hidden = false; $("#who").hidden = false;
  $("#who-name").textContent = sessionStorage.getItem("sohoa-user");
  selectTab("intake");
}
function selectTab(name) {
  document.querySelectorAll("nav button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
  document.querySelectorAll(".tab").forEach((s) => { s.hidden = s.id !== `tab-${name}`; });
  const load = { review: loadReview, signing: loadSigning, dashboard: loadReport }[name];
  if (load) load().catch((err) => say(err.message, "error"));
}

// ---- intake ------------------------------------------------------------------------------
let chosen = [];
function choose(files) {
  chosen = Array.from(files);
  $("#chosen").replaceChildren(...chosen.map((f) => el("li", {}, `${f.name} (${(f.size / 1048576).toFixed(1)} MB)`)));
}
async function upload(ev) {
  ev.preventDefault();
  if (!chosen.length) { say("Chưa chọn tệp nào.", "error"); return; }
  const form = new FormData(ev.target);
  const body = new FormData();
  for (const f of chosen) body.append("files", f, f.name);
  if (form.get("agency")) body.append("agency", form.get("agency"));
  if (form.get("procedure")) body.append("procedure", form.get("procedure"));
  $("#intake-submit").disabled = true;
  try {
    say("Đang tải lên…");
    const job = await api("/intake", { method: "POST", body });
    $("#job").hidden = false;
    await follow(job.job_id);
  } catch (err) { say(err.message, "error"); } finally { $("#intake-submit").disabled = false; }
}
async function follow(jobId) {
  for (;;) {
    const job = await api(`/jobs/${jobId}`);
    const total = Math.max(job.pages_total, 1);
    $("#job-progress").max = total; $("#job-progress").value = job.pages_done;
    $("#job-status").textContent = `Hồ sơ ${job.dossier || "…"}: ${label(STATUS, job.status)} — ` +
      `${job.pages_done}/${job.pages_total} trang, ${job.files_done}/${job.files_total} tệp`;
    if (job.status === "done" || job.status === "failed") { renderJob(job); return; }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
function renderJob(job) {
  const files = (job.result && job.result.files) || [];
  $("#job-result tbody").replaceChildren(...files.map((f) => el("tr", {},
    el("td", {}, f.file), el("td", { class: f.status === "quarantined" || f.status === "failed" ? "error" : "ok" }, label(OUTCOME, f.status)),
    el("td", {}, f.pages ?? ""), el("td", {}, (f.doc_types || []).map((t) => label(DOC_TYPES, t)).join(", ")),
    el("td", {}, f.message || ""))));
  say(job.status === "done" ? `Đã số hóa xong hồ sơ ${job.dossier || ""}.` : `Lỗi: ${job.error || ""}`, job.status === "done" ? "ok" : "error");
}

// ---- review ------------------------------------------------------------------------------
async function loadReview() {
  const items = (await api("/review")).items;
  $("#review-empty").hidden = items.length > 0;
  $("#review-list tbody").replaceChildren(...items.map((it) => el("tr", {
    class: "clickable", tabindex: "0", "data-document": it.document_id, onclick: () => openDocument(it.document_id),
  }, el("td", {}, `${label(DOC_TYPES, it.doc_type)} #${it.document_id}`), el("td", {}, it.dossier || ""),
  el("td", {}, fieldLabel(it.field.key)), el("td", {}, it.field.value ?? ""),
  el("td", { class: "warn" }, `${Math.round(it.field.confidence * 100)}%`))));
}
async function openDocument(id) {
  document.querySelectorAll("#review-list tr").forEach((tr) => tr.classList.toggle("active", tr.dataset.document === String(id)));
  const doc = await api(`/documents/${id}`);
  $("#review-detail").hidden = false;
  $("#detail-title").textContent = `${label(DOC_TYPES, doc.doc_type)} #${doc.id} — hồ sơ ${doc.dossier || "(chưa gắn)"}`;
  const pages = $("#detail-pages"); pages.replaceChildren();
  for (let n = 1; n <= Math.max(doc.pages.length, 1); n += 1) {
    const blob = await api(`/documents/${id}/pages/${n}.png`);
    pages.append(el("img", { src: URL.createObjectURL(blob), alt: `Trang ${n}` }));
  }
  const form = $("#detail-fields");
  form.replaceChildren(...doc.fields.map((f) => {
    const input = el("input", { value: f.value ?? "", name: f.key, "aria-label": fieldLabel(f.key) });
    const save = (value) => correct(id, f.key, value).catch((err) => say(err.message, "error"));
    return el("div", { class: `field${f.needs_review && !f.reviewed ? " review" : ""}`, "data-key": f.key },
      el("label", {}, fieldLabel(f.key), input),
      el("div", { class: "conf" }, `độ tin cậy ${Math.round(f.confidence * 100)}%` + (f.reviewed ? ` · đã kiểm tra bởi ${f.reviewed_by}` : "") +
        (f.original_value && f.original_value !== f.value ? ` · OCR đọc: ${f.original_value}` : "")),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "secondary", onclick: () => save(f.value ?? "") }, "Xác nhận"),
        el("button", { type: "button", onclick: () => save(input.value) }, "Lưu sửa")));
  }));
}
async function correct(id, key, value) {
  await api(`/documents/${id}/fields/${encodeURIComponent(key)}`, {
    method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ value }) });
  say(`Đã lưu trường ${fieldLabel(key)}.`, "ok");
  await loadReview();
  await openDocument(id);
}

// ---- signing queue -------------------------------------------------------------------------
async function loadSigning() {
  const items = (await api("/signing/queue")).items;
  $("#signing-empty").hidden = items.length > 0;
  $("#signing-list tbody").replaceChildren(...items.map((it) => el("tr", {},
    el("td", {}, it.title), el("td", {}, label(DOC_TYPES, it.doc_type)), el("td", {}, it.official || ""),
    el("td", {}, it.queued_by), el("td", {}, new Date(it.created_at).toLocaleString("vi-VN")))));
}

// ---- dashboard -----------------------------------------------------------------------------
function bars(title, rows) {
  const width = 280, barH = 22, gap = 8, left = 110;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${rows.length * (barH + gap) + 4}`);
  svg.setAttribute("role", "img"); svg.setAttribute("aria-label", title);
  rows.forEach(([name, share], i) => {
    const y = i * (barH + gap) + 2, w = (width - left - 50) * (share.ratio || 0);
    const add = (tag, attrs, text) => { const n = document.createElementNS(svg.namespaceURI, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); if (text !== undefined) n.textContent = text; svg.append(n); };
    add("text", { x: 0, y: y + 15, "font-size": 11 }, name.length > 16 ? `${name.slice(0, 15)}…` : name);
    add("rect", { x: left, y, width: width - left - 50, height: barH, fill: "#eef0f3" });
    add("rect", { x: left, y, width: w, height: barH, fill: "#a31d1d" });
    add("text", { x: width - 46, y: y + 15, "font-size": 11 }, pct(share));
  });
  return el("div", { class: "chart" }, el("h3", {}, title), svg);
}
async function loadReport(ev) {
  if (ev) ev.preventDefault();
  const form = new FormData($("#report-form"));
  const query = new URLSearchParams();
  if (form.get("from")) query.set("from", form.get("from"));
  if (form.get("to")) query.set("to", form.get("to"));
  const report = await api(`/report?${query}`);
  const rows = [...report.agencies, ...(report.total ? [report.total] : [])];
  const name = (a) => a.agency === "*" ? "Tổng" : a.agency;
  $("#charts").replaceChildren(...INDICATORS.map(([key, title]) => bars(title, rows.map((a) => [name(a), a[key]]))));
  const cell = (s) => `${pct(s)} (${s.numerator}/${s.denominator})`;
  $("#report-table tbody").replaceChildren(...rows.map((a) => el("tr", {}, el("td", {}, name(a)), el("td", {}, a.dossiers),
    ...INDICATORS.map(([key]) => el("td", {}, cell(a[key]))))));
  const e = report.e_copy_certifications;
  $("#ecopy").textContent = e ? `Chứng thực bản sao điện tử: ${cell(e)}` : "";
}

// ---- wiring ----------------------------------------------------------------------------------
$("#login-form").addEventListener("submit", login);
$("#logout").addEventListener("click", logout);
document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => selectTab(b.dataset.tab)));
$("#files").addEventListener("change", (ev) => choose(ev.target.files));
const drop = $("#drop");
drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (ev) => { ev.preventDefault(); drop.classList.remove("over"); choose(ev.dataTransfer.files); });
$("#intake-form").addEventListener("submit", upload);
$("#review-refresh").addEventListener("click", () => loadReview().catch((err) => say(err.message, "error")));
$("#signing-refresh").addEventListener("click", () => loadSigning().catch((err) => say(err.message, "error")));
$("#report-form").addEventListener("submit", (ev) => loadReport(ev).catch((err) => say(err.message, "error")));
loadDocTypes().catch(() => {}).finally(() => { if (sessionStorage.getItem("sohoa-token")) show(); });
