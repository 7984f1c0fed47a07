import { archOfInstanceType } from "../components/shared/instance-types";
import { cidrsOverlap, cidrSyntaxProblem } from "../components/network/subnet-plan";

/** A problem found in the stack config: its path (`tenants[2].name`) and the message. */
export interface ConfigProblem {
    readonly path: string;
    readonly message: string;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) ? v : undefined);

/**
 * Rules that span fields. They read the raw config defensively and run even when the schema found
 * other problems, so a user sees every problem in one run instead of one per attempt.
 */
export function crossFieldProblems(raw: Raw): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const cluster = obj(raw.cluster);
    const edge = obj(raw.edge);
    const network = obj(raw.network);

    roleAccounts(problems, raw.accountId, cluster);
    if (obj(raw.tenancy)?.imageRegistries === undefined && typeof raw.accountId !== "string") {
        problems.push({ path: "tenancy.imageRegistries", message: "is unset and no aws:allowedAccountIds names this environment's account (list the registry prefixes tenant images may come from, or set aws:allowedAccountIds for its ECR registry)" });
    }
    addonDependencies(problems, obj(raw.addons));
    duplicates(problems, "tenants", arr(raw.tenants), "tenant");
    duplicates(problems, "edge.nodes", arr(edge?.nodes), "edge node");
    duplicates(problems, "cluster.nodeGroups", arr(cluster?.nodeGroups), "node group");

    arr(cluster?.nodeGroups).forEach((g, i) => {
        const group = obj(g);
        if (!group) return;
        const path = `cluster.nodeGroups[${i}]`;
        const [min, desired, max] = [int(group.minSize), int(group.desiredSize), int(group.maxSize)];
        if (min !== undefined && max !== undefined && min > max) {
            problems.push({ path: `${path}.minSize`, message: `${min} is more than maxSize ${max} (minSize <= desiredSize <= maxSize)` });
        }
        if (desired !== undefined && min !== undefined && desired < min) {
            problems.push({ path: `${path}.desiredSize`, message: `${desired} is less than minSize ${min} (minSize <= desiredSize <= maxSize)` });
        }
        if (desired !== undefined && max !== undefined && desired > max) {
            problems.push({ path: `${path}.desiredSize`, message: `${desired} is more than maxSize ${max} (minSize <= desiredSize <= maxSize)` });
        }
        archMismatch(problems, `${path}.instanceTypes`, arr(group.instanceTypes), str(group.arch));
    });

    // The API endpoint may be public only from named networks; "public to the world" is never allowed.
    const publicCidrs = arr(cluster?.publicAccessCidrs);
    if (cluster?.endpointPublicAccess === true && publicCidrs.length === 0) {
        problems.push({
            path: "cluster.publicAccessCidrs",
            message: "is empty while endpointPublicAccess is true (list the networks allowed to reach the API, e.g. your VPN egress x.x.x.x/32)",
        });
    }
    publicCidrs.forEach((c, i) => {
        if (c === "0.0.0.0/0") {
            problems.push({ path: `cluster.publicAccessCidrs[${i}]`, message: '"0.0.0.0/0" opens the API to the internet (list specific networks, or set endpointPublicAccess: false)' });
        }
    });

    // Operator networks: the runners' and operators' own ranges, never "everything that routes here".
    const swarm = obj(raw.swarm);
    for (const [path, list, what] of [
        ["cluster.privateAccessCidrs", arr(cluster?.privateAccessCidrs), "the Kubernetes API"],
        ["swarm.deployCidrs", arr(swarm?.deployCidrs), "the Docker API and the swarm's control ports"],
    ] as const) {
        list.forEach((c, i) => {
            if (c === "0.0.0.0/0") problems.push({ path: `${path}[${i}]`, message: `"0.0.0.0/0" opens ${what} to every network that routes to the VPC (list the deploy runners' and operators' networks)` });
        });
    }

    tenantNamespaces(problems, arr(raw.tenants));
    repoCredentials(problems, obj(raw.gitops), arr(raw.tenants));
    uniquePrincipals(problems, cluster, arr(raw.tenants));

    const vpcCidr = str(network?.cidr);
    const vpnCidr = str(edge?.vpnCidr) ?? (edge ? "100.64.0.0/10" : undefined);
    if (vpcCidr && vpnCidr && !cidrSyntaxProblem(vpcCidr) && !cidrSyntaxProblem(vpnCidr) && cidrsOverlap(vpcCidr, vpnCidr)) {
        problems.push({ path: "edge.vpnCidr", message: `${vpnCidr} overlaps network.cidr ${vpcCidr} (edge VPN and VPC ranges must be disjoint for routing)` });
    }
    edgeRequirements(problems, edge, obj(raw.cloudflare));
    return problems;
}

/** Each VPN a node uses needs its settings, and site tunnels need the Cloudflare account. */
function edgeRequirements(problems: ConfigProblem[], edge: Raw | undefined, cloudflare: Raw | undefined): void {
    const nodes = arr(edge?.nodes).map(obj);
    const firstUsing = (vpn: string) => nodes.findIndex((n) => n?.vpn === vpn);
    for (const vpn of ["tailscale", "zerotier"]) {
        const i = firstUsing(vpn);
        if (i >= 0 && edge?.[vpn] === undefined) problems.push({ path: `edge.${vpn}`, message: `is required: edge.nodes[${i}] uses ${vpn} (add edge.${vpn}, see README "Stack config")` });
    }
    // A rotation for a site no node is at would rotate nothing: most likely a misspelt site.
    const sites = new Set(nodes.map((n) => str(n?.site)));
    for (const site of Object.keys(obj(edge?.tunnelRotations) ?? {})) {
        if (!sites.has(site)) problems.push({ path: `edge.tunnelRotations.${site}`, message: `names no site of edge.nodes[] (sites: ${[...sites].filter(Boolean).join(", ") || "none"})` });
    }
    if (nodes.length > 0 && cloudflare && cloudflare.accountId === undefined) {
        problems.push({ path: "cloudflare.accountId", message: "is required with edge nodes (the Cloudflare account that owns the site tunnels, 32 hex characters)" });
    }
    const zone = str(cloudflare?.zoneName);
    if (nodes.length > 0 && cloudflare && zone === undefined) {
        problems.push({ path: "cloudflare.zoneName", message: "is required with edge nodes (the DNS name of zoneId's zone, e.g. example.com: site hostnames are <site>.<zone>)" });
    }
    const domain = str(edge?.domain);
    if (zone === undefined || domain === undefined || nodes.length === 0) return;
    if (domain !== zone && !domain.endsWith(`.${zone}`)) {
        problems.push({ path: "edge.domain", message: `"${domain}" is not in the zone ${zone} (site records are created in cloudflare.zoneId's zone; remove edge.domain to use the zone itself)` });
    } else if (domain !== zone && edge?.advancedCertificate !== true) {
        // Proxied hostnames are served with the zone's edge certificate; Universal SSL is issued for the
        // apex and `*.<zone>` only (Cloudflare docs, SSL/TLS > Edge certificates > Universal SSL, limitations).
        const site = str(obj(nodes[0])?.site) ?? "site";
        problems.push({
            path: "edge.domain",
            message: `"${domain}" puts site hostnames two or more levels below the zone (${site}.${domain}); Cloudflare's Universal SSL certificate covers ${zone} and *.${zone} only, so HTTPS to them fails (remove edge.domain to use ${site}.${zone}, or order an Advanced certificate for *.${domain} and set edge.advancedCertificate: true)`,
        });
    }
}

function duplicates(problems: ConfigProblem[], path: string, items: unknown[], what: string): void {
    const firstIndex = new Map<string, number>();
    items.forEach((item, i) => {
        const name = str(obj(item)?.name);
        if (name === undefined) return;
        const first = firstIndex.get(name);
        if (first === undefined) firstIndex.set(name, i);
        else problems.push({ path: `${path}[${i}].name`, message: `"${name}" is already used by ${path}[${first}] (${what} names must be unique)` });
    });
}

function archMismatch(problems: ConfigProblem[], path: string, types: unknown[], arch: string | undefined): void {
    if (arch !== "arm64" && arch !== "amd64") return;
    types.forEach((t, i) => {
        if (typeof t !== "string" || archOfInstanceType(t) === arch) return;
        const hint = arch === "arm64" ? "use a Graviton type such as m7g.large" : "use an x86 type such as m7i.large";
        problems.push({
            path: `${path}[${i}]`,
            message: `"${t}" is an ${archOfInstanceType(t)} type but arch is ${arch} (${hint}, or change arch)`,
        });
    });
}

/** Namespaces no tenant may take: the platform's own. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "argocd", "monitoring", "cilium-secrets", "external-secrets", "velero"];

function tenantNamespaces(problems: ConfigProblem[], tenants: unknown[]): void {
    const owner = new Map<string, string>();
    const bucketOwner = new Map<string, string>();
    const names = new Set<string>();
    tenants.forEach((t, i) => {
        const tenant = obj(t);
        const name = str(tenant?.name);
        // A duplicate tenant is reported once, as a duplicate name, not again for its namespace.
        if (!tenant || !name || names.has(name)) return;
        names.add(name);
        const namespaces = Array.isArray(tenant.namespaces) ? tenant.namespaces : [name];
        repoNamespaces(problems, `tenants[${i}]`, name, arr(tenant.repos), namespaces);
        workloadIdentity(problems, `tenants[${i}].workloadIdentity`, name, obj(tenant.workloadIdentity), namespaces, bucketOwner);
        namespaces.forEach((ns, j) => {
            if (typeof ns !== "string") return;
            const path = Array.isArray(tenant.namespaces) ? `tenants[${i}].namespaces[${j}]` : `tenants[${i}].name`;
            if (RESERVED_NAMESPACES.includes(ns)) problems.push({ path, message: `"${ns}" is a platform namespace (reserved: ${RESERVED_NAMESPACES.join(", ")})` });
            else if (ns !== name && !ns.startsWith(`${name}-`)) problems.push({ path, message: `"${ns}" does not belong to tenant ${name} (use "${name}" or "${name}-<suffix>")` });
            const first = owner.get(ns);
            if (first) problems.push({ path, message: `"${ns}" is already a namespace of ${first} (namespaces belong to one tenant)` });
            else owner.set(ns, `tenants[${i}]`);
        });
    });
}

/**
 * A tenant's service accounts are in its own namespaces, each once (EKS allows one Pod Identity
 * association per service account), and a bucket is granted to one tenant only.
 */
function workloadIdentity(problems: ConfigProblem[], path: string, tenant: string, wi: Raw | undefined, namespaces: unknown[], bucketOwner: Map<string, string>): void {
    if (!wi) return;
    const own = namespaces.filter((n): n is string => typeof n === "string");
    const seen = new Set<string>();
    arr(wi.serviceAccounts).forEach((s, j) => {
        const sa = typeof s === "string" ? { name: s } : obj(s);
        if (!sa || typeof sa.name !== "string") return;
        const ns = sa.namespace === undefined ? own[0] : str(sa.namespace);
        if (ns === undefined) return;
        if (sa.namespace !== undefined && !own.includes(ns)) problems.push({ path: `${path}.serviceAccounts[${j}].namespace`, message: `"${ns}" is not a namespace of tenant ${tenant} (one of ${own.join(", ")})` });
        const key = `${ns}/${sa.name}`;
        if (seen.has(key)) problems.push({ path: `${path}.serviceAccounts[${j}]`, message: `${key} is listed twice (EKS allows one Pod Identity association per service account)` });
        seen.add(key);
    });
    arr(wi.s3Buckets).forEach((b, j) => {
        if (typeof b !== "string") return;
        const first = bucketOwner.get(b);
        if (first && first !== tenant) problems.push({ path: `${path}.s3Buckets[${j}]`, message: `"${b}" is already granted to tenant ${first} (a bucket belongs to one tenant)` });
        else bucketOwner.set(b, tenant);
    });
}

/** EKS allows one access entry per principal: an IAM ARN may hold one role on the cluster. */
function uniquePrincipals(problems: ConfigProblem[], cluster: Raw | undefined, tenants: unknown[]): void {
    const seen = new Map<string, string>();
    const claim = (arn: unknown, path: string) => {
        if (typeof arn !== "string") return;
        const first = seen.get(arn);
        if (first) problems.push({ path, message: `"${arn}" already has access as ${first} (one principal, one access entry: use another role)` });
        else seen.set(arn, path);
    };
    claim(cluster?.deployRoleArn, "cluster.deployRoleArn");
    arr(cluster?.admins).forEach((a, i) => (a === cluster?.deployRoleArn ? undefined : claim(a, `cluster.admins[${i}]`)));
    tenants.forEach((t, i) => {
        for (const persona of ["admins", "developers", "viewers"]) arr(obj(t)?.[persona]).forEach((a, j) => claim(a, `tenants[${i}].${persona}[${j}]`));
    });
}

/**
 * Each repository deploys into one namespace, and syncs as that namespace's deployer (impersonation):
 * with several namespaces it must say which; the one it names must be the tenant's.
 */
function repoNamespaces(problems: ConfigProblem[], path: string, tenant: string, repos: unknown[], namespaces: unknown[]): void {
    const own = namespaces.filter((n): n is string => typeof n === "string");
    repos.forEach((r, j) => {
        const repo = typeof r === "string" ? { url: r } : obj(r);
        if (!repo) return;
        if (repo.namespace === undefined) {
            if (own.length > 1) problems.push({ path: `${path}.repos[${j}]`, message: `names no namespace, and tenant ${tenant} has ${own.length} (write { url: "${str(repo.url)}", namespace: <one of ${own.join(", ")}> })` });
        } else if (typeof repo.namespace === "string" && !own.includes(repo.namespace)) {
            problems.push({ path: `${path}.repos[${j}].namespace`, message: `"${repo.namespace}" is not a namespace of tenant ${tenant} (one of ${own.join(", ")})` });
        }
    });
}

/**
 * A credential template serves the repositories its URL prefixes (Argo CD v3.3.8 declarative-setup.md):
 * one per prefix, and one that prefixes no repository of the config is a typo.
 */
function repoCredentials(problems: ConfigProblem[], gitops: Raw | undefined, tenants: unknown[]): void {
    const repos = [str(gitops?.repoUrl), ...tenants.flatMap((t) => arr(obj(t)?.repos).map((r) => (typeof r === "string" ? r : str(obj(r)?.url))))].filter((u): u is string => !!u);
    const seen = new Map<string, number>();
    arr(gitops?.repoCredentials).forEach((c, i) => {
        const url = str(obj(c)?.url);
        if (!url) return;
        const path = `gitops.repoCredentials[${i}].url`;
        if (seen.has(url)) problems.push({ path, message: `"${url}" already has credentials in gitops.repoCredentials[${seen.get(url)}] (one template per URL prefix)` });
        else seen.set(url, i);
        if (!repos.some((r) => r.startsWith(url))) problems.push({ path, message: `"${url}" is a prefix of no repository in gitops.repoUrl or tenants[].repos (a URL prefix such as https://github.com/<org>/)` });
    });
}

/** The roles Pulumi runs as live in the environment's own account (one account per environment). */
function roleAccounts(problems: ConfigProblem[], accountId: unknown, cluster: Raw | undefined): void {
    if (typeof accountId !== "string" || !/^\d{12}$/.test(accountId)) return;
    for (const key of ["deployRoleArn", "previewRoleArn"]) {
        const arn = cluster?.[key];
        const account = typeof arn === "string" ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1] : undefined;
        if (account && account !== accountId) problems.push({ path: `cluster.${key}`, message: `"${arn}" is in account ${account}, not this environment's ${accountId} (aws:allowedAccountIds)` });
    }
}

/** Add-ons that need another add-on: enabling one without the other is a config error, not a broken cluster. */
function addonDependencies(problems: ConfigProblem[], addons: Record<string, unknown> | undefined): void {
    const enabled = (name: string) => obj(addons?.[name])?.enabled !== false;
    if (enabled("snapshots") && !enabled("ebsCsi")) {
        problems.push({ path: "addons.snapshots.enabled", message: "is on while addons.ebsCsi is off (EBS snapshots are taken by the EBS CSI driver: enable addons.ebsCsi or turn snapshots off)" });
    }
}
