import { COMMON_SDL, FEDERATION_LINK, POI_CODE_FIELD, POI_INTERFACE_DESCRIPTION, poiTypeDescription } from '../graphql/common';
import type { Poi } from '../registry';
import { CONTRACT_SERVICES, CONTRACT_STATUSES, TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from './entities';

/** The fields every POI subgraph resolves on its own POI type (and on the shared `Poi` view). */
const POI_OWNED_FIELDS = `${POI_CODE_FIELD}
  "The library organisations this POI serves (bibliotheken), sorted by name. Null when the POI's subgraph is unavailable."
  libraries(filter: LibraryFilter, first: Int, after: String): LibraryConnection
  "One library organisation of this POI by id; null when it does not exist."
  library(id: ID!): Library
  "Service agreements (dienstverleningsovereenkomsten) between this POI and its libraries."
  contracts(first: Int, after: String): ContractConnection
  "This POI's own licences with the library-system vendor (leverancierscontracten)."
  vendorContracts: [VendorContract!]
  "Functional-management requests (meldingen) from this POI's libraries, newest first."
  tickets(first: Int, after: String): TicketConnection
  "Articles in this POI's knowledge base (kennisbank), newest first; \`search\` matches title, summary, body and tags."
  knowledgeArticles(search: String, first: Int, after: String): KnowledgeArticleConnection
  "Aggregate figures for dashboards, computed in the POI's database."
  stats: PoiStats`;

const enumSdl = (name: string, description: string, values: readonly string[]) =>
  `"${description}"\nenum ${name} {\n${values.map((v) => `  ${v}`).join('\n')}\n}`;

/** The value types every POI subgraph defines identically (@shareable, no key). */
const VALUE_TYPES_SDL = `
"Paging information for a connection."
type PageInfo @shareable {
  "True when more items follow the last one returned."
  hasNextPage: Boolean!
  "Opaque cursor of the last item returned; pass it as \`after\` to get the next page."
  endCursor: String
}

"Filters for a POI's libraries; all given conditions must hold."
input LibraryFilter {
  "Only libraries in this province."
  province: Province
  "Only libraries serving this municipality (gemeente), exact name."
  municipality: String
  "Only libraries whose name contains this text (case-insensitive)."
  nameContains: String
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
  "Functional-management requests from this library, newest first."
  tickets(first: Int, after: String): TicketConnection!
}

"A branch (vestiging) of a library."
type Branch @shareable {
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

${enumSdl('ContractStatus', 'Lifecycle state of a service agreement.', CONTRACT_STATUSES)}

${enumSdl('ContractService', 'A service a POI delivers under a service agreement.', CONTRACT_SERVICES)}

"A service agreement (dienstverleningsovereenkomst, DVO) between a POI and one library."
type Contract @shareable {
  id: ID!
  "The library the agreement is with."
  library: Library!
  "Services covered by the agreement."
  services: [ContractService!]!
  "First day the agreement applies."
  startsOn: Date!
  "Last day the agreement applies."
  endsOn: Date!
  status: ContractStatus!
  "Yearly fee in euros, excluding VAT (confidential contract term)."
  annualFee: Float!
  "Notice period (opzegtermijn) in months (confidential contract term)."
  noticePeriodMonths: Int!
}

"A POI's licence with the library-system vendor (e.g. OCLC for Wise)."
type VendorContract @shareable {
  id: ID!
  "The vendor (leverancier)."
  vendor: String!
  "The licensed product."
  product: String!
  startsOn: Date!
  endsOn: Date!
  "Yearly licence fee in euros, excluding VAT (confidential contract term)."
  annualFee: Float!
}

${enumSdl('TicketCategory', 'Functional area of a request.', TICKET_CATEGORIES)}

${enumSdl('TicketPriority', 'Urgency of a request, P1 highest.', TICKET_PRIORITIES)}

${enumSdl('TicketStatus', 'Handling state of a request; OPEN, IN_PROGRESS and WAITING count as open.', TICKET_STATUSES)}

"A functional-management request (melding) from a library to its POI."
type Ticket @shareable {
  id: ID!
  "The library that raised the request."
  library: Library!
  title: String!
  category: TicketCategory!
  priority: TicketPriority!
  status: TicketStatus!
  openedAt: DateTime!
  "When the request was resolved; null while it is open."
  resolvedAt: DateTime
}

"An article in a POI's knowledge base (kennisbank)."
type KnowledgeArticle @shareable {
  id: ID!
  title: String!
  "One or two sentences for result lists."
  summary: String!
  "The full text."
  body: String!
  "Keywords."
  tags: [String!]!
  "The knowledge system the article comes from, e.g. eKIC."
  source: String!
  updatedAt: DateTime!
}

"A count per key, for grouped statistics."
type KeyCount @shareable {
  key: String!
  count: Int!
}

"Aggregate figures of one POI, for dashboards."
type PoiStats @shareable {
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
  return `${FEDERATION_LINK}
${COMMON_SDL}
"${POI_INTERFACE_DESCRIPTION}"
interface Poi {${POI_OWNED_FIELDS}
}

"${poiTypeDescription(poi)}"
type ${poi.typeName} implements Poi @key(fields: "code") {${POI_OWNED_FIELDS}
}

type Query {
  "${poi.name}'s own data, served by ${poi.name}'s subgraph."
  ${poi.rootField}: ${poi.typeName}
}
${VALUE_TYPES_SDL}`;
}
