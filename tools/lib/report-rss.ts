// Preloaded into benchmarked processes (node -r): writes the process's peak RSS (KiB) on exit.
import * as fs from "fs";

process.on("exit", () => {
    if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
