import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

const repo = resolve(__dirname, '../../..');
const fragment = JSON.parse(readFileSync(resolve(repo, 'contributions/60-templates.json'), 'utf8'));
const entry = fragment.contributes.grammars[0];
const grammar = JSON.parse(readFileSync(resolve(repo, entry.path), 'utf8'));

describe('CLAUDE.md injection grammar', () => {
  it('is contributed under its own scope name and injected into Markdown', () => {
    assert.equal(grammar.scopeName, entry.scopeName);
    assert.deepEqual(entry.injectTo, ['text.html.markdown']);
    assert.equal(grammar.injectionSelector, 'L:text.html.markdown');
  });

  it('highlights {{VARIABLE}} placeholders, not lower-case or half-open ones', () => {
    const variable = new RegExp(grammar.repository.variable.match);
    assert.deepEqual(variable.exec('- **Platform**: {{PLATFORM}}')?.slice(1), ['{{', 'PLATFORM', '}}']);
    assert.deepEqual(variable.exec('{{ DEPLOYMENT_ID }}')?.slice(1), ['{{', 'DEPLOYMENT_ID', '}}']);
    assert.equal(variable.exec('{{#related_issues}}'), null);
    assert.equal(variable.exec('{{PLATFORM'), null);
  });

  it('marks the metadata keys and literal values of the header comment', () => {
    const metadata = new RegExp(grammar.repository.metadata.match);
    assert.deepEqual(metadata.exec('CLAUDE_MD_VERSION: 016-001')?.slice(1), ['CLAUDE_MD_VERSION', ':', '016-001']);
    assert.deepEqual(metadata.exec('FRAMEWORK_VERSION: {{FRAMEWORK_VERSION}}')?.slice(1), ['FRAMEWORK_VERSION', ':', undefined]);
    assert.equal(metadata.exec('SOMETHING_ELSE: 1'), null);
  });
});
