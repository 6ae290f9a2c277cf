// The service's three learner routes. Every call carries the token as a bearer header and
// never a cookie (credentials: "omit"), so the service's CORS rules are all that applies;
// only a token renewal goes to the LMS, with the LMS's own cookie.

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
  // `renew`, when the host provides one, resolves to a fresh token (or "" when it has none).
  constructor(base, token, renew = null) {
    this.base = base;
    this.token = token;
    this.renew = renew;
  }

  // A 401 means the token has expired (or was refused): ask the host for a new one, once,
  // and repeat the call with it. An expired token is never accepted, only replaced.
  async send(call) {
    const response = await call(this.token);
    if (response.status !== 401 || !this.renew) return response;
    let token = "";
    try {
      token = await this.renew();
    } catch {
      // The host could not renew it: the learner gets the "expired" notice.
    }
    if (!token) return response;
    this.token = token;
    return call(token);
  }

  // The answer as Server-Sent Events (see readEvents); `signal` aborts it.
  streamChat(message, conversationId, signal) {
    return this.send((token) =>
      fetch(new URL("chat/stream", this.base), {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        signal,
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
          Accept: "text/event-stream",
        },
        body: JSON.stringify({ message, conversation_id: conversationId }),
      }),
    );
  }

  createTicket(body) {
    return this.post("tickets", body);
  }

  sendFeedback(body) {
    return this.post("feedback", body);
  }

  post(path, body) {
    return this.send((token) =>
      fetch(new URL(path, this.base), {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  }
}

// Renewal by the LMS page that embeds the script: a same-origin POST to the address it gave
// (data-renew), with the learner's LMS session cookie; the LMS decides the grant again.
function pageRenewer(url) {
  return async () => {
    const response = await fetch(url, { method: "POST", credentials: "same-origin" });
    if (!response.ok) return "";
    const body = await response.json();
    return typeof body.token === "string" ? body.token : "";
  };
}

// Renewal in the frame: the frame cannot reach the LMS with its cookies, so it asks the
// embedding page, whose own script answers with a token posted to this origin only.
function parentRenewer(timeoutMs = 10000) {
  return () =>
    new Promise((resolve) => {
      const done = (token) => {
        clearTimeout(timer);
        window.removeEventListener("message", listen);
        resolve(token);
      };
      const listen = (event) => {
        if (event.source !== window.parent || !event.data) return;
        if (event.data.type !== "mentor-assistant:token") return;
        done(typeof event.data.token === "string" ? event.data.token : "");
      };
      const timer = setTimeout(() => done(""), timeoutMs);
      window.addEventListener("message", listen);
      // The request carries nothing secret; the reply is checked by its source.
      window.parent.postMessage({ type: "mentor-assistant:renew" }, "*");
    });
}
