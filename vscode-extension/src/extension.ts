/**
 * The importwarden VS Code extension: a thin client of `importwarden lsp`.
 *
 *   lifecycle.ts  which process to run, starting and restarting it, workspace trust
 *   commands.ts   the commands in the palette
 *   status.ts     the status bar item (what the server reports)
 *   settings.ts   the client's own settings; everything else goes to the server as written
 *
 * The server finds the registry and validates the settings; the client shows what it says.
 */

import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ServerLifecycle } from './lifecycle';
import { configurationChangeAction } from './settings';
import { Status } from './status';

let server: ServerLifecycle | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('importwarden', { log: true });
  const status = new Status(output);
  server = new ServerLifecycle(context, output, status);
  const lifecycle = server;
  context.subscriptions.push(output, status);
  output.info(`importwarden ${context.extension.packageJSON.version as string} activated.`);

  context.subscriptions.push(
    ...registerCommands(lifecycle, status, output),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('The folder is now trusted: starting the importwarden server.');
      void lifecycle.restart();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const action = configurationChangeAction((key) => e.affectsConfiguration(key));
      if (action === 'restart') {
        output.info('Server settings changed (path, interpreter or importStrategy): restarting.');
        void lifecycle.restart();
      } else if (action === 'notify') {
        lifecycle.settingsChanged();
      }
    }),
  );
  await lifecycle.start();
}

export async function deactivate(): Promise<void> {
  await server?.dispose();
  server = undefined;
}
