import fs from 'node:fs';
import path from 'node:path';
import { isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType, isSpecifiedScalarType } from 'graphql';
import { apiSchemaOf } from '../shared/schema-changes';

/** Every place in the client-facing schema that lacks a description, as "Type.field(arg)". */
function undescribed(supergraphSdl: string): string[] {
  const schema = apiSchemaOf(supergraphSdl);
  const missing: string[] = [];
  const need = (description: string | null | undefined, where: string) => {
    if (!description?.trim()) missing.push(where);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    const isRoot = type === schema.getQueryType() || type === schema.getMutationType();
    if (!isRoot) need(type.description, type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        need(field.description, `${type.name}.${field.name}`);
        for (const arg of field.args) need(arg.description, `${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) need(field.description, `${type.name}.${field.name}`);
    if (isEnumType(type)) for (const value of type.getValues()) need(value.description, `${type.name}.${value.name}`);
  }
  return missing;
}

describe('schema documentation', () => {
  it('describes every type, field, argument, input field and enum value of the composed supergraph', () => {
    const supergraph = fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8');
    expect(undescribed(supergraph)).toEqual([]);
  });

  it('would notice a missing description', () => {
    const supergraph = fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8');
    const stripped = supergraph.replace('"""Number of members (leden)."""\n', '');
    expect(stripped).not.toBe(supergraph);
    expect(undescribed(stripped)).toEqual(expect.arrayContaining(['Library.memberCount']));
  });
});
