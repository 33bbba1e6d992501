import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAgentFile } from '../../src/core/agents/parseAgentFile';
import { StreamJsonState } from '../../src/core/agents/streamJson';
import { parseConfigText } from '../../src/core/config/loadConfig';
import { parseMemoryJsonl } from '../../src/core/memory/jsonlTransfer';
import { conditionHolds, ExpressionError } from '../../src/core/orchestration/expression';
import { parseWorkflowText } from '../../src/core/orchestration/workflowFile';
import { parsePolicy, PolicyError } from '../../src/core/security/policy';
import { parseMetadata } from '../../src/core/templates/metadata';
import { renderTemplate, TemplateSyntaxError, UnknownVariablesError } from '../../src/core/templates/render';
import { fastParseYaml } from '../../src/core/tickets/fastYaml';
import { parseTicketFile } from '../../src/core/tickets/reader';
import { cli } from '../helpers/runCli';

// Every parser of workspace content and every CLI argument that names a path, fed random and hostile input:
// nothing may throw an unexpected error, hang, or write outside the workspace. Counted for the closing total.
const RUNS = { parser: 1_500, cli: 160 };
let cases = 0;
const counted = <T>(check: (value: T) => void) => (value: T) => {
  cases++;
  check(value);
};

// Text biased towards the characters parsers care about: YAML and JSON punctuation, markers, quotes, controls.
const SPECIALS = ['---', '\n', '\r\n', ':', ' ', '-', '[', ']', '{', '}', '"', "'", '#', '&a', '*a', '!!', '|', '>', '{{', '}}', '\\', '\u0000', '\u001b', '__proto__', 'constructor', '..', '/', '\uFEFF', '😀'];
const hostile = fc.array(fc.oneof(fc.constantFrom(...SPECIALS), fc.string({ maxLength: 8 }), fc.stringMatching(/^[a-z_]{1,10}$/)), { maxLength: 40 }).map((parts) => parts.join(''));
const keyName = fc.oneof(fc.stringMatching(/^[a-z_]{1,12}$/), fc.constantFrom('__proto__', 'constructor', 'toString', 'status', 'title', 'type', 'steps', 'name'));
const scalar = fc.oneof(hostile, fc.integer().map(String), fc.constantFrom('true', 'null', '[]', '{}', '~', '"quoted"', "'single'", '&anchor x', '*anchor'));
const frontmatter = fc.array(fc.tuple(keyName, scalar), { maxLength: 10 }).map((pairs) => `---\n${pairs.map(([k, v]) => `${k}: ${v}`).join('\n')}\n---\n\n# Title\n`);
const yamlish = fc.oneof(hostile, frontmatter.map((t) => t.replace(/^---\n|---\n\n# Title\n$/g, '')), fc.array(fc.tuple(keyName, scalar, fc.nat(4)), { maxLength: 12 }).map((lines) => lines.map(([k, v, d]) => `${'  '.repeat(d)}${d % 2 ? '- ' : ''}${k}: ${v}`).join('\n')));
const jsonish = fc.oneof(fc.json({ maxDepth: 4 }), hostile, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ memory_service: v, users: v, roles: v, template_variables: v, agents: { commands: v } })));

function expectOnly(error: unknown, ...allowed: (new (...args: never[]) => Error)[]): void {
  if (!allowed.some((type) => error instanceof type)) throw error;
}

describe('fuzz: parsers of workspace content', () => {
  it('tickets (frontmatter reader and fast YAML)', () => {
    fc.assert(
      fc.property(fc.oneof(frontmatter, hostile, yamlish.map((y) => `---\n${y}\n---\n`)), counted((text: string) => {
        const parsed = parseTicketFile(text, '/ws/tasks/issues/ISS-0001-x.md', '/ws/tasks');
        assert.ok(['ticket', 'unparsed', 'malformed'].includes(parsed.kind));
        fastParseYaml(text);
      })),
      { numRuns: RUNS.parser },
    );
  });

  it('workflows and their conditions', () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, hostile, fc.array(fc.tuple(keyName, hostile), { maxLength: 5 }).map((steps) => `name: w\nsteps:\n${steps.map(([n, c]) => `  - { name: ${n}, command: ${JSON.stringify(c)}, condition: ${JSON.stringify(c)} }`).join('\n')}\n`)), counted((text: string) => {
        const parsed = parseWorkflowText('w.yaml', text);
        assert.ok(parsed.workflow !== undefined || parsed.diagnostics.length > 0);
        try {
          conditionHolds(text, { branch: 'main' });
        } catch (error) {
          expectOnly(error, ExpressionError);
        }
      })),
      { numRuns: RUNS.parser },
    );
  });

  it('config and policy', () => {
    fc.assert(
      fc.property(jsonish, counted((text: string) => {
        const { diagnostics } = parseConfigText('config.json', text);
        for (const d of diagnostics) assert.equal(d.file, 'config.json');
        try {
          parsePolicy('policy.json', text);
        } catch (error) {
          expectOnly(error, PolicyError);
        }
      })),
      { numRuns: RUNS.parser },
    );
  });

  it('CLAUDE.md templates and their metadata', () => {
    const template = fc.array(fc.oneof(hostile, keyName.map((k) => `{{${k}}}`), fc.constantFrom('{{#if x}}', '{{/if}}', '{{else}}', '{{> partial}}', '{{{raw}}}', '{{!comment}}', '<!--\nCLAUDE_MD_VERSION: 016\n-->')), { maxLength: 20 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.tuple(template, fc.dictionary(keyName, hostile, { maxKeys: 4 })), counted(([text, configured]: [string, Record<string, string>]) => {
        parseMetadata(text);
        try {
          renderTemplate({ file: 'CLAUDE.md', text, configured, claudeMdVersion: '016', frameworkVersion: '1.0.0', deploymentDir: '/ws', now: new Date(0), runtime: { DEPLOYMENT_ID: 'd', PLATFORM: 'linux', PYTHON_CMD: 'python3', PLATFORM_NOTES: '' } });
        } catch (error) {
          expectOnly(error, TemplateSyntaxError, UnknownVariablesError);
        }
      })),
      { numRuns: RUNS.parser },
    );
  });

  it('memory JSONL imports', () => {
    const line = fc.oneof(jsonish, fc.record({ content: hostile, category: keyName, tags: fc.array(keyName), metadata: fc.dictionary(keyName, hostile) }).map((r) => JSON.stringify(r)));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), counted((lines: string[]) => {
        const text = lines.join('\n');
        const { items, problems } = parseMemoryJsonl(text);
        assert.ok(items.length + problems.length <= text.split('\n').length);
      })),
      { numRuns: RUNS.parser },
    );
  });

  it('agent definition files', () => {
    fc.assert(
      fc.property(fc.tuple(fc.oneof(frontmatter.map((f) => `${f}\n## Role\n- **Capability**: x\n`), hostile, yamlish), keyName), counted(([text, stem]: [string, string]) => {
        const outcome = parseAgentFile('agent.md', text, stem);
        assert.ok('definition' in outcome || outcome.diagnostics.length > 0);
      })),
      { numRuns: RUNS.parser },
    );
  });

  it('claude stream-json output', () => {
    const message = fc.oneof(
      hostile,
      fc.json({ maxDepth: 4 }),
      fc.record({ type: fc.constantFrom('system', 'assistant', 'user', 'result', 'stream_event', '__proto__'), subtype: keyName, session_id: hostile, message: fc.jsonValue({ maxDepth: 3 }) }).map((m) => JSON.stringify(m)),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 15 }), counted((lines: string[]) => {
        const state = new StreamJsonState();
        for (const l of lines) state.acceptLine(l);
        assert.ok(state.invalidLines.length <= 5);
      })),
      { numRuns: RUNS.parser },
    );
  });
});

describe('fuzz: CLI arguments that name a path', () => {
  let root: string;
  let workspace: string;
  let outside: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'claude-pm-fuzz-'));
    workspace = join(root, 'ws');
    outside = join(root, 'outside');
    await mkdir(join(workspace, '.claude-pm', 'workflows'), { recursive: true });
    await mkdir(join(workspace, 'tasks', 'issues'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, 'keep.txt'), 'untouched');
    await writeFile(join(workspace, '.claude-pm', 'config.json'), JSON.stringify({ agents: { runner: 'command', commands: { qa: 'true' } } }));
    await writeFile(join(workspace, '.claude-pm', 'workflows', 'w.yaml'), 'name: w\nsteps:\n  - { name: a, command: "true" }\n');
    await writeFile(join(workspace, 'tasks', 'issues', 'ISS-0001-a.md'), '---\nissue_id: ISS-0001\ntitle: A\nstatus: active\n---\n');
  });
  after(() => rm(root, { recursive: true, force: true }));

  // Paths as a user or a script might pass them: relative, nested, with `..`, absolute, odd characters, empty.
  const readPath = fc.oneof(
    fc.constantFrom('.', '..', '../outside', '../outside/keep.txt', '/', '/nonexistent', '.claude-pm', '.claude-pm/workflows/w.yaml', 'tasks', '', ' ', '\u0000', '~/x', 'a/../../b', '.claude-pm/policy.json'),
    fc.array(fc.oneof(fc.constantFrom('..', '.', 'tasks', '.claude-pm', 'x y', 'ü', '%2e%2e'), fc.stringMatching(/^[a-z]{1,6}$/)), { minLength: 1, maxLength: 5 }).map((p) => p.join('/')),
  );
  // Output paths stay inside the workspace: where a named output may go is the path-containment rule, not fuzzed here.
  const outPath = fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 3 }).map((p) => `out/${p.join('/')}.json`);
  const invocation = fc.oneof(
    readPath.map((p) => ['tickets', 'list', '--root', p]),
    readPath.map((p) => ['tickets', 'show', 'ISS-0001', '--root', p]),
    readPath.map((p) => ['status', '--root', p]),
    readPath.map((p) => ['config', 'show', '--cwd', p]),
    readPath.map((p) => ['workflow', 'validate', p]),
    readPath.map((p) => ['workflow', 'run', p, '--skip-memory']),
    readPath.map((p) => ['template', 'check', '--template', p]),
    readPath.map((p) => ['deploy', '--dry-run', '--template', p]),
    readPath.map((p) => ['memory', 'import', p]),
    readPath.map((p) => ['audit', 'verify', '--file', p]),
    readPath.map((p) => ['agents', 'list', '--cwd', p]),
    outPath.map((p) => ['memory', 'export', p]),
    outPath.map((p) => ['health', '--output', p]),
  );

  it('no crash, no hang, nothing written outside the workspace', async () => {
    await fc.assert(
      fc.asyncProperty(invocation, fc.constantFrom('text', 'json'), async (args, format) => {
        cases++;
        let timer: NodeJS.Timeout | undefined;
        const bounded = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`claude-pm ${args.join(' ')} did not return within 30 s`)), 30_000);
        });
        try {
          const result = await Promise.race([cli([...args, '--format', format], { cwd: workspace, env: { HOME: join(root, 'home'), PATH: process.env.PATH } }), bounded]);
          assert.ok([0, 1, 2].includes(result.code), `exit ${result.code}`);
          if (result.code !== 0) assert.notEqual((result.stderr + result.stdout).trim(), '', `claude-pm ${args.join(' ')} failed without saying why`);
          assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'a stack trace reached the user');
        } finally {
          clearTimeout(timer);
        }
        assert.deepEqual((await readdir(outside)).sort(), ['keep.txt']);
        assert.deepEqual((await readdir(root)).filter((n) => n !== 'home').sort(), ['outside', 'ws']);
      }),
      { numRuns: RUNS.cli },
    );
  });

  after(() => {
    // The suite's size, for the record (at least 10,000 cases per run).
    console.log(`fuzz cases: ${cases}`);
    assert.ok(cases >= 10_000, `only ${cases} cases`);
  });
});
