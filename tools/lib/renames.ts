import { PlanResource } from "./plan";
import { isComponentType } from "./replace-rules";

export interface LikelyRename {
    type: string;
    deleted: string;
    added: string;
}

/**
 * Delete/add pairs that are the same resource under a new name: same type, same parent type and the
 * same inputs once each resource's own logical name is masked (names derived from it, such as a `Name`
 * tag, follow a rename). That is a rename or a move into a component without an alias, and the engine
 * would replace it. Anything else — a tenant removed and another added — is a removal and an addition,
 * however alike. Pairs are exact, so each delete matches at most one add, first in URN order.
 * Components hold no state of their own (and record no inputs): their children tell.
 */
export function findRenames(deletes: PlanResource[], adds: PlanResource[], baseTypes: Map<string, string>, headTypes: Map<string, string>): LikelyRename[] {
    const waiting = new Map<string, PlanResource[]>();
    for (const a of adds.filter((r) => !isComponentType(r.type))) {
        const key = identityKey(a, headTypes);
        const list = waiting.get(key);
        if (list) list.push(a);
        else waiting.set(key, [a]);
    }
    const pairs: LikelyRename[] = [];
    for (const d of deletes.filter((r) => !isComponentType(r.type))) {
        const match = waiting.get(identityKey(d, baseTypes))?.shift();
        if (match) pairs.push({ type: d.type, deleted: d.urn, added: match.urn });
    }
    return pairs;
}

const NAME = "\u0000name\u0000";

/** Type, parent type and the inputs with the resource's own name masked, as one string. */
function identityKey(r: PlanResource, typeOfUrn: Map<string, string>): string {
    const parentType = r.parent ? (typeOfUrn.get(r.parent) ?? "?") : "";
    const inputs = JSON.stringify(r.inputs);
    // Only the whole logical name is masked: a physical name such as a namespace "org-b" stays and tells two tenants apart.
    const masked = r.name ? inputs.split(r.name).join(NAME) : inputs;
    return `${r.type}\u0001${parentType}\u0001${masked}`;
}
