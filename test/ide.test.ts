// GraphiQL on the gateway: a browser's GET /graphql gets the IDE with the example operations of
// operations/ as tabs, everything inline (no CDN); API clients are unaffected.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_IDE_TITLE, ideLandingPage, readExampleOperations, renderIde } from '../gateway/src/ide';
import { startStack, Stack } from './helpers/stack';

let stack: Stack;
let html: string;
beforeAll(async () => {
  stack = await startStack();
  const response = await fetch(stack.gateway.url, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  html = await response.text();
});
afterAll(async () => {
  await stack?.stop();
});

const operations = readExampleOperations();

/** The options GraphiQL is started with: the JSON literal in the page's last call of renderYogaGraphiQL. */
function graphiqlOptionsOf(page: string): any {
  const call = page.lastIndexOf('YogaGraphiQL.renderYogaGraphiQL(');
  expect(call).toBeGreaterThan(0);
  const start = page.indexOf('{', page.indexOf("querySelector('#root')", call));
  const end = page.lastIndexOf('}', page.lastIndexOf('</script>'));
  return JSON.parse(page.slice(start, end + 1));
}

/** Opening tags that load something: script/link/img/iframe/… with a src or href. */
const loadingTags = (page: string) => page.match(/<(script|link|img|iframe|source|embed|object)\b[^>]*\b(src|href|data)\s*=\s*["']?[^"'\s>]*/gi) ?? [];

describe('GraphiQL for browsers', () => {
  it('serves GraphiQL on GET /graphql with Accept: text/html, titled, with every example operation', () => {
    expect(html).toMatch(/^\s*<!doctype html>/i);
    expect(html).toContain(`<title>${DEFAULT_IDE_TITLE}</title>`);
    expect(html).toContain('YogaGraphiQL.renderYogaGraphiQL(');
    expect(operations.length).toBeGreaterThanOrEqual(10);
    for (const op of operations) {
      expect(op.name).toBeTruthy();
      expect(html).toContain(`query ${op.name}`);
    }
  });

  it('opens one tab per file of operations/, network overview first, each with its variables as JSON', () => {
    const files = fs.readdirSync(path.resolve(__dirname, '../operations')).filter((f) => f.endsWith('.graphql'));
    const options = graphiqlOptionsOf(html);
    expect(options.title).toBe(DEFAULT_IDE_TITLE);
    expect(options.defaultTabs).toHaveLength(files.length);
    expect(options.defaultTabs.map((t: any) => t.query)).toEqual(operations.map((op) => op.text));
    expect(options.defaultTabs[0].query).toContain('query NetworkOverview');
    for (const tab of options.defaultTabs) expect(typeof JSON.parse(tab.variables)).toBe('object');
  });

  it('has tabs that run as they open: each query with its variables gives data and no errors (with a token holding every scope)', async () => {
    const { defaultTabs } = graphiqlOptionsOf(html);
    for (const tab of defaultTabs) {
      const response = await stack.query(tab.query, JSON.parse(tab.variables));
      expect({ query: tab.query.split('\n').find((l: string) => l.startsWith('query')), errors: response.errors }).toEqual({
        query: expect.any(String),
        errors: undefined,
      });
      expect(response.status).toBe(200);
    }
  });

  it('loads nothing from the internet: no external script, stylesheet, font or image', () => {
    // GraphiQL's JS and CSS are inline; its fonts and icons are data: URLs; its editor workers are blobs.
    const external = loadingTags(html).filter((tag) => /(src|href|data)\s*=\s*["']?(https?:)?\/\//i.test(tag));
    expect(external).toEqual([]);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/<link\b[^>]*\brel\s*=\s*["']?stylesheet/i);
    expect(html).not.toMatch(/@import\s+(url\()?\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/cdn\.jsdelivr|unpkg\.com|cdnjs|fonts\.googleapis|fonts\.gstatic|esm\.sh/i);
    // The one <link>, the favicon, is inline.
    expect(html).toMatch(/<link rel="icon" href="data:/);
  });
});

describe('API clients are unaffected', () => {
  it('POST still executes queries', async () => {
    const response = await stack.query(`query Codes { pois { code } }`);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data.pois.map((p: any) => p.code)).toEqual(['BISC', 'CUBISS', 'PROBIBLIO', 'RIJNBRINK']);
  });

  it('GET with Accept: application/json and ?query= still executes queries', async () => {
    const url = new URL(stack.gateway.url);
    url.searchParams.set('query', 'query Named($code: ID!) { poi(code: $code) { code name } }');
    url.searchParams.set('variables', JSON.stringify({ code: 'cubiss' }));
    // Apollo Server's CSRF prevention wants a preflighted header on GET requests.
    const response = await fetch(url, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ data: { poi: { code: 'CUBISS', name: 'Cubiss' } } });
  });
});

describe('the plugin', () => {
  const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const start = (options: Parameters<typeof ideLandingPage>[0]) => ideLandingPage(options).serverWillStart!({ logger } as any);

  it('serves no page when disabled', async () => {
    expect(await start({ enabled: false })).toBeUndefined();
  });

  it('reads the operations once, at start-up, not per request', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ide-'));
    try {
      fs.writeFileSync(path.join(dir, 'first.graphql'), '# For: a test\nquery First { pois { code } }\n');
      const listener = (await start({ operationsDir: dir, title: 'Test IDE' }))!;
      fs.writeFileSync(path.join(dir, 'second.graphql'), 'query Second { pois { name } }\n');
      const landingPage = await listener.renderLandingPage!();
      const page = await (landingPage.html as () => Promise<string>)();
      expect(page).toContain('<title>Test IDE</title>');
      expect(graphiqlOptionsOf(page).defaultTabs).toEqual([{ query: '# For: a test\nquery First { pois { code } }\n', variables: '{}' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still serves GraphiQL, without tabs, when the operations folder is missing', async () => {
    const listener = (await start({ operationsDir: path.join(os.tmpdir(), 'no-such-operations-folder') }))!;
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('without example operations'));
    const page = await ((await listener.renderLandingPage!()).html as () => Promise<string>)();
    expect(graphiqlOptionsOf(page).defaultTabs).toEqual([]);
  });

  it("cannot be broken out of its <script> by an operation's text", () => {
    const query = '# </script><script>alert(1)</script>\nquery X { pois { code } }';
    const page = renderIde({ title: 't', defaultTabs: [{ query, variables: '{}' }] });
    expect(page).not.toContain('<script>alert(1)');
    expect(graphiqlOptionsOf(page).defaultTabs[0].query).toBe(query);
  });
});
