import * as pulumi from "@pulumi/pulumi";

/** The value of an Output (tests only: it drops secretness and dependencies). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}
