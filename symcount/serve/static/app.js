// The playground: the editor's text is sent to the server as you type
// (debounced; a late answer to an older text is dropped), and the results
// are drawn from the JSON that comes back. The model is kept in the URL's
// fragment (#model=...), so a link reproduces the page.

import * as api from "./api.js";
import { Editor, offsets } from "./editor.js";
import * as view from "./view.js";

const $ = (id) => document.getElementById(id);
const DELAY = 250; // ms after the last keystroke
const DEFAULT_EXAMPLE = "mnist_cnn";

let sent = 0; // the number of the latest request; answers to older ones are dropped
let timer = null;
let picked = null; // the layer explained
let solves = 0; // the number of the latest solve

const editor = new Editor($("source"), $("highlight"), () => {
  $("examples").value = ""; // the text is no longer the example's
  schedule();
});

function options() {
  return {
    text: editor.text,
    values: view.values($("symbols")),
    convention: $("convention").value || null,
    compute: $("compute").checked,
    memory: $("memory").checked,
    dtype: $("dtype").value || null,
    expand: $("expand").checked,
  };
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, DELAY);
  keepInURL();
}

function keepInURL() {
  const hash = "#model=" + encodeURIComponent(editor.text);
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

function status(text) { $("status").textContent = text; }

async function update() {
  const n = ++sent;
  const request = { ...options(), graph: $("graph-box").open };
  status("counting…");
  const answer = await api.call("evaluate", request);
  if (n !== sent) return; // a newer text is on its way
  document.body.dataset.state = answer.ok ? "ok" : "error";
  if (!answer.ok) {
    const err = answer.body.error || { message: "unknown error" };
    view.error($("error"), err);
    editor.markError(err.line ? offsets(editor.text, err.line, err.column, err.end_line, err.end_column) : null);
    status("error");
    return;
  }
  $("error").hidden = true;
  editor.markError(null);
  const result = answer.body;
  view.symbols($("symbols-box"), $("symbols"), result, schedule);
  view.summary(result, $("table").tHead, $("rows"), $("totals"), explain);
  if (result.graph) view.graph($("graph"), result.graph);
  status(`${result.rows.length} rows`);
  if (picked && result.rows.some((r) => r.name === picked)) explain(picked);
  else $("explain").hidden = true;
}

async function explain(name) {
  picked = name;
  for (const tr of $("rows").children) tr.classList.toggle("picked", tr.dataset.name === name);
  const n = sent;
  const answer = await api.call("explain", { ...options(), layer: name });
  if (n !== sent) return;
  if (answer.ok) view.explain($("explain"), name, answer.body);
}

async function solve(event) {
  event.preventDefault();
  const lines = (id) => $(id).value.split("\n").map((s) => s.trim()).filter(Boolean);
  const multiple = $("solve-multiple").value.trim();
  const request = {
    ...options(),
    mode: $("solve-mode").value,
    target: $("solve-target").value.trim(),
    count: $("solve-count").value,
    unknowns: $("solve-unknowns").value.trim() ? [$("solve-unknowns").value.trim()] : [],
    multiple_of: multiple ? Number(multiple) : null,
    where: lines("solve-where"),
    let: lines("solve-let"),
  };
  const box = $("solve-result");
  box.replaceChildren(view.el("p", { class: "note", text: "solving…" }));
  const n = ++solves;
  const answer = await api.call("solve", request);
  if (n !== solves) return; // a newer solve was asked for
  if (answer.ok) view.solved(box, answer.body);
  else {
    const pre = view.el("pre", { id: "solve-error" });
    view.error(pre, answer.body.error || { message: "unknown error" });
    box.replaceChildren(pre);
  }
}

function fromURL() {
  const m = /^#model=(.*)$/s.exec(location.hash);
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch (e) { return null; }
}

async function start() {
  const list = await api.examples();
  const select = $("examples");
  for (const ex of list) select.append(view.el("option", { value: ex.name, text: ex.name }));
  select.addEventListener("change", () => {
    const ex = list.find((e) => e.name === select.value);
    if (ex) { editor.text = ex.text; schedule(); }
  });
  for (const id of ["convention", "compute", "memory", "dtype", "expand"]) $(id).addEventListener("change", schedule);
  $("graph-box").addEventListener("toggle", () => { if ($("graph-box").open) schedule(); });
  $("solve").addEventListener("submit", solve);
  window.addEventListener("hashchange", () => {
    const text = fromURL();
    if (text !== null && text !== editor.text) { editor.text = text; schedule(); }
  });
  const linked = fromURL();
  const first = list.find((e) => e.name === DEFAULT_EXAMPLE) || list[0];
  editor.text = linked ?? (first ? first.text : "input(784) -> Dense(10)");
  const shown = list.find((e) => e.text === editor.text); // a link to an example names it
  select.value = shown ? shown.name : "";
  clearTimeout(timer);
  keepInURL();
  update();
}

start();
