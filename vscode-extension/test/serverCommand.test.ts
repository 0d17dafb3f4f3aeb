// Which process runs the server: importwarden.path, then importwarden.interpreter, then the
// import strategy (Python extension's interpreter, PATH), then failure with a clear message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isResolveError, makeWhich, resolveServerCommand, type ResolveInput, withSafePath } from '../src/serverCommand';

const LAUNCHER = '/ext/bundled/tool/server.py';

function input(overrides: Partial<ResolveInput> = {}): ResolveInput {
  return {
    path: '',
    interpreter: [],
    importStrategy: 'useBundled',
    bundledLauncher: LAUNCHER,
    which: makeWhich('/usr/local/bin:/usr/bin', (f) => ['/usr/bin/python3', '/usr/local/bin/importwarden'].includes(f)),
    ...overrides,
  };
}

function ok(i: ResolveInput) {
  const r = resolveServerCommand(i);
  assert.ok(!isResolveError(r), isResolveError(r) ? r.error : '');
  return r;
}

describe('resolveServerCommand', () => {
  it('uses importwarden.path first, whatever else is set', () => {
    const r = ok(input({ path: '/opt/iw/bin/importwarden', interpreter: ['/venv/bin/python'], pythonExtension: ['/py'], importStrategy: 'fromEnvironment' }));
    assert.equal(r.command, '/opt/iw/bin/importwarden');
    assert.deepEqual(r.args, ['lsp']);
    assert.equal(r.source, 'importwarden.path');
    assert.equal(r.bundled, false);
  });

  it('uses importwarden.interpreter with -m importwarden lsp, keeping its extra arguments', () => {
    const r = ok(input({ interpreter: ['/venv/bin/python', '-X', 'utf8'], pythonExtension: ['/py'] }));
    assert.equal(r.command, '/venv/bin/python');
    assert.deepEqual(r.args, ['-X', 'utf8', '-m', 'importwarden', 'lsp']);
    assert.equal(r.source, 'importwarden.interpreter');
  });

  it('runs the bundled server with the Python extension interpreter by default', () => {
    const r = ok(input({ pythonExtension: ['/home/u/.venv/bin/python'] }));
    assert.equal(r.command, '/home/u/.venv/bin/python');
    assert.deepEqual(r.args, [LAUNCHER]);
    assert.equal(r.source, 'bundled');
    assert.equal(r.bundled, true);
  });

  it('runs the bundled server with python3 from PATH when the Python extension is absent', () => {
    const r = ok(input());
    assert.equal(r.command, '/usr/bin/python3');
    assert.deepEqual(r.args, [LAUNCHER]);
    assert.equal(r.bundled, true);
  });

  it('falls back to python when there is no python3', () => {
    const r = ok(input({ which: makeWhich('/bin', (f) => f === '/bin/python') }));
    assert.equal(r.command, '/bin/python');
  });

  it('says clearly when no Python exists for the bundled server', () => {
    const r = resolveServerCommand(input({ which: () => undefined }));
    assert.ok(isResolveError(r));
    assert.match(r.error, /No Python interpreter found/);
    assert.match(r.error, /importwarden\.interpreter/);
  });

  it('fromEnvironment: the Python extension interpreter with -m importwarden lsp', () => {
    const r = ok(input({ importStrategy: 'fromEnvironment', pythonExtension: ['/env/bin/python'] }));
    assert.equal(r.command, '/env/bin/python');
    assert.deepEqual(r.args, ['-m', 'importwarden', 'lsp']);
    assert.equal(r.source, 'python-extension');
    assert.equal(r.bundled, false);
  });

  it('fromEnvironment without the Python extension: importwarden on PATH', () => {
    const r = ok(input({ importStrategy: 'fromEnvironment' }));
    assert.equal(r.command, '/usr/local/bin/importwarden');
    assert.deepEqual(r.args, ['lsp']);
    assert.equal(r.source, 'path-lookup');
  });

  it('fromEnvironment with nothing installed is an error, not the bundled server', () => {
    const r = resolveServerCommand(input({ importStrategy: 'fromEnvironment', which: (n) => (n === 'python3' ? '/usr/bin/python3' : undefined) }));
    assert.ok(isResolveError(r));
    assert.match(r.error, /fromEnvironment/);
  });

  it('treats an empty Python extension answer as absent', () => {
    const r = ok(input({ pythonExtension: [] }));
    assert.equal(r.command, '/usr/bin/python3');
  });
});

describe('makeWhich', () => {
  it('searches PATH in order and skips empty entries', () => {
    const seen: string[] = [];
    const which = makeWhich('/a::/b/', (f) => {
      seen.push(f);
      return f === '/b/tool';
    });
    assert.equal(which('tool'), '/b/tool');
    assert.deepEqual(seen, ['/a/tool', '/b/tool']);
  });

  it('checks a name with a slash as a path, not on PATH', () => {
    const which = makeWhich('/usr/bin', (f) => f === './venv/bin/python');
    assert.equal(which('./venv/bin/python'), './venv/bin/python');
    assert.equal(which('./missing/python'), undefined);
  });
});

describe('withSafePath', () => {
  it('starts Python 3.11+ with -P, before the launcher or -m', () => {
    const bundled = withSafePath(ok(input()), [3, 12]);
    assert.deepEqual(bundled.args, ['-P', LAUNCHER]);
    const module = withSafePath(ok(input({ interpreter: ['/venv/bin/python', '-X', 'utf8'] })), [3, 11]);
    assert.deepEqual(module.args, ['-P', '-X', 'utf8', '-m', 'importwarden', 'lsp']);
  });

  it('leaves Python 3.10 (no -P) and non-Python executables as they are', () => {
    assert.deepEqual(withSafePath(ok(input()), [3, 10]).args, [LAUNCHER]);
    assert.deepEqual(withSafePath(ok(input({ path: '/opt/iw' })), [3, 13]).args, ['lsp']);
  });
});
