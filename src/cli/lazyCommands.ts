import type { CliCommand, CliCommandSpec, CliHandler } from './framework';

/**
 * Declares an area's commands without loading their code: `specs` (path, summary, options, permission) are all that
 * help and argument parsing need, and `load` imports the area's handler module only when one of its commands runs.
 * A missing handler for a declared key is a type error.
 *
 *   export const memoryCommands = lazyCommands(() => import('../handlers/memory').then((m) => m.memoryHandlers), {
 *     memoryAdd: { path: ['memory', 'add'], summary: 'Record a memory', args: 'TEXT', permission: 'memory.write' },
 *   });
 */
export function lazyCommands<K extends string>(load: () => Promise<Record<K, CliHandler>>, specs: Record<K, CliCommandSpec>): CliCommand[] {
  return (Object.keys(specs) as K[]).map((key) => ({
    ...specs[key],
    run: async (ctx, values, positionals) => (await load())[key](ctx, values, positionals),
  }));
}
