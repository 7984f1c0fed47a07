// The docker provider's service inputs (as a plan records them, Pulumi's camelCase of the Terraform
// schema) translated to the Engine API's ServiceSpec, field by field, as kreuzwerker's provider does it:
// terraform-provider-docker v4.5.0 (commit 83c00e0b), internal/provider/resource_docker_service_
// structures.go (createServiceSpec, createContainerSpec, createResources, createRestartPolicy,
// createPlacement, createServiceAdvancedNetworks, createServiceMode, createUpdateOrRollbackConfig,
// portSetToServicePorts) with the schema defaults of resource_docker_service.go. Durations are Go's
// time.ParseDuration strings sent as nanoseconds; the provider ignores a parse error (the field becomes
// 0), which this translator reports instead. Only the fields the program uses are mapped; any other
// input is an error, so a new field cannot pass untranslated.
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration for the forms the schema allows ("10s", "1m30s", "500ms", "0"). */
export function goDuration(value: string, field: string): number {
    if (value === "0") return 0;
    const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) throw new Error(`${field}: "${value}" is not a Go duration (the provider would send 0)`);
    return Math.round(parts.reduce((ns, p) => ns + Number(p[1]) * UNIT_NS[p[2]], 0));
}

/** Real ids of what the plan names by its own (mock) ids: networks, secrets and configs. */
export interface IdMaps {
    networks: Record<string, string>;
    secrets: Record<string, string>;
    configs: Record<string, string>;
}

function only(obj: Record<string, unknown>, allowed: string[], where: string): void {
    const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
    if (extra.length) throw new Error(`${where}: ${extra.join(", ")} not translated (add the provider's mapping)`);
}

function lookup(map: Record<string, string>, id: string, what: string): string {
    const real = map[id];
    if (!real) throw new Error(`${what} ${id} is not on the swarm`);
    return real;
}

function updateConfig(c: any = {}, where: string) {
    only(c, ["parallelism", "delay", "failureAction", "monitor", "maxFailureRatio", "order"], where);
    return {
        Parallelism: c.parallelism ?? 1,
        Delay: goDuration(c.delay ?? "0s", `${where}.delay`),
        FailureAction: c.failureAction ?? "pause",
        Monitor: goDuration(c.monitor ?? "5s", `${where}.monitor`),
        MaxFailureRatio: parseFloat(c.maxFailureRatio ?? "0.0"),
        Order: c.order ?? "stop-first",
    };
}

function fileRefs(refs: any[] = [], kind: "secret" | "config", ids: Record<string, string>, where: string) {
    return refs.map((r, i) => {
        only(r, [`${kind}Id`, `${kind}Name`, "fileName", "fileUid", "fileGid", "fileMode"], `${where}[${i}]`);
        const id = lookup(ids, r[`${kind}Id`], kind);
        return {
            [kind === "secret" ? "SecretID" : "ConfigID"]: id,
            [kind === "secret" ? "SecretName" : "ConfigName"]: r[`${kind}Name`],
            File: { Name: r.fileName, UID: r.fileUid ?? "0", GID: r.fileGid ?? "0", Mode: r.fileMode ?? 0o444 },
        };
    });
}

/** The ServiceSpec the provider would send for `inputs` (a docker:index/service:Service of the plan). */
export function serviceSpec(inputs: any, ids: IdMaps): any {
    only(inputs, ["name", "labels", "taskSpec", "mode", "updateConfig", "rollbackConfig", "endpointSpec"], "service");
    const t = inputs.taskSpec;
    only(t, ["containerSpec", "resources", "restartPolicy", "placement", "networksAdvanceds", "logDriver"], "taskSpec");
    const c = t.containerSpec;
    only(c, ["image", "args", "command", "env", "user", "readOnly", "mounts", "secrets", "configs", "healthcheck", "labels"], "containerSpec");
    const h = c.healthcheck;
    if (h) only(h, ["tests", "interval", "timeout", "startPeriod", "retries"], "healthcheck");
    const mounts = (c.mounts ?? []).map((m: any, i: number) => {
        only(m, ["type", "source", "target", "readOnly"], `mounts[${i}]`);
        return { Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false };
    });
    const limits = t.resources?.limits;
    const reservation = t.resources?.reservation;
    const rp = t.restartPolicy;
    const ports = (inputs.endpointSpec?.ports ?? []).map((p: any, i: number) => {
        only(p, ["name", "protocol", "targetPort", "publishedPort", "publishMode"], `ports[${i}]`);
        return { Name: p.name, Protocol: p.protocol ?? "tcp", TargetPort: p.targetPort, PublishedPort: p.publishedPort, PublishMode: p.publishMode ?? "ingress" };
    });
    return {
        Name: inputs.name,
        Labels: Object.fromEntries((inputs.labels ?? []).map((l: any) => [l.label, l.value])),
        TaskTemplate: {
            ContainerSpec: {
                Image: c.image,
                ...(c.command ? { Command: c.command } : {}),
                ...(c.args ? { Args: c.args } : {}),
                ...(c.env ? { Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`) } : {}),
                ...(c.user ? { User: c.user } : {}),
                ReadOnly: c.readOnly ?? false,
                Labels: Object.fromEntries((c.labels ?? []).map((l: any) => [l.label, l.value])),
                Mounts: mounts,
                Secrets: fileRefs(c.secrets, "secret", ids.secrets, "secrets"),
                Configs: fileRefs(c.configs, "config", ids.configs, "configs"),
                ...(h
                    ? {
                          Healthcheck: {
                              Test: h.tests,
                              Interval: goDuration(h.interval ?? "0s", "healthcheck.interval"),
                              Timeout: goDuration(h.timeout ?? "0s", "healthcheck.timeout"),
                              StartPeriod: goDuration(h.startPeriod ?? "0s", "healthcheck.startPeriod"),
                              Retries: h.retries ?? 0,
                          },
                      }
                    : {}),
            },
            Resources: {
                ...(limits ? { Limits: { NanoCPUs: limits.nanoCpus ?? 0, MemoryBytes: limits.memoryBytes ?? 0 } } : {}),
                ...(reservation ? { Reservations: { NanoCPUs: reservation.nanoCpus ?? 0, MemoryBytes: reservation.memoryBytes ?? 0 } } : {}),
            },
            ...(rp
                ? { RestartPolicy: { Condition: rp.condition, Delay: goDuration(rp.delay, "restartPolicy.delay"), MaxAttempts: rp.maxAttempts, Window: goDuration(rp.window, "restartPolicy.window") } }
                : {}),
            Placement: { Constraints: t.placement?.constraints ?? [] },
            // The id as given (createServiceAdvancedNetworks): the plan's own networks by their real ids, the
            // engine's predefined "host" network by its name, which the engine resolves.
            Networks: (t.networksAdvanceds ?? []).map((n: any) => ({ Target: (n.id ?? n.name) === "host" ? "host" : lookup(ids.networks, n.id ?? n.name, "network"), Aliases: n.aliases ?? [] })),
        },
        Mode: inputs.mode?.global ? { Global: {} } : { Replicated: { Replicas: inputs.mode?.replicated?.replicas ?? 1 } },
        UpdateConfig: updateConfig(inputs.updateConfig, "updateConfig"),
        RollbackConfig: updateConfig(inputs.rollbackConfig, "rollbackConfig"),
        EndpointSpec: { Ports: ports },
    };
}
