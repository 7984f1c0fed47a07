export * from "./endpoints";
export * from "./flow-logs";
export * from "./subnet-plan";
export * from "./vpc";
