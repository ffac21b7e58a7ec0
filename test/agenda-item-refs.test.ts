// A ticket's agendaItemId must name an item the collaboration subgraph has (issue 18, item 8b):
// createTicket, updateTicket and imports (also dry runs) refuse an unknown id with
// BAD_USER_INPUT on agendaItemId, accept a real one, and refuse the write (SERVICE_UNAVAILABLE,
// nothing written) when the collaboration cannot be asked.
import { createIdentitySigner } from '../shared/auth/internal-token';
import { COLLABORATION_TOKEN_HEADER } from '../poi-kit/agenda-items';
import { TicketEntity } from '../poi-kit/entities';
import { startStack, Stack } from './helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const ticketCount = () => stack.subgraphs.get('cubiss')!.database.dataSource.manager.count(TicketEntity);
const CREATE = (agendaItemId: string) =>
  `mutation { cubiss { createTicket(input: { libraryId: "2", title: "Koppeling werkagenda", category: INTERFACES, priority: P3, agendaItemId: "${agendaItemId}" }) { id version agendaItem { id title } } } }`;

async function refusedWith(query: string) {
  const before = await ticketCount();
  const response = await stack.query(query);
  // The write field is null (write fields are nullable: a refused write does not hide the others).
  expect(Object.values(response.data?.cubiss ?? {})).toEqual([null]);
  expect(response.errors).toHaveLength(1);
  expect(await ticketCount()).toBe(before);
  return response.errors![0];
}

/** POST /import of one ticket row, signed as the CLI does; `withCollaborationToken: false` leaves the second token out. */
async function importTicket(agendaItemId: string, { dryRun = true, withCollaborationToken = true } = {}) {
  const sign = await createIdentitySigner(stack.config.security.gatewaySigningKey!);
  const identity = { subject: 'import', name: 'import:test', scopes: ['poi:cubiss:write', 'network:read'], anonymous: false };
  const headers: Record<string, string> = { 'content-type': 'text/csv', authorization: `Bearer ${await sign(identity, 'cubiss')}` };
  if (withCollaborationToken) headers[COLLABORATION_TOKEN_HEADER] = await sign(identity, 'collaboration');
  const file = `reference,libraryName,title,category,priority,status,openedAt,resolvedAt,assignee,agendaItemId\nWA-REF-1,Bibliotheek Midden-Brabant,Koppeling,INTERFACES,P3,OPEN,2026-03-01T09:00:00Z,,,${agendaItemId}\n`;
  const response = await fetch(`${stack.subgraphs.get('cubiss')!.url.replace(/\/graphql$/, '')}/import?entity=tickets&dryRun=${dryRun}`, {
    method: 'POST',
    headers,
    body: file,
  });
  return { status: response.status, body: (await response.json()) as { errors: { line: number; column: string; reason: string }[]; created: number } };
}

describe('agendaItemId must exist in the work agenda', () => {
  it('createTicket refuses an unknown item with BAD_USER_INPUT on agendaItemId, not a null agendaItem later', async () => {
    const error = await refusedWith(CREATE('WA-9999-99'));
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'input.agendaItemId', message: 'WA-9999-99 is not an item of the work agenda' }],
    });
  });

  it('updateTicket refuses an unknown item the same way', async () => {
    const error = await refusedWith(`mutation { cubiss { updateTicket(id: "1", input: { agendaItemId: "WA-9999-99", expectedVersion: 1 }) { id } } }`);
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'input.agendaItemId', message: 'WA-9999-99 is not an item of the work agenda' }],
    });
    const ticket = await stack.subgraphs.get('cubiss')!.database.dataSource.manager.findOneByOrFail(TicketEntity, { id: 1 });
    expect(ticket.agendaItemId).not.toBe('WA-9999-99');
  });

  it('an item that exists is accepted, and the ticket shows it', async () => {
    const response = await stack.query(CREATE('WA-2025-03'));
    expect(response.errors).toBeUndefined();
    expect(response.data.cubiss.createTicket.agendaItem).toMatchObject({ id: 'WA-2025-03', title: expect.any(String) });
  });

  it('an import (also a dry run) refuses an unknown item on its line, accepts a known one, and refuses without a token for the collaboration', async () => {
    const before = await ticketCount();
    const unknown = await importTicket('WA-9999-99');
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ line: 2, column: 'agendaItemId', reason: 'WA-9999-99 is not an item of the work agenda' }]);
    expect((await importTicket('WA-9999-99', { dryRun: false })).status).toBe(422);
    const known = await importTicket('WA-2025-03');
    expect(known).toMatchObject({ status: 200, body: { created: 1, errors: [] } });
    const unchecked = await importTicket('WA-2025-03', { withCollaborationToken: false });
    expect(unchecked.status).toBe(422);
    expect(unchecked.body.errors).toEqual([
      {
        line: 0,
        column: '',
        reason: 'agendaItemId cannot be checked now: the request carries no token for the collaboration subgraph; nothing was written, try again later',
      },
    ]);
    expect(await ticketCount()).toBe(before);
  });

  it('while the collaboration subgraph is down a ticket with an agenda item is refused (SERVICE_UNAVAILABLE), one without is written', async () => {
    await stack.stopSubgraph('collaboration');
    const error = await refusedWith(CREATE('WA-2025-03'));
    expect(error.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toMatch(/^agendaItemId cannot be checked now: the collaboration subgraph could not be asked/);
    const plain = await stack.query(
      `mutation { cubiss { createTicket(input: { libraryId: "2", title: "Zonder werkagenda", category: FINES, priority: P4 }) { id } } }`,
    );
    expect(plain.errors).toBeUndefined();
  });
});
