import { formatDiagnostic } from '../../core/config/diagnostics';
import { loadConfig } from '../../core/config/loadConfig';
import type { CliHandlers } from '../framework';
import { redact, redactValue } from '../../core/common/redact';

export const configHandlers = {
  configShow: async (ctx) => {
    const { config, diagnostics } = await loadConfig(ctx.cwd, {}, ctx.env);
    const { file: _file, ...effective } = config;
    // Shown, never used: credentials in configured URLs are masked like any other secret.
    ctx.print(redactValue({ config: effective, diagnostics }), () =>
      [
        `environment: ${config.environment}`,
        `config file: ${config.configPath}`,
        `memory backend: ${config.memory.backend} (${redact(config.memory.baseUrl)})`,
        `agent runner: ${config.agents.runner} (claude: ${config.agents.claudePath})`,
        `max concurrent agents: ${config.orchestrator.maxConcurrentAgents}`,
        ...diagnostics.map((d) => `problem: ${formatDiagnostic(d)}`),
      ].join('\n'),
    );
    return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  },
} satisfies CliHandlers;
