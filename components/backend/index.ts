export * from "./github-deploy";
export * from "./state-bucket";
