import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { bundledMasterPath, loadMasterTemplate, TemplateError } from '../../../src/core/templates/master';
import { FRAMEWORK_HEADER, isFrameworkOwned, parseMetadata } from '../../../src/core/templates/metadata';
import { contentHash, findVariables, renderTemplate, TemplateSyntaxError, UnknownVariablesError, type RenderInput } from '../../../src/core/templates/render';
import { validateStructure } from '../../../src/core/templates/structure';
import { tempDir } from '../../helpers/tempDir';
import { writeFile } from 'node:fs/promises';

const REAL_MASTER = resolve(__dirname, '../../../../shared/fixtures/cmpm/framework/CLAUDE.md');
const NOW = new Date('2025-07-23T10:11:12.000Z');
const RUNTIME = { PLATFORM: 'linux', PYTHON_CMD: 'python3', PLATFORM_NOTES: '- Linux: run Python as `python3`.', DEPLOYMENT_ID: 'a1b2c3d4e5f6' };

async function input(path: string, configured: Record<string, string> = {}): Promise<RenderInput> {
  const master = await loadMasterTemplate(path);
  return { file: master.path, text: master.text, configured, claudeMdVersion: master.claudeMdVersion, frameworkVersion: master.frameworkVersion, deploymentDir: '/home/me/projects', now: NOW, runtime: RUNTIME };
}

describe('rendering the real master template', () => {
  it('keeps the exact header and the 5-line metadata comment, filled', async () => {
    const out = renderTemplate(await input(REAL_MASTER));
    const lines = out.split('\n');
    assert.equal(lines[0], FRAMEWORK_HEADER);
    assert.equal(lines[2]!.trim(), '<!--');
    assert.deepEqual(lines.slice(3, 8), [
      'CLAUDE_MD_VERSION: 016',
      'FRAMEWORK_VERSION: 016',
      `DEPLOYMENT_DATE: ${NOW.toISOString()}`,
      `LAST_UPDATED: ${NOW.toISOString()}`,
      `CONTENT_HASH: ${contentHash(await readFile(REAL_MASTER, 'utf8'))}`,
    ]);
    assert.equal(lines[8], '-->');
    const meta = parseMetadata(out);
    assert.equal(meta.owned, true);
    assert.equal(meta.version?.raw, '016');
  });

  it('fills every variable, the runtime ones from the machine and the deployment', async () => {
    const out = renderTemplate(await input(REAL_MASTER));
    assert.equal(out.match(/\{\{[A-Z_]+\}\}/g), null);
    assert.ok(out.includes('(`/home/me/projects/.claude-pm/`)'), 'DEPLOYMENT_DIR is filled');
    assert.ok(out.includes('**Framework Version**: 016'));
    assert.ok(out.includes('- **Platform**: linux'));
    assert.ok(out.includes('**Deployment ID**: a1b2c3d4e5f6'));
    assert.ok(out.includes('- Linux: run Python as `python3`.'));
  });

  it('lets configured values replace the computed runtime ones, without HTML escaping', async () => {
    const out = renderTemplate(await input(REAL_MASTER, { PLATFORM: 'linux & <wsl>', PYTHON_CMD: 'python3', PLATFORM_NOTES: '"quoted" notes', DEPLOYMENT_ID: 'dep-1' }));
    assert.ok(out.includes('- **Platform**: linux & <wsl>'));
    assert.ok(out.includes('- **Command**: python3'));
    assert.ok(out.includes('"quoted" notes'));
    assert.ok(out.includes('**Deployment ID**: dep-1'));
    assert.equal(out.match(/\{\{[A-Z_]+\}\}/g), null);
  });

  it('renders everything else of the master byte for byte', async () => {
    const text = await readFile(REAL_MASTER, 'utf8');
    const out = renderTemplate(await input(REAL_MASTER));
    const strip = (s: string) => s.replace(RUNTIME.PLATFORM_NOTES, '').replace(/\{\{[A-Z_]+\}\}/g, '').split('\n').filter((l) => !/^(CLAUDE_MD_VERSION|FRAMEWORK_VERSION|DEPLOYMENT_DATE|LAST_UPDATED|CONTENT_HASH):|Version\*\*:|Deployment (Date|ID)\*\*:|Last Updated\*\*:|Framework Directory|Platform\*\*:|Command\*\*:/.test(l));
    assert.deepEqual(strip(out), strip(text));
  });
});

describe('the bundled master template', () => {
  it('has the real format: header, metadata, required sections and the nine core agents', async () => {
    const master = await loadMasterTemplate(bundledMasterPath());
    assert.equal(master.text.split('\n')[0], FRAMEWORK_HEADER);
    assert.deepEqual(validateStructure(master.text), []);
    assert.equal(master.claudeMdVersion, '016-001');
    assert.equal(master.frameworkVersion, '016');
    const out = renderTemplate({ ...(await input(master.path)) });
    assert.deepEqual(validateStructure(out), []);
    assert.ok(isFrameworkOwned(out));
  });

  it('validateStructure names what is missing', () => {
    const issues = validateStructure(`${FRAMEWORK_HEADER}\n## A) AGENTS\nQA Agent\n`);
    assert.ok(issues.includes('missing CLAUDE_MD_VERSION metadata'));
    assert.ok(issues.includes('missing section "## B) TODO AND TASK TOOLS"'));
    assert.ok(issues.includes('core agent "Engineer Agent" is not named'));
    assert.ok(!issues.includes('core agent "QA Agent" is not named'));
  });
});

describe('strict variables', () => {
  const base = { claudeMdVersion: '016', frameworkVersion: '016', deploymentDir: '/d', now: NOW, configured: {}, runtime: RUNTIME };

  it('reports an unknown variable with its line instead of emptying it', () => {
    const text = `${FRAMEWORK_HEADER}\nline two\nhello {{MYSTERY}} and {{FRAMEWORK_VERSION}}\n`;
    assert.throws(
      () => renderTemplate({ ...base, file: 't.md', text }),
      (error: unknown) => error instanceof UnknownVariablesError && error.unknown[0]!.name === 'MYSTERY' && error.unknown[0]!.line === 3 && /MYSTERY.*line 3/.test(error.message),
    );
  });

  it('uses extra variables configured by the user', () => {
    const text = `${FRAMEWORK_HEADER}\nteam: {{TEAM_NAME}}\n`;
    assert.equal(renderTemplate({ ...base, file: 't.md', text, configured: { TEAM_NAME: 'Core' } }).split('\n')[1], 'team: Core');
  });

  it('does not let configuration override computed values', () => {
    const text = `${FRAMEWORK_HEADER}\n{{CLAUDE_MD_VERSION}} {{DEPLOYMENT_DIR}}\n`;
    assert.equal(renderTemplate({ ...base, file: 't.md', text, configured: { CLAUDE_MD_VERSION: '999', DEPLOYMENT_DIR: '/evil' } }).split('\n')[1], '016 /d');
  });

  it('finds variables with positions, including block parameters', () => {
    const uses = findVariables('t.md', 'a {{ONE}}\n{{#if TWO}}x{{/if}}\n');
    assert.deepEqual(uses.map((u) => [u.name, u.line, u.column]), [['ONE', 1, 2], ['TWO', 2, 6]]);
    assert.equal(uses[0]!.length, 7);
  });

  it('turns broken mustache syntax into a clear error', () => {
    assert.throws(() => findVariables('t.md', 'x {{#if A}} never closed'), TemplateSyntaxError);
  });
});

describe('loading a master', () => {
  it('refuses files that are not framework templates, unversioned or missing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'foreign.md'), '# My notes\n');
    await assert.rejects(loadMasterTemplate(join(dir, 'foreign.md')), (e: unknown) => e instanceof TemplateError && /not a framework template/.test((e as Error).message));
    await writeFile(join(dir, 'CLAUDE.md'), `${FRAMEWORK_HEADER}\n<!--\nCLAUDE_MD_VERSION: {{CLAUDE_MD_VERSION}}\n-->\n`);
    await assert.rejects(loadMasterTemplate(join(dir, 'CLAUDE.md')), /no usable CLAUDE_MD_VERSION/);
    await writeFile(join(dir, 'VERSION'), '015-002\n');
    const master = await loadMasterTemplate(join(dir, 'CLAUDE.md'));
    assert.equal(master.claudeMdVersion, '015-002');
    assert.equal(renderTemplate({ ...(await input(master.path)) }).split('\n')[2], 'CLAUDE_MD_VERSION: 015-002');
    await assert.rejects(loadMasterTemplate(join(dir, 'missing.md')), /cannot read the master template .*ENOENT/);
  });
});
