// A small client for the suites against the local API server (integration engine "kube"): requests as
// the admin or as an impersonated identity, server-side apply of plan objects (the path found through
// discovery, as kubectl does), SubjectAccessReview questions.
import * as fs from "fs";
import * as https from "https";
import { engine } from "./env";

export interface KubeResponse {
    status: number;
    text: string;
    json: any;
}

export interface Identity {
    user: string;
    groups?: string[];
}

interface ApiResource {
    group: string;
    version: string;
    plural: string;
    namespaced: boolean;
}

export class Kube {
    private readonly discovery = new Map<string, ApiResource>();

    constructor(
        readonly server: string,
        private readonly agent: https.Agent,
        readonly as?: Identity,
    ) {}

    /** The admin of the local API server (system:masters), from .integration/env.json. */
    static admin(): Kube {
        const k = engine("kube") as any;
        const agent = new https.Agent({ ca: fs.readFileSync(k.pki.caCert), cert: fs.readFileSync(k.pki.adminCert), key: fs.readFileSync(k.pki.adminKey), keepAlive: true });
        return new Kube(k.server, agent);
    }

    /** The same connection acting as `identity` through impersonation (what an authenticator maps a caller to). */
    impersonate(identity: Identity): Kube {
        return new Kube(this.server, this.agent, identity);
    }

    /** Closes the keep-alive connections (call in afterAll, or jest waits for them). */
    close(): void {
        this.agent.destroy();
    }

    request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
        const headers: Record<string, string | string[]> = {};
        if (body !== undefined) headers["content-type"] = contentType;
        if (this.as) {
            headers["Impersonate-User"] = this.as.user;
            if (this.as.groups?.length) headers["Impersonate-Group"] = this.as.groups;
        }
        return new Promise((resolve, reject) => {
            const req = https.request(new URL(path, this.server), { method, agent: this.agent, headers }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let json: any;
                    try {
                        json = JSON.parse(text);
                    } catch {
                        json = undefined;
                    }
                    resolve({ status: res.statusCode ?? 0, text, json });
                });
            });
            req.on("error", reject);
            if (body !== undefined) req.write(typeof body === "string" ? body : JSON.stringify(body));
            req.end();
        });
    }

    /** The REST resource for apiVersion + kind (discovery, cached per group/version). */
    async resource(apiVersion: string, kind: string): Promise<ApiResource> {
        const key = `${apiVersion}/${kind}`;
        const cached = this.discovery.get(key);
        if (cached) return cached;
        const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
        const r = await this.request("GET", group ? `/apis/${group}/${version}` : `/api/${version}`);
        if (r.status !== 200) throw new Error(`discovery of ${apiVersion}: ${r.status} ${r.text.slice(0, 300)}`);
        for (const res of r.json.resources as any[]) {
            if (!res.name.includes("/")) this.discovery.set(`${apiVersion}/${res.kind}`, { group, version, plural: res.name, namespaced: res.namespaced });
        }
        const found = this.discovery.get(key);
        if (!found) throw new Error(`the API server serves no ${kind} in ${apiVersion} (is its CRD vendored under test/integration/crds?)`);
        return found;
    }

    async path(obj: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }, withName = true): Promise<string> {
        const res = await this.resource(obj.apiVersion, obj.kind);
        const prefix = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
        const ns = res.namespaced ? `/namespaces/${obj.metadata.namespace ?? "default"}` : "";
        return `${prefix}${ns}/${res.plural}${withName ? `/${obj.metadata.name}` : ""}`;
    }

    /** Server-side apply (the Pulumi kubernetes provider's default since v4), optionally as a dry run. */
    async apply(obj: any, opts: { fieldManager?: string; dryRun?: boolean; force?: boolean } = {}): Promise<KubeResponse> {
        const query = new URLSearchParams({ fieldManager: opts.fieldManager ?? "pulumi-kubernetes", force: String(opts.force ?? true) });
        if (opts.dryRun) query.set("dryRun", "All");
        return this.request("PATCH", `${await this.path(obj)}?${query}`, obj, "application/apply-patch+yaml");
    }

    async create(obj: any, dryRun = false): Promise<KubeResponse> {
        return this.request("POST", `${await this.path(obj, false)}${dryRun ? "?dryRun=All" : ""}`, obj);
    }

    async get(obj: any): Promise<KubeResponse> {
        return this.request("GET", await this.path(obj));
    }

    async delete(obj: any, dryRun = false): Promise<KubeResponse> {
        return this.request("DELETE", `${await this.path(obj)}${dryRun ? "?dryRun=All" : ""}`);
    }

    /** May `who` do `verb` on the resource? (authorization.k8s.io SubjectAccessReview, asked as the admin). */
    async can(who: Identity, attrs: { verb: string; resource: string; group?: string; namespace?: string; name?: string; subresource?: string }): Promise<boolean> {
        const r = await this.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: { user: who.user, groups: who.groups ?? [], resourceAttributes: { group: attrs.group ?? "", ...attrs } },
        });
        if (r.status !== 201) throw new Error(`SubjectAccessReview: ${r.status} ${r.text.slice(0, 300)}`);
        return r.json.status.allowed === true;
    }
}

/** The service account identity Kubernetes authenticates a pod's token as. */
export function serviceAccount(namespace: string, name: string): Identity {
    return { user: `system:serviceaccount:${namespace}:${name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] };
}
