/**
 * The extension's own settings (which process to run) and the pass-through of everything else
 * to the server.
 *
 * The server validates its settings and reports what it ignores (docs/configuration.md,
 * "Errors"); the client does not second-guess it. It sends only the values the user actually
 * set, so VS Code's defaults never override the project's pyproject.toml.
 *
 * Pure logic (no `vscode` import) so `node --test` can cover it.
 */

export type ImportStrategy = 'useBundled' | 'fromEnvironment';

/** Settings that decide which server process runs: read by the client, never sent. */
export interface ClientSettings {
  path: string;
  interpreter: string[];
  importStrategy: ImportStrategy;
}

/** Reads one key (relative to `importwarden.`), returning `fallback` when unset. */
export type ConfigGetter = <T>(key: string, fallback: T) => T;

/** Settings whose change needs a new server process (they decide which process runs). */
export const RESTART_KEYS = ['path', 'interpreter', 'importStrategy'] as const;
/** Keys under `importwarden.` that belong to the client and are not sent to the server. */
export const CLIENT_KEYS: readonly string[] = [...RESTART_KEYS, 'trace.server'];

function stringList(value: unknown): string[] {
  if (typeof value === 'string') {
    return value.trim() ? [value.trim()] : [];
  }
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

/** Reads the client's settings, tolerating wrong types (a string where a list is expected, …). */
export function readClientSettings(get: ConfigGetter): ClientSettings {
  const path = get<unknown>('path', '');
  return {
    path: typeof path === 'string' ? path.trim() : stringList(path)[0] ?? '',
    interpreter: stringList(get<unknown>('interpreter', [])),
    importStrategy: get<string>('importStrategy', 'useBundled') === 'fromEnvironment' ? 'fromEnvironment' : 'useBundled',
  };
}

/** What `WorkspaceConfiguration.inspect(key)` says about one key. */
export interface InspectedValue {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The values the user set for the server's keys (`importwarden.<key>` names from package.json),
 * as one object: dotted keys nest (`completion.autoImport` -> `{completion: {autoImport}}`).
 * Folder settings beat workspace settings beat user settings; defaults are left out.
 */
export function explicitServerSettings(
  keys: readonly string[],
  inspect: (key: string) => InspectedValue | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (CLIENT_KEYS.includes(key)) {
      continue;
    }
    const seen = inspect(key);
    const value = seen?.workspaceFolderValue ?? seen?.workspaceValue ?? seen?.globalValue;
    if (value === undefined) {
      continue;
    }
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node = (node[part] = next !== null && typeof next === 'object' ? next : {}) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** The server's keys: every `importwarden.*` setting package.json declares, less the client's. */
export function serverKeys(declared: Record<string, unknown>): string[] {
  return Object.keys(declared)
    .filter((k) => k.startsWith('importwarden.'))
    .map((k) => k.slice('importwarden.'.length))
    .filter((k) => !CLIENT_KEYS.includes(k));
}

/** Values for `${workspaceFolder}` / `${userHome}` / `~` in executable paths. */
export interface PathVariables {
  workspaceFolder?: string;
  userHome?: string;
}

const isAbsolute = (p: string): boolean => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

function joinPath(base: string, rel: string): string {
  const sep = base.includes('\\') && !base.includes('/') ? '\\' : '/';
  const trimmed = rel.replace(/^\.[\\/]/, '');
  return base.replace(/[\\/]+$/, '') + sep + trimmed;
}

/**
 * Expands `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~` in a program's
 * path (the client starts it, so the client expands it); a relative result is anchored at the
 * workspace folder.
 */
export function expandPath(raw: string, vars: PathVariables, env: Record<string, string | undefined> = {}): string {
  let p = raw.trim();
  if (vars.workspaceFolder !== undefined) {
    p = p.split('${workspaceFolder}').join(vars.workspaceFolder);
  }
  if (vars.userHome !== undefined) {
    p = p.split('${userHome}').join(vars.userHome);
    if (p === '~' || p.startsWith('~/')) {
      p = vars.userHome + p.slice(1);
    }
  }
  p = p.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => env[name] ?? '');
  if (!isAbsolute(p) && vars.workspaceFolder) {
    p = joinPath(vars.workspaceFolder, p);
  }
  return p;
}

/** Like expandPath, but a bare command name (`python3`) stays as is, to be found on PATH. */
export function expandExecutable(raw: string, vars: PathVariables, env: Record<string, string | undefined> = {}): string {
  const trimmed = raw.trim();
  if (!/[\\/]/.test(trimmed) && !trimmed.startsWith('~') && !trimmed.includes('${')) {
    return trimmed;
  }
  return expandPath(trimmed, vars, env);
}

/** Which `importwarden.*` keys changed decide what to do with a running server. */
export function configurationChangeAction(affects: (key: string) => boolean): 'restart' | 'notify' | 'none' {
  if (!affects('importwarden')) {
    return 'none';
  }
  if (RESTART_KEYS.some((key) => affects(`importwarden.${key}`))) {
    return 'restart';
  }
  return 'notify';
}
