import type { CliCommand } from '../framework';
import { configCommands } from './config';

/** Every subcommand, grouped by area; each area adds its own list here. */
export const allCommands: CliCommand[] = [...configCommands];
