// The widget: a launcher button and a chat panel in a shadow root, or (data-mode="inline",
// used by /widget/frame) the panel alone filling its page.
//
// The bundle concatenates, in order, i18n.js, markdown.js, dom.js, store.js, api.js,
// keyboard.js, view.js and this file inside one function scope (widget/__init__.py), so
// each file uses the names of the files before it and the host page gets no globals.
// `CSS_FILE` is set by the bundle's prologue.

class Assistant extends View {
  constructor(config) {
    super();
    this.config = config;
    this.t = translator(config.lang);
    this.inline = config.mode === "inline";
    this.api = new Api(config.api, config.token, config.renew);
    this.store = new ConversationStore(config.session, config.token);
    this.state = this.store.load(this.inline);
    this.controller = null;
    this.busy = false;
    this.countdown = null;
    this.nodes = new Map();
    this.build();
  }

  persist() {
    this.store.save(this.state);
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
      const response = await this.api.streamChat(question, this.state.conversationId, controller.signal);
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
      refused: typeof payload.refused === "string" ? payload.refused : null,
      answerId: payload.answer_id,
      escalation: payload.escalation,
      confidence: payload.confidence === "low" ? "low" : null,
      related: Array.isArray(payload.related) ? payload.related : [],
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
      const response = await this.api.createTicket({
        answer_id: message.answerId,
        session_id: this.config.session || null,
        sources: (message.citations || []).map((c) => ({ title: c.title || c.source || "", url: safeUrl(c.url) })),
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
      const response = await this.api.sendFeedback({ answer_id: message.answerId, rating, comment });
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
  let renew = data.renew ? pageRenewer(data.renew) : null;
  if (inline && location.hash.length > 1) {
    // Frame mode: the host passes the token in the fragment, which never reaches a server
    // log; it is removed from the address at once.
    const fragment = new URLSearchParams(location.hash.slice(1));
    token = fragment.get("token") || token;
    session = fragment.get("session") || session;
    lang = fragment.get("lang") || lang;
    if (fragment.get("renew") === "parent" && window.parent !== window) renew = parentRenewer();
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
    renew,
    api: api.href,
    css: new URL(CSS_FILE, base).href,
  });
  const mount = () => assistant.mount();
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
}

start();