import fs from 'node:fs';
import { buildASTSchema, GraphQLEnumType, GraphQLScalarType, parse } from 'graphql';
import {
  AUDIT_ENTITIES,
  CONTRACT_SERVICES,
  CONTRACT_STATUSES,
  LIBRARY_STATUSES,
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
} from '../poi-kit/entities';
import { instantiateResolvers, POI_TEMPLATE_SDL, poiSubgraphSdl } from '../poi-kit/schema';
import { poiByCode, PROVINCES } from '../shared/registry';
import { EVALUATION_STATUSES, WORK_AGENDA_STATUSES, WORK_AGENDA_THEMES } from '../subgraphs/collaboration/src/entities';
import { collaborationSdl } from '../subgraphs/collaboration/src/schema';
import { IBL_AUDIT_ENTITIES, LOAN_STATUSES, RUN_STATUSES } from '../subgraphs/bisc/entities';
import { ENSEMBLE_TYPES, MUSIDESK_AUDIT_ENTITIES } from '../subgraphs/rijnbrink/musidesk/entities';

/** The values of one enum of an SDL, in the schema's order. */
function enumValues(sdl: string, name: string): string[] {
  // Federation's directives are not defined in a subgraph's SDL: build without validating them.
  const type = buildASTSchema(parse(sdl), { assumeValidSDL: true }).getType(name);
  if (!(type instanceof GraphQLEnumType)) throw new Error(`${name} is not an enum of this SDL`);
  return type.getValues().map((value) => value.name);
}

const collaboration = collaborationSdl([poiByCode('CUBISS')]);
/** A POI's subgraph SDL: the kit's plus its folder's own schema.graphql. */
const poiSdl = (code: string) => poiSubgraphSdl(poiByCode(code), fs.readFileSync(`subgraphs/${code.toLowerCase()}/schema.graphql`, 'utf8'));
const bisc = poiSdl('BISC');
const rijnbrink = poiSdl('RIJNBRINK');

describe('one source of truth: the TypeScript value lists equal the schema enums', () => {
  // The kit, the collaboration and the POIs' own extensions keep their value lists as constants
  // (validation, seeds and statistics loop over them); the types the resolvers see are generated
  // from the schema. So each list must hold exactly the schema's values, in its order.
  it.each([
    ['ContractStatus', CONTRACT_STATUSES, POI_TEMPLATE_SDL],
    ['LibraryStatus', LIBRARY_STATUSES, POI_TEMPLATE_SDL],
    ['ContractService', CONTRACT_SERVICES, POI_TEMPLATE_SDL],
    ['TicketCategory', TICKET_CATEGORIES, POI_TEMPLATE_SDL],
    ['TicketPriority', TICKET_PRIORITIES, POI_TEMPLATE_SDL],
    ['TicketStatus', TICKET_STATUSES, POI_TEMPLATE_SDL],
    ['TicketType', TICKET_TYPES, POI_TEMPLATE_SDL],
    ['AuditEntity', AUDIT_ENTITIES, POI_TEMPLATE_SDL],
    ['Province', PROVINCES, POI_TEMPLATE_SDL],
    ['WorkAgendaTheme', WORK_AGENDA_THEMES, collaboration],
    ['WorkAgendaStatus', WORK_AGENDA_STATUSES, collaboration],
    ['EvaluationStatus', EVALUATION_STATUSES, collaboration],
    ['BiscTransportRunStatus', RUN_STATUSES, bisc],
    ['BiscInterlibraryLoanStatus', LOAN_STATUSES, bisc],
    ['BiscAuditEntity', IBL_AUDIT_ENTITIES, bisc],
    ['RijnbrinkEnsembleType', ENSEMBLE_TYPES, rijnbrink],
    ['RijnbrinkMusideskAuditEntity', MUSIDESK_AUDIT_ENTITIES, rijnbrink],
  ])('%s', (name, constants, sdl) => {
    expect([...constants]).toEqual(enumValues(sdl, name));
  });

  it('notices a value the schema has and the constants lack', () => {
    const withExtra = POI_TEMPLATE_SDL.replace(/enum TicketPriority \{/, 'enum TicketPriority {\n  "Whenever."\n  P5');
    expect(enumValues(withExtra, 'TicketPriority')).not.toEqual([...TICKET_PRIORITIES]);
  });
});

describe("instantiateResolvers: the kit resolver map, written for the template, as one POI's", () => {
  const cubiss = poiByCode('CUBISS');

  it('renames the template types and root fields and keeps the rest', () => {
    const resolveLibraries = () => 'libraries';
    const date = new GraphQLScalarType({ name: 'Date' });
    const map = instantiateResolvers(
      {
        Date: date,
        Query: { thisPoi: () => 'cubiss' },
        ThisPoi: { libraries: resolveLibraries },
        ThisPoiMutations: {},
        ThisContract: {},
        Library: { branches: () => [] },
      },
      cubiss,
    );
    expect(Object.keys(map).sort()).toEqual(['CubissContract', 'CubissPoi', 'CubissPoiMutations', 'Date', 'Library', 'Query']);
    expect(Object.keys(map.Query as object)).toEqual(['cubiss']);
    expect((map.CubissPoi as Record<string, unknown>).libraries).toBe(resolveLibraries);
    expect(map.Date).toBe(date);
  });

  it('renames the type names a __resolveType answers', () => {
    const map = instantiateResolvers({ Contract: { __resolveType: () => 'ThisContract' }, Poi: { __resolveType: () => 'ThisPoi' } }, cubiss);
    const answer = (type: string) => (map[type] as { __resolveType: () => unknown }).__resolveType();
    expect(answer('Contract')).toBe('CubissContract');
    expect(answer('Poi')).toBe('CubissPoi');
  });
});
