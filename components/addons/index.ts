export * from "./addon";
export * from "./ebs-csi";
export * from "./snapshot-controller";
export * from "./metrics-server";
export * from "./karpenter";
export * from "./karpenter-iam";
export * from "./container-logs";
