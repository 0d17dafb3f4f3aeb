/**
 * The status bar item and what the server says about itself: its `importwarden/status`
 * notification (registry files, entries, problems) and the warnings it logs, such as a setting
 * it ignored. The text comes from statusModel.ts (pure, unit-tested).
 */

import * as vscode from 'vscode';
import { type ClientState, parseServerStatus, type ServerStatus, statusView } from './statusModel';

export class Status implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private server: ServerStatus | undefined;
  private command: string | undefined;
  private warnings: string[] = [];
  private state: ClientState = { kind: 'starting' };

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.item = vscode.window.createStatusBarItem('importwarden.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'importwarden';
    this.item.command = 'importwarden.showOutput';
  }

  /** Registry files the server loaded (from its last status), for "Open Registry". */
  get registryFiles(): vscode.Uri[] {
    return (this.server?.registry?.files ?? []).map((f) =>
      /^[a-z][a-z0-9+.-]+:\/\//i.test(f) ? vscode.Uri.parse(f) : vscode.Uri.file(f),
    );
  }

  /** A new server process: forget what the previous one said. */
  serverStarting(command: string): void {
    this.server = undefined;
    this.warnings = [];
    this.command = command;
    this.set({ kind: 'starting', detail: command });
  }

  running(): void {
    this.set({ kind: 'running', server: this.server, command: this.command, warnings: this.warnings });
  }

  serverStatus(raw: unknown): void {
    this.server = parseServerStatus(raw);
    if (this.server?.message) {
      this.output.info(`Server status: ${this.server.message}`);
    }
    this.running();
  }

  /** A warning or error the server logged (already in the output channel). */
  serverWarning(message: string): void {
    this.warnings = [...this.warnings, message].slice(-5);
    if (this.state.kind === 'running') {
      this.running();
    }
  }

  set(state: ClientState): void {
    this.state = state;
    const view = statusView(state);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor =
      view.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
