// Mapping VS Code's importwarden.* settings to the server's, and which changes restart it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConfigGetter,
  configurationChangeAction,
  expandExecutable,
  expandPath,
  readSettings,
  toServerSettings,
} from '../src/settings';

function getter(values: Record<string, unknown>): ConfigGetter {
  return <T>(key: string, fallback: T): T => (key in values ? (values[key] as T) : fallback);
}

const VARS = { workspaceFolder: '/ws', userHome: '/home/u' };

describe('readSettings', () => {
  it('gives defaults when nothing is set', () => {
    const s = readSettings(getter({}));
    assert.equal(s.path, '');
    assert.deepEqual(s.interpreter, []);
    assert.equal(s.importStrategy, 'useBundled');
    assert.deepEqual(s.registry, []);
    assert.equal(s.completion.autoImport, true);
    assert.equal(s.trace.server, 'off');
  });

  it('tolerates wrong types: a string for a list, an unknown strategy, junk in objects', () => {
    const s = readSettings(
      getter({
        interpreter: '/venv/bin/python',
        registry: 'docs/REG.md',
        importStrategy: 'bogus',
        severity: { IW003: 'warning', IW004: 3 },
        perFileIgnores: { 'tests/**': 'IW007' },
        select: [1, 'IW001', ' '],
      }),
    );
    assert.deepEqual(s.interpreter, ['/venv/bin/python']);
    assert.deepEqual(s.registry, ['docs/REG.md']);
    assert.equal(s.importStrategy, 'useBundled');
    assert.deepEqual(s.severity, { IW003: 'warning' });
    assert.deepEqual(s.perFileIgnores, { 'tests/**': ['IW007'] });
    assert.deepEqual(s.select, ['IW001']);
  });
});

describe('toServerSettings', () => {
  it('sends nothing for defaults, so pyproject.toml decides', () => {
    const { settings, warnings } = toServerSettings(readSettings(getter({})), VARS);
    assert.deepEqual(settings, {});
    assert.deepEqual(warnings, []);
  });

  it('maps every server setting, with absolute registry paths', () => {
    const { settings, warnings } = toServerSettings(
      readSettings(
        getter({
          registry: ['docs/SSOT.md', '${workspaceFolder}/b.toml', '/abs/c.md', '~/d.md'],
          select: ['iw00'],
          ignore: ['IW004'],
          severity: { iw003: 'Warn', IW004: 'info' },
          perFileIgnores: { 'tests/**': ['IW007'] },
          exclude: ['build/'],
          'completion.autoImport': false,
          path: '/should/not/leak',
        }),
      ),
      VARS,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(settings, {
      registry: ['/ws/docs/SSOT.md', '/ws/b.toml', '/abs/c.md', '/home/u/d.md'],
      select: ['IW00'],
      ignore: ['IW004'],
      severity: { IW003: 'warning', IW004: 'information' },
      perFileIgnores: { 'tests/**': ['IW007'] },
      exclude: ['build/'],
      completion: { autoImport: false },
    });
  });

  it('drops bad codes and levels with a warning that names the setting', () => {
    const { settings, warnings } = toServerSettings(
      readSettings(getter({ select: ['E501', 'IW001'], severity: { IW001: 'fatal', foo: 'error' } })),
      VARS,
    );
    assert.deepEqual(settings.select, ['IW001']);
    assert.equal(settings.severity, undefined);
    assert.equal(warnings.length, 3);
    assert.match(warnings[0], /importwarden\.select: "E501"/);
    assert.ok(warnings.some((w) => /"fatal" for IW001/.test(w)));
    assert.ok(warnings.some((w) => /"foo" is not a rule code/.test(w)));
  });

  it('accepts registry problem codes in ignore', () => {
    const { settings } = toServerSettings(readSettings(getter({ ignore: ['IWR003'] })), VARS);
    assert.deepEqual(settings.ignore, ['IWR003']);
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
