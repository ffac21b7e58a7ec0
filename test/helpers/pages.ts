// Walking a list page by page, as a client does (README "Lists are connections"): `endCursor` as
// `after` for the next page, until `hasNextPage` is false.

export interface Connection<Node = any> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * The pages of one list from `after` on (null: from the start), each fetched by `fetchPage(after)`.
 * A `for await` body runs before the next page is fetched. More than `maxPages` pages throws: a list
 * that never ends is a failure, not a hang.
 */
export async function* pages<Page extends Connection>(
  fetchPage: (after: string | null) => Promise<Page>,
  { after = null, maxPages = 500 }: { after?: string | null; maxPages?: number } = {},
): AsyncGenerator<Page, void, undefined> {
  for (let fetched = 0; fetched < maxPages; fetched++) {
    const page = await fetchPage(after);
    yield page;
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor;
  }
  throw new Error(`more than ${maxPages} pages`);
}
