import * as vscode from 'vscode';
import type { FolderSessions } from '../common/folderSession';
import type { TicketStore } from './ticketStore';
import { ticketTooltip } from './ticketsTree';

const TICKET_ID = /\b(?:EP|ISS|TSK|PR|BUG)-\d{1,6}\b/;

/** Hovering a ticket ID shows its title, status and actions, from the in-memory index only (no I/O on hover). */
export class TicketHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly store: TicketStore,
    private readonly sessions: FolderSessions,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.sessions.settingsFor(document.uri).ticketHover) return undefined;
    const range = document.getWordRangeAtPosition(position, TICKET_ID);
    if (!range) return undefined;
    const id = document.getText(range);
    const found = this.store.find(id, document.uri);
    if (!found) {
      // Not indexed yet: start loading so the next hover can answer, without waiting here.
      if (this.store.inMemory().length === 0) void this.store.all();
      return undefined;
    }
    return new vscode.Hover(ticketTooltip(found.ticket, true), range);
  }
}
