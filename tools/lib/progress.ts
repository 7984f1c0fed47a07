/**
 * A one-line progress display for long runs on a terminal: nothing for the first seconds (most runs
 * finish first), then the phase and a count, redrawn in place, erased when done. Not a TTY (CI logs,
 * pipes, tests): nothing at all.
 */
export class Progress {
    private phase = "";
    private timer: NodeJS.Timeout | undefined;
    private drawn = false;
    private readonly started = performance.now();

    constructor(
        private readonly count: () => number,
        private readonly stream: NodeJS.WriteStream = process.stderr,
        delayMs = 2000,
    ) {
        if (!stream.isTTY) return;
        this.timer = setTimeout(() => {
            this.draw();
            this.timer = setInterval(() => this.draw(), 250);
            this.timer.unref();
        }, delayMs);
        this.timer.unref();
    }

    /** Names what runs now ("running the program", "evaluating policies"). */
    step(phase: string): void {
        this.phase = phase;
        if (this.drawn) this.draw();
    }

    /** Stops and erases the line. */
    done(): void {
        clearTimeout(this.timer);
        clearInterval(this.timer);
        if (this.drawn) this.stream.write("\r\x1b[K");
        this.drawn = false;
    }

    private draw(): void {
        const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
        this.stream.write(`\r\x1b[Ksynth: ${this.phase}: ${this.count()} resources (${seconds} s)`);
        this.drawn = true;
    }
}
