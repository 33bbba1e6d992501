import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { FileDiagnostic } from '../config/diagnostics';
import { agentTypeLabel, canonicalAgentType } from './agentTypes';

// Two agent file formats (formats.md §2):
// - the framework's role files: Markdown without frontmatter, `# <Name> Agent`, `## 🎯 Primary Role` whose
//   first line is the description, `## 🔧 Core Capabilities` with `- **Cap**: …`, and the model in an
//   optional `PREFERRED_MODEL = "…"` line or the `**Model Preference**: …` trailer;
// - Claude Code native subagents (`.claude/agents/*.md`): YAML frontmatter `name, description, model, tools`.

export type AgentFormat = 'cmpm' | 'claude-native';

export interface ParsedAgent {
  /** Canonical type id, e.g. `version-control`. */
  type: string;
  name: string;
  description: string;
  model?: string;
  capabilities: string[];
  /** Tools the agent may use (native subagents' `tools`). */
  tools?: string[];
  version?: string;
  format: AgentFormat;
  /** The role prompt: the file without its frontmatter. */
  body: string;
}

export interface ParseOutcome {
  agent?: ParsedAgent;
  diagnostics: FileDiagnostic[];
}

const nativeFrontmatterSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().min(1),
  version: z.union([z.string(), z.number()]).optional(),
  model: z.string().min(1).optional(),
  tools: z.union([z.string(), z.array(z.string())]).optional(),
  color: z.string().optional(),
  tags: z.union([z.string(), z.array(z.string())]).optional(),
  agent_type: z.string().optional(),
});

const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Parses one agent file; `fileStem` (the file name without `.md`) names the agent when the file does not. */
export function parseAgentFile(file: string, text: string, fileStem: string): ParseOutcome {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { diagnostics: [{ file, message: 'the agent file is empty', severity: 'warning' }] };
  const frontmatter = FRONTMATTER.exec(source);
  return frontmatter ? parseNative(file, source, frontmatter, fileStem) : parseRoleMarkdown(file, source, fileStem);
}

function parseNative(file: string, source: string, match: RegExpExecArray, fileStem: string): ParseOutcome {
  const doc = parseDocument(match[1]!, { prettyErrors: false });
  if (doc.errors.length) {
    const error = doc.errors[0]!;
    return { diagnostics: [{ file, line: (error.linePos?.[0]?.line ?? 0) + 1, message: `the frontmatter is not valid YAML: ${error.message.split('\n')[0]}`, severity: 'error' }] };
  }
  let data: unknown;
  try {
    // Well-formed YAML can still fail to convert: an alias to an anchor defined later, or one that expands too far.
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { diagnostics: [{ file, line: 2, message: `the frontmatter cannot be read: ${(error as Error).message.split('\n')[0]}`, severity: 'error' }] };
  }
  const parsed = nativeFrontmatterSchema.safeParse(data);
  if (!parsed.success) {
    return {
      diagnostics: parsed.error.issues.map((issue) => {
        const key = issue.path.map(String).join('.');
        const line = key ? lineOfKey(match[1]!, key) : undefined;
        return { file, line: line && line + 1, key: key || undefined, message: `${issue.message} (Claude Code subagents need name and description)`, severity: 'error' as const };
      }),
    };
  }
  const fm = parsed.data;
  const body = source.slice(match[0].length).trim();
  const toList = (value: string | string[] | undefined) => (value === undefined ? undefined : (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean));
  return {
    agent: {
      type: canonicalAgentType(fm.name || fileStem),
      name: fm.name,
      description: fm.description.trim(),
      model: fm.model,
      capabilities: toList(fm.tags) ?? [],
      tools: toList(fm.tools),
      version: fm.version === undefined ? undefined : String(fm.version),
      format: 'claude-native',
      body,
    },
    diagnostics: [],
  };
}

function lineOfKey(yamlText: string, key: string): number | undefined {
  const index = yamlText.split(/\r?\n/).findIndex((l) => l.startsWith(`${key.split('.')[0]}:`));
  return index === -1 ? undefined : index + 1;
}

interface Section {
  heading: string;
  lines: string[];
}

function parseRoleMarkdown(file: string, source: string, fileStem: string): ParseOutcome {
  const diagnostics: FileDiagnostic[] = [];
  const lines = source.split(/\r?\n/);
  let title: string | undefined;
  let inFence = false;
  let inComment = false;
  let model: string | undefined;
  let version: string | undefined;
  const sections: Section[] = [];
  for (const line of lines) {
    const fence = /^\s*(```|~~~)/.test(line);
    if (fence) inFence = !inFence;
    const preferred = /^\s*PREFERRED_MODEL\s*=\s*["']([^"']+)["']/.exec(line);
    if (preferred) model = preferred[1];
    const trailer = /^\*\*(Model Preference|Version)\*\*:\s*(.+?)\s*$/.exec(line);
    if (trailer && !inFence) {
      if (trailer[1] === 'Version') version = trailer[2];
      else model ??= trailer[2];
    }
    if (inFence || fence) {
      sections.at(-1)?.lines.push(line);
      continue;
    }
    // HTML comments (version notes, hints for editors) belong to no section.
    if (inComment || line.includes('<!--')) {
      inComment = !line.includes('-->');
      continue;
    }
    const h1 = /^#\s+(.+?)\s*#*\s*$/.exec(line);
    if (h1 && title === undefined) {
      title = h1[1];
      continue;
    }
    const h2 = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (h2) sections.push({ heading: stripDecoration(h2[1]!), lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  if (title === undefined) diagnostics.push({ file, line: 1, message: "no '# <Name> Agent' title; the file name names the agent", severity: 'warning' });

  const role = sections.find((s) => /^(primary\s+)?role$/i.test(s.heading));
  const description = role ? firstParagraphLine(role.lines) : '';
  if (!role) diagnostics.push({ file, message: "no '## 🎯 Primary Role' section; the agent has no description", severity: 'warning' });

  const capabilitiesSection = sections.find((s) => /capabilities/i.test(s.heading));
  const capabilities = (capabilitiesSection?.lines ?? []).flatMap((l) => {
    const m = /^\s*[-*]\s+\*\*(.+?)\*\*/.exec(l) ?? /^\s*[-*]\s+([^:]+?)(?::|$)/.exec(l);
    return m ? [m[1]!.replace(/:$/, '').trim()] : [];
  });

  const name = title ? title.replace(/\s+profile$/i, '').trim() : `${agentTypeLabel(canonicalAgentType(fileStem))} Agent`;
  return {
    agent: { type: canonicalAgentType(fileStem), name, description, model, capabilities, version, format: 'cmpm', body: source.trim() },
    diagnostics,
  };
}

/** Headings carry emoji and markup (`🎯 Primary Role`): keep the words. */
function stripDecoration(heading: string): string {
  return heading
    .replace(/[^\p{L}\p{N}\s&/()-]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function firstParagraphLine(lines: string[]): string {
  const line = lines.find((l) => l.trim() !== '' && !/^\s*```/.test(l));
  return (line ?? '')
    .trim()
    .replace(/^[-*]\s+/, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/^\[(.*)\]$/, '$1')
    .trim();
}
