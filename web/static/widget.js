/*
 * 窓口 (madoguchi) web chat widget.
 *
 * Vanilla JS, no build step. Talks to Rasa's socket.io channel with session
 * persistence:
 *   client -> server  "session_request"  {session_id: <stored id or null>}
 *   server -> client  "session_confirm"  "<signed session id>" (kept as given; the
 *                     server refuses ids it did not sign and ends idle ones)
 *   client -> server  "user_uttered"     {message: text, session_id: id}
 *   server -> client  "bot_uttered"      {text, quick_replies?, buttons?,
 *                                          attachment?, image?, sender?, agent_name?}
 *   server -> client  "madoguchi_error"  {text, code?}  code "session_expired":
 *                     the conversation was idle too long; start a new one
 *   agents' replies come with an ack callback: the widget acknowledges each
 *   message it shows, and only then does the server count it delivered
 *
 * Needs (loaded before this file): window.MADOGUCHI_CONFIG = {socketUrl,
 * socketPath} and the socket.io client (window.io).
 *
 * Message text is only ever put into the page with textContent / text nodes.
 */
(function () {
  "use strict";

  if (window.Madoguchi && window.Madoguchi.__loaded) {
    return;
  }

  var STORAGE_SESSION = "madoguchi.session_id";
  var STORAGE_OPEN = "madoguchi.open";
  var STORAGE_HISTORY_PREFIX = "madoguchi.history.";
  var STORAGE_LAST_ACTIVE = "madoguchi.last_active";
  var DEFAULT_IDLE_HOURS = 24;
  var HISTORY_LIMIT = 200;
  var MAX_CHARS = 2000;
  var COUNTER_FROM = 1800;
  var TYPING_TIMEOUT_MS = 15000;
  var ROLES = { user: 1, bot: 1, agent: 1, system: 1 };

  var T = {
    launcher: "チャットで問い合わせる",
    title: "まどぐち雑貨店 サポート",
    subtitle: "自動応答です。必要に応じて担当者におつなぎします。",
    close: "チャットを閉じる",
    reset: "新しい会話を始める",
    placeholder: "メッセージを入力（Enterで送信、Shift+Enterで改行）",
    inputLabel: "メッセージ",
    send: "送信",
    sendLabel: "メッセージを送信",
    logLabel: "会話の履歴",
    botLabel: "窓口（自動応答）",
    agentLabel: "担当者",
    userLabel: "あなた",
    systemLabel: "お知らせ",
    welcome: "こんにちは。ご注文・お届け・返品などのお困りごとをお書きください。",
    connecting: "接続中…",
    connected: "接続しました",
    disconnected: "接続が切れました。再接続しています…",
    cannotConnect: "接続できません。再接続しています…",
    unavailable: "チャットを読み込めませんでした。時間をおいてページを再読み込みしてください。",
    typing: "入力中…",
    notConnected: "ただいま接続できていないため送信できません。入力内容はそのまま残しています。接続後にもう一度送信してください。",
    tooLong: function (n) {
      return "メッセージは" + fmt(MAX_CHARS) + "文字以内で入力してください（現在" + fmt(n) + "文字）。";
    },
    repliesLabel: "返信の候補",
    image: "画像",
    openImage: "画像を新しいタブで開く",
    attachment: "添付ファイルを開く",
    newTab: "（新しいタブで開きます）"
  };

  // ---------------------------------------------------------------- helpers

  function fmt(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // Length in Unicode code points (what the server's Python len() counts).
  function charCount(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
        }
      }
      n++;
    }
    return n;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  function icon(paths, className) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    if (className) {
      svg.setAttribute("class", className);
    }
    for (var i = 0; i < paths.length; i++) {
      var p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", paths[i]);
      svg.appendChild(p);
    }
    return svg;
  }

  var ICON_CHAT = [
    "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"
  ];
  var ICON_CLOSE = ["M6 6l12 12", "M18 6L6 18"];
  var ICON_SEND = ["M3 11.5L21 3l-8.5 18-2.2-7.3L3 11.5z", "M10.3 13.7L21 3"];

  // Only absolute http(s) URLs are ever used as href/src.
  function safeUrl(raw) {
    if (typeof raw !== "string") {
      return null;
    }
    var s = raw.trim();
    if (!/^https?:\/\//i.test(s)) {
      return null;
    }
    try {
      var u = new URL(s);
      if (u.protocol === "http:" || u.protocol === "https:") {
        return u.href;
      }
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  // URL candidates: stop at whitespace, quotes, angle brackets and any
  // full-width / CJK character (Japanese text often follows a URL directly).
  var URL_RE = /https?:\/\/[^\s<>"'`\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+/gi;
  var TRAILING_PUNCT_RE = /[.,;:!?)\]}]+$/;

  function appendLinkified(parent, text) {
    var last = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text)) !== null) {
      var raw = m[0];
      var trail = "";
      var t = TRAILING_PUNCT_RE.exec(raw);
      if (t) {
        // Keep a closing parenthesis that balances one inside the URL.
        trail = t[0];
        raw = raw.slice(0, raw.length - trail.length);
        if (trail.charAt(0) === ")" && raw.indexOf("(") !== -1) {
          raw += ")";
          trail = trail.slice(1);
        }
      }
      var href = safeUrl(raw);
      if (m.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      }
      if (href) {
        var a = document.createElement("a");
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.textContent = raw;
        a.title = T.newTab;
        parent.appendChild(a);
      } else {
        parent.appendChild(document.createTextNode(raw));
      }
      if (trail) {
        parent.appendChild(document.createTextNode(trail));
      }
      last = m.index + m[0].length;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  function timeLabel(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) {
      return "";
    }
    var h = d.getHours();
    var m = d.getMinutes();
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  // ---------------------------------------------------------------- storage
  // localStorage may be unavailable (privacy mode, disabled, quota): fall back
  // to memory so the chat still works for the page's lifetime.

  var memoryStore = {};

  function storeGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memoryStore, key) ? memoryStore[key] : null;
    }
  }

  function storeSet(key, value) {
    memoryStore[key] = value;
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* quota or disabled: memory copy is kept */
    }
  }

  function storeRemove(key) {
    delete memoryStore[key];
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* ignore */
    }
  }

  function loadSessionId() {
    var id = storeGet(STORAGE_SESSION);
    return typeof id === "string" && id ? id : null;
  }

  function sanitizeEntry(e) {
    if (!e || typeof e !== "object" || !ROLES[e.role] || typeof e.text !== "string") {
      return null;
    }
    var out = { role: e.role, text: e.text, ts: typeof e.ts === "string" ? e.ts : "" };
    if (typeof e.agent_name === "string" && e.agent_name) {
      out.agent_name = e.agent_name;
    }
    if (Array.isArray(e.buttons)) {
      var b = e.buttons.filter(function (x) {
        return typeof x === "string" && x;
      });
      if (b.length) {
        out.buttons = b;
      }
    }
    if (e.attachment && typeof e.attachment === "object" && safeUrl(e.attachment.url)) {
      out.attachment = {
        type: e.attachment.type === "image" ? "image" : "link",
        url: safeUrl(e.attachment.url)
      };
    }
    return out;
  }

  function loadHistory(id) {
    if (!id) {
      return [];
    }
    var raw = storeGet(STORAGE_HISTORY_PREFIX + id);
    if (!raw) {
      return [];
    }
    try {
      var arr = JSON.parse(raw);
      if (!Array.isArray(arr)) {
        return [];
      }
      var out = [];
      for (var i = 0; i < arr.length; i++) {
        var e = sanitizeEntry(arr[i]);
        if (e) {
          out.push(e);
        }
      }
      return out.slice(-HISTORY_LIMIT);
    } catch (e2) {
      return [];
    }
  }

  // ---------------------------------------------------------------- state

  var config = window.MADOGUCHI_CONFIG || {};
  var idleMs =
    (typeof config.sessionIdleHours === "number" && config.sessionIdleHours > 0
      ? config.sessionIdleHours
      : DEFAULT_IDLE_HOURS) * 3600 * 1000;

  // A conversation left idle longer than the server keeps it is over, here too:
  // on a shared PC the next person must not see (or continue) the last one's chat.
  function forgetIdleSession() {
    var id = loadSessionId();
    var last = parseInt(storeGet(STORAGE_LAST_ACTIVE) || "", 10);
    if (id && !(last > 0 && Date.now() - last < idleMs)) {
      storeRemove(STORAGE_HISTORY_PREFIX + id);
      storeRemove(STORAGE_SESSION);
    }
  }

  function touchActivity() {
    storeSet(STORAGE_LAST_ACTIVE, String(Date.now()));
  }

  forgetIdleSession();
  var state = {
    sessionId: loadSessionId(), // stored / confirmed id (null = new conversation)
    confirmed: false, // session_confirm received on the current connection
    history: [],
    connState: "connecting",
    everConnected: false,
    open: storeGet(STORAGE_OPEN) === "1",
    typingTimer: null,
    composing: false
  };
  state.history = loadHistory(state.sessionId);

  var socket = null;
  var ui = {};

  function saveHistory() {
    if (state.history.length > HISTORY_LIMIT) {
      state.history = state.history.slice(-HISTORY_LIMIT);
    }
    if (state.sessionId) {
      storeSet(STORAGE_HISTORY_PREFIX + state.sessionId, JSON.stringify(state.history));
    }
  }

  // ---------------------------------------------------------------- DOM

  function build() {
    var root = el("div", "madoguchi-root");
    root.id = "madoguchi-root";

    // Launcher
    var launcher = el("button", "madoguchi-launcher");
    launcher.id = "madoguchi-launcher";
    launcher.type = "button";
    launcher.setAttribute("aria-controls", "madoguchi-panel");
    launcher.setAttribute("aria-expanded", "false");
    launcher.appendChild(icon(ICON_CHAT, "madoguchi-launcher-icon"));
    launcher.appendChild(el("span", "madoguchi-launcher-text", T.launcher));

    // Panel
    var panel = el("section", "madoguchi-panel");
    panel.id = "madoguchi-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "madoguchi-title");
    panel.setAttribute("aria-describedby", "madoguchi-subtitle");
    panel.hidden = true;

    var header = el("header", "madoguchi-header");
    var avatar = el("div", "madoguchi-avatar", "窓");
    avatar.setAttribute("aria-hidden", "true");
    var heading = el("div", "madoguchi-heading");
    var title = el("h2", "madoguchi-title", T.title);
    title.id = "madoguchi-title";
    var subtitle = el("p", "madoguchi-subtitle", T.subtitle);
    subtitle.id = "madoguchi-subtitle";
    heading.appendChild(title);
    heading.appendChild(subtitle);
    var closeBtn = el("button", "madoguchi-close");
    closeBtn.id = "madoguchi-close";
    closeBtn.type = "button";
    closeBtn.setAttribute("aria-label", T.close);
    closeBtn.title = T.close;
    closeBtn.appendChild(icon(ICON_CLOSE));
    header.appendChild(avatar);
    header.appendChild(heading);
    header.appendChild(closeBtn);

    var status = el("div", "madoguchi-status");
    status.id = "madoguchi-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    var body = el("div", "madoguchi-body");
    var messages = el("div", "madoguchi-messages");
    messages.id = "madoguchi-messages";
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-relevant", "additions");
    messages.setAttribute("aria-label", T.logLabel);
    messages.tabIndex = 0;

    var typing = el("div", "madoguchi-typing");
    typing.id = "madoguchi-typing";
    typing.hidden = true;
    var dots = el("span", "madoguchi-typing-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    typing.appendChild(dots);
    typing.appendChild(el("span", "madoguchi-typing-text", T.typing));
    body.appendChild(messages);
    body.appendChild(typing);

    var footer = el("div", "madoguchi-footer");
    var form = el("form", "madoguchi-form");
    form.setAttribute("novalidate", "");
    var label = el("label", "madoguchi-visually-hidden", T.inputLabel);
    label.setAttribute("for", "madoguchi-input");
    var input = el("textarea", "madoguchi-input");
    input.id = "madoguchi-input";
    input.rows = 1;
    input.placeholder = T.placeholder;
    input.setAttribute("aria-describedby", "madoguchi-notice madoguchi-counter");
    input.setAttribute("enterkeyhint", "send");
    input.setAttribute("autocomplete", "off");
    var send = el("button", "madoguchi-send");
    send.id = "madoguchi-send";
    send.type = "submit";
    send.setAttribute("aria-label", T.sendLabel);
    send.appendChild(icon(ICON_SEND, "madoguchi-send-icon"));
    send.appendChild(el("span", "madoguchi-send-text", T.send));
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);

    var meta = el("div", "madoguchi-meta");
    var notice = el("p", "madoguchi-notice");
    notice.id = "madoguchi-notice";
    notice.setAttribute("aria-live", "assertive");
    var counter = el("span", "madoguchi-counter");
    counter.id = "madoguchi-counter";
    counter.setAttribute("aria-live", "polite");
    counter.hidden = true;
    var reset = el("a", "madoguchi-reset", T.reset);
    reset.id = "madoguchi-reset";
    reset.href = "#";
    meta.appendChild(notice);
    meta.appendChild(counter);
    meta.appendChild(reset);

    footer.appendChild(form);
    footer.appendChild(meta);

    panel.appendChild(header);
    panel.appendChild(status);
    panel.appendChild(body);
    panel.appendChild(footer);

    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    ui = {
      root: root,
      launcher: launcher,
      panel: panel,
      closeBtn: closeBtn,
      status: status,
      body: body,
      messages: messages,
      typing: typing,
      form: form,
      input: input,
      send: send,
      notice: notice,
      counter: counter,
      reset: reset
    };
  }

  function scrollToBottom() {
    ui.body.scrollTop = ui.body.scrollHeight;
  }

  function renderWelcome() {
    var w = el("div", "madoguchi-welcome");
    w.appendChild(el("div", "madoguchi-sender", T.botLabel));
    var bubble = el("div", "madoguchi-bubble");
    bubble.appendChild(el("div", "madoguchi-text", T.welcome));
    w.appendChild(bubble);
    ui.messages.appendChild(w);
  }

  function senderLabel(entry) {
    if (entry.role === "bot") {
      return T.botLabel;
    }
    if (entry.role === "agent") {
      return entry.agent_name ? T.agentLabel + "（" + entry.agent_name + "）" : T.agentLabel;
    }
    if (entry.role === "user") {
      return T.userLabel;
    }
    return T.systemLabel;
  }

  function renderAttachment(att) {
    var a = document.createElement("a");
    a.href = att.url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    if (att.type === "image") {
      a.className = "madoguchi-image-link";
      a.setAttribute("aria-label", T.openImage);
      var img = document.createElement("img");
      img.className = "madoguchi-image";
      img.alt = T.image;
      img.loading = "lazy";
      img.decoding = "async";
      img.referrerPolicy = "no-referrer";
      img.src = att.url;
      img.addEventListener("load", function () {
        if (isNearBottom()) {
          scrollToBottom();
        }
      });
      img.addEventListener("error", function () {
        // Show the plain link instead of a broken image.
        a.className = "madoguchi-attachment";
        a.removeAttribute("aria-label");
        a.textContent = T.attachment;
      });
      a.appendChild(img);
    } else {
      a.className = "madoguchi-attachment";
      a.textContent = T.attachment;
      a.title = att.url;
    }
    return a;
  }

  function isNearBottom() {
    return ui.body.scrollHeight - ui.body.scrollTop - ui.body.clientHeight < 80;
  }

  function renderReplies(entry, container) {
    var box = el("div", "madoguchi-replies");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", T.repliesLabel);
    entry.buttons.forEach(function (title) {
      var b = el("button", "madoguchi-reply", title);
      b.type = "button";
      b.addEventListener("click", function () {
        sendText(title, { fromReply: true });
      });
      box.appendChild(b);
    });
    container.appendChild(box);
  }

  function renderEntry(entry, withReplies) {
    var m = el("div", "madoguchi-message madoguchi-message--" + entry.role);
    m.setAttribute("data-role", entry.role);
    if (entry.role !== "system") {
      m.appendChild(el("div", "madoguchi-sender", senderLabel(entry)));
    } else {
      m.setAttribute("aria-label", T.systemLabel);
    }
    var bubble = el("div", "madoguchi-bubble");
    if (entry.text) {
      var text = el("div", "madoguchi-text");
      if (entry.role === "bot" || entry.role === "agent") {
        appendLinkified(text, entry.text);
      } else {
        text.textContent = entry.text;
      }
      bubble.appendChild(text);
    }
    if (entry.attachment) {
      bubble.appendChild(renderAttachment(entry.attachment));
    }
    m.appendChild(bubble);
    if (entry.ts && entry.role !== "system") {
      var time = el("time", "madoguchi-time", timeLabel(entry.ts));
      time.setAttribute("datetime", entry.ts);
      m.appendChild(time);
    }
    if (withReplies && entry.buttons && entry.buttons.length) {
      renderReplies(entry, m);
    }
    ui.messages.appendChild(m);
    return m;
  }

  function removeReplies() {
    var boxes = ui.messages.querySelectorAll(".madoguchi-replies");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].parentNode.removeChild(boxes[i]);
    }
  }

  function renderAll() {
    while (ui.messages.firstChild) {
      ui.messages.removeChild(ui.messages.firstChild);
    }
    renderWelcome();
    // Quick replies stay usable only after the customer's last message.
    var lastUser = -1;
    for (var i = 0; i < state.history.length; i++) {
      if (state.history[i].role === "user") {
        lastUser = i;
      }
    }
    for (var j = 0; j < state.history.length; j++) {
      renderEntry(state.history[j], j > lastUser);
    }
    scrollToBottom();
  }

  function addMessage(entry) {
    if (!entry.ts) {
      entry.ts = new Date().toISOString();
    }
    if (entry.role === "user") {
      removeReplies();
    }
    state.history.push(entry);
    saveHistory();
    var stick = entry.role === "user" || isNearBottom();
    renderEntry(entry, true);
    // The DOM mirrors the capped history.
    var nodes = ui.messages.querySelectorAll(".madoguchi-message");
    for (var i = 0; i < nodes.length - HISTORY_LIMIT; i++) {
      nodes[i].parentNode.removeChild(nodes[i]);
    }
    if (stick) {
      scrollToBottom();
    }
  }

  // ---------------------------------------------------------------- status / input

  function setConnState(s, text) {
    state.connState = s;
    ui.status.setAttribute("data-state", s);
    ui.status.textContent = text || (s === "connected" ? T.connected : s === "connecting" ? T.connecting : T.disconnected);
    ui.panel.setAttribute("data-connection", s);
    updateSendState();
  }

  function isReady() {
    return !!(socket && socket.connected && state.confirmed && state.sessionId);
  }

  function updateSendState() {
    ui.send.disabled = !isReady();
  }

  function showNotice(text) {
    ui.notice.textContent = text || "";
    ui.notice.classList.toggle("madoguchi-notice--visible", !!text);
  }

  function updateCounter() {
    var n = charCount(ui.input.value.trim());
    var over = n > MAX_CHARS;
    ui.counter.hidden = n < COUNTER_FROM;
    ui.counter.textContent = fmt(n) + " / " + fmt(MAX_CHARS);
    ui.counter.classList.toggle("madoguchi-counter--over", over);
    if (over) {
      ui.input.setAttribute("aria-invalid", "true");
    } else {
      ui.input.removeAttribute("aria-invalid");
    }
  }

  function autoGrow() {
    var stick = isNearBottom();
    ui.input.style.height = "auto";
    var max = 140;
    ui.input.style.height = Math.min(ui.input.scrollHeight, max) + "px";
    ui.input.style.overflowY = ui.input.scrollHeight > max ? "auto" : "hidden";
    if (stick) {
      scrollToBottom(); // a taller input must not hide the latest message
    }
  }

  function showTyping() {
    ui.typing.hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
    scrollToBottom();
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    state.typingTimer = null;
    ui.typing.hidden = true;
  }

  // Returns true when the text was sent.
  function sendText(raw, opts) {
    opts = opts || {};
    var text = String(raw || "").trim();
    if (!text) {
      return false;
    }
    var n = charCount(text);
    if (n > MAX_CHARS) {
      showNotice(T.tooLong(n));
      return false;
    }
    if (!isReady()) {
      showNotice(T.notConnected);
      return false;
    }
    showNotice("");
    socket.emit("user_uttered", { message: text, session_id: state.sessionId });
    touchActivity();
    addMessage({ role: "user", text: text });
    showTyping();
    return true;
  }

  function submitInput() {
    var value = ui.input.value;
    if (!value.trim()) {
      ui.input.focus();
      return; // nothing to send
    }
    if (sendText(value)) {
      ui.input.value = "";
      autoGrow();
      updateCounter();
    }
    ui.input.focus();
  }

  // ---------------------------------------------------------------- open / close

  function setOpen(open, opts) {
    opts = opts || {};
    state.open = !!open;
    storeSet(STORAGE_OPEN, state.open ? "1" : "0");
    ui.panel.hidden = !state.open;
    ui.root.classList.toggle("madoguchi-root--open", state.open);
    ui.launcher.setAttribute("aria-expanded", state.open ? "true" : "false");
    if (state.open) {
      autoGrow();
      scrollToBottom();
      if (opts.focus !== false) {
        ui.input.focus();
      }
    } else if (opts.focus !== false) {
      ui.launcher.focus();
    }
  }

  // ---------------------------------------------------------------- session

  function startNewConversation() {
    if (state.sessionId) {
      storeRemove(STORAGE_HISTORY_PREFIX + state.sessionId);
    }
    storeRemove(STORAGE_SESSION);
    state.sessionId = null;
    state.confirmed = false;
    state.history = [];
    hideTyping();
    showNotice("");
    renderAll();
    if (socket) {
      // A fresh connection also leaves the old session's room on the server.
      setConnState("connecting");
      socket.disconnect();
      socket.connect();
    }
    ui.input.focus();
  }

  function onSessionConfirm(data) {
    var id = typeof data === "string" ? data : data && typeof data.session_id === "string" ? data.session_id : null;
    if (!id) {
      return;
    }
    if (id.length > 128) {
      return; // the server sends 65 characters (key.signature); ignore anything absurd
    }
    if (state.sessionId !== id) {
      if (state.sessionId) {
        // The server did not keep our session (e.g. rejected the id): start over.
        storeRemove(STORAGE_HISTORY_PREFIX + state.sessionId);
        state.history = [];
        hideTyping();
        state.sessionId = id;
        renderAll();
      } else {
        // New conversation: anything shown before the id existed belongs to it.
        state.sessionId = id;
      }
      storeSet(STORAGE_SESSION, id);
      saveHistory();
    }
    touchActivity();
    state.confirmed = true;
    setConnState("connected");
    if (ui.notice.textContent === T.notConnected) {
      showNotice("");
    }
  }

  function asButtons(list) {
    if (!Array.isArray(list)) {
      return [];
    }
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var b = list[i];
      var title = b && typeof b === "object" ? b.title : typeof b === "string" ? b : null;
      if (typeof title === "string" && title.trim()) {
        out.push(title.trim());
      }
    }
    return out;
  }

  function extractAttachment(data) {
    if (typeof data.image === "string" && safeUrl(data.image)) {
      return { type: "image", url: safeUrl(data.image) };
    }
    var att = data.attachment;
    if (!att) {
      return null;
    }
    if (typeof att === "string") {
      return safeUrl(att) ? { type: "link", url: safeUrl(att) } : null;
    }
    if (typeof att === "object") {
      var p = att.payload && typeof att.payload === "object" ? att.payload : att;
      var url = safeUrl(p.src) || safeUrl(p.url) || safeUrl(att.src) || safeUrl(att.url);
      if (!url) {
        return null;
      }
      return { type: att.type === "image" ? "image" : "link", url: url };
    }
    return null;
  }

  function onBotUttered(data, ack) {
    showBotMessage(data);
    if (typeof ack === "function") {
      ack(true); // an agent's reply: the server counts it delivered once the page has shown it
    }
  }

  function showBotMessage(data) {
    if (typeof data === "string") {
      data = { text: data };
    }
    if (!data || typeof data !== "object") {
      return;
    }
    touchActivity();
    var entry = {
      role: data.sender === "agent" ? "agent" : "bot",
      text: typeof data.text === "string" ? data.text : ""
    };
    if (entry.role === "agent" && typeof data.agent_name === "string" && data.agent_name.trim()) {
      entry.agent_name = data.agent_name.trim();
    }
    var buttons = asButtons(data.quick_replies).concat(asButtons(data.buttons));
    if (buttons.length) {
      entry.buttons = buttons;
    }
    var att = extractAttachment(data);
    if (att) {
      entry.attachment = att;
    }
    if (!entry.text && !entry.buttons && !entry.attachment) {
      return;
    }
    hideTyping();
    addMessage(entry);
  }

  function onServerError(data) {
    var text = typeof data === "string" ? data : data && typeof data.text === "string" ? data.text : "";
    if (!text) {
      return;
    }
    if (data && data.code === "session_expired") {
      startNewConversation(); // the server ended this idle conversation: a fresh one
    }
    hideTyping();
    addMessage({ role: "system", text: text });
  }

  function connect() {
    if (typeof window.io !== "function") {
      setConnState("disconnected", T.unavailable);
      return;
    }
    var url = typeof config.socketUrl === "string" && config.socketUrl ? config.socketUrl : window.location.origin;
    var path = typeof config.socketPath === "string" && config.socketPath ? config.socketPath : "/socket.io";
    socket = window.io(url, { path: path, transports: ["websocket", "polling"] });

    socket.on("connect", function () {
      state.everConnected = true;
      state.confirmed = false;
      setConnState("connecting");
      socket.emit("session_request", { session_id: state.sessionId || null });
    });
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotUttered);
    socket.on("madoguchi_error", onServerError);
    socket.on("disconnect", function (reason) {
      state.confirmed = false;
      hideTyping();
      if (reason === "io client disconnect") {
        return; // our own reset: a reconnect follows at once
      }
      setConnState("disconnected", T.disconnected);
      if (reason === "io server disconnect") {
        // socket.io does not retry by itself in this case.
        setTimeout(function () {
          if (!socket.connected) {
            socket.connect();
          }
        }, 2000);
      }
    });
    socket.on("connect_error", function () {
      state.confirmed = false;
      setConnState("disconnected", state.everConnected ? T.disconnected : T.cannotConnect);
      if (!socket.active) {
        // Rejected by the server: retry slowly ourselves.
        setTimeout(function () {
          if (!socket.connected) {
            socket.connect();
          }
        }, 5000);
      }
    });
  }

  // ---------------------------------------------------------------- events

  function bind() {
    ui.launcher.addEventListener("click", function () {
      setOpen(!state.open);
    });
    ui.closeBtn.addEventListener("click", function () {
      setOpen(false);
    });
    ui.panel.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        setOpen(false);
      }
    });
    ui.form.addEventListener("submit", function (e) {
      e.preventDefault();
      submitInput();
    });
    ui.input.addEventListener("compositionstart", function () {
      state.composing = true;
    });
    ui.input.addEventListener("compositionend", function () {
      state.composing = false;
    });
    ui.input.addEventListener("blur", function () {
      state.composing = false; // never stay stuck if compositionend was missed
    });
    ui.input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") {
        return;
      }
      // Japanese IME: Enter that confirms a conversion must never send.
      if (e.isComposing || e.keyCode === 229 || state.composing) {
        return;
      }
      if (e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) {
        return; // newline (default behaviour)
      }
      e.preventDefault();
      submitInput();
    });
    ui.input.addEventListener("input", function () {
      autoGrow();
      updateCounter();
      if (ui.notice.textContent && ui.notice.textContent !== T.notConnected && charCount(ui.input.value.trim()) <= MAX_CHARS) {
        showNotice("");
      }
    });
    ui.reset.addEventListener("click", function (e) {
      e.preventDefault();
      startNewConversation();
    });
    // Any element on the host page can open the chat: <button data-madoguchi-open>.
    document.addEventListener("click", function (e) {
      var t = e.target;
      var opener = t && t.closest ? t.closest("[data-madoguchi-open]") : null;
      if (opener) {
        e.preventDefault();
        setOpen(true);
      }
    });
  }

  function init() {
    build();
    bind();
    renderAll();
    setConnState("connecting", T.connecting);
    setOpen(state.open, { focus: false });
    updateCounter();
    autoGrow();
    connect();
  }

  window.Madoguchi = {
    __loaded: true,
    open: function () {
      setOpen(true);
    },
    close: function () {
      setOpen(false);
    },
    reset: function () {
      startNewConversation();
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
