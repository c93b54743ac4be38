"use strict";
// Signing from the page through the official's own signing agent (sohoa sign-client --serve on
// 127.0.0.1, like the VGCA Sign Service). Self-contained: it needs only <div id="agent-signing">
// and the clerk's session token that app.js keeps in sessionStorage. The PIN is never typed
// here: the agent shows what is to be signed on its own window and asks the PIN there, once.
(() => {
  const root = document.getElementById("agent-signing");
  if (!root) return;
  const DEFAULT_AGENT = "http://127.0.0.1:47120";
  const PAIRING_HEADER = "X-Sohoa-Pairing";
  const POLL_MS = 700;
  const STATE = {
    waiting: "Đang chờ", signing: "Đang ký…", signed: "Đã ký", refused: "Bị từ chối",
  };
  const BATCH = {
    preparing: "Ứng dụng ký đang tải các tài liệu từ máy chủ…",
    awaiting_pin: "Hãy kiểm tra danh sách và nhập mã PIN trên cửa sổ ứng dụng ký (một lần cho cả lô).",
    signing: "Đang ký và gửi bản đã ký về máy chủ…",
  };

  const agentUrl = () => (localStorage.getItem("sohoa-agent-url") || DEFAULT_AGENT).replace(/\/+$/, "");
  const pairing = () => localStorage.getItem("sohoa-agent-pairing") || "";
  const token = () => sessionStorage.getItem("sohoa-token");
  function node(tag, attrs = {}, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") n.className = v; else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else if (v !== false && v !== undefined) n.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) n.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
    if (tag === "input" && attrs.type === "checkbox") n.style.minWidth = "0"; // the page's input rule is for text
    return n;
  }

  // ---- the widget -----------------------------------------------------------------------------
  const status = node("p", { class: "agent-status hint", role: "status" }, "Đang tìm ứng dụng ký trên máy…");
  const pairInput = node("input", { name: "pairing", autocomplete: "off", placeholder: "ABCD-EFGH", size: "12" });
  const pairForm = node("form", { class: "agent-pair row", hidden: true },
    node("label", {}, "Mã ghép nối (hiện trên cửa sổ ứng dụng ký) ", pairInput),
    node("button", { type: "submit" }, "Ghép nối"));
  const urlInput = node("input", { name: "agent-url", value: agentUrl(), size: "28" });
  const urlForm = node("form", { class: "agent-url row" },
    node("label", {}, "Địa chỉ ứng dụng ký ", urlInput), node("button", { type: "submit", class: "secondary" }, "Lưu"));
  const all = node("input", { type: "checkbox", class: "agent-all", "aria-label": "Chọn tất cả" });
  const tbody = node("tbody");
  const pick = node("th", {}, all);
  const table = node("table", { class: "agent-items" },
    node("thead", {}, node("tr", {}, pick, node("th", {}, "Tài liệu"), node("th", {}, "Hồ sơ"),
      node("th", {}, "Kết quả"))), tbody);
  // CSSOM, not style attributes: the page's CSP allows no inline styles
  pick.style.width = "2.5em";
  const scroller = node("div", { class: "agent-scroll" }, table);
  scroller.style.overflowX = "auto";
  const empty = node("p", { class: "agent-empty", hidden: true }, "Không có tài liệu nào chờ bạn ký.");
  const signButton = node("button", { type: "button", class: "agent-sign" }, "Ký bằng token (ứng dụng ký trên máy)");
  const reload = node("button", { type: "button", class: "small secondary agent-reload" }, "Tải lại");
  const batchLine = node("p", { class: "agent-batch", role: "status", "aria-live": "polite" });
  root.replaceChildren(
    node("h3", {}, "Ký từ trang bằng token ", reload), status, pairForm,
    node("details", {}, node("summary", {}, "Cài đặt ứng dụng ký"), urlForm),
    scroller, empty, signButton, batchLine);

  // the page's stylesheet may give a class a display (.row is flex): hide by style, not only [hidden]
  const showNode = (n, on) => { n.hidden = !on; n.style.display = on ? "" : "none"; };
  showNode(pairForm, false);
  let agentReady = false;
  let running = false;
  const selected = () => Array.from(tbody.querySelectorAll("input[type=checkbox]:checked")).map((c) => Number(c.value));
  function refreshButton() { signButton.disabled = running || !agentReady || selected().length === 0; }

  async function agentCall(path, options = {}) {
    const headers = Object.assign({}, options.headers || {});
    if (pairing()) headers[PAIRING_HEADER] = pairing();
    let res;
    try {
      res = await fetch(agentUrl() + path, Object.assign({}, options, { headers, cache: "no-store" }));
    } catch (_) {
      throw new Error(`Không thấy ứng dụng ký trên máy này (${agentUrl()}). Hãy chạy: ` +
        `sohoa sign-client --serve --server ${location.origin} --pkcs11-module … --token-label … --key-label …`);
    }
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    if (!res.ok) {
      const err = new Error((body && (body.detail || body.title)) || `Ứng dụng ký trả lỗi ${res.status}`);
      err.status = res.status;
      throw err;
    }
    return body;
  }

  async function checkAgent() {
    agentReady = false;
    try {
      const s = await agentCall("/status");
      showNode(pairForm, !s.paired);
      if (!s.paired) {
        status.textContent = s.pairing_locked
          ? "Ứng dụng ký đã khóa ghép nối vì nhập sai quá nhiều lần: hãy khởi động lại ứng dụng ký."
          : "Đã thấy ứng dụng ký. Nhập mã ghép nối hiện trên cửa sổ ứng dụng ký (chỉ cần một lần).";
        status.className = "agent-status warn";
      } else if (!s.signer.present) {
        status.textContent = `Ứng dụng ký đã kết nối nhưng chưa thấy token "${s.signer.token_label || s.signer.file || ""}": hãy cắm token.`;
        status.className = "agent-status warn";
        agentReady = true; // the agent reports the token's absence per batch, clearly
      } else {
        const cn = /(?:^|,)CN=([^,]+)/.exec(s.signer.subject || "");
        status.textContent = `Ứng dụng ký ${s.version} đã kết nối — chứng thư của: ${cn ? cn[1] : s.signer.subject || s.signer.file}`;
        status.title = s.signer.subject || "";
        status.className = "agent-status ok";
        agentReady = true;
      }
    } catch (err) {
      showNode(pairForm, false);
      status.textContent = err.status === 403
        ? `Ứng dụng ký không cho phép trang ${location.origin}: chạy lại với --server ${location.origin}.`
        : err.message;
      status.className = "agent-status error";
    }
    refreshButton();
  }

  async function loadItems() {
    if (!token()) return;
    const user = sessionStorage.getItem("sohoa-user") || "";
    const query = user ? `?official=${encodeURIComponent(user)}` : "";
    const res = await fetch(`/api/v1/signing/queue${query}`, { headers: { Authorization: `Bearer ${token()}` } });
    if (!res.ok) { batchLine.textContent = `Không tải được hàng đợi ký (${res.status}).`; return; }
    const items = (await res.json()).items;
    showNode(empty, items.length === 0);
    all.checked = false;
    tbody.replaceChildren(...items.map((it) => node("tr", { "data-item": it.id },
      node("td", {}, node("input", { type: "checkbox", value: it.id, "aria-label": `Chọn ${it.title}`, onchange: refreshButton })),
      node("td", {}, it.title || `#${it.id}`), node("td", {}, it.dossier || ""),
      node("td", { class: "agent-result" }, ""))));
    refreshButton();
  }

  function showBatch(batch) {
    for (const item of batch.items) {
      const cell = tbody.querySelector(`tr[data-item="${item.id}"] .agent-result`);
      if (!cell) continue;
      const text = item.state === "refused" ? `${STATE.refused}: ${item.reason || ""}` : STATE[item.state] || item.state;
      cell.textContent = text;
      cell.className = `agent-result ${item.state === "signed" ? "ok" : item.state === "refused" ? "error" : ""}`;
    }
    if (batch.state === "done" || batch.state === "failed") {
      batchLine.textContent = `Đã ký ${batch.signed}, bị từ chối ${batch.refused}.` +
        (batch.message ? ` ${batch.message}` : "");
      batchLine.className = `agent-batch ${batch.state === "failed" || batch.refused ? "error" : "ok"}`;
    } else {
      batchLine.textContent = BATCH[batch.state] || batch.state;
      batchLine.className = "agent-batch";
    }
  }

  async function sign() {
    const ids = selected();
    if (!ids.length || !token()) return;
    running = true; refreshButton();
    try {
      let batch = await agentCall("/batches", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ server: location.origin, access_token: token(), item_ids: ids }),
      });
      showBatch(batch);
      while (batch.state !== "done" && batch.state !== "failed") {
        await new Promise((r) => setTimeout(r, POLL_MS));
        batch = await agentCall(`/batches/${batch.id}`);
        showBatch(batch);
      }
      all.checked = false;
      tbody.querySelectorAll("input[type=checkbox]").forEach((c) => {
        const item = batch.items.find((i) => String(i.id) === c.value);
        if (item && item.state === "signed") { c.checked = false; c.disabled = true; }
      });
    } catch (err) {
      batchLine.textContent = err.message;
      batchLine.className = "agent-batch error";
      if (err.status === 401) checkAgent();
    } finally { running = false; refreshButton(); }
  }

  pairForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    localStorage.setItem("sohoa-agent-pairing", pairInput.value.trim());
    pairInput.value = "";
    checkAgent();
  });
  urlForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    localStorage.setItem("sohoa-agent-url", urlInput.value.trim() || DEFAULT_AGENT);
    checkAgent();
  });
  all.addEventListener("change", () => {
    tbody.querySelectorAll("input[type=checkbox]:not(:disabled)").forEach((c) => { c.checked = all.checked; });
    refreshButton();
  });
  signButton.addEventListener("click", () => { sign(); });
  const refresh = () => { checkAgent(); loadItems().catch((err) => { batchLine.textContent = err.message; }); };
  reload.addEventListener("click", refresh);
  refreshButton();
  // Load whenever the signing view comes into sight (after login, on each tab switch).
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !running) refresh();
  }).observe(root);
})();
