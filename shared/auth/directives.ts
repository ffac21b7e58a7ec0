import { defaultFieldResolver, GraphQLError, GraphQLSchema, isInterfaceType, isObjectType, Kind, valueFromASTUntyped, type ConstDirectiveNode } from 'graphql';
import { Identity, satisfiesScopes } from './identity';

interface FieldRule {
  authenticated: boolean;
  /** Alternatives of scope sets, as in `@requiresScopes(scopes: [["a", "b"], ["c"]])`: a and b, or c. */
  scopes?: string[][];
}

function ruleOf(directives: readonly ConstDirectiveNode[] | undefined): FieldRule | undefined {
  let rule: FieldRule | undefined;
  for (const directive of directives ?? []) {
    if (directive.name.value === 'authenticated') rule = { ...rule, authenticated: true };
    if (directive.name.value === 'requiresScopes') {
      const argument = directive.arguments?.find((a) => a.name.value === 'scopes');
      const scopes = argument && argument.value.kind === Kind.LIST ? (valueFromASTUntyped(argument.value) as string[][]) : [];
      rule = { authenticated: rule?.authenticated ?? false, scopes };
    }
  }
  return rule;
}

function accessDenied(rule: FieldRule, identity: Identity | undefined, field: string): GraphQLError | undefined {
  if (!identity || (rule.authenticated && identity.anonymous)) {
    return new GraphQLError(`${field} needs an authenticated caller: send a token`, { extensions: { code: 'UNAUTHENTICATED' } });
  }
  if (rule.scopes && !satisfiesScopes(identity, rule.scopes)) {
    const needed = rule.scopes.map((all) => all.join(' + ')).join(' or ');
    return new GraphQLError(`Not allowed: ${field} needs the scope ${needed}`, { extensions: { code: 'FORBIDDEN', requiredScopes: rule.scopes } });
  }
  return undefined;
}

/**
 * Refuses what would reveal `type.field` to a caller who may not read it: ordering or filtering a
 * list by that field, or its old and new values in the audit trail. The field's own
 * `@requiresScopes`/`@authenticated` is the one rule, so a value guarded in the schema is
 * guarded wherever it can surface. `use` names what was asked, e.g. "ordering by ANNUAL_FEE".
 */
export function assertMayRead(schema: GraphQLSchema, type: string, field: string, identity: Identity | undefined, use: string): void {
  const named = schema.getType(type);
  const definition = isObjectType(named) || isInterfaceType(named) ? named.getFields()[field] : undefined;
  const rule = ruleOf(definition?.astNode?.directives);
  const denied = rule && accessDenied(rule, identity, use);
  if (denied) throw denied;
}

/**
 * Enforces the schema's own `@authenticated` and `@requiresScopes` declarations: every field
 * that carries one checks `context.identity` before its resolver runs. A denied field resolves
 * to an error (null at its path, code FORBIDDEN or UNAUTHENTICATED); its siblings are unaffected.
 * The owner decides: the subgraph enforces, whatever the gateway in front of it does.
 */
export function enforceAuthDirectives(schema: GraphQLSchema): number {
  let guarded = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = ruleOf(field.astNode?.directives);
      if (!rule) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const label = `${type.name}.${field.name}`;
      field.resolve = (source, args, context: { identity?: Identity }, info) => {
        const denied = accessDenied(rule, context.identity, label);
        if (denied) throw denied;
        return resolve(source, args, context, info);
      };
      guarded++;
    }
  }
  return guarded;
}
