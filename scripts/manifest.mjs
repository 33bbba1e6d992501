// Builds package.json `contributes`/`activationEvents` and package.nls.json from contributions/*.json.
// Each area owns one fragment: { "nls": {...}, "activationEvents": [...], "contributes": {...} }.
// Objects merge deeply and arrays concatenate, in file-name order. `--check` fails when the files are stale.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const check = process.argv.includes('--check');
const dir = 'contributions';
const fragments = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('_')).sort().map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }));

function merge(target, source, where) {
  for (const [key, value] of Object.entries(source)) {
    if (Array.isArray(value)) target[key] = [...(target[key] ?? []), ...value];
    else if (value && typeof value === 'object') target[key] = merge(target[key] ?? {}, value, `${where}.${key}`);
    else if (key in target && target[key] !== value) throw new Error(`${where}.${key} is set twice with different values`);
    else target[key] = value;
  }
  return target;
}

const contributes = {};
const nls = {};
const activation = new Set();
for (const f of fragments) {
  merge(contributes, f.contributes ?? {}, f.file);
  for (const [k, v] of Object.entries(f.nls ?? {})) {
    if (k in nls) throw new Error(`${f.file}: nls key ${k} is defined twice`);
    nls[k] = v;
  }
  for (const e of f.activationEvents ?? []) activation.add(e);
}

// Every %key% used must exist, and command ids must be unique.
const used = JSON.stringify(contributes).match(/%[A-Za-z0-9_.-]+%/g) ?? [];
const missing = [...new Set(used)].filter((k) => !(k.slice(1, -1) in nls));
const ids = (contributes.commands ?? []).map((c) => c.command);
const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
if (missing.length || dupes.length) {
  console.error(`manifest: missing nls keys ${missing.join(', ')}; duplicate commands ${dupes.join(', ')}`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const baseNls = JSON.parse(readFileSync(join(dir, '_base.nls.json'), 'utf8'));
const next = { ...pkg, activationEvents: [...activation].sort(), contributes };
const nextText = `${JSON.stringify(next, null, 2)}\n`;
const nlsText = `${JSON.stringify({ ...baseNls, ...nls }, null, 2)}\n`;
if (check) {
  const stale = readFileSync('package.json', 'utf8') !== nextText || readFileSync('package.nls.json', 'utf8') !== nlsText;
  if (stale) {
    console.error('manifest: package.json or package.nls.json is out of date with contributions/*.json: run npm run manifest');
    process.exit(1);
  }
} else {
  writeFileSync('package.json', nextText);
  writeFileSync('package.nls.json', nlsText);
}
