/**
 * "Did you mean" for config typos: the candidate nearest to `word` by optimal-string-alignment distance
 * (Levenshtein plus adjacent transpositions, so `lrage` is one edit from `large`), if within `max`.
 */
export function nearest(word: string, candidates: Iterable<string>, max = 2): string | undefined {
    let best: string | undefined;
    let bestDistance = max + 1;
    for (const c of candidates) {
        const d = editDistance(word, c);
        if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    return best;
}

export function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}
