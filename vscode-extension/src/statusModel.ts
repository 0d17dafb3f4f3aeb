/**
 * What the status bar item says. Pure logic (no `vscode` import).
 *
 * The server reports its registry through the custom notification `importwarden/status`
 * (shape in docs/vscode.md):
 *   { state?: "ok" | "warning" | "error" | "loading", message?: string, indexing?: boolean,
 *     registry?: { files?: string[], entries?: number, problems?: number } }
 * ("loading" with indexing: the workspace index is being built, registry warnings or not).
 * A server that never sends it still gets a sensible item ("running").
 */

export interface ServerStatus {
  state?: string;
  message?: string;
  indexing?: boolean;
  registry?: {
    files?: string[];
    entries?: number;
    problems?: number;
  };
}

export type ClientState =
  | { kind: 'restricted' }
  | { kind: 'starting'; detail?: string }
  | { kind: 'running'; server?: ServerStatus; command?: string; warnings?: string[] }
  | { kind: 'error'; message: string; short?: string }
  | { kind: 'stopped' };

export interface StatusView {
  text: string;
  tooltip: string;
  /** 'error' and 'warning' map to the status bar's error/warning background colours. */
  severity: 'none' | 'warning' | 'error';
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function firstLine(s: string, max = 60): string {
  const line = s.split(/\r?\n/, 1)[0].trim();
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

export function statusView(state: ClientState): StatusView {
  switch (state.kind) {
    case 'restricted':
      return {
        text: '$(shield) importwarden: Restricted Mode',
        tooltip:
          'This folder is not trusted: importwarden runs nothing from it and its language server is not started. ' +
          'Trust the folder to enable it. Click for the output.',
        severity: 'warning',
      };
    case 'starting':
      return {
        text: '$(sync~spin) importwarden',
        tooltip: `Starting the importwarden server${state.detail ? `: ${state.detail}` : ''}`,
        severity: 'none',
      };
    case 'stopped':
      return { text: '$(circle-slash) importwarden: stopped', tooltip: 'The importwarden server is not running. Click for the output.', severity: 'warning' };
    case 'error':
      return {
        text: `$(error) importwarden: ${state.short ?? firstLine(state.message.replace(/^importwarden:\s*/, ''), 40)}`,
        tooltip: `${state.message}\nClick for the output.`,
        severity: 'error',
      };
    case 'running': {
      const view = runningView(state);
      const warnings = state.warnings ?? [];
      if (warnings.length === 0 || view.severity === 'error') {
        return view;
      }
      // What the server logged as a warning (a setting it ignored, …): visible, not only logged.
      return {
        text: view.text.replace('$(check)', '$(warning)'),
        tooltip: `${view.tooltip}\nServer warnings:\n${warnings.map((w) => `- ${w}`).join('\n')}`,
        severity: 'warning',
      };
    }
  }
}

function runningView(state: Extract<ClientState, { kind: 'running' }>): StatusView {
  const s = state.server;
  const via = state.command ? `\nServer: ${state.command}` : '';
  if (!s) {
    return { text: '$(check) importwarden', tooltip: `importwarden server running.${via}\nClick for the output.`, severity: 'none' };
  }
  const files = s.registry?.files ?? [];
  const fileLines = files.length ? `\nRegistry: ${files.join(', ')}` : '';
  const msg = s.message ? `\n${s.message}` : '';
  if (s.state === 'error') {
    return {
      text: `$(error) importwarden: ${firstLine(s.message ?? 'registry error', 40)}`,
      tooltip: `${s.message ?? 'The registry could not be loaded.'}${fileLines}${via}\nClick for the output.`,
      severity: 'error',
    };
  }
  if (s.state === 'loading') {
    const [what, doing] = s.indexing ? ['indexing', 'Indexing the workspace…'] : ['loading', 'Loading the registry…'];
    return { text: `$(sync~spin) importwarden: ${what}`, tooltip: `${doing}${fileLines}${msg}${via}`, severity: 'none' };
  }
  const entries = s.registry?.entries;
  const problems = s.registry?.problems ?? 0;
  if (entries === undefined && files.length === 0) {
    return {
      text: '$(warning) importwarden: no registry',
      tooltip: `The server found no import registry (see docs/configuration.md for where it looks, or set importwarden.registry).${msg}${via}\nClick for the output.`,
      severity: 'warning',
    };
  }
  const parts = [plural(entries ?? 0, 'entry', 'entries')];
  if (problems > 0) {
    parts.push(plural(problems, 'problem', 'problems'));
  }
  return {
    text: `${problems > 0 ? '$(warning)' : '$(check)'} importwarden: ${parts.join(', ')}`,
    tooltip: `Registry loaded: ${parts.join(', ')}.${fileLines}${msg}${via}\nClick for the output.`,
    severity: problems > 0 || s.state === 'warning' ? 'warning' : 'none',
  };
}

/** Accepts only the fields we know, with the right types (the notification is untyped JSON). */
export function parseServerStatus(raw: unknown): ServerStatus | undefined {
  if (raw === null || typeof raw !== 'object') {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const out: ServerStatus = {};
  if (typeof r.state === 'string') out.state = r.state;
  if (typeof r.message === 'string') out.message = r.message;
  if (typeof r.indexing === 'boolean') out.indexing = r.indexing;
  const reg = (r.registry !== null && typeof r.registry === 'object' ? r.registry : r) as Record<string, unknown>;
  const registry: NonNullable<ServerStatus['registry']> = {};
  if (Array.isArray(reg.files)) registry.files = reg.files.filter((f): f is string => typeof f === 'string');
  if (typeof reg.entries === 'number') registry.entries = reg.entries;
  if (typeof reg.problems === 'number') registry.problems = reg.problems;
  if (Object.keys(registry).length) out.registry = registry;
  return out;
}
