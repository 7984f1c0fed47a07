/**
 * The taint Cilium's agent lifts from a node once it runs there (cilium/cilium
 * Documentation/installation/taints.rst): nodes start with it, so no pod lands before the CNI. Managed
 * node groups carry it as a taint, Karpenter's NodePools as a startup taint.
 */
export const CILIUM_AGENT_NOT_READY_TAINT = { key: "node.cilium.io/agent-not-ready", value: "true", effect: "NoExecute" } as const;
