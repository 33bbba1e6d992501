import type { CliCommand } from '../framework';

export const templatesCommands: CliCommand[] = [];
