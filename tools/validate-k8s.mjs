// Validates every Kubernetes object in plan files against schemas nobody here wrote: built-in kinds
// with kubernetes-models (the official OpenAPI models), Argo CD kinds with @kubernetes-models/argo-cd,
// and CiliumNetworkPolicy / AppProject / the vendored CRDs' kinds (cert-manager, external-snapshotter, Prometheus operator, Karpenter, External Secrets, Velero) with their published CRDs, also rejecting fields the CRD does
// not define (the API server would prune them silently). ESM because those packages are ESM-only.
//
//   node tools/validate-k8s.mjs <plan.json>...   exit 0 valid, 1 invalid (one line per problem), 2 usage
import Ajv from "ajv";
import { existsSync, readdirSync, readFileSync } from "fs";
import { dirname, join } from "path";
import { fileURLToPath } from "url";
import YAML from "yaml";

const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "schemas");
// The CRDs vendored for the kube engine (test/integration/crds/PROVENANCE.md), at the pinned versions.
const VENDORED = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "integration", "crds");
const SECRET = "[secret]";

/** The CRDs the integration suite's API server installs (test/integration/crds, provenance there). */
const VENDORED_CRDS = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "integration", "crds");

/** The openAPIV3Schema of one version of a CRD file (under test/fixtures/schemas, or `dir`). */
function crdSchema(file, version, dir = SCHEMAS) {
    const crd = YAML.parse(readFileSync(join(dir, file), "utf8"));
    return crd.spec.versions.find((v) => v.name === version).schema.openAPIV3Schema;
}

/** Fields the schema does not define, where it does not preserve unknown fields. */
function unknownFields(schema, value, at) {
    if (!schema || schema["x-kubernetes-preserve-unknown-fields"]) return [];
    if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => unknownFields(schema.items, v, `${at}[${i}]`)) : [];
    if (!value || typeof value !== "object" || !schema.properties) return [];
    return Object.entries(value).flatMap(([k, v]) => (schema.properties[k] ? unknownFields(schema.properties[k], v, `${at}.${k}`) : [`${at}.${k}: not in the schema (the API server would prune it)`]));
}

// CRD patterns are Go regular expressions: `\PC` there is `\P{C}` in JavaScript.
const goRegExp = (pattern, flags) => new RegExp(pattern.replace(/\\([pP])([A-Z])(?![a-z{])/g, "\\$1{$2}"), flags);
goRegExp.code = "new RegExp";
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });
const crdKinds = {
    "cilium.io/v2:CiliumNetworkPolicy": crdSchema("cilium-ciliumnetworkpolicies.crd.yaml", "v2"),
    "argoproj.io/v1alpha1:AppProject": crdSchema("argocd-appproject.crd.yaml", "v1alpha1"),
    "cert-manager.io/v1:ClusterIssuer": crdSchema("cert-manager/cert-manager.io_clusterissuers.yaml", "v1", VENDORED),
    "cert-manager.io/v1:Certificate": crdSchema("cert-manager/cert-manager.io_certificates.yaml", "v1", VENDORED),
    ...vendoredCrdKinds(["external-snapshotter", "prometheus-operator", "karpenter"]),
    "external-secrets.io/v1:SecretStore": crdSchema("external-secrets/external-secrets.io_secretstores.yaml", "v1", VENDORED_CRDS),
    "velero.io/v1:Schedule": crdSchema("velero/schedules.yaml", "v1", VENDORED_CRDS),
};

/** Every served version of the CRDs vendored for the kube suite (test/integration/crds/<dir>, PROVENANCE.md there). */
function vendoredCrdKinds(dirs) {
    const root = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "integration", "crds");
    const kinds = {};
    for (const dir of dirs) {
        if (!existsSync(join(root, dir))) continue;
        for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith(".yaml")).sort()) {
            for (const doc of YAML.parseAllDocuments(readFileSync(join(root, dir, file), "utf8"))) {
                const crd = doc.toJSON();
                if (crd?.kind !== "CustomResourceDefinition") continue;
                for (const v of crd.spec.versions.filter((v) => v.served)) kinds[`${crd.spec.group}/${v.name}:${crd.spec.names.kind}`] = v.schema.openAPIV3Schema;
            }
        }
    }
    return kinds;
}

async function modelFor(group, version, kind) {
    try {
        if (group === "argoproj.io") return (await import(`@kubernetes-models/argo-cd/${group}/${version}`))[kind];
        return (await import(`kubernetes-models/${group === "core" ? "" : group + "/"}${version}`))[kind];
    } catch {
        return undefined;
    }
}

/** Secret values are masked in plans: drop them rather than validate the mask. */
function unmasked(value) {
    if (Array.isArray(value)) return value.map(unmasked);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== SECRET).map(([k, v]) => [k, unmasked(v)]));
    return value;
}

async function validate(plan) {
    const problems = [];
    let checked = 0;
    for (const r of plan.resources) {
        const m = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(r.type);
        if (!m || m[1] === "helm.sh") continue;
        const [, group, version, kind] = m;
        const object = unmasked(r.inputs);
        const where = `${r.name} (${kind})`;
        const Model = await modelFor(group, version, kind);
        if (!Model && !crdKinds[`${group}/${version}:${kind}`]) {
            problems.push(`${where}: no schema known for ${group}/${version} ${kind}`);
            continue;
        }
        checked++;
        if (Model) {
            try {
                new Model(object).validate();
            } catch (err) {
                problems.push(`${where}: ${err.message}`);
            }
        }
        const schema = crdKinds[`${group}/${version}:${kind}`];
        if (schema) {
            const check = ajv.compile(schema);
            if (!check(object)) for (const e of check.errors) problems.push(`${where}: ${e.instancePath || "/"} ${e.message}`);
            problems.push(...unknownFields(schema, object, where));
        }
    }
    return { problems, checked };
}

const files = process.argv.slice(2);
const USAGE = "usage: node tools/validate-k8s.mjs <plan.json>...";
if (files.includes("--help") || files.includes("-h")) {
    console.log(USAGE);
    process.exit(0);
}
if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
    console.error(files.length === 0 ? USAGE : `validate-k8s: unknown option ${files.find((f) => f.startsWith("-"))}\n${USAGE}`);
    process.exit(2);
}
let failed = false;
for (const file of files) {
    const { problems, checked } = await validate(JSON.parse(readFileSync(file, "utf8")));
    for (const p of problems) console.log(`${file}: ${p}`);
    console.log(`${file}: ${checked} Kubernetes objects checked, ${problems.length} problems`);
    failed ||= problems.length > 0;
}
process.exit(failed ? 1 : 0);
