// The static build's backend: Pyodide in a worker, so a long count never
// freezes the page and a stuck one can be stopped (api.js terminates it).
// Each request goes to symcount.serve.offline.answer, the server's handlers.

import { loadPyodide } from "./pyodide/pyodide.mjs";

let answer = null;

async function start(wheels) {
  const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
  await py.loadPackage(wheels.map((w) => new URL(`./wheels/${w}`, import.meta.url).href));
  answer = py.pyimport("symcount.serve.offline").answer;
}

self.onmessage = async (event) => {
  const data = event.data;
  if (data.wheels) {
    try {
      await start(data.wheels);
      self.postMessage({ loaded: true });
    } catch (e) {
      self.postMessage({ loaded: false, message: String(e) });
    }
    return;
  }
  let reply;
  try {
    reply = JSON.parse(answer(data.name, JSON.stringify(data.request)));
  } catch (e) {
    reply = { status: 500, body: { error: { message: `the page's Python failed: ${e}`, line: null } } };
  }
  self.postMessage({ id: data.id, reply });
};
