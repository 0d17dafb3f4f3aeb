// package.json promises that users and VS Code rely on: trust, no hard dependency on the Python
// extension, settings that match the server's, commands that exist.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RESTART_KEYS } from '../src/settings';

const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
const source = readFileSync(join(process.cwd(), 'src', 'extension.ts'), 'utf8');

describe('package.json', () => {
  it('supports untrusted workspaces in a limited way, restricting every setting that picks a program', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.deepEqual(
      [...trust.restrictedConfigurations].sort(),
      ['importwarden.importStrategy', 'importwarden.interpreter', 'importwarden.path'],
    );
    assert.deepEqual(
      RESTART_KEYS.map((k) => `importwarden.${k}`).sort(),
      [...trust.restrictedConfigurations].sort(),
    );
  });

  it('does not depend on the Python extension', () => {
    assert.equal(manifest.extensionDependencies, undefined);
    assert.equal(manifest.extensionPack, undefined);
  });

  it('declares the server settings and the client ones, with useBundled as the default', () => {
    const props = manifest.contributes.configuration.properties;
    for (const key of ['registry', 'select', 'ignore', 'severity', 'perFileIgnores', 'exclude', 'completion.autoImport', 'trace.server', 'path', 'interpreter', 'importStrategy']) {
      assert.ok(props[`importwarden.${key}`], key);
    }
    assert.equal(props['importwarden.importStrategy'].default, 'useBundled');
    assert.deepEqual(props['importwarden.importStrategy'].enum, ['useBundled', 'fromEnvironment']);
  });

  it('registers a handler for every command it contributes', () => {
    for (const { command } of manifest.contributes.commands) {
      assert.ok(source.includes(`registerCommand('${command}'`), command);
    }
  });

  it('activates on Python files and on a registry', () => {
    assert.ok(manifest.activationEvents.includes('onLanguage:python'));
    assert.ok(manifest.activationEvents.includes('workspaceContains:SSOT_IMPORT_REGISTRY.md'));
  });
});
