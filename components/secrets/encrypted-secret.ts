export * from "../shared/encrypted-secret";
