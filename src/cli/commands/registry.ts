import type { CliCommand } from '../framework';
import { agentsCommands } from './agents';
import { configCommands } from './config';
import { healthCommands } from './health';
import { memoryCommands } from './memory';
import { orchestrationCommands } from './orchestration';
import { securityCommands } from './security';
import { templatesCommands } from './templates';
import { ticketsCommands } from './tickets';

/** Every subcommand, one list per area. */
export const allCommands: CliCommand[] = [
  ...configCommands,
  ...ticketsCommands,
  ...templatesCommands,
  ...memoryCommands,
  ...agentsCommands,
  ...orchestrationCommands,
  ...healthCommands,
  ...securityCommands,
];
