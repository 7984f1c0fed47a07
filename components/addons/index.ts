export * from "./addon";
export * from "./ebs-csi";
