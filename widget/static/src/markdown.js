// A deliberately small Markdown renderer for untrusted text (model output quoting indexed
// documents). It builds DOM nodes and only ever assigns text through text nodes, so no
// markup in the input can become markup in the page: `<script>`, `<img onerror>` and the
// like come out as visible text. Links are kept only for absolute http(s) and mailto URLs.
//
// Supported: paragraphs, bullet and numbered lists, block quotes, fenced code, headings
// (shown as bold paragraphs so they do not disturb the host page's heading outline),
// **bold**, *emphasis*, `code`, [text](url), <url>, bare URLs and citation markers [n].

const SAFE_URL_START = /^(?:https?:\/\/|mailto:)/i;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

// Relative URLs are refused too: they would resolve against the host page.
function safeUrl(href) {
  if (typeof href !== "string") return null;
  const candidate = href.trim();
  if (!SAFE_URL_START.test(candidate)) return null;
  try {
    const url = new URL(candidate);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const INLINE = new RegExp(
  [
    /(\*\*|__)(?=\S)([\s\S]*?\S)\1/.source, // 1-2 bold
    /\*(?=[^\s*])([^*]*?[^\s*]|[^\s*])\*/.source, // 3 emphasis
    /`([^`\n]+)`/.source, // 4 code
    // 5-6 link; one level of parentheses inside the URL, as in Wikipedia addresses
    /\[([^\]\n]+)\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))+)>?(?:\s+"[^"\n]*")?\s*\)/.source,
    /\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]/.source, // 7 citation markers
    /<((?:https?:\/\/|mailto:)[^\s<>]+)>/.source, // 8 autolink
    /(https?:\/\/[^\s<>"'`]*[^\s<>"'`.,;:!?)\]»])/.source, // 9 bare URL
  ].join("|"),
  "g",
);

// French punctuation keeps its preceding space on the same line: « Clôture », « ? ».
function typeset(text) {
  return text.replace(/« /g, "«\u00a0").replace(/ ([»;:!?])/g, "\u00a0$1");
}

function externalLink(url, children, newWindowText, className) {
  const link = document.createElement("a");
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  if (className) link.className = className;
  link.append(...children);
  const hint = document.createElement("span");
  hint.className = "sr-only";
  hint.textContent = ` ${newWindowText}`;
  link.append(hint);
  return link;
}

function citationMarker(index, options) {
  const citation = options.citations.get(index);
  const url = citation && safeUrl(citation.url);
  const label = document.createElement("span");
  label.setAttribute("aria-hidden", "true");
  label.textContent = `[${index}]`;
  const spoken = document.createElement("span");
  spoken.className = "sr-only";
  spoken.textContent = options.t("sourceLabel", {
    n: index,
    title: citation ? citation.title : "",
  });
  if (url) return externalLink(url, [label, spoken], options.t("newWindow"), "cite");
  const plain = document.createElement("span");
  plain.className = "cite";
  plain.append(label, spoken);
  return plain;
}

function renderInline(text, parent, options) {
  let last = 0;
  // matchAll works on a copy of the pattern, so the recursion below cannot move its cursor.
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.append(typeset(text.slice(last, match.index)));
    last = match.index + match[0].length;
    const [whole, , bold, em, code, linkText, linkHref, markers, autolink, bare] = match;
    if (bold !== undefined) {
      const strong = document.createElement("strong");
      renderInline(bold, strong, options);
      parent.append(strong);
    } else if (em !== undefined) {
      const emphasis = document.createElement("em");
      renderInline(em, emphasis, options);
      parent.append(emphasis);
    } else if (code !== undefined) {
      const element = document.createElement("code");
      element.textContent = code;
      parent.append(element);
    } else if (linkText !== undefined) {
      const url = safeUrl(linkHref);
      // An unsafe target keeps its words but loses the link.
      parent.append(url ? externalLink(url, [linkText], options.t("newWindow")) : linkText);
    } else if (markers !== undefined) {
      const numbers = markers.split(/\s*[,;]\s*/).map(Number);
      numbers.forEach((number) => parent.append(citationMarker(number, options)));
    } else {
      const href = autolink ?? bare;
      const url = safeUrl(href);
      parent.append(url ? externalLink(url, [href], options.t("newWindow")) : whole);
    }
  }
  if (last < text.length) parent.append(typeset(text.slice(last)));
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const RULE = /^\s{0,3}(?:[-*_]\s*){3,}$/;

// Lines to blocks. Unclosed constructs (a fence still streaming) simply run to the end.
function parseBlocks(source) {
  const blocks = [];
  let current = null;
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      const body = [];
      for (i += 1; i < lines.length && !lines[i].trim().startsWith(fence[1]); i += 1) {
        body.push(lines[i]);
      }
      blocks.push({ type: "code", text: body.join("\n") });
      current = null;
      continue;
    }
    if (!line.trim()) {
      current = null;
      continue;
    }
    const heading = HEADING.exec(line);
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    const quote = QUOTE.exec(line);
    if (RULE.test(line) && !bullet) {
      blocks.push({ type: "rule" });
      current = null;
    } else if (heading) {
      blocks.push({ type: "heading", text: heading[1] });
      current = null;
    } else if (bullet || ordered) {
      const type = bullet ? "ul" : "ol";
      if (!current || current.type !== type) {
        current = { type, items: [], start: ordered ? Number(ordered[1]) : 1 };
        blocks.push(current);
      }
      current.items.push(bullet ? bullet[1] : ordered[2]);
    } else if (quote) {
      if (!current || current.type !== "quote") {
        current = { type: "quote", lines: [] };
        blocks.push(current);
      }
      current.lines.push(quote[1]);
    } else if (current && (current.type === "ul" || current.type === "ol")) {
      current.items[current.items.length - 1] += ` ${line.trim()}`;
    } else if (current && current.type === "p") {
      current.lines.push(line.trim());
    } else {
      current = { type: "p", lines: [line.trim()] };
      blocks.push(current);
    }
  }
  return blocks;
}

// options: { t, citations: Map<number, citation> }
function renderMarkdown(source, options) {
  const fragment = document.createDocumentFragment();
  for (const block of parseBlocks(source || "")) {
    let element;
    if (block.type === "code") {
      element = document.createElement("pre");
      const code = document.createElement("code");
      code.textContent = block.text;
      element.append(code);
    } else if (block.type === "rule") {
      element = document.createElement("hr");
    } else if (block.type === "heading") {
      element = document.createElement("p");
      const strong = document.createElement("strong");
      renderInline(block.text, strong, options);
      element.append(strong);
    } else if (block.type === "ul" || block.type === "ol") {
      element = document.createElement(block.type);
      if (block.type === "ol" && block.start !== 1) element.start = block.start;
      for (const item of block.items) {
        const li = document.createElement("li");
        renderInline(item, li, options);
        element.append(li);
      }
    } else if (block.type === "quote") {
      element = document.createElement("blockquote");
      const paragraph = document.createElement("p");
      renderInline(block.lines.join(" "), paragraph, options);
      element.append(paragraph);
    } else {
      element = document.createElement("p");
      renderInline(block.lines.join(" "), element, options);
    }
    fragment.append(element);
  }
  return fragment;
}

// What a screen reader announces once an answer is complete: the words, without markup
// or citation numbers.
function markdownToSpeech(source) {
  return (source || "")
    .replace(/```[\s\S]*?(```|$)/g, " ")
    .replace(/\[([^\]\n]+)\]\([^)]*\)/g, "$1")
    .replace(/\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]/g, "")
    .replace(/^\s{0,3}(?:#{1,6}|>|[-*+])\s+/gm, "")
    .replace(/\*\*|__|[*`]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
