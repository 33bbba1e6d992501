// Random trees of CLAUDE.md files, owned and foreign, at random depths: deploy never changes a foreign file,
// leaves exactly one owned copy upward, and rollback restores the previous bytes exactly.

import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deployClaudeMd } from '../../../src/core/templates/deploy';
import { rollbackClaudeMd } from '../../../src/core/templates/rollback';
import { ownedCopiesUpward } from '../../../src/core/templates/targets';
import { tempDir } from '../../helpers/tempDir';
import { masterOfVersion, ownedText } from './fixtures';

type Slot = { kind: 'none' } | { kind: 'foreign'; text: string } | { kind: 'owned'; version: string };

const slot: fc.Arbitrary<Slot> = fc.oneof(
  fc.constant<Slot>({ kind: 'none' }),
  fc.string({ maxLength: 40 }).map((t): Slot => ({ kind: 'foreign', text: `# user notes\n${t}` })),
  fc.integer({ min: 10, max: 20 }).map((n): Slot => ({ kind: 'owned', version: String(n).padStart(3, '0') })),
);

describe('deploy over random trees', () => {
  it('keeps foreign bytes, leaves one owned copy upward, and rolls back exactly', async () => {
    const master = await masterOfVersion('016');
    const base = await tempDir('claude-pm-prop-');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(slot, { minLength: 2, maxLength: 6 }), fc.boolean(), async (slots, force) => {
        const root = join(base, String(run++));
        // slots[0] is the tree's top, the last slot is the project itself.
        const dirs = slots.map((_, i) => join(root, ...Array.from({ length: i }, (__, j) => `d${j}`)));
        const project = dirs.at(-1)!;
        await mkdir(project, { recursive: true });
        const before = new Map<string, string>();
        for (const [i, s] of slots.entries()) {
          if (s.kind === 'none') continue;
          const text = s.kind === 'foreign' ? s.text : ownedText(s.version, `at ${i}`);
          await writeFile(join(dirs[i]!, 'CLAUDE.md'), text);
          before.set(join(dirs[i]!, 'CLAUDE.md'), text);
        }
        const result = await deployClaudeMd({ projectRoot: project, master, ceiling: root, force });

        for (const [path, text] of before) {
          if (text.startsWith('# user notes')) assert.equal(await readFile(path, 'utf8'), text, `foreign ${path} changed`);
        }
        const owned = await ownedCopiesUpward(project, root);
        if (result.action === 'refused') {
          assert.equal(result.removed.length, 0);
        } else {
          assert.equal(owned.length, 1, `owned copies left: ${owned.join(', ')}`);
          assert.equal(owned[0], result.target);
        }

        if (result.action === 'updated') {
          await rollbackClaudeMd({ projectRoot: project, ceiling: root });
          assert.equal(await readFile(result.target, 'utf8'), before.get(result.target));
        }
        await rm(root, { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  });
});
