export * from "./encrypted-secret";
export * from "./environment-key";
export * from "./join-token-rotation";
