// The quantities the program writes are spelled as the API server stores them (formatQuantity), so
// the stored objects equal the program's. Asked of a real API server: it canonicalizes every value of
// a ResourceQuota's spec.hard on admission (dry run, nothing stored).
import { formatQuantity } from "../../../components/shared/quantity";
import { Kube } from "../lib/kube";

const kube = Kube.admin();
afterAll(() => kube.close());

const GiB = 2 ** 30;
const BYTES = [0, 1, 512, 1023, 1024, 1536, 128 * 2 ** 20, 1.5 * GiB, 8 * GiB, 1000 * 2 ** 20, 1024 * GiB, 1536 * GiB, 2 ** 50, 3 * 2 ** 40 + 2 ** 30, 1000, 123456789];
const DECIMAL = [0, 0.001, 0.1, 0.25, 0.5, 1, 1.5, 2, 4, 8, 12, 100, 999, 1000, 1500, 2000, 1e6, 0.0000001, 1.0000001];

async function canonical(values: string[]): Promise<string[]> {
    const hard = Object.fromEntries(values.map((v, i) => [`requests.example.com/q${i}`, v]));
    const r = await kube.create({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quantities", namespace: "default" }, spec: { hard } }, true);
    expect(r.status).toBe(201);
    return values.map((_, i) => r.json.spec.hard[`requests.example.com/q${i}`]);
}

it("spells bytes as the API server stores them (binary SI)", async () => {
    const ours = BYTES.map((b) => formatQuantity(b, "binary"));
    expect(await canonical(ours)).toEqual(ours);
    // The same values in other spellings come back in ours: the check can fail.
    expect(await canonical(["1024Gi", "0.5Gi", "2048Ki"])).toEqual([formatQuantity(1024 * GiB, "binary"), formatQuantity(GiB / 2, "binary"), formatQuantity(2 * 2 ** 20, "binary")]);
});

it("spells cores and counts as the API server stores them (decimal SI)", async () => {
    const ours = DECIMAL.map((d) => formatQuantity(d, "decimal"));
    expect(await canonical(ours)).toEqual(ours);
    expect(await canonical(["1000m", "0.5", "1000"])).toEqual([formatQuantity(1, "decimal"), formatQuantity(0.5, "decimal"), formatQuantity(1000, "decimal")]);
});
