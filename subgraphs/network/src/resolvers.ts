import { GraphQLError, Kind, parse, type GraphQLFieldResolver } from 'graphql';
import type { Identity } from '../../../shared/auth/identity';
import { scalarResolvers } from '../../../shared/graphql/common';
import type { Sealer } from '../../../shared/graphql/connection';
import type { Resolvers } from '../generated/resolvers';
import { KEY_ALIAS, NETWORK_LISTS, networkPage, type NetworkListArgs, type Owner, type RunQuery } from './lists';

export interface NetworkContext {
  /** Every POI of the network, by code. */
  owners: readonly Owner[];
  /** Asks one owner, as the caller (owners.ts). */
  run: RunQuery;
  /** An error of the response beside the data (a POI left out of a list): see `reportedErrors` in subgraph.ts. */
  report: (error: GraphQLError) => void;
  identity?: Identity;
}

/**
 * A field's value in an owner's answer (keyed by the response keys the owner was asked with,
 * aliases included: the selection this subgraph was sent); an error the owner answered at that
 * place is raised here, with its code (`FORBIDDEN`, …).
 */
export const byResponseKey: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.path.key] : undefined;
  if (value instanceof GraphQLError) throw new GraphQLError(value.message, { extensions: value.extensions });
  return value;
};

const byName = (field: string) => (source: unknown) => (source as Record<string, unknown>)[field];

/** Types this subgraph builds itself (pages, owners); every other object's fields are read from the owners' answers. */
const OWN_TYPES = ['Query', 'Network', 'WorkAgendaItem', 'NetworkPoi', 'NetworkPageInfo', ...NETWORK_LISTS.map((l) => `${l.networkNodeType}Connection`)];

/** The resolvers of the network subgraph's SDL (schema.ts): the merges, and the owners' answers read by response key. */
export function createNetworkResolvers(sdl: string, sealer: Sealer): Record<string, unknown> {
  const document = parse(sdl, { noLocation: true });
  const generic: Record<string, Record<string, unknown>> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || !definition.fields) continue;
    const name = definition.name.value;
    const resolve = OWN_TYPES.includes(name) ? (field: string) => byName(field) : () => byResponseKey;
    generic[name] = Object.fromEntries(definition.fields.map((f) => [f.name.value, resolve(f.name.value)]));
  }
  const tickets = NETWORK_LISTS.find((l) => l.field === 'tickets')!;
  const own: Resolvers<NetworkContext> = {
    Query: { network: () => ({}) },
    Network: Object.fromEntries(
      NETWORK_LISTS.map((list) => [
        list.field,
        (_source: unknown, args: NetworkListArgs, context: NetworkContext, info: Parameters<GraphQLFieldResolver<unknown, unknown>>[3]) =>
          networkPage(list, args, info, sealer, context.owners, context.run, context.report),
      ]),
    ),
    // A work-agenda item's tickets: the network ticket list with the item fixed, wherever the item was reached
    // (by key from the collaboration, or below an owner's ticket, whose owner gave its key under network__key).
    WorkAgendaItem: {
      __resolveReference: (reference) => reference,
      id: (source, _args, _context, info) => {
        const item = source as Record<string, unknown>;
        return String(item[info.path.key] ?? item.id ?? item[KEY_ALIAS]);
      },
      tickets: (source, args, context, info) => {
        const item = source as Record<string, unknown>;
        const id = String(item[KEY_ALIAS] ?? item.id);
        return networkPage(tickets, { ...args, filter: { ...args.filter, agendaItemId: id } }, info, sealer, context.owners, context.run, context.report);
      },
    },
  };
  const merged: Record<string, unknown> = { ...scalarResolvers, ...generic };
  for (const [type, fields] of Object.entries(own)) merged[type] = { ...generic[type], ...(fields as object) };
  for (const list of NETWORK_LISTS) {
    const node = generic[list.networkNodeType];
    merged[list.networkNodeType] = {
      ...node,
      poi: (source: { network__owner: unknown }) => source.network__owner,
      ...(node.publishers ? { publishers: (source: { network__publishers: unknown }) => source.network__publishers } : {}),
    };
  }
  return merged;
}
