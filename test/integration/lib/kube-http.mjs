// The few API calls the environment itself makes (readiness, CRD installation), over HTTPS with the
// admin's client certificate. The suites use lib/kube.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import YAML from "yaml";

export function kubeRequest(conn, method, path, body, contentType = "application/json") {
    return new Promise((resolve, reject) => {
        const req = request(
            new URL(path, conn.server),
            { method, ca: readFileSync(conn.ca), cert: readFileSync(conn.cert), key: readFileSync(conn.key), headers: body ? { "content-type": contentType } : {} },
            (res) => {
                const chunks = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let json;
                    try {
                        json = JSON.parse(text);
                    } catch {
                        json = undefined;
                    }
                    resolve({ status: res.statusCode, text, json });
                });
            },
        );
        req.on("error", reject);
        if (body) req.write(typeof body === "string" ? body : JSON.stringify(body));
        req.end();
    });
}

function yamlFiles(dir) {
    return readdirSync(dir).sort().flatMap((entry) => {
        const full = join(dir, entry);
        if (statSync(full).isDirectory()) return yamlFiles(full);
        return /\.ya?ml$/.test(entry) ? [full] : [];
    });
}

/** Server-side applies every CRD in `paths` (files, or folders of them) and waits until each is Established; returns the count. */
export async function installCrds(conn, paths) {
    const names = [];
    const files = paths.flatMap((p) => (statSync(p).isDirectory() ? yamlFiles(p) : [p]));
    for (const file of files) {
        for (const doc of YAML.parseAllDocuments(readFileSync(file, "utf8"), { maxAliasCount: -1 })) {
            const crd = doc.toJSON();
            if (!crd || crd.kind !== "CustomResourceDefinition") continue;
            const r = await kubeRequest(conn, "PATCH", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}?fieldManager=pr-cybr-integration&force=true`, crd, "application/apply-patch+yaml");
            if (r.status >= 300) throw new Error(`CRD ${crd.metadata.name} from ${file}: ${r.status} ${r.text.slice(0, 500)}`);
            names.push(crd.metadata.name);
        }
    }
    const deadline = Date.now() + 60000;
    for (const name of names) {
        for (;;) {
            const r = await kubeRequest(conn, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
            if ((r.json?.status?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True")) break;
            if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after 60 s`);
            await new Promise((res) => setTimeout(res, 200));
        }
    }
    return names.length;
}
