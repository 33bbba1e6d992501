import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomicFile';
import { parseJsonText } from '../config/diagnostics';
import { TOOL_SERVER_NAME, toolServerEntry, type ToolServerCommand } from './toolServer';

// The project's `.mcp.json`, where interactive Claude Code sessions find their MCP servers. We add or replace our
// one entry and keep every other server and key as the file has them.

export const PROJECT_MCP_FILE = '.mcp.json';

/** Writes the `claude-pm` entry into `<root>/.mcp.json`; a file that is not a JSON object is refused and left as it is. */
export async function registerToolServer(root: string, server: ToolServerCommand): Promise<{ file: string; created: boolean; replaced: boolean }> {
  const file = join(root, PROJECT_MCP_FILE);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  let document: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    const parsed = parseJsonText(text);
    if (!parsed.ok) throw new Error(`${file}${parsed.line ? `:${parsed.line}:${parsed.column}` : ''}: ${parsed.message}; fix or remove the file and try again`);
    if (!isObject(parsed.value)) throw new Error(`${file}: expected a JSON object with "mcpServers"; fix or remove the file and try again`);
    document = parsed.value;
  }
  const servers = document.mcpServers ?? {};
  if (!isObject(servers)) throw new Error(`${file}: "mcpServers" is not an object; fix it and try again`);
  const replaced = Object.hasOwn(servers, TOOL_SERVER_NAME);
  // The server starts in the directory Claude Code runs in, so the entry names no absolute workspace.
  const next = { ...document, mcpServers: { ...servers, [TOOL_SERVER_NAME]: toolServerEntry(server) } };
  await writeJsonAtomic(file, next);
  return { file, created: text === undefined, replaced };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
