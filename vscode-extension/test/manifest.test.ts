// package.json promises that users and VS Code rely on: trust, no hard dependency on the Python
// extension, settings that match the server's, commands that exist.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RESTART_KEYS } from '../src/settings';

const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
const sourceDir = join(process.cwd(), 'src');
const sources = Object.fromEntries(readdirSync(sourceDir).filter((f) => f.endsWith('.ts')).map((f) => [f, readFileSync(join(sourceDir, f), 'utf8')]));
const commandsSource = sources['commands.ts'];

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
      assert.ok(commandsSource.includes(`registerCommand('${command}'`), command);
    }
  });

  it('activates on Python files and on a registry', () => {
    assert.ok(manifest.activationEvents.includes('onLanguage:python'));
    assert.ok(manifest.activationEvents.includes('workspaceContains:SSOT_IMPORT_REGISTRY.md'));
    assert.ok(manifest.activationEvents.includes('workspaceContains:*_IMPORT_REGISTRY.md'));
  });

  it('packages with vsce\'s secret scan on (no --allow-package-*-secrets)', () => {
    assert.doesNotMatch(manifest.scripts.package, /--allow-package-(all-)?secrets|--allow-package-env-file/);
  });
});

describe('the client stays thin', () => {
  it('does not look for registry files: the server does (and reports them in importwarden/status)', () => {
    for (const [file, text] of Object.entries(sources)) {
      assert.doesNotMatch(text, /IMPORT_REGISTRY|importwarden\.toml/, file);
      assert.doesNotMatch(text, /workspace\.fs\.stat|findFiles/, file);
    }
  });

  it('does not validate rule codes or severities: the server does, and the client shows its warnings', () => {
    for (const [file, text] of Object.entries(sources)) {
      assert.doesNotMatch(text, /IWR\?|'information'|LEVELS/, file);
    }
  });

  it('keeps extension.ts to wiring: no module-level state but the lifecycle', () => {
    const lets = sources['extension.ts'].match(/^let /gm) ?? [];
    assert.ok(lets.length <= 1, String(lets.length));
    assert.ok(sources['extension.ts'].split('\n').length < 80);
  });
});
