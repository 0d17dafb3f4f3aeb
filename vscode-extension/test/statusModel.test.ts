// The status bar text for each client state and server status.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServerStatus, statusView } from '../src/statusModel';

describe('statusView', () => {
  it('says Restricted Mode when the folder is not trusted', () => {
    const v = statusView({ kind: 'restricted' });
    assert.match(v.text, /Restricted Mode/);
    assert.match(v.tooltip, /not started/);
  });

  it('shows registry entries and problems from the server', () => {
    const v = statusView({ kind: 'running', server: { state: 'ok', registry: { files: ['/ws/R.md'], entries: 42, problems: 3 } } });
    assert.equal(v.text, '$(warning) importwarden: 42 entries, 3 problems');
    assert.match(v.tooltip, /\/ws\/R\.md/);
    assert.equal(v.severity, 'warning');
    assert.equal(statusView({ kind: 'running', server: { registry: { entries: 1, problems: 0 } } }).text, '$(check) importwarden: 1 entry');
  });

  it('says indexing while the server builds its index, registry problems or not', () => {
    const server = parseServerStatus({ state: 'loading', indexing: true, message: 'indexing the workspace; 42 entries, 1 registry problem',
      registry: { files: ['/ws/R.md'], entries: 42, problems: 1 } });
    const v = statusView({ kind: 'running', server });
    assert.equal(v.text, '$(sync~spin) importwarden: indexing');
    assert.match(v.tooltip, /1 registry problem/);
    assert.equal(statusView({ kind: 'running', server: { state: 'loading' } }).text, '$(sync~spin) importwarden: loading');
  });

  it('shows what is wrong: no registry, a load error, a start failure', () => {
    assert.match(statusView({ kind: 'running', server: { state: 'ok' } }).text, /no registry/);
    const err = statusView({ kind: 'running', server: { state: 'error', message: 'cannot read docs/R.md: permission denied' } });
    assert.equal(err.severity, 'error');
    assert.match(err.text, /cannot read docs/);
    const fail = statusView({ kind: 'error', message: 'the bundled server supports CPython 3.10-3.13, but /usr/bin/python3 is cpython 3.9' });
    assert.ok(fail.text.length < 70);
    assert.match(fail.tooltip, /3\.9/);
  });

  it('still says something when the server sends no status', () => {
    assert.equal(statusView({ kind: 'running' }).text, '$(check) importwarden');
  });
});

describe('parseServerStatus', () => {
  it('keeps known fields with the right types', () => {
    assert.deepEqual(parseServerStatus({ state: 'ok', registry: { files: ['a', 1], entries: 5, problems: 'x' }, extra: 1 }), {
      state: 'ok',
      registry: { files: ['a'], entries: 5 },
    });
  });

  it('accepts flat registry fields and rejects non-objects', () => {
    assert.deepEqual(parseServerStatus({ entries: 2, problems: 0 }), { registry: { entries: 2, problems: 0 } });
    assert.equal(parseServerStatus(null), undefined);
    assert.equal(parseServerStatus('ok'), undefined);
  });
});

describe('statusView errors', () => {
  it('uses the short label when given, and never repeats the importwarden: prefix', () => {
    const v = statusView({ kind: 'error', message: 'the bundled server supports CPython 3.10-3.14, but /x/python is cpython 3.9.', short: 'Python 3.9 unsupported' });
    assert.equal(v.text, '$(error) importwarden: Python 3.9 unsupported');
    assert.match(v.tooltip, /cpython 3\.9/);
    assert.equal(statusView({ kind: 'error', message: 'importwarden: boom' }).text, '$(error) importwarden: boom');
  });
});

describe('statusView with server warnings', () => {
  it('shows the server\'s warnings (an ignored setting) as a warning, listing them', () => {
    const server = { state: 'ok', registry: { files: ['/w/R.md'], entries: 4, problems: 0 } };
    const quiet = statusView({ kind: 'running', server });
    assert.equal(quiet.severity, 'none');
    const v = statusView({ kind: 'running', server, warnings: ["importwarden setting 'select': unknown rule code 'E501'; using the project's value"] });
    assert.equal(v.severity, 'warning');
    assert.match(v.text, /importwarden: 4 entries/);
    assert.match(v.tooltip, /unknown rule code 'E501'/);
  });

  it('keeps an error an error', () => {
    const v = statusView({ kind: 'running', server: { state: 'error', message: 'bad registry' }, warnings: ['w'] });
    assert.equal(v.severity, 'error');
  });
});
