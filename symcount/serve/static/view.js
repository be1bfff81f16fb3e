// DOM builders for the results. Every piece of user text (names, messages)
// goes in with textContent; formulas are typeset by KaTeX from the server's
// LaTeX (KaTeX parses TeX, it never reads HTML).

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function tex(latex, display = false) {
  const span = el("span", { class: display ? "math display" : "math" });
  span.dataset.latex = latex;
  if (window.katex) {
    try {
      window.katex.render(latex, span, { throwOnError: false, displayMode: display, output: "htmlAndMathml" });
      return span;
    } catch (e) { /* shown as text below */ }
  }
  span.textContent = latex;
  return span;
}

export function summary(result, thead, tbody, totals, onPick) {
  const head = el("tr", {},
    el("th", { text: "Layer (type)" }), el("th", { text: "Output shape" }),
    ...result.columns.map((c) => el("th", { text: c.heading })),
    el("th", { text: "Formula" }));
  thead.replaceChildren(head);
  const rows = result.rows.map((r) => {
    const tr = el("tr", { class: `depth-${Math.min(r.depth, 3)}`, "data-name": r.name },
      el("td", { class: "name", text: r.label.trim() }),
      el("td", { class: "shape", title: r.shape.text }, tex(r.shape.latex)),
      ...result.columns.map((c) => {
        const cell = r.counts[c.name];
        const td = el("td", { class: "num", "data-col": c.name }, tex(cell.latex));
        td.title = cell.text;
        return td;
      }),
      el("td", { class: "formula" }, tex(r.formula)));
    tr.addEventListener("click", () => onPick(r.name, tr));
    return tr;
  });
  tbody.replaceChildren(...rows);
  const lines = result.totals.map((t) => [
    el("span", { class: "title", text: t.title }),
    el("span", { class: "value", "data-total": t.name, text: t.text }),
  ]).flat();
  if (result.compute_note) lines.push(el("span", { class: "title", text: "Compute" }), el("span", { text: result.compute_note.replace(/^Compute: /, "") }));
  if (result.free.length) lines.push(el("span", { class: "title", text: "Symbols" }), el("span", { class: "value", text: result.free.join(", ") }));
  lines.push(el("span", { class: "title", text: "" }), el("span", { class: "equation" }, tex(result.total_equation, true)));
  totals.replaceChildren(...lines);
}

export function symbols(box, container, result, onChange) {
  const have = new Map([...container.querySelectorAll("input")].map((i) => [i.name, i]));
  const inputs = result.symbols.map((name) => {
    let input = have.get(name);
    if (!input) {
      input = el("input", { name, inputMode: "numeric", placeholder: "symbolic", autocomplete: "off" });
      input.addEventListener("input", onChange);
    }
    return el("label", {}, document.createTextNode(`${name} = `), input);
  });
  container.replaceChildren(...inputs);
  box.hidden = result.symbols.length === 0;
}

export function values(container) {
  const out = {};
  for (const input of container.querySelectorAll("input")) if (input.value.trim()) out[input.name] = input.value.trim();
  return out;
}

export function error(box, err) {
  const where = err.line ? `line ${err.line}, column ${err.column}: ` : "";
  const lines = [`${where}${err.kind ? err.kind + ": " : ""}${err.message}`];
  const caret = err.text ? err.text.split("\n").slice(1).filter((l) => !l.startsWith("  hint:")) : [];
  if (!err.line && caret.length) lines.push(...caret); // a mistake in a condition: its caret
  if (err.hint) lines.push(`hint: ${err.hint}`);
  box.textContent = lines.join("\n");
  box.hidden = false;
}

export function explain(box, name, result) {
  box.hidden = false;
  box.querySelector("#explain-name").textContent = name;
  const math = box.querySelector("#explain-math");
  math.replaceChildren(tex(result.latex, true));
  box.querySelector("#explain-text").textContent = result.lines.join("\n");
}

export function solved(box, result) {
  const unknowns = Object.keys(result.solutions[0]?.values || {});
  const table = el("table", {},
    el("thead", {}, el("tr", {}, ...unknowns.map((u) => el("th", { text: u })),
      el("th", { text: "count" }), el("th", { text: "distance" }), el("th", { text: "" }))),
    el("tbody", {}, ...result.solutions.map((s) => el("tr", {},
      ...unknowns.map((u) => el("td", { class: "num", text: String(s.values[u]) })),
      el("td", { class: "num", text: Number(s.count).toLocaleString("en-US") }),
      el("td", { class: "num", text: String(s.distance) }),
      el("td", { text: s.kind })))));
  box.replaceChildren(el("pre", { text: result.text.join("\n") }), result.solutions.length ? table : null);
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export function graph(box, g) {
  if (!g || !g.nodes.length) {
    box.replaceChildren(el("p", { class: "note", text: g?.note || "no graph" }));
    return;
  }
  const W = 230, H = 44, GX = 26, GY = 30;
  const width = Math.max(1, g.width) * (W + GX) + GX;
  const perRank = new Map();
  for (const n of g.nodes) perRank.set(n.rank, (perRank.get(n.rank) || 0) + 1);
  const pos = new Map();
  for (const n of g.nodes) {
    const count = perRank.get(n.rank);
    const left = (width - count * (W + GX) + GX) / 2;
    pos.set(n.id, { x: left + n.order * (W + GX), y: GY + n.rank * (H + GY) });
  }
  const height = GY + g.ranks * (H + GY);
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 8 8", refX: 8, refY: 4, markerWidth: 7, markerHeight: 7, orient: "auto" });
  marker.append(svg("path", { d: "M0,0 L8,4 L0,8 z", fill: "#8b96a5" }));
  defs.append(marker);
  root.append(defs);
  for (const e of g.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    const x1 = a.x + W / 2, y1 = a.y + H, x2 = b.x + W / 2, y2 = b.y;
    const mid = (y1 + y2) / 2;
    root.append(svg("path", { class: "edge", d: `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`, "marker-end": "url(#arrow)" }));
  }
  for (const n of g.nodes) {
    const p = pos.get(n.id);
    const node = svg("g", { class: `node ${n.kind}`, transform: `translate(${p.x},${p.y})` });
    node.setAttribute("data-node", n.label);
    node.append(svg("rect", { width: W, height: H, rx: 5 }));
    const name = svg("text", { x: 8, y: 17 });
    const extra = n.kind === "shared" ? ` ×${n.calls} calls` : n.kind === "group" ? " (folded)" : "";
    name.textContent = clip(`${n.label} (${n.type})${extra}`, 35);
    const shape = svg("text", { x: 8, y: 34, class: "kind" });
    shape.textContent = clip(n.shape, 35);
    const title = svg("title");
    title.textContent = `${n.label} (${n.type}) ${n.shape}`;
    node.append(title, name, shape);
    root.append(node);
  }
  box.replaceChildren(root);
}

function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }
