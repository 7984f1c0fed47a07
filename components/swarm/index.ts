export * from "./managers";
export * from "./pki";
export * from "./service-specs";
export * from "./services";
export * from "./user-data";
export * from "./dns";
