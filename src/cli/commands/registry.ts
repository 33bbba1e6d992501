import type { CliCommand } from '../framework';
import { agentsCommands } from './agents';
import { configCommands } from './config';
import { eventsCommands } from './events';
import { databaseCommands } from './database';
import { healthCommands } from './health';
import { mcpCommands } from './mcp';
import { memoryCommands } from './memory';
import { orchestrationCommands } from './orchestration';
import { runsCommands } from './runs';
import { runBranchCommands } from './runBranches';
import { securityCommands } from './security';
import { syncCommands } from './sync';
import { templatesCommands } from './templates';
import { ticketsCommands } from './tickets';

/**
 * Every subcommand, one list per area. Each `commands/<area>.ts` only declares (path, summary, options, permission)
 * through `lazyCommands`; the code lives in `handlers/<area>.ts` and loads when one of its commands runs, so start-up,
 * `--help` and `--version` never load an area. A new area adds both files and one line here.
 */
export const allCommands: CliCommand[] = [
  ...configCommands,
  ...ticketsCommands,
  ...syncCommands,
  ...templatesCommands,
  ...memoryCommands,
  ...agentsCommands,
  ...orchestrationCommands,
  ...runsCommands,
  ...runBranchCommands,
  ...healthCommands,
  ...securityCommands,
  ...eventsCommands,
  ...mcpCommands,
  ...databaseCommands,
];
