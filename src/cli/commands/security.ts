import type { CliCommand } from '../framework';

export const securityCommands: CliCommand[] = [];
