import { writeFileAtomic } from '../../core/common/atomicFile';
import { countOf } from '../../core/common/plural';
import type { ResolvedConfig } from '../../core/config/loadConfig';
import { deployClaudeMd, type DeployResult } from '../../core/templates/deploy';
import { deploymentMemory } from '../../core/templates/deploymentRecord';
import { resolveEnvironment, type ResolvedEnvironment } from '../../core/templates/environments';
import { inspectDeployment, type TargetStatus } from '../../core/templates/inspect';
import { loadMasterTemplate, resolveMasterPath, type MasterTemplate } from '../../core/templates/master';
import { rollbackClaudeMd } from '../../core/templates/rollback';
import { UsageError, type CliContext, type CliHandlers, type Values } from '../framework';
import { withMemoryService } from './memoryAccess';

const str = (values: Values, key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined);

async function master(ctx: CliContext, config: ResolvedConfig, values: Values): Promise<MasterTemplate> {
  const explicit = str(values, 'template');
  return loadMasterTemplate(await resolveMasterPath(ctx.cwd, explicit && ctx.inputPath(explicit), config.file.templates?.master));
}

function targetDir(ctx: CliContext, values: Values): string | undefined {
  const dir = str(values, 'target');
  return dir === undefined ? undefined : ctx.inputPath(dir);
}

function describeDeploy(result: DeployResult, dryRun: boolean): string {
  const would = dryRun ? 'Would have ' : '';
  const lines: string[] = [];
  switch (result.action) {
    case 'created':
      lines.push(`${would}${dryRun ? 'created' : 'Created'} ${result.target} (version ${result.to_version})`);
      break;
    case 'updated':
      lines.push(`${would}${dryRun ? 'updated' : 'Updated'} ${result.target} from ${result.from_version ?? 'an unknown version'} to ${result.to_version}${result.backup ? ` (backup: ${result.backup})` : ''}`);
      break;
    case 'unchanged':
      lines.push(`${result.target} unchanged: ${result.reason}`);
      break;
    case 'refused':
      lines.push(`Refused: ${result.reason}.`);
      if (result.rendered) lines.push('To compare, run `claude-pm deploy --dry-run --output rendered.md` and diff the two files.');
      break;
  }
  for (const removed of result.removed) lines.push(`${dryRun ? 'Would remove' : 'Removed'} duplicate ${removed.path}${removed.backup ? ` (backup: ${removed.backup})` : ''}`);
  return lines.join('\n');
}

function describeTarget(t: TargetStatus): string {
  const state = !t.exists ? 'missing' : !t.owned ? 'foreign (never overwritten)' : t.updateAvailable ? `version ${t.deployedVersion ?? 'unknown'}, update to ${t.templateVersion} available` : t.contentDiffers ? `version ${t.deployedVersion}, content differs from the template` : `version ${t.deployedVersion}, up to date`;
  const extra = [t.lastDeploy && `last deploy ${t.lastDeploy}`, countOf(t.backups, 'backup'), t.duplicates.length && `${countOf(t.duplicates.length, 'duplicate')} upward`].filter(Boolean).join(', ');
  return `${t.selected ? '*' : ' '} ${t.mode.padEnd(11)} ${t.path}\n    ${state}; ${extra}`;
}

/** Records the deployment, whatever its outcome, as a `project` memory through the workspace's memory service. */
async function rememberDeployment(ctx: CliContext, result: DeployResult, context: Parameters<typeof deploymentMemory>[1]): Promise<{ id: string; category: string }> {
  const memory = deploymentMemory(result, context);
  const { memory: saved } = await withMemoryService(ctx, (service) => service.add(memory));
  await ctx.audit({ event: 'memory_write', action: 'record deployment', target: saved.id, details: { category: saved.category } });
  return { id: saved.id, category: saved.category };
}

export const templatesHandlers = {
  deploy: async (ctx, values) => {
    const dryRun = values['dry-run'] === true;
    const output = str(values, 'output');
    const withMemory = values['with-memory'] === true;
    if (output && !dryRun) throw new UsageError('--output needs --dry-run');
    if (withMemory && dryRun) throw new UsageError('--with-memory records a deployment, and a --dry-run makes none');
    const config = await ctx.config();
    const name = str(values, 'environment');
    const environment: ResolvedEnvironment | undefined = name === undefined ? undefined : await resolveEnvironment(config, name);
    if (withMemory) await ctx.authorize('memory.write', 'record the deployment in memory');
    const template = await master(ctx, config, values);
    const now = new Date();
    const result = await deployClaudeMd({
      projectRoot: ctx.cwd,
      master: template,
      mode: config.file.templates?.target ?? 'parent',
      // The command line's folder wins over the environment's.
      targetDir: targetDir(ctx, values) ?? environment?.targetDir,
      force: values.force === true,
      dryRun,
      frameworkDev: values['framework-dev'] === true,
      variables: environment?.variables ?? config.templateVariables,
      now,
    });
    if (output && result.rendered !== undefined) await writeFileAtomic(await ctx.outputPath(output), result.rendered);
    // The deployment happened either way: a memory that cannot be written is reported after its result, not instead of it.
    let memory: { id: string; category: string } | undefined;
    let memoryError: string | undefined;
    if (withMemory) {
      memory = await rememberDeployment(ctx, result, { template: template.path, ...(name !== undefined ? { environment: name } : {}), now }).catch((error: unknown) => {
        memoryError = (error as Error).message;
        return undefined;
      });
    }
    const { target, action, from_version, to_version, backup, reason, removed } = result;
    const json = { target, action, from_version, to_version, backup, ...(reason ? { reason } : {}), removed, ...(name !== undefined ? { environment: name } : {}), ...(memory ? { memory } : {}), ...(memoryError ? { memory_error: memoryError } : {}) };
    ctx.print(json, () => [describeDeploy(result, dryRun), ...(name !== undefined ? [`Environment: ${name}`] : []), ...(memory ? [`Recorded in memory as ${memory.id}`] : [])].join('\n'));
    if (memoryError) ctx.logger.error(`the deployment was not recorded in memory: ${memoryError}`);
    return action === 'refused' || memoryError ? 1 : 0;
  },
  rollback: async (ctx, values) => {
    const config = await ctx.config();
    const result = await rollbackClaudeMd({ projectRoot: ctx.cwd, mode: config.file.templates?.target ?? 'parent', targetDir: targetDir(ctx, values), timestamp: str(values, 'to') });
    ctx.print(result, () => (result.changed ? `Restored ${result.target} from ${result.restored}${result.backup ? ` (previous file backed up to ${result.backup})` : ''}` : `${result.target} already matches ${result.restored}`));
    return 0;
  },
  templateCheck: async (ctx, values) => {
    const config = await ctx.config();
    const status = await inspectDeployment(ctx.cwd, { master: await master(ctx, config, values), mode: config.file.templates?.target ?? 'parent' });
    const selected = status.targets.find((t) => t.selected)!;
    ctx.print(status, () => [`Template ${status.template.path} (version ${status.template.version})`, ...status.template.issues.map((i) => `  warning: ${i}`), ...status.targets.map(describeTarget)].join('\n'));
    return selected.exists && selected.owned && !selected.updateAvailable ? 0 : 1;
  },
} satisfies CliHandlers;
