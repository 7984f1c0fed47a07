export * from "./addon";
export * from "./ebs-csi";
export * from "./external-secrets";
export * from "./velero";
