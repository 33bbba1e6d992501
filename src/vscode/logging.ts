import type * as vscode from 'vscode';
import { createLogger, type Logger, type LogLevel } from '../core/common/logger';

/**
 * A logger over the extension's one LogOutputChannel. The channel's own level filter applies too; a folder's
 * logger is also filtered at its `claudePm.logLevel` or `logging.level`.
 */
export function createChannelLogger(channel: vscode.LogOutputChannel, minLevel: LogLevel | (() => LogLevel) = 'trace'): Logger {
  return createLogger((level, line) => {
    switch (level) {
      case 'trace':
        return channel.trace(line);
      case 'debug':
        return channel.debug(line);
      case 'info':
        return channel.info(line);
      case 'warn':
        return channel.warn(line);
      case 'error':
        return channel.error(line);
    }
  }, minLevel);
}
