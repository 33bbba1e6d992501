import type { CliCommand } from '../framework';

export const healthCommands: CliCommand[] = [];
