import type { CliCommand } from '../framework';

export const orchestrationCommands: CliCommand[] = [];
