// The URL of a module beside the calling one, with the caller's own extension: .ts under tsx (tests),
// .js in tsc's dist/, .cjs in the bundled CLI (dist/bundle/), so a worker thread runs the same build.
export function siblingModule(callerUrl: string, name: string): URL {
  const ext = /\.[cm]?[jt]s$/.exec(new URL(callerUrl).pathname)?.[0] ?? '.js';
  return new URL(`./${name}${ext}`, callerUrl);
}
