// Framework compliance for CLAUDE.md: present at the deployment target, owned by the framework, current.

import type { ComplianceCheck, ComplianceItem } from '../common/compliance';
import { loadConfig } from '../config/loadConfig';
import type { TemplateTarget } from '../config/schema';
import { inspectDeployment } from './inspect';
import { loadMasterTemplate, resolveMasterPath, type MasterTemplate } from './master';

const FIX = 'claudePm.templates.deploy';

export interface ClaudeMdComplianceOptions {
  /** The master to compare with (default: the project's configured one, else the bundled one). */
  master?: (projectRoot: string) => Promise<MasterTemplate>;
  /** The target mode (default: `templates.target` in `.claude-pm/config.json`, else `parent`). */
  mode?: (projectRoot: string) => Promise<TemplateTarget>;
}

export function createClaudeMdCompliance(options: ClaudeMdComplianceOptions = {}): ComplianceCheck {
  return async (projectRoot) => {
    const file = options.master && options.mode ? undefined : (await loadConfig(projectRoot)).config.file;
    const master = await (options.master?.(projectRoot) ?? loadMasterTemplate(await resolveMasterPath(projectRoot, undefined, file?.templates?.master)));
    const mode = (await options.mode?.(projectRoot)) ?? file?.templates?.target ?? 'parent';
    const status = await inspectDeployment(projectRoot, { master, mode });
    const target = status.targets.find((t) => t.selected)!;
    const items: ComplianceItem[] = [
      {
        id: 'claude-md.present',
        title: 'CLAUDE.md deployed',
        passed: target.exists,
        severity: 'error',
        detail: target.exists ? `${target.path} exists` : `${target.path} is missing`,
        ...(target.exists ? {} : { fixHint: 'Deploy the framework CLAUDE.md.', fixCommand: FIX }),
      },
    ];
    if (!target.exists) return items;
    items.push({
      id: 'claude-md.owned',
      title: 'CLAUDE.md managed by the framework',
      passed: target.owned,
      severity: 'warning',
      detail: target.owned ? `${target.path} starts with the framework header` : `${target.path} is a user file without the framework header; it is never overwritten`,
      ...(target.owned ? {} : { fixHint: 'Merge your content into the framework template or move your file, then deploy.', fixCommand: FIX }),
    });
    if (!target.owned) return items;
    const current = !target.updateAvailable && !target.contentDiffers;
    items.push({
      id: 'claude-md.current',
      title: 'CLAUDE.md up to date with the template',
      passed: current,
      severity: 'warning',
      detail: current
        ? `version ${target.deployedVersion} matches the template`
        : target.updateAvailable
          ? `deployed version ${target.deployedVersion ?? 'unknown'}, template version ${target.templateVersion}`
          : `version ${target.deployedVersion} but other content than the template`,
      ...(current ? {} : { fixHint: target.updateAvailable ? 'Deploy the newer template.' : 'Deploy with force to refresh the content.', fixCommand: FIX }),
    });
    if (target.duplicates.length) {
      items.push({
        id: 'claude-md.duplicates',
        title: 'One framework CLAUDE.md per directory chain',
        passed: false,
        severity: 'info',
        detail: `other framework copies: ${target.duplicates.join(', ')}`,
        fixHint: 'Deploy to back up and remove the duplicates.',
        fixCommand: FIX,
      });
    }
    return items;
  };
}

export const claudeMdCompliance: ComplianceCheck = createClaudeMdCompliance();
