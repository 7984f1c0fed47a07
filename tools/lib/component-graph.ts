/**
 * The component graph of a plan: which top-level component (or group of them) waits for which, and
 * through which provider. One model, rendered as Mermaid (GitHub shows it inline) and as Graphviz DOT
 * (laid out and drawn to SVG by Graphviz itself, tools/graph.ts).
 */
import type { Plan, PlanResource } from "./plan";

/** A plan resource with the resource options DESIGN §5 records (`options.provider`: `<urn>::<id>`). */
type GraphResource = PlanResource & { options?: { provider?: string } };

export interface GraphNode {
    /** Stable id, usable in Mermaid and DOT. */
    readonly id: string;
    readonly kind: "component" | "group" | "provider";
    /** `<area>:<Name>` of a component or group, `pulumi:providers:<pkg>` of a provider. */
    readonly type: string;
    /** Resource names (components) or the provider's name, sorted. */
    readonly names: string[];
    /** Resources under each member component (one entry per member; empty for providers). */
    readonly sizes: number[];
}

export interface GraphEdge {
    readonly from: string;
    readonly to: string;
    /** `waits`: a resource of `from` depends on one of `to`; `uses`: resources of `from` are managed by provider `to`. */
    readonly kind: "waits" | "uses";
}

export interface ComponentGraph {
    readonly project: string;
    readonly stack: string;
    readonly resourceCount: number;
    readonly componentCount: number;
    readonly nodes: GraphNode[];
    readonly edges: GraphEdge[];
}

const PROVIDER_PREFIX = "pulumi:providers:";

/**
 * Builds the graph. Components of one type that appear more than once (tenants, edge nodes, sites,
 * node groups) become one group node, so 200 tenants and 1,000 edge nodes draw as two boxes.
 *
 * A resource's provider is its `options.provider` reference. Plans without options (older plan files)
 * fall back to the only provider of the resource's package in the plan: exact here, because
 * `Pulumi.yaml` disables the default providers of every package that has an explicit one.
 */
export function buildComponentGraph(plan: Plan): ComponentGraph {
    const resources = plan.resources as GraphResource[];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
    const topComponents = resources.filter((r) => r.type.startsWith("pr-cybr:") && r.parent === stackUrn);
    const providers = resources.filter((r) => r.type.startsWith(PROVIDER_PREFIX));

    const ownerCache = new Map<string, GraphResource | undefined>();
    const topComponent = (r: GraphResource | undefined): GraphResource | undefined => {
        if (!r) return undefined;
        if (ownerCache.has(r.urn)) return ownerCache.get(r.urn);
        let cur: GraphResource | undefined = r;
        while (cur && cur.parent && cur.parent !== stackUrn) cur = byUrn.get(cur.parent);
        const owner = cur && cur.type.startsWith("pr-cybr:") && cur.parent === stackUrn ? cur : undefined;
        ownerCache.set(r.urn, owner);
        return owner;
    };

    // Group key: the component type when several components share it, else the component itself.
    const perType = new Map<string, GraphResource[]>();
    for (const c of topComponents) perType.set(c.type, [...(perType.get(c.type) ?? []), c]);
    const sizes = new Map<string, number>();
    for (const r of resources) {
        const owner = topComponent(r);
        if (owner && owner.urn !== r.urn) sizes.set(owner.urn, (sizes.get(owner.urn) ?? 0) + 1);
    }
    const nodeKey = (c: GraphResource) => ((perType.get(c.type)?.length ?? 0) > 1 ? `group:${c.type}` : `component:${c.urn}`);
    const nodes = new Map<string, Omit<GraphNode, "id">>();
    for (const c of topComponents) {
        const key = nodeKey(c);
        const node = nodes.get(key) ?? { kind: key.startsWith("group:") ? ("group" as const) : ("component" as const), type: c.type.replace(/^pr-cybr:/, ""), names: [], sizes: [] };
        node.names.push(c.name);
        node.sizes.push(sizes.get(c.urn) ?? 0);
        nodes.set(key, node);
    }
    for (const p of providers) nodes.set(`provider:${p.urn}`, { kind: "provider", type: p.type, names: [p.name], sizes: [] });

    const providerOf = providerResolver(providers);
    const keyOf = (r: GraphResource | undefined): string | undefined => {
        if (!r) return undefined;
        if (r.type.startsWith(PROVIDER_PREFIX)) return `provider:${r.urn}`;
        const owner = topComponent(r);
        return owner ? nodeKey(owner) : undefined;
    };
    const edges = new Map<string, GraphEdge>();
    const addEdge = (from: string | undefined, to: string | undefined, kind: GraphEdge["kind"]) => {
        if (from && to && from !== to) edges.set(`${from}\u0000${to}\u0000${kind}`, { from, to, kind });
    };
    for (const r of resources) {
        const from = keyOf(r);
        for (const dep of r.dependsOn) addEdge(from, keyOf(byUrn.get(dep)), "waits");
        const provider = providerOf(r);
        // A provider built inside the component that uses it (the cluster's kubernetes provider) is part of it.
        if (provider && topComponent(provider) !== topComponent(r)) addEdge(from, `provider:${provider.urn}`, "uses");
    }

    // Ids in a stable order: components and groups by their first name, providers after them.
    const keys = [...nodes.keys()].sort((a, b) => sortKey(nodes.get(a)!).localeCompare(sortKey(nodes.get(b)!)));
    const id = new Map(keys.map((k, i) => [k, `n${i}`]));
    return {
        project: plan.project,
        stack: plan.stack,
        resourceCount: plan.resources.length,
        componentCount: topComponents.length,
        nodes: keys.map((k) => ({ id: id.get(k)!, ...nodes.get(k)!, names: [...nodes.get(k)!.names].sort() })),
        edges: [...edges.values()].map((e) => ({ ...e, from: id.get(e.from)!, to: id.get(e.to)! })).sort((a, b) => `${a.from} ${a.to} ${a.kind}`.localeCompare(`${b.from} ${b.to} ${b.kind}`, "en", { numeric: true })),
    };
}

function sortKey(n: Omit<GraphNode, "id">): string {
    return `${n.kind === "provider" ? "1" : "0"}${[...n.names].sort()[0]}`;
}

/** Finds the provider resource of a resource: its recorded reference, else the package's only provider. */
function providerResolver(providers: GraphResource[]): (r: GraphResource) => GraphResource | undefined {
    const perPackage = new Map<string, GraphResource[]>();
    for (const p of providers) {
        const pkg = p.type.slice(PROVIDER_PREFIX.length);
        perPackage.set(pkg, [...(perPackage.get(pkg) ?? []), p]);
    }
    return (r) => {
        if (r.type.startsWith(PROVIDER_PREFIX) || r.type.startsWith("pr-cybr:") || r.type === "pulumi:pulumi:Stack") return undefined;
        const ref = r.options?.provider;
        if (ref) return providers.find((p) => ref === p.urn || ref.startsWith(`${p.urn}::`));
        const candidates = perPackage.get(r.type.split(":")[0]) ?? [];
        return candidates.length === 1 ? candidates[0] : undefined;
    };
}

/** What a node's box says, one line per entry. */
export function nodeLabel(n: GraphNode): string[] {
    if (n.kind === "provider") return [`provider ${n.type.slice(PROVIDER_PREFIX.length)}`, n.names[0]];
    if (n.kind === "component") return [n.type, n.names[0], n.sizes[0] === 1 ? "1 resource" : `${n.sizes[0]} resources`];
    const min = Math.min(...n.sizes);
    const max = Math.max(...n.sizes);
    const prefix = commonPrefix(n.names);
    const span = `${n.names[0].slice(prefix.length)} … ${n.names[n.names.length - 1].slice(prefix.length)}`;
    return [`${n.type} ×${n.names.length}`, prefix ? `${prefix}*: ${span}` : span, `${min === max ? min : `${min}–${max}`} resources each`];
}

/** The longest common prefix of the names that ends in a "-" (so no name is cut mid-word). */
function commonPrefix(names: string[]): string {
    let prefix = names[0];
    for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
    return prefix.slice(0, prefix.lastIndexOf("-") + 1);
}

/** The graph as a Mermaid flowchart. */
export function toMermaid(g: ComponentGraph): string {
    const esc = (s: string) => s.replace(/"/g, "#quot;");
    const lines = ["flowchart LR"];
    for (const n of g.nodes) {
        const text = nodeLabel(n).map(esc).join("<br/>");
        lines.push(n.kind === "provider" ? `  ${n.id}{{"${text}"}}` : n.kind === "group" ? `  ${n.id}[["${text}"]]` : `  ${n.id}["${text}"]`);
    }
    for (const e of g.edges) lines.push(e.kind === "uses" ? `  ${e.from} -.-> ${e.to}` : `  ${e.from} --> ${e.to}`);
    return lines.join("\n");
}

/** The graph in Graphviz DOT, for `dot -Tsvg` (or its WebAssembly build). */
export function toDot(g: ComponentGraph): string {
    const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
    const q = (s: string) => `"${esc(s)}"`;
    const lines = [
        `digraph ${q(`${g.project}/${g.stack}`)} {`,
        `  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.25, ranksep=0.6, label=${q(`${g.project}/${g.stack}: ${g.resourceCount} resources, ${g.componentCount} top-level components. Solid: waits for; dashed: managed by provider.`)}, labelloc=t];`,
        `  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize=10, margin="0.25,0.06"];`,
        `  edge [color="#555555", arrowsize=0.7];`,
    ];
    for (const n of g.nodes) {
        const label = `"${nodeLabel(n).map(esc).join("\\n")}"`; // \n: a line break in a DOT label
        const style = n.kind === "provider" ? `, shape=hexagon, fillcolor="#fdf1dc"` : n.kind === "group" ? `, peripheries=2, fillcolor="#e4f2e6"` : "";
        lines.push(`  ${n.id} [label=${label}${style}];`);
    }
    for (const e of g.edges) lines.push(`  ${e.from} -> ${e.to}${e.kind === "uses" ? ` [style=dashed, color="#b07a1e"]` : ""};`);
    lines.push("}");
    return lines.join("\n");
}
