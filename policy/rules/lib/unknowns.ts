/**
 * Preview-safe evaluation. In `pulumi preview` a provider-computed value (an id, an ARN, a rendered
 * script) is unknown, and the engine's proxy throws `UnknownValueError` when a rule reads one; thrown
 * out of a rule, the engine reports the whole policy as advisory "can't run ... during preview"
 * (@pulumi/policy 1.21 server.js, validateStack/validateResource catch), hiding every violation the
 * rule had not reported yet. A rule instead runs each check that may read an unknown through
 * `Deferred.run`: the check is skipped, the others still report, and `finish()` rethrows the first
 * unknown at the end, so the engine keeps the violations already reported and adds its "can't run"
 * note for the checks that could not decide.
 */

/** Whether an error is the engine's UnknownValueError (matched by name: the pack and the engine may load two copies of @pulumi/policy). */
export function isUnknownValueError(err: unknown): err is Error {
    return typeof err === "object" && err !== null && (err as { constructor?: { name?: string } }).constructor?.name === "UnknownValueError";
}

export class Deferred {
    private first?: Error;

    /** Runs one check; if it reads an unknown value it is skipped (and remembered) instead of stopping the rule. */
    run<T>(check: () => T): T | undefined {
        try {
            return check();
        } catch (err) {
            if (!isUnknownValueError(err)) throw err;
            this.first ??= err;
            return undefined;
        }
    }

    /** True when some check could not decide. */
    get undecided(): boolean {
        return this.first !== undefined;
    }

    /** Call last: rethrows the first unknown, so the engine says which policy could not fully run. */
    finish(): void {
        if (this.first) throw this.first;
    }
}

/** A value for a message only (a display name): undefined when unknown, without deferring any check. */
export function peek<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (err) {
        if (isUnknownValueError(err)) return undefined;
        throw err;
    }
}
