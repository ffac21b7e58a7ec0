// Stack traces of the compiled build (dist/) on the .ts lines, with each source map read only
// when a stack trace needs it. Node's `--enable-source-maps` does the same but reads and keeps
// the source map of every module it loads, node_modules' included (TypeORM, Apollo, graphql…):
// about 9 MiB more per process (bench/README.md "Memory"). Only the project's own files are
// mapped here; other frames stay as they are. Running the sources through tsx, tsx maps them.
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

/** The build's root (dist/) when this file is compiled; the checkout when it runs as TypeScript. */
const ROOT = path.resolve(__dirname, '..');
const maps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null; // no map beside it: the frame stays as it is
    }
    maps.set(file, map);
  }
  return map;
}

/** `file:line:column` of one frame in the .ts source, when the frame is in a compiled file of this project. */
export function originalPosition(file: string, line: number, column: number): string | undefined {
  if (!file.startsWith(ROOT + path.sep) || !file.endsWith('.js')) return undefined;
  const entry = sourceMapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry) || !entry.originalSource) return undefined;
  return `${path.resolve(path.dirname(file), entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

function formatFrame(site: NodeJS.CallSite): string {
  const text = String(site);
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const original = file && line && column ? originalPosition(file, line, column) : undefined;
  return original ? text.replace(`${file}:${line}:${column}`, original) : text;
}

/** Maps stack traces to the .ts lines from now on; nothing when running the sources or under --enable-source-maps. */
export function installSourceMaps(): void {
  if (path.extname(__filename) !== '.js' || process.execArgv.includes('--enable-source-maps')) return;
  Error.prepareStackTrace = (error, frames) => {
    let head: string;
    try {
      head = Error.prototype.toString.call(error);
    } catch {
      head = 'Error';
    }
    return [head, ...frames.map((frame) => `    at ${formatFrame(frame)}`)].join('\n');
  };
}
