// End-to-end test of the importwarden VS Code extension in real VS Code (code-server) driven
// through Debian's Chromium with playwright-core. Prints one JSON object on stdout (what
// tests/e2e/test_vscode.py asserts on) and saves a screenshot per step.
//
//   node driver.mjs --code-server DIR --vsix FILE --workspace DIR --artifacts DIR
//
// Scenario, in one code-server session on a copy of the fixture workspace:
//   1. the folder opens in Restricted Mode: the extension starts no server and says so
//      (status bar item, output channel), and no diagnostics appear;
//   2. trust is granted from the UI (Manage Workspace Trust -> Trust): the extension starts the
//      bundled server (default importStrategy useBundled);
//   3. the broken import gets an error squiggle, the deprecated one a strikethrough;
//   3b. importwarden.ignore set in .vscode/settings.json hides IW002 without a server restart;
//   3c. importStrategy set there restarts the server (fromEnvironment), and back (bundled);
//   4. the hover on the broken import quotes the registry;
//   5. the quick fix (Ctrl+.) rewrites the broken import; the file on disk has the canonical one;
//   6. "importwarden: Fix All Imports" fixes the deprecated import; the file on disk shows it;
//   7. "Open Registry" opens the registry, "Reload Registry" reloads it (or restarts a server
//      that does not offer importwarden.reloadRegistry), "Restart Server" starts a new server;
//   8. with --python-extension (a test double of ms-python.python), selecting an interpreter
//      there restarts the server on that interpreter;
//   9. selecting an unsupported interpreter there gives one clear message (notification, status
//      bar, output) and no server.

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
for (const key of ['code-server', 'vsix', 'workspace', 'artifacts']) {
  if (!args[key]) {
    console.error(`driver.mjs: --${key} is required`);
    process.exit(2);
  }
}
const CODE_SERVER = resolve(args['code-server']);
const ARTIFACTS = resolve(args.artifacts);
const STEP_TIMEOUT = Number(args['step-timeout'] ?? 60000);
const KEEP = args.keep === 'true';

const result = { ok: false, steps: [], restricted: {}, trusted: {}, errors: [], logs: {} };
const started = Date.now();
const elapsed = () => Date.now() - started;
const log = (msg) => process.stderr.write(`[${(elapsed() / 1000).toFixed(1)}s] ${msg}\n`);

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms`);
}

// --- setup: a copy of the workspace, a fresh profile, the .vsix installed ------------------------
// tmpfs when there is one: installing and deleting the extension's few thousand files on a
// busy disk costs tens of seconds.
const tmpBase = args.tmp ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const tmp = mkdtempSync(join(tmpBase, 'iw-vscode-e2e-'));
const ws = join(tmp, 'ws');
const dataDir = join(tmp, 'data');
const extDir = join(tmp, 'ext');
// Only the fixture's own files: no cache or bytecode left by an earlier run in the source tree.
cpSync(resolve(args.workspace), ws, {
  recursive: true,
  filter: (src) => !/[\\/](\.importwarden_cache|__pycache__)([\\/]|$)/.test(src),
});
mkdirSync(join(dataDir, 'User'), { recursive: true });
mkdirSync(ARTIFACTS, { recursive: true });
writeFileSync(
  join(dataDir, 'User', 'settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      // Restricted Mode without the modal prompt; trust is granted later from the UI.
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.enabled': true,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'workbench.tips.enabled': false,
      'editor.hover.delay': 200,
      'editor.minimap.enabled': false,
      'files.autoSave': 'off',
      'chat.disableAIFeatures': true,
      // --user-settings '{"importwarden.interpreter": [...]}' to test another server command.
      ...JSON.parse(args['user-settings'] ?? '{}'),
    },
    null,
    2,
  ),
);

const env = { ...process.env };
if (args['python-extension-interpreter']) env.IW_E2E_PYTHON = resolve(args['python-extension-interpreter']);
if (args['python-extension-old-interpreter']) env.IW_E2E_OLD_PYTHON = resolve(args['python-extension-old-interpreter']);
delete env.VSCODE_IPC_HOOK_CLI;
let codeServer;
let browser;

async function main() {
  const entry = join(CODE_SERVER, 'out', 'node', 'entry.js');
  let t = Date.now();
  execFileSync(process.execPath, [entry, '--user-data-dir', dataDir, '--extensions-dir', extDir, '--install-extension', resolve(args.vsix)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120000,
  });
  if (args['python-extension']) {
    execFileSync(process.execPath, [entry, '--user-data-dir', dataDir, '--extensions-dir', extDir, '--install-extension', resolve(args['python-extension'])], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120000,
    });
  }
  result.install_ms = Date.now() - t;
  log(`installed the .vsix in ${result.install_ms} ms`);

  const port = await freePort();
  codeServer = spawn(
    process.execPath,
    [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-getting-started-override', '--user-data-dir', dataDir, '--extensions-dir', extDir, ws],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let csLog = '';
  codeServer.stdout.on('data', (d) => (csLog += d));
  codeServer.stderr.on('data', (d) => (csLog += d));
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30000);

  browser = await chromium.launch({
    executablePath: args.chromium ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(STEP_TIMEOUT);
  let shot = 0;

  async function step(name, fn) {
    const t0 = Date.now();
    const entry = { name, ok: false };
    result.steps.push(entry);
    log(`step ${name}`);
    try {
      entry.value = await fn();
      entry.ok = true;
    } catch (err) {
      entry.error = String(err?.message ?? err).split('\n').slice(0, 6).join('\n');
      throw err;
    } finally {
      entry.ms = Date.now() - t0;
      shot += 1;
      const file = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}${entry.ok ? '' : '-FAILED'}.png`);
      await page.screenshot({ path: file }).catch(() => {});
      entry.screenshot = file;
    }
    return entry.value;
  }

  const editor = page.locator('.editor-group-container .monaco-editor').first();
  const statusItem = page.locator('[id="importwarden.importwarden.importwarden.status"]');

  async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  async function outputText() {
    await runCommand('importwarden: Show Output');
    const lines = page.locator('.part.panel .monaco-editor .view-lines');
    await lines.first().waitFor({ state: 'visible' });
    await page.waitForTimeout(300);
    return (await lines.first().innerText()).replace(/\u00a0/g, ' ');
  }

  async function openFile(name) {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
    await page.locator('.tab.active', { hasText: name }).waitFor();
    await editor.locator('.view-lines').waitFor();
  }

  function extensionLog() {
    const logs = join(dataDir, 'logs');
    let text = '';
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === 'importwarden.log') text += readFileSync(p, 'utf8');
      }
    };
    if (existsSync(logs)) walk(logs);
    return text;
  }

  const diskText = () => readFileSync(join(ws, 'app.py'), 'utf8');
  async function waitForDisk(predicate, what) {
    const deadline = Date.now() + STEP_TIMEOUT;
    while (Date.now() < deadline) {
      if (predicate(diskText())) return diskText();
      await page.waitForTimeout(200);
    }
    throw new Error(`app.py on disk never ${what}; it is:\n${diskText()}`);
  }

  // 1. Restricted Mode -----------------------------------------------------------------------
  await step('restricted-open', async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor();
    await page.locator('[id="status.workspaceTrust"]').waitFor();
    await openFile('app.py');
    await statusItem.waitFor();
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes('Restricted Mode'),
      '[id="importwarden.importwarden.importwarden.status"]',
    );
    result.restricted.status_text = (await statusItem.innerText()).trim();
    result.restricted.workbench_trust_text = (await page.locator('[id="status.workspaceTrust"]').innerText()).trim();
  });
  await step('restricted-no-server', async () => {
    // Give a (wrongly) started server ample time to publish diagnostics before looking.
    await page.waitForTimeout(4000);
    result.restricted.error_squiggles = await editor.locator('.squiggly-error').count();
    result.restricted.deprecated_marks = await editor.locator('.squiggly-inline-deprecated').count();
    result.restricted.output = await outputText();
    const procs = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    result.restricted.server_processes = procs.split('\n').filter((l) => l.includes(extDir) && l.includes('server.py')).length;
  });

  // 2. Grant trust ---------------------------------------------------------------------------
  await step('grant-trust', async () => {
    await runCommand('Workspaces: Manage Workspace Trust');
    const trustButton = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust/ }).first();
    await trustButton.waitFor({ state: 'visible' });
    await trustButton.click();
    await page.locator('[id="status.workspaceTrust"]').waitFor({ state: 'detached' });
    await page.locator('.tab', { hasText: 'app.py' }).first().click();
    await editor.locator('.view-lines').waitFor();
  });

  // 3. Diagnostics -----------------------------------------------------------------------------
  await step('diagnostics', async () => {
    const t0 = Date.now();
    await editor.locator('.squiggly-error').first().waitFor({ state: 'visible' });
    result.trusted.first_error_ms = Date.now() - t0;
    await editor.locator('.squiggly-inline-deprecated').first().waitFor({ state: 'visible' });
    result.trusted.error_squiggles = await editor.locator('.squiggly-error').count();
    result.trusted.deprecated_marks = await editor.locator('.squiggly-inline-deprecated').count();
    result.trusted.deprecated_style = await editor
      .locator('.squiggly-inline-deprecated')
      .first()
      .evaluate((el) => getComputedStyle(el).textDecorationLine);
    result.trusted.deprecated_text = (await editor.locator('.squiggly-inline-deprecated').first().innerText()).trim();
    await page.waitForFunction(
      (sel) => !/Restricted|sync~spin/.test(document.querySelector(sel)?.textContent ?? 'Restricted'),
      '[id="importwarden.importwarden.importwarden.status"]',
    );
    result.trusted.status_text = (await statusItem.innerText()).trim();
    result.trusted.status_tooltip = (await statusItem.getAttribute('aria-label')) ?? '';
  });

  // 3b. A setting change reaches the running server without a restart ----------------------
  await step('settings-live', async () => {
    // Workspace settings, as a team would commit them (importwarden.ignore is not restricted).
    const settingsFile = join(ws, '.vscode', 'settings.json');
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    const deprecated = editor.locator('.squiggly-inline-deprecated');
    writeFileSync(settingsFile, JSON.stringify({ 'importwarden.ignore': ['IW002'] }, null, 2));
    await page.waitForFunction(() => document.querySelectorAll('.editor-group-container .monaco-editor .squiggly-inline-deprecated').length === 0);
    result.trusted.deprecated_marks_with_ignore = await deprecated.count();
    result.trusted.error_squiggles_with_ignore = await editor.locator('.squiggly-error').count();
    writeFileSync(settingsFile, '{}\n');
    await deprecated.first().waitFor({ state: 'visible' });
    result.trusted.server_starts = (extensionLog().match(/importwarden server started\./g) ?? []).length;
  });

  // 3c. A setting that picks another process restarts the server ------------------------------
  await step('settings-restart', async () => {
    const settingsFile = join(ws, '.vscode', 'settings.json');
    const starts = () => (extensionLog().match(/importwarden server started\./g) ?? []).length;
    const deadline = Date.now() + STEP_TIMEOUT;
    const waitFor = async (pred, what) => {
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`${what}; log:\n${extensionLog().slice(-1500)}`);
        await page.waitForTimeout(200);
      }
    };
    const restarts = () => (extensionLog().match(/Server settings changed \(path, interpreter or importStrategy\): restarting\./g) ?? []).length;
    writeFileSync(settingsFile, JSON.stringify({ 'importwarden.importStrategy': 'fromEnvironment' }, null, 2));
    await waitFor(() => restarts() === 1, 'no restart after importStrategy changed');
    await waitFor(() => /\(fromEnvironment\)|importStrategy is "fromEnvironment"/.test(extensionLog()), 'fromEnvironment was not used');
    result.trusted.from_environment_line = extensionLog().split('\n').find((l) => /\(fromEnvironment\)|importStrategy is "fromEnvironment"/.test(l)).replace(/^\S+ \S+ /, '');
    const before = starts();
    writeFileSync(settingsFile, '{}\n');
    await waitFor(() => restarts() === 2 && starts() > before, 'the bundled server did not come back');
    await editor.locator('.squiggly-error').first().waitFor({ state: 'visible' });
  });

  // 4. Hover -------------------------------------------------------------------------------------
  await step('hover', async () => {
    const squiggle = editor.locator('.squiggly-error').first();
    const box = await squiggle.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover:not(.hidden)').first();
    await hover.waitFor({ state: 'visible' });
    await page.waitForFunction(() => /importwarden|IW00/.test(document.querySelector('.monaco-hover:not(.hidden)')?.textContent ?? ''));
    await page.waitForTimeout(300);
    result.trusted.hover_text = (await hover.innerText()).trim();
  });

  // 5. Quick fix from the UI ------------------------------------------------------------------
  await step('quick-fix', async () => {
    await page.mouse.move(10, 10);
    await page.keyboard.press('Escape');
    // Put the cursor on the broken module path, then Ctrl+. opens the code action menu.
    await editor.locator('.view-line', { hasText: 'shop.orders.invoice' }).getByText('shop.orders.invoice').first().click().catch(async () => {
      const box = await editor.locator('.squiggly-error').first().boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    });
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget');
    await menu.waitFor({ state: 'visible' });
    const items = menu.locator('.monaco-list-row.action');
    await items.first().waitFor();
    result.trusted.quick_fix_items = (await items.allInnerTexts()).map((s) => s.trim());
    // The menu is keyboard driven (a pointer block covers it until the mouse moves): walk
    // the focus to the fix that names the canonical module and press Enter, as a person would.
    for (let i = 0; ; i++) {
      const focused = (await menu.locator('.monaco-list-row.action.focused').innerText().catch(() => '')).trim();
      if (focused.includes('shop.billing.invoices')) break;
      if (i >= 10) throw new Error(`no quick fix naming shop.billing.invoices in ${JSON.stringify(result.trusted.quick_fix_items)}`);
      await page.keyboard.press('ArrowDown');
    }
    await page.screenshot({ path: join(ARTIFACTS, `${String(shot + 1).padStart(2, '0')}-quick-fix-menu.png`) });
    await page.keyboard.press('Enter');
    await editor.locator('.view-line', { hasText: 'from shop.billing.invoices import Invoice' }).first().waitFor();
    await page.keyboard.press('Control+S');
    result.trusted.after_quick_fix = await waitForDisk((t) => t.includes('from shop.billing.invoices import Invoice'), 'got the canonical import');
  });

  // 6. Fix All command ---------------------------------------------------------------------------
  await step('fix-all', async () => {
    await runCommand('importwarden: Fix All Imports');
    await editor.locator('.view-line', { hasText: 'from shop.billing.payments import charge' }).first().waitFor();
    await page.keyboard.press('Control+S');
    result.trusted.after_fix_all = await waitForDisk((t) => t.includes('from shop.billing.payments import charge'), 'got the fixed deprecated import');
    await page.waitForFunction(() => document.querySelectorAll('.editor-group-container .monaco-editor .squiggly-error').length === 0);
    result.trusted.error_squiggles_after_fixes = 0;
  });

  // 7. The other commands: Open Registry, Restart Server -----------------------------------------
  await step('open-registry', async () => {
    await runCommand('importwarden: Open Registry');
    await page.locator('.tab.active', { hasText: 'SSOT_IMPORT_REGISTRY.md' }).waitFor();
    result.trusted.open_registry_tab = (await page.locator('.tab.active').innerText()).trim();
  });
  await step('reload-registry', async () => {
    const starts = () => (extensionLog().match(/importwarden server started\./g) ?? []).length;
    const before = starts();
    await runCommand('importwarden: Reload Registry');
    const deadline = Date.now() + STEP_TIMEOUT;
    let line;
    while (!(line = extensionLog().split('\n').find((l) => /Registry reloaded\.|does not offer importwarden\.reloadRegistry/.test(l)))) {
      if (Date.now() > deadline) throw new Error('Reload Registry did nothing visible in the output');
      await page.waitForTimeout(200);
    }
    result.trusted.reload_registry = line.replace(/^\S+ \S+ /, '');
    // With the restart fallback, wait for the new server before going on.
    while (/does not offer/.test(line) && starts() <= before) {
      if (Date.now() > deadline) throw new Error('the server did not come back after Reload Registry');
      await page.waitForTimeout(200);
    }
  });
  await step('restart-server', async () => {
    const starts = () => (extensionLog().match(/importwarden server started\./g) ?? []).length;
    const before = starts();
    await runCommand('importwarden: Restart Server');
    const deadline = Date.now() + STEP_TIMEOUT;
    while (starts() <= before) {
      if (Date.now() > deadline) throw new Error('the server did not start again after Restart Server');
      await page.waitForTimeout(200);
    }
    result.trusted.restart_added_starts = starts() - before;
    await page.locator('.tab', { hasText: 'app.py' }).first().click();
    await page.waitForFunction(
      (sel) => !/Restricted|sync~spin|stopped/.test(document.querySelector(sel)?.textContent ?? 'stopped'),
      '[id="importwarden.importwarden.importwarden.status"]',
    );
    result.trusted.status_after_restart = (await statusItem.innerText()).trim();
  });

  // 8. The Python extension's interpreter: selecting one restarts the server with it -------------
  if (args['python-extension']) {
    await step('python-extension-interpreter', async () => {
      await runCommand('Fake Python: Select Interpreter');
      const deadline = Date.now() + STEP_TIMEOUT;
      // Done when a server started after the command line that names the selected interpreter.
      const switched = () => {
        const log = extensionLog();
        const at = log.lastIndexOf("bundled server with the Python extension's interpreter:");
        return at >= 0 && log.indexOf('importwarden server started.', at) >= 0;
      };
      while (!switched()) {
        if (Date.now() > deadline) throw new Error("the server did not restart on the Python extension's interpreter");
        await page.waitForTimeout(200);
      }
      const lines = extensionLog().split('\n');
      result.trusted.python_extension_log = lines.filter((l) => /Python extension|bundled (importwarden )?server/.test(l)).map((l) => l.replace(/^\S+ \S+ /, ''));
      await page.waitForFunction(
        (sel) => !/Restricted|sync~spin|stopped/.test(document.querySelector(sel)?.textContent ?? 'stopped'),
        '[id="importwarden.importwarden.importwarden.status"]',
      );
      result.trusted.status_after_python_change = (await statusItem.innerText()).trim();
    });
  }

  // 9. An interpreter the bundled server cannot run on: one clear message, no crash loop ----------
  if (args['python-extension'] && args['python-extension-old-interpreter']) {
    await step('unsupported-python', async () => {
      await runCommand('Fake Python: Select Old Interpreter');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'supports CPython' }).first();
      await toast.waitFor({ state: 'visible' });
      result.unsupported = {
        notification: (await toast.locator('.notification-list-item-message').innerText()).trim(),
        status_text: '',
      };
      await page.waitForFunction(
        (sel) => /unsupported/.test(document.querySelector(sel)?.textContent ?? ''),
        '[id="importwarden.importwarden.importwarden.status"]',
      );
      result.unsupported.status_text = (await statusItem.innerText()).trim();
      result.unsupported.status_tooltip = (await statusItem.getAttribute('aria-label')) ?? '';
      await page.waitForTimeout(1500); // a crash loop would show up as more start attempts
      result.unsupported.log = extensionLog().split('\n').filter((l) => /supports CPython|server started|Server process/.test(l));
    });
  }

  await step('output', async () => {
    result.trusted.output = await outputText(); // what the panel shows (its visible lines)
    result.trusted.log = extensionLog(); // the whole output channel, from its log file
  });
  result.ok = result.steps.every((s) => s.ok);
  result.logs.code_server_tail = csLog.split('\n').slice(-20).join('\n');
}

try {
  await main();
} catch (err) {
  result.errors.push(String(err?.stack ?? err));
} finally {
  result.total_ms = elapsed();
  try {
    result.logs.extension_output = execFileSync('sh', ['-c', `cat "${dataDir}"/logs/*/exthost*/importwarden.importwarden/*.log 2>/dev/null | tail -60`], { encoding: 'utf8' });
  } catch {
    // no log
  }
  log('closing');
  await browser?.close().catch(() => {});
  log('browser closed');
  if (codeServer && codeServer.exitCode === null) {
    // Its own process group: the extension host and the language server go with it.
    try {
      process.kill(-codeServer.pid, 'SIGTERM');
    } catch {
      codeServer.kill('SIGTERM');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  log('code-server stopped');
  if (!KEEP) {
    rmSync(tmp, { recursive: true, force: true });
  } else {
    result.tmp = tmp;
  }
  log('done');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  process.exit(result.ok ? 0 : 1);
}
