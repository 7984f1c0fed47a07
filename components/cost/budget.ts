import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { globalName, globalNameSuffixProblem } from "../shared/names";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface EnvironmentBudgetArgs {
    /** The environment; the budget counts costs tagged `environment=<this>`. Required. */
    readonly environment: string;
    /** Monthly budget in USD. Required. */
    readonly monthlyLimitUsd: number;
    /** Percentages of the budget that alert (actual and forecast). Defaults to [50, 80, 100]. */
    readonly thresholdsPercent?: number[];
    /** Addresses the alerts go to. Required (at least one). */
    readonly emails: string[];
    /** Appended as `-<suffix>` to the account-wide budget name, for a recovery stack in another region of the same account. Defaults to none (""). */
    readonly globalNameSuffix?: string;
}

export const ENVIRONMENT_BUDGET_DEFAULTS = { thresholdsPercent: [50, 80, 100], globalNameSuffix: "" };

export function validateEnvironmentBudgetArgs(args: EnvironmentBudgetArgs): void {
    const problems: ArgProblem[] = [];
    if (!(args.monthlyLimitUsd > 0)) problems.push({ path: "monthlyLimitUsd", reason: `${args.monthlyLimitUsd} is not a positive amount` });
    const thresholds = args.thresholdsPercent ?? ENVIRONMENT_BUDGET_DEFAULTS.thresholdsPercent;
    if (thresholds.length === 0 || thresholds.some((t) => !(t > 0 && t <= 500))) problems.push({ path: "thresholdsPercent", reason: "needs percentages between 1 and 500" });
    if (args.emails.length === 0) problems.push({ path: "emails", reason: "is empty (someone must get the alert)" });
    const suffix = globalNameSuffixProblem(args.globalNameSuffix);
    if (suffix) problems.push({ path: "globalNameSuffix", reason: suffix });
    throwIfProblems("EnvironmentBudget", problems);
}

/**
 * A monthly AWS Budget over everything tagged with the environment (the provider's default tags put
 * the tag on all of it), alerting on actual spend at each threshold and on the forecast crossing 100%.
 */
export class EnvironmentBudget extends pulumi.ComponentResource {
    public readonly budgetName: pulumi.Output<string>;

    constructor(name: string, args: EnvironmentBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEnvironmentBudgetArgs(args);
        super("pr-cybr:cost:EnvironmentBudget", name, {}, opts);
        const thresholds = args.thresholdsPercent ?? ENVIRONMENT_BUDGET_DEFAULTS.thresholdsPercent;
        const notify = (threshold: number, notificationType: "ACTUAL" | "FORECASTED") => ({
            comparisonOperator: "GREATER_THAN",
            threshold,
            thresholdType: "PERCENTAGE",
            notificationType,
            subscriberEmailAddresses: args.emails,
        });
        const budget = new aws.budgets.Budget(
            `${name}-monthly`,
            {
                name: globalName(`pr-cybr-${args.environment}-monthly`, args.globalNameSuffix ?? ENVIRONMENT_BUDGET_DEFAULTS.globalNameSuffix),
                budgetType: "COST",
                timeUnit: "MONTHLY",
                limitAmount: args.monthlyLimitUsd.toFixed(2),
                limitUnit: "USD",
                costFilters: [{ name: "TagKeyValue", values: [`user:environment$${args.environment}`] }],
                notifications: [...thresholds.map((t) => notify(t, "ACTUAL")), notify(100, "FORECASTED")],
            },
            { parent: this },
        );
        this.budgetName = budget.name;
        this.registerOutputs({ budgetName: this.budgetName });
    }
}
