export * from "./appproject";
export * from "./guardrails";
export * from "./network-policy";
export * from "./personas";
export * from "./quota";
export * from "./roles";
export * from "./tenant";
export * from "./workload-identity";
