/**
 * The importwarden VS Code extension: a thin client. It finds which process to run
 * (serverCommand.ts), starts the importwarden language server over stdio with the settings
 * mapped from VS Code's (settings.ts), forwards setting changes (or restarts when the change
 * picks another process), shows the server's registry status in the status bar, and offers a
 * few commands. In Restricted Mode it starts nothing and says so; it starts when trust is granted.
 */

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { onDidChangePythonInterpreter, pythonExtensionInterpreter } from './python';
import { isResolveError, makeWhich, resolveServerCommand, type ServerCommand } from './serverCommand';
import {
  configurationChangeAction,
  expandExecutable,
  readSettings,
  type ServerSettings,
  toServerSettings,
} from './settings';
import { type ClientState, parseServerStatus, type ServerStatus, statusView } from './statusModel';

const CLIENT_ID = 'importwarden';
const SERVER_COMMAND_RELOAD = 'importwarden.reloadRegistry';
const FIX_ALL_KIND = 'source.fixAll.importwarden';
const STATUS_NOTIFICATION = 'importwarden/status';
const DEFAULT_REGISTRY_NAMES = ['SSOT_IMPORT_REGISTRY.md', 'IMPORT_REGISTRY.md', 'importwarden.toml'];

let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let client: LanguageClient | undefined;
let lastServerStatus: ServerStatus | undefined;
let currentCommand: ServerCommand | undefined;
let extensionRoot = '';
let extensionContext: vscode.ExtensionContext;
let pythonListener: vscode.Disposable | undefined;
const warned = new Set<string>();
/** Serialises start/stop/restart so overlapping triggers (settings + interpreter change) queue. */
let lifecycle: Promise<void> = Promise.resolve();

function setState(state: ClientState): void {
  const view = statusView(state);
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
  statusItem.backgroundColor =
    view.severity === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.severity === 'warning'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
  statusItem.show();
}

function primaryFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

function settingsFor(scope: vscode.Uri | vscode.WorkspaceFolder | undefined) {
  const config = vscode.workspace.getConfiguration('importwarden', scope);
  return readSettings(<T>(key: string, fallback: T) => config.get<T>(key, fallback));
}

/** Server settings for a resource (a folder's own settings; paths made absolute against it). */
function serverSettingsFor(scopeUri: vscode.Uri | undefined): ServerSettings {
  const folder = scopeUri ? vscode.workspace.getWorkspaceFolder(scopeUri) : primaryFolder();
  const { settings, warnings } = toServerSettings(
    settingsFor(scopeUri ?? folder?.uri),
    { workspaceFolder: folder?.uri.fsPath, userHome: os.homedir() },
    process.env,
  );
  for (const w of warnings) {
    // Settings are mapped on every configuration request: say each problem once.
    if (!warned.has(w)) {
      warned.add(w);
      output.warn(w);
    }
  }
  return settings;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Runs the bundled launcher's `--probe`: is this interpreter a supported CPython? */
function probeBundled(cmd: ServerCommand): Promise<{ ok: boolean; message: string; short: string }> {
  return new Promise((resolve) => {
    execFile(cmd.command, [...cmd.args, '--probe'], { timeout: 20000 }, (err, stdout, stderr) => {
      const text = stdout.toString().trim();
      try {
        const parsed = JSON.parse(text.split('\n').pop() ?? '') as { supported?: boolean; message?: string; python?: string };
        const version = (parsed.python ?? '?').split('.').slice(0, 2).join('.');
        resolve({
          ok: parsed.supported === true,
          message: parsed.message ?? `Python ${version}`,
          short: `Python ${version} unsupported`,
        });
        return;
      } catch {
        // Not JSON: the interpreter did not even run the launcher (missing, Python 2, …).
      }
      const why = err ? (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd.command} not found` : err.message : '';
      resolve({
        ok: false,
        message: `Could not run ${cmd.command}: ${why} ${stderr.toString().trim()}`.trim(),
        short: 'Python did not run',
      });
    });
  });
}

async function resolveCommand(folder: vscode.WorkspaceFolder | undefined): Promise<ServerCommand | string> {
  const s = settingsFor(folder?.uri);
  const vars = { workspaceFolder: folder?.uri.fsPath, userHome: os.homedir() };
  const needsPython = !s.path && s.interpreter.length === 0;
  const pyExt = needsPython ? await pythonExtensionInterpreter(folder?.uri, (m) => output.info(m)) : undefined;
  const resolved = resolveServerCommand({
    path: s.path ? expandExecutable(s.path, vars, process.env) : '',
    interpreter: s.interpreter.map((part, i) => (i === 0 ? expandExecutable(part, vars, process.env) : part)),
    importStrategy: s.importStrategy,
    pythonExtension: pyExt,
    bundledLauncher: path.join(extensionRoot, 'bundled', 'tool', 'server.py'),
    which: makeWhich(process.env.PATH, isExecutableFile, path.delimiter, path.sep),
  });
  return isResolveError(resolved) ? resolved.error : resolved;
}

function fail(message: string, short?: string): void {
  const text = message.replace(/^importwarden:\s*/, '');
  output.error(text);
  setState({ kind: 'error', message: text, short });
  // Not awaited: the start/restart queue must not wait for someone to dismiss the message.
  void vscode.window.showErrorMessage(`importwarden: ${text}`, 'Show Output', 'Open Settings').then(async (choice) => {
    if (choice === 'Show Output') {
      output.show(true);
    } else if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:importwarden.importwarden');
    }
  });
}

function documentSelector(): LanguageClientOptions['documentSelector'] {
  const selector: { scheme: string; language?: string; pattern?: string }[] = [
    { scheme: 'file', language: 'python' },
    { scheme: 'untitled', language: 'python' },
  ];
  for (const name of DEFAULT_REGISTRY_NAMES) {
    selector.push({ scheme: 'file', pattern: `**/${name}` });
  }
  // Registries named in settings (any file name) get their problems shown too.
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const file of serverSettingsFor(folder.uri).registry ?? []) {
      selector.push({ scheme: 'file', pattern: file });
    }
  }
  return selector;
}

/**
 * Restart when the Python extension's interpreter changes. Registered when the server starts,
 * not at activation: in Restricted Mode the Python extension may be disabled until trust.
 */
async function watchPythonInterpreter(): Promise<void> {
  if (pythonListener) {
    return;
  }
  pythonListener = await onDidChangePythonInterpreter(() => {
    const s = settingsFor(primaryFolder()?.uri);
    if (!s.path && s.interpreter.length === 0 && vscode.workspace.isTrusted) {
      output.info("The Python extension's interpreter changed: restarting the server.");
      void restart();
    }
  }, (m) => output.info(m));
  if (pythonListener) {
    extensionContext.subscriptions.push(pythonListener);
  }
}

async function startServer(): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    output.info(
      'Restricted Mode: this folder is not trusted, so importwarden starts no language server and runs nothing ' +
        'from it. Trust the folder (Manage Workspace Trust) to enable importwarden.',
    );
    setState({ kind: 'restricted' });
    return;
  }
  await watchPythonInterpreter();
  const folder = primaryFolder();
  const resolved = await resolveCommand(folder);
  if (typeof resolved === 'string') {
    fail(resolved, 'no server to run');
    return;
  }
  currentCommand = resolved;
  output.info(`Server: ${resolved.description}`);
  setState({ kind: 'starting', detail: resolved.description });
  if (resolved.bundled) {
    const probe = await probeBundled(resolved);
    if (!probe.ok) {
      fail(probe.message, probe.short);
      return;
    }
    output.info(probe.message);
  }

  const serverOptions: ServerOptions = {
    command: resolved.command,
    args: resolved.args,
    transport: TransportKind.stdio,
    options: { cwd: folder?.uri.fsPath, env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  };
  let crashes: number[] = [];
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // The same object the server gets for workspace/configuration section "importwarden".
    initializationOptions: serverSettingsFor(folder?.uri),
    markdown: { isTrusted: false, supportHtml: false },
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => {
        // Restart after a crash, but not in a loop: 3 crashes within 3 minutes stop it.
        const now = Date.now();
        crashes = [...crashes.filter((t) => now - t < 180_000), now];
        if (crashes.length <= 3) {
          output.warn(`The importwarden server stopped unexpectedly; restarting (${crashes.length}/3).`);
          return { action: CloseAction.Restart };
        }
        const message = 'The importwarden server crashed 3 times in 3 minutes and was not restarted. Use "importwarden: Restart Server".';
        setState({ kind: 'error', message, short: 'server crashed' });
        return { action: CloseAction.DoNotRestart, message };
      },
    },
    middleware: {
      workspace: {
        // Pull model: the server asks for section "importwarden"; answer with the mapped
        // settings (absolute registry paths, validated codes), not VS Code's raw values.
        configuration: async (params, token, next) => {
          const raw = await next(params, token);
          if (!Array.isArray(raw)) {
            return raw;
          }
          return params.items.map((item, i) =>
            item.section === 'importwarden'
              ? serverSettingsFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : raw[i],
          );
        },
      },
    },
  };

  const lc = new LanguageClient(CLIENT_ID, 'importwarden', serverOptions, clientOptions);
  client = lc;
  lastServerStatus = undefined;
  lc.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      setState({ kind: 'running', server: lastServerStatus, command: currentCommand?.description });
    } else if (e.newState === State.Stopped && client === lc) {
      setState({ kind: 'stopped' });
    }
  });
  lc.onNotification(STATUS_NOTIFICATION, (raw: unknown) => {
    lastServerStatus = parseServerStatus(raw);
    if (lastServerStatus?.message) {
      output.info(`Server status: ${lastServerStatus.message}`);
    }
    setState({ kind: 'running', server: lastServerStatus, command: currentCommand?.description });
  });
  try {
    await lc.start();
    output.info('importwarden server started.');
  } catch (err) {
    client = undefined;
    fail(`The importwarden server did not start: ${err instanceof Error ? err.message : String(err)}`, 'server did not start');
  }
}

async function stopServer(): Promise<void> {
  const lc = client;
  client = undefined;
  if (lc) {
    try {
      await lc.stop(5000);
    } catch (err) {
      output.warn(`Stopping the server: ${String(err)}`);
    }
  }
}

function queue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

const restart = (): Promise<void> => queue(async () => {
  await stopServer();
  await startServer();
});

async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python') {
    void vscode.window.showInformationMessage('importwarden: open a Python file to fix its imports.');
    return;
  }
  const doc = editor.document;
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      whole,
      FIX_ALL_KIND,
      10,
    )) ?? [];
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

async function reloadRegistry(): Promise<void> {
  if (!client || client.state !== State.Running) {
    await restart();
    return;
  }
  const commands = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!commands.includes(SERVER_COMMAND_RELOAD)) {
    output.info(`The server does not offer ${SERVER_COMMAND_RELOAD}; restarting it to reload the registry.`);
    await restart();
    return;
  }
  await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMAND_RELOAD, arguments: [] });
  output.info('Registry reloaded.');
}

async function registryFiles(): Promise<vscode.Uri[]> {
  const fromServer = lastServerStatus?.registry?.files ?? [];
  if (fromServer.length) {
    return fromServer.map((f) => (/^[a-z][a-z0-9+.-]+:\/\//i.test(f) ? vscode.Uri.parse(f) : vscode.Uri.file(f)));
  }
  const found: vscode.Uri[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const configured = serverSettingsFor(folder.uri).registry ?? [];
    if (configured.length) {
      found.push(...configured.map((f) => vscode.Uri.file(f)));
      continue;
    }
    for (const dir of ['', 'docs/']) {
      for (const name of DEFAULT_REGISTRY_NAMES) {
        const uri = vscode.Uri.joinPath(folder.uri, dir + name);
        try {
          await vscode.workspace.fs.stat(uri);
          found.push(uri);
        } catch {
          // not there
        }
      }
    }
  }
  return found;
}

async function openRegistry(): Promise<void> {
  const files = await registryFiles();
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      'importwarden: no registry found. Add SSOT_IMPORT_REGISTRY.md, IMPORT_REGISTRY.md or importwarden.toml, or set importwarden.registry.',
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

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionRoot = context.extensionPath;
  extensionContext = context;
  output = vscode.window.createOutputChannel('importwarden', { log: true });
  statusItem = vscode.window.createStatusBarItem('importwarden.status', vscode.StatusBarAlignment.Left, 10);
  statusItem.name = 'importwarden';
  statusItem.command = 'importwarden.showOutput';
  context.subscriptions.push(output, statusItem);
  output.info(`importwarden ${context.extension.packageJSON.version as string} activated.`);

  context.subscriptions.push(
    vscode.commands.registerCommand('importwarden.restart', () => restart()),
    vscode.commands.registerCommand('importwarden.fixAll', () => fixAll()),
    vscode.commands.registerCommand('importwarden.reload', () => reloadRegistry()),
    vscode.commands.registerCommand('importwarden.openRegistry', () => openRegistry()),
    vscode.commands.registerCommand('importwarden.showOutput', () => output.show(true)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('The folder is now trusted: starting the importwarden server.');
      void restart();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const action = configurationChangeAction((key) => e.affectsConfiguration(key));
      if (action === 'restart') {
        output.info('Server settings changed (path, interpreter or importStrategy): restarting.');
        void restart();
      } else if (action === 'notify' && client?.state === State.Running) {
        // Sent with the settings so a push-model server works too; a pull-model server
        // answers it by asking for section "importwarden" (see the middleware above).
        void client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { importwarden: serverSettingsFor(undefined) },
        });
      }
    }),
  );
  await queue(startServer);
}

export async function deactivate(): Promise<void> {
  await stopServer();
}
