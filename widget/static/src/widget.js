// The widget: a launcher button and a chat panel in a shadow root, or (data-mode="inline",
// used by /widget/frame) the panel alone filling its page.
//
// Security rules kept throughout: untrusted text (answers, sources, problem details) only
// ever reaches the page through text nodes or renderMarkdown(); no inline style attribute
// is written (the stylesheet is a <link>, so a host CSP needs no 'unsafe-inline'); nothing
// is evaluated. `CSS_FILE` is set by the bundle's prologue (see widget/__init__.py).

const STORAGE_PREFIX = "mentor-assistant:v1:";
const FOCUSABLE =
  'a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

// Stroke icons after Feather (MIT), drawn as SVG nodes: no markup string is parsed.
const ICONS = {
  chat: [
    "M21 11.5a8.4 8.4 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.4 8.4 0 0 1-3.8-.9L3 21l1.9-5.7a8.4 8.4 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.4 8.4 0 0 1 3.8-.9h.5a8.5 8.5 0 0 1 8 8z",
  ],
  close: ["M18 6 6 18", "M6 6l12 12"],
  send: ["M22 2 11 13", "M22 2 15 22l-4-9-9-4z"],
  plus: ["M12 5v14", "M5 12h14"],
  up: [
    "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.3a2 2 0 0 0 2-1.7l1.4-9a2 2 0 0 0-2-2.3z",
    "M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3",
  ],
  down: [
    "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.7a2 2 0 0 0-2 1.7l-1.4 9a2 2 0 0 0 2 2.3z",
    "M17 2h2.7A2.3 2.3 0 0 1 22 4v7a2.3 2.3 0 0 1-2.3 2H17",
  ],
  retry: ["M1 4v6h6", "M3.5 15a9 9 0 1 0 2.1-9.4L1 10"],
  alert: ["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 8v4", "M12 16h.01"],
  support: [
    "M3 18v-6a9 9 0 0 1 18 0v6",
    "M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3z",
    "M3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z",
  ],
  external: ["M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6", "M15 3h6v6", "M10 14 21 3"],
};

function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "icon");
  for (const d of ICONS[name]) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

// Element builder: strings become text nodes (Node.append), never markup.
function h(tag, props = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") element.textContent = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

// The token's payload, read only to key the stored conversation by user: the server
// verifies the signature, the widget trusts nothing else in it.
function tokenSubject(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(payload));
    return typeof claims.sub === "string" ? claims.sub : "";
  } catch {
    return "";
  }
}

// Server-Sent Events from a fetch body (EventSource cannot send an Authorization header).
async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const parts = buffer.split(/\r?\n\r?\n/);
    buffer = parts.pop();
    for (const part of parts) {
      let event = "message";
      const data = [];
      for (const line of part.split(/\r?\n/)) {
        if (!line || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = text;
        else if (field === "data") data.push(text);
      }
      if (data.length && onEvent(event, JSON.parse(data.join("\n"))) === false) return;
    }
  }
}

class Assistant {
  constructor(config) {
    this.config = config;
    this.t = translator(config.lang);
    this.inline = config.mode === "inline";
    this.storageKey = `${STORAGE_PREFIX}${config.session}:${tokenSubject(config.token)}`;
    this.state = this.restore();
    this.controller = null;
    this.busy = false;
    this.countdown = null;
    this.nodes = new Map();
    this.build();
  }

  // -- persistence (per tab, per session and user) -------------------------------------

  restore() {
    const empty = { open: this.inline, conversationId: null, messages: [] };
    try {
      const saved = JSON.parse(sessionStorage.getItem(this.storageKey) || "null");
      if (!saved || !Array.isArray(saved.messages)) return empty;
      const messages = saved.messages.filter(
        (m) => m && (m.role === "user" || m.role === "assistant") && typeof m.text === "string",
      );
      // A reload during an answer leaves a question without its reply: offer to ask again.
      const last = messages[messages.length - 1];
      if (last && last.role === "user") {
        messages.push({ role: "notice", kind: "stream", question: last.text });
      }
      return {
        open: this.inline || Boolean(saved.open),
        conversationId: typeof saved.conversationId === "string" ? saved.conversationId : null,
        messages,
      };
    } catch {
      return empty;
    }
  }

  persist() {
    const messages = this.state.messages
      .filter((m) => (m.role === "user" || m.role === "assistant") && !m.pending)
      .map(({ role, text, citations, answerId, escalation, confidence, feedback, ticket }) => ({
        role,
        text,
        citations,
        answerId,
        escalation,
        confidence,
        feedback,
        // A ticket sent stays confirmed across reloads; one in flight or failed is retried.
        ticket: ticket && ticket.status === "sent" ? ticket : null,
      }));
    try {
      sessionStorage.setItem(
        this.storageKey,
        JSON.stringify({ open: this.state.open, conversationId: this.state.conversationId, messages }),
      );
    } catch {
      // Storage disabled or full: the conversation simply won't survive a reload.
    }
  }

  // -- DOM -------------------------------------------------------------------------------

  build() {
    const { t } = this;
    this.host = document.createElement("mentor-assistant");
    if (this.inline) this.host.setAttribute("data-mode", "inline");
    const shadow = this.host.attachShadow({ mode: "open" });
    this.shadow = shadow;

    // Shown once the stylesheet has loaded, so the host never sees unstyled controls.
    const root = h("div", { class: "root", lang: this.config.lang, hidden: true });
    const reveal = () => root.removeAttribute("hidden");
    const stylesheet = h("link", { rel: "stylesheet", href: this.config.css });
    stylesheet.addEventListener("load", reveal);
    stylesheet.addEventListener("error", reveal);

    this.launcher = h(
      "button",
      {
        type: "button",
        class: "launcher",
        "aria-haspopup": "dialog",
        "aria-expanded": "false",
        "aria-controls": "ma-panel",
        "aria-label": t("launcherLabel"),
        onclick: () => this.open(),
      },
      [icon("chat"), h("span", { class: "launcher-text", text: t("launcher") })],
    );

    this.newButton = h(
      "button",
      { type: "button", class: "button tertiary small new", onclick: () => this.reset() },
      [icon("plus"), t("newConversation")],
    );
    this.closeButton = this.inline
      ? null
      : h(
          "button",
          {
            type: "button",
            class: "button tertiary small close",
            "aria-label": t("closeLabel"),
            onclick: () => this.close(),
          },
          [t("close"), icon("close")],
        );

    this.list = h("ol", { class: "messages" });
    this.scroller = h(
      "div",
      {
        class: "scroller",
        tabindex: "0",
        role: "region",
        "aria-labelledby": "ma-conversation-label",
      },
      [h("h3", { id: "ma-conversation-label", class: "sr-only", text: t("conversationLabel") }), this.list],
    );

    this.input = h("textarea", {
      id: "ma-input",
      class: "input",
      rows: "2",
      maxlength: "4000",
      placeholder: t("placeholder"),
      "aria-describedby": "ma-hint",
      onkeydown: (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submit();
        }
      },
    });
    this.sendButton = h("button", { type: "submit", class: "button primary send" }, [
      icon("send"),
      h("span", { class: "sr-only", text: t("send") }),
    ]);
    const form = h(
      "form",
      {
        class: "composer",
        novalidate: true,
        onsubmit: (event) => {
          event.preventDefault();
          this.submit();
        },
      },
      [
        h("div", { class: "composer-top" }, [
          h("label", { for: "ma-input", class: "label", text: t("inputLabel") }),
          this.newButton,
        ]),
        h("div", { class: "composer-row" }, [this.input, this.sendButton]),
        h("p", { id: "ma-hint", class: "hint", text: t("inputHint") }),
      ],
    );

    this.polite = h("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" });
    this.assertive = h("div", { class: "sr-only", role: "alert", "aria-atomic": "true" });

    this.panel = h(
      "section",
      {
        id: "ma-panel",
        class: "panel",
        role: this.inline ? "region" : "dialog",
        "aria-modal": this.inline ? null : "true",
        "aria-labelledby": "ma-title",
        "aria-describedby": "ma-subtitle",
        hidden: !this.state.open,
        onkeydown: (event) => this.onPanelKey(event),
      },
      [
        h("header", { class: "header" }, [
          h("div", { class: "heading" }, [
            h("h2", { id: "ma-title", class: "title", text: t("title") }),
            h("p", { id: "ma-subtitle", class: "subtitle", text: t("subtitle") }),
          ]),
          this.closeButton,
        ]),
        this.scroller,
        h("footer", { class: "footer" }, [form, h("p", { class: "disclaimer", text: t("disclaimer") })]),
      ],
    );
    this.launcher.hidden = this.inline || this.state.open;

    root.append(this.launcher, this.panel, this.polite, this.assertive);
    shadow.append(stylesheet, root);
    this.renderAll();
  }

  mount() {
    document.body.append(this.host);
    if (this.state.open) this.scrollToEnd();
  }

  renderAll() {
    this.nodes.clear();
    this.list.replaceChildren();
    if (!this.state.messages.length) this.list.append(this.renderWelcome());
    for (const message of this.state.messages) {
      const node = this.renderMessage(message);
      this.nodes.set(message, node);
      this.list.append(node);
    }
  }

  renderWelcome() {
    const { t } = this;
    const suggestions = t("suggestions").map((text) =>
      h("li", {}, [
        h("button", { type: "button", class: "chip", onclick: () => this.ask(text), text }),
      ]),
    );
    return h("li", { class: "message assistant welcome" }, [
      h("div", { class: "bubble" }, [
        h("p", { text: t("welcome") }),
        h("p", { id: "ma-suggestions", class: "suggestions-label", text: t("suggestionsLabel") }),
        h("ul", { class: "suggestions", "aria-labelledby": "ma-suggestions" }, suggestions),
      ]),
    ]);
  }

  renderMessage(message) {
    if (message.role === "user") {
      return h("li", { class: "message user" }, [
        h("p", { class: "sr-only", text: `${this.t("you")} :` }),
        h("div", { class: "bubble" }, [h("p", { class: "plain", text: message.text })]),
      ]);
    }
    if (message.role === "notice") return this.renderNotice(message);
    return this.renderAnswer(message);
  }

  renderAnswer(message) {
    const { t } = this;
    const citations = new Map((message.citations || []).map((c) => [c.index, c]));
    const body = h("div", { class: "answer" });
    if (message.pending && !message.text) {
      body.append(
        h("p", { class: "thinking" }, [
          h("span", { class: "dots", "aria-hidden": "true" }, [h("span"), h("span"), h("span")]),
          t("thinking"),
        ]),
      );
    } else {
      body.append(renderMarkdown(message.text, { t, citations }));
    }
    const parts = [h("p", { class: "sr-only", text: `${t("assistant")} :` }), body];
    // A hedged answer (the evidence check was not sure) is marked as one, not only worded so.
    if (!message.pending && message.confidence === "low") {
      parts.splice(1, 0, h("p", { class: "hedged", text: t("hedged") }));
    }
    if (!message.pending) {
      if (citations.size) parts.push(this.renderSources(message.citations));
      if (message.escalation && message.escalation.suggested) {
        parts.push(this.renderEscalation(message));
      }
      if (message.answerId) parts.push(this.renderFeedback(message));
    }
    return h("li", { class: "message assistant", "aria-busy": message.pending ? "true" : null }, [
      h("div", { class: "bubble" }, parts),
    ]);
  }

  renderSources(citations) {
    const { t } = this;
    const items = citations.map((citation) => {
      const url = safeUrl(citation.url);
      const kind = t("kinds")[citation.kind] || "";
      const details = [kind, citation.page ? t("page", { n: citation.page }) : ""]
        .filter(Boolean)
        .join(" · ");
      const title = h("span", { class: "source-title", text: citation.title || citation.source });
      const number = h("span", { class: "source-number", "aria-hidden": "true", text: String(citation.index) });
      const label = h("span", { class: "sr-only", text: `${citation.index}. ` });
      const main = url
        ? h(
            "a",
            { href: url, target: "_blank", rel: "noopener noreferrer", class: "source-link" },
            [label, title, icon("external"), h("span", { class: "sr-only", text: ` ${t("newWindow")}` })],
          )
        : h("span", { class: "source-link" }, [label, title]);
      return h("li", { class: "source" }, [
        number,
        h("div", {}, [main, details ? h("span", { class: "source-kind", text: details }) : null]),
      ]);
    });
    return h("div", { class: "sources" }, [
      h("p", { class: "sources-label", text: t("sources") }),
      h("ol", { class: "source-list" }, items),
    ]);
  }

  renderEscalation(message) {
    const { escalation } = message;
    const url = safeUrl(escalation.url);
    // An unsafe address means a tampered payload: no escalation at all rather than a half one.
    if (!url) return null;
    const intro = h("p", {
      text: this.config.lang === "fr" && escalation.message ? escalation.message : this.t("escalationDefault"),
    });
    const link = h("a", { class: "button secondary small", href: url, target: "_blank", rel: "noopener noreferrer" }, [
      icon("external"),
      this.t("supportPage"),
      h("span", { class: "sr-only", text: ` ${this.t("newWindow")}` }),
    ]);
    // Without an answer id there is nothing to attach a ticket to: the support page only.
    if (!message.answerId || !this.config.token) return h("div", { class: "escalation" }, [intro, link]);
    const ticket = message.ticket;
    if (ticket && ticket.status === "sent") {
      return h("div", { class: "escalation" }, [
        h("p", { class: "ticket-status", text: this.t("ticketCreated", { ticket: ticket.reference }) }),
      ]);
    }
    const parts = [
      intro,
      h(
        "button",
        {
          type: "button",
          class: "button primary small contact-support",
          "aria-disabled": ticket && ticket.status === "sending" ? "true" : null,
          onclick: () => this.createTicket(message),
        },
        [icon("support"), this.t("contactSupport")],
      ),
    ];
    if (ticket && ticket.status === "error") {
      parts.push(h("p", { class: "ticket-status error", text: this.t("ticketError") }), link);
    }
    return h("div", { class: "escalation" }, parts);
  }

  renderFeedback(message) {
    const { t } = this;
    const id = `ma-feedback-${message.answerId}`;
    const rate = (rating) => () => this.sendFeedback(message, rating, null);
    const choice = (rating, name, text) =>
      h(
        "button",
        {
          type: "button",
          class: "button tertiary small rating",
          "aria-pressed": message.feedback && message.feedback.rating === rating ? "true" : "false",
          onclick: rate(rating),
        },
        [icon(name), text],
      );
    const parts = [
      h("p", { id, class: "feedback-question", text: t("feedbackQuestion") }),
      h("div", { class: "feedback-choices" }, [choice("up", "up", t("yes")), choice("down", "down", t("no"))]),
    ];
    const feedback = message.feedback;
    if (feedback && feedback.status === "error") {
      parts.push(h("p", { class: "feedback-status error", text: t("feedbackError") }));
    } else if (feedback && feedback.rating) {
      parts.push(h("p", { class: "feedback-status", text: t("feedbackThanks") }));
    }
    if (feedback && feedback.rating && !feedback.commented) {
      const fieldId = `${id}-comment`;
      const field = h("textarea", { id: fieldId, class: "input comment", rows: "2", maxlength: "2000" });
      parts.push(
        h(
          "form",
          {
            class: "comment-form",
            onsubmit: (event) => {
              event.preventDefault();
              if (field.value.trim()) this.sendFeedback(message, feedback.rating, field.value.trim());
            },
          },
          [
            h("label", { for: fieldId, class: "label small", text: t("commentLabel") }),
            field,
            h("button", { type: "submit", class: "button secondary small", text: t("commentSend") }),
          ],
        ),
      );
    }
    return h("div", { class: "feedback", role: "group", "aria-labelledby": id }, parts);
  }

  renderNotice(notice) {
    const { t } = this;
    const text = h("p", { class: "notice-text", text: this.noticeText(notice) });
    let action = null;
    if (notice.kind === "expired") {
      action = h("button", { type: "button", class: "button secondary small", onclick: () => location.reload() }, [
        icon("retry"),
        t("reload"),
      ]);
    } else if (notice.kind !== "noToken") {
      action = h(
        "button",
        {
          type: "button",
          class: "button secondary small",
          disabled: notice.kind === "rateLimited" && Date.now() < notice.until,
          onclick: () => this.retry(notice),
        },
        [icon("retry"), t("retry")],
      );
    }
    notice.text = text;
    notice.action = action;
    return h("li", { class: `message notice ${notice.kind}` }, [
      h("div", { class: "notice-box" }, [icon("alert"), h("div", {}, [text, action])]),
    ]);
  }

  noticeText(notice) {
    const { t } = this;
    switch (notice.kind) {
      case "expired":
        return t("errorExpired");
      case "noToken":
        return t("errorNoToken");
      case "offline":
        return t("errorOffline");
      case "unreachable":
        return t("errorUnreachable");
      case "rateLimited": {
        const seconds = Math.max(0, Math.ceil((notice.until - Date.now()) / 1000));
        return seconds ? t("errorRateLimited", { n: seconds }) : t("errorRateLimitedOver");
      }
      case "stream":
        return notice.detail && this.config.lang === "fr" ? notice.detail : t("errorStream");
      default:
        return notice.detail && this.config.lang === "fr" ? notice.detail : t("errorGeneric");
    }
  }

  replace(message) {
    const old = this.nodes.get(message);
    const node = this.renderMessage(message);
    this.nodes.set(message, node);
    if (old) old.replaceWith(node);
    else this.list.append(node);
    return node;
  }

  push(message) {
    if (!this.state.messages.length) this.list.replaceChildren();
    this.state.messages.push(message);
    this.replace(message);
    this.scrollToEnd();
  }

  remove(message) {
    this.state.messages = this.state.messages.filter((m) => m !== message);
    const node = this.nodes.get(message);
    if (node) node.remove();
    this.nodes.delete(message);
  }

  // Only a new message scrolls: a streaming answer grows below its question, which stays
  // in view, so the learner reads from the start instead of chasing the last line.
  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  announce(text, urgent) {
    const region = urgent ? this.assertive : this.polite;
    // Emptying first makes a repeated message be announced again.
    region.textContent = "";
    setTimeout(() => {
      region.textContent = text;
    }, 50);
  }

  // -- open / close / keyboard ----------------------------------------------------------

  open() {
    this.state.open = true;
    this.persist();
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.scrollToEnd();
    this.input.focus();
  }

  close() {
    if (this.inline) return;
    this.state.open = false;
    this.persist();
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  }

  onPanelKey(event) {
    if (this.inline) return;
    if (event.key === "Escape") {
      event.preventDefault();
      this.close();
      return;
    }
    if (event.key !== "Tab") return;
    // Keep Tab inside the open dialog: from the last control back to the first and back.
    const items = [...this.panel.querySelectorAll(FOCUSABLE)].filter((el) => el.getClientRects().length);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = this.shadow.activeElement;
    if (event.shiftKey && (active === first || !this.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !this.panel.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  // -- asking ---------------------------------------------------------------------------

  submit() {
    const question = this.input.value.trim();
    if (!question || this.busy) return;
    this.input.value = "";
    this.ask(question);
  }

  retry(notice) {
    if (this.busy) return;
    const question = notice.question;
    this.remove(notice);
    // The question is still shown above the notice: ask it again without repeating it.
    this.ask(question, true);
  }

  clearNotices() {
    for (const message of this.state.messages.filter((m) => m.role === "notice")) this.remove(message);
    clearInterval(this.countdown);
  }

  notice(kind, question, extra = {}) {
    const notice = { role: "notice", kind, question, ...extra };
    this.push(notice);
    this.announce(this.noticeText(notice), true);
    if (kind === "rateLimited") this.startCountdown(notice);
    return notice;
  }

  startCountdown(notice) {
    clearInterval(this.countdown);
    // The visible text counts down; only the end is announced, not every second.
    this.countdown = setInterval(() => {
      notice.text.textContent = this.noticeText(notice);
      if (Date.now() >= notice.until) {
        clearInterval(this.countdown);
        notice.action.disabled = false;
        this.announce(this.t("errorRateLimitedOver"));
      }
    }, 1000);
  }

  async ask(question, again = false) {
    if (this.busy) return;
    this.clearNotices();
    if (!again) {
      this.push({ role: "user", text: question });
      this.persist();
    }
    if (!this.config.token) {
      this.notice("noToken", question);
      return;
    }
    if (!navigator.onLine) {
      this.notice("offline", question);
      return;
    }
    const answer = { role: "assistant", text: "", citations: [], pending: true };
    this.push(answer);
    this.setBusy(true);
    const controller = new AbortController();
    this.controller = controller;
    let finished = false;
    try {
      const response = await fetch(new URL("chat/stream", this.config.api), {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        signal: controller.signal,
        headers: {
          Authorization: `Bearer ${this.config.token}`,
          "Content-Type": "application/json",
          Accept: "text/event-stream",
        },
        body: JSON.stringify({ message: question, conversation_id: this.state.conversationId }),
      });
      if (!response.ok) {
        this.remove(answer);
        await this.failed(response, question);
        return;
      }
      let frame = 0;
      await readEvents(response.body, (event, data) => {
        if (event === "citations" && Array.isArray(data)) {
          answer.citations = data;
        } else if (event === "token" && data && typeof data.text === "string") {
          answer.text += data.text;
          if (!frame) {
            frame = requestAnimationFrame(() => {
              frame = 0;
              if (answer.pending) this.replace(answer);
            });
          }
        } else if (event === "done") {
          finished = true;
          cancelAnimationFrame(frame);
          this.complete(answer, data);
          return false;
        } else if (event === "error") {
          finished = true;
          this.remove(answer);
          this.notice("stream", question, { detail: data && data.message });
          return false;
        }
        return true;
      });
      if (!finished) {
        this.remove(answer);
        this.notice("stream", question);
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      this.remove(answer);
      this.notice(navigator.onLine ? "unreachable" : "offline", question);
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        this.setBusy(false);
      }
    }
  }

  complete(answer, payload) {
    Object.assign(answer, {
      pending: false,
      text: typeof payload.answer === "string" ? payload.answer : answer.text,
      citations: Array.isArray(payload.citations) ? payload.citations : answer.citations,
      answerId: payload.answer_id,
      escalation: payload.escalation,
      confidence: payload.confidence === "low" ? "low" : null,
      feedback: null,
    });
    if (payload.conversation_id) this.state.conversationId = payload.conversation_id;
    this.replace(answer);
    this.persist();
    const count = answer.citations.length;
    const spoken = this.t("announceAnswer", { text: markdownToSpeech(answer.text) });
    this.announce(count ? `${spoken} ${this.t("announceSources", { n: count })}` : spoken);
  }

  async failed(response, question) {
    if (response.status === 401) {
      this.notice("expired", question);
    } else if (response.status === 429) {
      const seconds = Number.parseInt(response.headers.get("Retry-After") || "", 10);
      const wait = Number.isFinite(seconds) && seconds > 0 ? seconds : 30;
      this.notice("rateLimited", question, { until: Date.now() + wait * 1000 });
    } else {
      let detail = null;
      try {
        const problem = await response.json();
        if (response.status < 500 && typeof problem.detail === "string") detail = problem.detail;
      } catch {
        // Not a problem document: the generic message will do.
      }
      this.notice("generic", question, { detail });
    }
  }

  setBusy(busy) {
    this.busy = busy;
    this.sendButton.setAttribute("aria-disabled", busy ? "true" : "false");
    this.scroller.setAttribute("aria-busy", busy ? "true" : "false");
  }

  reset() {
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.setBusy(false);
    clearInterval(this.countdown);
    this.state.messages = [];
    this.state.conversationId = null;
    this.persist();
    this.renderAll();
    this.announce(this.t("announceNew"));
    this.input.focus();
  }

  async createTicket(message) {
    if (message.ticket && message.ticket.status === "sending") return;
    message.ticket = { status: "sending" };
    this.replace(message);
    try {
      const response = await fetch(new URL("tickets", this.config.api), {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { Authorization: `Bearer ${this.config.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          answer_id: message.answerId,
          session_id: this.config.session || null,
          sources: (message.citations || []).map((c) => ({ title: c.title || c.source || "", url: c.url || null })),
        }),
      });
      const payload = response.ok ? await response.json() : null;
      message.ticket =
        payload && typeof payload.ticket === "string"
          ? { status: "sent", reference: payload.ticket }
          : { status: "error" };
    } catch {
      message.ticket = { status: "error" };
    }
    const node = this.replace(message);
    this.persist();
    const status = node.querySelector(".ticket-status");
    if (status) {
      status.setAttribute("tabindex", "-1");
      status.focus();
    }
    this.announce(
      message.ticket.status === "sent"
        ? this.t("ticketCreated", { ticket: message.ticket.reference })
        : this.t("ticketError"),
    );
  }

  async sendFeedback(message, rating, comment) {
    message.feedback = { rating, commented: Boolean(comment), status: "sending" };
    const focusRating = !comment;
    try {
      const response = await fetch(new URL("feedback", this.config.api), {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { Authorization: `Bearer ${this.config.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ answer_id: message.answerId, rating, comment }),
      });
      message.feedback.status = response.ok ? "sent" : "error";
    } catch {
      message.feedback.status = "error";
    }
    if (message.feedback.status === "error") message.feedback.commented = false;
    const node = this.replace(message);
    this.persist();
    // The rebuilt controls replace the focused one: put focus back where the learner was.
    const target = focusRating
      ? node.querySelector(`.rating[aria-pressed="true"]`)
      : node.querySelector(".feedback-status");
    if (target) {
      if (!focusRating) target.setAttribute("tabindex", "-1");
      target.focus();
    }
    this.announce(this.t(message.feedback.status === "error" ? "feedbackError" : "feedbackThanks"));
  }
}

function start() {
  const script = document.currentScript;
  if (!script || document.querySelector("mentor-assistant")) return;
  const data = script.dataset;
  const inline = data.mode === "inline";
  let { token = "", session = "" } = data;
  let lang = data.lang || document.documentElement.lang;
  if (inline && location.hash.length > 1) {
    // Frame mode: the host passes the token in the fragment, which never reaches a server
    // log; it is removed from the address at once.
    const fragment = new URLSearchParams(location.hash.slice(1));
    token = fragment.get("token") || token;
    session = fragment.get("session") || session;
    lang = fragment.get("lang") || lang;
    history.replaceState(null, "", location.pathname + location.search);
  }
  const base = new URL(".", script.src);
  const api = new URL(data.api || "../api/", base);
  if (!api.pathname.endsWith("/")) api.pathname += "/";
  const assistant = new Assistant({
    token,
    session,
    lang: pickLanguage(lang),
    mode: inline ? "inline" : "launcher",
    api: api.href,
    css: new URL(CSS_FILE, base).href,
  });
  const mount = () => assistant.mount();
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
}

start();
