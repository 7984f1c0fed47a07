export * from "./cilium";
export * from "./cilium-values";
export * from "./coredns";
export * from "./eks-cluster";
export * from "./iam";
export * from "./kubeconfig";
export * from "./node-group";
