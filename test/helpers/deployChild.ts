// A child process for the deploy crash test: runs `claude-pm deploy --force` forever, alternating two masters,
// until the test kills it. It says "ready" after the first deploy, so the kill lands in the loop, not the start-up. Usage: deployChild <cwd> <targetDir> <masterA> <masterB>

import { runCli } from '../../src/cli/framework';
import { templatesCommands } from '../../src/cli/commands/templates';

const [cwd, targetDir, ...masters] = process.argv.slice(2);

async function loop(): Promise<void> {
  const io = { stdout: () => undefined, stderr: (t: string) => process.stderr.write(t), env: {}, cwd: cwd! };
  for (let i = 0; ; i++) {
    const code = await runCli(['deploy', '--force', '--target', targetDir!, '--template', masters[i % masters.length]!], templatesCommands, '0.0.0-crash', io);
    if (code !== 0) process.exit(code);
    if (i === 0) process.stdout.write('ready\n');
  }
}

void loop();
