// The conversation, kept per tab (sessionStorage), per session and per user, so a reload
// or a page change inside the course finds it again.

const STORAGE_PREFIX = "mentor-assistant:v1:";

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

class ConversationStore {
  constructor(session, token) {
    this.key = `${STORAGE_PREFIX}${session}:${tokenSubject(token)}`;
  }

  // `open` is where a first visit starts: the inline panel is always open.
  load(open) {
    const empty = { open, conversationId: null, messages: [] };
    try {
      const saved = JSON.parse(sessionStorage.getItem(this.key) || "null");
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
        open: open || Boolean(saved.open),
        conversationId: typeof saved.conversationId === "string" ? saved.conversationId : null,
        messages,
      };
    } catch {
      return empty;
    }
  }

  save(state) {
    const messages = state.messages
      .filter((m) => (m.role === "user" || m.role === "assistant") && !m.pending)
      .map(({ role, text, citations, related, refused, answerId, escalation, confidence, feedback, ticket }) => ({
        role,
        text,
        citations,
        related,
        refused,
        answerId,
        escalation,
        confidence,
        feedback,
        // A ticket sent stays confirmed across reloads; one in flight or failed is retried.
        ticket: ticket && ticket.status === "sent" ? ticket : null,
      }));
    try {
      sessionStorage.setItem(
        this.key,
        JSON.stringify({ open: state.open, conversationId: state.conversationId, messages }),
      );
    } catch {
      // Storage disabled or full: the conversation simply won't survive a reload.
    }
  }
}
