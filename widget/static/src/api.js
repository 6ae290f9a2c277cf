// The service's three learner routes. Every call carries the token as a bearer header and
// never a cookie (credentials: "omit"), so the service's CORS rules are all that applies.

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

class Api {
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  // The answer as Server-Sent Events (see readEvents); `signal` aborts it.
  streamChat(message, conversationId, signal) {
    return fetch(new URL("chat/stream", this.base), {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      signal,
      headers: {
        Authorization: `Bearer ${this.token}`,
        "Content-Type": "application/json",
        Accept: "text/event-stream",
      },
      body: JSON.stringify({ message, conversation_id: conversationId }),
    });
  }

  createTicket(body) {
    return this.post("tickets", body);
  }

  sendFeedback(body) {
    return this.post("feedback", body);
  }

  post(path, body) {
    return fetch(new URL(path, this.base), {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }
}
