// Test double of the Python extension's `environments` API for the importwarden e2e. Only the
// calls importwarden makes are implemented; no interpreter is selected until the command runs.
const vscode = require('vscode');

exports.activate = function activate(context) {
  let current = { id: 'none', path: '' };
  const changed = new vscode.EventEmitter();
  const select = (path) => {
    current = { id: path, path };
    changed.fire({ id: path, path, resource: undefined });
  };
  context.subscriptions.push(
    changed,
    vscode.commands.registerCommand('fakePython.selectInterpreter', () => select(process.env.IW_E2E_PYTHON)),
    vscode.commands.registerCommand('fakePython.selectOldInterpreter', () => select(process.env.IW_E2E_OLD_PYTHON)),
  );
  return {
    environments: {
      getActiveEnvironmentPath: () => current,
      resolveEnvironment: async (env) => {
        const path = typeof env === 'string' ? env : env && env.path;
        return path ? { executable: { uri: vscode.Uri.file(path) } } : undefined;
      },
      onDidChangeActiveEnvironmentPath: changed.event,
    },
  };
};
