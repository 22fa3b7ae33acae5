import { errorReply } from '@chat/shared/api';
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';
const TARGET = 'draft-2020-12';

/** A schema as OpenAPI embeds it: the document sets the dialect, so no `$schema`/`$id` per schema. */
function embeddable(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** A request-side schema (what a client may send), inline. */
export function inputSchema(schema: z.ZodType): JsonSchema {
  return embeddable(z.toJSONSchema(schema, { target: TARGET, io: 'input' }) as JsonSchema);
}

/**
 * Reply-side schemas: the named ones become `components.schemas` and every other one is inlined where it is
 * used, referring to the named ones by `$ref`. Converted in one pass so a shared schema is described once.
 */
export function outputSchemas(
  named: Record<string, z.ZodType>,
  anonymous: readonly z.ZodType[],
): { components: Record<string, JsonSchema>; schemaOf: (schema: z.ZodType) => JsonSchema } {
  const registry = z.registry<{ id: string }>();
  const all: Record<string, z.ZodType> = { ErrorReply: errorReply, ...named };
  for (const [id, schema] of Object.entries(all)) registry.add(schema, { id });
  const inlineIds = new Map<z.ZodType, string>();
  for (const schema of anonymous) {
    if (registry.has(schema) || inlineIds.has(schema)) continue;
    const id = `inline-${inlineIds.size}`;
    inlineIds.set(schema, id);
    registry.add(schema, { id });
  }
  const converted = z.toJSONSchema(registry, {
    target: TARGET,
    io: 'output',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  }).schemas;
  const components: Record<string, JsonSchema> = {};
  for (const id of Object.keys(all)) components[id] = embeddable(converted[id] as JsonSchema);
  const schemaOf = (schema: z.ZodType): JsonSchema => {
    const namedId = registry.get(schema)?.id;
    if (namedId !== undefined && !inlineIds.has(schema)) return { $ref: `${COMPONENT_PREFIX}${namedId}` };
    const inlineId = inlineIds.get(schema);
    if (inlineId === undefined) throw new Error('schema was not converted');
    return embeddable(converted[inlineId] as JsonSchema);
  };
  return { components, schemaOf };
}
