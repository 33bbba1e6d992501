import type * as vscode from 'vscode';
import { createLogger, type Logger } from '../core/common/logger';

/** The extension's logger: one LogOutputChannel; its level filter is the user's to set. */
export function createChannelLogger(channel: vscode.LogOutputChannel): Logger {
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
  });
}
