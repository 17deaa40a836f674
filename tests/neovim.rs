//! Real Neovim (headless) with `editors/neovim` on a sample Dockerfile: plimsoll's diagnostics
//! must arrive in the editor. Skips with a message where `nvim` is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::process::Command;
use std::time::Duration;

#[test]
fn neovim_shows_plimsoll_diagnostics() {
    if !support::have_tool("nvim") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(&dockerfile, "FROM debian:latest\nRUN echo hi\n").unwrap();
    let out = dir.path().join("diagnostics.txt");
    let plugin = concat!(env!("CARGO_MANIFEST_DIR"), "/editors/neovim");
    let init = dir.path().join("init.lua");
    // Lua long strings ([==[ ]==]) hold the paths verbatim.
    std::fs::write(
        &init,
        format!(
            r#"vim.opt.runtimepath:prepend([==[{plugin}]==])
require("plimsoll").setup({{ cmd = {{ [==[{bin}]==], "lsp" }} }})
vim.cmd("edit " .. vim.fn.fnameescape([==[{file}]==]))
local function ours()
  local found = {{}}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.source == "plimsoll" then
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ""
      table.insert(found, string.format("%s|%d|%d|%s", code, d.lnum, d.col, d.message))
    end
  end
  return found
end
vim.wait(20000, function() return #ours() > 0 end, 50)
vim.fn.writefile(ours(), [==[{out}]==])
vim.cmd("qa!")
"#,
            bin = support::plimsoll_bin().display(),
            file = dockerfile.display(),
            out = out.display(),
        ),
    )
    .unwrap();
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-u"])
        .arg(&init)
        .current_dir(dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .spawn()
        .expect("run nvim");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "nvim exited with {status}");
    let text = std::fs::read_to_string(&out).expect("nvim wrote the diagnostics");
    let latest = plimsoll::rules::catalog::lookup("latest-tag").expect("latest-tag rule");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{}|0|", latest.code)) && l.contains("latest-tag")),
        "no latest-tag diagnostic on line 1 in {lines:?}"
    );
}
