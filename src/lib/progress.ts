/**
 * A one-line progress bar on stderr, redrawn in place on a terminal; elsewhere (CI logs, pipes) only
 * the final count is written, so logs do not fill with carriage returns.
 */
export function progressBar(label: string, done: number, total: number, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) {
    if (done === total) stream.write(`${label}: ${total}/${total}\n`);
    return;
  }
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
}
