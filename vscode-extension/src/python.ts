/**
 * The Python extension's selected interpreter, when that extension is installed. No hard
 * dependency: `extensionDependencies` does not list ms-python.python; without it this returns
 * undefined and the server command falls back to `python3` on PATH.
 */

import * as vscode from 'vscode';

const PYTHON_EXTENSION_ID = 'ms-python.python';

/** The part of the Python extension's API (`environments`) that we use. */
interface PythonEnvironmentsApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(
      env: { id: string; path: string } | string,
    ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

async function api(log: (msg: string) => void): Promise<PythonEnvironmentsApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonEnvironmentsApi>(PYTHON_EXTENSION_ID);
  if (!ext) {
    return undefined;
  }
  try {
    const exports = ext.isActive ? ext.exports : await ext.activate();
    return exports?.environments ? exports : undefined;
  } catch (err) {
    log(`The Python extension did not activate: ${String(err)}`);
    return undefined;
  }
}

/** The selected interpreter's executable (as an argv prefix), or undefined. */
export async function pythonExtensionInterpreter(
  resource: vscode.Uri | undefined,
  log: (msg: string) => void,
): Promise<string[] | undefined> {
  const py = await api(log);
  if (!py?.environments) {
    return undefined;
  }
  try {
    const envPath = py.environments.getActiveEnvironmentPath(resource);
    const env = await py.environments.resolveEnvironment(envPath);
    const exe = env?.executable.uri?.fsPath;
    if (!exe) {
      log(`The Python extension's selected environment (${envPath.path}) has no interpreter.`);
      return undefined;
    }
    return [exe];
  } catch (err) {
    log(`Could not ask the Python extension for its interpreter: ${String(err)}`);
    return undefined;
  }
}

/** Calls `listener` when the Python extension's selected interpreter changes. */
export async function onDidChangePythonInterpreter(
  listener: () => void,
  log: (msg: string) => void,
): Promise<vscode.Disposable | undefined> {
  const py = await api(log);
  return py?.environments?.onDidChangeActiveEnvironmentPath(() => listener());
}
