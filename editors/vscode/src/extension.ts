// plimsoll for VS Code: starts `plimsoll lsp` and hands it Dockerfiles and compose files.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

// The documents the server lints: the names `plimsoll check` recognises, plus the language ids
// other extensions give Dockerfiles and compose files.
const DOCUMENTS: LanguageClientOptions["documentSelector"] = [
  { scheme: "file", language: "dockerfile" },
  { scheme: "untitled", language: "dockerfile" },
  { scheme: "file", language: "dockercompose" },
  { scheme: "file", pattern: "**/{Dockerfile,Containerfile,Dockerfile.*,Containerfile.*,*.Dockerfile,*.dockerfile,Dockerfile-*,*_Dockerfile}" },
  { scheme: "file", pattern: "**/{compose,docker-compose}{,.*,-*}.{yaml,yml}" },
  { scheme: "file", pattern: "**/*-compose.{yaml,yml}" },
];

/** `plimsoll.path` when set (with `~` and `${workspaceFolder}` expanded), else `plimsoll` from PATH. */
export function resolveExecutable(setting: string | undefined, workspaceFolder?: string): string {
  const configured = (setting ?? "").trim();
  if (configured === "") {
    return "plimsoll";
  }
  let p = configured.replace(/^~(?=$|[\\/])/, process.env.HOME ?? "~");
  if (workspaceFolder) {
    p = p.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  return p;
}

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("plimsoll");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const command = resolveExecutable(config.get<string>("path"), folder);
  if (path.isAbsolute(command) && !fs.existsSync(command)) {
    void vscode.window.showErrorMessage(`plimsoll: ${command} (from plimsoll.path) does not exist.`);
  }
  // Options follow the subcommand: `plimsoll lsp --isolated`.
  const args = ["lsp", ...(config.get<string[]>("args") ?? [])];
  return { command, args, transport: TransportKind.stdio };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENTS,
    // The server registers its own watchers for plimsoll.toml, .hadolint.yaml and plimsoll.lock.
    initializationOptions: {
      debounceMs: vscode.workspace.getConfiguration("plimsoll").get<number>("debounceMs"),
    },
  };
  client = new LanguageClient("plimsoll", "plimsoll", serverOptions(), clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("plimsoll.restart", async () => {
      if (client) {
        await client.stop();
        client = undefined;
      }
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("plimsoll.path") || e.affectsConfiguration("plimsoll.args")) {
        await vscode.commands.executeCommand("plimsoll.restart");
      }
    }),
  );
  try {
    await start(context);
  } catch (err) {
    void vscode.window.showErrorMessage(
      `plimsoll: could not start the language server (${String(err)}). Install plimsoll or set plimsoll.path.`,
    );
  }
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
