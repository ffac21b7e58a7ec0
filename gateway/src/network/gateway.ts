import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface, GatewayLoadResult } from '@apollo/server-gateway-interface';
import {
  execute,
  extendSchema,
  getOperationAST,
  GraphQLError,
  GraphQLFieldResolver,
  GraphQLObjectType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type FieldNode,
  type ASTNode,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type SelectionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Sealer } from '../../../shared/graphql/connection';
import type { WorkAgendaItemTicketsArgs } from './generated/resolvers';
import { withTypenames } from './sub-query';
import { markError, NETWORK_LISTS, networkPage, type NetworkListArgs, type RunQuery } from './lists';

/** The network lists' schema, added to the supergraph's API schema by the gateway (see `NetworkGateway`). */
export const NETWORK_SDL_PATH = path.join(__dirname, 'network.graphql');
const NETWORK_SDL = parse(fs.readFileSync(NETWORK_SDL_PATH, 'utf8'), { noLocation: true });

/**
 * The fields the gateway answers itself (network.graphql), per type: the supergraph's executor
 * never sees them. A nested one (`WorkAgendaItem.tickets`) is answered from its parent's key,
 * which the executor is asked for under `network__key`.
 */
const GATEWAY_FIELDS: Record<string, { fields: readonly string[]; key?: string }> = {
  Query: { fields: ['network'] },
  WorkAgendaItem: { fields: ['tickets'], key: 'id' },
};
const KEY_ALIAS = 'network__key';

const isGatewayField = (parent: { name: string } | null | undefined, field: string) =>
  !!parent && (GATEWAY_FIELDS[parent.name]?.fields.includes(field) ?? false);

/** Whether the operation asks a field the gateway answers itself, anywhere (also in fragments). */
function asksGatewayFields(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(document, visitWithTypeInfo(typeInfo, { Field: (field) => void (found ||= isGatewayField(typeInfo.getParentType(), field.name.value)) }));
  return found;
}

/**
 * The document for the supergraph's executor: without the fields the gateway answers, and with
 * their parent's key (`network__key: id`) where one was taken out; a selection left empty asks
 * `__typename`.
 */
function withoutGatewayFields(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const removed: boolean[] = [];
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        enter: () => void removed.push(false),
        leave: (set) => {
          const key = removed.pop() ? GATEWAY_FIELDS[typeInfo.getParentType()?.name ?? '']?.key : undefined;
          const extra: FieldNode[] = key ? [{ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: KEY_ALIAS }, name: { kind: Kind.NAME, value: key } }] : [];
          const selections = [...set.selections, ...extra];
          if (selections.length === 0) selections.push({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } });
          return extra.length > 0 || set.selections.length === 0 ? { ...set, selections } : undefined;
        },
      },
      Field: (field) => {
        if (!isGatewayField(typeInfo.getParentType(), field.name.value)) return undefined;
        removed[removed.length - 1] = true;
        return null;
      },
    }),
  );
}

export interface NetworkContext {
  run: RunQuery;
  report: (error: GraphQLError) => void;
}

/**
 * A field's value in an answer the gateway's executor gave (keyed by the client's response keys,
 * aliases included); an error the owner answered at that place is raised here, at the network's
 * path, with its code (`FORBIDDEN`, …).
 */
const byResponseKey: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.path.key] : undefined;
  if (value instanceof GraphQLError) throw new GraphQLError(value.message, { extensions: value.extensions });
  return value;
};

/**
 * The supergraph's API schema plus `Query.network`: the network node types (`NetworkTicket`) get
 * every field of the POI node type they stand for (`Ticket`), as it is in the supergraph in
 * service, plus `poi`. This is the schema clients see at the gateway.
 */
export function networkSchema(api: GraphQLSchema): GraphQLSchema {
  const definitions: DefinitionNode[] = [...NETWORK_SDL.definitions];
  for (const list of NETWORK_LISTS) {
    // An object type (`Ticket`) or an interface every POI implements (`Contract`).
    const node = api.getType(list.nodeType);
    if (!(isObjectType(node) || isInterfaceType(node)) || !node.astNode?.fields)
      throw new Error(`The supergraph has no type ${list.nodeType} for network.${list.field}`);
    definitions.push({
      kind: Kind.OBJECT_TYPE_EXTENSION,
      name: { kind: Kind.NAME, value: list.networkNodeType },
      fields: node.astNode.fields.map((field) => ({
        ...field,
        directives: field.directives?.filter((d) => d.name.value === 'deprecated'),
        arguments: field.arguments?.map((argument) => ({ ...argument, directives: [] })),
      })),
    });
  }
  return extendSchema(api, { kind: Kind.DOCUMENT, definitions }, { assumeValidSDL: true });
}

/** `networkSchema` with its resolvers: the network lists merge, everything else reads the owners' answers. */
function withNetwork(api: GraphQLSchema, sealer: Sealer): GraphQLSchema {
  const schema = networkSchema(api);
  const object = (name: string) => schema.getType(name) as GraphQLObjectType;
  // Everything else is read from the owners' answers, by the client's response keys (also where the API schema had resolvers of its own).
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type) && !type.name.startsWith('__')) for (const field of Object.values(type.getFields())) field.resolve = byResponseKey;
  }
  object('Query').getFields().network.resolve = () => ({});
  const own = ['NetworkPoi', 'NetworkPageInfo', ...NETWORK_LISTS.map((l) => `${l.networkNodeType}Connection`)];
  for (const name of own)
    for (const field of Object.values(object(name).getFields())) field.resolve = (source) => (source as Record<string, unknown>)[field.name];
  for (const list of NETWORK_LISTS) {
    object(list.networkNodeType).getFields().poi.resolve = (source) => (source as { network__owner: unknown }).network__owner;
    const publishers = object(list.networkNodeType).getFields().publishers;
    if (publishers) publishers.resolve = (source) => (source as { network__publishers: unknown }).network__publishers;
    object('Network').getFields()[list.field].resolve = (_source, args: NetworkListArgs, context: NetworkContext, info) =>
      networkPage(list, args, info, sealer, context.run, context.report);
  }
  // A work-agenda item's tickets: the network ticket list with the item fixed, wherever the item was reached.
  const tickets = NETWORK_LISTS.find((l) => l.field === 'tickets')!;
  object('WorkAgendaItem').getFields().tickets.resolve = (source, args: WorkAgendaItemTicketsArgs, context: NetworkContext, info) =>
    networkPage(
      tickets,
      { ...args, filter: { ...args.filter, agendaItemId: String((source as Record<string, unknown>)[KEY_ALIAS]) } },
      info,
      sealer,
      context.run,
      context.report,
    );
  return schema;
}

/** The fragments of `document` that `selections` spread, also through other fragments. */
function fragmentsUsedBy(selections: readonly SelectionNode[], document: DocumentNode): FragmentDefinitionNode[] {
  const all = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (node: ASTNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = all.get(spread.name.value);
        if (!fragment || used.has(fragment.name.value)) return;
        used.set(fragment.name.value, fragment);
        walk(fragment);
      },
    });
  for (const selection of selections) walk(selection);
  return [...used.values()];
}

/**
 * The Apollo Gateway with the network lists (`Query.network`) resolved in the gateway itself.
 * Federation cannot share a root list among the POI subgraphs (the planner would send it to
 * one), so a network list is a merge: its resolver asks every POI's own list through this
 * gateway's executor, with the caller's context, so each owner sees the caller's identity and
 * applies its own scopes, and a POI that is down fails as it does anywhere else
 * (`SUBGRAPH_UNAVAILABLE` with `extensions.poi`). Operations without a field the gateway answers
 * (`GATEWAY_FIELDS`) go to the gateway's executor unchanged; otherwise the rest of the operation
 * (without those fields, with their parents' keys) is answered by it in one request, and the
 * client's operation is then run over that answer, the gateway's fields resolved by their merges.
 */
export class NetworkGateway implements GatewayInterface {
  private readonly extended = new WeakMap<GraphQLSchema, GraphQLSchema>();
  private inner?: GatewayExecutor;

  constructor(
    private readonly gateway: GatewayInterface,
    private readonly sealer: Sealer,
  ) {}

  private extend(api: GraphQLSchema): GraphQLSchema {
    let schema = this.extended.get(api);
    if (!schema) this.extended.set(api, (schema = withNetwork(api, this.sealer)));
    return schema;
  }

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]) {
    return this.gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => callback({ apiSchema: this.extend(apiSchema), coreSupergraphSdl }));
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.gateway.load(options);
    if (!executor) throw new Error('the gateway has no executor');
    this.inner = executor;
    return { executor: (requestContext) => this.execute(requestContext) };
  }

  stop(): Promise<void> {
    return this.gateway.stop();
  }

  /**
   * Runs another operation through the gateway's executor in this request's context (same
   * identity, limits of resilience, data sources), without the fields the gateway answers itself.
   */
  private run(requestContext: GatewayGraphQLRequestContext, asked: DocumentNode, variables: Record<string, unknown>) {
    const document = withoutGatewayFields(requestContext.schema, asked);
    const source = print(document);
    const operation = getOperationAST(document)!;
    const operationName = operation.name?.value;
    return this.inner!({
      ...requestContext,
      source,
      document,
      operation,
      operationName: operationName ?? null,
      queryHash: createHash('sha256').update(source).digest('hex'),
      request: { ...requestContext.request, query: source, operationName, variables },
    });
  }

  private async execute(requestContext: GatewayGraphQLRequestContext) {
    const { document, request, schema } = requestContext;
    const operation = getOperationAST(document, request.operationName);
    const isNetwork = (s: (typeof operation & object)['selectionSet']['selections'][number]) => s.kind === Kind.FIELD && s.name.value === 'network';
    // A mutation's answer may ask them too (a written work-agenda item's tickets): the writes run once, in the executor.
    if (!operation || operation.operation === 'subscription' || !asksGatewayFields(schema, document)) return this.inner!(requestContext);
    const errors: GraphQLError[] = [];
    let rootValue: Record<string, unknown> = {};
    const rest = operation.selectionSet.selections.filter((s) => !isNetwork(s));
    if (rest.length > 0) {
      const others: DocumentNode = {
        kind: Kind.DOCUMENT,
        // With __typename everywhere: the network's execution resolves interfaces (`pois`) by it.
        definitions: [
          { ...operation, selectionSet: { ...operation.selectionSet, selections: withTypenames(rest) } },
          ...fragmentsUsedBy(rest, document).map((f) => ({ ...f, selectionSet: { ...f.selectionSet, selections: withTypenames(f.selectionSet.selections) } })),
        ],
      };
      const result = await this.run(requestContext, others, request.variables ?? {});
      rootValue = { ...result.data };
      for (const error of result.errors ?? []) {
        if (error.path && error.path.length > 0) markError(rootValue, error.path, error as GraphQLError);
        else errors.push(error as GraphQLError);
      }
    }
    const context: NetworkContext = { run: (doc, variables) => this.run(requestContext, doc, variables), report: (error) => errors.push(error) };
    const result = await execute({
      schema,
      document,
      operationName: request.operationName,
      variableValues: request.variables,
      rootValue,
      contextValue: context,
      fieldResolver: byResponseKey,
    });
    const all = [...(result.errors ?? []), ...errors];
    return { data: result.data, ...(all.length > 0 ? { errors: all } : {}) };
  }
}
