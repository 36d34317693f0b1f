/**
 * A small JSON Schema check for cascade verification: type, enum, const, required, properties,
 * additionalProperties:false, items, min/max length and value. Enough to catch a model's
 * malformed structured output; not a full validator (no $ref, no combinators).
 */
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOk(v: unknown, t: string): boolean {
  switch (t) {
    case 'object': return isObj(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    default: return true;
  }
}

/** Null when `v` matches `schema`, else the first problem with its path. */
export function validateJson(v: unknown, schema: Json, path = '$'): string | null {
  const t = schema.type;
  if (typeof t === 'string' && !typeOk(v, t)) return `${path} should be ${t}`;
  if (Array.isArray(t) && !t.some((x) => typeOk(v, String(x)))) return `${path} should be one of ${t.join(', ')}`;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) return `${path} is not one of the allowed values`;
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(v)) return `${path} should be ${JSON.stringify(schema.const)}`;
  if (typeof v === 'string') {
    if (typeof schema.minLength === 'number' && v.length < schema.minLength) return `${path} is too short`;
    if (typeof schema.maxLength === 'number' && v.length > schema.maxLength) return `${path} is too long`;
  }
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) return `${path} is below ${schema.minimum}`;
    if (typeof schema.maximum === 'number' && v > schema.maximum) return `${path} is above ${schema.maximum}`;
  }
  if (isObj(v)) {
    const props = isObj(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required)) for (const r of schema.required) if (!(String(r) in v)) return `${path}.${String(r)} is required`;
    for (const [k, sub] of Object.entries(props)) {
      if (k in v && isObj(sub)) { const e = validateJson(v[k], sub, `${path}.${k}`); if (e) return e; }
    }
    if (schema.additionalProperties === false) for (const k of Object.keys(v)) if (!(k in props)) return `${path}.${k} is not allowed`;
  }
  if (Array.isArray(v) && isObj(schema.items)) {
    for (let i = 0; i < v.length; i++) { const e = validateJson(v[i], schema.items, `${path}[${i}]`); if (e) return e; }
  }
  return null;
}
