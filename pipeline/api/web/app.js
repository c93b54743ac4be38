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
// Dates as the commune reads them: dd/mm/yyyy, in Vietnam's time zone.
const VN_PARTS = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit",
  year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
function fmtDate(value) {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) { const [y, m, d] = value.split("-"); return `${d}/${m}/${y}`; }
  const p = Object.fromEntries(VN_PARTS.formatToParts(new Date(value)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year}`;
}
function fmtDateTime(value) {
  if (!value) return "—";
  const p = Object.fromEntries(VN_PARTS.formatToParts(new Date(value)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}
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
  selectTab("receive");
  loadMe().catch(() => {});
  loadProcedures().catch((err) => say(err.message, "error"));
}
async function loadMe() {
  const me = await api("/auth/me");
  // An official (no intake scope) starts at the signing queue; receiving is the clerks' work.
  if (!me.scopes.includes("intake")) {
    for (const tab of ["receive", "intake"]) document.querySelector(`nav button[data-tab=${tab}]`).hidden = true;
    selectTab("signing");
  }
  const own = me.agencies.filter((a) => a !== "*");
  if (own.length === 1) {
    for (const input of document.querySelectorAll("input[name=agency]")) if (!input.value) input.value = own[0];
  }
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
    el("td", {}, it.title), el("td", {}, it.dossier || ""), el("td", {}, STAMP[it.stamp] || label(DOC_TYPES, it.doc_type)), el("td", {}, it.official || ""),
    el("td", {}, it.queued_by), el("td", {}, fmtDateTime(it.created_at)))));
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


// ---- receive: applicant, procedure, reuse first, scan the rest, the slip --------------------
const COMPONENT = { received: "đã nộp bản quét", reused: "dùng lại dữ liệu đã có", held: "đã có trong kho", missing: "còn thiếu" };
const MATCHED = { code: "mã hồ sơ", id_number: "số định danh", name: "họ tên", text: "nội dung giấy tờ" };
const ACTIONS = {
  "dossier.received": "Tiếp nhận hồ sơ", "dossier.created": "Tạo hồ sơ", "dossier.status": "Đổi trạng thái",
  "dossier.transition": "Chuyển trạng thái", "dossier.returned": "Trả kết quả", "component.reused": "Dùng lại giấy tờ đã có",
  "component.typed": "Xác định loại thành phần", "document.digitised": "Số hóa giấy tờ", "document.signed": "Ký số bản số hóa",
  "document.signed_result": "Ký số kết quả", "result.signed": "Ban hành kết quả", "document.doc_type": "Sửa loại giấy tờ",
  "scan.duplicate": "Bản quét đã có (dùng lại)", "signing.queued": "Đưa vào hàng đợi ký", "signing.cancelled": "Hủy ký",
  "dossier.result_attached": "Đính kèm kết quả, chuyển ký", "dossier.result_cancelled": "Hủy kết quả đang chờ ký",
};
// A queue item's stamp: what the official's signing agent will put on it.
const STAMP = { received: "Bản số hóa (ký nhận)", result: "Kết quả (cán bộ có thẩm quyền ký)", seal: "Kết quả (đóng dấu cơ quan)" };
const STAGES = {
  awaiting_official: "Chờ cán bộ có thẩm quyền ký", awaiting_seal: "Đã ký, chờ đóng dấu cơ quan",
  issued: "Đã ký, đóng dấu và ghi nhận là kết quả điện tử", cancelled: "Đã hủy",
};
const STATES = {
  received: "Đã tiếp nhận", processing: "Đang xử lý", supplement_requested: "Chờ bổ sung hồ sơ", finished: "Đã có kết quả",
  returned: "Đã trả kết quả", rejected: "Từ chối giải quyết", withdrawn: "Đã rút hồ sơ",
};
// The buttons offered per state; the server decides (pipeline.dossier.lifecycle.ALLOWED).
const MOVES = {
  received: [["processing", "Chuyển xử lý"], ["supplement_requested", "Yêu cầu bổ sung"], ["rejected", "Từ chối"], ["withdrawn", "Công dân rút hồ sơ"]],
  // "finished" comes with the result (Kết quả giải quyết below), "returned" with its button there.
  processing: [["supplement_requested", "Yêu cầu bổ sung"], ["rejected", "Từ chối"], ["withdrawn", "Công dân rút hồ sơ"]],
  supplement_requested: [["processing", "Đã nhận đủ bổ sung"], ["rejected", "Từ chối"], ["withdrawn", "Công dân rút hồ sơ"]],
};
const NEEDS_REASON = new Set(["supplement_requested", "rejected", "withdrawn"]);
let procedures = [];
let receipt = null;  // the dossier being received
let current = null;  // the dossier page's code

async function loadProcedures() {
  procedures = await api("/procedures");
  const select = $("#procedure");
  select.replaceChildren(el("option", { value: "" }, "— chọn thủ tục —"),
    ...procedures.map((p) => el("option", { value: p.code }, `${p.name} (${p.code})`)));
}
function showProcedure() {
  const p = procedures.find((x) => x.code === $("#procedure").value);
  $("#procedure-components").replaceChildren(...(p ? [
    el("li", { class: "hint" }, `Thời hạn giải quyết: ${p.processing_days ?? "—"} ngày làm việc · lệ phí: ${p.fee_vnd ? `${p.fee_vnd.toLocaleString("vi-VN")} đồng` : "không"}`),
    ...p.components.map((c) => el("li", {}, `• ${c.label || label(DOC_TYPES, c.doc_type)}${c.original_required ? " (xuất trình bản chính)" : ""}`)),
  ] : []));
}
async function receiveDossier(ev) {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const body = { agency: form.get("agency"), procedure: form.get("procedure"), applicant: form.get("applicant").replace(/\s/g, ""),
    name: form.get("name") || null, phone: form.get("phone") || null, reuse: [] };
  $("#receive-submit").disabled = true;
  try {
    const view = await api("/dossiers/receive", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    renderReceipt(view);
    say(`Đã tiếp nhận hồ sơ ${view.code}.`, "ok");
  } catch (err) { say(err.message, "error"); } finally { $("#receive-submit").disabled = false; }
}
function componentName(c) { return c.label || label(DOC_TYPES, c.doc_type); }
function renderReceipt(view) {
  receipt = view;
  $("#receipt").hidden = false;
  $("#receipt-code").textContent = view.code;
  $("#slip-download").hidden = true;
  $("#receipt-summary").textContent = `${view.procedure_name || view.procedure || ""} · người nộp: ${view.applicant_name || ""} (${view.applicant_id}) · hẹn trả kết quả: ${fmtDate(view.promised_date)}`;
  $("#receipt-components tbody").replaceChildren(...view.components.map((c) => {
    let action = "";
    if (c.status === "held") {
      action = el("button", { type: "button", class: "reuse", "data-doc-type": c.doc_type, onclick: () => reuse(c.doc_type) }, "Dùng lại");
    } else if (c.status === "missing") {
      const input = el("input", { type: "file", accept: ".pdf,.tif,.tiff,.jpg,.jpeg,.png", multiple: "", "aria-label": `Tệp quét: ${componentName(c)}` });
      action = el("span", { class: "upload", "data-doc-type": c.doc_type }, input,
        el("button", { type: "button", onclick: () => scanMissing(input.files) }, "Tải lên"));
    }
    const held = c.status === "held" && c.held_from ? ` (hồ sơ ${c.held_from}${c.signed ? ", đã ký số" : ""})` : "";
    return el("tr", { "data-doc-type": c.doc_type, "data-status": c.status },
      el("td", {}, componentName(c)), el("td", { class: c.status === "missing" ? "warn" : "ok" }, label(COMPONENT, c.status) + held),
      el("td", {}, action));
  }));
}
async function reuse(docType) {
  try {
    const view = await api(`/dossiers/${encodeURIComponent(receipt.code)}/reuse`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ components: [docType] }) });
    renderReceipt(view);
    say(`Đã dùng lại ${label(DOC_TYPES, docType)} đã có.`, "ok");
  } catch (err) { say(err.message, "error"); }
}
async function scanMissing(files) {
  if (!files || !files.length) { say("Chưa chọn tệp quét.", "error"); return; }
  const body = new FormData();
  for (const f of files) body.append("files", f, f.name);
  try {
    say("Đang tải lên…");
    const job = await api(`/dossiers/${encodeURIComponent(receipt.code)}/scans`, { method: "POST", body });
    for (;;) {
      const j = await api(`/jobs/${job.job_id}`);
      $("#receipt-job").textContent = `Đang số hóa: ${j.pages_done}/${j.pages_total} trang, ${j.files_done}/${j.files_total} tệp`;
      if (j.status === "done" || j.status === "failed") {
        $("#receipt-job").textContent = j.status === "done" ? "Đã số hóa xong bản quét." : `Lỗi: ${j.error || ""}`;
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    renderReceipt(await api(`/dossiers/${encodeURIComponent(receipt.code)}/case`));
    say("Đã tiếp nhận bản quét.", "ok");
  } catch (err) { say(err.message, "error"); }
}
async function printSlip() {
  if (!receipt) return;
  try {
    const blob = await api(`/dossiers/${encodeURIComponent(receipt.code)}/slip.pdf`);
    const url = URL.createObjectURL(blob);
    const link = $("#slip-download");
    link.href = url; link.download = `giay-hen-${receipt.code}.pdf`; link.hidden = false;
    window.open(url, "_blank");
    say("Đã tạo giấy tiếp nhận và hẹn trả kết quả.", "ok");
  } catch (err) { say(err.message, "error"); }
}

// ---- search ----------------------------------------------------------------------------------
async function search(ev) {
  ev.preventDefault();
  const q = new FormData(ev.target).get("q").trim();
  if (!q) return;
  $("#search-results tbody").replaceChildren();  // no stale rows while the answer comes
  $("#search-empty").hidden = true;
  const found = await api(`/search?${new URLSearchParams({ q })}`);
  $("#search-empty").hidden = found.items.length > 0;
  $("#search-results").hidden = found.items.length === 0;
  $("#search-results tbody").replaceChildren(...found.items.map((h) => el("tr", {
    class: "clickable", tabindex: "0", "data-code": h.code, onclick: () => openDossier(h.code),
    onkeydown: (e) => { if (e.key === "Enter") openDossier(h.code); },
  }, el("td", {}, h.code), el("td", {}, [h.applicant_name, h.applicant_id].filter(Boolean).join(" · ")),
  el("td", {}, h.procedure_name || h.procedure || ""), el("td", {}, h.state_label), el("td", {}, fmtDate(h.received_at)),
  el("td", {}, label(MATCHED, h.matched), h.snippet ? el("div", { class: "snippet" }, h.snippet) : ""))));
}

// ---- the dossier page ------------------------------------------------------------------------
async function openDossier(code) {
  current = code;
  $("#dossier-tab").hidden = false;
  selectTab("dossier");
  await loadDossier().catch((err) => say(err.message, "error"));
}
function describe(entry, resultDocument) {
  if (entry.action === "document.signed" && resultDocument && entry.document_id === resultDocument) {
    return "Ký số kết quả";  // the official's signature, then the seal, on the dossier's result
  }
  const what = label(ACTIONS, entry.action);
  if (entry.action === "dossier.transition") return `${what}: ${label(STATES, entry.previous)} → ${label(STATES, entry.state)}${entry.reason ? ` (lý do: ${entry.reason})` : ""}`;
  if (entry.action === "component.reused" && entry.doc_type) return `${what}: ${label(DOC_TYPES, entry.doc_type)}`;
  return what;
}
async function loadDossier() {
  const code = encodeURIComponent(current);
  const docs = await api(`/dossiers/${code}`);
  // A dossier made by plain intake (Tải bản quét) has no receipt record: its documents only.
  const view = await api(`/dossiers/${code}/case`).catch(() => ({
    code: docs.code, procedure: docs.procedure, procedure_name: "", applicant_id: "—", state: docs.status,
    state_label: label(STATES, docs.status), received_at: docs.received_at, promised_date: docs.promised_date,
    received_by: "—", components: [], timeline: [], plain: true,
  }));
  // the result on its way (or issued): its panel below, and its signatures named in the timeline
  const latest = view.plain ? null : await api(`/dossiers/${code}/result`).catch(() => null);
  $("#dossier-code").textContent = view.code;
  $("#transitions").hidden = Boolean(view.plain);
  const fact = (k, v) => [el("dt", {}, k), el("dd", {}, v ?? "—")];
  $("#dossier-facts").replaceChildren(
    ...fact("Thủ tục", `${view.procedure_name || ""} (${view.procedure || "—"})`),
    ...fact("Người nộp", `${view.applicant_name || ""} · ${view.applicant_id}${view.applicant_phone ? ` · ${view.applicant_phone}` : ""}`),
    ...fact("Trạng thái", view.state_label), ...fact("Ngày tiếp nhận", fmtDate(view.received_at)),
    ...fact("Hẹn trả kết quả", fmtDate(view.promised_date)), ...fact("Cán bộ tiếp nhận", view.received_by));
  $("#dossier-components tbody").replaceChildren(...view.components.map((c) => el("tr", { "data-status": c.status },
    el("td", {}, componentName(c)), el("td", { class: c.status === "missing" ? "warn" : "" }, label(COMPONENT, c.status)),
    el("td", {}, c.signed ? "đã ký" : "chưa ký"))));
  // dossiers.status follows every transition (the coarse status Decision 766 reads): shown once.
  $("#timeline").replaceChildren(...view.timeline.filter((t) => t.action !== "dossier.status").map((t) => el("li", {},
    el("time", { datetime: t.at }, fmtDateTime(t.at)), " ", el("span", { class: "what" }, describe(t, latest && latest.document_id)),
    el("span", { class: "who" }, ` — ${t.actor}`))));
  $("#transition-buttons").replaceChildren(...(view.plain ? [] : MOVES[view.state] || []).map(([state, text]) =>
    el("button", { type: "button", "data-state": state, class: state === "rejected" || state === "withdrawn" ? "secondary" : "",
      onclick: () => move(state) }, text)));
  renderResult(view, latest);
  $("#doc-viewer").hidden = true;
  $("#dossier-documents").replaceChildren(...docs.documents.map((d) => el("li", { "data-document": d.id },
    el("span", {}, `${label(DOC_TYPES, d.doc_type)} #${d.id}${d.signed ? " · đã ký số" : ""}${d.dossier ? "" : " · dùng lại"}`),
    el("span", { class: "actions" },
      el("button", { type: "button", class: "small view", onclick: () => viewDocument(d.id) }, "Xem"),
      el("button", { type: "button", class: "small secondary download", onclick: () => downloadDocument(d.id) }, "Tải về")))));
}
async function move(state) {
  const reason = $("#transition-reason").value.trim();
  if (NEEDS_REASON.has(state) && !reason) { say("Cần ghi lý do.", "error"); $("#transition-reason").focus(); return; }
  try {
    await api(`/dossiers/${encodeURIComponent(current)}/transitions`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ state, reason: reason || null }) });
    $("#transition-reason").value = "";
    say(`Hồ sơ ${current}: ${label(STATES, state)}.`, "ok");
    await loadDossier();
  } catch (err) { say(err.message, "error"); }
}

// ---- the result: attach (PDF or template) → the official signs → the seal → return ----------
function citizenLink(view) {
  return el("a", { id: "citizen-link", href: `/tra-cuu/${encodeURIComponent(view.code)}?t=${encodeURIComponent(view.token)}`,
    target: "_blank", rel: "noopener" }, "Trang tra cứu của công dân (mã QR)");
}
function renderResult(view, latest) {
  const box = $("#dossier-result");
  box.replaceChildren();
  if (view.plain) return;
  const code = encodeURIComponent(view.code);
  box.append(el("h3", {}, "Kết quả giải quyết"));
  if (latest && (latest.stage === "awaiting_official" || latest.stage === "awaiting_seal")) {
    box.append(
      el("p", { id: "result-stage", "data-stage": latest.stage }, el("strong", {}, STAGES[latest.stage])),
      el("p", { class: "hint" }, `Người ký: ${latest.official} · Người đóng dấu: ${latest.seal} · gửi ký ${fmtDateTime(latest.created_at)}. `
        + "Cán bộ ký tại mục “Chờ ký số” bằng ứng dụng ký trên máy của mình (Ký bằng token)."),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "small", onclick: () => viewDocument(latest.document_id) }, "Xem bản kết quả"),
        el("button", { type: "button", class: "small secondary", id: "result-cancel", onclick: () => cancelResult() }, "Hủy kết quả này")));
    return;
  }
  if (view.result_document_id) {
    const issued = latest && latest.stage === "issued" ? ` ngày ${fmtDate(latest.issued_at)}` : "";
    box.append(el("p", { id: "result-stage", "data-stage": "issued" }, el("strong", {}, `Kết quả điện tử đã ký số${issued}`)),
      el("p", {}, citizenLink(view)),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "small", onclick: () => viewDocument(view.result_document_id) }, "Xem kết quả"),
        view.state === "finished"
          ? el("button", { type: "button", id: "result-return", onclick: () => returnResult() }, "Trả kết quả")
          : el("span", { class: "ok" }, view.state === "returned" ? "Đã trả kết quả cho công dân" : "")));
    return;
  }
  if (view.state !== "received" && view.state !== "processing") return;
  box.append(resultForm(code));
}
function resultForm(code) {
  const saved = JSON.parse(localStorage.getItem("sohoa-signers") || "{}");
  const how = (value, text, checked) => el("label", { class: "choice" },
    el("input", Object.assign({ type: "radio", name: "how", value }, checked ? { checked: "" } : {})), text);
  const form = el("form", { id: "result-form" },
    el("div", { class: "row" }, how("pdf", "Tải lên tệp kết quả (PDF)", true), how("template", "Tạo từ mẫu (giấy xác nhận)", false)),
    el("label", { class: "wide", "data-how": "pdf" }, "Tệp kết quả", el("input", { type: "file", name: "file", accept: ".pdf,.jpg,.jpeg,.png,.tif,.tiff" })),
    el("label", { class: "wide", "data-how": "template", hidden: "" }, "Nội dung kết quả", el("textarea", { name: "content", rows: "4", maxlength: "4000" })),
    el("label", { "data-how": "template", hidden: "" }, "Địa danh", el("input", { name: "place", maxlength: "100" })),
    el("div", { class: "row" },
      el("label", {}, "Cán bộ có thẩm quyền ký (tên đăng nhập)", el("input", { name: "official", required: "", maxlength: "64", value: saved.official || "", autocomplete: "off" })),
      el("label", {}, "Cán bộ giữ dấu cơ quan (tên đăng nhập)", el("input", { name: "seal", required: "", maxlength: "64", value: saved.seal || "", autocomplete: "off" }))),
    el("button", { type: "submit", id: "result-submit" }, "Chuyển ký kết quả"));
  form.addEventListener("change", () => {
    const chosen = form.elements.how.value;
    form.querySelectorAll("[data-how]").forEach((n) => { n.hidden = n.dataset.how !== chosen; });
  });
  form.addEventListener("submit", (ev) => attachResult(ev, code));
  return form;
}
async function attachResult(ev, code) {
  ev.preventDefault();
  const form = ev.target;
  const official = form.elements.official.value.trim(), seal = form.elements.seal.value.trim();
  localStorage.setItem("sohoa-signers", JSON.stringify({ official, seal }));
  try {
    if (form.elements.how.value === "pdf") {
      const file = form.elements.file.files[0];
      if (!file) { say("Chọn tệp kết quả.", "error"); return; }
      const query = new URLSearchParams({ official, seal });
      await api(`/dossiers/${code}/result?${query}`, { method: "POST", headers: { "Content-Type": "application/pdf" }, body: file });
    } else {
      await api(`/dossiers/${code}/result/generated`, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ content: form.elements.content.value, place: form.elements.place.value || null, official, seal }) });
    }
    say(`Đã chuyển kết quả hồ sơ ${current} cho ${official} ký.`, "ok");
    await loadDossier();
  } catch (err) { say(err.message, "error"); }
}
async function cancelResult() {
  try {
    await api(`/dossiers/${encodeURIComponent(current)}/result`, { method: "DELETE" });
    say("Đã hủy kết quả đang chờ ký.", "ok");
    await loadDossier();
  } catch (err) { say(err.message, "error"); }
}
async function returnResult() {
  try {
    const answer = await api(`/dossiers/${encodeURIComponent(current)}/return`, { method: "POST" });
    say(`Đã trả kết quả hồ sơ ${current}: ${answer.link}`, "ok");
    await loadDossier();
  } catch (err) { say(err.message, "error"); }
}

let viewerUrl = null;
async function viewDocument(id) {
  const blob = await api(`/documents/${id}/pdf`).catch((err) => { say(err.message, "error"); return null; });
  if (!blob) return;
  if (viewerUrl) URL.revokeObjectURL(viewerUrl);
  viewerUrl = URL.createObjectURL(blob);
  const frame = $("#doc-viewer");
  frame.dataset.document = String(id);
  frame.dataset.magic = await blob.slice(0, 5).text();  // "%PDF-": what the viewer was given
  frame.src = viewerUrl; frame.hidden = false;
}
async function downloadDocument(id) {
  try {
    const blob = await api(`/documents/${id}/pdf?download=true`);
    const a = el("a", { href: URL.createObjectURL(blob), download: `tai-lieu-${id}.pdf` });
    document.body.append(a); a.click(); a.remove();
  } catch (err) { say(err.message, "error"); }
}

// ---- wiring ----------------------------------------------------------------------------------
$("#receive-form").addEventListener("submit", receiveDossier);
$("#procedure").addEventListener("change", showProcedure);
$("#slip-print").addEventListener("click", printSlip);
$("#receipt-open").addEventListener("click", () => receipt && openDossier(receipt.code));
$("#search-form").addEventListener("submit", (ev) => search(ev).catch((err) => say(err.message, "error")));
$("#dossier-refresh").addEventListener("click", () => loadDossier().catch((err) => say(err.message, "error")));
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
