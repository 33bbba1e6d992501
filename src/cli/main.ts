import { allCommands } from './commands/registry';
import { runCli } from './framework';

declare const __VERSION__: string | undefined;

// The version comes from package.json at build time when defined, else at run time.
function version(): string {
  if (typeof __VERSION__ === 'string') return __VERSION__;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

runCli(process.argv.slice(2), allCommands, version(), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`claude-pm: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
