import type { CliCommand } from '../framework';

export const ticketsCommands: CliCommand[] = [];
