// The client's own settings, the pass-through of the rest to the server, and which changes restart it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConfigGetter,
  configurationChangeAction,
  expandExecutable,
  explicitServerSettings,
  expandPath,
  type InspectedValue,
  readClientSettings,
  serverKeys,
} from '../src/settings';

function getter(values: Record<string, unknown>): ConfigGetter {
  return <T>(key: string, fallback: T): T => (key in values ? (values[key] as T) : fallback);
}

const VARS = { workspaceFolder: '/ws', userHome: '/home/u' };

describe('readClientSettings', () => {
  it('gives defaults when nothing is set', () => {
    const s = readClientSettings(getter({}));
    assert.deepEqual(s, { path: '', interpreter: [], importStrategy: 'useBundled' });
  });

  it('tolerates wrong types: a string for a list, an unknown strategy', () => {
    const s = readClientSettings(getter({ interpreter: '/venv/bin/python', importStrategy: 'bogus', path: ['/x/iw'] }));
    assert.deepEqual(s, { path: '/x/iw', interpreter: ['/venv/bin/python'], importStrategy: 'useBundled' });
  });
});

describe('explicitServerSettings', () => {
  const KEYS = ['registry', 'select', 'ignore', 'severity', 'completion.autoImport', 'path', 'interpreter', 'importStrategy', 'trace.server'];

  it('sends nothing for defaults, so pyproject.toml decides', () => {
    assert.deepEqual(explicitServerSettings(KEYS, () => ({})), {});
    assert.deepEqual(explicitServerSettings(KEYS, () => undefined), {});
  });

  it('passes what the user set through unchanged: the server validates it', () => {
    const set: Record<string, InspectedValue> = {
      registry: { globalValue: ['~/r.md'], workspaceValue: ['${workspaceFolder}/docs/R.md'] },
      select: { workspaceFolderValue: ['E501', 'iw00'], workspaceValue: ['IW001'] },
      severity: { globalValue: { IW001: 'fatal' } },
      'completion.autoImport': { workspaceValue: false },
      path: { globalValue: '/should/not/leak' },
      'trace.server': { globalValue: 'verbose' },
    };
    assert.deepEqual(explicitServerSettings(KEYS, (k) => set[k]), {
      registry: ['${workspaceFolder}/docs/R.md'],
      select: ['E501', 'iw00'],
      severity: { IW001: 'fatal' },
      completion: { autoImport: false },
    });
  });

  it('sends an explicit true too (it overrides a project that turned auto-import off)', () => {
    assert.deepEqual(explicitServerSettings(KEYS, (k) => (k === 'completion.autoImport' ? { globalValue: true } : undefined)), {
      completion: { autoImport: true },
    });
  });
});

describe('serverKeys', () => {
  it('takes package.json\'s importwarden.* settings less the client\'s own', () => {
    const declared = { 'importwarden.registry': {}, 'importwarden.path': {}, 'importwarden.trace.server': {}, 'importwarden.completion.autoImport': {}, 'other.x': {} };
    assert.deepEqual(serverKeys(declared), ['registry', 'completion.autoImport']);
  });
});

describe('expandPath / expandExecutable', () => {
  it('expands variables and ~, and anchors relative paths at the workspace', () => {
    assert.equal(expandPath('${userHome}/x', VARS), '/home/u/x');
    assert.equal(expandPath('./reg.md', VARS), '/ws/reg.md');
    assert.equal(expandPath('${env:REG}/r.md', VARS, { REG: '/data' }), '/data/r.md');
  });

  it('keeps a bare command name for a PATH lookup', () => {
    assert.equal(expandExecutable('python3', VARS), 'python3');
    assert.equal(expandExecutable('.venv/bin/python', VARS), '/ws/.venv/bin/python');
    assert.equal(expandExecutable('${workspaceFolder}/.venv/bin/python', VARS), '/ws/.venv/bin/python');
  });
});

describe('configurationChangeAction', () => {
  const changed = (...keys: string[]) => (key: string) =>
    keys.some((k) => k === key || k.startsWith(key + '.'));

  it('restarts when the process choice changes', () => {
    for (const key of ['importwarden.path', 'importwarden.interpreter', 'importwarden.importStrategy']) {
      assert.equal(configurationChangeAction(changed(key)), 'restart', key);
    }
  });

  it('notifies the running server for everything else', () => {
    for (const key of ['importwarden.registry', 'importwarden.severity', 'importwarden.completion.autoImport', 'importwarden.trace.server']) {
      assert.equal(configurationChangeAction(changed(key)), 'notify', key);
    }
  });

  it('ignores other extensions', () => {
    assert.equal(configurationChangeAction(changed('python.defaultInterpreterPath')), 'none');
  });
});
