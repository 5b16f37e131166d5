-- Drives a language server from headless Neovim (0.7 or later) through the
-- steps of a JSON spec and writes what each step saw as JSON. Started as
--   PORTLINT_NVIM_SPEC=spec.json nvim --headless --clean -c 'luafile harness.lua' </dev/null
local spec_path = os.getenv("PORTLINT_NVIM_SPEC")
local spec = vim.fn.json_decode(table.concat(vim.fn.readfile(spec_path), "\n"))
local results = {}
local raw = {} -- the server's last publication, by URI

local function finish(err)
  vim.fn.writefile({ vim.fn.json_encode({ results = results, error = err or "" }) }, spec.output)
  vim.cmd("qa!")
end

local function run()
  vim.lsp.set_log_level("warn")
  local client_id = vim.lsp.start_client({
    name = "under-test",
    cmd = spec.cmd,
    root_dir = spec.root,
    workspace_folders = { { uri = vim.uri_from_fname(spec.root), name = "root" } },
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
        raw[result.uri] = result.diagnostics
        return vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, config)
      end,
    },
  })
  assert(client_id, "vim.lsp.start_client failed")
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(60000, function() return client.initialized end, 20), "the server did not initialize")

  local function buffer(file)
    local path = spec.root .. "/" .. file
    local bufnr = vim.fn.bufnr(path)
    assert(bufnr > 0, file .. " is not open")
    return bufnr, path
  end

  -- the UTF-16 range of the first occurrence of text on line, as Neovim
  -- computes it from the buffer
  local function range(bufnr, line, text)
    local l = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1] or ""
    local s = string.find(l, text, 1, true)
    assert(s, string.format("line %d (%q) does not hold %q", line, l, text))
    local _, c16 = vim.str_utfindex(l, s - 1)
    local _, e16 = vim.str_utfindex(l, s - 1 + #text)
    return { start = { line = line, character = c16 }, ["end"] = { line = line, character = e16 } }, s
  end

  for _, step in ipairs(spec.steps) do
    local res = { op = step.op, file = step.file, ok = true }
    if step.op == "open" then
      vim.cmd("edit " .. vim.fn.fnameescape(spec.root .. "/" .. step.file))
      local bufnr = buffer(step.file)
      assert(vim.lsp.buf_attach_client(bufnr, client_id), "buf_attach_client failed for " .. step.file)
    elseif step.op == "wait" then
      local bufnr = buffer(step.file)
      local function ours()
        local out = {}
        for _, d in ipairs(vim.diagnostic.get(bufnr)) do
          if step.source == nil or step.source == "" or d.source == step.source then
            table.insert(out, d)
          end
        end
        return out
      end
      res.ok = vim.wait(step.timeout_ms or 60000, function() return #ours() == step.count end, 20)
      res.diagnostics = {}
      for _, d in ipairs(ours()) do
        table.insert(res.diagnostics, {
          lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
          message = d.message, source = d.source, code = d.code,
        })
      end
      res.raw = raw[vim.uri_from_bufnr(bufnr)] or {}
    elseif step.op == "action" then
      local bufnr = buffer(step.file)
      local r = range(bufnr, step.line, step.text)
      -- the context carries the server's own diagnostics on the line, as
      -- it published them (Neovim 0.7 would rebuild them with byte columns)
      local context = {}
      for _, d in ipairs(raw[vim.uri_from_bufnr(bufnr)] or {}) do
        if d.range.start.line == step.line then
          table.insert(context, d)
        end
      end
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(bufnr) },
        range = r,
        context = { diagnostics = context },
      }
      local resp = client.request_sync("textDocument/codeAction", params, 60000, bufnr)
      assert(resp and not resp.err, "codeAction failed: " .. vim.inspect(resp))
      res.titles = {}
      local chosen
      for _, a in ipairs(resp.result or {}) do
        table.insert(res.titles, a.title)
        if a.title == step.title then
          chosen = a
        end
      end
      res.ok = chosen ~= nil
      if chosen then
        if not chosen.edit and chosen.data ~= nil then
          local resolved = client.request_sync("codeAction/resolve", chosen, 60000, bufnr)
          assert(resolved and not resolved.err, "codeAction/resolve failed: " .. vim.inspect(resolved))
          chosen = resolved.result
        end
        if chosen.edit then
          vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
        end
        local cmd = nil
        if type(chosen.command) == "table" then
          cmd = chosen.command
        elseif type(chosen.command) == "string" then
          cmd = chosen
        end
        if cmd then
          local done = client.request_sync("workspace/executeCommand", cmd, 60000, bufnr)
          assert(done and not done.err, "executeCommand failed: " .. vim.inspect(done))
        end
      end
      res.lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    elseif step.op == "edit" then
      local bufnr = buffer(step.file)
      local _, s = range(bufnr, step.line, step.text)
      vim.api.nvim_buf_set_text(bufnr, step.line, s - 1, step.line, s - 1 + #step.text, { step.new_text })
      res.lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    elseif step.op == "hover" then
      local bufnr = buffer(step.file)
      local r = range(bufnr, step.line, step.text)
      local resp = client.request_sync("textDocument/hover",
        { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = r.start }, 60000, bufnr)
      assert(resp and not resp.err, "hover failed: " .. vim.inspect(resp))
      res.hover = ""
      if resp.result and resp.result.contents then
        res.hover = table.concat(vim.lsp.util.convert_input_to_markdown_lines(resp.result.contents), "\n")
      end
      res.ok = res.hover ~= ""
    else
      error("unknown step " .. tostring(step.op))
    end
    table.insert(results, res)
  end

  vim.lsp.stop_client(client_id)
  vim.wait(10000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

local ok, err = pcall(run)
if ok then
  finish(nil)
else
  finish(tostring(err))
end
