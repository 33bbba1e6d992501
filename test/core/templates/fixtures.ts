// Shared set-up for the template tests: a project inside a temp tree, and masters of chosen versions.

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadMasterTemplate, type MasterTemplate } from '../../../src/core/templates/master';
import { FRAMEWORK_HEADER } from '../../../src/core/templates/metadata';
import { tempDir } from '../../helpers/tempDir';

export const REAL_MASTER = resolve(__dirname, '../../../../shared/fixtures/cmpm/framework/CLAUDE.md');

export interface Tree {
  /** The top of the tree: de-duplication stops here. */
  root: string;
  /** `<root>/work/project`: its parent target is `<root>/work/CLAUDE.md`. */
  project: string;
  parentTarget: string;
}

export async function projectTree(): Promise<Tree> {
  const root = await tempDir('claude-pm-tpl-');
  const project = join(root, 'work', 'project');
  await mkdir(project, { recursive: true });
  return { root, project, parentTarget: join(root, 'work', 'CLAUDE.md') };
}

/** A small master of the given CLAUDE_MD_VERSION, written into its own directory. */
export async function masterOfVersion(version: string, body = 'Body text.'): Promise<MasterTemplate> {
  const dir = join(await tempDir('claude-pm-master-'), 'framework');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'CLAUDE.md');
  await writeFile(
    path,
    `${FRAMEWORK_HEADER}\n\n<!--\nCLAUDE_MD_VERSION: ${version}\nFRAMEWORK_VERSION: {{FRAMEWORK_VERSION}}\nDEPLOYMENT_DATE: {{DEPLOYMENT_DATE}}\nLAST_UPDATED: {{LAST_UPDATED}}\nCONTENT_HASH: {{CONTENT_HASH}}\n-->\n\n${body}\nDir: {{DEPLOYMENT_DIR}}\n`,
  );
  return loadMasterTemplate(path);
}

export function ownedText(version: string, body = 'old body'): string {
  return `${FRAMEWORK_HEADER}\n\n<!--\nCLAUDE_MD_VERSION: ${version}\nFRAMEWORK_VERSION: ${version}\n-->\n\n${body}\n`;
}
