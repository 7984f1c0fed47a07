export * from "./applications";
export * from "./argocd";
export * from "./argocd-values";
export * from "./versions";
export * from "./repo-credentials";
export * from "./cluster-secret";
export * from "./grafana-endpoint";
