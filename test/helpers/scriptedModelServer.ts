import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for the Anthropic Messages API (POST /v1/messages), so the real Claude Code CLI runs
// offline with only the model scripted. Streaming replies follow the documented SSE event sequence:
// message_start, content_block_start, ping, content_block_delta*, content_block_stop, message_delta, message_stop.

export type ScriptedReply =
  | { text: string }
  | { toolUse: { name: string; input: Record<string, unknown> }; text?: string }
  | { error: { status: number; type: string; message: string } }
  | { hang: true };

export interface RecordedRequest {
  body: MessagesRequest;
  /** True when this request belongs to the agent's conversation (it offers tools), false for side requests. */
  main: boolean;
}

interface MessagesRequest {
  model?: string;
  stream?: boolean;
  system?: string | { type: string; text: string }[];
  tools?: unknown[];
  messages?: { role: string; content: string | { type: string; [key: string]: unknown }[] }[];
}

export interface ScriptedModelServer {
  baseUrl: string;
  /** Every Messages request received, in order. */
  requests: RecordedRequest[];
  /** Replaces the replies the conversation gets next (consumed in order; the last one repeats). */
  script(replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with a random port. Side requests (no tools offered) get a short text reply. */
export async function startScriptedModelServer(): Promise<ScriptedModelServer> {
  let replies: ScriptedReply[] = [{ text: 'ok' }];
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    void readBody(req).then((raw) => {
      let body: MessagesRequest;
      try {
        body = JSON.parse(raw) as MessagesRequest;
      } catch {
        sendError(res, 400, 'invalid_request_error', 'body is not JSON');
        return;
      }
      if (!req.url?.startsWith('/v1/messages') || req.url.includes('count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: 10 }));
        return;
      }
      const main = Array.isArray(body.tools) && body.tools.length > 0;
      requests.push({ body, main });
      const reply = main ? (replies.length > 1 ? replies.shift()! : replies[0]!) : { text: 'Side reply' };
      respond(res, body, reply, hanging);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (next) => {
      if (next.length === 0) throw new Error('script needs at least one reply');
      replies = [...next];
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

function respond(res: ServerResponse, body: MessagesRequest, reply: ScriptedReply, hanging: Set<ServerResponse>): void {
  if ('error' in reply) {
    sendError(res, reply.error.status, reply.error.type, reply.error.message);
    return;
  }
  if ('hang' in reply) {
    // Accept the request and never answer: the client waits until it is stopped.
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
    return;
  }
  const blocks: ContentBlock[] = [];
  if (reply.text !== undefined) blocks.push({ type: 'text', text: reply.text });
  if ('toolUse' in reply) blocks.push({ type: 'tool_use', id: `toolu_${randomBytes(8).toString('hex')}`, name: reply.toolUse.name, input: reply.toolUse.input });
  const stopReason = 'toolUse' in reply ? 'tool_use' : 'end_turn';
  const message = { id: `msg_${randomBytes(8).toString('hex')}`, type: 'message', role: 'assistant', model: body.model ?? 'claude-scripted', stop_sequence: null };
  const usage = { input_tokens: 12, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...message, content: blocks, stop_reason: stopReason, usage }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
  event('ping', {});
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of chunk(block.text, 16)) event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    } else {
      event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const piece of chunk(JSON.stringify(block.input), 24)) event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    event('content_block_stop', { index });
  });
  event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  event('message_stop', {});
  res.end();
}

type ContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

function chunk(text: string, size: number): string[] {
  if (text === '') return [''];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
