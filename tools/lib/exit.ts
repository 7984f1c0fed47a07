/**
 * Exits once stdout and stderr have been written out. `process.exit` right after a large `console.log`
 * drops what is still queued for a pipe (CI logs, `synth | tee`, a child process's captured output):
 * a 14,000-resource summary was cut off mid-line. Stream callbacks run in order, so the empty writes'
 * callbacks mean everything before them has been flushed.
 */
export function exitWhenFlushed(code: number): void {
    process.exitCode = code;
    let pending = 2;
    const done = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}
