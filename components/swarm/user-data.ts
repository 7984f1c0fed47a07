import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as YAML from "yaml";
import { shellAssignments } from "../shared/shell";

/** EC2 refuses user data over 16 KiB (before base64): what counts is the bytes sent, here gzip's. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** Everything a manager needs to know at boot; none of it is secret (secrets are only named here). */
export interface ManagerHostSettings {
    readonly swarmName: string;
    readonly region: string;
    readonly dockerVersion: string;
    /** SSM parameter whose creation (without overwrite) elects the manager that runs `swarm init`. */
    readonly lockParam: string;
    /** SSM parameter holding the first leader's address. */
    readonly leaderParam: string;
    /** Secrets Manager names the hosts write the join tokens to. */
    readonly managerTokenSecret: string;
    readonly workerTokenSecret: string;
    /** Secrets Manager prefix of the dockerd TLS material (`/ca`, `/cert`, `/key`). */
    readonly tlsSecretPrefix: string;
    readonly backupBucket: string;
    readonly lifecycleHook: string;
}

const HOST_DIR = path.join(__dirname, "host");
const SCRIPTS = ["swarm-common.sh", "swarm-bootstrap.sh", "swarm-lifecycle.sh", "swarm-backup.sh", "swarm-tls-refresh.sh"];

/** The environment file the scripts source: shell-quoted KEY='value' lines. */
export function hostEnvironment(s: ManagerHostSettings): string {
    const entries: [string, string][] = [
        ["SWARM_NAME", s.swarmName],
        ["AWS_REGION", s.region],
        ["DOCKER_VERSION", s.dockerVersion],
        ["LOCK_PARAM", s.lockParam],
        ["LEADER_PARAM", s.leaderParam],
        ["MANAGER_TOKEN_SECRET", s.managerTokenSecret],
        ["WORKER_TOKEN_SECRET", s.workerTokenSecret],
        ["TLS_SECRET_PREFIX", s.tlsSecretPrefix],
        ["BACKUP_BUCKET", s.backupBucket],
        ["LIFECYCLE_HOOK", s.lifecycleHook],
    ];
    return shellAssignments(entries, "swarm host");
}

/** The cloud-config a manager boots with: the real scripts and units, with its settings. */
export function renderManagerUserData(settings: ManagerHostSettings): string {
    const doc = YAML.parseDocument(fs.readFileSync(path.join(HOST_DIR, "cloud-init.yaml"), "utf8"));
    const files = doc.get("write_files") as YAML.YAMLSeq;
    const contents: Record<string, string> = {
        "/etc/pr-cybr/swarm.env": hostEnvironment(settings),
        ...Object.fromEntries(SCRIPTS.map((s) => [`/opt/pr-cybr/swarm/${s}`, withoutComments(fs.readFileSync(path.join(HOST_DIR, s), "utf8"))])),
    };
    for (const item of files.items as YAML.YAMLMap[]) {
        const target = String(item.get("path"));
        if (item.get("content") === "FILLED") {
            if (!(target in contents)) throw new Error(`cloud-init.yaml: no content for ${target}`);
            item.set("content", contents[target]);
        }
    }
    // The template starts with its `#cloud-config` line, which YAML keeps as a comment.
    // The template's YAML comments (column 0 or 2) explain the repository copy; EC2's 16 KiB pays only
    // for the first line. File contents are block scalars indented deeper, so their lines stay.
    const text = doc
        .toString({ lineWidth: 0 })
        .split("\n")
        .filter((line, i) => i === 0 || !/^ {0,2}#/.test(line))
        .join("\n");
    if (!text.startsWith("#cloud-config\n")) throw new Error("cloud-init.yaml must start with #cloud-config");
    return text;
}

/**
 * User data as the launch template takes it: the cloud-config gzip-compressed, base64-encoded. The text
 * had reached EC2's 16 KiB; cloud-init uncompresses gzip user data before it reads it ("User-data
 * formats": "Content found to be gzip compressed will be uncompressed", docs.cloud-init.io), and
 * EC2's limit applies to the bytes sent. gzip's header carries no time (Node writes mtime 0), so the
 * same text always gives the same bytes and the plan does not change between runs.
 */
export function packUserData(text: string): string {
    const packed = zlib.gzipSync(Buffer.from(text, "utf8"), { level: 9 });
    if (packed.length > USER_DATA_LIMIT_BYTES) throw new Error(`manager user data is ${packed.length} bytes gzip-compressed, over EC2's ${USER_DATA_LIMIT_BYTES}`);
    return packed.toString("base64");
}

/** The text of launch-template user data: base64, gzip-compressed or not. */
export function unpackUserData(base64: string): string {
    const bytes = Buffer.from(base64, "base64");
    return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

/**
 * A script without its comment lines (the shebang and shellcheck directives stay): the files in the
 * repository keep their explanations; the copy in user data does not pay for them against 16 KiB.
 */
export function withoutComments(script: string): string {
    return script
        .split("\n")
        .filter((line, i) => i === 0 || !/^\s*#(?!!|\s*shellcheck)/.test(line))
        .filter((line) => line.trim() !== "")
        .join("\n") + "\n";
}
