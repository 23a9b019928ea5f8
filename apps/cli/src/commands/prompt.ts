/**
 * Reads one line from a terminal with echo off; Ctrl-C or Ctrl-D gives up with
 * `giveUp`. Used for passwords and unlock keys, which never come from argv.
 */
export function promptHidden(prompt: string, giveUp: string): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  return new Promise((resolve, reject) => {
    let line = "";
    // Echo goes off before the prompt shows: a quick typist answering the prompt at once
    // would otherwise be echoed.
    input.setRawMode(true);
    output.write(prompt);
    input.resume();
    const done = (error?: Error) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003" || char === "\u0004") return done(new Error(giveUp));
        if (char === "\u007f" || char === "\b") line = [...line].slice(0, -1).join("");
        else line += char;
      }
    };
    input.on("data", onData);
  });
}
