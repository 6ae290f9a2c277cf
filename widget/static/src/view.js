// The panel's DOM: building it, rendering each message, live-region announcements, and
// showing or hiding the dialog. What a control does (ask, retry, reset, submit,
// createTicket, sendFeedback, persist) is the Assistant's (widget.js), which extends View.

class View {
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
        if (isSendKey(event)) {
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
      // A refusal's sources are pages to look at (the closest ones, the section to revise).
      if (citations.size) parts.push(this.renderSources(message.citations, message.refused ? "related" : "sources"));
      // FAQ entries nearly as close as the one quoted: questions the learner may have meant.
      if (!message.refused && message.related && message.related.length) {
        parts.push(this.renderSources(message.related, "nearby"));
      }
      if (message.escalation && message.escalation.suggested) {
        parts.push(this.renderEscalation(message));
      }
      if (message.answerId) parts.push(this.renderFeedback(message));
    }
    return h("li", { class: "message assistant", "aria-busy": message.pending ? "true" : null }, [
      h("div", { class: "bubble" }, parts),
    ]);
  }

  renderSources(citations, heading) {
    const { t } = this;
    const items = citations.map((citation) => {
      const url = safeUrl(citation.url);
      const kind = t("kinds")[citation.kind] || "";
      const details = [kind, citation.page ? t("page", { n: citation.page }) : ""]
        .filter(Boolean)
        .join(" · ");
      const title = h("span", { class: "source-title", text: citation.title || citation.source });
      // Related questions are no sources: no number an answer's [n] could point to.
      const numbered = heading !== "nearby";
      const number = numbered
        ? h("span", { class: "source-number", "aria-hidden": "true", text: String(citation.index) })
        : null;
      const label = numbered ? h("span", { class: "sr-only", text: `${citation.index}. ` }) : null;
      const main = url
        ? h(
            "a",
            { href: url, target: "_blank", rel: "noopener noreferrer", class: "source-link" },
            [label, title, icon("external"), h("span", { class: "sr-only", text: ` ${t("newWindow")}` })],
          )
        : h("span", { class: "source-link" }, [label, title]);
      // A FAQ entry a refusal or an answer offers is a question the learner can ask as written.
      const ask =
        heading !== "sources" && citation.kind === "faq" && citation.title
          ? h(
              "button",
              {
                type: "button",
                class: "button secondary small ask-this",
                "aria-label": t("askThisLabel", { title: citation.title }),
                onclick: () => this.ask(citation.title),
              },
              [t("askThis")],
            )
          : null;
      return h("li", { class: "source" }, [
        number,
        h("div", {}, [main, details ? h("span", { class: "source-kind", text: details }) : null, ask]),
      ]);
    });
    return h("div", { class: "sources" }, [
      h("p", { class: "sources-label", text: t(heading) }),
      h(heading === "nearby" ? "ul" : "ol", { class: "source-list" }, items),
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
    if (event.key === "Tab") trapTab(event, this.panel, this.shadow.activeElement);
  }
}
