/**
 * Kubernetes quantities: one implementation, owned by the policy pack (policy/rules/lib/quantity.ts)
 * because `pulumi policy publish` packs only policy/ and the pack must parse quotas exactly as the
 * config schema does. The program imports the pack's copy; the pack never imports the program.
 */
export * from "../../policy/rules/lib/quantity";
