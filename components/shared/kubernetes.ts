/** The in-cluster API server as Argo CD names it. */
export const IN_CLUSTER = "https://kubernetes.default.svc";
