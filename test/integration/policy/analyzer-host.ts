/**
 * Runs a Node policy pack the way the Pulumi CLI's analyzer host does and talks to it over the real
 * Analyzer gRPC service. Read from pulumi/pulumi v3.248.0 (a88168d8):
 * - sdk/go/common/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer: a nodejs pack is started through
 *   the language host's RunPlugin with args [engine address], program directory = the pack directory;
 * - sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin: `node <@pulumi/pulumi/cmd/run-policy-pack
 *   resolved from the pack> <engine address> <pack dir>`, cwd = the pack dir, PULUMI_NODEJS_{PROJECT,STACK,
 *   DRY_RUN} and PULUMI_CONFIG in the environment;
 * - sdk/policy_proxy.go: the port is the first line the pack prints; ConfigureStack is forwarded first;
 *   Handshake is answered by the proxy, never by the pack;
 * - pkg/engine/update.go LoadLocalPolicyPackAnalyzers: GetAnalyzerInfo, reconcile config, Configure.
 * The engine address points at a small Engine service here that records what the pack logs.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerPolicyInfo, Level, LEVELS, PolicyConfigEntry } from "./policy-config";
import { WireResource } from "./wire";

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    description: string;
    message: string;
    enforcementLevel: Level;
    urn: string;
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    policies: AnalyzerPolicyInfo[];
    initialConfig: Record<string, PolicyConfigEntry>;
}

export interface PackProcess {
    readonly logs: { severity: number; message: string; urn: string }[];
    readonly stderr: () => string;
    pluginVersion(): Promise<string>;
    analyzerInfo(): Promise<AnalyzerInfo>;
    configureStack(req: { stack: string; project: string; dryRun: boolean; config: Record<string, string>; secretKeys: string[] }): Promise<void>;
    configure(config: Record<string, PolicyConfigEntry>): Promise<void>;
    analyze(r: WireResource, provider?: WireResource): Promise<Diagnostic[]>;
    analyzeStack(resources: WireResource[], providers: Map<string, WireResource>): Promise<Diagnostic[]>;
    close(): Promise<void>;
}

const PROTO_LEVELS: Record<Level, analyzerProto.EnforcementLevel> = {
    advisory: analyzerProto.EnforcementLevel.ADVISORY,
    mandatory: analyzerProto.EnforcementLevel.MANDATORY,
    disabled: analyzerProto.EnforcementLevel.DISABLED,
    remediate: analyzerProto.EnforcementLevel.REMEDIATE,
};
const levelOf = (v: analyzerProto.EnforcementLevel): Level => {
    const level = LEVELS.find((l) => PROTO_LEVELS[l] === v);
    if (!level) throw new Error(`invalid enforcement level ${v}`);
    return level;
};
const protoLevel = (l: Level): analyzerProto.EnforcementLevel => PROTO_LEVELS[l];

function unary<Req, Res>(client: grpc.Client, method: string, req: Req): Promise<Res> {
    return new Promise((resolve, reject) =>
        (client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, res: Res) => void) => void>)[method](req, (err, res) => (err ? reject(err) : resolve(res))),
    );
}

async function startEngine(logs: PackProcess["logs"]): Promise<{ address: string; server: grpc.Server }> {
    const server = new grpc.Server();
    server.addService(engineRpc.EngineService, {
        log: (call: grpc.ServerUnaryCall<{ getSeverity(): number; getMessage(): string; getUrn(): string }, Empty>, cb: grpc.sendUnaryData<Empty>) => {
            logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
            cb(null, new Empty());
        },
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    return { address: `127.0.0.1:${port}`, server };
}

function readPort(child: ChildProcess, stderr: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`policy pack printed no port within 120 s\n${stderr()}`)), 120000);
        child.stdout!.on("data", (chunk: Buffer) => {
            out += chunk.toString("utf8");
            const line = /^(\d+)\s*\n/.exec(out);
            if (line) {
                clearTimeout(timer);
                resolve(Number(line[1]));
            }
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`policy pack exited (${code}) before printing its port\n${stderr()}`));
        });
    });
}

function options(r: WireResource): analyzerProto.AnalyzerResourceOptions {
    const o = new analyzerProto.AnalyzerResourceOptions();
    o.setProtect(r.options.protect);
    o.setIgnorechangesList(r.options.ignoreChanges);
    o.setDeletebeforereplace(r.options.deleteBeforeReplace ?? false);
    o.setDeletebeforereplacedefined(r.options.deleteBeforeReplace !== undefined);
    o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
    o.setAliasesList(r.options.aliases);
    o.setCustomtimeouts(new analyzerProto.AnalyzerResourceOptions.CustomTimeouts());
    o.setParent(r.parent);
    return o;
}

/** The provider as the engine sends it: its URN, type, name and *inputs*. */
function providerOf(p: WireResource): analyzerProto.AnalyzerProviderResource {
    const out = new analyzerProto.AnalyzerProviderResource();
    out.setUrn(p.urn);
    out.setType(p.type);
    out.setName(p.name);
    out.setProperties(Struct.fromJavaScript(p.inputs as Record<string, never>));
    return out;
}

function diagnostics(res: analyzerProto.AnalyzeResponse): Diagnostic[] {
    return res.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: levelOf(d.getEnforcementlevel()),
        urn: d.getUrn(),
    }));
}

/** Starts the pack in `packDir` (its own node_modules) with the environment the CLI gives it. */
export async function startPolicyPack(packDir: string, env: { project: string; stack: string; dryRun: boolean; config: Record<string, string> }): Promise<PackProcess> {
    const logs: PackProcess["logs"] = [];
    const engine = await startEngine(logs);
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    let stderr = "";
    const child = spawn(process.execPath, [runPolicyPack, engine.address, path.resolve(packDir)], {
        cwd: packDir,
        env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? "",
            PULUMI_NODEJS_PROJECT: env.project,
            PULUMI_NODEJS_STACK: env.stack,
            PULUMI_NODEJS_DRY_RUN: String(env.dryRun),
            PULUMI_CONFIG: JSON.stringify(env.config),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM"))));
    let client: grpc.Client;
    try {
        const port = await readPort(child, () => stderr);
        client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 });
    } catch (err) {
        await stop();
        engine.server.forceShutdown();
        throw err;
    }
    const call = <Res>(method: string, req: unknown) => unary<unknown, Res>(client, method, req);

    return {
        logs,
        stderr: () => stderr,
        async pluginVersion() {
            return (await call<{ getVersion(): string }>("getPluginInfo", new Empty())).getVersion();
        },
        async analyzerInfo() {
            const info = await call<analyzerProto.AnalyzerInfo>("getAnalyzerInfo", new Empty());
            const initialConfig: Record<string, PolicyConfigEntry> = {};
            info.getInitialconfigMap().forEach((c, k) => (initialConfig[k] = { enforcementLevel: levelOf(c.getEnforcementlevel()), properties: c.getProperties()?.toJavaScript() }));
            return {
                name: info.getName(),
                version: info.getVersion(),
                initialConfig,
                policies: info.getPoliciesList().map((p) => {
                    const schema = p.getConfigschema();
                    return {
                        name: p.getName(),
                        enforcementLevel: levelOf(p.getEnforcementlevel()),
                        configSchema: schema && { properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>, required: schema.getRequiredList() },
                    };
                }),
            };
        },
        async configureStack(req) {
            const r = new analyzerProto.AnalyzerStackConfigureRequest();
            r.setStack(req.stack);
            r.setProject(req.project);
            r.setDryRun(req.dryRun);
            for (const [k, v] of Object.entries(req.config)) r.getConfigMap().set(k, v);
            r.setConfigSecretKeysList(req.secretKeys);
            await call("configureStack", r);
        },
        async configure(config) {
            const r = new analyzerProto.ConfigureAnalyzerRequest();
            for (const [name, entry] of Object.entries(config)) {
                // analyzer_plugin.go Configure refuses an entry without a valid level.
                if (!entry.enforcementLevel) throw new Error(`invalid enforcement level "" (policy config entry ${name})`);
                const c = new analyzerProto.PolicyConfig();
                c.setEnforcementlevel(protoLevel(entry.enforcementLevel));
                c.setProperties(Struct.fromJavaScript((entry.properties ?? {}) as Record<string, never>));
                r.getPolicyconfigMap().set(name, c);
            }
            await call("configure", r);
        },
        async analyze(r, provider) {
            const req = new analyzerProto.AnalyzeRequest();
            req.setUrn(r.urn);
            req.setType(r.type);
            req.setName(r.name);
            req.setProperties(Struct.fromJavaScript(r.inputs as Record<string, never>));
            req.setOptions(options(r));
            if (provider) req.setProvider(providerOf(provider));
            return diagnostics(await call<analyzerProto.AnalyzeResponse>("analyze", req));
        },
        async analyzeStack(resources, providers) {
            const req = new analyzerProto.AnalyzeStackRequest();
            req.setResourcesList(
                resources.map((r) => {
                    const a = new analyzerProto.AnalyzerResource();
                    a.setUrn(r.urn);
                    a.setType(r.type);
                    a.setName(r.name);
                    a.setProperties(Struct.fromJavaScript(r.outputs as Record<string, never>));
                    a.setOptions(options(r));
                    const provider = r.providerUrn ? providers.get(r.providerUrn) : undefined;
                    if (provider) a.setProvider(providerOf(provider));
                    a.setParent(r.parent);
                    a.setDependenciesList(r.dependencies);
                    for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                        if (urns.length === 0) continue; // the engine skips properties without dependencies
                        const d = new analyzerProto.AnalyzerPropertyDependencies();
                        d.setUrnsList(urns);
                        a.getPropertydependenciesMap().set(k, d);
                    }
                    return a;
                }),
            );
            return diagnostics(await call<analyzerProto.AnalyzeResponse>("analyzeStack", req));
        },
        async close() {
            client.close();
            await stop();
            await new Promise<void>((resolve) => engine.server.tryShutdown(() => resolve()));
        },
    };
}
