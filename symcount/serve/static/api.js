// The playground's API: each call resolves to {ok, status, body}. Served by
// `symcount serve`, it is the server's JSON over POST; in the static build
// (tools/build_static.py marks the page and writes static.json beside it) it
// is Pyodide in a worker, running the same handlers in the browser.

const LIMIT_MS = 30000; // per request in the static build; the worker is stopped past it

let offline; // a promise: the static build's Offline, or null when a server answers

function backend() {
  if (offline === undefined) offline = detect();
  return offline;
}

async function detect() {
  // the static build marks its page (<meta name="symcount-backend" content="static">)
  const mark = document.querySelector('meta[name="symcount-backend"]');
  if (!mark || mark.content !== "static") return null; // a server answers
  const response = await fetch("static.json");
  return new Offline(await response.json());
}

class Offline {
  constructor(config) {
    this.config = config;
    this.next = 0;
    this.pending = new Map();
    this.spawn();
  }

  spawn() {
    const status = document.getElementById("status");
    if (status) status.textContent = "loading Python in the page…";
    this.worker = new Worker("worker.js", { type: "module" });
    this.loaded = new Promise((resolve) => {
      this.worker.onmessage = (event) => {
        const data = event.data;
        if ("loaded" in data) {
          if (status) status.textContent = data.loaded ? "" : `Python did not load: ${data.message}`;
          resolve(data.loaded);
          return;
        }
        const waiting = this.pending.get(data.id);
        if (!waiting) return;
        this.pending.delete(data.id);
        clearTimeout(waiting.timer);
        waiting.resolve({ ok: data.reply.status === 200, status: data.reply.status, body: data.reply.body });
      };
    });
    this.worker.postMessage({ wheels: this.config.wheels });
  }

  async call(name, request) {
    if (!(await this.loaded)) {
      return { ok: false, status: 0, body: { error: { message: "Python did not load in this page" } } };
    }
    return new Promise((resolve) => {
      const id = ++this.next;
      const timer = setTimeout(() => this.stop(id), LIMIT_MS);
      this.pending.set(id, { resolve, timer });
      this.worker.postMessage({ id, name, request });
    });
  }

  stop(id) {
    // the request that ran out of time and every one queued behind it
    this.worker.terminate();
    for (const [key, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      const message = key === id
        ? `did not finish within ${LIMIT_MS / 1000} s (the page's limit per request); stopped`
        : "stopped with a request that ran out of time; try again";
      waiting.resolve({ ok: false, status: 503, body: { error: { message, line: null } } });
    }
    this.pending.clear();
    this.spawn();
  }
}

export async function call(name, request) {
  const local = await backend();
  if (local) return local.call(name, request);
  let response;
  try {
    response = await fetch(`api/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
  } catch (e) {
    return { ok: false, status: 0, body: { error: { message: `the server cannot be reached (${e.message})` } } };
  }
  let body;
  try {
    body = await response.json();
  } catch (e) {
    body = { error: { message: `the server answered ${response.status} without JSON` } };
  }
  return { ok: response.ok, status: response.status, body };
}

export async function examples() {
  try {
    // the server's examples; in the static build, a file of the same name
    const response = await fetch("api/examples");
    return (await response.json()).examples || [];
  } catch (e) {
    return [];
  }
}
