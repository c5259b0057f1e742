// REST calls with the bearer token; refusals come back as problem details (API.md).

export class ApiError extends Error {
  constructor(status, problem) {
    super(describeProblem(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function describeProblem(status, problem) {
  if (!problem || typeof problem !== "object") return `The server answered ${status}.`;
  const fields = Array.isArray(problem.errors)
    ? problem.errors.map((e) => [e.field, e.message].filter(Boolean).join(": ")).filter(Boolean)
    : [];
  if (fields.length) return fields.join("; ");
  return problem.detail || problem.title || `The server answered ${status}.`;
}

export class Api {
  constructor(onUnauthorized) {
    this.token = null;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, path, body, { raw = false, quiet401 = false } = {}) {
    const headers = {};
    const token = this.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        problem = null;
      }
      // Only a refusal of the current token ends the session, not a late one of an earlier token.
      if (response.status === 401 && !quiet401 && token && token === this.token) this.onUnauthorized();
      throw new ApiError(response.status, problem);
    }
    if (raw) return response;
    if (response.status === 204) return null;
    return response.json();
  }

  get(path, options) {
    return this.request("GET", path, undefined, options);
  }
  post(path, body, options) {
    return this.request("POST", path, body, options);
  }
  put(path, body) {
    return this.request("PUT", path, body);
  }
  patch(path, body) {
    return this.request("PATCH", path, body);
  }
  delete(path) {
    return this.request("DELETE", path);
  }

  /** Fetches a file with the token (a plain link could not send it) and hands it to the browser. */
  async download(path, fallbackName) {
    const response = await this.request("GET", path, undefined, { raw: true });
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = match ? match[1] : fallbackName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
