import { runSuite, ui } from '../harness';
import { activateExtension } from '../editor';

export async function run(): Promise<void> {
  ui.install();
  const api = await activateExtension();
  await runSuite('untrusted', api.activationMs);
}
