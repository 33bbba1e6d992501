// The state of every CLAUDE.md target of a project, for `template check`, compliance and the Health tree.

import { TEMPLATE_TARGETS, type TemplateTarget } from '../config/schema';
import { listParentBackups } from './backups';
import type { MasterTemplate } from './master';
import { contentHash } from './render';
import { parseMetadata } from './metadata';
import { DeploymentState } from './state';
import { validateStructure } from './structure';
import { isFrameworkSourceTree, readHead, resolveTarget } from './targets';
import { compareVersions } from './version';

export interface TargetStatus {
  mode: TemplateTarget;
  path: string;
  /** The mode deploy uses for this project. */
  selected: boolean;
  exists: boolean;
  /** False for a file the framework does not own (never overwritten). */
  owned: boolean;
  deployedVersion: string | null;
  templateVersion: string;
  /** ISO time of the last deploy: from the operation history, else the file's DEPLOYMENT_DATE. */
  lastDeploy: string | null;
  backups: number;
  /** An owned copy whose version is older (or unknown), so deploy would update it. */
  updateAvailable: boolean;
  /** Same version but other content than the master (CONTENT_HASH differs): `deploy --force` refreshes it. */
  contentDiffers: boolean;
  /** Other framework copies upward that deploy would remove (parent mode). */
  duplicates: string[];
}

export interface DeploymentStatus {
  /** `issues`: what the master lacks of the sections and agents the framework's validator requires. */
  template: { path: string; version: string; issues: string[] };
  frameworkSourceTree: boolean;
  targets: TargetStatus[];
}

export async function inspectDeployment(projectRoot: string, options: { master: MasterTemplate; mode?: TemplateTarget; ceiling?: string }): Promise<DeploymentStatus> {
  const { master } = options;
  const selectedMode = options.mode ?? 'parent';
  const state = await DeploymentState.load(projectRoot);
  const allBackups = (await listParentBackups(projectRoot)).map((b) => b.path);
  const hash = contentHash(master.text);
  const targets = await Promise.all(
    TEMPLATE_TARGETS.map(async (mode): Promise<TargetStatus> => {
      const { path, duplicates } = await resolveTarget(projectRoot, mode, { ceiling: options.ceiling });
      const head = await readHead(path);
      const meta = head === undefined ? undefined : parseMetadata(head);
      const owned = meta?.owned ?? false;
      const newer = meta?.version ? compareVersions(master.version, meta.version) > 0 : true;
      return {
        mode,
        path,
        selected: mode === selectedMode,
        exists: head !== undefined,
        owned,
        deployedVersion: meta?.claudeMdVersion ?? meta?.frameworkVersion ?? null,
        templateVersion: master.claudeMdVersion,
        lastDeploy: state.lastDeploy(path) ?? meta?.deploymentDate ?? null,
        backups: state.backupsFor(path, allBackups).size,
        updateAvailable: owned && newer,
        contentDiffers: owned && !newer && meta?.contentHash !== undefined && meta.contentHash !== hash,
        duplicates,
      };
    }),
  );
  return { template: { path: master.path, version: master.claudeMdVersion, issues: validateStructure(master.text) }, frameworkSourceTree: await isFrameworkSourceTree(projectRoot), targets };
}
