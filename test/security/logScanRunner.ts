// Runs every registered CLI command once against a workspace, each bounded in time, and writes what each printed
// to a JSON file. A separate process so that commands which keep running (monitors, servers) end with it.
import { writeFile } from 'node:fs/promises';
import { allCommands } from '../../src/cli/commands/registry';
import { runCli } from '../../src/cli/framework';

const [cwd, outFile, perCommandMs = '3000'] = process.argv.slice(2);

interface Invocation {
  argv: string[];
  code: number | 'timeout';
  stdout: string;
  stderr: string;
}

// Placeholder words for positional arguments, e.g. `tickets create TYPE TITLE` → `tickets create task "log scan"`.
function positionalsFor(args: string | undefined): string[] {
  if (!args) return [];
  return args
    .split(/\s+/)
    .filter((word) => !word.startsWith('['))
    .map((word, i) => (/TYPE/i.test(word) ? 'task' : /ID/i.test(word) ? 'TSK-0001' : i === 0 ? 'engineer' : 'log scan'));
}

async function invoke(argv: string[]): Promise<Invocation> {
  let stdout = '';
  let stderr = '';
  const run = runCli(argv, allCommands, 'log-scan', { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: process.env, cwd: cwd! });
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Number(perCommandMs)).unref());
  const code = await Promise.race([run.catch(() => 1), timeout]);
  return { argv, code, stdout, stderr };
}

// A value for an option a command says is missing (`missing --duration SECONDS`), so the command gets past its checks.
function optionValue(name: string): string {
  return /duration|interval|limit|timeout|count/.test(name) ? '1' : /agent/.test(name) ? 'engineer' : 'project';
}

// Runs a command, supplying required options it asks for, up to a few times.
async function invokeWithRequiredOptions(argv: string[]): Promise<Invocation[]> {
  const attempts: Invocation[] = [];
  let current = argv;
  for (let attempt = 0; attempt < 4; attempt++) {
    const result = await invoke(current);
    attempts.push(result);
    const missing = result.code === 2 ? /missing --([a-z-]+)/.exec(result.stderr) : null;
    if (!missing || current.includes(`--${missing[1]}`)) break;
    current = [...current, `--${missing[1]}`, optionValue(missing[1]!)];
  }
  return attempts;
}

async function main(): Promise<void> {
  const results: Invocation[] = [];
  for (const command of allCommands) {
    const positionals = positionalsFor(command.args);
    for (const format of ['text', 'json']) results.push(...(await invokeWithRequiredOptions([...command.path, ...positionals, '--format', format, '--verbose'])));
  }
  await writeFile(outFile!, JSON.stringify(results));
  process.exit(0);
}

void main();
