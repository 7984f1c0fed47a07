// The SSM agent of a simulated host, as far as Run Command goes: it registers the host as a managed
// node (moto_ssm_agents.py serves DescribeInstanceInformation from that), polls for commands sent to
// its instance (ListCommands), runs each AWS-RunShellScript the way amazon-ssm-agent does and reports
// the invocation. The agent's runShellScript plugin writes the commands, one per line, to _script.sh
// and runs `sh -c <script>` as root (agent/plugins/runscript); on Amazon Linux 2023 /bin/sh is bash,
// which runs a script it is handed as `sh` in POSIX mode: hence `bash --posix` here, where /bin/sh is
// dash. Output is cut at 24,000 characters as GetCommandInvocation's StandardOutputContent is.
import * as fs from "fs";
import * as path from "path";
import { aws, awsEnv } from "./aws";
import { SimHost } from "./host";

const OUTPUT_LIMIT = 24000;

function agentsFile(): string {
    return path.join(awsEnv().PR_CYBR_SSM_DIR, "agents.json");
}

function setPing(host: SimHost, status: "Online" | "ConnectionLost"): void {
    const file = agentsFile();
    const agents = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    agents[host.id.instanceId] = { PingStatus: status, IPAddress: host.id.ip };
    fs.writeFileSync(file, JSON.stringify(agents, null, 2));
}

export interface ExecutedCommand {
    commandId: string;
    lines: string[];
    code: number;
    output: string;
}

export class SsmAgent {
    readonly executed: ExecutedCommand[] = [];
    private seen = new Set<string>();
    private timer?: NodeJS.Timeout;
    private busy = false;

    constructor(readonly host: SimHost) {}

    /** The agent starts: the node registers Online and commands sent to it run. */
    start(): void {
        setPing(this.host, "Online");
        this.timer = setInterval(() => void this.poll(), 500);
    }

    /** The agent stops (or its host is lost): the node shows ConnectionLost and runs nothing more. */
    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        setPing(this.host, "ConnectionLost");
    }

    private async poll(): Promise<void> {
        if (this.busy) return;
        this.busy = true;
        try {
            const commands: any[] = aws(["ssm", "list-commands", "--instance-id", this.host.id.instanceId]).Commands ?? [];
            for (const c of commands.filter((c) => !this.seen.has(c.CommandId))) {
                this.seen.add(c.CommandId);
                await this.execute(c);
            }
        } finally {
            this.busy = false;
        }
    }

    private async execute(command: any): Promise<void> {
        const report = (fields: Record<string, unknown>) =>
            fs.writeFileSync(path.join(awsEnv().PR_CYBR_SSM_DIR, `${command.CommandId}_${this.host.id.instanceId}.json`), JSON.stringify(fields));
        if (command.DocumentName !== "AWS-RunShellScript") {
            report({ Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, StandardErrorContent: `stand-in agent runs AWS-RunShellScript only, not ${command.DocumentName}` });
            return;
        }
        report({ Status: "InProgress", StatusDetails: "InProgress", ResponseCode: -1 });
        const lines: string[] = command.Parameters?.commands ?? [];
        const dir = `/var/lib/amazon/ssm/${this.host.id.instanceId}/document/orchestration/${command.CommandId}/awsrunShellScript/0.awsrunShellScript`;
        const onHost = path.join(this.host.dir, "fs", dir);
        fs.mkdirSync(onHost, { recursive: true });
        fs.writeFileSync(path.join(onHost, "_script.sh"), lines.join("\n") + "\n", { mode: 0o700 });
        const timeoutMs = Number(command.TimeoutSeconds ?? 3600) * 1000;
        const run = await this.host.run(["bash", "--posix", `${dir}/_script.sh`], { timeoutMs });
        this.executed.push({ commandId: command.CommandId, lines, code: run.code, output: run.output });
        const ok = run.code === 0;
        report({
            Status: ok ? "Success" : "Failed",
            StatusDetails: ok ? "Success" : "Failed",
            ResponseCode: run.code,
            StandardOutputContent: run.output.slice(0, OUTPUT_LIMIT),
            StandardErrorContent: "",
        });
    }
}
