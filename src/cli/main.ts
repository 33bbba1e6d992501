import { allCommands } from './commands/registry';
import { runCli } from './framework';

// package.json's version, written in by the build (scripts/build.mjs).
declare const __VERSION__: string;

runCli(process.argv.slice(2), allCommands, __VERSION__, {
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
