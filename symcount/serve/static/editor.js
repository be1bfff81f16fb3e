// The editor: a textarea over a <pre> holding the same text as coloured spans.
// Text only ever reaches the page through textContent (never innerHTML).

const KEYWORDS = new Set([
  "model", "input", "output", "let", "repeat", "residual", "block", "convention", "symbols", "in",
]);

// one token at a time: a comment, a string, a number, a word, an operator, other
const TOKEN = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|(\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(->|\*\*|\/\/|[=+\-*/%(),\[\]:.])|(\s+|.)/gsy;

export function tokens(text) {
  const out = [];
  TOKEN.lastIndex = 0;
  let m;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text)) !== null) {
    let kind = "plain";
    if (m[1]) kind = "comment";
    else if (m[2]) kind = "string";
    else if (m[3]) kind = "number";
    else if (m[4]) {
      const word = m[4];
      if (KEYWORDS.has(word)) kind = "keyword";
      else if (/^[A-Z]/.test(word)) kind = "layer";
      else kind = "symbol";
    } else if (m[5]) kind = "op";
    out.push({ kind, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

// [start, end) offsets of a 1-based line/column span in text
export function offsets(text, line, column, endLine, endColumn) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  const at = (l, c) => {
    const i = Math.min(Math.max(l, 1), starts.length) - 1;
    return Math.min(starts[i] + Math.max(c, 1) - 1, text.length);
  };
  const start = at(line, column);
  let end = endLine ? at(endLine, endColumn) : start + 1;
  if (end <= start) end = start + 1;
  return [start, end];
}

export class Editor {
  constructor(textarea, pre, onChange) {
    this.area = textarea;
    this.pre = pre;
    this.mark = null; // [start, end) of the error, or null
    textarea.addEventListener("input", () => { this.mark = null; this.paint(); onChange(); });
    textarea.addEventListener("scroll", () => this.sync());
    textarea.addEventListener("keydown", (e) => {
      if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
        e.preventDefault();
        document.execCommand("insertText", false, "    ");
      }
    });
  }

  get text() { return this.area.value; }

  set text(value) { this.area.value = value; this.mark = null; this.paint(); }

  markError(span) {
    this.mark = span;
    this.paint();
  }

  paint() {
    const text = this.area.value;
    const frag = document.createDocumentFragment();
    const [ms, me] = this.mark || [-1, -1];
    const piece = (kind, a, b) => {
      const span = document.createElement("span");
      span.className = `tok-${kind}`;
      span.textContent = text.slice(a, b);
      return span;
    };
    for (const t of tokens(text)) {
      // split a token where the error mark starts or ends
      const cuts = [t.start, ...[ms, me].filter((x) => x > t.start && x < t.end), t.end];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const node = piece(t.kind, cuts[i], cuts[i + 1]);
        if (cuts[i] >= ms && cuts[i] < me) node.classList.add("tok-error");
        frag.append(node);
      }
    }
    if (ms >= text.length && ms >= 0) { // a mistake at the very end: mark a space there
      const node = piece("plain", 0, 0);
      node.textContent = " ";
      node.classList.add("tok-error");
      frag.append(node);
    }
    frag.append(document.createTextNode("\n")); // a last empty line keeps its height
    this.pre.replaceChildren(frag);
    this.sync();
  }

  sync() {
    this.pre.scrollTop = this.area.scrollTop;
    this.pre.scrollLeft = this.area.scrollLeft;
  }
}
