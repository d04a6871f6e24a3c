// HTTP client for the benchmark: node:http over loopback with a keep-alive agent (TCP_NODELAY is
// node's default), so every request times the worker, not connection setup. Bodies are read whole
// for JSON and HTML; artifact downloads are counted as they stream, never buffered.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** A client bound to one worker origin and token. */
export class Client {
  /**
   * @param {string} origin e.g. http://127.0.0.1:8787
   * @param {string} token a personal access token (sent as Bearer)
   * @param {{ sockets?: number }} opts keep-alive sockets to allow (one per concurrent caller)
   */
  constructor(origin, token, { sockets = 16 } = {}) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.token = token;
    this.sockets = sockets;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** Drops every kept-alive socket (after the worker restarted). */
  reset() {
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.sockets, maxFreeSockets: this.sockets });
  }

  /**
   * Sends one request. `body` may be a Buffer/string, a Readable (streamed) or a function that
   * makes one (so it can be sent again on a fresh socket). With `sink` (true,
   * or a function given each chunk), the answer's bytes are counted and dropped (for downloads);
   * otherwise returned as a Buffer.
   * Resolves to { status, headers, body, bytes, ms } where ms runs from send to last byte.
   */
  request(method, path, opts = {}) {
    return this.#send(method, path, opts).catch((e) => {
      // A keep-alive socket the worker closed while this process was busy (e.g. running the
      // floor, which blocks the event loop) fails on reuse; send once more on a new connection,
      // as any HTTP client does (not another pooled socket: after a long block every idle one is
      // stale). A streamed body is replayable when given as a function.
      const replayable = typeof opts.body !== 'object' || Buffer.isBuffer(opts.body);
      if (e.reusedSocket && replayable && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return this.#send(method, path, { ...opts, fresh: true });
      throw e;
    });
  }

  #send(method, path, { headers = {}, body: given, sink = false, auth = true, timeoutMs = 300_000, fresh = false } = {}) {
    const body = typeof given === 'function' ? given() : given;
    const h = { ...headers };
    if (auth && this.token) h.authorization = `Bearer ${this.token}`;
    if (body !== undefined && (typeof body === 'string' || Buffer.isBuffer(body))) h['content-length'] = Buffer.byteLength(body);
    return new Promise((ok, fail) => {
      const t0 = performance.now();
      const req = http.request({ host: this.host, port: this.port, method, path, headers: h, agent: fresh ? false : this.agent }, (res) => {
        const chunks = [];
        let bytes = 0;
        res.on('data', (d) => {
          bytes += d.length;
          if (!sink) chunks.push(d);
          else if (typeof sink === 'function') sink(d);
        });
        res.on('end', () =>
          ok({ status: res.statusCode, headers: res.headers, body: sink ? null : Buffer.concat(chunks), bytes, ms: performance.now() - t0 }),
        );
        res.on('error', fail);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', (e) => {
        e.reusedSocket = req.reusedSocket;
        fail(e);
      });
      if (body === undefined) req.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
      else body.pipe(req);
    });
  }

  /** A JSON request; throws on a non-2xx answer with the answer's text. Resolves to { json, ms, bytes }. */
  async json(method, path, payload, { query } = {}) {
    let p = path;
    if (query) p += `?${new URLSearchParams(query)}`;
    const opts = payload === undefined ? {} : { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } };
    const res = await this.request(method, p, opts);
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) throw new HttpError(method, p, res.status, text);
    return { json: text ? JSON.parse(text) : null, ms: res.ms, bytes: res.bytes, headers: res.headers };
  }

  /** Closes the keep-alive sockets. */
  close() {
    this.agent.destroy();
  }
}

/** A non-2xx answer. */
export class HttpError extends Error {
  constructor(method, path, status, text) {
    super(`${method} ${path} answered ${status}: ${text.slice(0, 500)}`);
    this.status = status;
    this.text = text;
  }
}

/** The MLflow REST API of one project, on top of a Client. */
export class Mlflow {
  /** @param {Client} client @param {number|string} projectId */
  constructor(client, projectId) {
    this.client = client;
    this.prefix = `/api/v4/projects/${projectId}/ml/mlflow`;
  }

  /** POST `api/2.0/mlflow/<route>` with a JSON body. */
  post(route, payload) {
    return this.client.json('POST', `${this.prefix}/api/2.0/mlflow/${route}`, payload);
  }

  /** GET `api/2.0/mlflow/<route>` with query fields, as the MLflow client sends them. */
  get(route, query) {
    return this.client.json('GET', `${this.prefix}/api/2.0/mlflow/${route}`, undefined, { query });
  }
}

/**
 * Runs `count` jobs with at most `concurrency` in flight; `job(i)` for i in [0, count). Resolves
 * when all are done; the first failure stops handing out new jobs and rejects.
 */
export async function pool(count, concurrency, job) {
  let next = 0;
  let failed = null;
  const worker = async () => {
    while (failed === null && next < count) {
      const i = next++;
      try {
        await job(i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failed) throw failed;
}
