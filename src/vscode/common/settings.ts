import * as vscode from 'vscode';
import { parseLogLevel, type LogLevel } from '../../core/common/logger';
import type { ConfigOverrides } from '../../core/config/loadConfig';

// The one module that reads `claudePm.*` settings. Features get them from their folder's session.

/** The editor-only switches of a folder; everything the core knows too goes into `overrides`. */
export interface FolderSettings {
  /** Settings the user set explicitly: each wins over `.claude-pm/config.json`. */
  readonly overrides: ConfigOverrides;
  /** `claudePm.logLevel` when set explicitly; else the config file's `logging.level` applies. */
  readonly logLevel?: LogLevel;
  readonly ticketHover: boolean;
  readonly memoryHover: boolean;
  readonly memoryCodeActions: boolean;
  /** `claudePm.agents.mcpServer`: Claude Code agents get the claude-pm tools (memory, tickets, health). */
  readonly mcpServer: boolean;
  /** Where the event listener binds. */
  readonly eventsHost: string;
  readonly eventsPort: number;
  /** `claudePm.agents.stalledAfterSeconds`: a running agent silent this long is marked stalled. */
  readonly stalledAfterSeconds: number;
  /** GitHub sync: `owner/name` (else `sync.github.repo` of the config), the API address, milestones as epics. */
  readonly github: { repository?: string; baseUrl?: string; milestonesAsEpics?: boolean };
}

/** Window-wide settings of the health monitor and the status bar. */
export interface WindowSettings {
  readonly healthPauseWhenUnfocused: boolean;
  readonly healthStatusBar: boolean;
  readonly eventsStatusBar: boolean;
}

/** Reads every `claudePm.*` setting of `scope` (a folder or a document in it). */
export function readFolderSettings(scope: vscode.Uri): FolderSettings {
  const s = vscode.workspace.getConfiguration('claudePm', scope);
  // Only values the user set: defaults must not hide what the folder's config file says.
  const explicit = <T>(key: string): T | undefined => {
    const inspected = s.inspect<T>(key);
    return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  };
  const templates = explicit<Record<string, unknown>>('agents.commandTemplates');
  return {
    overrides: {
      // An empty choice means "from .claude-pm/config.json": the same as not set.
      environment: explicit<ConfigOverrides['environment'] | ''>('environment') || undefined,
      memoryBackend: explicit<ConfigOverrides['memoryBackend'] | ''>('memory.backend') || undefined,
      memoryUrl: explicit<string>('memory.url') || undefined,
      claudePath: explicit<string>('agents.claudePath') || undefined,
      agentRunner: explicit<ConfigOverrides['agentRunner'] | ''>('agents.runner') || undefined,
      maxConcurrentAgents: explicit('agents.maxConcurrent'),
      healthIntervalSeconds: explicit('health.intervalSeconds'),
      commandTemplates: templates ? stringEntries(templates) : undefined,
      checkpointsKept: explicit('agents.checkpointsKept'),
      templatesTarget: explicit<ConfigOverrides['templatesTarget'] | ''>('templates.target') || undefined,
      ticketsRoot: explicit<string>('tickets.root') || undefined,
      ticketsShowAllRoots: explicit<boolean>('tickets.showAllRoots'),
    },
    logLevel: parseLogLevel(explicit<string>('logLevel')),
    ticketHover: s.get<boolean>('tickets.hover.enabled', true),
    memoryHover: s.get<boolean>('memory.hover.enabled', true),
    memoryCodeActions: s.get<boolean>('memory.codeActions.enabled', true),
    mcpServer: s.get<boolean>('agents.mcpServer', true),
    eventsHost: s.get<string>('events.host') || '127.0.0.1',
    eventsPort: s.get<number>('events.port', 8787),
    stalledAfterSeconds: s.get<number>('agents.stalledAfterSeconds', 120),
    github: {
      repository: explicit<string>('tickets.github.repository') || undefined,
      // Application scope: only the user's own settings name where the token goes, never a workspace's.
      baseUrl: s.inspect<string>('tickets.github.baseUrl')?.globalValue || undefined,
      milestonesAsEpics: explicit<boolean>('tickets.github.milestonesAsEpics'),
    },
  };
}

export function readWindowSettings(): WindowSettings {
  const s = vscode.workspace.getConfiguration('claudePm');
  return { healthPauseWhenUnfocused: s.get<boolean>('health.pauseWhenUnfocused', true), healthStatusBar: s.get<boolean>('health.statusBar.enabled', true), eventsStatusBar: s.get<boolean>('events.statusBar.enabled', true) };
}

/** Keeps the string values of a settings object (settings.json is user input), in a prototype-free map. */
function stringEntries(value: Record<string, unknown>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string' && v.trim()) out[key] = v;
  return out;
}
