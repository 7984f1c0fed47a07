export * from "./addon";
export * from "./ebs-csi";
export * from "./aws-load-balancer-controller";
export * from "./cert-manager";
export * from "./external-dns";
