export * from "./appproject";
export * from "./guardrails";
export * from "./image-policy";
export * from "./network-policy";
export * from "./personas";
export * from "./quota";
export * from "./roles";
export * from "./tenant";
