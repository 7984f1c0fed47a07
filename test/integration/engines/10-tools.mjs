// System tools the static checks need: shellcheck (every script, rendered ones too) and cloud-init
// (`cloud-init schema` of the managers' user data), from Debian's packages; openssl for the PKI of the
// other engines. Nothing runs, so up only installs and reports versions.
import { spawnSync } from "node:child_process";
import { aptInstall, run } from "../lib/engine-context.mjs";

export const name = "tools";
export const order = 10;

const first = (cmd, args, pattern) => pattern.exec(spawnSync(cmd, args, { encoding: "utf8" }).stdout + "")?.[1] ?? "unknown";

export async function up(ctx) {
    aptInstall(ctx, ["shellcheck", "cloud-init", "openssl"]);
    run("shellcheck", ["--version"]);
    return {
        env: {},
        versions: {
            shellcheck: first("shellcheck", ["--version"], /version: (\S+)/),
            "cloud-init": first("cloud-init", ["--version"], /(\d+\.\d+(?:\.\d+)?)/),
            openssl: first("openssl", ["version"], /OpenSSL (\S+)/),
        },
        pids: [],
    };
}

export async function healthy() {
    return ["shellcheck", "cloud-init", "openssl"].every((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0);
}

export async function down() {
    // Installed packages stay: they are not processes, and a later up would only reinstall them.
}
