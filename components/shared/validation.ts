import * as pulumi from "@pulumi/pulumi";

/** One problem with a component's args: the arg path and what is wrong, with what is allowed. */
export interface ArgProblem {
    readonly path: string;
    readonly reason: string;
}

/**
 * Throws every problem at once as a `pulumi.InputPropertiesError` (the SDK's structured form), with a
 * message that lists `path: reason` lines so a reader sees all of them, not just the first.
 */
export function throwIfProblems(component: string, problems: ArgProblem[]): void {
    if (problems.length === 0) return;
    const lines = problems.map((p) => `  ${p.path}: ${p.reason}`).join("\n");
    throw new pulumi.InputPropertiesError({
        message: `invalid ${component} args:\n${lines}`,
        errors: problems.map((p) => ({ propertyPath: p.path, reason: p.reason })),
    });
}
