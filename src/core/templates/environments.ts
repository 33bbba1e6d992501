// Deployment environments (`deployment.environments.<name>` in `.claude-pm/config.json`): the template variables
// and target folder that `claude-pm deploy --environment NAME` applies. The names and the target come from the
// workspace, so the names are looked up in a Map and the target must stay inside the project.

import { containedPath } from '../common/containedPath';
import { emptyRecord } from '../common/ownKeys';
import type { ConfigFile, DeploymentEnvironment } from '../config/schema';

/** An environment the config does not declare; the message lists those it does. */
export class UnknownEnvironmentError extends Error {
  constructor(
    readonly environment: string,
    readonly known: readonly string[],
    configPath: string,
  ) {
    super(
      known.length
        ? `unknown environment '${environment}': ${configPath} declares ${known.map((k) => `'${k}'`).join(', ')} under deployment.environments`
        : `unknown environment '${environment}': ${configPath} declares no deployment environments; add "deployment": {"environments": {"${environment}": {"variables": {…}, "target": "relative/folder"}}}`,
    );
    this.name = 'UnknownEnvironmentError';
  }
}

export interface ResolvedEnvironment {
  name: string;
  /** The top-level template variables with the environment's own on top, in a null-prototype record. */
  variables: Record<string, string>;
  /** The environment's target folder, resolved inside the project; undefined when it names none. */
  targetDir?: string;
}

/** The declared environments by name. */
export function deploymentEnvironments(file: ConfigFile): ReadonlyMap<string, DeploymentEnvironment> {
  return new Map(Object.entries(file.deployment?.environments ?? {}));
}

/** Looks `name` up and resolves its variables and target; throws UnknownEnvironmentError or PathEscapeError. */
export async function resolveEnvironment(
  config: { workspaceRoot: string; configPath: string; file: ConfigFile; templateVariables: Record<string, string> },
  name: string,
): Promise<ResolvedEnvironment> {
  const environments = deploymentEnvironments(config.file);
  const environment = environments.get(name);
  if (!environment) throw new UnknownEnvironmentError(name, [...environments.keys()], config.configPath);
  const variables = Object.assign(emptyRecord<string>(), config.templateVariables, environment.variables);
  const source = `${config.configPath} deployment.environments.${name}.target`;
  return { name, variables, ...(environment.target ? { targetDir: await containedPath(config.workspaceRoot, environment.target, source) } : {}) };
}
