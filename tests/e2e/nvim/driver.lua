-- Drive importwarden's language server from a real, headless Neovim 0.11, as a user would,
-- with the README's own Neovim snippet (SNIPPET: extracted from README.md by the test, so the
-- two cannot drift): open a file, wait for diagnostics, apply the preferred quick fix
-- (vim.lsp.buf.code_action), save, then complete a registry name in plain code and accept it
-- (the item's edit plus its additionalTextEdits, as Neovim's completion applies them), save
-- again; then open SAVE_FILE, untouched, and :write it: the snippet's fix-on-save must have
-- fixed it before the write (the test reads the file on disk).
--
-- Usage: nvim --headless --clean -l driver.lua SNIPPET ROOT FILE SAVE_FILE RESULT_JSON
-- Exit status: 0 ok; 2 no client; 3 no diagnostics; 4 quick fix not applied;
--              5 completion failed; 6 Lua error (message in the result file).

vim.g.loaded_python3_provider = 0 -- the python ftplugin probes for a provider: ~1 s
vim.g.loaded_ruby_provider = 0
vim.g.loaded_node_provider = 0
vim.g.loaded_perl_provider = 0

local snippet, root, file, save_file, result_path = arg[1], arg[2], arg[3], arg[4], arg[5]
local result = { steps = {} }

local function save_result()
  local fh = assert(io.open(result_path, 'w'))
  fh:write(vim.json.encode(result))
  fh:close()
end

local function finish(code, why)
  result.exit = code
  result.why = why
  save_result()
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop()
  end
  vim.wait(2000, function()
    return #vim.lsp.get_clients() == 0
  end, 20)
  os.exit(code)
end

local function step(name, fn)
  local ok, err = pcall(fn)
  if not ok then
    result.error = name .. ': ' .. tostring(err)
    finish(6, result.error)
  end
  table.insert(result.steps, name)
end

-- The setup documented in the README (Editors > Neovim 0.11), unchanged (`importwarden` is
-- found on PATH, as for a user), plus what only the test needs, merged on top of it.
dofile(snippet)
vim.lsp.config('importwarden', {
  detached = false, -- die with Neovim (servers get their own process group otherwise)
  cmd_env = { IMPORTWARDEN_E2E_TOKEN = os.getenv('IMPORTWARDEN_E2E_TOKEN') },
})

local bufnr, client

step('open', function()
  vim.cmd.edit(vim.fn.fnameescape(root .. '/' .. file))
  bufnr = vim.api.nvim_get_current_buf()
end)

step('attach', function()
  local attached = vim.wait(20000, function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = 'importwarden' })[1]
    return client ~= nil and client.initialized
  end, 20)
  if not attached then
    finish(2, 'no importwarden client attached')
  end
  result.offset_encoding = client.offset_encoding
end)

step('diagnostics', function()
  local got = vim.wait(30000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 20)
  if not got then
    finish(3, 'no diagnostics')
  end
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      code = d.code, lnum = d.lnum, col = d.col, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source,
    })
  end
end)

step('quickfix', function()
  local target
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == 'IW001' then
      target = d
    end
  end
  if not target then
    finish(4, 'no IW001 diagnostic to fix')
  end
  local before = vim.api.nvim_buf_get_lines(bufnr, target.lnum, target.lnum + 1, false)[1]
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      return action.isPreferred == true and action.kind == 'quickfix'
    end,
  })
  local changed = vim.wait(10000, function()
    return vim.api.nvim_buf_get_lines(bufnr, target.lnum, target.lnum + 1, false)[1] ~= before
  end, 20)
  if not changed then
    finish(4, 'the quick fix did not change the buffer')
  end
  vim.cmd('silent write')
  result.fixed_line = vim.api.nvim_buf_get_lines(bufnr, target.lnum, target.lnum + 1, false)[1]
end)

step('completion', function()
  local last = vim.api.nvim_buf_line_count(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, last, last, false, { 'tracker = AgentExecutionTrack' })
  local line = last -- 0-based index of the new line
  local text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = #text },
  }
  local response
  client:request('textDocument/completion', params, function(err, res)
    response = { err = err, res = res }
  end, bufnr)
  if not vim.wait(10000, function() return response ~= nil end, 20) then
    finish(5, 'no completion response')
  end
  if response.err then
    finish(5, 'completion error: ' .. vim.inspect(response.err))
  end
  local items = response.res and (response.res.items or response.res) or {}
  local chosen
  for _, item in ipairs(items) do
    if item.label == 'AgentExecutionTracker' then
      chosen = item
      break
    end
  end
  if not chosen then
    finish(5, 'AgentExecutionTracker not offered')
  end
  result.completion_detail = chosen.detail
  local edits = { chosen.textEdit }
  for _, e in ipairs(chosen.additionalTextEdits or {}) do
    table.insert(edits, e)
  end
  vim.lsp.util.apply_text_edits(edits, bufnr, client.offset_encoding)
  vim.cmd('silent write')
  result.completed = true
end)

step('fix on save', function()
  vim.cmd.edit(vim.fn.fnameescape(root .. '/' .. save_file))
  local buf = vim.api.nvim_get_current_buf()
  local got = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 20)
  if not got then
    finish(3, 'no diagnostics in ' .. save_file)
  end
  result.before_save = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  vim.cmd('silent write') -- nothing typed: only the BufWritePre fix-all can change the file
  result.saved = true
end)

finish(0, 'ok')
