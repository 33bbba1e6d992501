// Renders a CLAUDE.md master with handlebars: no HTML escaping, and strict about variables. A `{{NAME}}`
// nobody defines is reported (and deploy refuses), never silently emptied.

import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { emptyRecord } from '../common/ownKeys';

/** Filled on every deploy; configuration cannot override them. */
export const COMPUTED_VARIABLES = ['CLAUDE_MD_VERSION', 'FRAMEWORK_VERSION', 'DEPLOYMENT_DATE', 'LAST_UPDATED', 'CONTENT_HASH', 'DEPLOYMENT_DIR'] as const;
/** The real framework leaves these raw for its runtime; deploys compute them (`runtimeVariables`) unless configured. */
export const RUNTIME_VARIABLES = ['DEPLOYMENT_ID', 'PLATFORM', 'PYTHON_CMD', 'PLATFORM_NOTES'] as const;
/** Filled with a default unless configured. */
export const DEFAULTED_VARIABLES = { AI_TRACKDOWN_PATH: 'aitrackdown' } as const;

export const OWNED_VARIABLES: readonly string[] = [...COMPUTED_VARIABLES, ...RUNTIME_VARIABLES, ...Object.keys(DEFAULTED_VARIABLES)];

export interface VariableUse {
  name: string;
  /** 1-based line and 0-based column of the `{{`. */
  line: number;
  column: number;
  length: number;
}

export class TemplateSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: template syntax error: ${message}`);
    this.name = 'TemplateSyntaxError';
  }
}

export class UnknownVariablesError extends Error {
  constructor(
    readonly file: string,
    readonly unknown: VariableUse[],
  ) {
    super(`${file}: unknown template variable${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{{${u.name}}} (line ${u.line})`).join(', ')}; define ${unknown.length > 1 ? 'them' : 'it'} in .claude-pm/config.json "template_variables"`);
    this.name = 'UnknownVariablesError';
  }
}

type Program = ReturnType<typeof Handlebars.parse>;
interface Loc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}
interface AstNode {
  type: string;
  loc: Loc;
  original?: string;
  path?: AstNode;
  params?: AstNode[];
  program?: { body: AstNode[] };
  inverse?: { body: AstNode[] };
}

function parse(file: string, text: string): Program {
  try {
    return Handlebars.parse(text);
  } catch (error) {
    const line = /line (\d+)/i.exec((error as Error).message)?.[1];
    throw new TemplateSyntaxError(file, line ? Number(line) : undefined, (error as Error).message.split('\n')[0]!);
  }
}

function use(node: AstNode, at: Loc): VariableUse {
  const length = at.start.line === at.end.line ? at.end.column - at.start.column : node.original!.length;
  return { name: node.original!, line: at.start.line, column: at.start.column, length };
}

/** Every `{{NAME}}` (and helper argument) the template reads, with its position. */
export function findVariables(file: string, text: string): VariableUse[] {
  const uses: VariableUse[] = [];
  const visit = (nodes: AstNode[]): void => {
    for (const node of nodes) {
      if (node.type !== 'MustacheStatement' && node.type !== 'BlockStatement') continue;
      if (!node.params?.length && node.path?.type === 'PathExpression') uses.push(use(node.path, node.loc));
      for (const param of node.params ?? []) if (param.type === 'PathExpression') uses.push(use(param, param.loc));
      if (node.program) visit(node.program.body);
      if (node.inverse) visit(node.inverse.body);
    }
  };
  visit(parse(file, text).body as unknown as AstNode[]);
  return uses;
}

/** The uses whose name nobody defines: not ours, not configured. */
export function unknownVariables(uses: readonly VariableUse[], configured: Record<string, string>): VariableUse[] {
  return uses.filter((u) => !OWNED_VARIABLES.includes(u.name) && !Object.hasOwn(configured, u.name));
}

/** Hash of the master's text: a deployed copy with another hash came from other content. */
export function contentHash(templateText: string): string {
  return createHash('sha256').update(templateText).digest('hex').slice(0, 16);
}

/** Formats a date as the framework does in DEPLOYMENT_DATE / LAST_UPDATED (ISO 8601, UTC). */
export function deploymentTimestamp(now: Date): string {
  return now.toISOString();
}

export interface RenderInput {
  file: string;
  text: string;
  /** Values from `.claude-pm/config.json` `template_variables` (override runtime and defaulted ones). */
  configured: Record<string, string>;
  claudeMdVersion: string;
  frameworkVersion: string;
  deploymentDir: string;
  now: Date;
  /** Platform, Python command, platform notes and deployment id, computed from the machine and the deployment. */
  runtime: Record<(typeof RUNTIME_VARIABLES)[number], string>;
}

// Deploys render the same master again and again; compiling it is most of the cost.
let lastCompiled: { text: string; template: HandlebarsTemplateDelegate } | undefined;
function compiled(text: string): HandlebarsTemplateDelegate {
  if (lastCompiled?.text !== text) lastCompiled = { text, template: Handlebars.compile(text, { noEscape: true, strict: true, knownHelpersOnly: true }) };
  return lastCompiled.template;
}

let lastUses: { file: string; text: string; uses: VariableUse[] } | undefined;
function cachedVariables(file: string, text: string): VariableUse[] {
  if (lastUses?.text !== text || lastUses.file !== file) lastUses = { file, text, uses: findVariables(file, text) };
  return lastUses.uses;
}

/** Renders the master; throws UnknownVariablesError or TemplateSyntaxError instead of guessing. */
export function renderTemplate(input: RenderInput): string {
  const unknown = unknownVariables(cachedVariables(input.file, input.text), input.configured);
  if (unknown.length) throw new UnknownVariablesError(input.file, unknown);
  const stamp = deploymentTimestamp(input.now);
  const values: Record<string, string> = emptyRecord();
  Object.assign(values, input.runtime, DEFAULTED_VARIABLES, input.configured, {
    CLAUDE_MD_VERSION: input.claudeMdVersion,
    FRAMEWORK_VERSION: input.frameworkVersion,
    DEPLOYMENT_DATE: stamp,
    LAST_UPDATED: stamp,
    CONTENT_HASH: contentHash(input.text),
    DEPLOYMENT_DIR: input.deploymentDir,
  });
  try {
    return compiled(input.text)(values);
  } catch (error) {
    throw new TemplateSyntaxError(input.file, undefined, (error as Error).message.split('\n')[0]!);
  }
}
