-- plimsoll for Neovim: runs `plimsoll lsp` on Dockerfiles and compose files.
-- Works with Neovim 0.7 (vim.lsp.start_client + buf_attach_client) and 0.8+ (vim.lsp.start).

local M = {}

M.config = {
  cmd = { "plimsoll", "lsp" },
  -- Files whose directory is taken as the project root (the first found going up).
  root_markers = { "plimsoll.toml", ".plimsoll.toml", ".hadolint.yaml", ".git" },
  init_options = { debounceMs = 150 },
}

-- One client per root on 0.7, where vim.lsp.start (which reuses clients) does not exist.
local clients_by_root = {}

local function basename(path)
  return path:match("([^/\\]+)$") or path
end

local function dirname(path)
  return path:match("^(.*)[/\\][^/\\]*$") or "."
end

-- The names `plimsoll check` recognises.
function M.is_dockerfile(name)
  local b = basename(name)
  return b == "Dockerfile" or b == "Containerfile"
    or b:match("^Dockerfile[.-]") ~= nil or b:match("^Containerfile%.") ~= nil
    or b:match("[._]Dockerfile$") ~= nil or b:match("%.dockerfile$") ~= nil
end

function M.is_compose(name)
  local b = basename(name):lower()
  if not (b:match("%.ya?ml$")) then
    return false
  end
  return b:match("^compose[.-]") ~= nil or b:match("^docker%-compose[.-]") ~= nil
    or b:match("%-compose%.ya?ml$") ~= nil
end

local function find_root(path)
  local dir = dirname(path)
  while dir and dir ~= "" do
    for _, marker in ipairs(M.config.root_markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      break
    end
    dir = parent
  end
  return dirname(path)
end

--- Attaches the plimsoll server to `bufnr` if it is a Dockerfile or compose file.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  local ft = vim.api.nvim_buf_get_option(bufnr, "filetype")
  if not (ft == "dockerfile" or M.is_dockerfile(name) or M.is_compose(name)) then
    return nil
  end
  local root = find_root(name ~= "" and name or (vim.loop.cwd() .. "/Dockerfile"))
  local config = {
    name = "plimsoll",
    cmd = M.config.cmd,
    root_dir = root,
    init_options = M.config.init_options,
  }
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(config)
    clients_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- setup({ cmd = { "/path/to/plimsoll", "lsp" }, ... }): attach to matching buffers as they open.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.config, opts or {})
  local group = vim.api.nvim_create_augroup("plimsoll", { clear = true })
  -- By file type, and by name for buffers read before file type detection is on (or when it
  -- is off): attaching twice is harmless.
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = { "dockerfile", "yaml", "yaml.docker-compose" },
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
    group = group,
    pattern = "*",
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers already open when setup runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      M.attach(buf)
    end
  end
end

return M
