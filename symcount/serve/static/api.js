// The server's JSON API: each call resolves to {ok, status, body}.

export async function call(name, request) {
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
    const response = await fetch("api/examples");
    return (await response.json()).examples || [];
  } catch (e) {
    return [];
  }
}
