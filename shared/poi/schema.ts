import { COMMON_SDL, enumSdl, FEDERATION_LINK, POI_CODE_FIELD, POI_INTERFACE_DESCRIPTION, poiTypeDescription, STATS_MAX_AGE } from '../graphql/common';
import type { Poi } from '../registry';
import { NETWORK_READ, poiScope } from '../auth/identity';

/** The POI's own implementations of the shared interfaces: `CubissContract`, `CubissVendorContract`. */
export const poiContractType = (poi: Poi) => `${poi.typeName.replace(/Poi$/, '')}Contract`;
export const poiVendorContractType = (poi: Poi) => `${poi.typeName.replace(/Poi$/, '')}VendorContract`;

const PAGE_ARGS = `
    "How many items to return: 0 to 100, default 20."
    first: Int
    "Return the items after this cursor (a pageInfo.endCursor of the same list and order)."
    after: String`;

const TICKETS_ARGS = `
    "Only requests matching every given condition."
    filter: TicketFilter
    "Sort order; default newest first (OPENED_AT, DESC)."
    orderBy: TicketOrder${PAGE_ARGS}`;

/**
 * Who may read what (README "Security"), declared with Federation's @requiresScopes on the POI's
 * own types, so the subgraph enforces it and an engine such as Apollo Router can enforce it
 * from the supergraph too. The shared `Poi` interface carries no rules.
 */
type Access = 'shared' | 'own' | 'confidential';
type Guard = (access: Access) => string;
const noGuard: Guard = () => '';
function poiGuard(poi: Poi): Guard {
  const scopes: Record<Access, string[][]> = {
    shared: [[NETWORK_READ], [poiScope(poi, 'read')]],
    own: [[poiScope(poi, 'read')]],
    confidential: [[poiScope(poi, 'contracts')]],
  };
  return (access) => ` @requiresScopes(scopes: ${JSON.stringify(scopes[access])})`;
}

/** The fields every POI subgraph resolves on its own POI type (and on the shared `Poi` view). */
const poiOwnedFields = (guard: Guard) => `${POI_CODE_FIELD}
  "The library organisations this POI serves (bibliotheken). Null when the POI's subgraph is unavailable."
  libraries(
    "Only libraries matching every given condition."
    filter: LibraryFilter
    "Sort order; default by name, A to Z."
    orderBy: LibraryOrder${PAGE_ARGS}
  ): LibraryConnection${guard('shared')}
  "One library organisation of this POI by id; null when it does not exist."
  library("The library's id." id: ID!): Library${guard('shared')}
  "Service agreements (dienstverleningsovereenkomsten, DVO's) between this POI and its libraries."
  contracts(
    "Only agreements matching every given condition."
    filter: ContractFilter
    "Sort order; default by end date, soonest first."
    orderBy: ContractOrder${PAGE_ARGS}
  ): ContractConnection${guard('shared')}
  "This POI's own licences with the library-system vendor (leverancierscontracten)."
  vendorContracts: [VendorContract!]${guard('own')}
  "Functional-management requests (meldingen) from this POI's libraries."
  tickets(${TICKETS_ARGS}
  ): TicketConnection${guard('shared')}
  "Articles in this POI's knowledge base (kennisbank). With \`search\`, ranked by relevance with a \`score\`; otherwise newest first."
  knowledgeArticles(
    "Words to search for in title, summary, body and tags; every word must match, as a word or the start of one."
    search: String${PAGE_ARGS}
  ): KnowledgeArticleConnection${guard('shared')}
  "Aggregate figures for dashboards, computed in the POI's database; reused by the gateway for up to ${STATS_MAX_AGE} s."
  stats: PoiStats${guard('shared')} @cacheControl(maxAge: ${STATS_MAX_AGE})`;

const contractFields = (guard: Guard) => `
  "Identifier, unique within the POI."
  id: ID!
  "The library the agreement is with."
  library: Library!
  "Services covered by the agreement."
  services: [ContractService!]!
  "First day the agreement applies."
  startsOn: Date!
  "Last day the agreement applies."
  endsOn: Date!
  "Lifecycle state."
  status: ContractStatus!
  "Yearly fee in euros, excluding VAT (confidential contract term: scope poi:<poi>:contracts)."
  annualFee: Float${guard('confidential')}
  "Notice period (opzegtermijn) in months (confidential contract term: scope poi:<poi>:contracts)."
  noticePeriodMonths: Int${guard('confidential')}
  "Version for optimistic locking: pass it as expectedVersion when changing the agreement."
  version: Int!`;

const vendorContractFields = (guard: Guard) => `
  "Identifier, unique within the POI."
  id: ID!
  "The vendor (leverancier)."
  vendor: String!
  "The licensed product."
  product: String!
  "First day of the licence."
  startsOn: Date!
  "Last day of the licence."
  endsOn: Date!
  "Yearly licence fee in euros, excluding VAT (confidential contract term: scope poi:<poi>:contracts)."
  annualFee: Float${guard('confidential')}`;

const ORDER = (name: string, what: string, fields: Record<string, string>, defaultDirection: string) => `
${enumSdl(`${name}OrderField`, `What to sort ${what} by.`, fields)}

"A sort order for ${what}; ties are broken by id."
input ${name}Order {
  "The field to sort by."
  field: ${name}OrderField!
  "Ascending or descending."
  direction: SortDirection = ${defaultDirection}
}`;

/** The value types and inputs every POI subgraph defines identically (@shareable, no key). */
const VALUE_TYPES_SDL = `
"Paging information for a connection."
type PageInfo @shareable {
  "True when more items follow the last one returned."
  hasNextPage: Boolean!
  "Opaque cursor of the last item returned; pass it as \`after\` to get the next page."
  endCursor: String
}

${enumSdl('SortDirection', 'Sort direction.', { ASC: 'Ascending: A to Z, low to high, old to new.', DESC: 'Descending: Z to A, high to low, new to old.' })}
${ORDER('Library', 'libraries', { NAME: 'Name of the organisation.', MEMBER_COUNT: 'Number of members (leden).', PROVINCE: 'Province of the seat.' }, 'ASC')}
${ORDER('Contract', 'service agreements', { ENDS_ON: 'Last day of the agreement.', STARTS_ON: 'First day of the agreement.', ANNUAL_FEE: 'Yearly fee.' }, 'ASC')}
${ORDER('Ticket', 'requests', { OPENED_AT: 'When the request was opened.', PRIORITY: 'Priority, P1 first when ascending.', RESOLVED_AT: 'When the request was resolved; unresolved requests count as resolved last.' }, 'DESC')}

"Filters for a POI's libraries; all given conditions must hold."
input LibraryFilter {
  "Only libraries in this province."
  province: Province
  "Only libraries serving this municipality (gemeente), exact name."
  municipality: String
  "Only libraries whose name contains this text (case-insensitive)."
  nameContains: String
  "True: only libraries with an ACTIVE service agreement; false: only those without one."
  hasActiveContract: Boolean
}

"Filters for service agreements; all given conditions must hold."
input ContractFilter {
  "Only agreements in this state."
  status: ContractStatus
  "Only agreements that include this service."
  service: ContractService
  "Only agreements ending on or after this day."
  endsAfter: Date
  "Only agreements ending before this day."
  endsBefore: Date
}

"Filters for requests; all given conditions must hold, a list matches any of its values."
input TicketFilter {
  "Only requests in one of these states."
  status: [TicketStatus!]
  "Only requests with one of these priorities."
  priority: [TicketPriority!]
  "Only requests in one of these categories."
  category: [TicketCategory!]
  "Only requests opened at or after this moment."
  openedAfter: DateTime
  "Only requests opened before this moment."
  openedBefore: DateTime
  "Only requests from this library."
  libraryId: ID
}

"A library organisation (bibliotheekorganisatie) served by a POI."
type Library @shareable {
  "Identifier, unique within the POI."
  id: ID!
  "Name of the library organisation."
  name: String!
  "Province of the organisation's seat."
  province: Province!
  "Municipalities (gemeenten) the library serves."
  municipalities: [String!]!
  "The Wise instance (omgeving) the library runs on."
  wiseInstanceCode: String!
  "Number of members (leden)."
  memberCount: Int!
  "The library's branches (vestigingen), main branch first."
  branches: [Branch!]!
  "The library's current service agreement with its POI: the active one, else the latest."
  contract: Contract
  "Functional-management requests (meldingen) from this library."
  tickets(${TICKETS_ARGS}
  ): TicketConnection!
  "Version for optimistic locking: pass it as expectedVersion when changing the library."
  version: Int!
}

"A branch (vestiging) of a library."
type Branch @shareable {
  "Identifier, unique within the POI."
  id: ID!
  "Branch name."
  name: String!
  "City or village (plaats)."
  city: String!
  "Dutch postal code (postcode), e.g. \\"3511 AB\\"."
  postalCode: String!
  "True for the library's main branch (hoofdvestiging)."
  isMain: Boolean!
}

${enumSdl('ContractStatus', 'Lifecycle state of a service agreement.', {
  DRAFT: 'Being negotiated; not yet in force (concept).',
  ACTIVE: 'In force (lopend).',
  EXPIRED: 'Ended on its end date (verlopen).',
  TERMINATED: 'Ended early by notice (opgezegd).',
})}

${enumSdl('ContractService', 'A service a POI delivers under a service agreement.', {
  WISE_HOSTING: 'Hosting of the Wise library system (hostedWise).',
  FUNCTIONAL_MANAGEMENT: 'Functional management of Wise (functioneel beheer).',
  HELPDESK: 'Helpdesk for library staff (servicedesk).',
  CATALOGUING: 'Cataloguing in the shared catalogue (catalogisering).',
  INTERLIBRARY_LOAN: 'Interlibrary loan and transport (IBL).',
  DATA_ANALYTICS: 'Management information and data analysis.',
})}

"A service agreement (dienstverleningsovereenkomst, DVO) between a POI and one library. Each POI has its own type (CubissContract, …) so that its confidential terms are guarded by that POI's own scope."
interface Contract {${contractFields(noGuard)}
}

"A POI's licence with the library-system vendor (e.g. OCLC for Wise). Each POI has its own type (CubissVendorContract, …)."
interface VendorContract {${vendorContractFields(noGuard)}
}

${enumSdl('TicketCategory', 'Functional area of a request.', {
  RESERVATIONS: 'Reservations (reserveringen).',
  FINES: 'Fines and fees (boetes en tarieven).',
  MEMBERSHIP: 'Member administration (ledenadministratie).',
  CATALOGUE: 'Catalogue and items (catalogus).',
  CIRCULATION: 'Lending and returns (uitlening en inname).',
  REPORTING: 'Reports and management information (rapportage).',
  INTERFACES: 'Interfaces with other systems (koppelingen).',
})}

${enumSdl('TicketPriority', 'Urgency of a request.', {
  P1: 'Critical: service to members is down.',
  P2: 'High: a main function is impaired.',
  P3: 'Normal.',
  P4: 'Low: a question or wish.',
})}

${enumSdl('TicketStatus', 'Handling state of a request; OPEN, IN_PROGRESS and WAITING count as open.', {
  OPEN: 'Received, not yet picked up.',
  IN_PROGRESS: 'Being worked on (in behandeling).',
  WAITING: 'Waiting for the library or the vendor.',
  RESOLVED: 'Solved, awaiting confirmation (opgelost).',
  CLOSED: 'Closed (gesloten).',
})}

"An item on the collaboration's shared work agenda (werkagenda)."
type WorkAgendaItem @key(fields: "id", resolvable: false) {
  "Identifier, e.g. WA-2024-03."
  id: ID!
}

"A functional-management request (melding) from a library to its POI."
type Ticket @shareable {
  "Identifier, unique within the POI."
  id: ID!
  "The library that raised the request."
  library: Library!
  "Short description of the request."
  title: String!
  "Functional area."
  category: TicketCategory!
  "Urgency."
  priority: TicketPriority!
  "Handling state."
  status: TicketStatus!
  "When the request was opened."
  openedAt: DateTime!
  "When the request was resolved; null while it is open."
  resolvedAt: DateTime
  "The work-agenda item (werkagenda) this request feeds into, if any."
  agendaItem: WorkAgendaItem
  "The POI's own request number (meldingsnummer), e.g. CUBI-000123."
  reference: String!
  "Who at the POI handles the request (behandelaar); null while unassigned."
  assignee: String
  "Version for optimistic locking: pass it as expectedVersion when changing the request."
  version: Int!
}

"An article in a POI's knowledge base (kennisbank)."
type KnowledgeArticle @shareable {
  "Identifier, unique within the POI."
  id: ID!
  "Title."
  title: String!
  "One or two sentences for result lists."
  summary: String!
  "The full text."
  body: String!
  "Keywords."
  tags: [String!]!
  "The knowledge system the article comes from, e.g. eKIC or bnbibliotheek."
  source: String!
  "When the article was last changed."
  updatedAt: DateTime!
  "Relevance to the search, higher is better; null when the list was not searched."
  score: Float
  "Version for optimistic locking: pass it as expectedVersion when changing the article."
  version: Int!
}

${enumSdl('AuditEntity', 'What kind of record a change was made to.', {
  LIBRARY: 'A library organisation.',
  BRANCH: 'A branch (vestiging).',
  CONTRACT: 'A service agreement.',
  TICKET: 'A request (melding).',
  KNOWLEDGE_ARTICLE: 'A knowledge-base article.',
})}

${enumSdl('AuditAction', 'What a change did.', { CREATE: 'Created the record.', UPDATE: 'Changed fields of the record.', DELETE: 'Removed the record.' })}

"One field's change in an audit entry; values are JSON text."
type FieldChange @shareable {
  "The field that changed."
  field: String!
  "The value before, as JSON; null when the record was created."
  from: String
  "The value after, as JSON."
  to: String
}

"One write in a POI's audit trail (logboek): who changed what, when, and how."
type AuditEntry @shareable {
  "Identifier, increasing with time."
  id: ID!
  "When the change was made."
  at: DateTime!
  "Who made it."
  actor: String!
  "Through what: mutation or import."
  via: String!
  "The kind of record changed."
  entity: AuditEntity!
  "The id of the record changed."
  entityId: ID!
  "Create, update or delete."
  action: AuditAction!
  "The fields that changed."
  changes: [FieldChange!]!
}

"A page of audit entries, newest first."
type AuditEntryConnection @shareable {
  "Number of entries over all pages."
  totalCount: Int!
  "The entries of this page."
  nodes: [AuditEntry!]!
  "Where this page ends."
  pageInfo: PageInfo!
}

"A branch as written by upsertLibrary."
input BranchInput {
  "Branch name, unique within the library."
  name: String!
  "City or village."
  city: String!
  "Dutch postal code, e.g. 3511 AB (3511AB is accepted too)."
  postalCode: String!
  "True for exactly one branch: the main branch."
  isMain: Boolean!
}

"A library organisation to create or update, matched by its Wise instance code."
input LibraryInput {
  "The Wise instance code: the library's natural key."
  wiseInstanceCode: String!
  "Name of the library organisation."
  name: String!
  "Province of the seat; one of the POI's provinces."
  province: Province!
  "Municipalities served; at least one."
  municipalities: [String!]!
  "City of the seat, if known."
  mainCity: String
  "Number of members, 0 or more."
  memberCount: Int!
  "When given, the library's full set of branches (matched by name): missing ones are removed."
  branches: [BranchInput!]
  "The version you read; required when the library exists already."
  expectedVersion: Int
}

"A new service agreement."
input ContractInput {
  "The library, an id of this POI."
  libraryId: ID!
  "Services covered; at least one."
  services: [ContractService!]!
  "First day."
  startsOn: Date!
  "Last day; after startsOn."
  endsOn: Date!
  "Yearly fee in euros, 0 or more, at most two decimals."
  annualFee: Float!
  "Notice period in months, 0 to 36."
  noticePeriodMonths: Int!
  "DRAFT or ACTIVE (default); a library has at most one ACTIVE agreement."
  status: ContractStatus
}

"Extends an agreement."
input RenewContractInput {
  "The new last day; after the current one."
  endsOn: Date!
  "A new yearly fee, if it changes."
  annualFee: Float
  "The version you read."
  expectedVersion: Int!
}

"Ends an agreement early by notice."
input TerminateContractInput {
  "The last day; after the start and not after the current end."
  endsOn: Date!
  "The version you read."
  expectedVersion: Int!
}

"A new request."
input TicketInput {
  "The library raising it, an id of this POI."
  libraryId: ID!
  "Short description."
  title: String!
  "Functional area."
  category: TicketCategory!
  "Urgency."
  priority: TicketPriority!
  "A work-agenda item it feeds into, e.g. WA-2025-03."
  agendaItemId: ID
}

"Changes to a request; fields left out stay as they are."
input TicketUpdateInput {
  "Short description."
  title: String
  "Functional area."
  category: TicketCategory
  "Urgency."
  priority: TicketPriority
  "Handling state; RESOLVED or CLOSED sets resolvedAt, an open state clears it."
  status: TicketStatus
  "A work-agenda item it feeds into."
  agendaItemId: ID
  "The version you read."
  expectedVersion: Int!
}

"Gives a request to someone."
input AssignTicketInput {
  "Who handles it."
  assignee: String!
  "The version you read."
  expectedVersion: Int!
}

"Marks a request resolved."
input ResolveTicketInput {
  "The version you read."
  expectedVersion: Int!
}

"A new knowledge-base article; title is unique within its source."
input KnowledgeArticleInput {
  "Title."
  title: String!
  "One or two sentences."
  summary: String!
  "The full text."
  body: String!
  "Keywords."
  tags: [String!]!
  "The knowledge system, e.g. eKIC."
  source: String!
}

"Changes to an article; fields left out stay as they are."
input KnowledgeArticleUpdateInput {
  "Title."
  title: String
  "One or two sentences."
  summary: String
  "The full text."
  body: String
  "Keywords."
  tags: [String!]
  "The knowledge system."
  source: String
  "The version you read."
  expectedVersion: Int!
}

"A count per key, for grouped statistics."
type KeyCount @shareable @cacheControl(inheritMaxAge: true) {
  "The group, e.g. a status or province."
  key: String!
  "Number of items in the group."
  count: Int!
}

"A count per calendar month."
type MonthCount @shareable @cacheControl(inheritMaxAge: true) {
  "The month as YYYY-MM."
  month: String!
  "Number of items in the month."
  count: Int!
}

"Aggregate figures of one POI for dashboards, each computed by one SQL aggregate."
type PoiStats @shareable @cacheControl(inheritMaxAge: true) {
  "Number of library organisations."
  libraryCount: Int!
  "Number of branches (vestigingen)."
  branchCount: Int!
  "Members (leden) over all libraries."
  memberCount: Int!
  "Service agreements with status ACTIVE."
  activeContractCount: Int!
  "Requests with status OPEN, IN_PROGRESS or WAITING."
  openTicketCount: Int!
  "Number of requests per status, every status present."
  ticketsByStatus: [KeyCount!]!
  "Number of requests per priority, every priority present."
  ticketsByPriority: [KeyCount!]!
  "Number of requests per category, every category present."
  ticketsByCategory: [KeyCount!]!
  "Requests opened per calendar month, oldest first, ending with the current month; empty months count 0."
  ticketsOpenedPerMonth("How many months, 1 to 60." months: Int = 12): [MonthCount!]!
  "Requests resolved per calendar month, oldest first, ending with the current month; empty months count 0."
  ticketsResolvedPerMonth("How many months, 1 to 60." months: Int = 12): [MonthCount!]!
  "Median hours from opening to resolution over all resolved requests; null when none is resolved."
  medianResolutionHours: Float
  "Active service agreements ending from today up to (not including) this many days ahead."
  contractsExpiringWithin("Days ahead, 1 to 3660." days: Int!): Int!
  "Number of libraries per province."
  librariesByProvince: [KeyCount!]!
}
${['Library', 'Contract', 'Ticket', 'KnowledgeArticle']
  .map(
    (node) => `
"A page of ${node} items."
type ${node}Connection @shareable {
  "Number of items over all pages."
  totalCount: Int!
  "The items of this page."
  nodes: [${node}!]!
  "Where this page ends."
  pageInfo: PageInfo!
}`,
  )
  .join('\n')}
`;

/**
 * The complete SDL of one POI's subgraph: the common POI schema, instantiated with the POI's own
 * entity type (`CubissPoi`) and root field (`cubiss`).
 */
export function poiSubgraphSdl(poi: Poi): string {
  const guard = poiGuard(poi);
  return `${FEDERATION_LINK}
${COMMON_SDL}
"${POI_INTERFACE_DESCRIPTION}"
interface Poi {${poiOwnedFields(noGuard)}
}

"${poiTypeDescription(poi)}"
type ${poi.typeName} implements Poi @key(fields: "code") {${poiOwnedFields(guard)}
  "${poi.name}'s audit trail (logboek): every write, newest first."
  audit(
    "Only changes to this kind of record."
    entity: AuditEntity${PAGE_ARGS}
  ): AuditEntryConnection${guard('own')}
}

"A service agreement of ${poi.name} with one of its libraries; fees and notice period need the scope ${poiScope(poi, 'contracts')}."
type ${poiContractType(poi)} implements Contract {${contractFields(guard).replace(/<poi>/g, poi.subgraphName)}
}

"A licence of ${poi.name} with the library-system vendor; the fee needs the scope ${poiScope(poi, 'contracts')}."
type ${poiVendorContractType(poi)} implements VendorContract {${vendorContractFields(guard).replace(/<poi>/g, poi.subgraphName)}
}

type Query {
  "${poi.name}'s own data, served by ${poi.name}'s subgraph."
  ${poi.rootField}: ${poi.typeName}${guard('shared')}
}

type Mutation {
  "${poi.name}'s writes (scope ${poiScope(poi, 'write')}), namespaced because root mutation fields must be unique per subgraph. Null with an error when refused, so another POI's writes in the same request still answer."
  ${poi.rootField}: ${poi.typeName}Mutations @authenticated @requiresScopes(scopes: ${JSON.stringify([[poiScope(poi, 'write')]])})
}

"Writes to ${poi.name}'s own data. Each is validated (BAD_USER_INPUT with the offending field paths in extensions.problems), runs in one transaction, is recorded in the audit trail, and refuses a record changed since you read it (CONFLICT). Each write commits or fails on its own: a refused one is null with its error, the others in the same request still answer. With an Idempotency-Key header a retried request answers the first result instead of writing again."
type ${poi.typeName}Mutations {
  "Creates or updates a library by its Wise instance code (and with branches, its branches)."
  upsertLibrary("The library." input: LibraryInput!): Library
  "Creates a service agreement."
  createContract("The agreement." input: ContractInput!): Contract
  "Extends a service agreement to a later end date."
  renewContract("The agreement's id." id: ID!, "The new terms." input: RenewContractInput!): Contract
  "Ends a service agreement early by notice."
  terminateContract("The agreement's id." id: ID!, "The end." input: TerminateContractInput!): Contract
  "Opens a request."
  createTicket("The request." input: TicketInput!): Ticket
  "Changes a request."
  updateTicket("The request's id." id: ID!, "The changes." input: TicketUpdateInput!): Ticket
  "Assigns a request; an OPEN one becomes IN_PROGRESS."
  assignTicket("The request's id." id: ID!, "Who." input: AssignTicketInput!): Ticket
  "Resolves a request."
  resolveTicket("The request's id." id: ID!, "The version read." input: ResolveTicketInput!): Ticket
  "Adds a knowledge-base article."
  createKnowledgeArticle("The article." input: KnowledgeArticleInput!): KnowledgeArticle
  "Changes a knowledge-base article."
  updateKnowledgeArticle("The article's id." id: ID!, "The changes." input: KnowledgeArticleUpdateInput!): KnowledgeArticle
}
${VALUE_TYPES_SDL}`;
}
