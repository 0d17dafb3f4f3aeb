/**
 * The extension's commands. Each asks the server (through the language client) or shows what
 * the server reported; none re-implements the server's work.
 */

import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import type { ServerLifecycle } from './lifecycle';
import type { Status } from './status';

const FIX_ALL_KIND = 'source.fixAll.importwarden';
const SERVER_COMMAND_RELOAD = 'importwarden.reloadRegistry';

async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python') {
    void vscode.window.showInformationMessage('importwarden: open a Python file to fix its imports.');
    return;
  }
  const doc = editor.document;
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, whole, FIX_ALL_KIND, 10)) ?? [];
  const fix = actions.find((a) => a.kind?.value === FIX_ALL_KIND);
  if (!fix || (!fix.edit && !fix.command)) {
    void vscode.window.showInformationMessage('importwarden: nothing to fix in this file.');
    return;
  }
  if (fix.edit) {
    await vscode.workspace.applyEdit(fix.edit);
  }
  if (fix.command) {
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
  }
}

async function reloadRegistry(server: ServerLifecycle, output: vscode.LogOutputChannel): Promise<void> {
  const client = server.client;
  if (!client || !server.running) {
    await server.restart();
    return;
  }
  const commands = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!commands.includes(SERVER_COMMAND_RELOAD)) {
    output.info(`The server does not offer ${SERVER_COMMAND_RELOAD}; restarting it to reload the registry.`);
    await server.restart();
    return;
  }
  await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMAND_RELOAD, arguments: [] });
  output.info('Registry reloaded.');
}

/** Opens the registry the server loaded (its `importwarden/status` names the files). */
async function openRegistry(status: Status): Promise<void> {
  const files = status.registryFiles;
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      'importwarden: the server has loaded no registry (see the importwarden output for where it looked).',
    );
    return;
  }
  let target = files[0];
  if (files.length > 1) {
    const pick = await vscode.window.showQuickPick(
      files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { placeHolder: 'Open which registry?' },
    );
    if (!pick) {
      return;
    }
    target = pick.uri;
  }
  await vscode.window.showTextDocument(target);
}

export function registerCommands(server: ServerLifecycle, status: Status, output: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('importwarden.restart', () => server.restart()),
    vscode.commands.registerCommand('importwarden.fixAll', () => fixAll()),
    vscode.commands.registerCommand('importwarden.reload', () => reloadRegistry(server, output)),
    vscode.commands.registerCommand('importwarden.openRegistry', () => openRegistry(status)),
    vscode.commands.registerCommand('importwarden.showOutput', () => output.show(true)),
  ];
}
