/**
 * The extension's settings and how they map to what the importwarden server reads.
 *
 * Pure logic (no `vscode` import) so `node --test` can cover it: the caller passes a getter over
 * `workspace.getConfiguration('importwarden')`.
 */

export type ImportStrategy = 'useBundled' | 'fromEnvironment';
export type Level = 'error' | 'warning' | 'information' | 'hint';

/** Everything under the `importwarden.` configuration section, as the client reads it. */
export interface ClientSettings {
  path: string;
  interpreter: string[];
  importStrategy: ImportStrategy;
  registry: string[];
  select: string[];
  ignore: string[];
  severity: Record<string, string>;
  perFileIgnores: Record<string, string[]>;
  exclude: string[];
  completion: { autoImport: boolean };
  trace: { server: string };
}

/**
 * What the server gets (initializationOptions, `workspace/configuration` for section
 * `importwarden`, didChangeConfiguration). Keys left out mean "not set in the editor": the
 * server then uses pyproject.toml / importwarden.toml, so an editor default never overrides a
 * project's configuration.
 */
export interface ServerSettings {
  registry?: string[];
  select?: string[];
  ignore?: string[];
  severity?: Record<string, Level>;
  perFileIgnores?: Record<string, string[]>;
  exclude?: string[];
  completion?: { autoImport: boolean };
}

/** Reads one key (relative to `importwarden.`), returning `fallback` when unset. */
export type ConfigGetter = <T>(key: string, fallback: T) => T;

/** Settings whose change needs a new server process (they decide which process runs). */
export const RESTART_KEYS = ['path', 'interpreter', 'importStrategy'] as const;

const LEVELS: Record<string, Level> = {
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  information: 'information',
  info: 'information',
  hint: 'hint',
};

function stringList(value: unknown): string[] {
  if (typeof value === 'string') {
    return value.trim() ? [value.trim()] : [];
  }
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

function plainObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Reads the client settings, tolerating wrong types (a string where a list is expected, …). */
export function readSettings(get: ConfigGetter): ClientSettings {
  const strategy = get<string>('importStrategy', 'useBundled');
  const severity: Record<string, string> = {};
  for (const [code, level] of Object.entries(plainObject(get<unknown>('severity', {})))) {
    if (typeof level === 'string') {
      severity[code] = level;
    }
  }
  const perFileIgnores: Record<string, string[]> = {};
  for (const [glob, codes] of Object.entries(plainObject(get<unknown>('perFileIgnores', {})))) {
    perFileIgnores[glob] = stringList(codes);
  }
  const path = get<unknown>('path', '');
  return {
    path: typeof path === 'string' ? path.trim() : stringList(path)[0] ?? '',
    interpreter: stringList(get<unknown>('interpreter', [])),
    importStrategy: strategy === 'fromEnvironment' ? 'fromEnvironment' : 'useBundled',
    registry: stringList(get<unknown>('registry', [])),
    select: stringList(get<unknown>('select', [])),
    ignore: stringList(get<unknown>('ignore', [])),
    severity,
    perFileIgnores,
    exclude: stringList(get<unknown>('exclude', [])),
    completion: { autoImport: get<unknown>('completion.autoImport', true) !== false },
    trace: { server: String(get<unknown>('trace.server', 'off')) },
  };
}

/** Values for `${workspaceFolder}` / `${userHome}` / `~` in paths. */
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
 * Expands `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`; a relative result
 * is made absolute against the workspace folder (the server may run with another cwd).
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

const CODE = /^IWR?\d{0,3}$/;

/**
 * Maps client settings to the server's. Returns warnings for values it drops (unknown severity
 * level, malformed rule code) so the extension can log them; it never throws.
 */
export function toServerSettings(
  s: ClientSettings,
  vars: PathVariables,
  env: Record<string, string | undefined> = {},
): { settings: ServerSettings; warnings: string[] } {
  const warnings: string[] = [];
  const settings: ServerSettings = {};
  const codes = (key: string, list: string[]): string[] => {
    const out: string[] = [];
    for (const raw of list) {
      const code = raw.toUpperCase();
      if (CODE.test(code)) {
        out.push(code);
      } else {
        warnings.push(`importwarden.${key}: "${raw}" is not a rule code or prefix (like IW001 or IW00); ignored`);
      }
    }
    return out;
  };
  if (s.registry.length) {
    settings.registry = s.registry.map((p) => expandPath(p, vars, env));
  }
  if (s.select.length) {
    settings.select = codes('select', s.select);
  }
  if (s.ignore.length) {
    settings.ignore = codes('ignore', s.ignore);
  }
  const severity: Record<string, Level> = {};
  for (const [rawCode, rawLevel] of Object.entries(s.severity)) {
    const level = LEVELS[rawLevel.trim().toLowerCase()];
    const code = rawCode.trim().toUpperCase();
    if (!CODE.test(code)) {
      warnings.push(`importwarden.severity: "${rawCode}" is not a rule code; ignored`);
    } else if (!level) {
      warnings.push(`importwarden.severity: "${rawLevel}" for ${code} is not one of error, warning, information, hint; ignored`);
    } else {
      severity[code] = level;
    }
  }
  if (Object.keys(severity).length) {
    settings.severity = severity;
  }
  const perFile: Record<string, string[]> = {};
  for (const [glob, list] of Object.entries(s.perFileIgnores)) {
    const valid = codes(`perFileIgnores["${glob}"]`, list);
    if (valid.length) {
      perFile[glob] = valid;
    }
  }
  if (Object.keys(perFile).length) {
    settings.perFileIgnores = perFile;
  }
  if (s.exclude.length) {
    settings.exclude = [...s.exclude];
  }
  if (!s.completion.autoImport) {
    settings.completion = { autoImport: false };
  }
  return { settings, warnings };
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
