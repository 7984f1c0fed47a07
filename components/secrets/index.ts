export * from "./environment-key";
export * from "./join-token-rotation";
