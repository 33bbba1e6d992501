// A real HTTP server on 127.0.0.1 speaking either mem0 REST dialect as documented in mem0-api.md
// (self-hosted server/main.py, or the hosted platform), with switchable failure modes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Mem0Dialect = 'mem0' | 'mem0-platform';
/** `reset` destroys the socket; `commit-then-reset` stores an add and then destroys the socket (lost reply). */
export type FailureMode = 'none' | '500' | '502' | '502-auth' | 'slow' | 'malformed' | 'reset' | 'commit-then-reset';

interface StoredMemory {
  id: string;
  memory: string;
  user_id: string;
  metadata: Record<string, unknown>;
  hash: string;
  created_at: string;
  updated_at: string;
  history: { event: string; old_memory: string | null; new_memory: string | null; created_at: string }[];
}

export interface Mem0TestServer {
  url: string;
  memories: Map<string, StoredMemory>;
  /** Requests received, failed ones included. */
  requests: number;
  mode: FailureMode;
  slowMs: number;
  /** Status transitions an add event goes through before SUCCEEDED (platform). */
  pendingPolls: number;
  close(): Promise<void>;
}

export async function startMem0Server(dialect: Mem0Dialect, apiKey: string): Promise<Mem0TestServer> {
  const events = new Map<string, { polls: number; memoryId: string; status: string; createdAtRequest: number }>();
  // The platform processes queued adds in the background, whether or not anyone polls the event: here the
  // memory exists from the next request on, while the event reports PENDING, RUNNING, then SUCCEEDED.
  const processQueuedAdds = () => {
    for (const e of events.values()) {
      const m = pendingMemories.get(e.memoryId);
      if (m && state.requests > e.createdAtRequest) {
        state.memories.set(m.id, m);
        pendingMemories.delete(m.id);
      }
    }
  };
  const state: Mem0TestServer = {
    url: '',
    memories: new Map(),
    requests: 0,
    mode: 'none',
    slowMs: 2000,
    pendingPolls: 2,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    // The request was processed, but the client never hears about it.
    if (state.mode === 'commit-then-reset') {
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID(), ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    state.requests++;
    void readBody(req).then(async (raw) => {
      const mode = state.mode;
      if (mode === 'reset') return req.socket.destroy();
      if (mode === 'slow') await new Promise((r) => setTimeout(r, state.slowMs));
      if (mode === '500') return send(res, 500, { detail: 'Internal Server Error' });
      if (mode === '502') return send(res, 502, { detail: 'The vector store is unavailable', code: 'vector_store_unavailable', request_id: randomUUID() });
      if (mode === '502-auth') return send(res, 502, { detail: 'The LLM provider rejected the credentials', code: 'provider_auth_failed', request_id: randomUUID() });
      if (mode === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"results": [');
      }
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return send(res, 422, { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      processQueuedAdds();
      if (dialect === 'mem0') selfHosted(req, res, url, body);
      else platform(req, res, url, body);
    });
  });

  const create = (text: string, userId: string, metadata: Record<string, unknown>): StoredMemory => {
    const at = new Date().toISOString();
    const m: StoredMemory = { id: randomUUID(), memory: text, user_id: userId, metadata, hash: randomUUID().slice(0, 8), created_at: at, updated_at: at, history: [] };
    m.history.push({ event: 'ADD', old_memory: null, new_memory: text, created_at: at });
    state.memories.set(m.id, m);
    return m;
  };
  const view = (m: StoredMemory, score?: number) => ({
    id: m.id,
    memory: m.memory,
    user_id: m.user_id,
    hash: m.hash,
    metadata: m.metadata,
    created_at: m.created_at,
    updated_at: m.updated_at,
    ...(score !== undefined ? { score } : {}),
  });
  const search = (query: string, userId: string, topK: number) => {
    const words = new Set(query.toLowerCase().split(/\W+/).filter(Boolean));
    return [...state.memories.values()]
      .filter((m) => m.user_id === userId)
      .map((m) => {
        const mine = m.memory.toLowerCase().split(/\W+/);
        const shared = mine.filter((w) => words.has(w)).length;
        return { m, score: shared / Math.max(1, words.size) };
      })
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, topK)
      .map((x) => view(x.m, x.score));
  };
  const update = (m: StoredMemory, body: Record<string, unknown>) => {
    const at = new Date().toISOString();
    const old = m.memory;
    if (typeof body.text === 'string') m.memory = body.text;
    if (body.metadata && typeof body.metadata === 'object') m.metadata = body.metadata as Record<string, unknown>;
    m.updated_at = at;
    m.history.push({ event: 'UPDATE', old_memory: old, new_memory: m.memory, created_at: at });
  };
  const text = (body: Record<string, unknown>) => ((body.messages as { content: string }[] | undefined) ?? []).map((x) => x.content).join('\n');

  function selfHosted(req: IncomingMessage, res: ServerResponse, url: URL, body: Record<string, unknown>): void {
    if (req.headers['x-api-key'] !== apiKey) {
      return send(res, 401, { detail: 'Authentication required. Provide a Bearer token or X-API-Key header.' }, { 'www-authenticate': 'Bearer' });
    }
    const path = url.pathname;
    const one = /^\/memories\/([^/]+)$/.exec(path);
    const hist = /^\/memories\/([^/]+)\/history$/.exec(path);
    if (req.method === 'POST' && path === '/memories') {
      if (!Array.isArray(body.messages)) return send(res, 422, { detail: [{ loc: ['body', 'messages'], msg: 'Field required', type: 'missing' }] });
      if (!body.user_id && !body.agent_id && !body.run_id) return send(res, 400, { detail: 'At least one identifier (user_id, agent_id, run_id) is required.' });
      const m = create(text(body), String(body.user_id), (body.metadata as Record<string, unknown>) ?? {});
      return send(res, 200, { results: [{ id: m.id, memory: m.memory, event: 'ADD' }] });
    }
    if (req.method === 'GET' && path === '/memories') {
      const userId = url.searchParams.get('user_id');
      if (!userId) return send(res, 403, { detail: 'Admin role required.' });
      const topK = Number(url.searchParams.get('top_k') ?? 100);
      return send(res, 200, { results: [...state.memories.values()].filter((m) => m.user_id === userId).slice(0, topK).map((m) => view(m)) });
    }
    if (req.method === 'POST' && path === '/search') {
      const filters = (body.filters as Record<string, unknown> | undefined) ?? {};
      if (typeof body.query !== 'string') return send(res, 422, { detail: [{ loc: ['body', 'query'], msg: 'Field required', type: 'missing' }] });
      if (!filters.user_id) return send(res, 400, { detail: 'filters must contain at least one of user_id, agent_id, run_id' });
      return send(res, 200, { results: search(body.query, String(filters.user_id), Number(body.top_k ?? 10)) });
    }
    if (hist && req.method === 'GET') {
      const m = state.memories.get(hist[1] as string);
      return send(res, 200, (m?.history ?? []).map((h) => ({ id: randomUUID(), memory_id: hist[1], ...h, updated_at: h.created_at, is_deleted: false })));
    }
    if (one) {
      const m = state.memories.get(one[1] as string);
      if (req.method === 'GET') return send(res, 200, m ? view(m) : null);
      if (!m) return send(res, 404, { detail: 'Memory not found' });
      if (req.method === 'PUT') {
        update(m, body);
        return send(res, 200, { message: 'Memory updated successfully!' });
      }
      if (req.method === 'DELETE') {
        state.memories.delete(m.id);
        return send(res, 200, { message: 'Memory deleted successfully' });
      }
    }
    return send(res, 404, { detail: 'Not Found' });
  }

  function platform(req: IncomingMessage, res: ServerResponse, url: URL, body: Record<string, unknown>): void {
    if (req.headers.authorization !== `Token ${apiKey}`) return send(res, 401, { detail: 'Invalid API key. Please check your API key.' });
    const path = url.pathname;
    const bad = (message: string) => send(res, 400, { error: '400 Bad Request', details: { message } });
    const one = /^\/v1\/memories\/([^/]+)\/$/.exec(path);
    const hist = /^\/v1\/memories\/([^/]+)\/history\/$/.exec(path);
    const event = /^\/v1\/event\/([^/]+)\/$/.exec(path);
    if (req.method === 'GET' && path === '/v1/ping/') return send(res, 200, { status: 'ok', org_id: 'org', project_id: 'proj', user_email: 'dev@example.com' });
    if (req.method === 'POST' && path === '/v3/memories/add/') {
      if (!body.user_id && !body.agent_id && !body.app_id && !body.run_id) return bad('At least one of user_id, agent_id, app_id or run_id is required.');
      const m = create(text(body), String(body.user_id), (body.metadata as Record<string, unknown>) ?? {});
      // Queued: the memory exists once the event has succeeded.
      state.memories.delete(m.id);
      const eventId = randomUUID();
      events.set(eventId, { polls: 0, memoryId: m.id, status: 'PENDING', createdAtRequest: state.requests });
      pendingMemories.set(m.id, m);
      return send(res, 200, { event_id: eventId, status: 'PENDING', message: 'Memory processing has been queued' });
    }
    if (event && req.method === 'GET') {
      const e = events.get(event[1] as string);
      if (!e) return send(res, 404, { error: "Event not found or you don't have permission to access it." });
      e.polls++;
      if (e.status !== 'SUCCEEDED') e.status = e.polls > state.pendingPolls ? 'SUCCEEDED' : e.polls === state.pendingPolls ? 'RUNNING' : 'PENDING';
      return send(res, 200, { id: event[1], event_type: 'ADD', status: e.status, results: e.status === 'SUCCEEDED' ? [{ id: e.memoryId, memory: state.memories.get(e.memoryId)?.memory, event: 'ADD' }] : [] });
    }
    if (req.method === 'POST' && path === '/v3/memories/search/') {
      if (body.user_id) return bad('Entity IDs must be passed inside filters.');
      const filters = (body.filters as Record<string, unknown> | undefined) ?? {};
      if (!filters.user_id) return bad('filters are required and must include an entity id.');
      return send(res, 200, { results: search(String(body.query ?? ''), String(filters.user_id), Number(body.top_k ?? 10)) });
    }
    if (req.method === 'POST' && path === '/v3/memories/') {
      const filters = (body.filters as Record<string, unknown> | undefined) ?? {};
      if (!filters.user_id) return bad('filters are required.');
      const page = Number(url.searchParams.get('page') ?? 1);
      const size = Number(url.searchParams.get('page_size') ?? 100);
      const all = [...state.memories.values()].filter((m) => m.user_id === filters.user_id);
      const slice = all.slice((page - 1) * size, page * size).map((m) => view(m));
      const next = page * size < all.length ? `${state.url}/v3/memories/?page=${page + 1}&page_size=${size}` : null;
      return send(res, 200, { count: all.length, next, previous: null, results: slice });
    }
    if (hist && req.method === 'GET') return send(res, 200, (state.memories.get(hist[1] as string)?.history ?? []).map((h) => ({ id: randomUUID(), memory_id: hist[1], input: [], ...h, updated_at: h.created_at })));
    if (one) {
      const id = one[1] as string;
      if (!/^[0-9a-f-]{36}$/.test(id)) return send(res, 400, { error: 'memory_id should be a valid UUID' });
      const m = state.memories.get(id);
      if (!m) return send(res, 404, { error: 'Memory not found!' });
      if (req.method === 'GET') return send(res, 200, view(m));
      if (req.method === 'PUT') {
        update(m, body);
        return send(res, 200, view(m));
      }
      if (req.method === 'DELETE') {
        state.memories.delete(id);
        return send(res, 200, { message: 'Memory deleted successfully!' });
      }
    }
    return send(res, 404, { detail: 'Not found.' });
  }

  const pendingMemories = new Map<string, StoredMemory>();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', () => resolve(data));
  });
}
