/**
 * Which process runs the importwarden language server, in this order:
 *   1. `importwarden.path`: an importwarden executable, started as `<path> lsp`;
 *   2. `importwarden.interpreter`: `<python> -m importwarden lsp`;
 *   3. `importStrategy: fromEnvironment`: the Python extension's selected interpreter
 *      (`-m importwarden lsp`), else `importwarden` on PATH;
 *   4. `importStrategy: useBundled` (default): the server bundled in the .vsix, run by the
 *      Python extension's selected interpreter, else `python3` (or `python`) on PATH.
 *
 * Pure logic (no `vscode` import): the caller supplies the settings, the Python extension's
 * interpreter (if that extension is installed) and a PATH lookup.
 */

import type { ImportStrategy } from './settings';

export interface ResolveInput {
  /** `importwarden.path`, already expanded; '' when unset. */
  path: string;
  /** `importwarden.interpreter`: executable then extra arguments; [] when unset. */
  interpreter: string[];
  importStrategy: ImportStrategy;
  /** The Python extension's active interpreter (executable + args), if that extension answered. */
  pythonExtension?: string[];
  /** Absolute path of `bundled/tool/server.py` inside the installed extension. */
  bundledLauncher: string;
  /** Finds an executable on PATH; undefined when absent. */
  which: (name: string) => string | undefined;
}

export type ServerSource =
  | 'importwarden.path'
  | 'importwarden.interpreter'
  | 'python-extension'
  | 'path-lookup'
  | 'bundled';

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the choice came from, for the output channel and status tooltip. */
  source: ServerSource;
  /** True when the bundled launcher runs (the client then checks the Python version first). */
  bundled: boolean;
  /** True when `command` is a Python interpreter (bundled launcher or `-m importwarden lsp`). */
  python: boolean;
  /** One line for the output channel. */
  description: string;
}

export interface ResolveError {
  error: string;
}

export function isResolveError(r: ServerCommand | ResolveError): r is ResolveError {
  return (r as ResolveError).error !== undefined;
}

const MODULE_ARGS = ['-m', 'importwarden', 'lsp'];

/** `<python> [extra args] -m importwarden lsp`. */
function moduleCommand(argv: string[], source: ServerSource, label: string): ServerCommand {
  const [exe, ...extra] = argv;
  const args = [...extra, ...MODULE_ARGS];
  return { command: exe, args, source, bundled: false, python: true, description: `${label}: ${[exe, ...args].join(' ')}` };
}

export function resolveServerCommand(input: ResolveInput): ServerCommand | ResolveError {
  if (input.path) {
    return {
      command: input.path,
      args: ['lsp'],
      source: 'importwarden.path',
      bundled: false,
      python: false,
      description: `importwarden.path: ${input.path} lsp`,
    };
  }
  if (input.interpreter.length > 0) {
    return moduleCommand(input.interpreter, 'importwarden.interpreter', 'importwarden.interpreter');
  }
  const pyExt = input.pythonExtension && input.pythonExtension.length > 0 ? input.pythonExtension : undefined;
  if (input.importStrategy === 'fromEnvironment') {
    if (pyExt) {
      return moduleCommand(pyExt, 'python-extension', "Python extension's interpreter (fromEnvironment)");
    }
    const onPath = input.which('importwarden');
    if (onPath) {
      return {
        command: onPath,
        args: ['lsp'],
        source: 'path-lookup',
        bundled: false,
        python: false,
        description: `importwarden on PATH (fromEnvironment): ${onPath} lsp`,
      };
    }
    return {
      error:
        'importStrategy is "fromEnvironment" but no Python interpreter is selected in the Python extension and ' +
        '"importwarden" is not on PATH. Install importwarden in your environment, set importwarden.interpreter, ' +
        'or use importStrategy "useBundled".',
    };
  }
  if (pyExt) {
    const [exe, ...extra] = pyExt;
    return {
      command: exe,
      args: [...extra, input.bundledLauncher],
      source: 'bundled',
      bundled: true,
      python: true,
      description: `bundled server with the Python extension's interpreter: ${exe}`,
    };
  }
  const python = input.which('python3') ?? input.which('python');
  if (python) {
    return {
      command: python,
      args: [input.bundledLauncher],
      source: 'bundled',
      bundled: true,
      python: true,
      description: `bundled server with ${python} (from PATH)`,
    };
  }
  return {
    error:
      'No Python interpreter found to run the bundled importwarden server: install Python 3.10 or newer ' +
      '(python3 on PATH), select one with the Python extension, or set importwarden.interpreter / importwarden.path.',
  };
}

/** A PATH lookup over a PATH string; `isExecutable` is injected so tests need no files. */
export function makeWhich(
  pathEnv: string | undefined,
  isExecutable: (file: string) => boolean,
  delimiter = ':',
  sep = '/',
): (name: string) => string | undefined {
  const dirs = (pathEnv ?? '').split(delimiter).filter((d) => d !== '');
  return (name: string) => {
    if (name.includes(sep)) {
      return isExecutable(name) ? name : undefined;
    }
    for (const dir of dirs) {
      const candidate = dir.replace(/[\\/]+$/, '') + sep + name;
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
    return undefined;
  };
}

/**
 * Keeps the workspace from shadowing the server's modules. The server runs with the workspace
 * as its cwd, and `python -m` puts the cwd first on sys.path, so a workspace file named like a
 * module Python or the server imports (`runpy`, `pygls/`) could run instead. `-P` (Python 3.11+)
 * leaves it out. Python 3.10 has no `-P`: there `importwarden/__main__.py` drops the cwd itself
 * before importing anything, and the bundled launcher is a script (its own folder comes first).
 */
export function withSafePath(cmd: ServerCommand, version: readonly [number, number]): ServerCommand {
  const [major, minor] = version;
  if (!cmd.python || major < 3 || (major === 3 && minor < 11)) {
    return cmd;
  }
  return { ...cmd, args: ['-P', ...cmd.args] };
}
