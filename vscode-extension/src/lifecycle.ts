/**
 * The server's life: which process to run (serverCommand.ts), checking the interpreter first,
 * starting it over stdio with the workspace as cwd and `-P` (the workspace cannot shadow its
 * modules), restarting it when the process settings or the Python extension's interpreter
 * change, and never starting it in an untrusted folder.
 *
 * Settings are passed through as the user wrote them (settings.ts); the server finds the
 * registry and validates everything, and what it logs lands in the output channel and, for
 * warnings, in the status bar (status.ts).
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
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { onDidChangePythonInterpreter, pythonExtensionInterpreter } from './python';
import { isResolveError, makeWhich, resolveServerCommand, type ServerCommand, withSafePath } from './serverCommand';
import { expandExecutable, explicitServerSettings, readClientSettings, serverKeys } from './settings';
import type { Status } from './status';

const CLIENT_ID = 'importwarden';
const STATUS_NOTIFICATION = 'importwarden/status';

/** The language client, with the server's warnings and errors also reported to the status. */
class ImportwardenClient extends LanguageClient {
  onWarning: (message: string) => void = () => undefined;

  override warn(message: string, data?: unknown, showNotification?: boolean): void {
    this.onWarning(message);
    super.warn(message, data, showNotification);
  }

  override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
    this.onWarning(message);
    super.error(message, data, showNotification);
  }
}

interface Probe {
  ok: boolean;
  message: string;
  short: string;
  version?: [number, number];
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export class ServerLifecycle implements vscode.Disposable {
  client: LanguageClient | undefined;
  private queueTail: Promise<void> = Promise.resolve();
  private pythonListener: vscode.Disposable | undefined;
  private readonly keys: string[];
  private readonly launcher: string;

  constructor(
    context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly status: Status,
  ) {
    this.launcher = path.join(context.extensionPath, 'bundled', 'tool', 'server.py');
    const manifest = context.extension.packageJSON as { contributes: { configuration: { properties: Record<string, unknown> } } };
    this.keys = serverKeys(manifest.contributes.configuration.properties);
  }

  /** Start/stop/restart run one at a time, so overlapping triggers queue. */
  private queue(step: () => Promise<void>): Promise<void> {
    this.queueTail = this.queueTail.then(step, step);
    return this.queueTail;
  }

  start(): Promise<void> {
    return this.queue(() => this.startServer());
  }

  restart(): Promise<void> {
    return this.queue(async () => {
      await this.stopServer();
      await this.startServer();
    });
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  /** What the user set under `importwarden.` for this scope, unvalidated. */
  serverSettings(scope: vscode.Uri | undefined): Record<string, unknown> {
    const config = vscode.workspace.getConfiguration('importwarden', scope ?? primaryFolder()?.uri);
    return explicitServerSettings(this.keys, (key) => config.inspect(key));
  }

  /** Settings other than the process ones changed: tell the running server. */
  settingsChanged(): void {
    if (this.client && this.running) {
      // Sent with the settings so a push-model server works too; a pull-model server asks
      // for section "importwarden" (answered by the middleware below).
      void this.client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { importwarden: this.serverSettings(undefined) },
      });
    }
  }

  private async resolveCommand(folder: vscode.WorkspaceFolder | undefined): Promise<ServerCommand | string> {
    const config = vscode.workspace.getConfiguration('importwarden', folder?.uri);
    const s = readClientSettings(<T>(key: string, fallback: T) => config.get<T>(key, fallback));
    const vars = { workspaceFolder: folder?.uri.fsPath, userHome: os.homedir() };
    const needsPython = !s.path && s.interpreter.length === 0;
    const pyExt = needsPython ? await pythonExtensionInterpreter(folder?.uri, (m) => this.output.info(m)) : undefined;
    const resolved = resolveServerCommand({
      path: s.path ? expandExecutable(s.path, vars, process.env) : '',
      interpreter: s.interpreter.map((part, i) => (i === 0 ? expandExecutable(part, vars, process.env) : part)),
      importStrategy: s.importStrategy,
      pythonExtension: pyExt,
      bundledLauncher: this.launcher,
      which: makeWhich(process.env.PATH, isExecutableFile, path.delimiter, path.sep),
    });
    return isResolveError(resolved) ? resolved.error : resolved;
  }

  /**
   * Runs the bundled launcher's `--probe` with the server's interpreter (the launcher runs on
   * any Python): its version, and for the bundled server whether it is supported.
   */
  private probe(cmd: ServerCommand): Promise<Probe> {
    const prefix = cmd.bundled ? cmd.args : cmd.args.slice(0, cmd.args.indexOf('-m'));
    return new Promise((resolve) => {
      execFile(cmd.command, [...prefix.filter((a) => a !== this.launcher), this.launcher, '--probe'], { timeout: 20000 }, (err, stdout, stderr) => {
        try {
          const parsed = JSON.parse(stdout.toString().trim().split('\n').pop() ?? '') as { supported?: boolean; message?: string; python?: string };
          const [major, minor] = (parsed.python ?? '0.0').split('.').map(Number);
          resolve({
            ok: !cmd.bundled || parsed.supported === true,
            message: cmd.bundled ? parsed.message ?? `Python ${major}.${minor}` : `${cmd.command} is Python ${parsed.python ?? '?'}`,
            short: `Python ${major}.${minor} unsupported`,
            version: [major, minor],
          });
          return;
        } catch {
          // Not JSON: the interpreter did not even run the launcher (missing, Python 2, …).
        }
        const why = err ? ((err as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd.command} not found` : err.message) : '';
        resolve({ ok: false, message: `Could not run ${cmd.command}: ${why} ${stderr.toString().trim()}`.trim(), short: 'Python did not run' });
      });
    });
  }

  private fail(message: string, short?: string): void {
    const text = message.replace(/^importwarden:\s*/, '');
    this.output.error(text);
    this.status.set({ kind: 'error', message: text, short });
    // Not awaited: the start/restart queue must not wait for someone to dismiss the message.
    void vscode.window.showErrorMessage(`importwarden: ${text}`, 'Show Output', 'Open Settings').then(async (choice) => {
      if (choice === 'Show Output') {
        this.output.show(true);
      } else if (choice === 'Open Settings') {
        await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:importwarden.importwarden');
      }
    });
  }

  /**
   * Restart when the Python extension's interpreter changes. Registered when the server starts,
   * not at activation: in Restricted Mode the Python extension may be disabled until trust.
   */
  private async watchPythonInterpreter(): Promise<void> {
    if (this.pythonListener) {
      return;
    }
    this.pythonListener = await onDidChangePythonInterpreter(() => {
      const config = vscode.workspace.getConfiguration('importwarden', primaryFolder()?.uri);
      const s = readClientSettings(<T>(key: string, fallback: T) => config.get<T>(key, fallback));
      if (!s.path && s.interpreter.length === 0 && vscode.workspace.isTrusted) {
        this.output.info("The Python extension's interpreter changed: restarting the server.");
        void this.restart();
      }
    }, (m) => this.output.info(m));
  }

  private async startServer(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.output.info(
        'Restricted Mode: this folder is not trusted, so importwarden starts no language server and runs nothing ' +
          'from it. Trust the folder (Manage Workspace Trust) to enable importwarden.',
      );
      this.status.set({ kind: 'restricted' });
      return;
    }
    await this.watchPythonInterpreter();
    const folder = primaryFolder();
    let command = await this.resolveCommand(folder);
    if (typeof command === 'string') {
      this.fail(command, 'no server to run');
      return;
    }
    this.output.info(`Server: ${command.description}`);
    this.status.serverStarting(command.description);
    if (command.python) {
      const probe = await this.probe(command);
      if (!probe.ok) {
        this.fail(probe.message, probe.short);
        return;
      }
      this.output.info(probe.message);
      command = withSafePath(command, probe.version ?? [0, 0]);
    }
    this.output.info(`Running: ${[command.command, ...command.args].join(' ')} (cwd ${folder?.uri.fsPath ?? 'none'})`);
    await this.startClient(command, folder);
  }

  private async startClient(command: ServerCommand, folder: vscode.WorkspaceFolder | undefined): Promise<void> {
    const serverOptions: ServerOptions = {
      command: command.command,
      args: command.args,
      transport: TransportKind.stdio,
      // PYTHONSAFEPATH: the same as -P for any Python the server itself starts.
      options: { cwd: folder?.uri.fsPath, env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONSAFEPATH: '1' } },
    };
    let crashes: number[] = [];
    const clientOptions: LanguageClientOptions = {
      // Python files, and Markdown/TOML files that may be registries: the server decides which
      // are (it alone knows the discovery rules and the configured files) and ignores the rest.
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
        { scheme: 'file', language: 'markdown' },
        { scheme: 'file', pattern: '**/*.toml' },
      ],
      outputChannel: this.output,
      traceOutputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: this.serverSettings(folder?.uri),
      markdown: { isTrusted: false, supportHtml: false },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          // Restart after a crash, but not in a loop: 3 crashes within 3 minutes stop it.
          const now = Date.now();
          crashes = [...crashes.filter((t) => now - t < 180_000), now];
          if (crashes.length <= 3) {
            this.output.warn(`The importwarden server stopped unexpectedly; restarting (${crashes.length}/3).`);
            return { action: CloseAction.Restart };
          }
          const message = 'The importwarden server crashed 3 times in 3 minutes and was not restarted. Use "importwarden: Restart Server".';
          this.status.set({ kind: 'error', message, short: 'server crashed' });
          return { action: CloseAction.DoNotRestart, message };
        },
      },
      middleware: {
        workspace: {
          // Answer section "importwarden" with what the user set, not VS Code's defaults.
          configuration: async (params, token, next) => {
            const raw = await next(params, token);
            if (!Array.isArray(raw)) {
              return raw;
            }
            return params.items.map((item, i) =>
              item.section === 'importwarden'
                ? this.serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
                : raw[i],
            );
          },
        },
      },
    };

    const lc = new ImportwardenClient(CLIENT_ID, 'importwarden', serverOptions, clientOptions);
    lc.onWarning = (message) => this.status.serverWarning(message);
    this.client = lc;
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.status.running();
      } else if (e.newState === State.Stopped && this.client === lc) {
        this.status.set({ kind: 'stopped' });
      }
    });
    lc.onNotification(STATUS_NOTIFICATION, (raw: unknown) => this.status.serverStatus(raw));
    try {
      await lc.start();
      this.output.info('importwarden server started.');
    } catch (err) {
      this.client = undefined;
      this.fail(`The importwarden server did not start: ${err instanceof Error ? err.message : String(err)}`, 'server did not start');
    }
  }

  private async stopServer(): Promise<void> {
    const lc = this.client;
    this.client = undefined;
    if (lc) {
      try {
        await lc.stop(5000);
      } catch (err) {
        this.output.warn(`Stopping the server: ${String(err)}`);
      }
    }
  }

  async dispose(): Promise<void> {
    this.pythonListener?.dispose();
    await this.stopServer();
  }
}

export function primaryFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}
